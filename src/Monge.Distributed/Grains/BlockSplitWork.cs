using Monge.Distributed.Storage;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Grains;

/// <summary>A worker's block split or subtree, run on the thread pool (not grain code).</summary>
internal static class BlockSplitWork
{
    // Blocks at least this large are split with the silo's cores inside (fixed 1024-row chunks: same result).
    private const int InnerParallelSize = 16384;

    // The split of a block shipped as two sub-clouds with identity index ranges (the IHiRefExecutor contract): the
    // permuted local ranges are mapped back through the block's original ranges by the coordinator.
    public static async Task<int[]> RunAsync(HiRefBlockRequest request, IBlockStore store, int cores)
    {
        if (await FinishedSizesAsync(request, store).ConfigureAwait(false) is { } done)
        {
            return done;
        }

        var spec = request.Spec;
        var (m, d) = (request.Size, spec.Dimension);
        if (await InputOrFinishedAsync(request, store).ConfigureAwait(false) is not { } bytes)
        {
            return (await FinishedSizesAsync(request, store).ConfigureAwait(false))!;
        }

        var points = BlockCodec.ToDoubles(request.InputKey, bytes, 2L * m * d);
        var x = points.AsMemory(0, m * d);
        var y = points.AsMemory(m * d, m * d);
        var ix = Enumerable.Range(0, m).ToArray();
        var iy = Enumerable.Range(0, m).ToArray();
        var splitter = new HiRefBlockSplitter(spec.ToSolver().SplitOptionsFor(spec.Count));
        var block = new HiRefBlock(request.Level, request.BlockIndex, 0, 0, m);
        var parallel = m >= InnerParallelSize ? new ParallelOptions { MaxDegreeOfParallelism = cores } : null;
        var children = splitter.Split(block, request.Rank, x.Span, y.Span, d, ix, iy, new HiRefScratch(), parallel);
        var sizes = children.Select(c => c.Size).ToArray();
        await store.PutAsync(request.OutputKey, BlockOutput.Encode(ix, iy, sizes)).ConfigureAwait(false);
        return sizes;
    }

    // A subtree shipped as two sub-clouds with identity index ranges: its remaining levels and exact leaves (the core's
    // SolveSubtree, block seeds from the root's global level and index), with the silo's cores inside.
    public static async Task<int[]> RunSubtreeAsync(HiRefBlockRequest request, IBlockStore store, int cores)
    {
        if (await FinishedSizesAsync(request, store).ConfigureAwait(false) is { } done)
        {
            return done;
        }

        var spec = request.Spec;
        var (m, d) = (request.Size, spec.Dimension);
        if (await InputOrFinishedAsync(request, store).ConfigureAwait(false) is not { } bytes)
        {
            return (await FinishedSizesAsync(request, store).ConfigureAwait(false))!;
        }

        var points = BlockCodec.ToDoubles(request.InputKey, bytes, 2L * m * d);
        var ix = Enumerable.Range(0, m).ToArray();
        var iy = Enumerable.Range(0, m).ToArray();
        var solver = spec.ToSolver() with { MaxDegreeOfParallelism = Math.Max(1, cores) };
        var root = new HiRefBlock(request.Level, request.BlockIndex, 0, 0, m);
        var leaves = solver.SolveSubtree(root, spec.Count, points.AsMemory(0, m * d), points.AsMemory(m * d, m * d), d, ix, iy);
        var sizes = leaves.Select(c => c.Size).ToArray();
        await store.PutAsync(request.OutputKey, BlockOutput.Encode(ix, iy, sizes)).ConfigureAwait(false);
        return sizes;
    }

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
