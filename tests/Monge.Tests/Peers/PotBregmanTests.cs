using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tools;

namespace Monge.Tests.Peers;

/// <summary>
/// Cases ported from POT 0.8.2's test/test_bregman.py (<c>ot.sinkhorn</c>, <c>ot.sinkhorn2</c>, empirical Sinkhorn and
/// divergence). Expectations are POT's plans and values run to stopThr 1e-13; Monge runs to an L1 marginal error of
/// 1e-11, so plans agree to rtol 1e-6 / atol 1e-10 and costs to 1e-8 (the tolerances of SinkhornTests).
/// </summary>
public class PotBregmanTests
{
    private static readonly Sinkhorn Tight = new() { Threshold = 1e-11, MaxIterations = 100_000, InnerIterations = 5 };

    private static SinkhornResult<double> Solve(Sinkhorn options, CostGeometry<double> geometry, double[]? a = null, double[]? b = null)
    {
        var result = options.Solve(new LinearProblem<double>(geometry, a, b));
        Assert.True(result.Converged, result.Convergence.ToString());
        return result;
    }

    // test_sinkhorn: 100 normal points against themselves, reg 1; POT checks the marginals to 1e-5.
    [Fact]
    public void Sinkhorn_CloudAgainstItself_MatchesPotPlanAndCost()
    {
        var fx = Fixtures.Load("peers_bregman_sinkhorn_n100");
        var x = PeerData.Cloud(fx, "x");
        var u = Marginals.Uniform<double>(x.Count);
        var result = Solve(Tight with { Epsilon = fx.Scalar("reg") }, new PointCloudGeometry<double>(x, x), u, u);
        NumericAssert.Close(fx.Doubles("plan"), result.ToDense(), rtol: 1e-6, atol: 1e-10, what: "plan vs ot.sinkhorn");
        NumericAssert.Close(fx.Doubles("plan_log"), result.ToDense(), rtol: 1e-6, atol: 1e-10, what: "plan vs sinkhorn_log");
        NumericAssert.Close(fx.Scalar("cost"), result.Cost, rtol: 1e-8, what: "cost vs sinkhorn2");
        NumericAssert.Close(u, result.SourceMarginal, atol: 1e-10);
        NumericAssert.Close(u, result.TargetMarginal, atol: 1e-10);
    }

    // test_sinkhorn_empty: the same with empty weights (uniform).
    [Fact]
    public void Sinkhorn_WeightsLeftOut_AreUniform()
    {
        var fx = Fixtures.Load("peers_bregman_sinkhorn_n100");
        var x = PeerData.Cloud(fx, "x");
        var result = Solve(Tight with { Epsilon = fx.Scalar("reg") }, new PointCloudGeometry<double>(x, x));
        NumericAssert.Close(fx.Doubles("plan_log"), result.ToDense(), rtol: 1e-6, atol: 1e-10);
        NumericAssert.Close(Marginals.Uniform<double>(x.Count), result.SourceMarginal, atol: 1e-10);
    }

    // test_sinkhorn_variants: every variant (POT: log, stabilized, ε-scaling, greenkhorn) gives the same plan. Monge's
    // variants: the two entropy conventions, dense and factored geometries, momentum, ε-scaling, Anderson, the L2 norm.
    [Theory]
    [InlineData("entropy")]
    [InlineData("dense")]
    [InlineData("lowrank")]
    [InlineData("momentum")]
    [InlineData("epsilon-scaling")]
    [InlineData("anderson")]
    [InlineData("l2-norm")]
    public void Sinkhorn_Variants_GiveThePotPlan(string variant)
    {
        var fx = Fixtures.Load("peers_bregman_sinkhorn_n100");
        var x = PeerData.Cloud(fx, "x");
        var options = Tight with { Epsilon = fx.Scalar("reg") };
        CostGeometry<double> geometry = new PointCloudGeometry<double>(x, x);
        switch (variant)
        {
            case "entropy": options = options with { Convention = EntropyConvention.Entropy }; break;
            case "dense": geometry = new DenseGeometry<double>(geometry.ToDense(), x.Count, x.Count); break;
            case "lowrank": geometry = LowRankGeometry<double>.SquaredEuclidean(x, x); break;
            case "momentum": options = options with { Momentum = 1.5 }; break;
            case "epsilon-scaling": options = options with { EpsilonScaling = new EpsilonScaling(100, 0.8) }; break;
            case "anderson": options = options with { AndersonMemory = 5 }; break;
            case "l2-norm": options = options with { Norm = MarginalNorm.L2 }; break;
        }

        var result = Solve(options, geometry);
        NumericAssert.Close(fx.Doubles("plan"), result.ToDense(), rtol: 1e-6, atol: 1e-10, what: variant);
    }

    // Costs near 1e6 (issue #12 edge case, on test_sinkhorn's points scaled by 500): ε = 0.05·mean C.
    [Fact]
    public void Sinkhorn_CostsNearOneMillion_MatchesPotWithRelativeEpsilon()
    {
        var fx = Fixtures.Load("peers_bregman_sinkhorn_1e6");
        var x = PeerData.Cloud(fx, "x");
        var geometry = new PointCloudGeometry<double>(x, x);
        var options = Tight with { Epsilon = fx.Scalar("relative"), EpsilonRelativeTo = EpsilonReference.MeanCost };
        NumericAssert.Close(fx.Scalar("reg"), options.ResolveEpsilon(geometry), rtol: 1e-12, what: "ε = 0.05·mean C");
        var result = Solve(options, geometry);
        NumericAssert.Close(fx.Doubles("plan"), result.ToDense(), rtol: 1e-6, atol: 1e-10);
    }

    // test_sinkhorn_stabilization: Gaussians on 100 bins (m 30 and 40, s 10), cost dist0 (up to 9801), reg 1e-5. POT
    // 0.8.2 returns 0 for both methods it compares (neither converges in 1000 iterations, and the test compares 0 with
    // 0) where the exact value ot.emd2 is 99.3. Monge must not return a wrong value as converged: at reg 1e-5 it reports
    // MaxIterations. At ε = 1 it converges to POT's tight sinkhorn2, and to ot.emd2 with the entropic bound
    // 0 ≤ ⟨C, P_ε⟩ − OT ≤ ε (H(a) + H(b)) ≤ 2ε log n, widened only by the marginal threshold times max C.
    [Fact]
    public void Sinkhorn_TinyEpsilon_ReportsNonConvergenceAndApproachesTheExactValue()
    {
        var fx = Fixtures.Load("peers_bregman_stabilization");
        var a = fx.Doubles("a");
        var b = fx.Doubles("b");
        var n = a.Length;
        var bins = new PointCloud<double>(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), n, 1);
        var geometry = new PointCloudGeometry<double>(bins, bins);
        var exact = fx.Scalar("exact");
        Assert.Equal(0.0, fx.Scalar("loss_log"));

        var tiny = new Sinkhorn { Epsilon = fx.Scalar("reg"), MaxIterations = 1000 }.Solve(new LinearProblem<double>(geometry, a, b));
        Assert.False(tiny.Converged, $"reg 1e-5 in 1000 iterations: {tiny.Convergence}");

        const double eps = 1.0;
        const double threshold = 1e-9;
        var result = Solve(new Sinkhorn { Epsilon = eps, Threshold = threshold, MaxIterations = 20_000, Momentum = 1.5 }, geometry, a, b);
        var maxCost = (n - 1.0) * (n - 1.0);
        NumericAssert.InRange(result.Cost, exact - (threshold * maxCost), exact + (2 * eps * Math.Log(n)) + (threshold * maxCost), "⟨C, P_ε⟩ vs ot.emd2");
        NumericAssert.Close(fx.Scalar("loss_reg1"), result.Cost, rtol: 1e-8, what: "sinkhorn2 at reg 1");
    }

    // test_sinkhorn_multi_b: 10 points, three target histograms, reg 0.1; POT compares the losses to 1e-4.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Sinkhorn_SeveralTargets_MatchSinkhorn2(int column)
    {
        var fx = Fixtures.Load("peers_bregman_multi_b");
        var x = PeerData.Cloud(fx, "x");
        var result = Solve(Tight with { Epsilon = fx.Scalar("reg") }, new PointCloudGeometry<double>(x, x), Marginals.Uniform<double>(x.Count), PeerData.Column(fx, "b", column));
        NumericAssert.Close(fx.Doubles("losses")[column], result.Cost, rtol: 1e-8);
    }

    // test_empirical_sinkhorn: points 0..9 on a line, stored as integers; squared Euclidean at reg 1 and 0.1,
    // Euclidean at reg 1 (issue #12 item 1: the Euclidean cost must be the one used).
    [Theory]
    [InlineData("sqeuclidean", 1.0, "plan_sqeuclidean_1")]
    [InlineData("sqeuclidean", 0.1, "plan_sqeuclidean_01")]
    [InlineData("euclidean", 1.0, "plan_euclidean_1")]
    public void Sinkhorn_EmpiricalIntegerPoints_MatchesPot(string costName, double reg, string planKey)
    {
        var fx = Fixtures.Load("peers_bregman_empirical");
        Assert.Equal(Monge.IO.NumericDType.Int64, fx.Array("x").DType);
        var x = PeerData.Cloud(fx, "x");
        var cost = CostFunction.Parse<double>(costName);
        var result = Solve(Tight with { Epsilon = reg }, new PointCloudGeometry<double>(x, x, cost));
        NumericAssert.Close(fx.Doubles(planKey), result.ToDense(), rtol: 1e-6, atol: 1e-10, what: planKey);
        if (reg == 1.0)
        {
            NumericAssert.Close(fx.Scalar($"loss_{costName}_1"), result.Cost, rtol: 1e-8, what: "empirical_sinkhorn2 / sinkhorn2");
        }
    }

    // test_empirical_sinkhorn_divergence: weights 1..10 normalized vs uniform, X_s = 0..9, X_t = 0, 2, ..., 18, reg 1.
    // POT's divergence is built from sinkhorn2, the primal cost ⟨C, P⟩ (DivergenceTerm.Primal).
    [Fact]
    public void Divergence_EmpiricalPrimal_MatchesPot()
    {
        var fx = Fixtures.Load("peers_bregman_divergence");
        var x = PeerData.Cloud(fx, "x").WithWeights(fx.Doubles("a"));
        var y = PeerData.Cloud(fx, "y").WithWeights(fx.Doubles("b"));
        var result = SinkhornDivergence.Compute(x, y, Tight with { Epsilon = fx.Scalar("reg") }, term: DivergenceTerm.Primal);
        Assert.True(result.Converged);
        NumericAssert.Close(fx.Scalar("value"), result.Value, rtol: 1e-7, what: "empirical_sinkhorn_divergence");
        NumericAssert.Close(fx.Scalar("manual"), result.Value, rtol: 1e-7, what: "three sinkhorn2 terms");
    }

    // test_stabilized_vs_sinkhorn_multidim: a Gaussian on 100 bins against two others, cost dist0 / median, ε 0.1.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Sinkhorn_GaussianHistograms_MatchPotPlans(int column)
    {
        var fx = Fixtures.Load("peers_bregman_multidim");
        var a = fx.Doubles("a");
        var geometry = PeerData.ScaledBins(fx.Doubles("cost"), a.Length);
        var result = Solve(Tight with { Epsilon = fx.Scalar("reg") }, geometry, a, PeerData.Column(fx, "b", column));
        NumericAssert.Close(PeerData.Slice(fx, "plans", column), result.ToDense(), rtol: 1e-6, atol: 1e-10);
    }
}
