using Monge.Datasets;
using Monge.Geometry.Costs;
using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>The choice of level 1's rank on a sample (stop 25, issue #14): the schedules it tries, its determinism, and
/// that it picks the rank whose whole-problem solve is cheapest on a case where the ranks differ clearly (independent
/// oracle: the whole problem solved with each rank forced).</summary>
public class FirstRankTests
{
    [Theory]
    [InlineData(1048576, 256, 4, new[] { 4, 8, 8, 16 })]
    [InlineData(1048576, 256, 8, new[] { 8, 8, 8, 8 })]
    [InlineData(1048576, 256, 16, new[] { 16, 16, 16 })]
    [InlineData(65536, 256, 4, new[] { 4, 8, 8 })]
    [InlineData(65536, 256, 8, new[] { 8, 4, 8 })]
    [InlineData(65536, 256, 16, new[] { 16, 16 })]
    [InlineData(1000, 256, 8, new[] { 8 })]
    public void WithFirst_KnownSizes(int n, int leafSize, int first, int[] expected) =>
        Assert.Equal(expected, RankSchedule.WithFirst(n, leafSize, first, 16, 8));

    [Fact]
    public void WithFirst_TheDefaultFirstRankGivesTheDefaultScheduleAtAMillion() =>
        Assert.Equal(RankSchedule.ForSize(1048576, 256), RankSchedule.WithFirst(1048576, 256, 16, 16, 8));

    // Oracle: every non-decreasing tuple of ranks (no pruning), ordered by (levels, product, sum, co-clusters).
    [Theory]
    [InlineData(1048576, 256, 16, 8)]
    [InlineData(600000, 256, 16, 8)]
    [InlineData(300007, 100, 16, 8)]
    [InlineData(65536, 64, 12, 5)]
    [InlineData(10007, 32, 7, 6)]
    public void WithFirst_MatchesBruteForce_AndReachesTheLeafSize(int n, int leafSize, int maxRank, int maxDepth)
    {
        foreach (var first in new[] { 2, 3, 4, 8, maxRank }.Where(f => f <= maxRank).Distinct())
        {
            var schedule = RankSchedule.WithFirst(n, leafSize, first, maxRank, maxDepth);
            Assert.Equal(first, schedule[0]);
            Assert.True(RankSchedule.LargestLeaf(n, schedule) <= leafSize);
            Assert.Equal(BruteForce(n, leafSize, first, maxRank, maxDepth), schedule);
        }
    }

    private static int[] BruteForce(int n, int leafSize, int first, int maxRank, int maxDepth)
    {
        for (var depth = 0; depth < maxDepth; depth++)
        {
            var all = new List<int[]>();
            Enumerate([], depth);
            var fit = all.Where(t => RankSchedule.LargestLeaf(n, [first, .. t]) <= leafSize).ToList();
            if (fit.Count > 0)
            {
                return [first, .. fit
                    .OrderBy(t => t.Aggregate(1L, (p, r) => p * r))
                    .ThenBy(t => t.Sum())
                    .ThenBy(t => Clusters(first, t))
                    .First()];
            }

            void Enumerate(int[] prefix, int left)
            {
                if (left == 0)
                {
                    all.Add(prefix);
                    return;
                }

                for (var r = prefix.Length == 0 ? 2 : prefix[^1]; r <= maxRank; r++)
                {
                    Enumerate([.. prefix, r], left - 1);
                }
            }
        }

        throw new InvalidOperationException("no schedule");
    }

    private static double Clusters(int first, int[] rest)
    {
        double total = 0, partial = first;
        foreach (var r in rest)
        {
            partial *= r;
            total += partial;
        }

        return total;
    }

    [Fact]
    public void UsesFirstRankChoice_AboveTheThreshold_In2D_WithTheAutomaticScheduleOnly()
    {
        var solver = new HierarchicalRefinement();
        Assert.False(solver.UsesFirstRankChoice(262144, 2));
        Assert.True(solver.UsesFirstRankChoice(262145, 2));
        Assert.True(solver.UsesFirstRankChoice(1048576, 1));
        Assert.False(solver.UsesFirstRankChoice(1048576, 3));
        Assert.False((solver with { RankSchedule = [16, 16, 16] }).UsesFirstRankChoice(1048576, 2));
        Assert.False((solver with { FirstRankCandidates = [] }).UsesFirstRankChoice(1048576, 2));
    }

    // Candidates above MaxRank are not tried: with MaxRank 4 only rank 4 is left of [4, 16], so the schedule stays ForSize's.
    [Fact]
    public void Choice_SkipsCandidatesAboveMaxRank()
    {
        var data = SyntheticData.Generate(SyntheticDataset.Checkerboard, 4096, 1, 2, withTarget: true);
        var result = (Small(1) with { MaxRank = 4 }).Solve(data.Source, data.Target!);
        Assert.Null(result.FirstRank);
        Assert.Equal(RankSchedule.ForSize(4096, 64, 4), result.RankSchedule);
    }

    [Fact]
    public void Validate_RefusesRanksBelowTwoAndBadSampleOptions()
    {
        var data = SyntheticData.Generate(SyntheticDataset.Checkerboard, 64, 1, 2, withTarget: true);
        foreach (var bad in new[] { new HierarchicalRefinement { FirstRankCandidates = [1, 4] }, new HierarchicalRefinement { FirstRankCandidates = [0, 4] }, new HierarchicalRefinement { FirstRankSamplePoints = 1 }, new HierarchicalRefinement { FirstRankMargin = 1 }, new HierarchicalRefinement { FirstRankSlabRounds = -1 } })
        {
            var ex = Assert.Throws<InputValidationException>(() => bad.Solve(data.Source, data.Target!));
            Assert.Equal(InputProblem.InvalidParameter, ex.Problem);
        }
    }

    // A small problem made to take the choice (threshold 0, small leaves and sample), no polish: what the levels give.
    // Shared with FirstRankEuclideanTests (the cost is the squared Euclidean one unless given).
    internal static HierarchicalRefinement Small(int seed, ICostFunction<double>? cost = null) => new()
    {
        Seed = seed,
        Cost = cost,
        LeafSize = 64,
        FirstRankAbove = 0,
        FirstRankSamplePoints = 4096,
        Polish = false,
        RandomPartsSize = 0,
    };

    [Fact]
    public void Choice_IsDeterministic_AtOneAndTwoThreads()
    {
        var data = SyntheticData.Generate(SyntheticDataset.Checkerboard, 16384, 1, 2, withTarget: true);
        var one = (Small(3) with { MaxDegreeOfParallelism = 1 }).Solve(data.Source, data.Target!);
        var two = (Small(3) with { MaxDegreeOfParallelism = 2 }).Solve(data.Source, data.Target!);
        Assert.NotNull(one.FirstRank);
        Assert.Equal(one.FirstRank!.Rank, two.FirstRank!.Rank);
        Assert.Equal(one.FirstRank.Scores, two.FirstRank.Scores);
        Assert.Equal(one.RankSchedule, two.RankSchedule);
        Assert.Equal(one.Permutation, two.Permutation);
        Assert.Equal(Enumerable.Range(0, 16384), one.Permutation.Order());
    }

    // The candidates side by side (each on its share of the workers, stop 26) or one after another on all of them: the same
    // sample costs bit for bit, the same choice and matching (oracle: the sequential run), with two and three candidates.
    [Theory]
    [InlineData(new[] { 4, 16 })]
    [InlineData(new[] { 4, 8, 16 })]
    public void Choice_SideBySide_EqualsOneAfterAnother(int[] candidates)
    {
        var data = SyntheticData.Generate(SyntheticDataset.Checkerboard, 16384, 1, 2, withTarget: true);
        var solver = Small(5) with { FirstRankCandidates = candidates, MaxDegreeOfParallelism = 2 };
        var sequential = (solver with { FirstRankParallel = false }).Solve(data.Source, data.Target!);
        var sideBySide = solver.Solve(data.Source, data.Target!);
        Assert.Equal(candidates.Length, sequential.FirstRank!.Scores.Count);
        Assert.Equal(sequential.FirstRank.Scores, sideBySide.FirstRank!.Scores);
        Assert.Equal(sequential.FirstRank.Rank, sideBySide.FirstRank.Rank);
        Assert.Equal(sequential.Permutation, sideBySide.Permutation);
    }

    // Checkerboard (four target Gaussians): the rank whose sample matching is cheapest is the rank whose whole-problem
    // matching is cheapest, and the other rank is clearly worse there (measured, see docs/hiref.md "Stop 25 (chkrank)").
    [Fact]
    public void Choice_PicksTheRankWhoseWholeSolveIsCheapest()
    {
        var data = SyntheticData.Generate(SyntheticDataset.Checkerboard, 16384, 1, 2, withTarget: true);
        var solver = Small(0);
        var whole = solver.FirstRankCandidates.Select(r => (solver with { FirstRankCandidates = [r] }).Solve(data.Source, data.Target!)).ToArray();
        var best = whole.MinBy(w => w.Cost)!;
        var worst = whole.MaxBy(w => w.Cost)!;
        Assert.True(worst.Cost > 1.02 * best.Cost, $"costs {string.Join(", ", whole.Select(w => w.Cost))}");

        var chosen = solver.Solve(data.Source, data.Target!);
        Assert.Equal(best.RankSchedule[0], chosen.FirstRank!.Rank);
        Assert.Equal(best.RankSchedule, chosen.RankSchedule);
        Assert.Equal(best.Permutation, chosen.Permutation);
        Assert.Empty(whole[0].FirstRank!.Scores); // one candidate: forced, no sample
    }
}
