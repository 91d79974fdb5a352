using Monge.Geometry;
using Monge.Testing;

namespace Monge.Tests.Tools.Barycenters;

/// <summary>Inputs of the barycenter fixtures (tools/fixtures/barycenter_free.py) and seeded clouds.</summary>
internal static class BarycenterTestData
{
    /// <summary>The stacked inputs of a fixture (keys sizes, points, weights) as weighted clouds of dimension d.</summary>
    public static List<PointCloud<double>> Inputs(Fixture fx, int d)
    {
        var sizes = fx.Doubles("sizes");
        var points = fx.Doubles("points");
        var weights = fx.Doubles("weights");
        var clouds = new List<PointCloud<double>>();
        var offset = 0;
        foreach (var size in sizes)
        {
            var n = (int)size;
            clouds.Add(new PointCloud<double>(points[(offset * d)..((offset + n) * d)], n, d, weights[offset..(offset + n)]));
            offset += n;
        }

        return clouds;
    }

    /// <summary>A seeded Gaussian cloud with a shifted centre and optional random weights.</summary>
    public static PointCloud<double> Cloud(Random random, int n, int d, double shift, bool weighted)
    {
        var data = new double[n * d];
        for (var e = 0; e < data.Length; e++)
        {
            data[e] = shift + (2 * random.NextDouble()) - 1 + (e % d);
        }

        return new PointCloud<double>(data, n, d, weighted ? Generators.RandomWeights(random, n) : null);
    }

    /// <summary>The rows of a K × d array sorted lexicographically (to compare point sets).</summary>
    public static double[] SortedRows(ReadOnlySpan<double> points, int d)
    {
        var rows = new List<double[]>();
        for (var i = 0; i < points.Length / d; i++)
        {
            rows.Add(points.Slice(i * d, d).ToArray());
        }

        rows.Sort((l, r) =>
        {
            for (var c = 0; c < d; c++)
            {
                var cmp = l[c].CompareTo(r[c]);
                if (cmp != 0)
                {
                    return cmp;
                }
            }

            return 0;
        });
        return [.. rows.SelectMany(r => r)];
    }
}
