using System.Numerics;
using CsCheck;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Testing;

namespace Monge.Tests.Numerics;

/// <summary>
/// The fused squared-Euclidean soft-min kernel (<see cref="SquaredEuclideanSoftMin"/>) against a straightforward
/// double-precision reference: dst_i = −ε log Σ_j exp(ℓ_j + (h_j − s‖x_i − y_j‖²)/ε), computed from the raw
/// coordinates with an exact max shift and Math.Exp. Both vector widths are exercised: Vector256 natively, Vector512
/// through its software fallback where the CPU has no AVX-512 (same code, so its arithmetic is checked; not its speed).
/// </summary>
public class SoftMinKernelTests
{
    private static readonly int[] Widths = [256, 512];

    /// <summary>The reference, in double, from the (possibly float-rounded) inputs.</summary>
    private static double[] Reference(double[] x, double[] y, int d, double s, double[] h, double[]? lw, double eps)
    {
        var n = x.Length / d;
        var m = y.Length / d;
        var dst = new double[n];
        var z = new double[m];
        for (var i = 0; i < n; i++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < m; j++)
            {
                var c = 0.0;
                for (var k = 0; k < d; k++)
                {
                    var diff = x[(i * d) + k] - y[(j * d) + k];
                    c += diff * diff;
                }

                z[j] = (lw is null ? 0 : lw[j]) + ((h[j] - (s * c)) / eps);
                max = Math.Max(max, z[j]);
            }

            if (double.IsNegativeInfinity(max))
            {
                dst[i] = double.PositiveInfinity;
                continue;
            }

            var sum = 0.0;
            for (var j = 0; j < m; j++)
            {
                sum += Math.Exp(z[j] - max);
            }

            dst[i] = -eps * (max + Math.Log(sum));
        }

        return dst;
    }

    /// <summary>
    /// The error the kernel may make: the expansion |x|² + |y|² − 2⟨x, y⟩ on centered coordinates (radii rx, ry) and
    /// the operands b_j, y'_j carry a few roundings of size u·(|h| + s(rx + ry)² + ε|ℓ|) each (u the unit roundoff of T),
    /// the polynomial 2^r adds ε·(3·10⁻⁷ in float, 5·10⁻¹⁶ in double) and the sum of m terms ε·m·u.
    /// </summary>
    private static double Tolerance<T>(double rx, double ry, double s, double[] h, double[]? lw, double eps)
    {
        var u = typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);
        var poly = typeof(T) == typeof(float) ? 3e-7 : 5e-16;
        var hMax = h.Length == 0 ? 0 : h.Max(Math.Abs);
        var lMax = lw is null ? 0 : lw.Where(double.IsFinite).DefaultIfEmpty(0).Max(Math.Abs);
        return (16 * u * (hMax + (s * (rx + ry) * (rx + ry)) + (eps * lMax))) + (eps * (poly + (4 * h.Length * u) + (16 * u)));
    }

    /// <summary>Centers both clouds at their common mean (as the geometry does) and returns squared norms.</summary>
    private static (T[] Xc, T[] Xn, T[] Yc, T[] Yn) Centered<T>(T[] x, T[] y, int d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var center = new double[d];
        var count = (x.Length + y.Length) / d;
        foreach (var v in new[] { x, y })
        {
            for (var k = 0; k < v.Length; k++)
            {
                center[k % d] += double.CreateTruncating(v[k]) / count;
            }
        }

        (T[] C, T[] N) One(T[] v)
        {
            var c = new T[v.Length];
            var norms = new T[v.Length / d];
            for (var k = 0; k < v.Length; k++)
            {
                c[k] = v[k] - T.CreateTruncating(center[k % d]);
                norms[k / d] += c[k] * c[k];
            }

            return (c, norms);
        }

        var (xc, xn) = One(x);
        var (yc, yn) = One(y);
        return (xc, xn, yc, yn);
    }

    private static T[] Cast<T>(double[] v)
        where T : unmanaged, IFloatingPointIeee754<T>
        => [.. v.Select(T.CreateTruncating)];

    private static double[] Back<T>(T[] v)
        where T : unmanaged, IFloatingPointIeee754<T>
        => [.. v.Select(double.CreateTruncating)];

    /// <summary>Runs the kernel at a forced width on the rounded inputs and checks it against the double reference.</summary>
    private static void Check<T>(double[] x, double[] y, int d, double s, double[] h, double[]? lw, double eps, int width, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Round every input to T first, so the reference sees exactly what the kernel sees.
        var xt = Cast<T>(x);
        var yt = Cast<T>(y);
        var ht = Cast<T>(h);
        var lt = lw is null ? null : Cast<T>(lw);
        var st = T.CreateTruncating(s);
        var et = T.CreateTruncating(eps);
        var xd = Back(xt);
        var yd = Back(yt);
        var hd = Back(ht);
        var ld = lt is null ? null : Back(lt);
        var sd = double.CreateTruncating(st);
        var ed = double.CreateTruncating(et);
        var expected = Reference(xd, yd, d, sd, hd, ld, ed);

        var n = x.Length / d;
        var m = y.Length / d;
        var (xc, xn, yc, yn) = Centered(xt, yt, d);
        var actual = new T[n];
        SquaredEuclideanSoftMin.Run(xc, xn, yc, yn, d, st, ht, lt ?? [], et, actual, width);
        var rx = xn.Select(v => Math.Sqrt(double.CreateTruncating(v))).DefaultIfEmpty(0).Max();
        var ry = yn.Select(v => Math.Sqrt(double.CreateTruncating(v))).DefaultIfEmpty(0).Max();
        var tol = Tolerance<T>(rx, ry, sd, hd, ld, ed);
        for (var i = 0; i < n; i++)
        {
            var a = double.CreateTruncating(actual[i]);
            if (double.IsInfinity(expected[i]))
            {
                Assert.True(expected[i] == a, $"{what}: row {i}: expected {expected[i]}, got {a}.");
            }
            else
            {
                Assert.True(Math.Abs(a - expected[i]) <= tol, $"{what}, width {width}: row {i} of {n}, m = {m}, d = {d}, ε = {ed:G4}: expected {expected[i]:R}, got {a:R}, |diff| {Math.Abs(a - expected[i]):G3} > tol {tol:G3}.");
            }
        }
    }

    private static Gen<(double[] X, double[] Y, int D, double S, double[] H, double[]? Lw, double Eps)> Problems(int maxN, int maxM) =>
        from d in Gen.Int[1, 5]
        from n in Gen.Int[1, maxN]
        from m in Gen.Int[0, maxM]
        from range in Gen.Double[0.1, 3]
        from offset in Gen.Double[-5, 5]
        from x in Gen.Double[-1, 1].Array[n * d]
        from y in Gen.Double[-1, 1].Array[m * d]
        from logEps in Gen.Double[-3, 0.5]
        from s in Gen.Double[0.5, 2]
        from hScale in Gen.Double[0, 2]
        from h in Gen.Double[-1, 1].Array[m]
        from weighted in Gen.Bool
        from lw in Gen.Double[-3, 0].Array[m]
        from zeros in Gen.Int[0, 3]
        select (
            x.Select(v => offset + (range * v)).ToArray(),
            y.Select(v => offset + (range * v)).ToArray(),
            d,
            s,
            h.Select(v => hScale * v).ToArray(),
            weighted ? lw.Select((v, j) => j % 7 == zeros ? double.NegativeInfinity : v).ToArray() : null,
            Math.Pow(10, logEps));

    [Fact]
    public void Property_Float_MatchesDoubleReference()
        => Problems(12, 90).Sample(p =>
        {
            foreach (var w in Widths)
            {
                Check<float>(p.X, p.Y, p.D, p.S, p.H, p.Lw, p.Eps, w, "float");
            }
        }, iter: 60);

    [Fact]
    public void Property_Double_MatchesDoubleReference()
        => Problems(12, 90).Sample(p =>
        {
            foreach (var w in Widths)
            {
                Check<double>(p.X, p.Y, p.D, p.S, p.H, p.Lw, p.Eps, w, "double");
            }
        }, iter: 60);

    /// <summary>Every tail length: m = 0..257 covers all remainders modulo the padding (16 or 32 columns) and one block boundary region.</summary>
    [Fact]
    public void LengthSweep_AllTails_FloatAndDouble()
    {
        var rng = Seeds.Create(3);
        const int d = 3;
        const int n = 3;
        var x = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble()).ToArray();
        for (var m = 0; m <= 257; m++)
        {
            var y = Enumerable.Range(0, m * d).Select(_ => rng.NextDouble()).ToArray();
            var h = Enumerable.Range(0, m).Select(_ => 0.05 * rng.NextDouble()).ToArray();
            foreach (var w in Widths)
            {
                Check<float>(x, y, d, 1, h, null, 0.02, w, $"float m={m}");
                Check<double>(x, y, d, 1, h, null, 0.02, w, $"double m={m}");
            }
        }
    }

    /// <summary>
    /// The row maximum lies far beyond the first block (the sample sets the shift far too low): the kernel must
    /// recompute that block with a new shift instead of overflowing. Also a slow drift over many blocks (re-centering).
    /// </summary>
    [Theory]
    [InlineData(1500, 200.0)]
    [InlineData(2900, 60.0)]
    [InlineData(3071, 1000.0)]
    public void LateLargeTerm_IsStable(int where, double jump)
    {
        const int m = 3072;
        const int d = 2;
        var rng = Seeds.Create(5);
        var x = Enumerable.Range(0, 4 * d).Select(_ => rng.NextDouble()).ToArray();
        var y = Enumerable.Range(0, m * d).Select(_ => rng.NextDouble()).ToArray();
        const double eps = 0.01;
        var h = Enumerable.Range(0, m).Select(j => eps * 0.05 * j).ToArray(); // drifts up by ~150 nats over the row
        h[where] += jump * eps;
        foreach (var w in Widths)
        {
            Check<float>(x, y, d, 1, h, null, eps, w, "float");
            Check<double>(x, y, d, 1, h, null, eps, w, "double");
        }
    }

    /// <summary>Far from the center at tiny ε the folded shift is out of range in float (|S| ≥ 2^21): the scalar fallback row.</summary>
    [Fact]
    public void HugeShift_FallsBackAndStaysAccurate()
    {
        const int d = 2;
        var x = new double[] { 300, 0, 300.5, 0.2, -300, 0 };
        var y = new double[] { 300.1, 0, 299.8, 0.3, -299.9, 0.1, 0, 0 };
        var h = new double[] { 0, 0.001, -0.002, 0 };
        foreach (var w in Widths)
        {
            Check<float>(x, y, d, 1, h, null, 1e-3, w, "float");
            Check<double>(x, y, d, 1, h, null, 1e-3, w, "double");
        }
    }

    [Fact]
    public void SpecialInputs_NaNEmptyAndZeroWeights()
    {
        var x = new[] { 0.1, 0.2, 0.3, 0.4 };
        var y = new[] { 0.5, 0.6, 0.7, 0.8 };
        foreach (var w in Widths)
        {
            // All weights zero: empty sum, +∞ (as the generic path).
            Check<double>(x, y, 2, 1, [0, 0], [double.NegativeInfinity, double.NegativeInfinity], 0.1, w, "all -inf");
            var (xc, xn, yc, yn) = Centered(x, y, 2);
            var dst = new double[2];
            SquaredEuclideanSoftMin.Run(xc, xn, yc, yn, 2, 1.0, [double.NaN, 0], [], 0.1, dst, w);
            Assert.All(dst, v => Assert.True(double.IsNaN(v)));
            SquaredEuclideanSoftMin.Run(xc, xn, yc, yn, 2, 1.0, [double.PositiveInfinity, 0], [], 0.1, dst, w);
            Assert.All(dst, v => Assert.True(double.IsNegativeInfinity(v)));
        }
    }

    /// <summary>The public path (rows through the kernel, columns through the cached transpose) on a mid-size problem with several blocks and parallel chunks.</summary>
    [Fact]
    public void Geometry_RowsAndColumns_MatchReference()
    {
        var rng = Seeds.Create(11);
        const int n = 700;
        const int m = 1100;
        const int d = 3;
        var x = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble()).ToArray();
        var y = Enumerable.Range(0, m * d).Select(_ => 0.3 + rng.NextDouble()).ToArray();
        var g = Enumerable.Range(0, m).Select(_ => 0.1 * rng.NextDouble()).ToArray();
        var f = Enumerable.Range(0, n).Select(_ => 0.1 * rng.NextDouble()).ToArray();
        const double eps = 0.005;
        var geom = new PointCloudGeometry<double>(new PointCloud<double>(x, n, d), new PointCloud<double>(y, m, d));
        var rows = new double[n];
        var cols = new double[m];
        geom.SoftMin(g, [], eps, Axis.Rows, rows);
        geom.SoftMin(f, [], eps, Axis.Columns, cols);
        NumericAssert.Close(Reference(x, y, d, 1, g, null, eps), rows, rtol: 0, atol: 1e-12, what: "rows");
        NumericAssert.Close(Reference(y, x, d, 1, f, null, eps), cols, rtol: 0, atol: 1e-12, what: "columns");
    }
}
