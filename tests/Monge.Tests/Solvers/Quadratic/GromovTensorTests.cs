using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.LowRank;
using Monge.Solvers.Quadratic;
using Monge.Testing;

namespace Monge.Tests.Solvers.Quadratic;

/// <summary>The GW tensor product, value and gradient against brute-force four-index sums, and the factored path against the dense one.</summary>
public sealed class GromovTensorTests
{
    public static TheoryData<GromovLoss, bool> Cases => new()
    {
        { GromovLoss.Square, true },
        { GromovLoss.Square, false },
        { GromovLoss.KullbackLeibler, true },
        { GromovLoss.KullbackLeibler, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Apply_DenseCosts_MatchesFourIndexSum(GromovLoss loss, bool symmetric)
    {
        const int n = 6;
        const int m = 5;
        var c1 = RandomCost(n, symmetric, 1);
        var c2 = RandomCost(m, symmetric, 2);
        var plan = RandomPlan(n, m, 3);
        var tensor = new GromovTensor<double>(new DenseGeometry<double>(c1, n, n), new DenseGeometry<double>(c2, m, m), loss, symmetric);

        NumericAssert.Close(BruteTensor(c1, c2, plan, n, m, loss, transposed: false), tensor.Apply(plan), 1e-12, 1e-13, "L ⊗ P");
        NumericAssert.Close(BruteTensor(c1, c2, plan, n, m, loss, transposed: true), tensor.ApplyTransposed(plan), 1e-12, 1e-13, "Lᵀ ⊗ P");
        NumericAssert.Close(BruteValue(c1, c2, plan, n, m, loss), tensor.Value(plan), 1e-12, 0, "GW value");
        NumericAssert.Close(BruteGradient(c1, c2, plan, n, m, loss), tensor.Gradient(plan), 1e-12, 1e-13, "gradient");
    }

    [Fact]
    public void Gradient_AsymmetricCosts_MatchesFiniteDifferences()
    {
        const int n = 5;
        const int m = 4;
        var c1 = RandomCost(n, symmetric: false, 11);
        var c2 = RandomCost(m, symmetric: false, 12);
        var plan = RandomPlan(n, m, 13);
        var tensor = new GromovTensor<double>(new DenseGeometry<double>(c1, n, n), new DenseGeometry<double>(c2, m, m));
        var grad = tensor.Gradient(plan);
        const double h = 1e-6;
        for (var e = 0; e < plan.Length; e++)
        {
            var up = (double[])plan.Clone();
            var down = (double[])plan.Clone();
            up[e] += h;
            down[e] -= h;
            var fd = (tensor.Value(up) - tensor.Value(down)) / (2 * h);
            NumericAssert.Close(fd, grad[e], 1e-6, 1e-9, $"∂GW/∂P[{e}]");
        }
    }

    [Fact]
    public void Apply_PointClouds_MatchesDenseCosts()
    {
        var x = GeometryTestDataCloud(7, 2, 21);
        var y = GeometryTestDataCloud(6, 3, 22);
        var plan = RandomPlan(7, 6, 23);
        var online = new GromovTensor<double>(new PointCloudGeometry<double>(x, x), new PointCloudGeometry<double>(y, y), GromovLoss.Square, symmetric: true);
        var c1 = new PointCloudGeometry<double>(x, x).ToDense();
        var c2 = new PointCloudGeometry<double>(y, y).ToDense();
        NumericAssert.Close(BruteTensor(c1, c2, plan, 7, 6, GromovLoss.Square, false), online.Apply(plan), 1e-11, 1e-12, "point-cloud L ⊗ P");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FactoredPlan_MatchesDensePath(bool pointClouds)
    {
        const int n = 9;
        const int m = 7;
        CostGeometry<double> gx;
        CostGeometry<double> gy;
        if (pointClouds)
        {
            var x = GeometryTestDataCloud(n, 2, 31);
            var y = GeometryTestDataCloud(m, 3, 32);
            gx = new PointCloudGeometry<double>(x, x);
            gy = new PointCloudGeometry<double>(y, y);
        }
        else
        {
            // Asymmetric factored costs: C = A Bᵀ with unrelated A and B.
            gx = new LowRankGeometry<double>(RandomMatrix(n, 3, 33), RandomMatrix(n, 3, 34), n, n, 3);
            gy = new LowRankGeometry<double>(RandomMatrix(m, 2, 35), RandomMatrix(m, 2, 36), m, m, 2);
        }

        var coupling = RandomCoupling(n, m, 3, 2, 37);
        var dense = coupling.ToDense();
        var symmetric = pointClouds;
        var tensor = new GromovTensor<double>(gx, gy, GromovLoss.Square, symmetric);
        var denseTensor = new GromovTensor<double>(new DenseGeometry<double>(gx.ToDense(), n, n), new DenseGeometry<double>(gy.ToDense(), m, m), GromovLoss.Square, symmetric);

        NumericAssert.Close(denseTensor.Apply(dense), tensor.Apply(coupling).ToDense(), 1e-10, 1e-11, "factored L ⊗ P");
        NumericAssert.Close(denseTensor.Gradient(dense), tensor.Gradient(coupling).ToDense(), 1e-10, 1e-11, "factored gradient");
        NumericAssert.Close(denseTensor.Value(dense), tensor.Value(coupling), 1e-10, 0, "factored value");
    }

    [Fact]
    public void FactoredPlan_KlLoss_IsRefused()
    {
        var x = GeometryTestDataCloud(5, 2, 41);
        var g = new PointCloudGeometry<double>(x, x);
        var tensor = new GromovTensor<double>(g, g, GromovLoss.KullbackLeibler, symmetric: true);
        Assert.Throws<UnsupportedCostException>(() => tensor.Apply(RandomCoupling(5, 5, 2, 2, 42)));
    }

    [Fact]
    public void Apply_Float_MatchesDouble()
    {
        const int n = 6;
        const int m = 6;
        var c1 = RandomCost(n, true, 51);
        var c2 = RandomCost(m, true, 52);
        var plan = RandomPlan(n, m, 53);
        var d = new GromovTensor<double>(new DenseGeometry<double>(c1, n, n), new DenseGeometry<double>(c2, m, m)).Apply(plan);
        var f = new GromovTensor<float>(
            new DenseGeometry<float>(Array.ConvertAll(c1, v => (float)v), n, n),
            new DenseGeometry<float>(Array.ConvertAll(c2, v => (float)v), m, m)).Apply(Array.ConvertAll(plan, v => (float)v));
        NumericAssert.Close(Array.ConvertAll(d, v => (float)v), f, 1e-5, 1e-6, "float tensor");
    }

    internal static double L(double a, double b, GromovLoss loss) => loss == GromovLoss.Square
        ? (a - b) * (a - b)
        : (a * Math.Log((a + 1e-15) / (b + 1e-15))) - a + b;

    internal static double[] BruteTensor(double[] c1, double[] c2, double[] plan, int n, int m, GromovLoss loss, bool transposed)
    {
        var result = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < n; k++)
                {
                    for (var l = 0; l < m; l++)
                    {
                        var a = transposed ? c1[(k * n) + i] : c1[(i * n) + k];
                        var b = transposed ? c2[(l * m) + j] : c2[(j * m) + l];
                        sum += L(a, b, loss) * plan[(k * m) + l];
                    }
                }

                result[(i * m) + j] = sum;
            }
        }

        return result;
    }

    internal static double BruteValue(double[] c1, double[] c2, double[] plan, int n, int m, GromovLoss loss)
    {
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                for (var k = 0; k < n; k++)
                {
                    for (var l = 0; l < m; l++)
                    {
                        sum += L(c1[(i * n) + k], c2[(j * m) + l], loss) * plan[(i * m) + j] * plan[(k * m) + l];
                    }
                }
            }
        }

        return sum;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GradientInto_FactoredSquareLoss_MatchesFourIndexSum(bool symmetric)
    {
        // C1 = s·A1 B1ᵀ and C2 = A2 B2ᵀ (B = A: symmetric); the core path B1ᵀ P B2 against the brute-force gradient.
        const int n = 6;
        const int m = 5;
        var rng = Seeds.Create(41);
        double[] Factor(int rows, int rank) => Enumerable.Range(0, rows * rank).Select(_ => rng.NextDouble() - 0.3).ToArray();
        var a1 = Factor(n, 3);
        var b1 = symmetric ? a1 : Factor(n, 3);
        var a2 = Factor(m, 2);
        var b2 = symmetric ? a2 : Factor(m, 2);
        var gx = new LowRankGeometry<double>(a1, b1, n, n, 3, 0.7);
        var gy = new LowRankGeometry<double>(a2, b2, m, m, 2);
        var c1 = Materialize(gx, n);
        var c2 = Materialize(gy, m);
        var plan = RandomPlan(n, m, 43);
        var tensor = new GromovTensor<double>(gx, gy, GromovLoss.Square, symmetric);
        var gradient = new double[n * m];
        tensor.GradientInto(plan, gradient);
        NumericAssert.Close(BruteGradient(c1, c2, plan, n, m, GromovLoss.Square), gradient, 1e-11, 1e-13, "factored gradient");
    }

    private static double[] Materialize(CostGeometry<double> geometry, int n)
    {
        var c = new double[n * n];
        geometry.FillCostBlock(0, n, 0, n, c);
        return c;
    }

    internal static double[] RandomCost(int n, bool symmetric, int seed)
    {
        var rng = Seeds.Create(seed);
        var c = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < n; k++)
            {
                c[(i * n) + k] = i == k ? 0 : 0.1 + rng.NextDouble();
            }
        }

        if (symmetric)
        {
            for (var i = 0; i < n; i++)
            {
                for (var k = 0; k < i; k++)
                {
                    c[(i * n) + k] = c[(k * n) + i];
                }
            }
        }

        return c;
    }

    internal static double[] RandomPlan(int n, int m, int seed)
    {
        var rng = Seeds.Create(seed);
        var p = new double[n * m];
        var total = 0.0;
        for (var k = 0; k < p.Length; k++)
        {
            p[k] = rng.NextDouble();
            total += p[k];
        }

        for (var k = 0; k < p.Length; k++)
        {
            p[k] /= total;
        }

        return p;
    }

    internal static PointCloud<double> GeometryTestDataCloud(int n, int d, int seed)
    {
        var rng = Seeds.Create(seed);
        var data = new double[n * d];
        for (var k = 0; k < data.Length; k++)
        {
            data[k] = (2 * rng.NextDouble()) - 1;
        }

        return new PointCloud<double>(data, n, d);
    }

    private static double[] BruteGradient(double[] c1, double[] c2, double[] plan, int n, int m, GromovLoss loss)
    {
        var a = BruteTensor(c1, c2, plan, n, m, loss, transposed: false);
        var b = BruteTensor(c1, c2, plan, n, m, loss, transposed: true);
        return a.Zip(b, (x, y) => x + y).ToArray();
    }

    private static double[] RandomMatrix(int rows, int cols, int seed)
    {
        var rng = Seeds.Create(seed);
        var a = new double[rows * cols];
        for (var k = 0; k < a.Length; k++)
        {
            a[k] = rng.NextDouble() - 0.3;
        }

        return a;
    }

    private static LowRankCoupling RandomCoupling(int n, int m, int r, int r2, int seed)
    {
        var rng = Seeds.Create(seed);
        var q = new double[n * r];
        var rr = new double[m * r2];
        var inner = new double[r * r2];
        for (var k = 0; k < q.Length; k++)
        {
            q[k] = 0.05 + rng.NextDouble();
        }

        for (var k = 0; k < rr.Length; k++)
        {
            rr[k] = 0.05 + rng.NextDouble();
        }

        for (var k = 0; k < inner.Length; k++)
        {
            inner[k] = 0.1 + rng.NextDouble();
        }

        return new LowRankCoupling(q, inner, rr, n, m, r, r2);
    }
}
