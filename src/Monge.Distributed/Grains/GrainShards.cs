using Monge.Distributed.Storage;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Grains;

/// <summary>
/// The core's <see cref="ICoClusteringShards"/> over shard grains: each phase is one call per shard, all shards at once,
/// and the replies' per-chunk partials land at their global chunk indices (so the coordinator sums them in chunk order,
/// as the single machine does). The calls block the calling thread (a thread-pool thread of the level, never grain
/// code). A shard that fails or no longer holds its rows raises <see cref="ShardLostException"/>: the level starts again.
/// </summary>
internal sealed class GrainShards(IReadOnlyList<GrainShards.Shard> shards, int n, int k, int r, int d, IBlockStore store, Func<int, string> runKey, JobProgress progress, CancellationToken cancellationToken) : ICoClusteringShards
{
    /// <summary>A shard grain and its rows.</summary>
    internal sealed record Shard(IHiRefShardGrain Grain, int Start, int End)
    {
        public int FirstChunk => Start / CoClustering.ChunkRows;
    }

    public void RowRanges(double[] mQ, double[] mR, double[] ranges) =>
        Each(new HiRefShardCall { Phase = (int)ShardPhase.RowRanges, Matrix = mQ, Other = mR }, 1, ranges);

    public void StepAndSoftmax(int side, double[]? stepM, double step, float? scale, double[] partials) =>
        Each(new HiRefShardCall { Phase = (int)ShardPhase.StepAndSoftmax, Side = side, Matrix = stepM, Step = step, HasScale = scale.HasValue, Scale = scale ?? 1f }, r, partials);

    public void Sweep(float[] v, double[] partials) =>
        Each(new HiRefShardCall { Phase = (int)ShardPhase.Sweep, V = v }, r, partials);

    public void Final(int side, float[] v, float[] previous, bool contract, double[] partials) =>
        Each(new HiRefShardCall { Phase = (int)(contract ? ShardPhase.Final : ShardPhase.FinalNoContraction), Side = side, V = v, Previous = previous }, contract ? k * r : 0, partials);

    public void Distances(int side, double[] centres, double[] ranges) =>
        Each(new HiRefShardCall { Phase = (int)ShardPhase.Distances, Side = side, Matrix = centres }, 1, ranges);

    public void WeightedCentres(double[] partials) =>
        Each(new HiRefShardCall { Phase = (int)ShardPhase.WeightedCentres }, r * (d + 1), partials);

    // The first call (side 0) has every shard write both sides' sorted runs to the store; each side's runs are then read a
    // page at a time by the merge. A shard lost after writing its runs costs nothing: its pages are in the store.
    public IReadOnlyList<IMarginRun> MarginRuns(int side)
    {
        if (!_runsWritten)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var replies = Wait(shards.Select((s, i) => s.Grain.WriteRunsAsync(RunKey(i))));
            if (replies.Any(reply => reply.Lost))
            {
                throw new ShardLostException("a shard no longer held its rows when asked for its sorted runs");
            }

            _runsWritten = true;
            progress.ShardLogits(clock.Elapsed.TotalSeconds);
        }

        return [.. shards.Select((s, i) => new ShardRuns.StoreRun(store, RunKey(i), side, s.End - s.Start, r, Read, cancellationToken))];
    }

    private bool _runsWritten;

    private void Read(long bytes, double seconds)
    {
        progress.Moved(bytes, bytes);
        progress.ShardLogits(seconds);
    }

    private string RunKey(int shard) => runKey(shard);

    private void Each(HiRefShardCall call, int width, double[] global)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var replies = Wait(shards.Select(s => s.Grain.RunAsync(call)));
        var wall = clock.Elapsed.TotalSeconds;
        long bytes = 0;
        var compute = 0.0;
        for (var i = 0; i < shards.Count; i++)
        {
            var reply = replies[i];
            if (reply.Lost)
            {
                throw new ShardLostException($"shard {i} no longer held its rows (phase {(ShardPhase)call.Phase})");
            }

            var s = shards[i];
            var chunks = CoClustering.Chunks(n);
            var local = (Math.Min(chunks, (s.End + CoClustering.ChunkRows - 1) / CoClustering.ChunkRows) - s.FirstChunk) * width;
            if (reply.Partials.Length != local * sizeof(double))
            {
                throw new InvalidOperationException($"Shard {i} answered {reply.Partials.Length} bytes for phase {(ShardPhase)call.Phase}, expected {local * sizeof(double)}.");
            }

            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(reply.Partials).CopyTo(global.AsSpan(s.FirstChunk * width, local));
            bytes += reply.Partials.Length;
            compute = Math.Max(compute, reply.Seconds);
        }

        progress.ShardCalls(shards.Count, bytes, wall, compute);
    }

    private T[] Wait<T>(IEnumerable<Task<T>> calls)
    {
        try
        {
            return Task.WhenAll(calls).WaitAsync(cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (GrainLevelExecutor.IsTransient(ex, cancellationToken) && ex is not ShardLostException)
        {
            throw new ShardLostException($"a shard call failed ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }
}

/// <summary>A shard of a sharded level was lost (its silo died, or its grain no longer holds its rows): the level starts
/// again from its start with new shard grains.</summary>
internal sealed class ShardLostException : Exception
{
    public ShardLostException(string message)
        : base(message)
    {
    }

    public ShardLostException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
