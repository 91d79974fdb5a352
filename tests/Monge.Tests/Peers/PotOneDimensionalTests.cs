using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Tests.Peers;

/// <summary>Cases ported from POT 0.8.2's test/test_1d_solver.py (<c>ot.emd_1d</c>, <c>ot.wasserstein_1d</c>).</summary>
public class PotOneDimensionalTests
{
    // test_emd_1d_emd2_1d_with_weights: 20 vs 30 normal samples, random weights. Squared cost: the 1-D solver and the
    // network simplex give ot.emd's value; |x − y|: SciPy's wasserstein_distance.
    [Fact]
    public void OneDimensional_RandomWeights_MatchesEmdAndScipy()
    {
        var fx = Fixtures.Load("peers_1d_weighted");
        var u = fx.Doubles("u");
        var v = fx.Doubles("v");
        var wu = fx.Doubles("u_weights");
        var wv = fx.Doubles("v_weights");
        NumericAssert.Close(fx.Scalar("emd_value"), OneDimensional.CostPower(u, v, wu, wv, 2), rtol: 1e-12, what: "sqeuclidean vs ot.emd");
        NumericAssert.Close(fx.Scalar("emd2_1d"), OneDimensional.CostPower(u, v, wu, wv, 2), rtol: 1e-12, what: "vs ot.emd2_1d");
        NumericAssert.Close(fx.Scalar("w1_scipy"), OneDimensional.CostPower(u, v, wu, wv, 1), rtol: 1e-12, what: "euclidean vs scipy");

        var x = new PointCloud<double>(u, u.Length, 1);
        var y = new PointCloud<double>(v, v.Length, 1);
        var simplex = new NetworkSimplex().Solve(PeerData.DenseCost(x, y), wu, wv);
        NumericAssert.Close(fx.Scalar("emd_value"), simplex.Cost, rtol: 1e-12, what: "network simplex vs ot.emd");
        var solved = new OneDimensional().Solve(new LinearProblem<double>(new PointCloudGeometry<double>(x, y), wu, wv));
        NumericAssert.Close(wu, solved.SourceMarginal, rtol: 1e-12, atol: 1e-16);
        NumericAssert.Close(wv, solved.TargetMarginal, rtol: 1e-12, atol: 1e-16);
        NumericAssert.Close(fx.Scalar("emd_value"), solved.Cost, rtol: 1e-12);
    }

    // test_emd_1d_emd2_1d: uniform weights; POT checks ot.emd's plan equals ot.emd_1d's to 1e-15.
    [Fact]
    public void OneDimensional_UniformWeights_PlanEqualsEmdPlan()
    {
        var fx = Fixtures.Load("peers_1d_uniform");
        var u = fx.Doubles("u");
        var v = fx.Doubles("v");
        var (rows, cols, mass) = OneDimensional.Plan(u, v, [], []);
        var plan = new double[u.Length * v.Length];
        for (var k = 0; k < rows.Length; k++)
        {
            plan[(rows[k] * v.Length) + cols[k]] += mass[k];
        }

        NumericAssert.Close(fx.Doubles("emd_plan"), plan, atol: 1e-15, what: "plan vs ot.emd");
        NumericAssert.Close(fx.Doubles("emd_1d_plan"), plan, atol: 1e-15, what: "plan vs ot.emd_1d");
        NumericAssert.Close(fx.Scalar("emd_value"), OneDimensional.CostPower(u, v, [], [], 2), rtol: 1e-12);
        NumericAssert.Close(fx.Scalar("w1_scipy"), OneDimensional.CostPower(u, v, [], [], 1), rtol: 1e-12);
    }

    // test_wasserstein_1d: histograms on linspace(0, 5, 100). W1 equals SciPy's; translating the support by 1 gives
    // exactly 1 for p = 2; scaling the support by 10 multiplies the p = 2 cost by 100 (closed forms).
    [Fact]
    public void CostPower_Histograms_MatchScipyTranslationAndScaling()
    {
        var fx = Fixtures.Load("peers_1d_wasserstein");
        var x = fx.Doubles("x");
        var ru = fx.Doubles("rho_u");
        var rv = fx.Doubles("rho_v");
        NumericAssert.Close(fx.Scalar("w1_scipy"), OneDimensional.CostPower(x, x, ru, rv, 1), rtol: 1e-12, what: "W1 vs scipy");
        NumericAssert.Close(fx.Scalar("w1"), OneDimensional.CostPower(x, x, ru, rv, 1), rtol: 1e-12, what: "W1 vs ot.wasserstein_1d");
        var shifted = x.Select(t => t + 1).ToArray();
        NumericAssert.Close(1.0, OneDimensional.CostPower(x, shifted, [], [], 2), rtol: 1e-12, what: "translation by 1");
        NumericAssert.Close(fx.Scalar("shift_p2"), OneDimensional.CostPower(x, shifted, [], [], 2), rtol: 1e-12);
        var scaled = x.Select(t => 10 * t).ToArray();
        var p2 = OneDimensional.CostPower(x, x, ru, rv, 2);
        NumericAssert.Close(100 * p2, OneDimensional.CostPower(scaled, scaled, ru, rv, 2), rtol: 1e-12, what: "scaling by 10");
        NumericAssert.Close(fx.Doubles("scaled_p2"), [p2, OneDimensional.CostPower(scaled, scaled, ru, rv, 2)], rtol: 1e-12, what: "vs ot.wasserstein_1d on two columns");
    }
}
