using Monge.Geometry;
using Monge.Numerics;
using Monge.Testing;

namespace Monge.Tests.Numerics;

/// <summary>The cache-blocked product h(s·A)·B against a naive triple loop, across block boundaries and odd sizes.</summary>
public sealed class BlockedProductTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 2)]
    [InlineData(5, 3, 7)]
    [InlineData(67, 131, 19)]
    [InlineData(70, 129, 515)]
    [InlineData(9, 257, 1)]
    public void Multiply_MatchesNaive(int n, int p, int k)
    {
        var rng = Seeds.Create(n + p + k);
        var a = Enumerable.Range(0, n * p).Select(_ => rng.NextDouble()).ToArray();
        var b = Enumerable.Range(0, p * k).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var expected = new double[n * k];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < k; j++)
            {
                var s = 0.0;
                for (var q = 0; q < p; q++)
                {
                    var v = 1.5 * a[(i * p) + q];
                    s += v * v * b[(q * k) + j];
                }

                expected[(i * k) + j] = s;
            }
        }

        var dst = new double[n * k];
        BlockedProduct.Multiply(a, n, p, 1.5, default(SquaredCost<double>), b, k, dst);
        NumericAssert.Close(expected, dst, 1e-12, 1e-12, "h(sA)·B");

        var af = Array.ConvertAll(a, v => (float)v);
        var bf = Array.ConvertAll(b, v => (float)v);
        var dstF = new float[n * k];
        BlockedProduct.Multiply(af, n, p, 1.5f, default(SquaredCost<float>), bf, k, dstF);
        NumericAssert.Close(Array.ConvertAll(expected, v => (float)v), dstF, 1e-4, 1e-4 * Math.Sqrt(p), "float h(sA)·B");
    }
}
