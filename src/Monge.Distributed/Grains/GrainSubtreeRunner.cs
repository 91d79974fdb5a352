using System.Diagnostics;
using Monge.Distributed.Storage;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Grains;

/// <summary>
/// The subtree stage on worker grains: each root block's points go to the store, a worker solves the whole subtree (its
/// remaining levels and its exact leaves: the core's single-machine code, block seeds from the global numbering) and
/// writes its permuted local ranges and leaf sizes back; the coordinator only maps them back through the root's ranges.
/// A subtree whose output is in the store (its checkpoint) is not solved again, so a restarted coordinator loses at most
/// the subtrees in flight.
/// </summary>
/// <remarks>Removing a subtree's input is fenced by the run's <see cref="JobEpoch"/>: a superseded run stops before it
/// removes an input its successor's worker may still need.</remarks>
internal sealed class GrainSubtreeRunner(string jobId, HiRefJobSpec spec, IBlockStore store, IGrainFactory grains, JobProgress progress, JobEpoch epoch, TimeSpan pauseAfterSubtree = default) : IHiRefSubtreeRunner
{
    private const int MaxInFlight = 64;

    public async ValueTask<IReadOnlyList<IReadOnlyList<HiRefBlock>>> RunSubtreesAsync(HierarchicalRefinement solver, int n, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int dimension, int[] indicesX, int[] indicesY, IReadOnlyList<HiRefBlock> roots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var clock = Stopwatch.StartNew();
        progress.Update(s => s with { Stage = "subtrees", Subtrees = roots.Count, BlocksDone = 0, BlocksInLevel = roots.Count });
        var leaves = new IReadOnlyList<HiRefBlock>[roots.Count];
        using (var gate = new SemaphoreSlim(MaxInFlight))
        {
            var tasks = new Task[roots.Count];
            for (var s = 0; s < tasks.Length; s++)
            {
                var slot = s;
                tasks[s] = Task.Run(
                    async () =>
                    {
                        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                        try
                        {
                            leaves[slot] = await RunSubtreeAsync(roots[slot], x, y, dimension, indicesX, indicesY, cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    },
                    cancellationToken);
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        progress.Update(s => s with { SubtreeSeconds = clock.Elapsed.TotalSeconds });
        return leaves;
    }

    // One subtree: ship its points (unless an earlier run finished it), call a worker, read its output and map it back
    // through the root's ranges (roots are disjoint, so concurrent subtrees write disjoint parts of the index arrays).
    private async Task<IReadOnlyList<HiRefBlock>> RunSubtreeAsync(HiRefBlock root, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int d, int[] indicesX, int[] indicesY, CancellationToken cancellationToken)
    {
        var inKey = HiRefKeys.Subtree(jobId, root.Level, root.Index, "in");
        var outKey = HiRefKeys.Subtree(jobId, root.Level, root.Index, "out");
        string? worker = null;
        var resumed = await store.ExistsAsync(outKey, cancellationToken).ConfigureAwait(false);
        if (!resumed)
        {
            await GrainLevelExecutor.PutGatheredAsync(store, inKey, root, x, y, d, indicesX, indicesY, progress, cancellationToken).ConfigureAwait(false);
            var request = new HiRefBlockRequest { Spec = spec, Level = root.Level, BlockIndex = root.Index, Rank = 0, Size = root.Size, InputKey = inKey, OutputKey = outKey };
            var reply = await GrainLevelExecutor.CallWorkerAsync(grains, $"{jobId}/subtree/{root.Level}/{root.Index}", request, (grain, r) => grain.SolveSubtreeAsync(r), progress, cancellationToken).ConfigureAwait(false);
            worker = reply.Silo;
        }

        var bytes = await store.GetAsync(outKey, cancellationToken).ConfigureAwait(false);
        progress.Moved(0, bytes.Length);
        var (ix, iy, sizes) = BlockOutput.Decode(outKey, bytes, root.Size);
        GrainLevelExecutor.MapBack(indicesX.AsSpan(root.XStart, root.Size), ix);
        GrainLevelExecutor.MapBack(indicesY.AsSpan(root.YStart, root.Size), iy);
        await epoch.CheckAsync($"remove the input of subtree {root.Level}/{root.Index}", cancellationToken).ConfigureAwait(false);
        await store.DeleteAsync(inKey, cancellationToken).ConfigureAwait(false);
        progress.SubtreeDone(worker, resumed);
        if (pauseAfterSubtree > TimeSpan.Zero)
        {
            // Tests only (HiRefSiloOptions.PauseAfterCheckpoint): a finished subtree is a checkpoint too.
            await Task.Delay(pauseAfterSubtree, cancellationToken).ConfigureAwait(false);
        }

        var leaves = new HiRefBlock[sizes.Length];
        var offset = 0;
        for (var z = 0; z < sizes.Length; z++)
        {
            leaves[z] = new HiRefBlock(root.Level, z, offset, offset, sizes[z]);
            offset += sizes[z];
        }

        return leaves;
    }
}
