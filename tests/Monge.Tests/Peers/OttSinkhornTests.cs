using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Tests.Peers;

/// <summary>
/// Cases ported from OTT-JAX's tests/solvers/linear/sinkhorn_test.py. OTT draws its data with jax.random; the fixture
/// (peers_ott_sinkhorn, convention 1 = KL(P | a⊗b)) keeps the set-up (17 and 29 uniform points in [0, 1]⁴, uniform random
/// weights with a[0] = b[3] = 0) and draws it with a seeded NumPy generator; expectations come from POT 0.8.2.
/// </summary>
public class OttSinkhornTests
{
    private static readonly Sinkhorn Tight = new() { Threshold = 1e-11, MaxIterations = 100_000, InnerIterations = 5 };

    // For ε ≤ 0.015·mean C: over-relaxation and ε-scaling reach the threshold in a few thousand iterations.
    private static readonly Sinkhorn SmallEpsilon = new() { Threshold = 1e-10, MaxIterations = 100_000, Momentum = 1.5, EpsilonScaling = new EpsilonScaling(100, 0.9) };

    // test_diag_sum's ε = 0.01 problem (a near-permutation plan) converges slowly: plain iterations to an L1 marginal
    // error of 1e-8, so the diagonal is compared to atol 1e-8.
    private static readonly Sinkhorn NearPermutation = new() { Epsilon = 0.01, Threshold = 1e-8, MaxIterations = 100_000 };

    private static (PointCloud<double> X, PointCloud<double> Y, double[] A, double[] B, Fixture Fx) Load()
    {
        var fx = Fixtures.Load("peers_ott_sinkhorn");
        Assert.Equal(1, fx.Scalar("convention"));
        return (PeerData.Cloud(fx, "x"), PeerData.Cloud(fx, "y"), fx.Doubles("a"), fx.Doubles("b"), fx);
    }

    // test_euclidean_point_cloud: ε = 0.1, OTT's threshold 1e-3, inner iterations 10, 1 and 24, squared Euclidean and
    // Euclidean costs. OTT checks the final error and a transported mass of 1 ± 1e-4; here also the plan against POT's
    // (a tight solve to 1e-6 / 1e-10, the default threshold to its own 1e-3 in L1) and the zero-weight rows and columns.
    [Theory]
    [InlineData("sqeuclidean", 10, "plan_sqeuclidean_01")]
    [InlineData("euclidean", 1, "plan_euclidean_01")]
    [InlineData("sqeuclidean", 24, "plan_sqeuclidean_01")]
    public void Sinkhorn_PointClouds_MatchPotWithZeroWeights(string costName, int inner, string planKey)
    {
        var (x, y, a, b, fx) = Load();
        var geometry = new PointCloudGeometry<double>(x, y, CostFunction.Parse<double>(costName));
        var expected = fx.Doubles(planKey);
        var loose = new Sinkhorn { Epsilon = 0.1, InnerIterations = inner }.Solve(new LinearProblem<double>(geometry, a, b));
        Assert.True(loose.Converged, loose.Convergence.ToString());
        NumericAssert.Close(1.0, loose.TransportedMass, rtol: 1e-4, atol: 1e-4, what: "transport mass");
        NumericAssert.Close(expected, loose.ToDense(), atol: 1e-3, what: "default threshold");

        var tight = (Tight with { Epsilon = 0.1, InnerIterations = inner }).Solve(new LinearProblem<double>(geometry, a, b));
        Assert.True(tight.Converged, tight.Convergence.ToString());
        var plan = tight.ToDense();
        NumericAssert.Close(expected, plan, rtol: 1e-6, atol: 1e-10, what: planKey);
        NumericAssert.Close(new double[y.Count], plan.AsSpan(0, y.Count), atol: 0, what: "row of the zero-weight source point");
        Assert.Equal(0.0, tight.SourceMarginal[0]);
        Assert.Equal(0.0, tight.TargetMarginal[3]);
    }

    // test_lse_matches: OTT's default ε (0.05·std C) with τa ∈ {1, 0.93} × τb ∈ {1, 0.91}, in OTT's KL(P | a⊗b) convention.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Sinkhorn_DefaultEpsilonAndRelaxations_MatchKlPlans(int row)
    {
        var (x, y, a, b, fx) = Load();
        var geometry = new PointCloudGeometry<double>(x, y);
        var taus = fx.Doubles("taus");
        var (tauA, tauB) = (taus[2 * row], taus[(2 * row) + 1]);
        NumericAssert.Close(fx.Scalar("eps_default"), new Sinkhorn().ResolveEpsilon(geometry), rtol: 1e-12, what: "default ε = 0.05·std(C)");
        var result = Tight.Solve(new LinearProblem<double>(geometry, a, b, Relaxation.FromTau(tauA, tauB)));
        Assert.True(result.Converged, result.Convergence.ToString());
        var expected = PeerData.Slice(fx, "plans_tau", row);
        NumericAssert.Close(expected, result.ToDense(), rtol: 1e-6, atol: 1e-10, what: $"τ = ({tauA}, {tauB})");
        NumericAssert.Close(PeerData.Dot(geometry.ToDense(), expected), result.Cost, rtol: 1e-7, what: "⟨C, P⟩");
    }

    // test_primal_cost_pointcloud / test_entropy at the small ε of issue #12: ε = 1e-3·mean C. OTT checks a positive,
    // small duality gap; here the plan against POT's log-domain Sinkhorn, ⟨C, P⟩, OTT's reg_ot_cost ⟨C, P⟩ + ε KL(P | a⊗b),
    // and the exact optimum as a lower bound.
    [Fact]
    public void Sinkhorn_EpsilonThousandthOfMeanCost_MatchesPotAndBoundsTheExactCost()
    {
        var (x, y, a, b, fx) = Load();
        var geometry = new PointCloudGeometry<double>(x, y);
        var options = SmallEpsilon with { Epsilon = 1e-3, EpsilonRelativeTo = EpsilonReference.MeanCost };
        NumericAssert.Close(fx.Scalar("eps_small"), options.ResolveEpsilon(geometry), rtol: 1e-12);
        var result = options.Solve(new LinearProblem<double>(geometry, a, b));
        Assert.True(result.Converged, result.Convergence.ToString());
        NumericAssert.Close(fx.Doubles("plan_small"), result.ToDense(), rtol: 1e-5, atol: 1e-9, what: "plan");
        NumericAssert.Close(fx.Scalar("cost_small"), result.Cost, rtol: 1e-7, what: "⟨C, P⟩");
        NumericAssert.Close(fx.Scalar("reg_small"), result.RegularizedCost, rtol: 1e-7, what: "reg_ot_cost");
        Assert.True(result.Cost >= fx.Scalar("exact") - 1e-12, $"entropic cost {result.Cost} below the exact optimum {fx.Scalar("exact")}");
    }

    // test_SqEucl_matches_hungarian: 17 vs 17 points, ε = 0.01, uniform weights, OTT's default threshold 1e-3. OTT: the
    // cosine distance between the Sinkhorn plan and the Hungarian permutation plan is below 0.2. This problem is slow
    // for every Sinkhorn (POT's log-domain solve stops at an L1 error of 8.5e-8 after 10⁶ iterations), so the plan is
    // compared with POT's to the threshold, 1e-3. The assignment itself must equal SciPy's.
    [Fact]
    public void Sinkhorn_SmallEpsilon_ApproachesTheAssignmentOfScipy()
    {
        var (x, _, _, _, fx) = Load();
        var y2 = PeerData.Cloud(fx, "y2");
        var n = x.Count;
        var cost = PeerData.DenseCost(x, y2);
        var lap = LinearAssignment.Solve(cost, n, n);
        Assert.Equal(fx.Ints("lap_columns"), lap.RowToColumn);
        NumericAssert.Close(fx.Scalar("lap_value"), lap.TotalCost, rtol: 1e-12);

        var sinkhorn = new Sinkhorn { Epsilon = 0.01 }.Solve(LinearProblem<double>.FromPointClouds(x, y2));
        Assert.True(sinkhorn.Converged, sinkhorn.Convergence.ToString());
        var plan = sinkhorn.ToDense();
        NumericAssert.Close(fx.Doubles("plan_hungarian_eps"), plan, atol: 1e-3);
        var hungarian = lap.ToDense();
        var cosine = 1 - (PeerData.Dot(plan, hungarian) / Math.Sqrt(PeerData.Dot(plan, plan) * PeerData.Dot(hungarian, hungarian)));
        NumericAssert.InRange(cosine, 0, 0.2, "cosine distance to the Hungarian plan");
    }

    // test_diag_sum: a cloud against itself at ε = 0.01 keeps more than 99% of the mass on the diagonal.
    [Fact]
    public void Sinkhorn_CloudAgainstItself_DiagonalHoldsTheMass()
    {
        var (x, _, _, _, fx) = Load();
        var result = NearPermutation.Solve(LinearProblem<double>.FromPointClouds(x, x));
        Assert.True(result.Converged, result.Convergence.ToString());
        var plan = result.ToDense();
        var diagonal = Enumerable.Range(0, x.Count).Sum(i => plan[(i * x.Count) + i]);
        NumericAssert.InRange(diagonal, 0.99, 1.0, "diagonal mass");
        NumericAssert.Close(fx.Scalar("self_plan_diag"), diagonal, atol: 1e-8, what: "vs POT's plan");
    }

    // test_sinkhorn_dtype (float16/bfloat16 in OTT; float32 here, Monge's single precision): the float32 plan agrees
    // with POT's float64 plan to 1e-5, POT's own plan tolerance in test_sinkhorn_variants.
    [Fact]
    public void Sinkhorn_Float32Inputs_MatchTheFloat64Plan()
    {
        var (x, y, a, b, fx) = Load();
        var geometry = new PointCloudGeometry<float>(x.Convert<float>(), y.Convert<float>());
        var problem = new LinearProblem<float>(geometry, a.Select(v => (float)v).ToArray(), b.Select(v => (float)v).ToArray());
        var result = new Sinkhorn { Epsilon = 0.1, Threshold = 1e-5, MaxIterations = 10_000 }.Solve(problem);
        Assert.True(result.Converged, result.Convergence.ToString());
        NumericAssert.Close(fx.Doubles("plan_sqeuclidean_01"), result.ToDense().Select(v => (double)v).ToArray(), atol: 1e-5);
    }

    // The float32 assignment of test_SqEucl_matches_hungarian's points equals SciPy's.
    [Fact]
    public void LinearAssignment_Float32Inputs_MatchScipy()
    {
        var (x, _, _, _, fx) = Load();
        var y2 = PeerData.Cloud(fx, "y2");
        var cost = PeerData.DenseCost(x, y2).Select(v => (float)v).ToArray();
        var lap = LinearAssignment.Solve(cost, x.Count, y2.Count);
        Assert.Equal(fx.Ints("lap_columns"), lap.RowToColumn);
        NumericAssert.Close(fx.Scalar("lap_value"), lap.TotalCost, rtol: 1e-6);
    }

    // Edge case of issue #12, all-zero cost (OTT's weights with zeros): the Sinkhorn plan is a⊗b (closed form) and the
    // exact plan costs 0.
    [Fact]
    public void Sinkhorn_AllZeroCost_IsTheIndependentCoupling()
    {
        var (x, y, a, b, _) = Load();
        var geometry = new DenseGeometry<double>(new double[x.Count * y.Count], x.Count, y.Count);
        var result = (Tight with { Epsilon = 0.1 }).Solve(new LinearProblem<double>(geometry, a, b));
        Assert.True(result.Converged, result.Convergence.ToString());
        var independent = new double[x.Count * y.Count];
        for (var i = 0; i < x.Count; i++)
        {
            for (var j = 0; j < y.Count; j++)
            {
                independent[(i * y.Count) + j] = a[i] * b[j];
            }
        }

        NumericAssert.Close(independent, result.ToDense(), rtol: 1e-10, atol: 1e-16, what: "a⊗b");
        NumericAssert.Close(0.0, result.Cost, atol: 1e-15);
        NumericAssert.Close(0.0, new NetworkSimplex().Solve(geometry.ToDense(), a, b).Cost, atol: 1e-15);
    }

    // Edge case of issue #12, n = 1: one source point sends b to every target (closed form), entropic and exact.
    [Fact]
    public void Solvers_SingleSourcePoint_SendTheTargetWeights()
    {
        var (x, y, _, b, _) = Load();
        var single = x.Subset([1]);
        var cost = PeerData.DenseCost(single, y);
        var expectedCost = PeerData.Dot(cost, b);
        var sinkhorn = (Tight with { Epsilon = 0.1 }).Solve(new LinearProblem<double>(new PointCloudGeometry<double>(single, y), [1.0], b));
        Assert.True(sinkhorn.Converged, sinkhorn.Convergence.ToString());
        NumericAssert.Close(b, sinkhorn.ToDense(), rtol: 1e-10, atol: 1e-16, what: "Sinkhorn plan");
        NumericAssert.Close(expectedCost, sinkhorn.Cost, rtol: 1e-10);
        var exact = new NetworkSimplex().Solve(cost, [1.0], b);
        NumericAssert.Close(b, exact.ToDense(), rtol: 1e-12, atol: 1e-16, what: "network simplex plan");
        NumericAssert.Close(expectedCost, exact.Cost, rtol: 1e-12);
        var lap = LinearAssignment.Solve(cost, 1, y.Count);
        Assert.Equal(Array.IndexOf(cost, cost.Min()), lap.RowToColumn[0]);
    }

    // Edge case of issue #12, duplicated points: every source point twice with half its weight. Under KL(P | a⊗b) the
    // split plan (each copy half a row) has the same objective, so the regularized cost, the cost and the exact value are
    // unchanged and the two copies get equal rows (closed form).
    [Fact]
    public void Solvers_DuplicatedSourcePoints_SplitTheRowsEvenly()
    {
        var (x, y, a, b, fx) = Load();
        var n = x.Count;
        var doubled = x.Subset(Enumerable.Range(0, 2 * n).Select(k => k % n).ToArray());
        var halves = Enumerable.Range(0, 2 * n).Select(k => a[k % n] / 2).ToArray();
        var solver = Tight with { Epsilon = 0.1 };
        var single = solver.Solve(new LinearProblem<double>(new PointCloudGeometry<double>(x, y), a, b));
        var split = solver.Solve(new LinearProblem<double>(new PointCloudGeometry<double>(doubled, y), halves, b));
        Assert.True(single.Converged && split.Converged);
        NumericAssert.Close(single.RegularizedCost, split.RegularizedCost, rtol: 1e-9);
        NumericAssert.Close(single.Cost, split.Cost, rtol: 1e-9);
        var plan = split.ToDense();
        var m = y.Count;
        var half = single.ToDense().Select(v => v / 2).ToArray();
        NumericAssert.Close(half, plan.AsSpan(0, n * m), rtol: 1e-7, atol: 1e-12, what: "first copies");
        NumericAssert.Close(half, plan.AsSpan(n * m, n * m), rtol: 1e-7, atol: 1e-12, what: "second copies");
        var exact = new NetworkSimplex().Solve(PeerData.DenseCost(doubled, y), halves, b);
        NumericAssert.Close(fx.Scalar("exact"), exact.Cost, rtol: 1e-10, what: "ot.emd2 of the original problem");
    }
}
