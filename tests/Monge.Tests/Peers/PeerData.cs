using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Testing;

namespace Monge.Tests.Peers;

/// <summary>
/// Small readers for the fixtures of the ported peer tests (tests/fixtures/peers_*.npz, written by
/// tools/fixtures/peers.py with POT 0.8.2); docs/testing.md maps each test to the peer test it mirrors.
/// </summary>
internal static class PeerData
{
    /// <summary>A fixture array as an n × d cloud (a vector is n × 1; integer arrays are read as they are stored).</summary>
    public static PointCloud<double> Cloud(Fixture fx, string key) => fx.Array(key).ToPointCloud();

    /// <summary>The dense cost of two clouds, row-major, through the one point-cloud geometry.</summary>
    public static double[] DenseCost(PointCloud<double> x, PointCloud<double> y, ICostFunction<double>? cost = null) =>
        new PointCloudGeometry<double>(x, y, cost).ToDense();

    /// <summary>
    /// POT's <c>ot.utils.dist0(n) / median</c> (squared distances of the bins 0..n−1, scaled) as the point-cloud geometry
    /// of the bins i·√s with s = C[0, 1] read from the fixture's dense cost, checked against that cost.
    /// </summary>
    public static PointCloudGeometry<double> ScaledBins(double[] cost, int n)
    {
        var step = Math.Sqrt(cost[1]);
        var bins = new PointCloud<double>(Enumerable.Range(0, n).Select(i => i * step).ToArray(), n, 1);
        var geometry = new PointCloudGeometry<double>(bins, bins);
        NumericAssert.Close(cost, geometry.ToDense(), rtol: 1e-11, atol: 1e-13, what: "dist0 / median (input rounding)");
        return geometry;
    }

    /// <summary>Row <paramref name="k"/> of a stacked array (k-th slice of the first axis), as a flat copy.</summary>
    public static double[] Slice(Fixture fx, string key, int k)
    {
        var arr = fx.Array(key);
        var all = arr.ToDoubleArray();
        var size = arr.Columns;
        return all.AsSpan(k * size, size).ToArray();
    }

    /// <summary>Column <paramref name="k"/> of an n × c array.</summary>
    public static double[] Column(Fixture fx, string key, int k)
    {
        var arr = fx.Array(key);
        var all = arr.ToDoubleArray();
        var c = arr.Columns;
        return Enumerable.Range(0, arr.Rows).Select(i => all[(i * c) + k]).ToArray();
    }

    /// <summary>⟨C, P⟩ of two row-major arrays.</summary>
    public static double Dot(ReadOnlySpan<double> c, ReadOnlySpan<double> p)
    {
        var s = 0.0;
        for (var k = 0; k < c.Length; k++)
        {
            s += c[k] * p[k];
        }

        return s;
    }

    /// <summary>Row sums of an n × m row-major plan.</summary>
    public static double[] RowSums(ReadOnlySpan<double> plan, int n, int m)
    {
        var r = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                r[i] += plan[(i * m) + j];
            }
        }

        return r;
    }
}
