using System.Numerics;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Testing;

namespace Monge.Tests.Geometry;

/// <summary>
/// The cells' nearest coarse point by the k-d tree (<c>CoarseCells.TreeNearest</c>) is the brute-force fill's
/// (<c>CoarseCells.Nearest</c>: the float cost row and the index of its minimum) bit for bit — on uniform clouds, on
/// lattices with many exact ties and coincident points, with the coarse points a subsample of the cloud (distance 0, as
/// the certificate uses it), far from the origin, in float32 and float64, d = 1, 2, 3, 6 — and is not used where it
/// does not apply.
/// </summary>
public sealed class CoarseCellsTests
{
    public static TheoryData<int, string> Cases => new()
    {
        { 1, "uniform" },
        { 2, "uniform" },
        { 2, "lattice" },
        { 2, "subsample" },
        { 2, "far" },
        { 3, "lattice" },
        { 3, "subsample" },
        { 6, "uniform" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TreeNearest_SquaredCost_SameColumnsAsTheFill(int d, string kind)
    {
        var random = Seeds.Create(310 + d + kind.Length);
        foreach (var k in new[] { 64, 997, 4097 })
        {
            var (x, y) = Clouds(random, 5003, k, d, kind);
            Check(x, y);
            Check(x.Convert<float>(), y.Convert<float>());
        }
    }

    [Fact]
    public void TreeNearest_OtherGeometries_NotUsed()
    {
        var random = Seeds.Create(317);
        var (x, y) = Clouds(random, 500, 100, 2, "uniform");
        var (x7, y7) = Clouds(random, 500, 100, 7, "uniform");
        Assert.NotNull(CoarseCells.TreeNearest(new PointCloudGeometry<double>(x, y)));
        Assert.Null(CoarseCells.TreeNearest(new PointCloudGeometry<double>(x, y, new Euclidean<double>())));
        Assert.Null(CoarseCells.TreeNearest(new PointCloudGeometry<double>(x, y, scaleFactor: 2.0)));
        Assert.Null(CoarseCells.TreeNearest(new PointCloudGeometry<double>(x7, y7)));
        Assert.Null(CoarseCells.TreeNearest(new PointCloudGeometry<double>(x, y.Subset([.. Enumerable.Range(0, 63)]))));
    }

    private static void Check<T>(PointCloud<T> x, PointCloud<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var geometry = new PointCloudGeometry<T>(x, y);
        var brute = CoarseCells.Nearest(geometry);
        var tree = CoarseCells.TreeNearest(geometry);
        Assert.NotNull(tree);
        for (var i = 0; i < brute.Length; i++)
        {
            Assert.True(brute[i] == tree[i], $"row {i}: fill {brute[i]}, tree {tree[i]} ({typeof(T).Name}, d {x.Dimension}, k {y.Count})");
        }

        // Weights (which takes the tree) counts the fill's cells.
        var counts = new double[y.Count];
        foreach (var j in brute)
        {
            counts[j]++;
        }

        Assert.Equal(counts.Select(c => T.CreateTruncating(c / x.Count)).ToArray(), CoarseCells.Weights(geometry, null));
    }

    private static (PointCloud<double> X, PointCloud<double> Y) Clouds(Random random, int n, int k, int d, string kind)
    {
        var x = new double[n * d];
        for (var c = 0; c < x.Length; c++)
        {
            x[c] = kind switch
            {
                "lattice" => random.Next(0, 12) * 0.25,
                "far" => 1000 + (random.NextDouble() * 1e-3),
                _ => (random.NextDouble() * 8) - 4,
            };
        }

        var cloud = new PointCloud<double>(x, n, d);
        if (kind is "subsample" or "lattice")
        {
            return (cloud, cloud.Subset(CoarseCells.Sample(random, n, k)));
        }

        var y = new double[k * d];
        for (var c = 0; c < y.Length; c++)
        {
            y[c] = kind == "far" ? 1000 + (random.NextDouble() * 1e-3) : (random.NextDouble() * 8) - 4;
        }

        return (cloud, new PointCloud<double>(y, k, d));
    }
}
