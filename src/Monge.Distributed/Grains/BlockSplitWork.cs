using Monge.Distributed.Storage;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Grains;

/// <summary>A worker's block split or subtree, run on the thread pool (not grain code).</summary>
internal static class BlockSplitWork
{
    // Blocks at least this large are split with the silo's cores inside (fixed 1024-row chunks: same result).
    private const int InnerParallelSize = 16384;

    // The work, then the silo's collection (HiRefSiloOptions.CompactAfterWork): the block's points and scratch are garbage.
    public static async Task<int[]> ThenCompactAsync(Task<int[]> work, HiRefSiloOptions options)
    {
        var sizes = await work.ConfigureAwait(false);
        options.Compact();
        return sizes;
    }

    // The split of a block shipped as two sub-clouds with identity index ranges (the IHiRefExecutor contract): the
    // permuted local ranges are mapped back through the block's original ranges by the coordinator.
    public static Task<int[]> RunAsync(HiRefBlockRequest request, IBlockStore store, int cores) =>
        RunOnBlockAsync(request, store, (points, m, d, ix, iy) =>
        {
            var splitter = new HiRefBlockSplitter(request.Spec.ToSolver().SplitOptionsFor(request.Spec.Count));
            var block = new HiRefBlock(request.Level, request.BlockIndex, 0, 0, m);
            var parallel = m >= InnerParallelSize ? new ParallelOptions { MaxDegreeOfParallelism = cores } : null;
            var x = points.AsSpan(0, m * d);
            var y = points.AsSpan(m * d, m * d);
            return splitter.Split(block, request.Rank, x, y, d, ix, iy, new HiRefScratch(), parallel);
        });

    // A subtree shipped as two sub-clouds with identity index ranges: its remaining levels and exact leaves (the core's
    // SolveSubtree, block seeds from the root's global level and index), with the silo's cores inside.
    public static Task<int[]> RunSubtreeAsync(HiRefBlockRequest request, IBlockStore store, int cores) =>
        RunOnBlockAsync(request, store, (points, m, d, ix, iy) =>
        {
            var solver = request.Spec.ToSolver() with { MaxDegreeOfParallelism = Math.Max(1, cores) };
            var root = new HiRefBlock(request.Level, request.BlockIndex, 0, 0, m);
            return solver.SolveSubtree(root, request.Spec.Count, points.AsMemory(0, m * d), points.AsMemory(m * d, m * d), d, ix, iy);
        });

    // The one body of a worker call: answer from a finished output if there is one, else read the block's points (both
    // sub-clouds, identity index ranges), run the work (a split or a subtree: it permutes ix and iy and returns the
    // child blocks or leaves), and store the permuted ranges with the child sizes.
    private static async Task<int[]> RunOnBlockAsync(HiRefBlockRequest request, IBlockStore store, Func<double[], int, int, int[], int[], IReadOnlyList<HiRefBlock>> work)
    {
        if (await FinishedSizesAsync(request, store).ConfigureAwait(false) is { } done)
        {
            return done;
        }

        var (m, d) = (request.Size, request.Spec.Dimension);
        if (await PointsOrFinishedAsync(request, store, 2L * m * d).ConfigureAwait(false) is not { } points)
        {
            return (await FinishedSizesAsync(request, store).ConfigureAwait(false))!;
        }

        var ix = Enumerable.Range(0, m).ToArray();
        var iy = Enumerable.Range(0, m).ToArray();
        var sizes = work(points, m, d, ix, iy).Select(c => c.Size).ToArray();
        await store.PutAsync(request.OutputKey, BlockOutput.Encode(ix, iy, sizes)).ConfigureAwait(false);
        return sizes;
    }

    // The input's points; their bytes are a local of this call only (not of RunOnBlockAsync's state machine, which would
    // keep them reachable through the whole split: 2·m·d·8 bytes more on the worker).
    private static async Task<double[]?> PointsOrFinishedAsync(HiRefBlockRequest request, IBlockStore store, long count) =>
        await InputOrFinishedAsync(request, store).ConfigureAwait(false) is { } bytes ? BlockCodec.ToDoubles(request.InputKey, bytes, count) : null;

    // The input, or null when it is gone because another attempt of this call (or another run of the job) finished in
    // the meantime: an input is only removed after its output was written, so a missing input with an output present is
    // a finished call, not an error (the race the check in FinishedSizesAsync leaves open).
    private static async Task<byte[]?> InputOrFinishedAsync(HiRefBlockRequest request, IBlockStore store)
    {
        try
        {
            return await store.GetAsync(request.InputKey).ConfigureAwait(false);
        }
        catch (BlockNotFoundException)
        {
            if (await store.ExistsAsync(request.OutputKey).ConfigureAwait(false))
            {
                return null;
            }

            throw;
        }
    }

    // Work is idempotent: when an earlier attempt of this call (retried on a fresh grain while the first still ran) has
    // already written the output, the coordinator may have read it and removed the input, so answer from the output.
    private static async Task<int[]?> FinishedSizesAsync(HiRefBlockRequest request, IBlockStore store)
    {
        if (!await store.ExistsAsync(request.OutputKey).ConfigureAwait(false))
        {
            return null;
        }

        var (_, _, sizes) = BlockOutput.Decode(request.OutputKey, await store.GetAsync(request.OutputKey).ConfigureAwait(false), request.Size);
        return sizes;
    }
}
