using Monge.Gaussian;
using Monge.Geometry;

namespace Monge.Testing;

/// <summary>
/// A Gaussian pair with a known Monge map (the closed form of <see cref="GaussianTransport.MongeMap"/>), shared by the
/// map tests and the out-of-sample table of docs/maps.md (<c>bench/Monge.Benchmarks maps-error</c>), so both use the
/// same pair.
/// </summary>
public static class GaussianMapPair
{
    /// <summary>
    /// Source N(0, Σ₀) with Σ₀ = diag(1 … 1.5); target N(m, Σ₁) with m = (1, −½, 1, …), Σ₁ tridiagonal: diagonal
    /// 1.4 … 0.6, off-diagonal 0.2.
    /// </summary>
    /// <param name="d">The dimension.</param>
    /// <returns>The source and target measures.</returns>
    public static (GaussianMeasure Source, GaussianMeasure Target) Create(int d)
    {
        var sourceCov = new double[d * d];
        var targetCov = new double[d * d];
        var mean = new double[d];
        for (var i = 0; i < d; i++)
        {
            sourceCov[(i * d) + i] = 1 + (0.5 * i / Math.Max(1, d - 1));
            targetCov[(i * d) + i] = 0.6 + (0.8 * (d - 1 - i) / Math.Max(1, d - 1));
            mean[i] = i % 2 == 0 ? 1 : -0.5;
        }

        for (var i = 0; i + 1 < d; i++)
        {
            targetCov[(i * d) + i + 1] = 0.2;
            targetCov[((i + 1) * d) + i] = 0.2;
        }

        return (new GaussianMeasure(new double[d], sourceCov), new GaussianMeasure(mean, targetCov));
    }

    /// <summary>Root mean squared distance between two clouds of the same shape (per point).</summary>
    /// <param name="a">One cloud.</param>
    /// <param name="b">The other, same count and dimension.</param>
    /// <returns>sqrt(Σ ‖a_i − b_i‖² / n).</returns>
    public static double Rms(PointCloud<double> a, PointCloud<double> b)
    {
        var s = 0.0;
        var x = a.Data;
        var y = b.Data;
        for (var i = 0; i < x.Length; i++)
        {
            s += (x[i] - y[i]) * (x[i] - y[i]);
        }

        return Math.Sqrt(s / a.Count);
    }
}
