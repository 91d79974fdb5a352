namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The global sparse refinement above <see cref="HierarchicalRefinement.GlobalMaxPoints"/> (issue #14, stop 22): each round
/// deals the matched pairs into seeded random groups of about <c>groupPoints</c> pairs and re-solves every group with the
/// whole-problem step (<see cref="GlobalSparsePolish"/>, exact k-best candidates) on the group's own sources and targets.
/// A group is a random subsample of the pairs, so it spans every cluster of both clouds at 1/Q of the density: the
/// exchanges that repair a wrong top-level split (mass sent to the wrong cluster, long chains across blocks) are inside
/// every group, while the group's exact candidate search costs m² instead of n² (a round costs Q·m² = n·m). Each group's
/// result is a re-matching of the same sources to the same targets, so the union is a matching of the whole problem, and
/// the step never raises the cost (each group's step keeps its result only if cheaper). Groups come from
/// SplitMix64(seed, 3000 + round, 0), so the result is deterministic whatever the thread count. Stops after a round that
/// gains at most <c>tolerance</c> (relative) or after <c>rounds</c> rounds.
/// </summary>
/// <remarks>Memory: the group's two sub-clouds (2·m·d doubles) and the inner step's (about m·(k + 1) ints and doubles and
/// the query balls, m·d·(2 doubles + 4 floats)), for each of the groups running at once (the workers, at most <see cref="MaxConcurrentGroups"/> and at most
/// <c>maxConcurrentPairs</c> pairs in all, at least one group), plus n ints for the deal.</remarks>
/// <param name="rounds">Most rounds (each a new random deal).</param>
/// <param name="groupPoints">Pairs per group (about; the groups are ⌈n / groupPoints⌉ equal parts).</param>
/// <param name="step">The step for a group of m pairs (a fresh <see cref="GlobalSparsePolish"/>).</param>
/// <param name="seed">Seed of the deals.</param>
/// <param name="tolerance">Stop after a round that gains at most this fraction.</param>
/// <param name="minDimension">Runs only on points of at least this dimension.</param>
/// <param name="maxDimension">Runs only on points of at most this dimension.</param>
/// <param name="maxConcurrentPairs">Most pairs in the groups solved at once (at least one group runs; the result does not
/// depend on it).</param>
internal sealed class GroupedGlobalPolish(int rounds, int groupPoints, Func<int, IHiRefPolishStep> step, int seed, double tolerance, int minDimension, int maxDimension = int.MaxValue, int maxConcurrentPairs = GroupedGlobalPolish.MaxConcurrentPairs) : IHiRefPolishStep
{
    /// <summary>Most groups of a round solved at once (each holds its own sub-clouds and graph: tens of MB at 65 536
    /// pairs in 16-D).</summary>
    public const int MaxConcurrentGroups = 4;

    /// <summary>Default most pairs in the groups solved at once (stop 24: a group's memory grows with its size, so groups of
    /// 262 144 pairs run one at a time, each parallel inside, and groups of 131 072 two at a time).</summary>
    public const int MaxConcurrentPairs = 262144;

    public string Name => "groups";

    public int RoundsRun { get; private set; }

    /// <summary>Called after every group with (round, group, groups, cost of the whole matching): the bench harness's
    /// accounting; null in the solver.</summary>
    public Action<int, int, int, double>? OnGroup { get; init; }

    public void Apply(HiRefMatching matching, CancellationToken cancellationToken)
    {
        RoundsRun = 0;
        var n = matching.IndicesX.Length;
        var d = matching.Dimension;
        if (n < 2 || rounds <= 0 || d < minDimension || d > maxDimension)
        {
            return;
        }

        var groups = Math.Max(1, (int)(((long)n + groupPoints - 1) / groupPoints));
        var deal = new int[n];
        var largest = (int)(((long)n + groups - 1) / groups);

        // Groups of a round are disjoint, so they run concurrently (one per worker, at most MaxConcurrentGroups at once)
        // with the same result as one after another: each group reads and writes only its own positions, its step is
        // deterministic whatever the thread count, and the gains are summed in group order.
        var workers = matching.Parallel.MaxDegreeOfParallelism is > 0 and var dop ? dop : Environment.ProcessorCount;
        var concurrent = Math.Clamp(Math.Min(Math.Min(workers, MaxConcurrentGroups), maxConcurrentPairs / largest), 1, groups);
        var options = new ParallelOptions { MaxDegreeOfParallelism = concurrent, CancellationToken = cancellationToken };
        var gains = new double[groups];
        var scratchBytes = new long[groups];
        var sync = new object();
        var value = matching.Recompute();
        for (var round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RandomParts.Shuffled(deal, (int)(HiRefBlockSplitter.BlockSeed(seed, 3000 + round, 0) & 0x7FFFFFFF));
            var previous = value;
            var running = value;
            Parallel.For(0, groups, options, () => new GroupScratch(largest, d), (g, _, scratch) =>
            {
                var lo = RandomParts.Start(n, g, groups);
                var m = RandomParts.Start(n, g + 1, groups) - lo;
                (gains[g], scratchBytes[g]) = SolveGroup(matching, deal.AsSpan(lo, m), scratch, step(m), cancellationToken);
                if (OnGroup is { } onGroup)
                {
                    lock (sync)
                    {
                        running -= gains[g] / n;
                        onGroup(round, g, groups, running);
                    }
                }

                return scratch;
            }, _ => { });
            for (var g = 0; g < groups; g++)
            {
                matching.Value -= gains[g] / n;
            }

            // The groups running at once each hold their scratch (the largest times the concurrency).
            matching.RecordScratch((scratchBytes.Max() + GroupScratch.Bytes(largest, d)) * concurrent);
            RoundsRun++;
            value = matching.Recompute();
            matching.Progress?.Report(new SolverProgress($"groups {round + 1}", groups, groups, (previous - value) / previous));
            if (!(previous - value > tolerance * previous))
            {
                break;
            }
        }
    }

    // Re-solves the pairs at the given positions as one problem (their sources against their partners) and writes the new
    // pairing back to those positions (only if cheaper); returns the group's summed gain (m times the drop of its mean).
    // Also returns the scratch bytes of the group's step (beyond its sub-clouds).
    private static (double Gain, long Bytes) SolveGroup(HiRefMatching matching, ReadOnlySpan<int> positions, GroupScratch scratch, IHiRefPolishStep step, CancellationToken cancellationToken)
    {
        var (xs, ys, sourceOf, targetOf) = (scratch.Xs, scratch.Ys, scratch.SourceOf, scratch.TargetOf);
        var m = positions.Length;
        var d = matching.Dimension;
        var x = matching.X.Span;
        var y = matching.Y.Span;
        var idxX = matching.IndicesX;
        var idxY = matching.IndicesY;
        for (var i = 0; i < m; i++)
        {
            sourceOf[i] = idxX[positions[i]];
            targetOf[i] = idxY[positions[i]];
            x.Slice(sourceOf[i] * d, d).CopyTo(xs.AsSpan(i * d, d));
            y.Slice(targetOf[i] * d, d).CopyTo(ys.AsSpan(i * d, d));
        }

        var local = new int[m];
        var partner = new int[m];
        for (var i = 0; i < m; i++)
        {
            local[i] = i;
            partner[i] = i;
        }

        var sub = new HiRefMatching(xs.AsMemory(0, m * d), ys.AsMemory(0, m * d), d, local, partner, [], matching.Cost, matching.Parallel, null, 0) { MixedPrecisionMinSize = matching.MixedPrecisionMinSize, WarmStart = matching.WarmStart, WarmStartMinSize = matching.WarmStartMinSize, LeafWarmStartFirst = matching.LeafWarmStartFirst, LeafWarmStartReductionPasses = matching.LeafWarmStartReductionPasses, CurrentWarmMaxSize = matching.CurrentWarmMaxSize };
        var before = sub.Recompute();
        step.Apply(sub, cancellationToken);
        var bytes = sub.PeakBytes + (2L * m * sizeof(int));
        if (!(sub.Value < before))
        {
            return (0, bytes);
        }

        for (var i = 0; i < m; i++)
        {
            idxX[positions[i]] = sourceOf[local[i]];
            idxY[positions[i]] = targetOf[partner[i]];
        }

        return ((before - sub.Value) * m, bytes);
    }

    // One worker's gathered sub-clouds and index maps (the largest group's size).
    private sealed class GroupScratch(int largest, int d)
    {
        public double[] Xs { get; } = new double[largest * d];

        public double[] Ys { get; } = new double[largest * d];

        public int[] SourceOf { get; } = new int[largest];

        public int[] TargetOf { get; } = new int[largest];

        public static long Bytes(int largest, int d) => (2L * largest * d * sizeof(double)) + (2L * largest * sizeof(int));
    }
}
