using System.Runtime.Intrinsics;
using Monge.Numerics;
using Monge.Testing;

namespace Monge.Tests.Numerics;

/// <summary>The vectorized 2^x of the soft-min kernel against Math.Pow(2, x), over the whole normal range.</summary>
public class FastExpTests
{
    /// <summary>A dense grid plus random points in [lo, hi], in the working precision.</summary>
    private static double[] Points(double lo, double hi, int count)
    {
        var rng = Seeds.Create(17);
        var grid = Enumerable.Range(0, count).Select(k => lo + ((hi - lo) * k / (count - 1)));
        var random = Enumerable.Range(0, count).Select(_ => lo + ((hi - lo) * rng.NextDouble()));
        return [.. grid.Concat(random), -0.5, 0.5, 0, -0.49999997, 0.49999997];
    }

    [Fact]
    public void Exp2_Float_RelativeErrorBelow3e7()
    {
        var xs = Points(-125, 127, 200_000).Select(v => (float)v).ToArray();
        var worst256 = 0.0;
        var worst512 = 0.0;
        for (var k = 0; k + 16 <= xs.Length; k += 16)
        {
            var v = Vector512.Create(xs.AsSpan(k, 16));
            var a = FastExp.Exp2(v);
            var b = FastExp.Exp2(v.GetLower());
            for (var l = 0; l < 16; l++)
            {
                var exact = Math.Pow(2, xs[k + l]);
                worst512 = Math.Max(worst512, Math.Abs((a[l] / exact) - 1));
                if (l < 8)
                {
                    worst256 = Math.Max(worst256, Math.Abs((b[l] / exact) - 1));
                }
            }
        }

        Assert.True(worst256 < 3e-7, $"Vector256 float: max relative error {worst256:G3}.");
        Assert.True(worst512 < 3e-7, $"Vector512 float: max relative error {worst512:G3}.");
    }

    [Fact]
    public void Exp2_Double_RelativeErrorBelow5e16()
    {
        var xs = Points(-1021, 1023, 100_000);
        var worst = 0.0;
        for (var k = 0; k + 8 <= xs.Length; k += 8)
        {
            var v = Vector512.Create(xs.AsSpan(k, 8));
            var a = FastExp.Exp2(v);
            var b = FastExp.Exp2(v.GetLower());
            for (var l = 0; l < 8; l++)
            {
                // Math.Pow is correctly rounded to within an ulp; compare to 2^k·2^f with the integer part split off.
                var exact = Math.ScaleB(Math.Pow(2, xs[k + l] - Math.Round(xs[k + l])), (int)Math.Round(xs[k + l]));
                worst = Math.Max(worst, Math.Abs((a[l] / exact) - 1));
                if (l < 4)
                {
                    worst = Math.Max(worst, Math.Abs((b[l] / exact) - 1));
                }
            }
        }

        Assert.True(worst < 5e-16, $"double: max relative error {worst:G3}.");
    }

    /// <summary>The folded shift: 2^(v − S) for integer shifts S up to the documented limit, and the lower clamp.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(37)]
    [InlineData(-1000)]
    [InlineData(2_000_000)]
    [InlineData(-2_000_000)]
    public void Pow2Shifted_Float_MatchesPow(int shift)
    {
        var rng = Seeds.Create(shift);
        var s = (float)shift;
        var lo = Vector256.Create(s + FastExp.MinExponent<float>());
        var ms = Vector256.Create(FastExp.Magic<float>() - s);
        for (var rep = 0; rep < 2000; rep++)
        {
            var offsets = Enumerable.Range(0, 8).Select(_ => (float)((rng.NextDouble() * 250) - 124)).ToArray();
            var v = Vector256.Create(offsets.Select(o => s + o).ToArray());
            var got = FastExp.Pow2Shifted(v, lo, ms);
            for (var l = 0; l < 8; l++)
            {
                var exact = Math.Pow(2, (double)v[l] - s); // v[l] − s is what the kernel means (v was rounded to float)
                Assert.True(Math.Abs((got[l] / exact) - 1) < 3e-7, $"S = {shift}, v − S = {(double)v[l] - s}: got {got[l]}, exact {exact}.");
            }
        }

        // Far below the clamp: 2^−125 relative to the shift (normal, finite, tiny).
        var low = FastExp.Pow2Shifted(Vector256.Create(s - 1e4f), lo, ms);
        Assert.Equal(Math.Pow(2, -125), low[0], 3e-7 * Math.Pow(2, -125));
    }
}
