using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Tests.Solvers.Quadratic;

/// <summary>Small independent oracles for the low-rank GW tests: dense costs, the GW value by its definition, brute force.</summary>
internal static class LowRankGromovTestData
{
    public static double[] SquaredDistances(PointCloud<double> x)
    {
        var n = x.Count;
        var c = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < n; k++)
            {
                var s = 0.0;
                for (var l = 0; l < x.Dimension; l++)
                {
                    var d = x.Row(i)[l] - x.Row(k)[l];
                    s += d * d;
                }

                c[(i * n) + k] = s;
            }
        }

        return c;
    }

    public static CostGeometry<double> Intra(PointCloud<double> x) => PointCloudGeometry.Create(x, x, default(SquaredEuclidean<double>));

    /// <summary>Σ_ijkl (C1_ik − C2_jl)² P_ij P_kl, straight from the definition (O(n²m²)).</summary>
    public static double GwByDefinition(double[] c1, double[] c2, double[] p, int n, int m)
    {
        var s = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var pij = p[(i * m) + j];
                if (pij == 0)
                {
                    continue;
                }

                for (var k = 0; k < n; k++)
                {
                    for (var l = 0; l < m; l++)
                    {
                        var d = c1[(i * n) + k] - c2[(j * m) + l];
                        s += d * d * pij * p[(k * m) + l];
                    }
                }
            }
        }

        return s;
    }

    /// <summary>The best GW value over permutation plans P = perm/n (the global optimum for conditionally negative definite costs).</summary>
    public static double BruteForcePermutations(double[] c1, double[] c2, int n)
    {
        var perm = Enumerable.Range(0, n).ToArray();
        var best = double.PositiveInfinity;
        do
        {
            var s = 0.0;
            for (var i = 0; i < n; i++)
            {
                for (var k = 0; k < n; k++)
                {
                    var d = c1[(i * n) + k] - c2[(perm[i] * n) + perm[k]];
                    s += d * d;
                }
            }

            best = Math.Min(best, s / (n * (double)n));
        }
        while (NextPermutation(perm));
        return best;
    }

    /// <summary>Tight clusters (sizes and positions chosen to have no symmetry) in 2-D.</summary>
    public static PointCloud<double> Clusters(int perCluster, int seed, double spread = 0.05)
    {
        (double X, double Y)[] centres = [(0, 0), (3, 0.5), (1, 4), (5, 5)];
        var rng = new Random(seed);
        var n = perCluster * centres.Length;
        var data = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            var c = centres[i % centres.Length];
            data[2 * i] = c.X + (spread * (rng.NextDouble() - 0.5));
            data[(2 * i) + 1] = c.Y + (spread * (rng.NextDouble() - 0.5));
        }

        return new PointCloud<double>(data, n, 2);
    }

    /// <summary>y = (x R + t)[perm] with R a rotation by <paramref name="degrees"/>, optionally mirrored.</summary>
    public static (PointCloud<double> Y, int[] Perm) Isometric(PointCloud<double> x, double degrees, bool mirror, int seed)
    {
        var n = x.Count;
        var perm = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(perm);
        var th = degrees * Math.PI / 180;
        var (cs, sn) = (Math.Cos(th), Math.Sin(th));
        var y = new double[2 * n];
        for (var j = 0; j < n; j++)
        {
            var i = perm[j];
            var u = x.Row(i)[0];
            var v = mirror ? -x.Row(i)[1] : x.Row(i)[1];
            y[2 * j] = (cs * u) - (sn * v) + 7;
            y[(2 * j) + 1] = (sn * u) + (cs * v) - 3;
        }

        return (new PointCloud<double>(y, n, 2), perm);
    }

    public static PointCloud<double> Random2D(int n, int seed, int d = 2)
    {
        var rng = new Random(seed);
        var data = new double[n * d];
        for (var k = 0; k < data.Length; k++)
        {
            data[k] = rng.NextDouble();
        }

        return new PointCloud<double>(data, n, d);
    }

    private static bool NextPermutation(int[] a)
    {
        var i = a.Length - 2;
        while (i >= 0 && a[i] >= a[i + 1])
        {
            i--;
        }

        if (i < 0)
        {
            return false;
        }

        var j = a.Length - 1;
        while (a[j] <= a[i])
        {
            j--;
        }

        (a[i], a[j]) = (a[j], a[i]);
        Array.Reverse(a, i + 1, a.Length - i - 1);
        return true;
    }
}
