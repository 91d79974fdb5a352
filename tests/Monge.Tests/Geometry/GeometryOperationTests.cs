using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Testing;

namespace Monge.Tests.Geometry;

/// <summary>Element-wise cost products (C∘C, log C) and sums of geometries against dense brute force.</summary>
public sealed class GeometryOperationTests
{
    private const int N = 13;
    private const int M = 9;

    public static TheoryData<string> Kinds => ["pointcloud-sq", "pointcloud-euclidean", "lowrank", "dense", "sum", "sum-factored"];

    public static TheoryData<string, int, Axis> SquareCases
    {
        get
        {
            var data = new TheoryData<string, int, Axis>();
            foreach (var kind in Kinds)
            {
                foreach (var k in new[] { 1, 3 })
                {
                    data.Add(kind, k, Axis.Rows);
                    data.Add(kind, k, Axis.Columns);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(SquareCases))]
    public void ApplyCost_SquaredCost_MatchesDenseBruteForce(string kind, int k, Axis axis)
    {
        var geometry = Make(kind, N, M);
        var c = Brute(geometry);
        var v = GeometryTestData.Vector((axis == Axis.Rows ? M : N) * k, 5);
        var expected = Reference(c, N, M, x => x * x, v, k, axis);
        var actual = new double[expected.Length];
        geometry.ApplyCost(default(SquaredCost<double>), v, k, axis, actual);
        NumericAssert.Close(expected, actual, rtol: 1e-10, atol: 1e-10, what: $"{kind} C∘C");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ApplyCost_LogCost_MatchesDenseBruteForce(string kind)
    {
        // Offset clouds keep every cost positive, so log C is finite.
        var geometry = Make(kind, N, M, offset: 3);
        var c = Brute(geometry);
        foreach (var axis in new[] { Axis.Rows, Axis.Columns })
        {
            var v = GeometryTestData.Vector(axis == Axis.Rows ? M : N, 6);
            var expected = Reference(c, N, M, Math.Log, v, 1, axis);
            var actual = new double[expected.Length];
            geometry.ApplyCost(default(LogCost<double>), v, axis, actual);
            NumericAssert.Close(expected, actual, rtol: 1e-10, atol: 1e-10, what: $"{kind} log C, {axis}");
        }
    }

    [Fact]
    public void ApplyCost_SquaredCostAcrossTiles_MatchesDenseBruteForce()
    {
        // More columns than one tile (1024) and a row count that is not a multiple of the tile height.
        var x = GeometryTestData.Cloud(19, 2, 11);
        var y = GeometryTestData.Cloud(1031, 2, 12);
        var geometry = new PointCloudGeometry<double>(x, y, default(Euclidean<double>));
        var c = Brute(geometry);
        var v = GeometryTestData.Vector(1031 * 2, 13);
        var expected = Reference(c, 19, 1031, t => t * t, v, 2, Axis.Rows);
        var actual = new double[expected.Length];
        geometry.ApplyCost(default(SquaredCost<double>), v, 2, Axis.Rows, actual);
        NumericAssert.Close(expected, actual, rtol: 1e-10, atol: 1e-9);
    }

    [Theory]
    [InlineData("pointcloud-sq")]
    [InlineData("lowrank")]
    [InlineData("sum")]
    public void ApplyCost_SquaredCostFloat_MatchesDoubleBruteForce(string kind)
    {
        var geometry = MakeFloat(kind, 11, 7);
        var c = new double[11 * 7];
        for (var i = 0; i < 11; i++)
        {
            for (var j = 0; j < 7; j++)
            {
                c[(i * 7) + j] = geometry.Cost(i, j);
            }
        }

        foreach (var axis in new[] { Axis.Rows, Axis.Columns })
        {
            var v = GeometryTestData.Vector(axis == Axis.Rows ? 7 : 11, 8);
            var expected = Reference(c, 11, 7, t => t * t, v, 1, axis);
            var actual = new float[expected.Length];
            geometry.ApplyCost(default(SquaredCost<float>), Array.ConvertAll(v, t => (float)t), axis, actual);
            NumericAssert.Close(Array.ConvertAll(expected, t => (float)t), actual, rtol: 1e-4, atol: 1e-4, what: $"{kind} {axis}");
        }
    }

    [Fact]
    public void ElementwiseSquare_LowRank_HasRankSquaredAndSquaredEntries()
    {
        var geometry = (LowRankGeometry<double>)Make("lowrank", N, M);
        var square = geometry.ElementwiseSquare();
        Assert.Equal(geometry.Rank * geometry.Rank, square.Rank);
        var c = geometry.ToDense();
        var c2 = square.ToDense();
        NumericAssert.Close(Array.ConvertAll(c, t => t * t), c2, rtol: 1e-10, atol: 1e-10);
    }

    [Fact]
    public void SumGeometry_Entries_AreTheWeightedSumOfTheParts()
    {
        var (parts, weights) = SumParts(N, M, offset: 0);
        var sum = new SumGeometry<double>(parts, weights, 1.5);
        var expected = new double[N * M];
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                for (var k = 0; k < parts.Length; k++)
                {
                    expected[(i * M) + j] += 1.5 * weights[k] * parts[k].Cost(i, j);
                }
            }
        }

        NumericAssert.Close(expected, sum.ToDense(), rtol: 1e-12, atol: 1e-12, what: "FillCostBlock");
        NumericAssert.Close(expected[(4 * M) + 7], sum.Cost(4, 7), rtol: 1e-12, atol: 1e-12, what: "Cost");
        var transposed = sum.Transpose().ToDense();
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                NumericAssert.Close(expected[(i * M) + j], transposed[(j * N) + i], rtol: 1e-12, atol: 1e-12, what: "transpose");
            }
        }
    }

    [Theory]
    [InlineData(Axis.Rows)]
    [InlineData(Axis.Columns)]
    public void SumGeometry_SoftMin_MatchesDenseBruteForce(Axis axis)
    {
        var sum = Make("sum", N, M);
        var c = Brute(sum);
        var h = GeometryTestData.Vector(axis == Axis.Rows ? M : N, 9);
        var logW = GeometryTestData.Vector(axis == Axis.Rows ? M : N, 10, 0.5);
        var expected = GeometryTestData.SoftMin(c, N, M, h, logW, 0.3, axis);
        var actual = new double[expected.Length];
        sum.SoftMin(h, logW, 0.3, axis, actual);
        NumericAssert.Close(expected, actual, rtol: 1e-10, atol: 1e-10);
    }

    [Theory]
    [InlineData(Axis.Rows, 1)]
    [InlineData(Axis.Columns, 1)]
    [InlineData(Axis.Rows, 4)]
    [InlineData(Axis.Columns, 4)]
    public void SumGeometry_ApplyCost_MatchesDenseBruteForce(Axis axis, int k)
    {
        var sum = Make("sum", N, M);
        var c = Brute(sum);
        var v = GeometryTestData.Vector((axis == Axis.Rows ? M : N) * k, 14);
        var expected = Reference(c, N, M, t => t, v, k, axis);
        var actual = new double[expected.Length];
        sum.ApplyCost(v, k, axis, actual);
        NumericAssert.Close(expected, actual, rtol: 1e-10, atol: 1e-10);
    }

    [Fact]
    public void SumGeometry_FactoredParts_ConcatenatesExactFactors()
    {
        var x = GeometryTestData.Cloud(N, 3, 1);
        var y = GeometryTestData.Cloud(M, 3, 2);
        var lowRank = LowRankGeometry<double>.SquaredEuclidean(x, y).WithScaleFactor(2.0);
        var points = PointCloudGeometry.SquaredEuclidean(x, y);
        var sum = new SumGeometry<double>([lowRank, points], [0.25, 0.75], 3.0);
        Assert.True(sum.TryGetFactors(out var factors));
        Assert.Equal(5 + 5, factors.Rank);
        var rebuilt = LowRankGeometry<double>.FromFactors(factors, N, M).ToDense();
        NumericAssert.Close(sum.ToDense(), rebuilt, rtol: 1e-10, atol: 1e-10);
    }

    [Fact]
    public void SumGeometry_PartWithoutFactors_HasNoFactors()
    {
        var sum = Make("sum", N, M);
        Assert.False(sum.TryGetFactors(out var factors));
        Assert.Null(factors);
    }

    [Fact]
    public void SumGeometry_SubsetAndScale_KeepWeights()
    {
        var sum = Make("sum", N, M);
        int[] rows = [3, 0, 12];
        int[] cols = [8, 1];
        var sub = sum.Subset(rows, cols);
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < cols.Length; c++)
            {
                NumericAssert.Close(sum.Cost(rows[r], cols[c]), sub.Cost(r, c), rtol: 1e-12, atol: 1e-12);
            }
        }

        var scaled = sum.WithScaleFactor(4.0);
        NumericAssert.Close(4.0 * sum.Cost(2, 2) / sum.ScaleFactor, scaled.Cost(2, 2), rtol: 1e-12);
    }

    [Fact]
    public void SumGeometry_BadInput_ThrowsTypedErrors()
    {
        var a = Make("dense", N, M);
        var b = Make("dense", N, M + 1);
        Assert.Throws<InputValidationException>(() => new SumGeometry<double>([a, b], [1.0, 1.0]));
        Assert.Throws<InputValidationException>(() => new SumGeometry<double>([a], [1.0, 2.0]));
        Assert.Throws<InputValidationException>(() => new SumGeometry<double>([], []));
        Assert.Throws<InputValidationException>(() => new SumGeometry<double>([a], [double.NaN]));
        Assert.Throws<InputValidationException>(() => SumGeometry<double>.Mix(a, a, 1.5));
        NumericAssert.Close(a.Cost(1, 2), SumGeometry<double>.Mix(a, a, 0.3).Cost(1, 2), rtol: 1e-12);
    }

    private static (CostGeometry<double>[] Parts, double[] Weights) SumParts(int n, int m, double offset)
    {
        var x = GeometryTestData.Cloud(n, 3, 1, offset);
        var y = GeometryTestData.Cloud(m, 3, 2);
        var euclidean = new PointCloudGeometry<double>(x, y, default(Euclidean<double>));
        var lowRank = LowRankGeometry<double>.SquaredEuclidean(x, y).WithScaleFactor(0.5);
        var dense = new DenseGeometry<double>(Array.ConvertAll(GeometryTestData.Vector(n * m, 3), t => 1 + Math.Abs(t)), n, m, 2.0);
        return ([euclidean, lowRank, dense], [0.7, 0.2, 0.1]);
    }

    private static CostGeometry<double> Make(string kind, int n, int m, double offset = 0)
    {
        var x = GeometryTestData.Cloud(n, 3, 1, offset);
        var y = GeometryTestData.Cloud(m, 3, 2);
        return kind switch
        {
            "pointcloud-sq" => PointCloudGeometry.SquaredEuclidean(x, y).WithScaleFactor(0.5),
            "pointcloud-euclidean" => new PointCloudGeometry<double>(x, y, default(Euclidean<double>), 2.0),
            "lowrank" => LowRankGeometry<double>.SquaredEuclidean(x, y).WithScaleFactor(3.0),
            "dense" => new DenseGeometry<double>(PointCloudGeometry.SquaredEuclidean(x, y).ToDense(), n, m, 0.25),
            "sum" => new SumGeometry<double>(SumParts(n, m, offset).Parts, SumParts(n, m, offset).Weights, 1.5),
            _ => new SumGeometry<double>([LowRankGeometry<double>.SquaredEuclidean(x, y), PointCloudGeometry.SquaredEuclidean(x, y)], [0.4, 0.6]),
        };
    }

    private static CostGeometry<float> MakeFloat(string kind, int n, int m)
    {
        static PointCloud<float> ToFloat(PointCloud<double> cloud) => new(Array.ConvertAll(cloud.Data.ToArray(), t => (float)t), cloud.Count, cloud.Dimension);
        var x = ToFloat(GeometryTestData.Cloud(n, 2, 21));
        var y = ToFloat(GeometryTestData.Cloud(m, 2, 22));
        return kind switch
        {
            "pointcloud-sq" => new PointCloudGeometry<float>(x, y),
            "lowrank" => LowRankGeometry<float>.SquaredEuclidean(x, y).WithScaleFactor(0.5f),
            _ => new SumGeometry<float>([new PointCloudGeometry<float>(x, y, default(Euclidean<float>)), LowRankGeometry<float>.SquaredEuclidean(x, y)], [0.5f, 0.5f]),
        };
    }

    /// <summary>The dense (scaled) costs, entry by entry through <see cref="CostGeometry{T}.Cost"/>.</summary>
    private static double[] Brute(CostGeometry<double> geometry)
    {
        var c = new double[geometry.Rows * geometry.Cols];
        for (var i = 0; i < geometry.Rows; i++)
        {
            for (var j = 0; j < geometry.Cols; j++)
            {
                c[(i * geometry.Cols) + j] = geometry.Cost(i, j);
            }
        }

        return c;
    }

    /// <summary>h(C)·V (axis Rows) or h(C)ᵀ·U (axis Columns), naive, row-major blocks of k columns.</summary>
    private static double[] Reference(double[] c, int n, int m, Func<double, double> h, double[] v, int k, Axis axis)
    {
        var outLength = axis == Axis.Rows ? n : m;
        var result = new double[outLength * k];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var value = h(c[(i * m) + j]);
                for (var q = 0; q < k; q++)
                {
                    if (axis == Axis.Rows)
                    {
                        result[(i * k) + q] += value * v[(j * k) + q];
                    }
                    else
                    {
                        result[(j * k) + q] += value * v[(i * k) + q];
                    }
                }
            }
        }

        return result;
    }
}
