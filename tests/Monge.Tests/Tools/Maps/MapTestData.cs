using Monge.Gaussian;
using Monge.Geometry;

namespace Monge.Tests.Tools.Maps;

/// <summary>A Gaussian pair with a known Monge map (the closed form of <see cref="GaussianTransport.MongeMap"/>).</summary>
internal static class MapTestData
{
    internal static (GaussianMeasure Source, GaussianMeasure Target) GaussianPair(int d)
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

    /// <summary>Root mean squared distance between two clouds of the same shape.</summary>
    internal static double Rms(PointCloud<double> a, PointCloud<double> b)
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
