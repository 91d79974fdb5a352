using Monge.Datasets;
using Monge.Geometry;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>Small seeded problems for the low-rank solver tests.</summary>
internal static class LowRankTestData
{
    /// <summary>8 Gaussians → moons (the FRLC demo set-up), n points each.</summary>
    public static (PointCloud<double> X, PointCloud<double> Y) EightGaussiansMoons(int n, int seed)
    {
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, seed);
        return (sample.Source, sample.Target!);
    }

    /// <summary>
    /// A problem from tests/fixtures/lowrank_*.npz (tools/fixtures/lowrank.py): the points, the scaled dense cost
    /// ‖x − y‖^p / scale (from the fixture when it holds one, else rebuilt from the points and checked against the
    /// fixture's scale) and POT's exact optimum <c>ot.emd2</c> with uniform weights.
    /// </summary>
    public static ExactProblem LoadExact(string name)
    {
        var fx = Fixtures.Load(name);
        var x = fx.Array("x").ToPointCloud();
        var y = fx.Array("y").ToPointCloud();
        var p = (int)fx.Scalar("p");
        var scale = fx.Scalar("scale");
        double[] c;
        if (fx.Has("cost"))
        {
            c = fx.Doubles("cost");
        }
        else
        {
            var raw = DenseCost(x, y, p);
            var max = raw.Max();
            if (Math.Abs(max - scale) > 1e-12 * scale)
            {
                throw new InvalidOperationException($"{name}: rebuilt cost max {max} differs from the fixture's scale {scale}.");
            }

            c = raw.Select(v => v / scale).ToArray();
        }

        return new ExactProblem(fx, x, y, c, fx.Scalar("exact"));
    }

    /// <summary>Dense cost ‖x − y‖^p, row-major.</summary>
    public static double[] DenseCost(PointCloud<double> x, PointCloud<double> y, int p)
    {
        var c = new double[x.Count * y.Count];
        for (var i = 0; i < x.Count; i++)
        {
            for (var j = 0; j < y.Count; j++)
            {
                var d2 = 0.0;
                for (var l = 0; l < x.Dimension; l++)
                {
                    var t = x.Row(i)[l] - y.Row(j)[l];
                    d2 += t * t;
                }

                c[(i * y.Count) + j] = p == 2 ? d2 : Math.Sqrt(d2);
            }
        }

        return c;
    }

    /// <summary>Divides every entry by the max.</summary>
    public static double[] DivideByMax(double[] c)
    {
        var max = c.Max();
        return c.Select(v => v / max).ToArray();
    }

    /// <summary>Uniform random points in [0,1]^d.</summary>
    public static PointCloud<double> Uniform(int n, int d, Random rng)
    {
        var data = new double[n * d];
        for (var k = 0; k < data.Length; k++)
        {
            data[k] = rng.NextDouble();
        }

        return new PointCloud<double>(data, n, d);
    }

    /// <summary>ΣΣ C ⊙ P.</summary>
    public static double Dot(double[] c, double[] p)
    {
        var s = 0.0;
        for (var k = 0; k < c.Length; k++)
        {
            s += c[k] * p[k];
        }

        return s;
    }
}

/// <summary>A fixture problem with its exact optimum (POT network simplex).</summary>
internal sealed record ExactProblem(Fixture Fixture, PointCloud<double> X, PointCloud<double> Y, double[] Cost, double Exact)
{
    public int N => X.Count;
}
