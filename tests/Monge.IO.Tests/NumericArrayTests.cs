namespace Monge.IO.Tests;

/// <summary>The element conversions of <see cref="NumericArray"/>: the array itself for its own type, else C# casts.</summary>
public sealed class NumericArrayTests
{
    [Fact]
    public void ToDoubleAndSingle_EveryElementType_AreTheCastsAndKeepTheirOwnArray()
    {
        double[] doubles = [1.5, -2.25, 1e300, 0.1, double.NaN];
        float[] floats = [1.5f, -2.25f, 3.4e38f, 0.1f, float.PositiveInfinity];
        int[] ints = [0, -7, int.MaxValue, int.MinValue, 16_777_217];
        long[] longs = [0, -7, long.MaxValue, long.MinValue, 9_007_199_254_740_993];

        Assert.Same(doubles, new NumericArray(doubles, [doubles.Length]).ToDoubleArray());
        Assert.Same(floats, new NumericArray(floats, [floats.Length]).ToSingleArray());
        Assert.Equal(doubles.Select(x => (float)x), new NumericArray(doubles, [doubles.Length]).ToSingleArray());
        Assert.Equal(floats.Select(x => (double)x), new NumericArray(floats, [floats.Length]).ToDoubleArray());
        Assert.Equal(ints.Select(x => (double)x), new NumericArray(ints, [ints.Length]).ToDoubleArray());
        Assert.Equal(ints.Select(x => (float)x), new NumericArray(ints, [ints.Length]).ToSingleArray());
        Assert.Equal(longs.Select(x => (double)x), new NumericArray(longs, [longs.Length]).ToDoubleArray());
        Assert.Equal(longs.Select(x => (float)x), new NumericArray(longs, [longs.Length]).ToSingleArray());
    }
}
