using Monge.Distributed.Storage;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Grains;

/// <summary>A shard of a data-parallel trunk level (see <see cref="IHiRefShardGrain"/>): state in memory, phases on the
/// thread pool within the silo's core budget, placed shard s on the s-th silo (<see cref="ShardPlacementAttribute"/>).</summary>
[ShardPlacement]
internal sealed class HiRefShardGrain(HiRefSiloOptions options, ILocalSiloDetails silo) : Grain, IHiRefShardGrain
{
    private CoClusteringShard? _shard;
    private MemoryTrace.Activity _trace;

    public async Task<HiRefBlockReply> LoadAsync(HiRefShardLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var address = silo.SiloAddress.ToString();
        _trace.Dispose();
        _trace = MemoryTrace.Enter($"shard {this.GetPrimaryKeyString()} rows {load.Start}..{load.End} (loading)");
        try
        {
            var d = load.Dimension;
            var (x, y) = await ReadRowsAsync(load.InputKey, (long)(load.End - load.Start) * d).ConfigureAwait(true);
            var inner = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Cores) };
            _shard = await Work(() => CoClusteringShard.FromPoints(load.Start, load.End, load.Count, d, load.Rank, x, y, load.Mean, inner)).ConfigureAwait(true);
            _partials.Clear();
            options.Compact();
            _trace.Rename($"shard {this.GetPrimaryKeyString()} rows {load.Start}..{load.End}");
            return new HiRefBlockReply { Silo = address };
        }
        catch (BlockStoreException ex)
        {
            var kind = ex is BlockNotFoundException ? HiRefJobErrorKind.BlockMissing : HiRefJobErrorKind.BlockCorrupt;
            return new HiRefBlockReply { ErrorKind = kind, Error = ex.Message, ErrorKey = ex.Key, Silo = address };
        }
    }

    // The stored bytes are a local of this call only (not of LoadAsync's state machine, which would keep them reachable
    // while the factors are filled); the rows go straight into the two arrays the shard keeps.
    private async Task<(double[] X, double[] Y)> ReadRowsAsync(string key, long half)
    {
        var bytes = await options.Store.GetAsync(key).ConfigureAwait(true);
        return BlockCodec.ToDoublePair(key, bytes, half);
    }

    // One partials buffer per phase width, reused across calls (a level makes ~1 300 calls; a fresh array per call was
    // large-object garbage of ChunkCount·width doubles each).
    private readonly Dictionary<int, double[]> _partials = [];

    public async Task<HiRefShardReply> RunAsync(HiRefShardCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (_shard is not { } shard)
        {
            return new HiRefShardReply { Lost = true };
        }

        if (options.ShardCallDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.ShardCallDelay).ConfigureAwait(true);
        }

        var phase = (ShardPhase)call.Phase;
        var length = shard.ChunkCount * shard.Width(phase);
        if (!_partials.TryGetValue(length, out var partials))
        {
            partials = new double[length];
            _partials[length] = partials;
        }

        var seconds = await Work(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            switch (phase)
            {
                case ShardPhase.RowRanges:
                    shard.RowRanges(call.Matrix!, call.Other!, partials);
                    break;
                case ShardPhase.StepAndSoftmax:
                    shard.StepAndSoftmax(call.Side, call.Matrix, call.Step, call.HasScale ? call.Scale : null, partials);
                    break;
                case ShardPhase.Sweep:
                    shard.Sweep(call.V!, partials);
                    break;
                case ShardPhase.Final or ShardPhase.FinalNoContraction:
                    shard.Final(call.Side, call.V!, call.Previous!, phase == ShardPhase.Final, partials);
                    break;
                case ShardPhase.Distances:
                    shard.Distances(call.Side, call.Matrix!, partials);
                    break;
                case ShardPhase.WeightedCentres:
                    shard.WeightedCentres(partials);
                    break;
                default:
                    throw new ArgumentException($"Unknown shard phase {call.Phase}.", nameof(call));
            }

            return clock.Elapsed.TotalSeconds;
        }).ConfigureAwait(true);
        return new HiRefShardReply { Partials = BlockCodec.FromDoubles(partials), Seconds = seconds };
    }

    public async Task<HiRefShardReply> WriteRunsAsync(string key)
    {
        if (_shard is not { } shard)
        {
            return new HiRefShardReply { Lost = true };
        }

        // One side at a time: the shard holds one sorted copy of its logits at most.
        var r = shard.LogQ.Length / (shard.End - shard.Start);
        for (var side = 0; side < 2; side++)
        {
            await WriteRunAsync(shard, key, side, r).ConfigureAwait(true);
        }

        options.Compact();

        return new HiRefShardReply();
    }

    // One side's sorted copy lives only in this call (not in WriteRunsAsync's state machine, past the collection there).
    private async Task WriteRunAsync(CoClusteringShard shard, string key, int side, int r)
    {
        var run = await Work(() => shard.SortedRun(side)).ConfigureAwait(true);
        await ShardRuns.WriteAsync(options.Store, key, side, run, r).ConfigureAwait(true);
    }

    public Task ReleaseAsync()
    {
        _shard = null;
        _partials.Clear();
        _trace.Dispose();
        _trace = default;
        options.Compact();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    // CPU work off the grain scheduler, within the silo's budget.
    private async Task<T> Work<T>(Func<T> body)
    {
        await options.Budget.WaitAsync().ConfigureAwait(true);
        try
        {
            return await Task.Run(body).ConfigureAwait(true);
        }
        finally
        {
            options.Budget.Release();
        }
    }
}
