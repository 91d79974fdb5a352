using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Hierarchical;

public class GlobalSparsePolishTests
{
    // Every permutation of n ≤ 7 points: with as many candidates as targets the graph is complete, so one pass of the
    // refinement reaches the optimum over all permutations (within the auction's n·ε, ε = 1e-7 × the mean edge cost).
    [Theory]
    [InlineData(5, 2, "sqeuclidean", 1)]
    [InlineData(7, 3, "sqeuclidean", 2)]
    [InlineData(7, 16, "euclidean", 3)]
    public void Apply_CompleteGraph_ReachesBruteForceOptimum(int n, int d, string costName, int seed)
    {
        var cost = CostFunction.Parse<double>(costName);
        var rng = Seeds.Create(seed);
        var x = Generators.UniformCloud(rng, n, d);
        var y = Generators.UniformCloud(rng, n, d);
        var best = double.PositiveInfinity;
        foreach (var permutation in Permutations(n))
        {
            best = Math.Min(best, MeanCost(x, y, permutation, cost));
        }

        // Without a potential, and from the cheap coarse potential (a 4-point subsample per side); probed balls and the
        // exact k-best search.
        foreach (var (coarseSize, exact) in new[] { (0, false), (4, false), (0, true), (4, true) })
        {
            var matching = Matching(x, y, Enumerable.Range(0, n).ToArray(), cost, threads: 1);
            var step = new GlobalSparsePolish(passes: 3, candidates: n, ballPoints: 2, probes: n, tolerance: 0, coarseSize: coarseSize, seed: seed, exact: exact);
            step.Apply(matching, CancellationToken.None);

            var after = MeanCost(x, y, Permutation(matching), cost);
            NumericAssert.Close(after, matching.Value, rtol: 1e-12, what: "recorded cost");
            Assert.InRange(after, best - 1e-12, best + (2e-7 * best) + 1e-12);
        }
    }

    // From a random permutation and from HiRef's matching, on clustered data in 2-D and 16-D and both costs: the cost never
    // rises, the result is a permutation, and it lands between the exact optimum (Jonker–Volgenant) and the start.
    [Theory]
    [InlineData(SyntheticDataset.EightGaussiansMoons, 2, "sqeuclidean", 600, 11)]
    [InlineData(SyntheticDataset.GaussianMixture, 16, "sqeuclidean", 600, 12)]
    [InlineData(SyntheticDataset.GaussianMixture, 16, "euclidean", 500, 13)]
    [InlineData(SyntheticDataset.HalfMoonSCurve, 2, "euclidean", 500, 14)]
    public void Apply_NeverRaisesCostAndStaysAboveOptimum(SyntheticDataset dataset, int d, string costName, int n, int seed)
    {
        var (cost, x, y, optimum, starts) = Case(dataset, d, costName, n, seed);
        foreach (var initial in starts)
        {
            var before = MeanCost(x, y, initial, cost);
            var matching = Matching(x, y, initial, cost, threads: 2);
            new GlobalSparsePolish(passes: 6, candidates: 8, ballPoints: 16, probes: 4, tolerance: 0).Apply(matching, CancellationToken.None);
            var result = Permutation(matching);
            Assert.Equal(Enumerable.Range(0, n), result.Order());
            var after = MeanCost(x, y, result, cost);
            NumericAssert.Close(after, matching.Value, rtol: 1e-12, what: "recorded cost");
            Assert.True(after <= before, $"cost rose from {before} to {after}");
            Assert.True(after >= optimum * (1 - 1e-12), $"cost {after} below the optimum {optimum}");
        }
    }

    // From a random permutation on the 16-D mixture: without a potential the passes stall well above the optimum
    // (measured: a third of the gap closed); seeded with the certificate's target potential (DualBound, a near-optimal
    // dual) the reduced-cost candidates hold the optimal partners and the first pass closes most of the gap.
    [Fact]
    public void Apply_SeededWithCertificatePotential_ClosesMostOfTheGap()
    {
        const int n = 800;
        var cost = new SquaredEuclidean<double>();
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 21, 16, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var optimum = LinearAssignment.Solve(DenseCost(x, y, cost), n, n).TotalCost / n;
        var start = Enumerable.Range(0, n).ToArray();
        Seeds.Create(21).Shuffle(start);
        var before = MeanCost(x, y, start, cost);

        var plain = Matching(x, y, start, cost, threads: 2);
        new GlobalSparsePolish(passes: 8, candidates: 8, ballPoints: 32, probes: 4, tolerance: 0).Apply(plain, CancellationToken.None);
        Assert.True(plain.Value < before);

        var potential = new Monge.Tools.DualBound().Compute(x, y, cost).G;
        var seeded = Matching(x, y, start, cost, threads: 2);
        var step = new GlobalSparsePolish(passes: 8, candidates: 8, ballPoints: 32, probes: 4, tolerance: 0, potential);
        step.Apply(seeded, CancellationToken.None);
        Assert.True(step.RoundsRun >= 1);
        Assert.True(seeded.Value - optimum < 0.1 * (before - optimum), $"start {before}, unseeded {plain.Value}, seeded {seeded.Value}, optimum {optimum}");
    }

    // The cheap global potential (CoarsePotential: Sinkhorn on cell-weighted subsamples of 256 points per side, extended by
    // one soft c-transform) does what the certificate's potential does, at O(n·s·d): from a random permutation on the
    // 16-D mixture the passes close most of the gap to the exact optimum, which the unseeded passes do not.
    [Fact]
    public void Apply_CoarsePotential_ClosesMostOfTheGap()
    {
        const int n = 800;
        var cost = new SquaredEuclidean<double>();
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 21, 16, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var optimum = LinearAssignment.Solve(DenseCost(x, y, cost), n, n).TotalCost / n;
        var start = Enumerable.Range(0, n).ToArray();
        Seeds.Create(21).Shuffle(start);
        var before = MeanCost(x, y, start, cost);

        var plain = Matching(x, y, start, cost, threads: 2);
        new GlobalSparsePolish(passes: 8, candidates: 8, ballPoints: 32, probes: 4, tolerance: 0).Apply(plain, CancellationToken.None);

        var coarse = Matching(x, y, start, cost, threads: 2);
        var step = new GlobalSparsePolish(passes: 8, candidates: 8, ballPoints: 32, probes: 4, tolerance: 0, coarseSize: 256, seed: 5);
        step.Apply(coarse, CancellationToken.None);
        Assert.True(step.RoundsRun >= 1);
        Assert.True(step.PotentialSeconds > 0);
        Assert.True(coarse.Value >= optimum * (1 - 1e-12), $"cost {coarse.Value} below the optimum {optimum}");
        Assert.True(coarse.Value - optimum < 0.1 * (before - optimum), $"start {before}, unseeded {plain.Value}, coarse {coarse.Value}, optimum {optimum}");
        Assert.True(coarse.Value < plain.Value, $"coarse {coarse.Value} not below unseeded {plain.Value}");
    }

    // The c-transform check: its bound is a valid lower bound on the exact optimum (Jonker–Volgenant) after any number of
    // passes, and once the passes reach the optimum on a graph holding every edge (k = n − 1) the bound is tight (within
    // the auction's n·ε) and no row has a better edge left out; after one pass on a sparse graph from a random start
    // the check finds rows with better edges outside it.
    [Theory]
    [InlineData(SyntheticDataset.GaussianMixture, 16, "sqeuclidean", 300, 51)]
    [InlineData(SyntheticDataset.EightGaussiansMoons, 2, "euclidean", 300, 52)]
    public void Apply_Check_IsLowerBoundAndTightAtTheOptimum(SyntheticDataset dataset, int d, string costName, int n, int seed)
    {
        var cost = CostFunction.Parse<double>(costName);
        var sample = SyntheticData.Generate(dataset, n, seed, d, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var optimum = LinearAssignment.Solve(DenseCost(x, y, cost), n, n).TotalCost / n;
        var start = Enumerable.Range(0, n).ToArray();
        Seeds.Create(seed).Shuffle(start);

        var sparse = Matching(x, y, start, cost, threads: 2);
        var first = new GlobalSparsePolish(passes: 1, candidates: 4, ballPoints: 16, probes: 2, tolerance: 0, check: true);
        first.Apply(sparse, CancellationToken.None);
        Assert.True(first.CheckBound <= optimum * (1 + 1e-12), $"bound {first.CheckBound} above the optimum {optimum}");
        Assert.True(first.CheckViolations > 0, "a random start left no better edge outside a 5-edge graph");

        var complete = Matching(x, y, start, cost, threads: 2);
        var full = new GlobalSparsePolish(passes: 3, candidates: n - 1, ballPoints: 16, probes: n, tolerance: 0, check: true);
        full.Apply(complete, CancellationToken.None);
        Assert.True(full.CheckBound <= optimum * (1 + 1e-12), $"bound {full.CheckBound} above the optimum {optimum}");
        Assert.InRange(complete.Value, optimum * (1 - 1e-12), optimum * (1 + 1e-5));
        Assert.True(full.CheckBound >= optimum * (1 - 1e-5), $"bound {full.CheckBound} not tight at the optimum {optimum}");
        Assert.Equal(0, full.CheckViolations);
    }

    // The exact k-best candidates (ReducedCostSearch) from a random permutation and from HiRef's matching, with the coarse
    // potential: the cost never rises and stays above the exact optimum (Jonker–Volgenant), the search evaluates between
    // k and n targets per row, and 1 and 3 threads, with and without the float32 screen, give the same permutation.
    [Theory]
    [InlineData(SyntheticDataset.GaussianMixture, 16, "sqeuclidean", 600, 61)]
    [InlineData(SyntheticDataset.GaussianMixture, 64, "euclidean", 400, 62)]
    [InlineData(SyntheticDataset.EightGaussiansMoons, 2, "sqeuclidean", 600, 63)]
    public void Apply_Exact_NeverRaisesCostAndIsDeterministic(SyntheticDataset dataset, int d, string costName, int n, int seed)
    {
        var (cost, x, y, optimum, starts) = Case(dataset, d, costName, n, seed);
        foreach (var initial in starts)
        {
            var before = MeanCost(x, y, initial, cost);
            var results = new List<int[]>();
            foreach (var (threads, screen) in new[] { (1, false), (1, true), (3, true) })
            {
                var matching = Matching(x, y, initial, cost, threads);
                var step = new GlobalSparsePolish(passes: 4, candidates: 8, ballPoints: 16, probes: 4, tolerance: 0, coarseSize: 128, seed: seed, exact: true, screen: screen);
                step.Apply(matching, CancellationToken.None);
                var result = Permutation(matching);
                Assert.Equal(Enumerable.Range(0, n), result.Order());
                var after = MeanCost(x, y, result, cost);
                NumericAssert.Close(after, matching.Value, rtol: 1e-12, what: "recorded cost");
                Assert.True(after <= before, $"cost rose from {before} to {after}");
                Assert.True(after >= optimum * (1 - 1e-12), $"cost {after} below the optimum {optimum}");
                Assert.InRange(step.EvaluatedPerRow, 8, n);
                results.Add(result);
            }

            Assert.Equal(results[0], results[1]);
            Assert.Equal(results[0], results[2]);
        }
    }

    // warmEpsilon NaN (every auction cold, the potential only chooses the candidates; stop 25, realmv): on every permutation of
    // 7 points with a complete graph it reaches the brute-force optimum (within the auction's n·ε); on a clustered 2-D pair from
    // a random and from HiRef's start the cost never rises, stays above the exact optimum (Jonker–Volgenant), the result is a
    // permutation, and 1 and 2 threads give the same permutation bit for bit.
    [Fact]
    public void Apply_ColdAuctions_ReachOptimumNeverRaiseCostAndAreDeterministic()
    {
        var squared = new SquaredEuclidean<double>();
        var rng = Seeds.Create(81);
        var (bx, by) = (Generators.UniformCloud(rng, 7, 2), Generators.UniformCloud(rng, 7, 2));
        var best = double.PositiveInfinity;
        foreach (var permutation in Permutations(7))
        {
            best = Math.Min(best, MeanCost(bx, by, permutation, squared));
        }

        var small = Matching(bx, by, Enumerable.Range(0, 7).ToArray(), squared, threads: 1);
        new GlobalSparsePolish(passes: 3, candidates: 7, ballPoints: 2, probes: 7, tolerance: 0, exact: true, warmEpsilon: double.NaN).Apply(small, CancellationToken.None);
        Assert.InRange(MeanCost(bx, by, Permutation(small), squared), best - 1e-12, best + (2e-7 * best) + 1e-12);

        const int n = 600;
        var (cost, x, y, optimum, starts) = Case(SyntheticDataset.EightGaussiansMoons, 2, "sqeuclidean", n, 82);
        foreach (var initial in starts)
        {
            var before = MeanCost(x, y, initial, cost);
            var results = new List<int[]>();
            foreach (var threads in new[] { 1, 2 })
            {
                var matching = Matching(x, y, initial, cost, threads);
                var step = new GlobalSparsePolish(passes: 4, candidates: 8, ballPoints: 16, probes: 4, tolerance: 0, exact: true, warmEpsilon: double.NaN);
                step.Apply(matching, CancellationToken.None);
                var result = Permutation(matching);
                Assert.Equal(Enumerable.Range(0, n), result.Order());
                var after = MeanCost(x, y, result, cost);
                NumericAssert.Close(after, matching.Value, rtol: 1e-12, what: "recorded cost");
                Assert.True(after <= before, $"cost rose from {before} to {after}");
                Assert.True(after >= optimum * (1 - 1e-12), $"cost {after} below the optimum {optimum}");
                results.Add(result);
            }

            Assert.Equal(results[0], results[1]);
        }
    }

    // Same data and options, one thread or two: the same permutation bit for bit (per-row candidate search, single-threaded
    // auction in a fixed order).
    [Fact]
    public void Apply_ThreadCount_SameResult()
    {
        const int n = 1500;
        var cost = new SquaredEuclidean<double>();
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 31, 16, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var initial = new HierarchicalRefinement { LeafSize = 64, Polish = false, Seed = 3 }.Solve(x, y).Permutation;
        foreach (var coarseSize in new[] { 0, 300 })
        {
            var results = new List<int[]>();
            foreach (var threads in new[] { 1, 2, 3 })
            {
                var matching = Matching(x, y, initial, cost, threads);
                new GlobalSparsePolish(passes: 4, candidates: 8, ballPoints: 64, probes: 4, tolerance: 0, coarseSize: coarseSize, seed: 7).Apply(matching, CancellationToken.None);
                results.Add(Permutation(matching));
            }

            Assert.Equal(results[0], results[1]);
            Assert.Equal(results[0], results[2]);
        }
    }

    // Through the solver: the step runs for n > GlobalMinPoints, never raises the cost of the same run without it, keeps a
    // planted permutation exactly, and is refused with negative passes.
    [Fact]
    public void Solve_GlobalPasses_LowersOrKeepsCostAndKeepsPlantedPermutation()
    {
        const int n = 2000;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 41, 16, withTarget: true);
        var baseline = new HierarchicalRefinement { LeafSize = 64, Seed = 41, SlabMaxPoints = 1000, LargeSlabSize = 256 };
        var without = baseline.Solve(sample.Source, sample.Target!);
        var with = (baseline with { GlobalPasses = 4, GlobalMinPoints = 0 }).Solve(sample.Source, sample.Target!);
        Assert.True(with.Cost <= without.Cost, $"{with.Cost} > {without.Cost}");
        Assert.Equal("global", with.PolishSteps[^1].Step);
        Assert.DoesNotContain(without.PolishSteps, s => s.Step == "global");

        var x = sample.Source;
        var planted = Enumerable.Range(0, n).ToArray();
        Seeds.Create(41).Shuffle(planted);
        var data = new double[n * 16];
        for (var i = 0; i < n; i++)
        {
            x.Row(i).CopyTo(data.AsSpan(planted[i] * 16, 16));
        }

        var exact = (baseline with { GlobalPasses = 4, GlobalMinPoints = 0 }).Solve(x, new PointCloud<double>(data, n, 16));
        Assert.Equal(0.0, exact.Cost);
        Assert.Equal(planted, exact.Permutation);

        Assert.Throws<InputValidationException>(() => (baseline with { GlobalPasses = -1 }).Solve(x, sample.Target!));
        Assert.Throws<InputValidationException>(() => (baseline with { GlobalWarmEpsilon = 0 }).Solve(x, sample.Target!));
        Assert.Throws<InputValidationException>(() => (baseline with { GlobalWarmEpsilon = double.PositiveInfinity }).Solve(x, sample.Target!));
    }

    internal static HiRefMatching Matching(PointCloud<double> x, PointCloud<double> y, int[] permutation, ICostFunction<double> cost, int threads)
    {
        var n = x.Count;
        var idxX = Enumerable.Range(0, n).ToArray();
        var idxY = (int[])permutation.Clone();
        var matching = new HiRefMatching(x.Memory, y.Memory, x.Dimension, idxX, idxY, [(0, n)], cost, new ParallelOptions { MaxDegreeOfParallelism = threads }, null, 0);
        matching.Recompute();
        return matching;
    }

    internal static int[] Permutation(HiRefMatching matching)
    {
        var permutation = new int[matching.IndicesX.Length];
        for (var p = 0; p < permutation.Length; p++)
        {
            permutation[matching.IndicesX[p]] = matching.IndicesY[p];
        }

        return permutation;
    }

    private static double[] DenseCost(PointCloud<double> x, PointCloud<double> y, ICostFunction<double> cost)
    {
        var dense = new double[x.Count * y.Count];
        LinearAssignment.FillCost(x.Data, y.Data, x.Dimension, cost, dense);
        return dense;
    }

    internal static double MeanCost(PointCloud<double> x, PointCloud<double> y, int[] permutation, ICostFunction<double> cost)
    {
        var sum = 0.0;
        for (var i = 0; i < permutation.Length; i++)
        {
            sum += cost.Evaluate(x.Row(i), y.Row(permutation[i]));
        }

        return sum / permutation.Length;
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        var a = Enumerable.Range(0, n).ToArray();
        var c = new int[n];
        yield return (int[])a.Clone();
        var i = 0;
        while (i < n)
        {
            if (c[i] < i)
            {
                var j = i % 2 == 0 ? 0 : c[i];
                (a[j], a[i]) = (a[i], a[j]);
                yield return (int[])a.Clone();
                c[i]++;
                i = 0;
            }
            else
            {
                c[i] = 0;
                i++;
            }
        }
    }

    // A synthetic pair, its exact optimum (Jonker–Volgenant) and the two starts of the refinement tests: a seeded random
    // permutation and HiRef's matching without polish.
    private static (ICostFunction<double> Cost, PointCloud<double> X, PointCloud<double> Y, double Optimum, int[][] Starts) Case(SyntheticDataset dataset, int d, string costName, int n, int seed)
    {
        var cost = CostFunction.Parse<double>(costName);
        var sample = SyntheticData.Generate(dataset, n, seed, d, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var optimum = LinearAssignment.Solve(DenseCost(x, y, cost), n, n).TotalCost / n;
        var start = Enumerable.Range(0, n).ToArray();
        Seeds.Create(seed).Shuffle(start);
        var hiref = new HierarchicalRefinement { Cost = cost, LeafSize = 32, Polish = false, Seed = seed }.Solve(x, y).Permutation;
        return (cost, x, y, optimum, [start, hiref]);
    }
}
