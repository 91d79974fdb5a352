using Monge.Geometry.Costs;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The pure block split of <see cref="HierarchicalRefinement"/>: a block's points, the options and the block's seed go
/// in; the block's index ranges come back permuted so that every child is a contiguous range, with the child blocks.
/// </summary>
/// <remarks>
/// <para>The split is a function of the points the two index ranges name (their coordinates, in range order), the
/// options, the rank and <see cref="SeedOf"/>(block) = SplitMix64(seed, level, block index) — nothing else: no shared
/// mutable state, no dependence on thread timing. So it can run on another machine: ship the block's points as two
/// sub-clouds, split them with identity index ranges (0 … m − 1), and map the permuted local indices back through the
/// block's original index ranges; the result is bit-identical to splitting in place.</para>
/// <para>Steps: factors of the block's cost (exact rank d + 2 for squared Euclidean, a sampled skeleton for Euclidean),
/// a balanced k-means++ start, mirror-descent co-clustering, then a hard split with exact capacities ⌊m/r⌋ or ⌈m/r⌉ on
/// both sides (margin greedy). Time O(m·r·(k + S)·I), memory in the <see cref="HiRefScratch"/>.</para>
/// </remarks>
public sealed class HiRefBlockSplitter
{
    private readonly CoClusteringSettings _settings;

    /// <summary>Creates the splitter for the given options (the co-clustering, seeding, cost and seed options are
    /// used).</summary>
    /// <param name="options">The solver options.</param>
    public HiRefBlockSplitter(HierarchicalRefinement options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _settings = new CoClusteringSettings(options.Gamma, options.MaxIterations, options.MaxProjectionIterations, options.ProjectionTolerance, 1.0, options.WarmColumnScalings);
    }

    /// <summary>The solver options this splitter uses.</summary>
    public HierarchicalRefinement Options { get; }

    /// <summary>The seed of a block's random choices: SplitMix64 of (<see cref="HierarchicalRefinement.Seed"/>,
    /// <see cref="HiRefBlock.Level"/>, <see cref="HiRefBlock.Index"/>).</summary>
    /// <param name="block">The block.</param>
    public ulong SeedOf(HiRefBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return BlockSeed(Options.Seed, block.Level, block.Index);
    }

    /// <summary>Splits one block into min(<paramref name="rank"/>, size) child blocks.</summary>
    /// <param name="block">The block (its level, index and ranges; the ranges only position the children).</param>
    /// <param name="rank">The level's rank.</param>
    /// <param name="x">Source points, row-major (point i at [i·d, (i + 1)·d)); the whole cloud or the block's sub-cloud.</param>
    /// <param name="y">Target points, row-major, same dimension.</param>
    /// <param name="dimension">The dimension d.</param>
    /// <param name="indicesX">The block's X-part: <see cref="HiRefBlock.Size"/> point indices into
    /// <paramref name="x"/>; permuted in place so that child z is a contiguous range.</param>
    /// <param name="indicesY">The block's Y-part, likewise into <paramref name="y"/>.</param>
    /// <param name="scratch">Buffers of the calling worker.</param>
    /// <param name="parallel">Options to parallelise inside the block (over fixed 1024-row chunks, so the result does not
    /// depend on it); <see langword="null"/> runs the block on the calling thread.</param>
    /// <param name="cancellationToken">Checked between mirror-descent iterations.</param>
    /// <returns>The children in index-array order, at <see cref="HiRefBlock.Level"/> + 1, with
    /// <see cref="HiRefBlock.Index"/> their position among the block's children (the solver renumbers them by their
    /// position in the next level) and sizes ⌊m/r⌋ or ⌈m/r⌉.</returns>
    /// <exception cref="ArgumentException">The index ranges do not have the block's size, or the rank is below 1.</exception>
    public IReadOnlyList<HiRefBlock> Split(HiRefBlock block, int rank, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int dimension, Span<int> indicesX, Span<int> indicesY, HiRefScratch scratch, ParallelOptions? parallel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(scratch);
        if (indicesX.Length != block.Size || indicesY.Length != block.Size)
        {
            throw new ArgumentException($"The index ranges have {indicesX.Length} and {indicesY.Length} entries; the block has {block.Size}.", nameof(indicesX));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        var r = Math.Min(rank, block.Size);
        var sizes = new int[r];
        CapacitySplit.ChildSizes(block.Size, r, sizes);
        scratch.LargestBlock = Math.Max(scratch.LargestBlock, block.Size);
        SplitBlock(scratch.Workspace, x, y, dimension, indicesX, indicesY, r, SeedOf(block), parallel, cancellationToken);
        var children = new HiRefBlock[r];
        var offset = 0;
        for (var z = 0; z < r; z++)
        {
            children[z] = new HiRefBlock(block.Level + 1, z, block.XStart + offset, block.YStart + offset, sizes[z]);
            offset += sizes[z];
        }

        return children;
    }

    // SplitMix64 of (seed, level, block): independent, reproducible streams per block.
    internal static ulong BlockSeed(int seed, int level, int block)
    {
        var z = ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)level << 40) ^ (ulong)(uint)block;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The hard split with exact capacities ⌊m/r⌋ or ⌈m/r⌉ on both sides (margin greedy on the logits of Q, then
    /// of R): permutes <paramref name="ix"/> and <paramref name="iy"/> so that child z is a contiguous range. The sharded split
    /// (<see cref="ShardedBlockSplit"/>) gets the same labels from its shards' sorted runs
    /// (<see cref="CapacitySplit.MergedGreedy"/>).</summary>
    internal static void HardSplit<T>(CoClusteringWorkspace ws, T[] logQ, T[] logR, int m, int r, Span<int> ix, Span<int> iy, ParallelOptions? inner)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ws.EnsureSplit(m);
        Span<int> capacities = r <= 1024 ? stackalloc int[r] : new int[r];
        CapacitySplit.ChildSizes(m, r, capacities);
        var labels = ws.Labels.AsSpan(0, m);
        CapacitySplit.MarginGreedy(logQ, m, r, capacities, labels, ws.Margin, ws.Order, inner, ws.SortPairs);
        CapacitySplit.GroupByLabel(ix, labels, capacities, ws.IndexBuffer);
        CapacitySplit.MarginGreedy(logR, m, r, capacities, labels, ws.Margin, ws.Order, inner, ws.SortPairs);
        CapacitySplit.GroupByLabel(iy, labels, capacities, ws.IndexBuffer);
    }

    private void SplitBlock(CoClusteringWorkspace ws, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, Span<int> ix, Span<int> iy, int r, ulong seed, ParallelOptions? inner, CancellationToken cancellationToken)
    {
        var m = ix.Length;
        var rng = new Random((int)((seed >> 32) & 0x7FFFFFFF));
        var t0 = HiRefProfile.Start();
        // The blocks of at least SampledStartMinBlock points may take other co-clustering options (stop 29, euclvl1).
        var options = Options.ForBlock(m);
        var k = BlockFactors.Gather(ws, x, y, d, ix, iy, options.Cost, options.Landmarks, rng, inner);
        HiRefProfile.Stop(HiRefProfile.Phase.Factors, t0);
        var seeded = options.SeedingSteps >= 0;
        var compact = m >= options.SinglePrecisionMinBlock;
        var settings = _settings with { Iterations = options.MaxIterations };
        if (compact)
        {
            // Large blocks: the same co-clustering with its four m×r arrays in float (half the memory).
            if (options.UsesSampledStart(m))
            {
                // The seeding and most mirror steps on a sample, carried over; then a few steps on the whole block.
                _ = SampledStart.Run(ws, x, y, d, ix, iy, k, r, options, _settings, seed, rng, inner, cancellationToken);
                if (options.Cost is SquaredEuclidean<double> && Options.Cost is Euclidean<double> && Options.LargeBlockCostSteps > 0)
                {
                    // Squared factors stood in for the block's cost (LargeBlockSquaredFactors): a few mirror steps with the
                    // block's own cost factors from there.
                    t0 = HiRefProfile.Start();
                    k = BlockFactors.Gather(ws, x, y, d, ix, iy, Options.Cost, options.Landmarks, rng, inner);
                    HiRefProfile.Stop(HiRefProfile.Phase.Factors, t0);
                    _ = CompactCoClustering.Run(ws, m, k, r, _settings with { Iterations = Options.LargeBlockCostSteps }, options.SinglePrecisionStallTolerance, seed, seeded: true, inner, cancellationToken);
                }
            }
            else
            {
                if (seeded)
                {
                    t0 = HiRefProfile.Start();
                    CompactCoClustering.Seed(ws, x, y, d, ix, iy, r, options.Gamma, options.SeedingSteps, rng, inner);
                    HiRefProfile.Stop(HiRefProfile.Phase.Seeding, t0);
                }

                _ = CompactCoClustering.Run(ws, m, k, r, settings, options.SinglePrecisionStallTolerance, seed, seeded, inner, cancellationToken);
            }
        }
        else
        {
            if (seeded)
            {
                t0 = HiRefProfile.Start();
                BalancedSeeding.Initialize(ws, x, y, d, ix, iy, r, Options.Gamma, Options.SeedingSteps, rng);
                HiRefProfile.Stop(HiRefProfile.Phase.Seeding, t0);
            }

            // The double path is profiled as a whole (its passes are the shared EntropicProjection's).
            t0 = HiRefProfile.Start();
            CoClustering.Run(ws, m, k, r, settings, seed, seeded, inner, cancellationToken);
            HiRefProfile.Stop(HiRefProfile.Phase.DoubleCoClustering, t0);
        }

        t0 = HiRefProfile.Start();
        if (compact)
        {
            HardSplit(ws, ws.LogQ32, ws.LogR32, m, r, ix, iy, inner);
        }
        else
        {
            HardSplit(ws, ws.LogQ, ws.LogR, m, r, ix, iy, inner);
        }

        HiRefProfile.Stop(HiRefProfile.Phase.Split, t0);
    }
}
