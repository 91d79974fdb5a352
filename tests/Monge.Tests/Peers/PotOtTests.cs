using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Testing;
using Monge.Tests.Solvers.Exact;

namespace Monge.Tests.Peers;

/// <summary>Cases ported from POT 0.8.2's test/test_ot.py (network simplex, <c>ot.emd</c> / <c>ot.emd2</c>).</summary>
public class PotOtTests
{
    // test_emd_emd2: 100 points against themselves; the optimal plan is I/n and the cost 0.
    [Fact]
    public void NetworkSimplex_CloudAgainstItself_IdentityPlanAndZeroCost()
    {
        var fx = Fixtures.Load("peers_ot_emd_identity");
        var x = PeerData.Cloud(fx, "x");
        var cost = PeerData.DenseCost(x, x);
        var u = Marginals.Uniform<double>(x.Count);
        var result = new NetworkSimplex().Solve(cost, u, u);
        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        NumericAssert.Close(fx.Doubles("plan"), result.ToDense(), atol: 1e-15, what: "plan vs ot.emd (I/n)");
        NumericAssert.Close(fx.Scalar("value"), result.Cost, atol: 1e-15, what: "cost vs ot.emd2");
        NumericAssert.Close(u, result.SourceMarginal, rtol: 1e-14);
        NumericAssert.Close(u, result.TargetMarginal, rtol: 1e-14);
    }

    // test_emd_empty: the same with empty weight vectors, which POT reads as uniform (Monge: weights left out).
    [Fact]
    public void NetworkSimplex_WeightsLeftOut_AreUniform()
    {
        var fx = Fixtures.Load("peers_ot_emd_identity");
        var x = PeerData.Cloud(fx, "x");
        var result = new NetworkSimplex().Solve(new LinearProblem<double>(new DenseGeometry<double>(PeerData.DenseCost(x, x), x.Count, x.Count)));
        NumericAssert.Close(fx.Doubles("plan"), result.ToDense(), atol: 1e-15, what: "plan vs ot.emd([], [], M)");
        NumericAssert.Close(fx.Scalar("empty_value"), result.Cost, atol: 1e-15);
    }

    // test_dual_variables: integer bins 0..499 and 0..599, Gaussian histograms at 300 (s 5) and 400 (s 10), cost |x − y|.
    // Closed form: W1 = |300 − 400| = 100; duals feasible (f_i + g_j ≤ C_ij + 1e-8), zero duality gap, and symmetric.
    [Fact]
    public void NetworkSimplex_GaussianHistograms_DualsCertifyTheClosedForm()
    {
        var fx = Fixtures.Load("peers_ot_dual_variables");
        Assert.Equal(Monge.IO.NumericDType.Int64, fx.Array("x").DType);
        var x = PeerData.Cloud(fx, "x");
        var y = PeerData.Cloud(fx, "y");
        var a = fx.Doubles("a");
        var b = fx.Doubles("b");
        var cost = PeerData.DenseCost(x, y, new Monge.Geometry.Costs.Euclidean<double>());
        var result = new NetworkSimplex().Solve(cost, a, b);
        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        NumericAssert.Close(fx.Scalar("closed_form"), result.Cost, rtol: 1e-9, what: "closed form |m1 − m2|");
        NumericAssert.Close(fx.Scalar("value"), result.Cost, rtol: 1e-12, what: "ot.emd log['cost']");
        NetworkSimplexTests.AssertFeasibleAndCertified(cost, a, b, result, 1e-8);

        var dual = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            dual += a[i] * result.F[i];
        }

        for (var j = 0; j < b.Length; j++)
        {
            dual += b[j] * result.G[j];
        }

        NumericAssert.Close(result.Cost, dual, rtol: 1e-9, what: "duality gap");

        var transposed = new NetworkSimplex().Solve(new DenseGeometry<double>(cost, a.Length, b.Length).Transpose().ToDense(), b, a);
        NumericAssert.Close(result.Cost, transposed.Cost, rtol: 1e-12, what: "emd(b, a, Mᵀ)");
    }

    // test_emd2_multi: 500 bins, a Gaussian at 20 (s 5) against five Gaussians at 20, 120, ..., 420 (s 10), squared
    // distance (costs up to 2.5e5; the far tails underflow to exact zero weights). The network simplex runs on two
    // columns (0.5–2 s each on 500 × 500), the 1-D solver on all five.
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void NetworkSimplex_Emd2Multi_MatchesEachColumn(int column, bool simplex)
    {
        var fx = Fixtures.Load("peers_ot_emd2_multi");
        var x = PeerData.Cloud(fx, "x");
        var a = fx.Doubles("a");
        var b = PeerData.Column(fx, "b", column);
        var expected = fx.Doubles("values")[column];
        if (simplex)
        {
            var result = new NetworkSimplex().Solve(PeerData.DenseCost(x, x), a, b);
            Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
            NumericAssert.Close(expected, result.Cost, rtol: 1e-9, what: $"emd2 column {column}");
        }

        NumericAssert.Close(expected, OneDimensional.CostPower(x.Data, x.Data, a, b, 2), rtol: 1e-9, what: $"1-D solver column {column}");
    }
}
