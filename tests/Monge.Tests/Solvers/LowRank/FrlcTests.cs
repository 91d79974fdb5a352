using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

public class FrlcTests
{
    private static (PointCloud<double> X, PointCloud<double> Y, double[] C) Moons(int n, int p, int seed = 0)
    {
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, seed);
        return (x, y, LowRankTestData.DivideByMax(LowRankTestData.DenseCost(x, y, p)));
    }

    [Fact]
    public void Solve_Balanced_MarginalsHoldAndReportedErrorsAreExact()
    {
        const int n = 120;
        var (_, _, c) = Moons(n, 1);
        var result = new Frlc { Rank = 12, Seed = 1 }.Solve(LowRankCost.Dense(c, n, n));
        var plan = result.Coupling.ToDense();
        var rows = EntropicProjectionTests.Sums(plan, n, n, byColumn: false);
        var cols = EntropicProjectionTests.Sums(plan, n, n, byColumn: true);
        var a = 1.0 / n;
        NumericAssert.Close(rows.Sum(x => Math.Abs(x - a)), result.SourceMarginalError, rtol: 1e-9, atol: 1e-15, what: "reported ‖P1−a‖₁");
        NumericAssert.Close(cols.Sum(x => Math.Abs(x - a)), result.TargetMarginalError, rtol: 1e-9, atol: 1e-15, what: "reported ‖Pᵀ1−b‖₁");
        Assert.True(result.SourceMarginalError < 2e-3, $"source error {result.SourceMarginalError}");
        Assert.True(result.TargetMarginalError < 2e-3, $"target error {result.TargetMarginalError}");
        NumericAssert.Close(1.0, plan.Sum(), rtol: 1e-9, what: "total mass");
        // Entries may underflow to 0 (FRLC clusters sharply; log Q is kept exactly inside), never negative or NaN.
        Assert.All(result.Q.ToArray(), v => Assert.True(v >= 0 && double.IsFinite(v)));
        Assert.All(result.R.ToArray(), v => Assert.True(v >= 0 && double.IsFinite(v)));
        Assert.All(result.T.ToArray(), v => Assert.True(v >= 0 && double.IsFinite(v)));

        // T ∈ Π(g_Q, g_R): its column sums are exact (the projection ends on the columns).
        var tCols = EntropicProjectionTests.Sums(result.T.ToArray(), 12, 12, byColumn: true);
        var gr = result.TargetInnerMarginal.ToArray();
        var grSum = gr.Sum();
        NumericAssert.Close(gr.Select(v => v / grSum).ToArray(), tCols, atol: 1e-10, what: "Tᵀ1 = g_R");
    }

    [Fact]
    public void Solve_CostIsTheDensePrimalCostAndBelowTheIndependentCoupling()
    {
        const int n = 100;
        var (_, _, c) = Moons(n, 2, seed: 3);
        var cost = LowRankCost.Dense(c, n, n);
        var result = new Frlc { Rank = 10, Seed = 2 }.Solve(cost);
        var plan = result.Coupling.ToDense();
        NumericAssert.Close(LowRankTestData.Dot(c, plan), result.Cost, rtol: 1e-10, what: "⟨C,P⟩");
        NumericAssert.Close(result.Cost, result.Coupling.PrimalCost(cost), rtol: 1e-12);
        var independent = c.Sum() / ((double)n * n);
        Assert.True(result.Cost < independent, $"cost {result.Cost} vs independent {independent}");
        Assert.True(result.Cost <= result.ObjectiveTrace[0] + 1e-12, "cost increased from the initial value");
        Assert.Equal(result.Convergence.Iterations + 1, result.ObjectiveTrace.Count);
        Assert.Equal(result.Convergence.Iterations, result.Convergence.ErrorTrace.Count);
    }

    [Fact]
    public void Solve_FullRank_ApproachesExactCost()
    {
        // r = n: the low-rank set contains every coupling; the reference gets within ~1% at r = 100, n = 500.
        // Oracle: POT's ot.emd2 on the same points and cost (tests/fixtures/lowrank_fullrank_moons_n60.npz).
        var problem = LowRankTestData.LoadExact("lowrank_fullrank_moons_n60");
        var n = problem.N;
        var exact = problem.Exact;
        var result = new Frlc { Rank = n, Seed = 5 }.Solve(LowRankCost.Dense(problem.Cost, n, n));
        Assert.True(result.Cost >= exact * (1 - 1e-3), $"cost {result.Cost} below the exact {exact} beyond the marginal slack");
        Assert.True(result.Cost <= exact * 1.02, $"cost {result.Cost} vs exact {exact}: ratio {result.Cost / exact}");
    }

    [Fact]
    public void Solve_PlantedClusters_ReachesTheBlockOptimumAndTheExactCost()
    {
        // Four tight, well-separated clusters matched to four shifted copies (tests/fixtures/lowrank_planted_blocks_n60.npz).
        // The exact plan (POT ot.emd2) moves each cluster onto its copy; the best rank-4 coupling is (up to within-cluster
        // effects of order σ²) the block-independent coupling, whose cost `block` the fixture also holds.
        var problem = LowRankTestData.LoadExact("lowrank_planted_blocks_n60");
        var (x, y, c) = (problem.X, problem.Y, problem.Cost);
        var exact = problem.Exact;
        var block = problem.Fixture.Scalar("block");
        var factored = LowRankCost.SquaredEuclideanFactors(x, y);
        NumericAssert.Close(c[(7 * problem.N) + 31], factored.Entry(7, 31), rtol: 1e-10, what: "factored cost = fixture cost");
        foreach (var init in new[] { LowRankInitialization.KMeans, LowRankInitialization.Random })
        {
            var result = new Frlc { Rank = 4, Seed = 3, Initialization = init }.Solve(factored);
            Assert.True(result.Cost <= block * (1 + 1e-3), $"{init}: cost {result.Cost} vs block optimum {block}");
            Assert.True(result.Cost >= exact * (1 - 1e-3), $"{init}: cost {result.Cost} below exact {exact}");
            Assert.True(result.Cost <= exact * 1.01, $"{init}: cost {result.Cost} vs exact {exact}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Solve_InnerToleranceStop_KeepsTheObjectiveAndTheMarginalsOfRunsToTheCap(int andersonMemory)
    {
        // The default inner stop (row marginal error ≤ 1e-2 × the first sweep's, or ≤ 1e-6) against every Q/R projection
        // run to its cap of 500 (tolerances off): same objective to 0.3%, marginal errors within the §8 bound of 2e-3.
        // Plain sweeps (the default since stop 21) and Anderson-accelerated projections (the default before).
        var problem = LowRankTestData.LoadExact("lowrank_demo_moons_n500");
        var n = problem.N;
        var cost = LowRankCost.Dense(problem.Cost, n, n);
        var solver = new Frlc { Rank = 20, Seed = 2, ProjectionAndersonMemory = andersonMemory };
        var stopped = solver.Solve(cost);
        var capped = (solver with { ProjectionTolerance = 0, ProjectionRelativeTolerance = 0 }).Solve(cost);
        NumericAssert.Close(capped.Cost, stopped.Cost, rtol: 3e-3, what: "objective with the inner stop vs run to the cap");
        Assert.True(stopped.Cost < problem.Exact * 1.1, $"cost {stopped.Cost} vs exact {problem.Exact}");
        Assert.True(stopped.SourceMarginalError < 2e-3 && stopped.TargetMarginalError < 2e-3, $"errors {stopped.SourceMarginalError}, {stopped.TargetMarginalError}");
        Assert.True(capped.SourceMarginalError < 2e-3 && capped.TargetMarginalError < 2e-3, $"errors {capped.SourceMarginalError}, {capped.TargetMarginalError}");
        Assert.Equal(SolverStatus.Converged, stopped.Convergence.Status);

        // The stop saves inner work (capped runs end on the cap or on the 1e-9 dual-change test): more than half with
        // Anderson; plain sweeps contract only by 0.9–0.97 per sweep, so their stop saves about a third (16 150 vs 25 000).
        Assert.True(stopped.ProjectionSweeps < capped.ProjectionSweeps / (andersonMemory > 0 ? 2.0 : 1.25), $"sweeps {stopped.ProjectionSweeps} vs {capped.ProjectionSweeps}");
        Assert.True(capped.ProjectionSweeps <= 2L * 500 * capped.Convergence.Iterations);
    }

    [Fact]
    public void Solve_DenseFactoredAndOnline_AgreeOnTheSameSeed()
    {
        const int n = 80;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 7);
        var c = LowRankTestData.DenseCost(x, y, 2);
        var solver = new Frlc { Rank = 8, Seed = 9, MaxIterations = 30 };
        var dense = solver.Solve(LowRankCost.Dense(c, n, n));
        var factored = solver.Solve(LowRankCost.SquaredEuclideanFactors(x, y));
        var geometryFactored = solver.Solve(LowRankCost.FromGeometry(PointCloudGeometry.SquaredEuclidean(x, y)));
        var online = solver.Solve(LowRankCost.FromGeometry(PointCloudGeometry.SquaredEuclidean(x, y), useFactors: false));
        var lowRankGeometry = solver.Solve(LowRankCost.FromGeometry(LowRankGeometry<double>.SquaredEuclidean(x, y)));
        var pointClouds = solver.Solve(LowRankCost.PointClouds(x, y));
        foreach (var other in new[] { factored, geometryFactored, online, lowRankGeometry, pointClouds })
        {
            NumericAssert.Close(dense.Q, other.Q, rtol: 1e-7, atol: 1e-12, what: "Q");
            NumericAssert.Close(dense.R, other.R, rtol: 1e-7, atol: 1e-12, what: "R");
            NumericAssert.Close(dense.Cost, other.Cost, rtol: 1e-9, what: "cost");
        }
    }

    [Fact]
    public void Solve_FactoredSubset_EqualsTheSubproblemBuiltFromTheSubsetPoints()
    {
        var (x, y) = LowRankTestData.EightGaussiansMoons(90, 8);
        var rows = Enumerable.Range(0, 90).Where(i => i % 3 != 0).ToArray();
        var cols = Enumerable.Range(0, 90).Where(j => j % 2 == 0).Take(rows.Length).ToArray();
        var full = LowRankCost.FromGeometry(LowRankGeometry<double>.SquaredEuclidean(x, y));
        var factors = GetFactors(x, y);
        var subset = LowRankCost.Factored(factors.A, factors.B, factors.Rank, rows, cols);
        var direct = LowRankCost.SquaredEuclideanFactors(x.Subset(rows), y.Subset(cols));
        NumericAssert.Close(direct.Entry(3, 5), subset.Entry(3, 5), rtol: 1e-12);
        Assert.Equal(90, full.Rows);
        var solver = new Frlc { Rank = 5, Seed = 4, MaxIterations = 20 };
        var a = solver.Solve(subset);
        var b = solver.Solve(direct);
        NumericAssert.Close(b.Q, a.Q, rtol: 1e-7, atol: 1e-12, what: "Q");
        NumericAssert.Close(b.Cost, a.Cost, rtol: 1e-9);
    }

    private static LowRankFactors<double> GetFactors(PointCloud<double> x, PointCloud<double> y)
    {
        Assert.True(LowRankGeometry<double>.SquaredEuclidean(x, y).TryGetFactors(out var f));
        return f!;
    }

    [Fact]
    public void Solve_SameSeedReproducesUpToRounding_DifferentSeedsDiffer()
    {
        const int n = 50;
        var (_, _, c) = Moons(n, 1, seed: 2);
        var cost = LowRankCost.Dense(c, n, n);
        var r1 = new Frlc { Rank = 5, Seed = 1 }.Solve(cost);
        var r2 = new Frlc { Rank = 5, Seed = 1 }.Solve(cost);
        var r3 = new Frlc { Rank = 5, Seed = 2 }.Solve(cost);
        // Vectorised sums may round differently with array alignment, so runs agree to rounding, not bit for bit.
        NumericAssert.Close(r1.Q, r2.Q, rtol: 1e-9, atol: 1e-15);
        NumericAssert.Close(r1.Cost, r2.Cost, rtol: 1e-12);
        var diff = r1.Q.ToArray().Zip(r3.Q.ToArray(), (u, v) => Math.Abs(u - v)).Max();
        Assert.True(diff > 1e-4, $"seeds 1 and 2 gave the same Q (max diff {diff})");
    }

    [Theory]
    [InlineData("left")]
    [InlineData("right")]
    [InlineData("both")]
    public void Solve_Relaxations_KeepTheHardSideAndRelaxTheSoftSide(string relaxedSide)
    {
        const int n = 80;
        var (_, _, c) = Moons(n, 1, seed: 5);
        var balanced = new Frlc { Rank = 8, Seed = 3 }.Solve(LowRankCost.Dense(c, n, n));
        var soft = 0.05;
        var inf = double.PositiveInfinity;
        var relaxation = relaxedSide switch
        {
            "left" => Relaxation.FromRho(soft, inf),
            "right" => Relaxation.FromRho(inf, soft),
            _ => Relaxation.FromRho(soft, soft),
        };
        // Same cost as the internal (unscaled) balanced run: no rescaling, so ρ = 0.05 is in the units of c for both.
        var relaxed = new Frlc { Rank = 8, Seed = 3, ScaleCost = CostScale.None }.Solve(new LinearProblem<double>(new DenseGeometry<double>(c, n, n), relaxation: relaxation));
        var plan = relaxed.Coupling.ToDense();
        NumericAssert.Close(1.0, plan.Sum(), rtol: 1e-9, what: "latent-coupling mass");
        if (relaxedSide == "left")
        {
            Assert.True(relaxed.TargetMarginalError < 0.1 * relaxed.SourceMarginalError, $"hard target side error {relaxed.TargetMarginalError} vs soft {relaxed.SourceMarginalError}");
            Assert.True(relaxed.SourceMarginalError > 10 * balanced.SourceMarginalError, "the source side is not relaxed");
        }
        else if (relaxedSide == "right")
        {
            Assert.True(relaxed.SourceMarginalError < 0.1 * relaxed.TargetMarginalError, $"hard source side error {relaxed.SourceMarginalError} vs soft {relaxed.TargetMarginalError}");
            Assert.True(relaxed.TargetMarginalError > 10 * balanced.TargetMarginalError, "the target side is not relaxed");
        }
        else
        {
            Assert.True(relaxed.SourceMarginalError + relaxed.TargetMarginalError > 10 * (balanced.SourceMarginalError + balanced.TargetMarginalError));
        }

        // Relaxing a marginal enlarges the feasible set: with a soft penalty the transport cost goes down.
        Assert.True(relaxed.Cost < balanced.Cost, $"relaxed {relaxed.Cost} vs balanced {balanced.Cost}");
    }

    [Theory]
    [InlineData("left", 0.26003841736922734, 0.0017055878060685259, 8.377871842662858E-05)]
    [InlineData("right", 0.26003230295579044, 0.0013191851797126723, 0.0010147160352395514)]
    [InlineData("both", 0.2599692897496432, 0.002556957602364846, 0.0010224422866226685)]
    public void Solve_RelaxationFromRho50_ReproducesTheFormerTauOut50(string relaxedSide, double cost, double sourceError, double targetError)
    {
        // Expected values: the same runs before the one Relaxation type (Frlc { Relaxation = SemiRelaxedLeft /
        // SemiRelaxedRight / Unbalanced, TauOut = 50 } on LowRankCost.Dense), recorded at commit 1fd9198.
        const int n = 80;
        var (_, _, c) = Moons(n, 1, seed: 5);
        var inf = double.PositiveInfinity;
        var relaxation = relaxedSide switch
        {
            "left" => Relaxation.FromRho(50, inf),
            "right" => Relaxation.FromRho(inf, 50),
            _ => Relaxation.FromRho(50, 50),
        };
        // The defaults of then (the reference FRLC_opt's inner relaxation and stop, Anderson-accelerated projections),
        // pinned: the defaults changed afterwards (docs/lowrank.md, "FRLC defaults", "Stop 21 (frlcinv)"), and this test
        // is about the relaxation convention.
        var solver = new Frlc
        {
            Rank = 8,
            Seed = 3,
            ProjectionAndersonMemory = 5,
            InnerRelaxation = Relaxation.FromRho(50, 50),
            InnerRelaxationDelay = 0,
            InnerRelaxationFallback = false,
            ObjectiveTolerance = 0,
            Threshold = 1e-5,
        };

        // Same marginals as then (uniform, not renormalised): the former results to rounding. Vectorised sums round
        // differently with array alignment and the inner stopping rule amplifies that (runs of one build differ by
        // ~1e-8 in the cost), so the comparison is to 1e-6, not bit for bit.
        var same = solver.SolveCost(LowRankCost.Dense(c, n, n), null, null, relaxation, null, null, default);
        NumericAssert.Close(cost, same.Cost, rtol: 1e-6, what: "cost");
        NumericAssert.Close(sourceError, same.SourceMarginalError, rtol: 1e-2, what: "‖P1 − a‖₁");
        NumericAssert.Close(targetError, same.TargetMarginalError, rtol: 1e-2, what: "‖Pᵀ1 − b‖₁");
        Assert.Equal(25, same.Convergence.Iterations);

        // Through the public problem API (weights normalised once more: last-bit differences, amplified alike), on the
        // cost as recorded then (no rescaling: the relaxation is read at ε of the unscaled cost).
        var result = (solver with { ScaleCost = CostScale.None }).Solve(new LinearProblem<double>(new DenseGeometry<double>(c, n, n), relaxation: relaxation));
        NumericAssert.Close(cost, result.Cost, rtol: 1e-6, what: "cost");
        NumericAssert.Close(sourceError, result.SourceMarginalError, rtol: 1e-2, what: "‖P1 − a‖₁");
        NumericAssert.Close(targetError, result.TargetMarginalError, rtol: 1e-2, what: "‖Pᵀ1 − b‖₁");
        Assert.Equal(25, result.Convergence.Iterations);
    }

    [Fact]
    public void Solve_InitialStateGiven_IsUsedAndRectangularRanksWork()
    {
        const int n = 40;
        const int m = 30;
        var rng = Seeds.Create(3);
        var x = LowRankTestData.Uniform(n, 2, rng);
        var y = LowRankTestData.Uniform(m, 2, rng);
        var cost = LowRankCost.SquaredEuclideanFactors(x, y);
        var q = Enumerable.Range(0, n * 4).Select(_ => rng.NextDouble() + 0.1).ToArray();
        var r = Enumerable.Range(0, m * 3).Select(_ => rng.NextDouble() + 0.1).ToArray();
        var t = Enumerable.Range(0, 12).Select(_ => rng.NextDouble() + 0.1).ToArray();
        var solver = new Frlc { Rank = 4, LatentRank = 3, MaxIterations = 10, MinIterations = 10 };
        var s1 = solver.Solve(cost, null, null, new FrlcInitialState(q, r, t));
        var s2 = (solver with { Seed = 77 }).Solve(cost, null, null, new FrlcInitialState(q, r, t));
        NumericAssert.Close(s1.Q, s2.Q, rtol: 1e-9, atol: 1e-15);
        Assert.Equal(4 * 3, s1.T.Length);
        Assert.Equal(m * 3, s1.R.Length);
        Assert.Equal(10, s1.Convergence.Iterations);
    }

    [Fact]
    public void Products_AgreeWithTheDensePlan()
    {
        const int n = 45;
        const int m = 38;
        var rng = Seeds.Create(4);
        var x = LowRankTestData.Uniform(n, 3, rng);
        var y = LowRankTestData.Uniform(m, 3, rng);
        var result = new Frlc { Rank = 5, LatentRank = 4, Seed = 8, MaxIterations = 30 }.Solve(LowRankCost.SquaredEuclideanFactors(x, y));
        var coupling = result.Coupling;
        var plan = coupling.ToDense();
        var v = Enumerable.Range(0, m).Select(_ => rng.NextDouble()).ToArray();
        var u = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var pv = new double[n];
        var ptu = new double[m];
        coupling.ApplyPlan(v, pv);
        coupling.ApplyPlanTranspose(u, ptu);
        var expectedPv = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, m).Sum(j => plan[(i * m) + j] * v[j])).ToArray();
        var expectedPtu = Enumerable.Range(0, m).Select(j => Enumerable.Range(0, n).Sum(i => plan[(i * m) + j] * u[i])).ToArray();
        NumericAssert.Close(expectedPv, pv, rtol: 1e-12, atol: 1e-17, what: "P v");
        NumericAssert.Close(expectedPtu, ptu, rtol: 1e-12, atol: 1e-17, what: "Pᵀ u");
        NumericAssert.Close(plan[(7 * m) + 3], coupling.Entry(7, 3), rtol: 1e-12);

        // Diagonal form: the same plan, with inner matrix diag(1/g_R).
        var diagonal = result.Diagonalize();
        NumericAssert.Close(plan, diagonal.ToDense(), rtol: 1e-12, atol: 1e-18, what: "diagonalised plan");
        Assert.Equal(4, diagonal.Rank);

        // Hard map: row argmax of the dense plan.
        var map = coupling.HardMap();
        for (var i = 0; i < n; i++)
        {
            var row = plan.AsSpan(i * m, m);
            Assert.Equal(row.IndexOf(row.ToArray().Max()), map[i]);
        }

        // Clusters and barycentres.
        var labels = result.SourceClusters();
        Assert.Equal(n, labels.Length);
        Assert.All(labels, l => Assert.InRange(l, 0, 4));
        var bary = coupling.SourceBarycenters(x);
        var q = result.Q.ToArray();
        for (var k = 0; k < 5; k++)
        {
            var mass = Enumerable.Range(0, n).Sum(i => q[(i * 5) + k]);
            for (var dim = 0; dim < 3; dim++)
            {
                var expected = Enumerable.Range(0, n).Sum(i => q[(i * 5) + k] * x.Row(i)[dim]) / mass;
                NumericAssert.Close(expected, bary[(k * 3) + dim], rtol: 1e-12);
            }
        }

        Assert.Throws<InvalidOperationException>(() => coupling.ToDense(maxEntries: 100));
    }

    [Fact]
    public void Solve_Cancelled_ReturnsCancelledStatus()
    {
        var (_, _, c) = Moons(30, 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = new Frlc { Rank = 3 }.Solve(LowRankCost.Dense(c, 30, 30), cancellationToken: cts.Token);
        Assert.Equal(SolverStatus.Cancelled, result.Convergence.Status);
        Assert.Equal(0, result.Convergence.Iterations);
    }

    [Fact]
    public void Solve_ReportsProgressOncePerIteration()
    {
        var (_, _, c) = Moons(30, 1);
        var reports = new List<SolverProgress>();
        var result = new Frlc { Rank = 3, MaxIterations = 7, MinIterations = 7 }.Solve(LowRankCost.Dense(c, 30, 30), progress: new SyncProgress(reports));
        Assert.Equal(7, reports.Count);
        Assert.Equal("frlc", reports[0].Stage);
        Assert.Equal(7, result.Convergence.Iterations);
        Assert.Equal(result.Convergence.ErrorTrace[^1], reports[^1].Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(31)]
    public void Solve_InvalidRank_Throws(int rank)
    {
        var (_, _, c) = Moons(30, 1);
        var e = Assert.Throws<InputValidationException>(() => new Frlc { Rank = rank }.Solve(LowRankCost.Dense(c, 30, 30)));
        Assert.Equal(InputProblem.InvalidParameter, e.Problem);
        Assert.Contains("Rank", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_BadInputs_Throw()
    {
        var (x, y, c) = Moons(30, 1);
        var cost = LowRankCost.Dense(c, 30, 30);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => new Frlc { Rank = 3 }.Solve(cost, new double[29])).Problem);
        var negative = Enumerable.Repeat(1.0, 30).ToArray();
        negative[4] = -1;
        Assert.Equal(InputProblem.NegativeWeight, Assert.Throws<InputValidationException>(() => new Frlc { Rank = 3 }.Solve(cost, negative)).Problem);
        Assert.Equal(InputProblem.MassMismatch, Assert.Throws<InputValidationException>(() => new Frlc { Rank = 3 }.Solve(cost, Enumerable.Repeat(1.0, 30).ToArray(), Enumerable.Repeat(2.0, 30).ToArray())).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new Frlc { Rank = 3, Gamma = 0 }.Solve(cost)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new Frlc { Rank = 3, InnerRelaxation = Relaxation.FromRho(-1, -1) }.Solve(cost)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new Frlc { Rank = 3, Initialization = LowRankInitialization.KMeans }.Solve(cost)).Problem);
        var bad = (double[])c.Clone();
        bad[17] = double.NaN;
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => LowRankCost.Dense(bad, 30, 30)).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => LowRankCost.Dense(c, 30, 31)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => LowRankCost.Factored(new double[8], new double[8], 2, [0, 4])).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => new Frlc { Rank = 3 }.Solve(cost, null, null, new FrlcInitialState(new double[5], new double[90], new double[9]))).Problem);
        _ = x;
        _ = y;
    }

    [Fact]
    public void Solve_WithSemiRelaxedUnequalMasses_NormalisesTheMarginals()
    {
        var (_, _, c) = Moons(30, 1);
        var a = Enumerable.Repeat(2.0, 30).ToArray();
        var result = new Frlc { Rank = 3 }.Solve(new LinearProblem<double>(new DenseGeometry<double>(c, 30, 30), a, relaxation: Relaxation.FromRho(50, 50)));
        NumericAssert.Close(1.0, result.Coupling.TotalMass, rtol: 1e-9);
    }

    [Theory]
    [InlineData(LowRankInitialization.Random)]
    [InlineData(LowRankInitialization.Rank2)]
    [InlineData(LowRankInitialization.KMeans)]
    public void Solve_EveryInitialization_BeatsTheIndependentCoupling(LowRankInitialization init)
    {
        const int n = 60;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 6);
        var cost = LowRankCost.SquaredEuclideanFactors(x, y);
        var result = new Frlc { Rank = 6, Initialization = init, Seed = 2 }.Solve(cost);
        var c = LowRankTestData.DenseCost(x, y, 2);
        Assert.True(result.Cost < c.Sum() / (n * n) * 0.7, $"{init}: cost {result.Cost}");
        Assert.True(result.SourceMarginalError < 5e-3 && result.TargetMarginalError < 5e-3, $"{init}: errors {result.SourceMarginalError}, {result.TargetMarginalError}");
    }

    private sealed class SyncProgress(List<SolverProgress> sink) : IProgress<SolverProgress>
    {
        public void Report(SolverProgress value) => sink.Add(value);
    }
}
