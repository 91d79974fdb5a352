using Monge.Numerics;
using Monge.Testing;

namespace Monge.Tests.Numerics;

public class SquaredDistanceProductsTests
{
    /// <summary>
    /// Oracle: Σ_k (x_ik − y_jk)² summed pair by pair in double (no expansion). The blocked product
    /// ‖x‖² + ‖y‖² − 2⟨x, y⟩ on centred coordinates may differ by rounding of the expansion, bounded by a few
    /// ε_mach·(‖x_c‖² + ‖y_c‖²) per entry (x_c, y_c centred at the joint mean, computed in double here).
    /// </summary>
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 17, 2)]
    [InlineData(4, 16, 3)]
    [InlineData(7, 33, 5)]
    [InlineData(9, 257, 2)]
    [InlineData(13, 300, 50)]
    [InlineData(37, 19, 51)]
    public void FillRows_FloatAndDouble_MatchPairwiseDifferences(int n, int m, int d)
    {
        var random = Seeds.Create(8100 + n + m + d);
        var x = new double[n * d];
        var y = new double[m * d];
        for (var k = 0; k < x.Length; k++)
        {
            x[k] = 1e3 + (random.NextDouble() * 4); // an offset: centring must keep the expansion accurate
        }

        for (var k = 0; k < y.Length; k++)
        {
            y[k] = 1e3 + (random.NextDouble() * 4) - 1;
        }

        var center = new double[d];
        for (var k = 0; k < x.Length; k++)
        {
            center[k % d] += x[k] / (n + m);
        }

        for (var k = 0; k < y.Length; k++)
        {
            center[k % d] += y[k] / (n + m);
        }

        foreach (var euclidean in new[] { false, true })
        {
            foreach (var scale in new[] { 1.0, 0.37 })
            {
                var f = new float[n * m];
                var g = new double[n * m];
                SquaredDistanceProducts<float>.Create<double>(x, y, d).FillRows(0, n, euclidean, (float)scale, f);
                SquaredDistanceProducts<double>.Create<double>(x, y, d).FillRows(0, n, euclidean, scale, g, parallel: false);
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < m; j++)
                    {
                        double sq = 0, normX = 0, normY = 0;
                        for (var k = 0; k < d; k++)
                        {
                            var diff = x[(i * d) + k] - y[(j * d) + k];
                            sq += diff * diff;
                            normX += Math.Pow(x[(i * d) + k] - center[k], 2);
                            normY += Math.Pow(y[(j * d) + k] - center[k], 2);
                        }

                        var expected = scale * (euclidean ? Math.Sqrt(sq) : sq);
                        foreach (var (actual, eps) in new[] { ((double)f[(i * m) + j], 6e-8), (g[(i * m) + j], 1.2e-16) })
                        {
                            // Squared: |error| ≤ c·ε·(‖x_c‖² + ‖y_c‖²); the root turns an absolute error δ on the square into at most √δ.
                            var bound = 8 * (d + 4) * eps * (normX + normY);
                            var tolerance = (scale * (euclidean ? Math.Sqrt(bound) : bound)) + (4 * eps * Math.Abs(expected));
                            Assert.True(
                                Math.Abs(actual - expected) <= tolerance,
                                $"({i}, {j}) euclidean {euclidean} scale {scale} eps {eps}: {actual:R} vs {expected:R} (tolerance {tolerance:R})");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void FillRows_RowRange_EqualsSameRowsOfFullFill()
    {
        var random = Seeds.Create(8101);
        const int n = 23, m = 41, d = 6;
        var x = Enumerable.Range(0, n * d).Select(_ => random.NextDouble()).ToArray();
        var y = Enumerable.Range(0, m * d).Select(_ => random.NextDouble()).ToArray();
        var products = SquaredDistanceProducts<double>.Create<double>(x, y, d);
        var full = new double[n * m];
        products.FillRows(0, n, euclidean: false, 1.0, full);
        var part = new double[7 * m];
        products.FillRows(9, 7, euclidean: false, 1.0, part);

        // Same code path per row block (rows 9..15 start a new block of four at 9, 13): the entries are the same
        // arithmetic on the same inputs, so they must agree to rounding of the same operations.
        NumericAssert.Close(full.AsSpan(9 * m, 7 * m), part, rtol: 1e-12, atol: 1e-12);
    }
}
