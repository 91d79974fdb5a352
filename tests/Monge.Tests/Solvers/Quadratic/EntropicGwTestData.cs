using Monge.Geometry;

namespace Monge.Tests.Solvers.Quadratic;

/// <summary>Small dense GW inputs and an independent dense reference for the entropic GW tests.</summary>
internal static class EntropicGwTestData
{
    /// <summary>Seeded Gaussian points, n × d row-major.</summary>
    public static double[] Points(int n, int d, int seed, double scale = 1)
    {
        var rng = new Random(seed);
        var x = new double[n * d];
        for (var k = 0; k < x.Length; k++)
        {
            // Box-Muller
            var u1 = 1.0 - rng.NextDouble();
            var u2 = rng.NextDouble();
            x[k] = scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        return x;
    }

    /// <summary>Squared Euclidean distances within one cloud, divided by <paramref name="divisor"/> (their max when null).</summary>
    public static double[] SquaredDistances(double[] x, int n, int d, double? divisor = null)
    {
        var c = new double[n * n];
        var max = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double s = 0;
                for (var k = 0; k < d; k++)
                {
                    var t = x[(i * d) + k] - x[(j * d) + k];
                    s += t * t;
                }

                c[(i * n) + j] = s;
                max = Math.Max(max, s);
            }
        }

        var div = divisor ?? max;
        for (var k = 0; k < c.Length; k++)
        {
            c[k] /= div;
        }

        return c;
    }

    public static DenseGeometry<double> Dense(double[] c, int n) => new(c, n, n);

    /// <summary>GW(P) = Σ_ijkl (C1_ik − C2_jl)² P_ij P_kl by the quadruple sum (the definition, O(n²m²)).</summary>
    public static double GwByDefinition(double[] c1, double[] c2, ReadOnlySpan<double> plan, int n, int m)
    {
        double s = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var pij = plan[(i * m) + j];
                if (pij == 0)
                {
                    continue;
                }

                for (var k = 0; k < n; k++)
                {
                    for (var l = 0; l < m; l++)
                    {
                        var t = c1[(i * n) + k] - c2[(j * m) + l];
                        s += t * t * pij * plan[(k * m) + l];
                    }
                }
            }
        }

        return s;
    }

    /// <summary>
    /// The OTT-JAX entropic GW iteration written independently of the library: P ← Sinkhorn(L ⊗ P, ε_OTT) with the cost
    /// linearized WITHOUT POT's factor 2 (OTT's <c>update_linearization</c>), a plain dense log-domain Sinkhorn inside.
    /// </summary>
    public static double[] OttEntropicGw(double[] c1, double[] c2, double[] a, double[] b, double epsilonOtt, int outer)
    {
        var n = a.Length;
        var m = b.Length;
        var p = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                p[(i * m) + j] = a[i] * b[j];
            }
        }

        var f = new double[n];
        var g = new double[m];
        for (var t = 0; t < outer; t++)
        {
            var cost = TensorProduct(c1, c2, p, n, m);
            p = LogSinkhorn(cost, a, b, epsilonOtt, f, g);
        }

        return p;
    }

    /// <summary>(L ⊗ P)_ij = Σ_kl (C1_ik − C2_jl)² P_kl by the definition.</summary>
    public static double[] TensorProduct(double[] c1, double[] c2, double[] p, int n, int m)
    {
        var r = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                double s = 0;
                for (var k = 0; k < n; k++)
                {
                    for (var l = 0; l < m; l++)
                    {
                        var t = c1[(i * n) + k] - c2[(j * m) + l];
                        s += t * t * p[(k * m) + l];
                    }
                }

                r[(i * m) + j] = s;
            }
        }

        return r;
    }

    private static double[] LogSinkhorn(double[] cost, double[] a, double[] b, double eps, double[] f, double[] g)
    {
        var n = a.Length;
        var m = b.Length;
        for (var it = 0; it < 100_000; it++)
        {
            for (var j = 0; j < m; j++)
            {
                var max = double.NegativeInfinity;
                for (var i = 0; i < n; i++)
                {
                    max = Math.Max(max, (f[i] - cost[(i * m) + j]) / eps);
                }

                double s = 0;
                for (var i = 0; i < n; i++)
                {
                    s += a[i] * Math.Exp(((f[i] - cost[(i * m) + j]) / eps) - max);
                }

                g[j] = -eps * (max + Math.Log(s));
            }

            double err = 0;
            for (var i = 0; i < n; i++)
            {
                var max = double.NegativeInfinity;
                for (var j = 0; j < m; j++)
                {
                    max = Math.Max(max, (g[j] - cost[(i * m) + j]) / eps);
                }

                double s = 0;
                for (var j = 0; j < m; j++)
                {
                    s += b[j] * Math.Exp(((g[j] - cost[(i * m) + j]) / eps) - max);
                }

                var fi = -eps * (max + Math.Log(s));
                err = Math.Max(err, Math.Abs(fi - f[i]));
                f[i] = fi;
            }

            if (err < 1e-14)
            {
                break;
            }
        }

        var p = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                p[(i * m) + j] = a[i] * b[j] * Math.Exp((f[i] + g[j] - cost[(i * m) + j]) / eps);
            }
        }

        return p;
    }
}
