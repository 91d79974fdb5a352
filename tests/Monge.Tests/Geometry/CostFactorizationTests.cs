using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Testing;

namespace Monge.Tests.Geometry;

/// <summary>
/// The sampled (Nyström) factors' rows: the chunked, threaded fill gives the same bits as the serial one, and its two
/// row kernels equal their scalar definitions bit for bit (the Euclidean landmark costs against
/// <see cref="Euclidean{T}.Evaluate"/>, the row product against the in-order scalar sum).
/// </summary>
public sealed class CostFactorizationTests
{
    public static TheoryData<string, int> Costs => new()
    {
        { "euclidean", 2 },
        { "euclidean", 3 },
        { "pnorm:1.5", 2 },
    };

    [Theory]
    [MemberData(nameof(Costs))]
    public void Fill_Sampled_SameBitsSerialOnOneAndOnTwoThreads(string name, int d)
    {
        // 9 000 rows: three chunks of CostFactorization.FactorChunkRows, the last one partial; a permuted index.
        const int M = 9000;
        var random = Seeds.Create(41);
        var x = Generators.UniformCloud(random, M, d).Data.ToArray();
        var y = Generators.UniformCloud(random, M, d).Data.ToArray();
        var ix = Enumerable.Range(0, M).OrderBy(_ => random.Next()).ToArray();
        var iy = Enumerable.Range(0, M).OrderBy(_ => random.Next()).ToArray();
        var cost = CostFunction.Parse<double>(name);
        var serial = Run(null);
        foreach (var threads in new[] { 1, 2 })
        {
            var threaded = Run(new ParallelOptions { MaxDegreeOfParallelism = threads });
            Assert.Equal(serial.K, threaded.K);
            Assert.Equal(serial.A, threaded.A);
            Assert.Equal(serial.B, threaded.B);
        }

        (int K, double[] A, double[] B) Run(ParallelOptions? parallel)
        {
            var k = CostFactorization.Columns(cost, d, 32, M);
            var a = new double[M * k];
            var b = new double[M * k];
            var used = CostFactorization.Fill(x, y, d, ix, iy, cost, 32, new Random(7), a, b, parallel);
            return (used, a, b);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void LandmarkCosts_Euclidean_EqualEvaluateBitForBitBothWays(int d)
    {
        var random = Seeds.Create(43);
        var euclidean = new Euclidean<double>();
        for (var trial = 0; trial < 50; trial++)
        {
            // Points far from the origin and close to each other as well as spread ones.
            var offset = trial % 3 == 0 ? 1e6 : 0.0;
            var k = 1 + random.Next(40);
            var landmarks = Enumerable.Range(0, k * d).Select(_ => offset + (random.NextDouble() * 10) - 5).ToArray();
            var p = Enumerable.Range(0, d).Select(_ => offset + (random.NextDouble() * 10) - 5).ToArray();
            if (trial % 7 == 0)
            {
                landmarks.AsSpan(0, d).CopyTo(p); // a zero distance
            }

            var row = new double[k];
            CostFactorization.LandmarkCosts(euclidean, p, landmarks, d, row);
            for (var q = 0; q < k; q++)
            {
                var l = landmarks.AsSpan(q * d, d);
                Assert.Equal(BitConverter.DoubleToInt64Bits(euclidean.Evaluate(p, l)), BitConverter.DoubleToInt64Bits(row[q]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(euclidean.Evaluate(l, p)), BitConverter.DoubleToInt64Bits(row[q]));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(33)]
    public void MultiplyRow_EqualsTheInOrderScalarSumBitForBit(int k)
    {
        var random = Seeds.Create(47);
        var mT = Enumerable.Range(0, k * k).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 8))).ToArray();
        var c = Enumerable.Range(0, k).Select(_ => random.NextDouble() * 3).ToArray();
        c[0] = 0.0; // a −0.0 product first: the scalar sum starts from +0.0
        mT[0] = -1.0;
        var b = new double[k];
        CostFactorization.MultiplyRow(mT, c, b);
        for (var q = 0; q < k; q++)
        {
            var s = 0.0;
            for (var p = 0; p < k; p++)
            {
                s += mT[(p * k) + q] * c[p];
            }

            Assert.Equal(BitConverter.DoubleToInt64Bits(s), BitConverter.DoubleToInt64Bits(b[q]));
        }
    }
}
