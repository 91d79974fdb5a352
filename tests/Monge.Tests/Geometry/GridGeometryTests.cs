using Monge.Geometry;
using Monge.Testing;

namespace Monge.Tests.Geometry;

/// <summary><see cref="GridGeometry{T}"/> against brute force: the dense cost matrix of the same points.</summary>
public sealed class GridGeometryTests
{
    public static TheoryData<int[]> Shapes() => new() { new[] { 7 }, new[] { 5, 3 }, new[] { 1, 6 }, new[] { 4, 1 }, new[] { 3, 4, 2 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Cost_AnyShape_IsSquaredDistanceOfRowMajorPoints(int[] shape)
    {
        var (grid, points) = Build(shape, 0.7);
        var n = points.Length;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var expected = 0.7 * points[i].Zip(points[j], (a, b) => (a - b) * (a - b)).Sum();
                NumericAssert.Close(expected, grid.Cost(i, j), rtol: 1e-14, atol: 1e-15);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SoftMin_BothAxes_MatchesDenseGeometry(int[] shape)
    {
        var (grid, _) = Build(shape, 1.3);
        var dense = new DenseGeometry<double>(grid.ToDense(), grid.Rows, grid.Cols);
        var rng = Seeds.Create(shape.Sum());
        var n = grid.Rows;
        var h = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var logWeights = Enumerable.Range(0, n).Select(i => i % 3 == 1 ? double.NegativeInfinity : Math.Log(rng.NextDouble() + 0.1)).ToArray();
        foreach (var epsilon in new[] { 1e-3, 0.05, 2.0 })
        {
            foreach (var axis in new[] { Axis.Rows, Axis.Columns })
            {
                foreach (var weights in new[] { logWeights, [] })
                {
                    var expected = new double[n];
                    var actual = new double[n];
                    dense.SoftMin(h, weights, epsilon, axis, expected);
                    grid.SoftMin(h, weights, epsilon, axis, actual);
                    NumericAssert.Close(expected, actual, rtol: 1e-11, atol: 1e-12 * epsilon, what: $"ε {epsilon} {axis}");
                }
            }
        }
    }

    [Fact]
    public void UnitImage_Axes_AreLinspaceFromZeroToOne()
    {
        var grid = GridGeometry<double>.UnitImage(3, 5);
        Assert.Equal([3, 5], grid.Shape);
        Assert.Equal([0, 0.5, 1], grid.AxisCoordinates(0).ToArray());
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], grid.AxisCoordinates(1).ToArray());
        NumericAssert.Close(1 + (0.75 * 0.75), grid.Cost(1, 14), rtol: 1e-15); // (0, 0.25) to (1, 1)
    }

    [Fact]
    public void Constructor_BadAxes_Throw()
    {
        Assert.Throws<InputValidationException>(() => new GridGeometry<double>([]));
        Assert.Throws<InputValidationException>(() => new GridGeometry<double>([[1.0], []]));
        Assert.Throws<InputValidationException>(() => new GridGeometry<double>([[1.0, double.NaN]]));
        Assert.Throws<InputValidationException>(() => GridGeometry<double>.UnitImage(0, 3));
    }

    private static (GridGeometry<double> Grid, double[][] Points) Build(int[] shape, double scale)
    {
        var rng = Seeds.Create(17);
        var axes = shape.Select(n => Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2).ToArray()).ToArray();
        var grid = new GridGeometry<double>(axes, scale);
        var count = shape.Aggregate(1, (p, n) => p * n);
        var points = new double[count][];
        for (var i = 0; i < count; i++)
        {
            var index = i;
            var point = new double[shape.Length];
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                point[d] = axes[d][index % shape[d]];
                index /= shape[d];
            }

            points[i] = point;
        }

        return (grid, points);
    }
}
