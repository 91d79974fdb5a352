using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>
/// Issue 12 items 4 and 5: the low-rank solvers' answers do not depend on the units of the coordinates (cost scaling),
/// zero weights are handled, and a blow-up is reported as Diverged.
/// </summary>
public class LowRankUnitsTests
{
    public static TheoryData<string, string> MethodsAndData => new()
    {
        { "frlc", "pca" },
        { "frlc", "um" },
        { "lowrank-sinkhorn", "pca" },
        { "lowrank-sinkhorn", "um" },
    };

    private static (PointCloud<double> X, PointCloud<double> Y) Data(string data, int n) => data == "pca"
        ? UnitsData.PcaLike(n, 3)
        : UnitsData.Micrometres(n, 3);

    private static LowRankResult Solve(string method, LinearProblem<double> problem, CostScale scale) => method == "frlc"
        ? new Frlc { Rank = 6, Seed = 2, ScaleCost = scale }.Solve(problem)
        : new LowRankSinkhorn { Rank = 6, Seed = 2, ScaleCost = scale }.Solve(problem);

    [Theory]
    [MemberData(nameof(MethodsAndData))]
    public void Solve_ChangeOfUnits_SamePlanAndCostScalesBySquare(string method, string data)
    {
        // Property oracle: x, y → s·x, s·y multiplies every squared Euclidean cost by s², so with the default mean
        // scaling the solver sees the same C / s_mean and must return the same plan, with costs multiplied by s².
        const int n = 150;
        var (x, y) = Data(data, n);
        var reference = Solve(method, LinearProblem<double>.FromPointClouds(x, y), CostScale.Mean);
        Assert.NotEqual(SolverStatus.Diverged, reference.Convergence.Status);
        var plan = reference.ToDense();
        var peak = plan.Max();
        foreach (var s in new[] { 1e-3, 1e3 })
        {
            var scaled = Solve(method, LinearProblem<double>.FromPointClouds(UnitsData.Scaled(x, s), UnitsData.Scaled(y, s)), CostScale.Mean);
            NumericAssert.Close(plan, scaled.ToDense(), rtol: 0, atol: 1e-6 * peak, what: $"plan at units ×{s}");
            NumericAssert.Close(s * s * reference.Cost, scaled.Cost, rtol: 1e-6, what: $"cost at units ×{s}");
            NumericAssert.Close(s * s * reference.CostScale, scaled.CostScale, rtol: 1e-9, what: $"cost scale at units ×{s}");
            Assert.Equal(reference.Convergence.Status, scaled.Convergence.Status);
        }

        // The scale is the mean cost (closed form from the factors; brute-force oracle here) and the cost is ⟨C, P⟩
        // of the returned plan in the input's units.
        var c = LowRankTestData.DenseCost(x, y, 2);
        NumericAssert.Close(c.Average(), reference.CostScale, rtol: 1e-9, what: "mean cost");
        NumericAssert.Close(LowRankTestData.Dot(c, plan), reference.Cost, rtol: 1e-9, what: "⟨C, P⟩");
    }

    [Theory]
    [InlineData("frlc")]
    [InlineData("lowrank-sinkhorn")]
    public void Solve_FixedScale_DividesByIt(string method)
    {
        // A fixed divisor equal to the mean gives the mean-scaled run (same C / s); none reports scale 1.
        var (x, y) = UnitsData.Micrometres(80, 5);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var mean = Solve(method, problem, CostScale.Mean);
        var fixedScale = Solve(method, problem, CostScale.Fixed(mean.CostScale));
        NumericAssert.Close(mean.Cost, fixedScale.Cost, rtol: 1e-9);
        Assert.Equal(mean.CostScale, fixedScale.CostScale);
        Assert.Equal(1.0, Solve(method, problem, CostScale.None).CostScale);
    }

    [Theory]
    [InlineData("frlc")]
    [InlineData("lowrank-sinkhorn")]
    public void Solve_HugeCostsWithoutScaling_DivergedNotMaxIterations(string method)
    {
        // Costs near 1e300: unscaled products overflow. The status must say so (Diverged), never MaxIterations or
        // Converged; the default mean scaling solves the same problem.
        const int n = 40;
        var rng = Seeds.Create(11);
        var c = new double[n * n];
        for (var k = 0; k < c.Length; k++)
        {
            c[k] = 1e300 * (0.5 + rng.NextDouble());
        }

        var problem = new LinearProblem<double>(new DenseGeometry<double>(c, n, n));
        var unscaled = Solve(method, problem, CostScale.None);
        if (method == "frlc")
        {
            // frlc branch: the Diverged status of FRLC here came from its Δ test, γ_k⁻² (dQ + dR + dT) with γ_k ≈ 1e-298,
            // whose square underflowed to 0 (Δ = ∞), not from the products. Δ is now relative to the mean cost, the
            // run is finite, and the property left is: Diverged, or a finite cost and valid marginals.
            FrlcUnitInvarianceTests.AssertDivergedOrAValidAnswer(unscaled);
        }
        else
        {
            Assert.Equal(SolverStatus.Diverged, unscaled.Convergence.Status);
        }

        var scaled = Solve(method, problem, CostScale.Mean);
        Assert.NotEqual(SolverStatus.Diverged, scaled.Convergence.Status);
        Assert.True(double.IsFinite(scaled.Cost) && scaled.Cost >= 0.5e300, $"cost {scaled.Cost}");
    }

    public static TheoryData<LowRankInitialization, bool> ZeroWeightCases => new()
    {
        { LowRankInitialization.Rank2, true },
        { LowRankInitialization.Random, true },
        { LowRankInitialization.KMeans, true },
        { LowRankInitialization.Rank2, false },
        { LowRankInitialization.Random, false },
    };

    // factored: the point cloud (exact squared Euclidean factors, points for k-means, as OTT's PointCloud); otherwise a
    // dense cost matrix (OTT's use_lrcgeom = False reads the cost through the geometry's products).

    /// <summary>OTT-JAX sinkhorn_lr_test.py setUp: n = 23, m = 27, d = 4 uniform points, uniform random weights with a[0] = b[3] = 0.</summary>
    private static (PointCloud<double> X, PointCloud<double> Y, double[] A, double[] B) OttZeroWeightData()
    {
        const int n = 23, m = 27, d = 4;
        var rng = Seeds.Create(23);
        var x = LowRankTestData.Uniform(n, d, rng);
        var y = LowRankTestData.Uniform(m, d, rng);
        var a = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var b = Enumerable.Range(0, m).Select(_ => rng.NextDouble()).ToArray();
        a[0] = 0;
        b[3] = 0;
        var (sa, sb) = (a.Sum(), b.Sum());
        return (x, y, a.Select(v => v / sa).ToArray(), b.Select(v => v / sb).ToArray());
    }

    private static (double Exact, double Independent) Oracles(PointCloud<double> x, PointCloud<double> y, double[] a, double[] b)
    {
        var c = LowRankTestData.DenseCost(x, y, 2);
        var independent = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < b.Length; j++)
            {
                independent += a[i] * b[j] * c[(i * b.Length) + j];
            }
        }

        return (new NetworkSimplex().Solve(new LinearProblem<double>(new DenseGeometry<double>(c, x.Count, y.Count), a, b)).Cost, independent);
    }

    [Theory]
    [MemberData(nameof(ZeroWeightCases))]
    public void LowRankSinkhorn_ZeroWeights_ConvergesWithZeroMassThere(LowRankInitialization init, bool factored)
    {
        // Port of OTT-JAX test_euclidean_point_cloud_lr (rank 10, threshold 1e-3, ε = 0; LRC geometry or point cloud),
        // data rebuilt with our seeded stream. Oracle: the full-rank optimum from the network simplex.
        var (x, y, a, b) = OttZeroWeightData();
        CostGeometry<double> geometry = factored
            ? PointCloudGeometry.Create(x, y, default(Monge.Geometry.Costs.SquaredEuclidean<double>))
            : new DenseGeometry<double>(LowRankTestData.DenseCost(x, y, 2), x.Count, y.Count);
        var problem = new LinearProblem<double>(geometry, a, b);
        var result = new LowRankSinkhorn { Rank = 10, Threshold = 1e-3, Initialization = init, Seed = 1 }.Solve(problem);
        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        CheckZeroWeightPlan(result, a, b, Oracles(x, y, a, b), 2e-3);
    }

    [Theory]
    [MemberData(nameof(ZeroWeightCases))]
    public void Frlc_ZeroWeights_ConvergesWithZeroMassThere(LowRankInitialization init, bool factored)
    {
        var (x, y, a, b) = OttZeroWeightData();
        CostGeometry<double> geometry = factored
            ? PointCloudGeometry.Create(x, y, default(Monge.Geometry.Costs.SquaredEuclidean<double>))
            : new DenseGeometry<double>(LowRankTestData.DenseCost(x, y, 2), x.Count, y.Count);
        var problem = new LinearProblem<double>(geometry, a, b);
        var result = new Frlc { Rank = 10, Initialization = init, Seed = 1 }.Solve(problem);
        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        // FRLC's Q/R projections stop at 1% of the step's violation and T ends on its column update (docs/lowrank.md), so
        // its marginal error is a few 1e-3 here, against LR-Sinkhorn's Dykstra tolerance of 1e-3.
        CheckZeroWeightPlan(result, a, b, Oracles(x, y, a, b), 5e-3);
    }

    private static void CheckZeroWeightPlan(LowRankResult result, double[] a, double[] b, (double Exact, double Independent) oracles, double marginalTolerance)
    {
        var (exact, independent) = oracles;
        Assert.True(independent > 2 * exact, $"independent {independent} vs exact {exact}");
        var rows = result.SourceMarginal;
        var cols = result.TargetMarginal;
        Assert.Equal(0.0, rows[0]);
        Assert.Equal(0.0, cols[3]);
        var plan = result.ToDense();
        for (var j = 0; j < b.Length; j++)
        {
            Assert.Equal(0.0, plan[j]);
        }

        Assert.True(result.MarginalError < marginalTolerance, $"marginal error {result.MarginalError}");
        NumericAssert.Close(DenseLinearAlgebraL1(rows, a) + DenseLinearAlgebraL1(cols, b), result.MarginalError, rtol: 1e-9, what: "reported marginal error");

        // A feasible plan cannot beat the exact optimum (up to its marginal error). A rank-10 coupling of 22 × 26
        // random points in 4-D cannot reach it either: 1.30–1.37 × exact was measured for every initialisation, so
        // 1.4 × bounds "close to the full-rank optimum" for this size (the independent coupling is above 2 ×).
        Assert.True(result.Cost >= exact * (1 - 1e-2), $"cost {result.Cost} below exact {exact}");
        Assert.True(result.Cost <= 1.4 * exact, $"cost {result.Cost} vs exact {exact}");
    }

    private static double DenseLinearAlgebraL1(double[] x, double[] y) => x.Zip(y, (u, v) => Math.Abs(u - v)).Sum();
}
