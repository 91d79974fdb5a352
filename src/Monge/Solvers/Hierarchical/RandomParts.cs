using Monge.Geometry;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The random-parts step of <see cref="HierarchicalRefinement"/> (<see cref="HierarchicalRefinement.RandomPartsSize"/>):
/// both clouds are cut into Q seeded random disjoint parts of ⌊n/Q⌋ or ⌈n/Q⌉ points (source part q and target part q
/// have the same size), each pair of parts is matched by a whole HiRef solve at n/Q points, and the union of the Q
/// matchings — a permutation of the whole problem, every point keeping its mass 1/n — replaces the levels and leaves.
/// The polish of the whole problem (slab rounds, the global step) then runs on the union.
/// </summary>
/// <remarks>Why it pays (docs/hiref.md, "Stop 22 (parts)"): on a part the same slab rounds cover Q times the share of
/// the pairs and the co-clustering has one level fewer, while a random split of a large sample costs little in quality
/// (sampling bias small in low dimension). Deterministic: the parts come from two Fisher–Yates shuffles seeded with
/// SplitMix64(seed, 3000, 0) and SplitMix64(seed, 3001, 0); the parts are solved one after the other, each by the part
/// solver (itself deterministic whatever the thread count). Memory: the two index arrays (8n bytes), one part's copy of
/// its points (2·(n/Q)·d doubles) and one part's solve at a time.</remarks>
internal static class RandomParts
{
    /// <summary>The outcome: the index arrays (position p pairs source <c>IndicesX[p]</c> with target
    /// <c>IndicesY[p]</c>; part q holds positions [q·n/Q, (q+1)·n/Q)), the parts' level reports in part order, their
    /// summed leaf seconds and the largest scratch one part's solve used.</summary>
    internal sealed record Union(int[] IndicesX, int[] IndicesY, List<HiRefLevelReport> Levels, double LeafSeconds, int LargestLeaf, long PeakBytes, int[] Schedule);

    /// <summary>Position where part <paramref name="part"/> of <paramref name="parts"/> starts among n points.</summary>
    internal static int Start(int n, int part, int parts) => (int)((long)n * part / parts);

    /// <summary>The two seeded random orders of the points (source, target); part q is positions [Start(q), Start(q + 1)).</summary>
    internal static (int[] X, int[] Y) Orders(int n, int seed)
    {
        var px = new int[n];
        var py = new int[n];
        Shuffled(px, unchecked((int)HiRefBlockSplitter.BlockSeed(seed, 3000, 0)));
        Shuffled(py, unchecked((int)HiRefBlockSplitter.BlockSeed(seed, 3001, 0)));
        return (px, py);
    }

    /// <summary>Fills <paramref name="order"/> with 0, 1, … and shuffles it (Fisher–Yates of
    /// <see cref="Random"/>(<paramref name="randomSeed"/>)): the seeded random order of the parts here and of the groups
    /// of <see cref="GroupedGlobalPolish"/>.</summary>
    internal static void Shuffled(Span<int> order, int randomSeed)
    {
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        new Random(randomSeed).Shuffle(order);
    }

    /// <summary>Solves the <paramref name="parts"/> pairs of random parts with <paramref name="partSolver"/> and returns
    /// their union.</summary>
    internal static Union Solve(HierarchicalRefinement partSolver, PointCloud<double> source, PointCloud<double> target, int parts, int seed, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        var n = source.Count;
        var (idxX, idxY) = Orders(n, seed);
        var levels = new List<HiRefLevelReport>();
        var leafSeconds = 0.0;
        var largestLeaf = 0;
        var peak = 0L;
        int[] schedule = [];
        var matched = new int[Start(n, 1, parts) + 1];
        for (var part = 0; part < parts; part++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lo = Start(n, part, parts);
            var m = Start(n, part + 1, parts) - lo;
            progress?.Report(new SolverProgress($"part {part + 1}/{parts}", part, parts, double.NaN));
            var r = partSolver.Solve(source.Subset(idxX.AsSpan(lo, m)), target.Subset(idxY.AsSpan(lo, m)), progress, cancellationToken);
            // Position lo + i pairs source idxX[lo + i] with the target the part matched to its i-th point.
            var ys = matched.AsSpan(0, m);
            for (var i = 0; i < m; i++)
            {
                ys[i] = idxY[lo + r.Permutation[i]];
            }

            ys.CopyTo(idxY.AsSpan(lo, m));
            levels.AddRange(r.Levels);
            leafSeconds += r.LeafSeconds;
            largestLeaf = Math.Max(largestLeaf, r.LargestLeaf);
            peak = Math.Max(peak, r.PeakScratchBytes + (2L * m * source.Dimension * sizeof(double)));
            schedule = [.. r.RankSchedule];
        }

        return new Union(idxX, idxY, levels, leafSeconds, largestLeaf, (2L * n * sizeof(int)) + peak, schedule);
    }
}
