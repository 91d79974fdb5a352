namespace Monge.Distributed;

/// <summary>The store keys of a job: everything lives under <c>jobs/ID/</c>.</summary>
public static class HiRefKeys
{
    /// <summary>The job's spec (JSON), written when the job starts.</summary>
    /// <param name="jobId">The job id.</param>
    public static string Spec(string jobId) => $"jobs/{jobId}/spec";

    /// <summary>The source points: n·d float64, row-major, little-endian.</summary>
    /// <param name="jobId">The job id.</param>
    public static string Source(string jobId) => $"jobs/{jobId}/source";

    /// <summary>The target points, like <see cref="Source"/>.</summary>
    /// <param name="jobId">The job id.</param>
    public static string Target(string jobId) => $"jobs/{jobId}/target";

    /// <summary>The content hash of the job's points (JSON: n, d and the SHA-256 of the source then the target bytes),
    /// written with them: running a job id again with other points is refused instead of answering from the stored
    /// points, checkpoints or result.</summary>
    /// <param name="jobId">The job id.</param>
    public static string Inputs(string jobId) => $"jobs/{jobId}/inputs";

    /// <summary>The job's epoch (JSON: the generation of the run that owns the job, and that run's token): each run of a
    /// coordinator takes the next generation, and checks it before it writes a checkpoint, removes files or writes the
    /// result, so a coordinator presumed lost that still runs cannot clean up under its successor.</summary>
    /// <param name="jobId">The job id.</param>
    public static string Epoch(string jobId) => $"jobs/{jobId}/epoch";

    /// <summary>The checkpoint after a level: both index arrays and the child sizes of every split block.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="level">The level number (0-based).</param>
    public static string Level(string jobId, int level) => $"jobs/{jobId}/levels/{level}";

    /// <summary>A block's input (its points) or output (its permuted local ranges).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="level">The level number.</param>
    /// <param name="block">The block index.</param>
    /// <param name="part">"in" or "out".</param>
    public static string Block(string jobId, int level, int block, string part) => $"jobs/{jobId}/blocks/{level}/{block}.{part}";

    /// <summary>A subtree's input (the root block's points) or output (its permuted local ranges after the leaves, and
    /// its leaf sizes): the output is the subtree's checkpoint.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="level">The root's level number.</param>
    /// <param name="block">The root's index among all blocks of its level.</param>
    /// <param name="part">"in" or "out".</param>
    public static string Subtree(string jobId, int level, int block, string part) => $"jobs/{jobId}/subtrees/{level}/{block}.{part}";

    /// <summary>A shard of a sharded trunk level: its input ("in": its X rows then its Y rows, row-major float64) or the
    /// prefix of its sorted runs' pages ("run": <see cref="Grains.ShardRuns"/>); removed after the level checkpoint.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="level">The level number.</param>
    /// <param name="block">The block's index in its level.</param>
    /// <param name="shard">The shard index.</param>
    /// <param name="shards">The level's shard count (the rows of a shard depend on it).</param>
    /// <param name="part">"in" or "run".</param>
    public static string Shard(string jobId, int level, int block, int shard, int shards, string part) => $"jobs/{jobId}/shards/{level}/{block}/{shard}of{shards}.{part}";

    /// <summary>The checkpoint of one block of a sharded level with several blocks, written when its split is done: the
    /// block's X and Y index ranges after the split (the point indices, not local positions) and its child sizes
    /// (<c>BlockOutput</c>'s layout). A restarted coordinator takes the finished blocks from these and splits only the
    /// others; valid whatever the shard count (a block's split does not depend on it); removed after the level
    /// checkpoint.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="level">The level number.</param>
    /// <param name="block">The block's index in its level.</param>
    public static string ShardedBlock(string jobId, int level, int block) => $"jobs/{jobId}/shards/{level}/{block}.done";

    /// <summary>Which shard count's files a sharded level has in the store (an int32, written before them; a block of
    /// the level has that many shards, or one per 1024-row chunk when it has fewer chunks): a run
    /// that shards the level over another count (a silo was lost, or <see cref="HiRefJobSpec.TrunkShards"/> changed)
    /// removes those files first, so no stale shard file outlives the level.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="level">The level number.</param>
    public static string ShardManifest(string jobId, int level) => $"jobs/{jobId}/shards/{level}/count";

    /// <summary>The result: the permutation, n int32 (source i is matched to target result[i]).</summary>
    /// <param name="jobId">The job id.</param>
    public static string Result(string jobId) => $"jobs/{jobId}/result";

    /// <summary>The result's summary (JSON: cost and timings), written before <see cref="Result"/>.</summary>
    /// <param name="jobId">The job id.</param>
    public static string Summary(string jobId) => $"jobs/{jobId}/summary";

    /// <summary>A permanent failure (JSON: kind, key, message).</summary>
    /// <param name="jobId">The job id.</param>
    public static string Failure(string jobId) => $"jobs/{jobId}/failed";

    /// <summary>Checks a job id: letters, digits, '-' and '_' (1 to 100 characters).</summary>
    /// <param name="jobId">The job id.</param>
    /// <returns>The id.</returns>
    /// <exception cref="ArgumentException">Another character, or an empty or too long id.</exception>
    public static string CheckJobId(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (jobId.Length is 0 or > 100 || !jobId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Job id '{jobId}' must be 1 to 100 letters, digits, '-' or '_'.", nameof(jobId));
        }

        return jobId;
    }
}
