using System.Diagnostics;
using Monge.Distributed.Grains;
using Monge.Distributed.Storage;
using Monge.Geometry;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed;

/// <summary>
/// Runs <see cref="HierarchicalRefinement"/> on an Orleans cluster: writes the points to the shared
/// <see cref="IBlockStore"/>, starts a coordinator grain for the job, polls it with short calls and reads the permutation
/// back from the store. For a given <see cref="HiRefJobSpec"/> the permutation is bit-identical to
/// <see cref="HiRefJobSpec.ToSolver"/>'s single-machine one, whatever the number of silos, the placement and the silos
/// lost on the way (each block split is a pure function of its points, the options and its seed; levels are
/// checkpointed).
/// </summary>
/// <remarks>
/// <para>Where the work runs: the trunk levels (while a block has more than <see cref="HiRefJobSpec.SubtreeSize"/>
/// points) are split block by block by worker grains spread over the silos (the first level is one block on one
/// worker); then every block goes whole to a worker as a subtree (its remaining levels and its exact leaves, checkpointed
/// per subtree); the coordinator's silo stitches the subtrees and runs the polish that crosses blocks, and holds the
/// points and both index arrays (2·n·d doubles + 8n bytes). With SubtreeSize 0 every level runs block by block and the
/// leaves run on the coordinator. Data moved per trunk level: the blocks' points (2·n·d·8 bytes written, read once by
/// the workers), their permuted ranges (8n bytes) and the level checkpoint (8n bytes plus a small header); the subtrees
/// once: their points (2·n·d·8 bytes) and outputs (8n bytes plus 4 bytes a leaf). Time: the single-machine HiRef's
/// work, level 0 on one silo's cores, the rest spread over the silos.</para>
/// </remarks>
/// <param name="client">A client connected to the cluster (or a silo's own <see cref="IGrainFactory"/>).</param>
/// <param name="store">The store the silos use.</param>
public sealed class DistributedHierarchicalRefinement(IGrainFactory client, IBlockStore store)
{
    /// <summary>Time between status polls (default 250 ms).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long polls may fail in a row (a lost gateway, a coordinator being moved) before giving up (default 2 min).</summary>
    public TimeSpan UnreachableTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Matches <paramref name="source"/> to <paramref name="target"/> on the cluster.</summary>
    /// <param name="source">n source points (uniform weights).</param>
    /// <param name="target">n target points of the same dimension.</param>
    /// <param name="spec">The options (its <see cref="HiRefJobSpec.Count"/> and <see cref="HiRefJobSpec.Dimension"/> are set here).</param>
    /// <param name="jobId">The job id (letters, digits, '-', '_'); null picks a new one. Running again with the id of a
    /// finished job returns its result; with the id of an interrupted one resumes it; with other points or options it is
    /// refused.</param>
    /// <param name="progress">Receives each polled status.</param>
    /// <param name="cancellationToken">Stops polling (the job goes on in the cluster).</param>
    /// <returns>The permutation, its cost and the final status.</returns>
    /// <exception cref="BlockNotFoundException">A block the job needs is missing from the store.</exception>
    /// <exception cref="BlockCorruptException">A block in the store is corrupt.</exception>
    /// <exception cref="ArgumentException">Different sizes or dimensions, weighted clouds, invalid options, or a job id that
    /// is already in the store with other points or other options (<see cref="HiRefKeys.Inputs"/>, <see cref="HiRefKeys.Spec"/>).</exception>
    /// <exception cref="InvalidOperationException">The job failed for another reason (the message says why).</exception>
    public async Task<DistributedHiRefResult> SolveAsync(PointCloud<double> source, PointCloud<double> target, HiRefJobSpec spec, string? jobId = null, IProgress<HiRefJobStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(spec);
        if (source.Count != target.Count || source.Dimension != target.Dimension)
        {
            throw new ArgumentException($"Hierarchical Refinement matches equal-size sets of one dimension; got {source.Count}×{source.Dimension} and {target.Count}×{target.Dimension}.", nameof(target));
        }

        if (source.HasWeights || target.HasWeights)
        {
            throw new ArgumentException("The distributed Hierarchical Refinement takes unweighted (uniform) clouds.", nameof(source));
        }

        spec = spec with { Count = source.Count, Dimension = source.Dimension };
        spec.ToSolver().ScheduleFor(source.Count);
        jobId = HiRefKeys.CheckJobId(jobId ?? $"job-{Guid.NewGuid():N}");
        await PutInputsAsync(source, target, jobId, cancellationToken).ConfigureAwait(false);

        var grain = client.GetGrain<IHiRefJobGrain>(jobId);
        var status = await RetryAsync(() => grain.StartAsync(spec), cancellationToken).ConfigureAwait(false);
        while (!status.IsFinished)
        {
            progress?.Report(status);
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            status = await RetryAsync(grain.GetStatusAsync, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(status);
        return await ResultAsync(store, jobId, status, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a finished job's permutation from the store, or raises its failure as a typed exception.</summary>
    /// <param name="store">The store.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="status">The job's final status.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The result.</returns>
    public static async Task<DistributedHiRefResult> ResultAsync(IBlockStore store, string jobId, HiRefJobStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(status);
        switch (status.State)
        {
            case HiRefJobState.Succeeded:
                break;
            case HiRefJobState.Failed:
                var message = $"Distributed job '{jobId}' failed: {status.Error}";
                throw status.ErrorKind switch
                {
                    HiRefJobErrorKind.BlockMissing => new BlockNotFoundException(status.ErrorKey ?? "", message),
                    HiRefJobErrorKind.BlockCorrupt => new BlockCorruptException(status.ErrorKey ?? "", message),
                    HiRefJobErrorKind.InvalidInput => new ArgumentException(message),
                    _ => new InvalidOperationException(message),
                };
            default:
                throw new InvalidOperationException($"Distributed job '{jobId}' is {status.State}, not finished.");
        }

        var key = HiRefKeys.Result(jobId);
        var bytes = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes.Length % sizeof(int) != 0)
        {
            throw new BlockCorruptException(key, $"Result '{key}' has {bytes.Length} bytes, not a list of int32.");
        }

        var permutation = new int[bytes.Length / sizeof(int)];
        BlockCodec.ReadInts(bytes, permutation);
        return new DistributedHiRefResult(permutation, status.Cost, status);
    }

    // The points go to the store once per job id, with their content hash (HiRefKeys.Inputs). A job id that is already in the
    // store with other points is refused: its stored points, checkpoints and result belong to those. A store written before
    // the hash existed is checked against the stored bytes once, then gets the hash.
    private async Task PutInputsAsync(PointCloud<double> source, PointCloud<double> target, string jobId, CancellationToken cancellationToken)
    {
        // The hash reads the points in place, and each set is written from its own memory (no byte copy).
        var hash = InputHash(source, target);
        var hashKey = HiRefKeys.Inputs(jobId);
        if (await store.ExistsAsync(HiRefKeys.Source(jobId), cancellationToken).ConfigureAwait(false))
        {
            bool same;
            if (await store.ExistsAsync(hashKey, cancellationToken).ConfigureAwait(false))
            {
                same = System.Text.Encoding.UTF8.GetString(await store.GetAsync(hashKey, cancellationToken).ConfigureAwait(false)) == hash;
            }
            else
            {
                same = await StoredEqualsAsync(HiRefKeys.Source(jobId), source, cancellationToken).ConfigureAwait(false)
                    && await StoredEqualsAsync(HiRefKeys.Target(jobId), target, cancellationToken).ConfigureAwait(false);
                if (same)
                {
                    await store.PutAsync(hashKey, System.Text.Encoding.UTF8.GetBytes(hash), cancellationToken).ConfigureAwait(false);
                }
            }

            if (!same)
            {
                throw new ArgumentException($"Job '{jobId}' already exists in the store {store.Location} with other points; use another job id.", nameof(source));
            }

            return;
        }

        await PutPointsAsync(HiRefKeys.Source(jobId), source, cancellationToken).ConfigureAwait(false);
        await PutPointsAsync(HiRefKeys.Target(jobId), target, cancellationToken).ConfigureAwait(false);
        await store.PutAsync(hashKey, System.Text.Encoding.UTF8.GetBytes(hash), cancellationToken).ConfigureAwait(false);
    }

    // A point set's bytes are the points' own memory (no copy: n·d·8 bytes less on the client).
    private async Task PutPointsAsync(string key, PointCloud<double> points, CancellationToken cancellationToken) =>
        await store.PutAsync(key, BlockCodec.AsBytes(points.Memory), cancellationToken).ConfigureAwait(false);

    private async Task<bool> StoredEqualsAsync(string key, PointCloud<double> points, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return stored.AsSpan().SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(points.Memory.Span));
    }

    /// <summary>The content hash of a job's points, as stored under <see cref="HiRefKeys.Inputs"/>.</summary>
    internal static string InputHash(PointCloud<double> source, PointCloud<double> target)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The block store's raw encodings are little-endian; this machine is big-endian.");
        }

        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(source.Memory.Span));
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(target.Memory.Span));
        return $"{{\"n\":{source.Count},\"d\":{source.Dimension},\"sha256\":\"{Convert.ToHexStringLower(sha.GetHashAndReset())}\"}}";
    }

    // Short calls through a gateway can fail while a silo is lost or a grain is being re-placed: retry them until
    // UnreachableTimeout has passed without an answer.
    private async Task<HiRefJobStatus> RetryAsync(Func<Task<HiRefJobStatus>> call, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (clock.Elapsed < UnreachableTimeout && GrainLevelExecutor.IsTransient(ex, cancellationToken))
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>The result of a distributed job.</summary>
/// <param name="Permutation">Source point i is matched to target point <c>Permutation[i]</c>.</param>
/// <param name="Cost">(1/n) Σ c(xᵢ, y_σ(i)).</param>
/// <param name="Status">The job's final status (levels, timings, bytes moved, retries, silos).</param>
public sealed record DistributedHiRefResult(int[] Permutation, double Cost, HiRefJobStatus Status);
