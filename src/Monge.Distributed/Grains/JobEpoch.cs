using Monge.Distributed.Storage;

namespace Monge.Distributed.Grains;

/// <summary>
/// The fence of one run of a job: each run of a coordinator takes the next generation of the job
/// (<see cref="HiRefKeys.Epoch"/>: a generation number and a token unique to the run, written atomically when the run
/// starts) and checks that the stored token is still its own before it writes a level checkpoint, removes block files,
/// or writes the result or a failure. A coordinator presumed lost that still runs (a silo cut off by a partition, a
/// grain activation Orleans has already replaced) finds its successor's token there and stops without writing or
/// removing anything, so it cannot clean up under its successor.
/// </summary>
/// <remarks>
/// The store has no compare-and-swap, so the check and the write that follows are two steps: a run superseded between
/// them writes at most that one block. That block is harmless by construction (checkpoints and results are pure
/// functions of the job, so a zombie writes the same bytes its successor would), but file removals are not, which is why
/// every removal is checked. Two runs that start at the same moment may read the same generation; the tokens still
/// differ, the later write wins and the other run stops at its next check. An object store with conditional writes
/// (If-Match on the epoch object) would close the window.
/// </remarks>
internal sealed class JobEpoch
{
    private readonly IBlockStore _store;

    private JobEpoch(IBlockStore store, string jobId, long generation, string token)
    {
        _store = store;
        JobId = jobId;
        Generation = generation;
        Token = token;
    }

    public string JobId { get; }

    /// <summary>This run's generation: 1 for the first run of a job, one more for each run after.</summary>
    public long Generation { get; }

    /// <summary>A token unique to this run (the silo and a fresh GUID).</summary>
    public string Token { get; }

    /// <summary>Takes the next generation of the job and makes it the current one in the store.</summary>
    public static async Task<JobEpoch> BeginAsync(IBlockStore store, string jobId, string owner, CancellationToken cancellationToken = default)
    {
        var key = HiRefKeys.Epoch(jobId);
        var stored = await ReadAsync(store, key, cancellationToken).ConfigureAwait(false);
        var epoch = new JobEpoch(store, jobId, (stored?.Generation ?? 0) + 1, $"{owner}/{Guid.NewGuid():N}");
        await store.PutAsync(key, JobJson.Encode(new Record(epoch.Generation, epoch.Token)), cancellationToken).ConfigureAwait(false);
        return epoch;
    }

    /// <summary>Throws <see cref="JobSupersededException"/> when another run has taken the job since this one began.</summary>
    /// <param name="what">What the run was about to do (for the message).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task CheckAsync(string what, CancellationToken cancellationToken = default)
    {
        var stored = await ReadAsync(_store, HiRefKeys.Epoch(JobId), cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Token != Token)
        {
            throw new JobSupersededException(JobId, Generation, stored?.Generation ?? 0, what);
        }
    }

    private static async Task<Record?> ReadAsync(IBlockStore store, string key, CancellationToken cancellationToken) =>
        await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false)
            ? JobJson.Decode<Record>(key, await store.GetAsync(key, cancellationToken).ConfigureAwait(false))
            : null;

    private sealed record Record(long Generation, string Token);
}

/// <summary>A run of a job found that a later run has taken the job over (see <see cref="JobEpoch"/>); it stops without
/// writing a checkpoint, the result or a failure, and without removing any file.</summary>
internal sealed class JobSupersededException(string jobId, long generation, long current, string what)
    : Exception($"Run {generation} of job '{jobId}' was superseded by run {current}; it did not {what}.")
{
    public long Generation { get; } = generation;

    public long Current { get; } = current;
}
