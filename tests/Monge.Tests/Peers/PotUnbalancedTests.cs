using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;

namespace Monge.Tests.Peers;

/// <summary>
/// Cases ported from POT 0.8.2's test/test_unbalanced.py (<c>ot.unbalanced.sinkhorn_unbalanced</c>). POT 0.8.2
/// regularizes with plain entropy (<see cref="EntropyConvention.Entropy"/>, fixture convention 0); τ = reg_m/(reg_m + ε).
/// </summary>
public class PotUnbalancedTests
{
    private static readonly Sinkhorn Tight = new() { Threshold = 1e-11, MaxIterations = 100_000, InnerIterations = 5 };

    private static SinkhornResult<double> Solve(Fixture fx, CostGeometry<double> geometry, double[] a, double[] b, EntropyConvention convention, double threshold = 1e-11)
    {
        var reg = fx.Scalar("reg");
        var regM = fx.Scalar("reg_m");
        var tau = regM / (regM + reg);
        var result = (Tight with { Epsilon = reg, Convention = convention, Threshold = threshold }).Solve(new LinearProblem<double>(geometry, a, b, Relaxation.FromTau(tau, tau)));
        Assert.True(result.Converged, result.Convergence.ToString());
        return result;
    }

    // test_unbalanced_convergence: 100 normal points against themselves, a uniform, b = 1.5·uniform, ε = reg_m = 1.
    // POT checks its fixed-point equations (atol 1e-5) and that sinkhorn_unbalanced2 returns ⟨C, P⟩.
    [Fact]
    public void Sinkhorn_UnbalancedPlainEntropy_MatchesPotPlanPotentialsAndLoss()
    {
        var fx = Fixtures.Load("peers_unbalanced_convergence");
        Assert.Equal(0, fx.Scalar("convention"));
        var x = PeerData.Cloud(fx, "x");
        var result = Solve(fx, new PointCloudGeometry<double>(x, x), fx.Doubles("a"), fx.Doubles("b"), EntropyConvention.Entropy);
        NumericAssert.Close(fx.Doubles("plan"), result.ToDense(), rtol: 1e-6, atol: 1e-10, what: "plan");
        NumericAssert.Close(fx.Scalar("loss"), result.Cost, rtol: 1e-8, what: "sinkhorn_unbalanced2");

        // POT's log-scalings are f/ε and g/ε of the plain-entropy plan P = exp((f + g − C)/ε).
        var reg = fx.Scalar("reg");
        NumericAssert.Close(fx.Doubles("logu").Select(v => v * reg).ToArray(), result.F, rtol: 1e-6, atol: 1e-8, what: "F = ε log u");
        NumericAssert.Close(fx.Doubles("logv").Select(v => v * reg).ToArray(), result.G, rtol: 1e-6, atol: 1e-8, what: "G = ε log v");
    }

    // The same problem in OTT's convention KL(P | a⊗b) (default in Monge); the fixture solves it with POT 0.8.2 on the
    // shifted cost C − ε log(a bᵀ), an exact identity (tools/fixtures/peers.py). The two conventions move different masses.
    [Fact]
    public void Sinkhorn_UnbalancedKl_MatchesShiftedCostPlan()
    {
        var fx = Fixtures.Load("peers_unbalanced_convergence");
        var x = PeerData.Cloud(fx, "x");
        var result = Solve(fx, new PointCloudGeometry<double>(x, x), fx.Doubles("a"), fx.Doubles("b"), EntropyConvention.KullbackLeibler);
        var expected = fx.Doubles("plan_kl");
        NumericAssert.Close(expected, result.ToDense(), rtol: 1e-6, atol: 1e-10, what: "KL(P|a⊗b) plan");
        NumericAssert.Close(expected.Sum(), result.TransportedMass, rtol: 1e-8);
        Assert.True(Math.Abs(result.TransportedMass - fx.Doubles("plan").Sum()) > 1e-2, "the conventions should move different masses here");
    }

    // test_stabilized_vs_sinkhorn: Gaussians on 100 bins, cost dist0 / median, ε 0.1, reg_m 1, two targets; POT compares
    // the values of sinkhorn_unbalanced2 (⟨C, P⟩) to 1e-5. Monge runs to an L1 marginal error of 1e-9 (max C ≈ 12, so
    // ⟨C, P⟩ is good to about 1e-8, checked at rtol 1e-7).
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Sinkhorn_UnbalancedGaussianHistograms_MatchSinkhornUnbalanced2(int column)
    {
        var fx = Fixtures.Load("peers_unbalanced_stabilized");
        var a = fx.Doubles("a");
        var geometry = PeerData.ScaledBins(fx.Doubles("cost"), a.Length);
        var result = Solve(fx, geometry, a, PeerData.Column(fx, "b", column), EntropyConvention.Entropy, threshold: 1e-9);
        NumericAssert.Close(fx.Doubles("values")[column], result.Cost, rtol: 1e-7);
    }
}
