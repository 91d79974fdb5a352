using Monge.Numerics;
using Monge.Testing;

namespace Monge.Tests.Numerics;

/// <summary>
/// The vectorized e^x and log x of <see cref="ElementwiseMath"/> against <see cref="Math.Exp"/> and
/// <see cref="Math.Log(double)"/>: over the whole range (subnormal results and arguments included), on every length 0..67
/// (vector bodies and padded tails), in place, and on the special values.
/// </summary>
public sealed class ElementwiseMathTests
{
    [Fact]
    public void Exp_WholeRange_WithinTwoUlpOfMathExp()
    {
        var x = Uniform(-750, 712, 200_000, seed: 1);
        var y = new double[x.Length];
        ElementwiseMath.Exp(x, y);
        for (var i = 0; i < x.Length; i++)
        {
            var exact = Math.Exp(x[i]);

            // Relative to the value where it is normal; in units of the smallest normal below (subnormals keep fewer bits).
            var scale = Math.Max(exact, 2.2250738585072014e-308);
            Assert.True(exact == y[i] || Math.Abs(y[i] - exact) <= 4.5e-16 * scale, $"exp({x[i]:R}) = {y[i]:R}, Math.Exp {exact:R}");
        }
    }

    [Fact]
    public void Log_WholeRange_WithinOneUlpOfMathLog()
    {
        var rng = Seeds.Create(2);
        var x = Enumerable.Range(0, 200_000).Select(_ => Math.Exp((rng.NextDouble() * 1445) - 740)).Concat(Uniform(0.5, 2, 50_000, seed: 3)).ToArray();
        var y = new double[x.Length];
        ElementwiseMath.Log(x, y);
        for (var i = 0; i < x.Length; i++)
        {
            var exact = Math.Log(x[i]);
            var ulp = Math.BitIncrement(Math.Abs(exact)) - Math.Abs(exact);
            Assert.True(Math.Abs(y[i] - exact) <= 1.01 * ulp, $"log({x[i]:R}) = {y[i]:R}, Math.Log {exact:R}");
        }
    }

    [Fact]
    public void ExpAndLog_SpecialValues_AsMath()
    {
        double[] x = [0, -0.0, 1, -1, 1e-300, 709.78, 709.79, -708.39, -745.13, -745.14, -746, 1e300, -1e300, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, double.MaxValue, Math.Sqrt(2), 1.0000000000000002, 0.9999999999999999, -2, 2.2250738585072014e-308];
        var exp = new double[x.Length];
        var log = new double[x.Length];
        ElementwiseMath.Exp(x, exp);
        ElementwiseMath.Log(x, log);
        for (var i = 0; i < x.Length; i++)
        {
            Assert.Equal(Math.Exp(x[i]), exp[i]);
            Assert.Equal(Math.Log(x[i]), log[i]);
        }
    }

    [Fact]
    public void ExpAndLog_EveryLengthAndInPlace_SameEntriesAsOneLongCall()
    {
        var x = Uniform(-5, 5, 67, seed: 4);
        var positive = x.Select(Math.Exp).ToArray();
        var exp = new double[x.Length];
        var log = new double[x.Length];
        ElementwiseMath.Exp(x, exp);
        ElementwiseMath.Log(positive, log);
        for (var length = 0; length <= x.Length; length++)
        {
            var e = new double[length + 1];
            e[length] = 42;
            ElementwiseMath.Exp(x.AsSpan(0, length), e);
            Assert.Equal(exp.AsSpan(0, length).ToArray(), e.AsSpan(0, length).ToArray());
            Assert.Equal(42, e[length]);
            var l = positive[..length];
            ElementwiseMath.Log(l, l);
            Assert.Equal(log.AsSpan(0, length).ToArray(), l);
        }
    }

    [Fact]
    public void Exp_ShortDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() => ElementwiseMath.Exp(new double[5], new double[4]));
        Assert.Throws<ArgumentException>(() => ElementwiseMath.Log(new double[5], new double[4]));
    }

    private static double[] Uniform(double lo, double hi, int count, int seed)
    {
        var rng = Seeds.Create(seed);
        return Enumerable.Range(0, count).Select(_ => lo + ((hi - lo) * rng.NextDouble())).ToArray();
    }
}
