using Monge.Geometry.Costs;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tools;

namespace Monge.Tests.Peers;

/// <summary>
/// Cases ported from OTT-JAX's tests/tools/sinkhorn_divergence_test.py (test_euclidean_point_cloud). The fixture
/// (peers_ott_divergence, convention 1) keeps OTT's set-up, 13 and 17 uniform points in [0, 1]⁴ with uniform random
/// weights, ε = 0.05, drawn by a seeded NumPy generator. OTT's divergence is built from reg_ot_cost, the regularized
/// value ⟨C, P⟩ + ε KL(P | a⊗b); the fixture evaluates it on POT 0.8.2's log-domain plans.
/// </summary>
public class OttSinkhornDivergenceTests
{
    private static readonly Sinkhorn Tight = new() { Threshold = 1e-11, MaxIterations = 100_000, InnerIterations = 5 };

    // OTT: div = OT(x, y) − ½ (OT(x, x) + OT(y, y)) with the terms solved separately, to 1e-5; div ≥ 0.
    [Theory]
    [InlineData("sqeuclidean")]
    [InlineData("euclidean")]
    public void Divergence_RegularizedTerms_MatchOttDefinition(string costName)
    {
        var fx = Fixtures.Load("peers_ott_divergence");
        Assert.Equal(1, fx.Scalar("convention"));
        var x = PeerData.Cloud(fx, "x").WithWeights(fx.Doubles("a"));
        var y = PeerData.Cloud(fx, "y").WithWeights(fx.Doubles("b"));
        var result = SinkhornDivergence.Compute(x, y, Tight with { Epsilon = fx.Scalar("reg") }, CostFunction.Parse<double>(costName), DivergenceTerm.Regularized);
        Assert.True(result.Converged);
        var terms = fx.Doubles($"terms_{costName}");
        NumericAssert.Close(terms, [result.CrossTerm, result.SourceTerm, result.TargetTerm], rtol: 1e-8, what: "OT_ε(x,y), OT_ε(x,x), OT_ε(y,y)");
        NumericAssert.Close(fx.Scalar($"divergence_{costName}"), result.Value, rtol: 1e-8, what: "divergence");
        Assert.True(result.Value >= 0);
    }

    // OTT: the divergence of x to itself at ε = 0.1 is 0 (atol 1e-5).
    [Theory]
    [InlineData("sqeuclidean")]
    [InlineData("euclidean")]
    public void Divergence_CloudToItself_IsZero(string costName)
    {
        var fx = Fixtures.Load("peers_ott_divergence");
        var x = PeerData.Cloud(fx, "x");
        var result = SinkhornDivergence.Compute(x, x, new Sinkhorn { Epsilon = 0.1, Threshold = 1e-5, InnerIterations = 1 }, CostFunction.Parse<double>(costName));
        Assert.True(result.Converged);
        NumericAssert.Close(0.0, result.Value, atol: 1e-5);
    }
}
