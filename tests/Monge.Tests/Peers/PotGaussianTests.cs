using Monge.Gaussian;
using Monge.Geometry;
using Monge.Testing;

namespace Monge.Tests.Peers;

/// <summary>
/// Cases ported from POT's test/test_gaussian.py (added after 0.8.2, so the expectations are closed forms computed in
/// tools/fixtures/peers.py with NumPy/SciPy; the inputs come from POT 0.8.2's make_data_classif with np.random.seed(0)).
/// </summary>
public class PotGaussianTests
{
    // test_bures_wasserstein_distance: N(0, 1) to N(10, 1) is 10 apart; equal covariances have Bures distance 0.
    [Fact]
    public void Wasserstein_ShiftedUnitGaussians_IsTheShift()
    {
        var source = new GaussianMeasure([0.0], [1.0]);
        var target = new GaussianMeasure([10.0], [1.0]);
        NumericAssert.Close(10.0, GaussianTransport.Wasserstein(source, target), rtol: 1e-12);
        NumericAssert.Close(0.0, GaussianTransport.Wasserstein(new GaussianMeasure([0.0], [1.0]), new GaussianMeasure([0.0], [1.0])), atol: 1e-7);
    }

    // test_bures_wasserstein_mapping: empirical means and covariances of 3gauss → 3gauss2 (50 points each). POT checks
    // the covariance of the mapped points against Ct to 1e-2; the map A Cs A = Ct is an identity, so it holds to rounding.
    [Fact]
    public void MongeMap_EmpiricalGaussians_MatchesClosedFormAndPushesTheCovariance()
    {
        var fx = Fixtures.Load("peers_gaussian_mapping");
        var source = new GaussianMeasure(fx.Doubles("ms"), fx.Doubles("cs"));
        var target = new GaussianMeasure(fx.Doubles("mt"), fx.Doubles("ct"));
        var map = GaussianTransport.MongeMap(source, target);
        NumericAssert.Close(fx.Doubles("map_matrix"), map.Matrix, rtol: 1e-10, atol: 1e-12, what: "Cs^-½ (Cs^½ Ct Cs^½)^½ Cs^-½");

        var mapped = map.Apply(PeerData.Cloud(fx, "xs"));
        NumericAssert.Close(fx.Doubles("ct"), Covariance(mapped), rtol: 1e-10, atol: 1e-12, what: "cov(mapped) vs Ct");
        NumericAssert.Close(fx.Doubles("mt"), mapped.Mean(), rtol: 1e-10, atol: 1e-12, what: "mean(mapped) vs mt");
    }

    // test_bures_wasserstein_distance_batch: the distance between the two empirical Gaussians (closed form, and SciPy's
    // sqrtm), and 0 between a Gaussian and itself (POT: atol 1e-5).
    [Fact]
    public void WassersteinSquared_EmpiricalGaussians_MatchesClosedForm()
    {
        var fx = Fixtures.Load("peers_gaussian_mapping");
        var source = new GaussianMeasure(fx.Doubles("ms"), fx.Doubles("cs"));
        var target = new GaussianMeasure(fx.Doubles("mt"), fx.Doubles("ct"));
        NumericAssert.Close(fx.Scalar("w2"), GaussianTransport.WassersteinSquared(source, target), rtol: 1e-10);
        NumericAssert.Close(fx.Scalar("w2_scipy"), GaussianTransport.WassersteinSquared(source, target), rtol: 1e-10);
        NumericAssert.Close(GaussianTransport.WassersteinSquared(target, source), GaussianTransport.WassersteinSquared(source, target), rtol: 1e-10, what: "symmetry");
        NumericAssert.Close(0.0, GaussianTransport.Wasserstein(source, source), atol: 1e-5);
        NumericAssert.Close(0.0, GaussianTransport.WassersteinSquared(source, source), atol: 1e-12);
    }

    /// <summary>The unbiased sample covariance (NumPy's np.cov of the transposed data), row-major d × d.</summary>
    private static double[] Covariance(PointCloud<double> points)
    {
        var d = points.Dimension;
        var mean = points.Mean();
        var cov = new double[d * d];
        for (var i = 0; i < points.Count; i++)
        {
            var row = points.Row(i);
            for (var p = 0; p < d; p++)
            {
                for (var q = 0; q < d; q++)
                {
                    cov[(p * d) + q] += (row[p] - mean[p]) * (row[q] - mean[q]);
                }
            }
        }

        return cov.Select(v => v / (points.Count - 1)).ToArray();
    }
}
