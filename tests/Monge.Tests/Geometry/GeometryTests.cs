using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Testing;

namespace Monge.Tests.Geometry;

public class GeometryTests
{
    private static double SqEuclid(double[] x, double[] y) => x.Zip(y, (a, b) => (a - b) * (a - b)).Sum();

    public static TheoryData<int, int, int, double> SoftMinCases => new()
    {
        { 1, 1, 1, 0.5 },
        { 7, 13, 2, 0.1 },
        { 33, 517, 3, 0.01 },
        { 300, 250, 5, 0.05 },
        { 129, 1031, 3, 0.002 },
    };

    [Theory]
    [MemberData(nameof(SoftMinCases))]
    public void SoftMin_AllGeometries_MatchBruteForce(int n, int m, int d, double eps)
    {
        var x = GeometryTestData.Cloud(n, d, 1, offset: 3);
        var y = GeometryTestData.Cloud(m, d, 2, offset: 3.2);
        var c = GeometryTestData.BruteCost(x, y, SqEuclid);
        var g = GeometryTestData.Vector(m, 3, 0.3);
        var f = GeometryTestData.Vector(n, 4, 0.3);
        var lb = GeometryTestData.Vector(m, 5).Select(v => Math.Log(0.5 + Math.Abs(v))).ToArray();
        var la = GeometryTestData.Vector(n, 6).Select(v => Math.Log(0.5 + Math.Abs(v))).ToArray();
        var geometries = new CostGeometry<double>[]
        {
            new DenseGeometry<double>(c, n, m),
            new PointCloudGeometry<double>(x, y),
            LowRankGeometry<double>.SquaredEuclidean(x, y),
            PointCloudGeometry.Create(x, y, new DelegateCost<double>((a, b) => default(SquaredEuclidean<double>).Evaluate(a, b))),
        };
        var expectedRows = GeometryTestData.SoftMin(c, n, m, g, lb, eps, Axis.Rows);
        var expectedCols = GeometryTestData.SoftMin(c, n, m, f, la, eps, Axis.Columns);
        foreach (var geom in geometries)
        {
            var rows = new double[n];
            geom.SoftMin(g, lb, eps, Axis.Rows, rows);
            NumericAssert.Close(expectedRows, rows, rtol: 1e-9, atol: 1e-9, what: geom.GetType().Name + " rows");
            var cols = new double[m];
            geom.SoftMin(f, la, eps, Axis.Columns, cols);
            NumericAssert.Close(expectedCols, cols, rtol: 1e-9, atol: 1e-9, what: geom.GetType().Name + " cols");
        }
    }

    [Theory]
    [InlineData(5, 9, 2)]
    [InlineData(100, 1029, 3)]
    public void SoftMin_Float_MatchesDouble(int n, int m, int d)
    {
        var x = GeometryTestData.Cloud(n, d, 11, offset: 10);
        var y = GeometryTestData.Cloud(m, d, 12, offset: 10);
        var c = GeometryTestData.BruteCost(x, y, SqEuclid);
        var g = GeometryTestData.Vector(m, 13, 0.1);
        var eps = 0.01;
        var expected = GeometryTestData.SoftMin(c, n, m, g, null, eps, Axis.Rows);
        var geom = new PointCloudGeometry<float>(x.Convert<float>(), y.Convert<float>());
        var dst = new float[n];
        geom.SoftMin(g.Select(v => (float)v).ToArray(), default, 0.01f, Axis.Rows, dst);
        NumericAssert.Close(expected, dst.Select(v => (double)v).ToArray(), rtol: 1e-4, atol: 2e-4, what: "float kernel");
    }

    [Fact]
    public void SoftMin_TinyEpsilon_StaysFinite()
    {
        var x = GeometryTestData.Cloud(40, 2, 21);
        var y = GeometryTestData.Cloud(50, 2, 22);
        var geom = new PointCloudGeometry<double>(x, y);
        var dst = new double[40];
        geom.SoftMin(new double[50], default, 1e-6, Axis.Rows, dst);
        NumericAssert.AllFinite(dst);

        // As ε → 0 the soft-min tends to the hard minimum of the costs.
        var c = GeometryTestData.BruteCost(x, y, SqEuclid);
        var hardMin = Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, 50).Min(j => c[(i * 50) + j])).ToArray();
        NumericAssert.Close(hardMin, dst, rtol: 0, atol: 1e-4);
    }

    [Fact]
    public void SoftMin_NaNPotential_GivesNaN()
    {
        var geom = new PointCloudGeometry<double>(GeometryTestData.Cloud(3, 2, 1), GeometryTestData.Cloud(4, 2, 2));
        var dst = new double[3];
        geom.SoftMin([0, double.NaN, 0, 0], default, 0.1, Axis.Rows, dst);
        Assert.All(dst, v => Assert.True(double.IsNaN(v)));
        var dense = new DenseGeometry<double>(geom.ToDense(), 3, 4);
        dense.SoftMin([0, double.NaN, 0, 0], default, 0.1, Axis.Rows, dst);
        Assert.All(dst, v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void ApplyCost_BlockAndVector_MatchBruteForce_AllGeometries()
    {
        int n = 37, m = 1100, d = 3, k = 3;
        var x = GeometryTestData.Cloud(n, d, 31);
        var y = GeometryTestData.Cloud(m, d, 32);
        var c = GeometryTestData.BruteCost(x, y, SqEuclid);
        var v = GeometryTestData.Vector(m * k, 33);
        var u = GeometryTestData.Vector(n * k, 34);
        var expectedCv = new double[n * k];
        var expectedCtu = new double[m * k];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                for (var q = 0; q < k; q++)
                {
                    expectedCv[(i * k) + q] += c[(i * m) + j] * v[(j * k) + q];
                    expectedCtu[(j * k) + q] += c[(i * m) + j] * u[(i * k) + q];
                }
            }
        }

        foreach (var geom in new CostGeometry<double>[] { new DenseGeometry<double>(c, n, m), new PointCloudGeometry<double>(x, y), LowRankGeometry<double>.SquaredEuclidean(x, y) })
        {
            var cv = new double[n * k];
            geom.ApplyCost(v, k, Axis.Rows, cv);
            NumericAssert.Close(expectedCv, cv, rtol: 1e-9, atol: 1e-9, what: geom.GetType().Name);
            var ctu = new double[m * k];
            geom.ApplyCost(u, k, Axis.Columns, ctu);
            NumericAssert.Close(expectedCtu, ctu, rtol: 1e-9, atol: 1e-9, what: geom.GetType().Name);
            var single = new double[n];
            geom.ApplyCost(v.Where((_, idx) => idx % k == 0).ToArray(), Axis.Rows, single);
            NumericAssert.Close(expectedCv.Where((_, idx) => idx % k == 0).ToArray(), single, rtol: 1e-9, atol: 1e-9);
        }
    }

    [Fact]
    public void ApplyKernel_MatchesExpOfCost()
    {
        var x = GeometryTestData.Cloud(20, 2, 41);
        var y = GeometryTestData.Cloud(30, 2, 42);
        var c = GeometryTestData.BruteCost(x, y, SqEuclid);
        var v = GeometryTestData.Vector(30, 43);
        var expected = new double[20];
        for (var i = 0; i < 20; i++)
        {
            for (var j = 0; j < 30; j++)
            {
                expected[i] += Math.Exp(-c[(i * 30) + j] / 0.3) * v[j];
            }
        }

        var dst = new double[20];
        new PointCloudGeometry<double>(x, y).ApplyKernel(v, 0.3, Axis.Rows, dst);
        NumericAssert.Close(expected, dst, rtol: 1e-10, atol: 1e-12);
    }

    [Fact]
    public void Costs_MatchDefinitions()
    {
        var x = GeometryTestData.Cloud(6, 4, 51);
        var y = GeometryTestData.Cloud(8, 4, 52);
        void Check(ICostFunction<double> cost, Func<double[], double[], double> oracle)
        {
            var expected = GeometryTestData.BruteCost(x, y, oracle);
            var geom = new PointCloudGeometry<double>(x, y, cost);
            NumericAssert.Close(expected, geom.ToDense(), rtol: 1e-12, atol: 1e-12, what: cost.Name);
            var t = geom.Transpose();
            for (var i = 0; i < 6; i++)
            {
                for (var j = 0; j < 8; j++)
                {
                    NumericAssert.Close(expected[(i * 8) + j], t.Cost(j, i), rtol: 1e-12, atol: 1e-12, what: cost.Name + " transposed");
                }
            }
        }

        Check(default(SquaredEuclidean<double>), SqEuclid);
        Check(default(Euclidean<double>), (a, b) => Math.Sqrt(SqEuclid(a, b)));
        Check(new PNormPower<double>(1.5), (a, b) => a.Zip(b, (p, q) => Math.Pow(Math.Abs(p - q), 1.5)).Sum());
        Check(new Cosine<double>(0), (a, b) => 1 - (a.Zip(b, (p, q) => p * q).Sum() / Math.Sqrt(a.Sum(p => p * p) * b.Sum(q => q * q))));
        Check(default(NegativeDotProduct<double>), (a, b) => -a.Zip(b, (p, q) => p * q).Sum());
        Check(new DelegateCost<double>((a, b) => Math.Abs(a[0] - b[1]), isSymmetric: false), (a, b) => Math.Abs(a[0] - b[1]));
    }

    [Fact]
    public void TryGetFactors_NegativeDotProduct_Exact()
    {
        var x = GeometryTestData.Cloud(5, 3, 61);
        var y = GeometryTestData.Cloud(7, 3, 62);
        var geom = new PointCloudGeometry<double>(x, y, default(NegativeDotProduct<double>));
        Assert.True(geom.TryGetFactors(out var f));
        var lr = LowRankGeometry<double>.FromFactors(f, 5, 7);
        NumericAssert.Close(geom.ToDense(), lr.ToDense(), rtol: 1e-12, atol: 1e-12);
        Assert.False(new PointCloudGeometry<double>(x, y, default(Euclidean<double>)).TryGetFactors(out _));
    }

    [Fact]
    public void CostScaling_MeanMaxStd_NormalizeStatistic()
    {
        var x = GeometryTestData.Cloud(30, 2, 71);
        var y = GeometryTestData.Cloud(40, 2, 72);
        var geom = new PointCloudGeometry<double>(x, y);
        var c = geom.ToDense();
        NumericAssert.Close(1.0, geom.WithCostScaling(CostScaling.Mean).ComputeStatistics().Mean, rtol: 1e-12);
        NumericAssert.Close(1.0, geom.WithCostScaling(CostScaling.Max).ComputeStatistics().Max, rtol: 1e-12);
        NumericAssert.Close(1.0, geom.WithCostScaling(CostScaling.Std).ComputeStatistics().StandardDeviation, rtol: 1e-9);
        var scaled = geom.WithCostScaling(CostScaling.Mean);
        NumericAssert.Close(c.Average(), 1 / scaled.ScaleFactor, rtol: 1e-12);
        NumericAssert.Close(c.Select(v => v * scaled.ScaleFactor).ToArray(), scaled.ToDense(), rtol: 1e-12, atol: 1e-15);
    }

    [Fact]
    public void BadInput_Throws()
    {
        var x = GeometryTestData.Cloud(3, 2, 1);
        var y3 = GeometryTestData.Cloud(3, 3, 2);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => new PointCloudGeometry<double>(x, y3)).Problem);
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => new DenseGeometry<double>([0, double.NaN], 1, 2)).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => new DenseGeometry<double>([0, 1, 2], 1, 2)).Problem);
        var geom = new DenseGeometry<double>([0, 1], 1, 2);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => geom.SoftMin([0, 0], default, 0, Axis.Rows, new double[1])).Problem);
        Assert.Throws<ArgumentException>(() => geom.SoftMin([0, 0, 0], default, 1, Axis.Rows, new double[1]));
        Assert.Throws<InvalidOperationException>(() => new PointCloudGeometry<double>(GeometryTestData.Cloud(200, 1, 3), GeometryTestData.Cloud(200, 1, 4)).ToDense(maxEntries: 1000));
    }
}
