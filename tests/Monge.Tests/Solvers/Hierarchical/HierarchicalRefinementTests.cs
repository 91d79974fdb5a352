using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Hierarchical;

public class HierarchicalRefinementTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(257)]
    [InlineData(1009)]
    public void Solve_AnyN_ReturnsPermutationWithRecomputedCost(int n)
    {
        var rng = Seeds.Create(n);
        var x = Generators.UniformCloud(rng, n, 3);
        var y = Generators.UniformCloud(rng, n, 3);
        var solver = new HierarchicalRefinement { LeafSize = 16, MaxRank = 4 };
        var result = solver.Solve(x, y);

        AssertPermutation(result.Permutation, n);
        NumericAssert.Close(Recompute(x, y, result.Permutation, new SquaredEuclidean<double>()), result.Cost, rtol: 1e-12, what: "cost");
        Assert.True(result.LargestLeaf <= 16);
        Assert.Equal(solver.ScheduleFor(n), result.RankSchedule);
    }

    public static TheoryData<SyntheticDataset, int, string> QualityCases()
    {
        var data = new TheoryData<SyntheticDataset, int, string>();
        foreach (var cost in new[] { "sqeuclidean", "euclidean" })
        {
            data.Add(SyntheticDataset.HalfMoonSCurve, 2, cost);
            data.Add(SyntheticDataset.Checkerboard, 2, cost);
            data.Add(SyntheticDataset.MafMoonsRings, 2, cost);
            data.Add(SyntheticDataset.EightGaussiansMoons, 2, cost);
            data.Add(SyntheticDataset.GaussianMixture, 16, cost);
            data.Add(SyntheticDataset.GaussianMixture, 64, cost);
        }

        return data;
    }

    // The bound: within 1% of the exact assignment optimum (the shared Jonker–Volgenant solver) at n = 4096,
    // default options, on every synthetic pair and both costs. Measured worst case 0.56% (docs/hiref.md).
    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(QualityCases))]
    public void Solve_SyntheticPairs_WithinOnePercentOfExactOptimum(SyntheticDataset dataset, int dimension, string cost) =>
        AssertWithinOnePercent(dataset, dimension, cost, 4096);

    // A fast subset at n = 2048 (the sweep above carries the Slow category).
    [Theory]
    [InlineData(SyntheticDataset.HalfMoonSCurve, "sqeuclidean")]
    [InlineData(SyntheticDataset.EightGaussiansMoons, "euclidean")]
    public void Solve_SmallPairs_WithinOnePercentOfExactOptimum(SyntheticDataset dataset, string cost) =>
        AssertWithinOnePercent(dataset, 2, cost, 2048);

    private static void AssertWithinOnePercent(SyntheticDataset dataset, int dimension, string costName, int n)
    {
        var cost = CostFunction.Parse<double>(costName);
        var sample = SyntheticData.Generate(dataset, n, 1, dimension, withTarget: true);
        var exact = new LinearAssignment().Solve(sample.Source, sample.Target!, cost);
        var optimum = exact.TotalCost / n;
        var result = new HierarchicalRefinement { Cost = cost }.Solve(sample.Source, sample.Target!);

        AssertPermutation(result.Permutation, n);
        NumericAssert.Close(Recompute(sample.Source, sample.Target!, result.Permutation, cost), result.Cost, rtol: 1e-12, what: "cost");
        Assert.True(result.Cost >= optimum * (1 - 1e-12), $"HiRef {result.Cost} below the optimum {optimum}");
        Assert.True(result.Cost <= optimum * 1.01, $"{dataset} d={dimension} {cost}: HiRef {result.Cost} vs optimum {optimum} (ratio {result.Cost / optimum:F5})");
        Assert.True(result.Cost <= result.CostBeforePolish);
        Assert.InRange(result.PolishRounds, 1, 8);
    }

    // Each polish round re-solves unions of leaf pairs exactly, so it can only lower the cost; with no rounds the cost
    // is the leaves' cost.
    [Fact]
    public void Solve_Polish_NeverRaisesCostAndZeroRoundsKeepsLeaves()
    {
        var sample = SyntheticData.Generate(SyntheticDataset.Checkerboard, 1500, 3);
        var off = new HierarchicalRefinement { LeafSize = 64, PolishRounds = 0, SlabRounds = 0 }.Solve(sample.Source, sample.Target!);
        var one = new HierarchicalRefinement { LeafSize = 64, PolishRounds = 1, PolishTolerance = 0, SlabRounds = 0 }.Solve(sample.Source, sample.Target!);
        var many = new HierarchicalRefinement { LeafSize = 64, PolishRounds = 6, PolishTolerance = 0, SlabRounds = 0 }.Solve(sample.Source, sample.Target!);
        Assert.Equal(off.CostBeforePolish, off.Cost);
        Assert.Equal(0, off.PolishRounds);
        Assert.Equal(off.CostBeforePolish, one.CostBeforePolish);
        Assert.True(one.Cost < one.CostBeforePolish);
        Assert.True(many.Cost <= one.Cost);
        Assert.Equal(6, many.PolishRounds);
        AssertPermutation(many.Permutation, 1500);
    }

    // The neighbourhood step re-solves the matching on a sparse graph that contains the current matching, so it can only
    // lower the cost; it stays a permutation, is deterministic, and on this instance (two levels) it gains measurably.
    [Fact]
    public void Solve_NeighbourhoodPolish_LowersCostAndStaysDeterministic()
    {
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, 3000, 7);
        var plain = new HierarchicalRefinement { LeafSize = 64, SlabRounds = 0 };
        var withStep = plain with { NeighbourhoodCandidates = 16 };
        var off = plain.Solve(sample.Source, sample.Target!);
        var on = withStep.Solve(sample.Source, sample.Target!);
        var again = (withStep with { MaxDegreeOfParallelism = 1 }).Solve(sample.Source, sample.Target!);
        AssertPermutation(on.Permutation, 3000);
        NumericAssert.Close(Recompute(sample.Source, sample.Target!, on.Permutation, new SquaredEuclidean<double>()), on.Cost, rtol: 1e-12, what: "cost");
        Assert.Equal(off.CostBeforePolish, on.CostBeforePolish);
        Assert.True(on.Cost < off.Cost * (1 - 1e-4), $"neighbourhood step {on.Cost} vs leaf pairs only {off.Cost}");
        Assert.Equal(on.Permutation, again.Permutation);
        var optimum = new LinearAssignment().Solve(sample.Source, sample.Target!).TotalCost / 3000;
        Assert.True(on.Cost >= optimum * (1 - 1e-12));
    }

    // Slab rounds re-solve slabs of matched pairs exactly, so every round keeps a permutation and never raises the cost;
    // on a two-level instance they close most of the gap to the optimum. Deterministic for a seed, independent of threads.
    [Fact]
    public void Solve_SlabRounds_LowerCostTowardsOptimumDeterministically()
    {
        const int n = 3000;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 2, 8, withTarget: true);
        var plain = new HierarchicalRefinement { LeafSize = 64, SlabRounds = 0 };
        var slabs = plain with { SlabRounds = 6, SlabSize = 500 };
        var off = plain.Solve(sample.Source, sample.Target!);
        var on = slabs.Solve(sample.Source, sample.Target!);
        var again = (slabs with { MaxDegreeOfParallelism = 1 }).Solve(sample.Source, sample.Target!);
        var optimum = new LinearAssignment().Solve(sample.Source, sample.Target!).TotalCost / n;
        AssertPermutation(on.Permutation, n);
        NumericAssert.Close(Recompute(sample.Source, sample.Target!, on.Permutation, new SquaredEuclidean<double>()), on.Cost, rtol: 1e-12, what: "cost");
        Assert.Equal(on.Permutation, again.Permutation);
        Assert.True(on.Cost >= optimum * (1 - 1e-12));
        Assert.True(on.Cost <= off.Cost, $"slabs {on.Cost} above {off.Cost}");
        Assert.True(on.Cost - optimum < 0.5 * (off.Cost - optimum), $"slabs {on.Cost}, without {off.Cost}, optimum {optimum}");
    }

    // Above SlabMaxPoints the large slab rounds run (here forced at n = 3000 with SlabMaxPoints = 1000): every round keeps
    // a permutation and never raises the cost, the rounds stop on the tolerance, more rounds continue fewer (same
    // directions), above LargeSlabMaxPoints the huge rounds run instead (the same rounds when given the same slabs;
    // nothing when they are off), and the result does not depend on the thread count.
    [Fact]
    public void Solve_LargeSlabRounds_LowerCostStopOnToleranceAndIgnoreThreads()
    {
        const int n = 3000;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 2, 8, withTarget: true);
        var plain = new HierarchicalRefinement { LeafSize = 64, SlabMaxPoints = 1000, LargeSlabRounds = 0 };
        var large = plain with { LargeSlabRounds = 6, LargeSlabSize = 256, LargeSlabTolerance = 0 };
        var off = plain.Solve(sample.Source, sample.Target!);
        var on = large.Solve(sample.Source, sample.Target!);
        var serial = (large with { MaxDegreeOfParallelism = 1 }).Solve(sample.Source, sample.Target!);
        var two = (large with { MaxDegreeOfParallelism = 2 }).Solve(sample.Source, sample.Target!);
        var fewer = (large with { LargeSlabRounds = 3 }).Solve(sample.Source, sample.Target!);
        var stopped = (large with { LargeSlabTolerance = 1 }).Solve(sample.Source, sample.Target!);
        var impatient = (large with { LargeSlabTolerance = 1, LargeSlabPatience = 1 }).Solve(sample.Source, sample.Target!);
        var above = (large with { LargeSlabMaxPoints = n - 1, HugeSlabRounds = 0 }).Solve(sample.Source, sample.Target!);
        var huge = (large with { LargeSlabMaxPoints = n - 1, LargeSlabRounds = 0, HugeSlabRounds = 6, HugeSlabSize = 256, HugeSlabTolerance = 0 }).Solve(sample.Source, sample.Target!);
        var hugeStopped = (large with { LargeSlabMaxPoints = n - 1, HugeSlabRounds = 6, HugeSlabTolerance = 1 }).Solve(sample.Source, sample.Target!);
        var optimum = new LinearAssignment().Solve(sample.Source, sample.Target!).TotalCost / n;

        AssertPermutation(on.Permutation, n);
        NumericAssert.Close(Recompute(sample.Source, sample.Target!, on.Permutation, new SquaredEuclidean<double>()), on.Cost, rtol: 1e-12, what: "cost");
        Assert.Equal(on.Permutation, serial.Permutation);
        Assert.Equal(on.Permutation, two.Permutation);
        Assert.True(on.Cost >= optimum * (1 - 1e-12));
        Assert.True(on.Cost <= fewer.Cost && fewer.Cost <= off.Cost, $"6 rounds {on.Cost}, 3 rounds {fewer.Cost}, none {off.Cost}");
        Assert.True(on.Cost - optimum < 0.7 * (off.Cost - optimum), $"large slabs {on.Cost}, without {off.Cost}, optimum {optimum}");
        Assert.Equal(new HiRefPolishReport("slabs", 6, on.Cost, on.PolishSteps[^1].Seconds), on.PolishSteps[^1]);
        // Every round gains less than the whole cost: two such rounds stop the default (patience 2), one stops patience 1;
        // both are the first rounds of the full run (same directions).
        Assert.Equal(2, stopped.PolishSteps[^1].Rounds);
        Assert.Equal(1, impatient.PolishSteps[^1].Rounds);
        Assert.True(on.Cost <= stopped.Cost && stopped.Cost <= impatient.Cost && impatient.Cost <= off.Cost, $"6 rounds {on.Cost}, 2 {stopped.Cost}, 1 {impatient.Cost}, none {off.Cost}");
        Assert.DoesNotContain(above.PolishSteps, p => p.Step == "slabs");
        Assert.Equal(off.Permutation, above.Permutation);
        Assert.Equal(on.Permutation, huge.Permutation);
        Assert.Equal(1, hugeStopped.PolishSteps[^1].Rounds);
        Assert.True(hugeStopped.Cost <= off.Cost, $"one huge round {hugeStopped.Cost} above {off.Cost}");
    }

    // Stop 23 (e1m): with the Euclidean cost the huge slab rounds stop at HugeSlabTolerance × EuclideanHugeSlabToleranceScale
    // (default a quarter): the same permutation as the tolerance divided by four with the scale at 1, at least as many
    // rounds and no dearer than the unscaled rule (the same directions, continued); the squared cost ignores the scale.
    [Fact]
    public void Solve_EuclideanHugeSlabRounds_StopAtTheScaledTolerance()
    {
        const int n = 3000;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 2, 8, withTarget: true);
        var huge = new HierarchicalRefinement { Cost = new Euclidean<double>(), LeafSize = 64, SlabMaxPoints = 1000, LargeSlabMaxPoints = n - 1, HugeSlabRounds = 6, HugeSlabSize = 256, HugeSlabTolerance = 4e-3 };
        var scaled = huge.Solve(sample.Source, sample.Target!);
        var equivalent = (huge with { HugeSlabTolerance = 1e-3, EuclideanHugeSlabToleranceScale = 1 }).Solve(sample.Source, sample.Target!);
        var unscaled = (huge with { EuclideanHugeSlabToleranceScale = 1 }).Solve(sample.Source, sample.Target!);
        var squared = huge with { Cost = null };

        AssertPermutation(scaled.Permutation, n);
        NumericAssert.Close(Recompute(sample.Source, sample.Target!, scaled.Permutation, new Euclidean<double>()), scaled.Cost, rtol: 1e-12, what: "cost");
        Assert.Equal(equivalent.Permutation, scaled.Permutation);
        Assert.True(scaled.PolishSteps[^1].Rounds >= unscaled.PolishSteps[^1].Rounds, $"rounds {scaled.PolishSteps[^1].Rounds} < {unscaled.PolishSteps[^1].Rounds}");
        Assert.True(scaled.Cost <= unscaled.Cost, $"scaled stop {scaled.Cost} above {unscaled.Cost}");
        Assert.Equal(squared.Solve(sample.Source, sample.Target!).Permutation, (squared with { EuclideanHugeSlabToleranceScale = 1 }).Solve(sample.Source, sample.Target!).Permutation);
    }

    // The first slab rounds (stop 21) run before the large rounds, as a step of their own with their own directions: the
    // result is a permutation whose cost is the recomputed one, it does not depend on the thread count, never lies above
    // the large rounds' starting point, and one first round with a slab of at least n pairs is the exact optimum
    // (Jonker–Volgenant on the whole problem), which the large rounds then keep.
    [Fact]
    public void Solve_FirstSlabRounds_RunBeforeTheLargeRoundsAndReachTheOptimumWithOneWholeSlab()
    {
        const int n = 3000;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 2, 8, withTarget: true);
        var plain = new HierarchicalRefinement { LeafSize = 64, SlabMaxPoints = 1000, LargeSlabRounds = 0 };
        var first = plain with { LargeSlabRounds = 2, LargeSlabSize = 256, LargeSlabTolerance = 0, FirstSlabRounds = 2, FirstSlabSize = 1024 };
        var off = plain.Solve(sample.Source, sample.Target!);
        var on = first.Solve(sample.Source, sample.Target!);
        var serial = (first with { MaxDegreeOfParallelism = 1 }).Solve(sample.Source, sample.Target!);
        var whole = (first with { FirstSlabRounds = 1, FirstSlabSize = 4096 }).Solve(sample.Source, sample.Target!);
        var optimum = new LinearAssignment().Solve(sample.Source, sample.Target!).TotalCost / n;

        AssertPermutation(on.Permutation, n);
        NumericAssert.Close(Recompute(sample.Source, sample.Target!, on.Permutation, new SquaredEuclidean<double>()), on.Cost, rtol: 1e-12, what: "cost");
        Assert.Equal(on.Permutation, serial.Permutation);
        var slabs = on.PolishSteps.Where(p => p.Step == "slabs").ToList();
        var wholeSlabs = whole.PolishSteps.Where(p => p.Step == "slabs").ToList();
        Assert.Equal(2, slabs.Count);
        Assert.Equal(2, slabs[0].Rounds);
        Assert.True(slabs[1].Cost <= slabs[0].Cost && slabs[0].Cost <= off.Cost, $"first {slabs[0].Cost}, then {slabs[1].Cost}, none {off.Cost}");
        Assert.True(on.Cost >= optimum * (1 - 1e-12));
        Assert.Equal(1, wholeSlabs[0].Rounds);
        NumericAssert.Close(optimum, wholeSlabs[0].Cost, rtol: 1e-12, what: "one whole slab");
        NumericAssert.Close(optimum, whole.Cost, rtol: 1e-12, what: "after the large rounds");
        Assert.Throws<InputValidationException>(() => (first with { FirstSlabSize = 8193 }).Solve(sample.Source, sample.Target!));
    }

    // The budgets extend one another's polish (same levels, leaves and slab directions), so their costs are ordered; the
    // best budget is within 0.5% of the exact optimum here (checked against Jonker–Volgenant).
    [Fact]
    public void ForQuality_BudgetsAreOrderedAndBestIsNearOptimal()
    {
        const int n = 2500;
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 4, 2, withTarget: true);
        HierarchicalRefinementResult Run(HiRefQuality quality) =>
            (HierarchicalRefinement.ForQuality(quality) with { LeafSize = 64, SlabSize = 512, SlabMaxPoints = 1000, LargeSlabSize = 256 }).Solve(sample.Source, sample.Target!);
        var fast = Run(HiRefQuality.Fast);
        var balanced = Run(HiRefQuality.Balanced);
        var best = Run(HiRefQuality.Best);
        var optimum = new LinearAssignment().Solve(sample.Source, sample.Target!).TotalCost / n;

        Assert.Equal(fast.CostBeforePolish, best.CostBeforePolish);
        Assert.DoesNotContain(fast.PolishSteps, p => p.Step == "slabs");
        Assert.Contains(balanced.PolishSteps, p => p.Step == "slabs");
        Assert.True(best.Cost <= balanced.Cost && balanced.Cost < fast.Cost, $"best {best.Cost}, balanced {balanced.Cost}, fast {fast.Cost}");
        Assert.True(best.Cost >= optimum * (1 - 1e-12));
        Assert.True(best.Cost <= optimum * 1.005, $"best {best.Cost} vs optimum {optimum} (ratio {best.Cost / optimum:F5})");
        Assert.Equal(new HierarchicalRefinement(), HierarchicalRefinement.ForQuality(HiRefQuality.Balanced));
    }

    // The planted permutation survives the heaviest budget: the leaves find it at cost 0 and no polish step can move it.
    [Fact]
    public void ForQuality_Best_KeepsPlantedPermutation()
    {
        const int n = 3001;
        var x = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 4, 16).Source;
        var planted = Enumerable.Range(0, n).ToArray();
        Seeds.Create(4).Shuffle(planted);
        var data = new double[n * 16];
        for (var i = 0; i < n; i++)
        {
            x.Row(i).CopyTo(data.AsSpan(planted[i] * 16, 16));
        }

        var result = (HierarchicalRefinement.ForQuality(HiRefQuality.Best) with { LeafSize = 100, Seed = 4, SlabMaxPoints = 1000, LargeSlabSize = 256 })
            .Solve(x, new PointCloud<double>(data, n, 16));
        Assert.Equal(0.0, result.Cost);
        Assert.Equal(planted, result.Permutation);
    }

    // Y = X shuffled: both sides are co-clustered by the same function of the coordinates and split with tie-breaks
    // that depend on the score rows only, so every leaf holds the same points on both sides and the exact leaves recover
    // the planted permutation.
    [Theory]
    [InlineData(SyntheticDataset.HalfMoonSCurve, 2, 1000, 1, 64, "sqeuclidean")]
    [InlineData(SyntheticDataset.Checkerboard, 2, 4099, 2, 256, "sqeuclidean")]
    [InlineData(SyntheticDataset.EightGaussiansMoons, 2, 10007, 3, 256, "sqeuclidean")]
    [InlineData(SyntheticDataset.GaussianMixture, 16, 3001, 4, 100, "sqeuclidean")]
    [InlineData(SyntheticDataset.MafMoonsRings, 2, 2053, 5, 64, "euclidean")]
    [InlineData(SyntheticDataset.GaussianMixture, 64, 4096, 6, 256, "euclidean")]
    public void Solve_PlantedPermutation_RecoveredExactly(SyntheticDataset dataset, int dimension, int n, int seed, int leafSize, string costName)
    {
        var cost = CostFunction.Parse<double>(costName);
        var x = SyntheticData.Generate(dataset, n, seed, dimension).Source;
        var planted = Enumerable.Range(0, n).ToArray();
        Seeds.Create(seed).Shuffle(planted);
        var data = new double[n * dimension];
        for (var i = 0; i < n; i++)
        {
            x.Row(i).CopyTo(data.AsSpan(planted[i] * dimension, dimension));
        }

        var y = new PointCloud<double>(data, n, dimension);
        var result = new HierarchicalRefinement { Cost = cost, LeafSize = leafSize, Seed = seed, Polish = false }.Solve(x, y);

        Assert.Equal(0.0, result.Cost);
        Assert.Equal(planted, result.Permutation);
    }

    // The single-precision co-clustering (SinglePrecisionMinBlock = 1: every block) keeps the planted permutation, does
    // not depend on the thread count and lands within 0.1% of the double-precision levels.
    [Theory]
    [InlineData(SyntheticDataset.EightGaussiansMoons, 2, 10007, 3, 256, "sqeuclidean")]
    [InlineData(SyntheticDataset.GaussianMixture, 16, 3001, 4, 100, "sqeuclidean")]
    [InlineData(SyntheticDataset.MafMoonsRings, 2, 2053, 5, 64, "euclidean")]
    public void Solve_SinglePrecision_PlantedPermutationRecovered(SyntheticDataset dataset, int dimension, int n, int seed, int leafSize, string costName)
    {
        var cost = CostFunction.Parse<double>(costName);
        var x = SyntheticData.Generate(dataset, n, seed, dimension).Source;
        var planted = Enumerable.Range(0, n).ToArray();
        Seeds.Create(seed).Shuffle(planted);
        var data = new double[n * dimension];
        for (var i = 0; i < n; i++)
        {
            x.Row(i).CopyTo(data.AsSpan(planted[i] * dimension, dimension));
        }

        var result = new HierarchicalRefinement { Cost = cost, LeafSize = leafSize, Seed = seed, Polish = false, SinglePrecisionMinBlock = 1 }
            .Solve(x, new PointCloud<double>(data, n, dimension));
        Assert.Equal(0.0, result.Cost);
        Assert.Equal(planted, result.Permutation);
    }

    [Fact]
    public void Solve_SinglePrecision_DeterministicAndCloseToDouble()
    {
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, 6007, 2, 16, withTarget: true);
        var solver = new HierarchicalRefinement { Seed = 1, SlabRounds = 0, Polish = false, SinglePrecisionMinBlock = 1 };
        var a = solver.Solve(sample.Source, sample.Target!);
        var b = (solver with { MaxDegreeOfParallelism = 1 }).Solve(sample.Source, sample.Target!);
        var full = (solver with { SinglePrecisionMinBlock = int.MaxValue }).Solve(sample.Source, sample.Target!);
        var cold = (solver with { WarmColumnScalings = false }).Solve(sample.Source, sample.Target!);
        Assert.Equal(a.Permutation, b.Permutation);
        Assert.Equal(a.Cost, b.Cost);

        // With the double path's start of the column scalings the float path is the same algorithm: within 0.1%. The
        // warm start (default) converges the projections the double path cuts at the cap: no worse than 0.1% above it.
        Assert.InRange(cold.Cost / full.Cost, 0.999, 1.001);
        Assert.True(a.Cost <= full.Cost * 1.001, $"float {a.Cost}, double {full.Cost}");
        Assert.True(a.PeakScratchBytes < full.PeakScratchBytes, $"single {a.PeakScratchBytes} B, double {full.PeakScratchBytes} B");
    }

    [Fact]
    public void Solve_SameSeed_IsDeterministicAndIndependentOfThreads()
    {
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, 3001, 5);
        var a = new HierarchicalRefinement { Seed = 3, LeafSize = 64 }.Solve(sample.Source, sample.Target!);
        var b = new HierarchicalRefinement { Seed = 3, LeafSize = 64, MaxDegreeOfParallelism = 1 }.Solve(sample.Source, sample.Target!);
        var c = new HierarchicalRefinement { Seed = 4, LeafSize = 64 }.Solve(sample.Source, sample.Target!);
        Assert.Equal(a.Permutation, b.Permutation);
        Assert.Equal(a.Cost, b.Cost);
        Assert.NotEqual(a.Permutation, c.Permutation);
    }

    [Fact]
    public void Solve_Levels_ReportedWithDecreasingBlockCostAndProgress()
    {
        var sample = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, 4000, 2);
        var reports = new List<SolverProgress>();
        var progress = new SyncProgress(reports);
        var result = new HierarchicalRefinement { LeafSize = 64, RankSchedule = [4, 4, 4] }.Solve(sample.Source, sample.Target!, progress);

        Assert.Equal(3, result.Levels.Count);
        Assert.Equal([4, 4, 4], result.Levels.Select(l => l.Rank));
        Assert.Equal([1, 4, 16], result.Levels.Select(l => l.BlocksSplit));
        for (var t = 1; t < result.Levels.Count; t++)
        {
            Assert.True(result.Levels[t].BlockCost < result.Levels[t - 1].BlockCost);
        }

        Assert.True(result.CostBeforePolish < result.Levels[^1].BlockCost);
        Assert.True(result.PeakScratchBytes > 0 && result.PeakScratchBytes < 64L * 4000 * 8 * 16);
        Assert.Contains(reports, p => p.Stage == "level 1" && p.Completed == 1 && p.Total == 1);
        Assert.Contains(reports, p => p.Stage == "level 3" && p.Completed == 16 && p.Total == 16);

        // Every level opens with a report of none done (the first level is one block: it would show nothing until done).
        for (var t = 1; t <= 3; t++)
        {
            var first = reports.First(p => p.Stage == $"level {t}");
            Assert.Equal(0, first.Completed);
            Assert.Equal(result.Levels[t - 1].BlocksSplit, first.Total);
        }
        Assert.Contains(reports, p => p.Stage == "leaves" && p.Completed == p.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Solve_LevelOfOneBlock_ReportsItsMirrorStepsWithoutChangingTheResult(bool singlePrecision)
    {
        // One worker: level 1 (one block) runs alone and reports its steps; level 2 (four blocks ≥ 2 workers) runs its
        // blocks in parallel and reports blocks only.
        var sample = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, 2000, 2);
        var options = new HierarchicalRefinement
        {
            LeafSize = 64,
            RankSchedule = [4, 8],
            MaxDegreeOfParallelism = 1,
            SinglePrecisionMinPoints = singlePrecision ? 1 : int.MaxValue,
        };
        var reports = new List<SolverProgress>();
        var reported = options.Solve(sample.Source, sample.Target!, new SyncProgress(reports));
        var silent = options.Solve(sample.Source, sample.Target!);

        Assert.Equal(silent.Permutation, reported.Permutation);
        Assert.Equal(silent.Cost, reported.Cost);
        var steps = reports.Where(p => p.Stage == "level 1 steps").ToList();
        Assert.InRange(steps.Count, 1, options.MaxIterations);
        Assert.Equal(Enumerable.Range(1, steps.Count).Select(i => (long)i), steps.Select(p => p.Completed));
        Assert.All(steps, p => Assert.Equal(options.MaxIterations, p.Total));
        // The float path reports the relative change of its low-rank objective; the double path computes none.
        Assert.All(steps, p => Assert.True(singlePrecision ? double.IsFinite(p.Error) && p.Error >= 0 : double.IsNaN(p.Error)));
        Assert.DoesNotContain(reports, p => p.Stage.StartsWith("level 2 ", StringComparison.Ordinal));

        // Steps come between the level's opening report and its block report.
        var open = reports.FindIndex(p => p.Stage == "level 1" && p.Completed == 0);
        var done = reports.FindIndex(p => p.Stage == "level 1" && p.Completed == 1);
        Assert.True(open < reports.IndexOf(steps[0]) && reports.IndexOf(steps[^1]) < done);
    }

    [Fact]
    public void Solve_DifferentSizes_ThrowsPointingToCouplingSolvers()
    {
        var rng = Seeds.Create();
        var ex = Assert.Throws<InputValidationException>(() =>
            new HierarchicalRefinement().Solve(Generators.UniformCloud(rng, 10, 2), Generators.UniformCloud(rng, 11, 2)));
        Assert.Equal(InputProblem.DimensionMismatch, ex.Problem);
        Assert.Contains("monge solve", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_InvalidInputs_ThrowBeforeWork()
    {
        var rng = Seeds.Create();
        var x = Generators.UniformCloud(rng, 10, 2);
        var y = Generators.UniformCloud(rng, 10, 2);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement().Solve(x, Generators.UniformCloud(rng, 10, 3))).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement().Solve(x.WithWeights(Generators.RandomWeights(rng, 10)), y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LeafSize = 2, RankSchedule = [2] }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LeafSize = 2, RankSchedule = [1, 8] }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { Gamma = 0 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { NeighbourhoodCandidates = -1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { NeighbourhoodLeaves = 0 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { NeighbourhoodMaxPoints = -1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { PartsNeighbourhoodTolerance = double.NaN }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { NeighbourhoodPasses = -1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { SlabRounds = -1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { SlabSize = 1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { SlabMaxPoints = -1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LargeSlabRounds = -1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LargeSlabSize = 1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LargeSlabTolerance = double.NaN }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { HugeSlabRounds = -1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { HugeSlabSize = 1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { HugeSlabTolerance = -1 }.Solve(x, y)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { EuclideanHugeSlabToleranceScale = double.NaN }.Solve(x, y)).Problem);

        // Uniform explicit weights are fine.
        var uniform = Enumerable.Repeat(0.1, 10).ToArray();
        AssertPermutation(new HierarchicalRefinement().Solve(x.WithWeights(uniform), y.WithWeights(uniform)).Permutation, 10);
    }

    [Fact]
    public void Solve_Cancelled_Throws()
    {
        var sample = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, 5000, 2);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new HierarchicalRefinement().Solve(sample.Source, sample.Target!, null, cts.Token));
    }

    [Fact]
    public void BlockFactors_SquaredEuclidean_ReproduceCostExactly()
    {
        foreach (var d in new[] { 2, 50, 2048 })
        {
            var rng = Seeds.Create(d);
            const int m = 9;
            var x = Generators.UniformCloud(rng, m, d);
            var y = Generators.UniformCloud(rng, m, d);
            var ws = new CoClusteringWorkspace();
            int[] ix = [8, 1, 2, 3, 4, 5, 6, 7, 0];
            int[] iy = [0, 3, 1, 2, 4, 8, 6, 7, 5];
            var k = BlockFactors.Gather(ws, x.Data, y.Data, d, ix, iy, new SquaredEuclidean<double>(), 0, rng);
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < m; j++)
                {
                    var dot = 0.0;
                    for (var t = 0; t < k; t++)
                    {
                        dot += ws.FactorX[(i * k) + t] * ws.FactorY[(j * k) + t];
                    }

                    var exact = BlockFactors.SquaredDistance(x.Row(ix[i]), y.Row(iy[j]));
                    NumericAssert.Close(exact, dot, rtol: 1e-12, atol: 1e-12 * d, what: $"d={d} ({i},{j})");
                }
            }
        }
    }

    private static void AssertPermutation(int[] permutation, int n)
    {
        Assert.Equal(n, permutation.Length);
        var seen = new bool[n];
        foreach (var j in permutation)
        {
            Assert.InRange(j, 0, n - 1);
            Assert.False(seen[j], $"target {j} hit twice");
            seen[j] = true;
        }
    }

    private static double Recompute(PointCloud<double> x, PointCloud<double> y, int[] permutation, ICostFunction<double> cost)
    {
        var total = 0.0;
        for (var i = 0; i < permutation.Length; i++)
        {
            var s = BlockFactors.SquaredDistance(x.Row(i), y.Row(permutation[i]));
            total += cost is SquaredEuclidean<double> ? s : Math.Sqrt(s);
        }

        return total / permutation.Length;
    }

    private sealed class SyncProgress(List<SolverProgress> reports) : IProgress<SolverProgress>
    {
        public void Report(SolverProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
