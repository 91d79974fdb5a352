using Monge.Numerics;
using Monge.Testing;

namespace Monge.Tests.Numerics;

/// <summary><see cref="DeterministicMath"/> against <see cref="Math.Exp(double)"/> bit for bit, every length 0..40, the
/// whole double range and the special values; in place and out of place.</summary>
public class DeterministicMathTests
{
    [Fact]
    public void Exp_EveryLengthAndRange_BitIdenticalToMathExp()
    {
        var rng = Seeds.Create(5);
        double[] specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, -745.2, -745.1, -708.4, -700, 709.7, 709.8, 1e-300, -1e-300, double.Epsilon];
        for (var length = 0; length <= 40; length++)
        {
            var x = Enumerable.Range(0, length).Select(k => k < specials.Length && length % 3 == 0 ? specials[k] : (rng.NextDouble() * 1500) - 760).ToArray();
            var destination = new double[length + 1];
            destination[length] = 42;
            DeterministicMath.Exp<double>(x, destination);
            var inPlace = (double[])x.Clone();
            DeterministicMath.Exp<double>(inPlace, inPlace);
            for (var i = 0; i < length; i++)
            {
                var expected = BitConverter.DoubleToInt64Bits(Math.Exp(x[i]));
                Assert.Equal(expected, BitConverter.DoubleToInt64Bits(destination[i]));
                Assert.Equal(expected, BitConverter.DoubleToInt64Bits(inPlace[i]));
            }

            Assert.Equal(42, destination[length]);
        }
    }

    [Fact]
    public void Exp_Float_BitIdenticalToMathFExp()
    {
        float[] x = [float.NaN, float.NegativeInfinity, -104f, -103.9f, -87.3f, -10.5f, -0f, 0f, 1e-30f, 3.25f, 88.7f, 88.8f];
        var destination = new float[x.Length];
        DeterministicMath.Exp<float>(x, destination);
        Assert.Equal(x.Select(v => BitConverter.SingleToInt32Bits(MathF.Exp(v))), destination.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Exp_AroundTheUnderflowShortcut_BitIdenticalToTheNativeRoutine()
    {
        // Below −110 (float) and −760 (double) the result is written as +0 without the call (stop 32): the native routine
        // must give the same bits there, and just above the cutoffs the call still runs.
        var xf = Enumerable.Range(0, 4001).Select(k => -140f + (k * 0.01f)).Concat([-110f, MathF.BitDecrement(-110f), MathF.BitIncrement(-110f), float.MinValue, -1e30f]).ToArray();
        var df = new float[xf.Length];
        DeterministicMath.Exp<float>(xf, df);
        Assert.Equal(xf.Select(v => BitConverter.SingleToInt32Bits(MathF.Exp(v))), df.Select(BitConverter.SingleToInt32Bits));

        var xd = Enumerable.Range(0, 8001).Select(k => -800.0 + (k * 0.01)).Concat([-760.0, Math.BitDecrement(-760.0), Math.BitIncrement(-760.0), double.MinValue, -1e300]).ToArray();
        var dd = new double[xd.Length];
        DeterministicMath.Exp<double>(xd, dd);
        Assert.Equal(xd.Select(v => BitConverter.DoubleToInt64Bits(Math.Exp(v))), dd.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Exp_ShortDestination_Throws()
        => Assert.Throws<ArgumentException>(() => DeterministicMath.Exp<double>(new double[3], new double[2]));
}
