using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Hierarchical;

public class GroupedGlobalPolishTests
{
    // From a random permutation and from HiRef's matching without polish (16-D mixture, squared Euclidean): the grouped step
    // (4 random groups of 150 pairs, 2 rounds, exact candidates) leaves a permutation, never raises the cost, stays above the
    // exact optimum (Jonker–Volgenant), and gives the same permutation with 1, 2 and 3 threads (groups solved one at a time,
    // two and three at once).
    [Theory]
    [InlineData(16, "sqeuclidean", 600, 71)]
    [InlineData(16, "euclidean", 400, 72)]
    public void Apply_NeverRaisesCostStaysAboveOptimumAndIsDeterministic(int d, string costName, int n, int seed)
    {
        var cost = CostFunction.Parse<double>(costName);
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, seed, d, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var dense = new double[n * n];
        LinearAssignment.FillCost(x.Data, y.Data, d, cost, dense);
        var optimum = LinearAssignment.Solve(dense, n, n).TotalCost / n;
        var random = Enumerable.Range(0, n).ToArray();
        Seeds.Create(seed).Shuffle(random);
        var hiref = new HierarchicalRefinement { Cost = cost, LeafSize = 32, Polish = false, Seed = seed }.Solve(x, y).Permutation;
        foreach (var initial in new[] { random, hiref })
        {
            var before = GlobalSparsePolishTests.MeanCost(x, y, initial, cost);
            var results = new List<int[]>();
            foreach (var threads in new[] { 1, 2, 3 })
            {
                var matching = GlobalSparsePolishTests.Matching(x, y, initial, cost, threads);
                var step = new GroupedGlobalPolish(2, n / 4, m => new GlobalSparsePolish(passes: 2, candidates: 8, ballPoints: 16, probes: 4, tolerance: 0, coarseSize: 64, seed: seed, exact: true), seed, tolerance: 0, minDimension: 3);
                step.Apply(matching, CancellationToken.None);
                var result = GlobalSparsePolishTests.Permutation(matching);
                Assert.Equal(Enumerable.Range(0, n), result.Order());
                var after = GlobalSparsePolishTests.MeanCost(x, y, result, cost);
                NumericAssert.Close(after, matching.Value, rtol: 1e-12, what: "recorded cost");
                Assert.True(after < before, $"cost did not fall: {before} to {after}");
                Assert.True(after >= optimum * (1 - 1e-12), $"cost {after} below the optimum {optimum}");
                Assert.Equal(2, step.RoundsRun);
                results.Add(result);
            }

            Assert.Equal(results[0], results[1]);
            Assert.Equal(results[0], results[2]);
        }
    }

    // Groups held one at a time by the pair cap (maxConcurrentPairs below two groups) give the same permutation as groups
    // run two and three at once, at 2 and 3 threads: the cap changes the memory, never the result.
    [Fact]
    public void Apply_ConcurrencyCap_SamePermutation()
    {
        const int n = 480;
        var cost = new SquaredEuclidean<double>();
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 75, 16, withTarget: true);
        var initial = Enumerable.Range(0, n).ToArray();
        Seeds.Create(75).Shuffle(initial);
        var before = GlobalSparsePolishTests.MeanCost(sample.Source, sample.Target!, initial, cost);
        var results = new List<int[]>();
        foreach (var (threads, cap) in new[] { (2, n), (3, n), (2, n / 4), (3, n / 4) })
        {
            var matching = GlobalSparsePolishTests.Matching(sample.Source, sample.Target!, initial, cost, threads);
            var step = new GroupedGlobalPolish(1, n / 4, m => new GlobalSparsePolish(passes: 2, candidates: 8, ballPoints: 16, probes: 4, tolerance: 0, coarseSize: 64, seed: 75, exact: true), 75, tolerance: 0, minDimension: 3, maxConcurrentPairs: cap);
            step.Apply(matching, CancellationToken.None);
            var result = GlobalSparsePolishTests.Permutation(matching);
            Assert.Equal(Enumerable.Range(0, n), result.Order());
            Assert.True(GlobalSparsePolishTests.MeanCost(sample.Source, sample.Target!, result, cost) < before, "cost did not fall");
            results.Add(result);
        }

        Assert.All(results, r => Assert.Equal(results[0], r));
    }

    // Below the minimum dimension the step changes nothing.
    [Fact]
    public void Apply_BelowMinDimension_LeavesTheMatching()
    {
        const int n = 300;
        var cost = new SquaredEuclidean<double>();
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 73, 2, withTarget: true);
        var initial = Enumerable.Range(0, n).ToArray();
        Seeds.Create(73).Shuffle(initial);
        var matching = GlobalSparsePolishTests.Matching(sample.Source, sample.Target!, initial, cost, 1);
        var step = new GroupedGlobalPolish(2, 100, m => new GlobalSparsePolish(2, 8, 16, 4, 0, exact: true), 73, 0, minDimension: 3);
        step.Apply(matching, CancellationToken.None);
        Assert.Equal(initial, GlobalSparsePolishTests.Permutation(matching));
        Assert.Equal(0, step.RoundsRun);
    }

    // Through the solver on a small forced case (GlobalMaxPoints below n, so the grouped step replaces the whole-problem
    // step): it runs last, the cost is not above the same run without it, 1 and 2 threads give the same permutation, a
    // planted permutation stays exact, the fast budget and dimensions above the cap run none, and bad options are refused.
    [Fact]
    public void Solve_Grouped_NotWorseThanWithoutAndDeterministic()
    {
        const int n = 2000;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 74, 16, withTarget: true);
        var baseline = new HierarchicalRefinement { LeafSize = 64, Seed = 74, SlabMaxPoints = 500, LargeSlabMaxPoints = 1000, HugeSlabSize = 32, GlobalMinPoints = 0, GlobalMaxPoints = 1000, GlobalGroupPoints = 500 };
        var without = (baseline with { GlobalGroupRounds = 0 }).Solve(sample.Source, sample.Target!);
        var with = baseline.Solve(sample.Source, sample.Target!);
        var twoThreads = (baseline with { MaxDegreeOfParallelism = 2 }).Solve(sample.Source, sample.Target!);
        var oneThread = (baseline with { MaxDegreeOfParallelism = 1 }).Solve(sample.Source, sample.Target!);
        Assert.True(with.Cost <= without.Cost, $"{with.Cost} > {without.Cost}");
        Assert.Equal("groups", with.PolishSteps[^1].Step);
        Assert.DoesNotContain(without.PolishSteps, s => s.Step is "groups" or "global");
        Assert.Equal(Enumerable.Range(0, n), with.Permutation.Order());
        Assert.Equal(oneThread.Permutation, twoThreads.Permutation);
        Assert.Equal(with.Permutation, oneThread.Permutation);

        var x = sample.Source;
        var planted = Enumerable.Range(0, n).ToArray();
        Seeds.Create(74).Shuffle(planted);
        var data = new double[n * 16];
        for (var i = 0; i < n; i++)
        {
            x.Row(i).CopyTo(data.AsSpan(planted[i] * 16, 16));
        }

        var exact = baseline.Solve(x, new PointCloud<double>(data, n, 16));
        Assert.Equal(0.0, exact.Cost);
        Assert.Equal(planted, exact.Permutation);

        // The fast budget (no global passes) and dimensions above GlobalGroupMaxDimension run no grouped step.
        var fast = (HierarchicalRefinement.ForQuality(HiRefQuality.Fast) with { LeafSize = 64, Seed = 74, GlobalMinPoints = 0, GlobalMaxPoints = 1000, GlobalGroupPoints = 500 }).Solve(sample.Source, sample.Target!);
        Assert.DoesNotContain(fast.PolishSteps, s => s.Step is "groups" or "global");
        var capped = (baseline with { GlobalGroupMaxDimension = 8 }).Solve(sample.Source, sample.Target!);
        Assert.Equal(0, Assert.Single(capped.PolishSteps, s => s.Step == "groups").Rounds);
        Assert.Equal(without.Permutation, capped.Permutation);

        Assert.Throws<InputValidationException>(() => (baseline with { GlobalGroupRounds = -1 }).Solve(x, sample.Target!));
        Assert.Throws<InputValidationException>(() => (baseline with { GlobalGroupMaxDimension = 0 }).Solve(x, sample.Target!));
        Assert.Throws<InputValidationException>(() => (baseline with { GlobalGroupPoints = 1 }).Solve(x, sample.Target!));
    }
}
