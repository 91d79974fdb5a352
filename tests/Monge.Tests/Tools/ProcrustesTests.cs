using Monge.Testing;
using Monge.Tools;

namespace Monge.Tests.Tools;

/// <summary>Procrustes fits against planted maps (exact recovery) and invariances.</summary>
public class ProcrustesTests
{
    private static double[] Points(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, 2 * n).Select(_ => (rng.NextDouble() * 100) - 50).ToArray();
    }

    private static double[] Map(double[] x, double[] a, double[] t)
    {
        var y = new double[x.Length];
        for (var i = 0; i < x.Length / 2; i++)
        {
            y[2 * i] = (a[0] * x[2 * i]) + (a[1] * x[(2 * i) + 1]) + t[0];
            y[(2 * i) + 1] = (a[2] * x[2 * i]) + (a[3] * x[(2 * i) + 1]) + t[1];
        }

        return y;
    }

    [Theory]
    [InlineData(35.0, false)]
    [InlineData(35.0, true)]
    [InlineData(-120.0, true)]
    public void Fit_PlantedRigidMap_IsRecovered(double degrees, bool mirror)
    {
        var th = degrees * Math.PI / 180;
        var (c, s) = (Math.Cos(th), Math.Sin(th));
        double[] a = mirror ? [-c, -s, -s, c] : [c, -s, s, c]; // Rot(θ)·diag(−1, 1) when mirrored
        double[] t = [12.5, -7];
        var x = Points(40, 1);
        var fit = Procrustes.Fit(x, Map(x, a, t), 2);
        NumericAssert.Close(a, fit.Matrix, rtol: 0, atol: 1e-10, what: "matrix");
        NumericAssert.Close(t, fit.Translation, rtol: 0, atol: 1e-8, what: "translation");
        Assert.Equal(mirror, fit.IsReflection);
        Assert.True(fit.Residual < 1e-8);
    }

    [Fact]
    public void Fit_ZeroWeightOutliers_AreIgnored_AndAffineRecoversShear()
    {
        var x = Points(30, 2);
        double[] a = [1.3, 0.4, -0.2, 0.7];
        double[] t = [3, 4];
        var y = Map(x, a, t);
        var weights = Enumerable.Repeat(1.0, 30).ToArray();
        for (var i = 0; i < 5; i++)
        {
            y[2 * i] += 1000; // outliers with zero weight
            weights[i] = 0;
        }

        var fit = Procrustes.Fit(x, y, 2, weights, ProcrustesMode.Affine);
        NumericAssert.Close(a, fit.Matrix, rtol: 0, atol: 1e-9, what: "affine matrix");
        NumericAssert.Close(t, fit.Translation, rtol: 0, atol: 1e-8, what: "translation");

        // The rigid fit of a non-rigid map is orthogonal (AᵀA = I) whatever the data.
        var rigid = Procrustes.Fit(x, y, 2, weights, ProcrustesMode.Rigid).Matrix;
        NumericAssert.Close(new[] { 1.0, 0, 0, 1 }, new[] { (rigid[0] * rigid[0]) + (rigid[2] * rigid[2]), (rigid[0] * rigid[1]) + (rigid[2] * rigid[3]), (rigid[1] * rigid[0]) + (rigid[3] * rigid[2]), (rigid[1] * rigid[1]) + (rigid[3] * rigid[3]) }, rtol: 0, atol: 1e-12, what: "AᵀA");
        Assert.Throws<InputValidationException>(() => Procrustes.Fit(x, y.AsSpan(0, 10), 2));
    }
}
