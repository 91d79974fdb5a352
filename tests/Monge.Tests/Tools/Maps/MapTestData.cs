using Monge.Gaussian;
using Monge.Geometry;
using Monge.Testing;

namespace Monge.Tests.Tools.Maps;

/// <summary>The map tests' names for <see cref="GaussianMapPair"/> (the shared Gaussian pair with a known Monge map).</summary>
internal static class MapTestData
{
    /// <summary><see cref="GaussianMapPair.Create"/>.</summary>
    internal static (GaussianMeasure Source, GaussianMeasure Target) GaussianPair(int d) => GaussianMapPair.Create(d);

    /// <summary><see cref="GaussianMapPair.Rms"/>.</summary>
    internal static double Rms(PointCloud<double> a, PointCloud<double> b) => GaussianMapPair.Rms(a, b);
}
