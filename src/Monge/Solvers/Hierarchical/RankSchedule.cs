namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Rank schedules for Hierarchical Refinement (Halmos et al., "Hierarchical Refinement: Optimal Transport to Infinity
/// and Beyond", ICML 2025): the list of ranks r₁, r₂, … by which each level splits every block.
/// </summary>
/// <remarks>
/// <see cref="Reference"/> reproduces the reference code's <c>optimal_rank_schedule</c> exactly (it needs n to factor
/// into the schedule and fails otherwise). <see cref="ForSize"/> is Monge's default: fewest levels and balanced ranks,
/// without the divisibility requirement, since Monge lets child sizes differ by one.
/// </remarks>
public static class RankSchedule
{
    /// <summary>
    /// The reference schedule (raphael-group/HiRef <c>rank_annealing.optimal_rank_schedule</c>): Q = the largest factor
    /// of n strictly below <paramref name="maxBaseRank"/>, then ranks r₁ ≤ r₂ ≤ … (each ≤ <paramref name="maxRank"/>,
    /// at most <paramref name="hierarchyDepth"/> of them) with Π rₜ = n/Q minimising r₁ + r₁r₂ + r₁r₂r₃ + …, then Q
    /// appended. Ties go to the smallest first factor, as in the reference.
    /// </summary>
    /// <param name="n">The number of points.</param>
    /// <param name="hierarchyDepth">Largest number of factors of n/Q (reference default 6).</param>
    /// <param name="maxBaseRank">The base block Q is the largest factor of n strictly below this (reference default 1024).</param>
    /// <param name="maxRank">Largest intermediate rank (reference default 16).</param>
    /// <returns>The schedule; its product is n.</returns>
    /// <exception cref="InputValidationException">A parameter below its minimum, or n has no such factorisation (for
    /// example a prime n): Monge's <see cref="ForSize"/> has no such restriction.</exception>
    public static int[] Reference(int n, int hierarchyDepth = 6, int maxBaseRank = 1024, int maxRank = 16)
    {
        Require(n >= 2, $"n must be at least 2 (got {n}).", nameof(n));
        Require(hierarchyDepth >= 1, $"The hierarchy depth must be at least 1 (got {hierarchyDepth}).", nameof(hierarchyDepth));
        Require(maxBaseRank >= 2, $"The base rank bound must be at least 2 (got {maxBaseRank}).", nameof(maxBaseRank));
        Require(maxRank >= 1, $"The largest rank must be at least 1 (got {maxRank}).", nameof(maxRank));

        var q = 0;
        for (var f = 1; (long)f * f <= n; f++)
        {
            if (n % f == 0)
            {
                if (f < maxBaseRank && f > q)
                {
                    q = f;
                }

                var g = n / f;
                if (g < maxBaseRank && g > q)
                {
                    q = g;
                }
            }
        }

        var m = n / q;

        // dp[d, t]: minimal r + r·dp[d/r, t−1] over divisors r ≤ maxRank of d; dp[d, 1] = d when d ≤ maxRank.
        var depth = hierarchyDepth;
        var dp = new double[m + 1, depth + 1];
        var choice = new int[m + 1, depth + 1];
        for (var d = 0; d <= m; d++)
        {
            for (var t = 0; t <= depth; t++)
            {
                dp[d, t] = double.PositiveInfinity;
                choice[d, t] = -1;
            }
        }

        for (var d = 1; d <= m; d++)
        {
            if (d <= maxRank)
            {
                dp[d, 1] = d;
                choice[d, 1] = d;
            }
        }

        for (var t = 2; t <= depth; t++)
        {
            for (var d = 1; d <= m; d++)
            {
                var top = Math.Min(maxRank, d);
                for (var r = 1; r <= top; r++)
                {
                    if (d % r == 0)
                    {
                        var candidate = r + (r * dp[d / r, t - 1]);
                        if (candidate < dp[d, t])
                        {
                            dp[d, t] = candidate;
                            choice[d, t] = r;
                        }
                    }
                }
            }
        }

        if (double.IsPositiveInfinity(dp[m, depth]))
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"n = {n} has no reference rank schedule (n/Q = {m} does not factor into at most {depth} ranks ≤ {maxRank}); "
                + "the reference code would drop points here. Use RankSchedule.ForSize, which handles any n.",
                nameof(n));
        }

        var factors = new List<int>();
        var current = m;
        for (var t = depth; t > 0; t--)
        {
            var r = choice[current, t];
            factors.Add(r);
            current /= r;
        }

        factors.Sort();
        factors.Add(q);
        factors.RemoveAll(x => x == 1);
        return [.. factors];
    }

    /// <summary>
    /// Monge's default schedule for n points and leaves of at most <paramref name="leafSize"/> points: ranks
    /// 2 ≤ rₜ ≤ <paramref name="maxRank"/>, at most <paramref name="maxDepth"/> of them, with Π rₜ ≥ ⌈n / leafSize⌉
    /// (children differ in size by at most one, so every leaf then has at most <paramref name="leafSize"/> points),
    /// choosing the fewest levels, then the smallest sum of ranks (a level costs time proportional to n·rₜ, and a
    /// balanced schedule avoids a coarse first split: at n = 16 384 it gives [8, 8] instead of the reference objective's
    /// [4, 16], measured in docs/hiref.md), then the fewest co-clusters r₁ + r₁r₂ + … (the reference objective).
    /// Returned in increasing order. Any n works.
    /// </summary>
    /// <param name="n">The number of points (at least 1).</param>
    /// <param name="leafSize">Largest leaf (at least 1).</param>
    /// <param name="maxRank">Largest rank per level (at least 2).</param>
    /// <param name="maxDepth">Largest number of levels (at least 1).</param>
    /// <returns>The ranks; empty when n ≤ <paramref name="leafSize"/> (one leaf, solved exactly).</returns>
    /// <exception cref="InputValidationException">A parameter out of range, or maxRank^maxDepth too small for n / leafSize.</exception>
    public static int[] ForSize(int n, int leafSize, int maxRank = 16, int maxDepth = 8)
    {
        Require(n >= 1, $"n must be at least 1 (got {n}).", nameof(n));
        Require(leafSize >= 1, $"The leaf size must be at least 1 (got {leafSize}).", nameof(leafSize));
        Require(maxRank >= 2, $"The largest rank must be at least 2 (got {maxRank}).", nameof(maxRank));
        Require(maxDepth >= 1, $"The largest depth must be at least 1 (got {maxDepth}).", nameof(maxDepth));
        var needed = (n + leafSize - 1) / leafSize;
        if (needed <= 1)
        {
            return [];
        }

        // Fewest levels first: every level adds co-clustering error that later levels cannot undo.
        var depth = 1;
        long reach = maxRank;
        while (reach < needed && depth < maxDepth)
        {
            depth++;
            reach *= maxRank;
        }

        if (reach < needed)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"{maxDepth} levels of rank ≤ {maxRank} cannot reach {needed} leaves of ≤ {leafSize} points for n = {n}; raise the depth, the rank or the leaf size.",
                nameof(maxDepth));
        }

        // Then the smallest sum of ranks (a level costs time proportional to n·rₜ, and balanced ranks avoid a coarse
        // first split), then the fewest co-clusters r₁ + r₁r₂ + … over non-decreasing ranks.
        var current = new int[depth];
        var best = new int[depth];
        var bestSum = int.MaxValue;
        var bestClusters = double.PositiveInfinity;
        Search(0, 2, 1);
        return best;

        void Search(int level, int lowest, long product)
        {
            if (level == depth)
            {
                if (product < needed)
                {
                    return;
                }

                var sum = 0;
                double clusters = 0, partial = 1;
                foreach (var r in current)
                {
                    sum += r;
                    partial *= r;
                    clusters += partial;
                }

                if (sum < bestSum || (sum == bestSum && clusters < bestClusters))
                {
                    bestSum = sum;
                    bestClusters = clusters;
                    current.CopyTo(best, 0);
                }

                return;
            }

            for (var r = lowest; r <= maxRank; r++)
            {
                // Prune: even the largest ranks for the remaining levels cannot reach `needed`, or the sum is already worse.
                var bound = product * r;
                for (var t = level + 1; t < depth && bound < needed; t++)
                {
                    bound *= maxRank;
                }

                if (bound < needed)
                {
                    continue;
                }

                if ((r * (depth - level)) + current.Take(level).Sum() > bestSum)
                {
                    break;
                }

                current[level] = r;
                Search(level + 1, r, product * r);
            }
        }
    }

    /// <summary>
    /// The schedule for n points whose first rank is <paramref name="first"/> (the choice of level 1's rank, stop 25): then
    /// ranks 2 ≤ rₜ ≤ <paramref name="maxRank"/>, at most <paramref name="maxDepth"/> − 1 of them, in increasing order, with
    /// Π rₜ ≥ ⌈⌈n / first⌉ / leafSize⌉, choosing the fewest levels, then the smallest product (the fewest leaves, so the
    /// leaves stay as close to <paramref name="leafSize"/> as the ranks allow), then the smallest sum, then the fewest
    /// co-clusters. At 1 048 576 points and leaves of 256: [4, 8, 8, 16], [8, 8, 8, 8] and [16, 16, 16] (ForSize's) for
    /// first ranks 4, 8 and 16.
    /// </summary>
    internal static int[] WithFirst(int n, int leafSize, int first, int maxRank, int maxDepth)
    {
        Require(first >= 2 && first <= maxRank, $"The first rank must be in [2, {maxRank}] (got {first}).", nameof(first));
        var rest = (int)(((long)n + first - 1) / first);
        var needed = (rest + leafSize - 1) / leafSize;
        if (needed <= 1)
        {
            return [first];
        }

        for (var depth = 1; depth < maxDepth; depth++)
        {
            var current = new int[depth];
            int[]? best = null;
            long bestProduct = long.MaxValue;
            var bestSum = int.MaxValue;
            var bestClusters = double.PositiveInfinity;
            Search(0, 2, 1);
            if (best is not null)
            {
                return [first, .. best];
            }

            void Search(int level, int lowest, long product)
            {
                if (level == depth)
                {
                    if (product < needed)
                    {
                        return;
                    }

                    var sum = 0;
                    double clusters = 0, partial = first;
                    foreach (var r in current)
                    {
                        sum += r;
                        partial *= r;
                        clusters += partial;
                    }

                    if (product < bestProduct || (product == bestProduct && (sum < bestSum || (sum == bestSum && clusters < bestClusters))))
                    {
                        bestProduct = product;
                        bestSum = sum;
                        bestClusters = clusters;
                        best = (int[])current.Clone();
                    }

                    return;
                }

                for (var r = lowest; r <= maxRank; r++)
                {
                    // The remaining ranks are at least r: once that overshoots the best product, larger r only grows it.
                    var least = product;
                    for (var t = level; t < depth && least <= bestProduct; t++)
                    {
                        least *= r;
                    }

                    if (least > bestProduct)
                    {
                        break;
                    }

                    var most = product * r;
                    for (var t = level + 1; t < depth && most < needed; t++)
                    {
                        most *= maxRank;
                    }

                    if (most < needed)
                    {
                        continue;
                    }

                    current[level] = r;
                    Search(level + 1, r, product * r);
                }
            }
        }

        throw new InputValidationException(
            InputProblem.InvalidParameter,
            $"A first rank of {first} and {maxDepth - 1} more levels of rank ≤ {maxRank} cannot reach leaves of ≤ {leafSize} points for n = {n}.",
            nameof(maxDepth));
    }

    /// <summary>The largest leaf a schedule leaves for n points: ⌈n / Π rₜ⌉.</summary>
    /// <param name="n">The number of points.</param>
    /// <param name="ranks">The schedule.</param>
    public static int LargestLeaf(int n, IReadOnlyList<int> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        long size = n;
        foreach (var r in ranks)
        {
            size = (size + r - 1) / r;
        }

        return (int)size;
    }

    private static void Require(bool condition, string message, string parameter)
    {
        if (!condition)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, message, parameter);
        }
    }
}
