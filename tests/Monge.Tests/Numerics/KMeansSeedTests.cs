using System.Numerics.Tensors;
using Monge.Numerics;

namespace Monge.Tests.Numerics;

/// <summary>The 2-D distance update of the k-means++ seeding (stop 28) against the general loop it bypasses, written out
/// here with <see cref="TensorPrimitives.Distance{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> squared: the same bits, so the
/// same draws and the same centres (HiRef's matchings unchanged).</summary>
public class KMeansSeedTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UpdateDistances2D_SameBitsAsTensorDistanceSquared(bool indexed)
    {
        const int n = 257;
        var rng = new Random(indexed ? 5 : 4);
        var x = Doubles(rng, 2 * (n + 40), -30, 30);
        int[] rows = indexed ? [.. Enumerable.Range(0, n).Select(_ => rng.Next(n + 40))] : [];
        var centre = Doubles(rng, 2, -30, 30);
        var dist = Doubles(rng, n, 0, 900);
        var expectedFirst = new double[n];
        var expectedMin = (double[])dist.Clone();
        for (var i = 0; i < n; i++)
        {
            var dd = TensorPrimitives.Distance<double>(x.AsSpan((indexed ? rows[i] : i) * 2, 2), centre);
            expectedFirst[i] = dd * dd;
            expectedMin[i] = Math.Min(expectedMin[i], dd * dd);
        }

        var first = new double[n];
        KMeans.UpdateDistances2D(x, n, rows, centre[0], centre[1], first, first: true);
        KMeans.UpdateDistances2D(x, n, rows, centre[0], centre[1], dist, first: false);

        Assert.Equal(expectedFirst, first);
        Assert.Equal(expectedMin, dist);
    }

    [Fact]
    public void Seed2D_SameCentresAsTheGeneralLoop()
    {
        const int n = 3000;
        const int k = 16;
        var data = new Random(9);
        var x = Doubles(data, 2 * n, -5, 5);
        int[] rows = [.. Enumerable.Range(0, 1200).Select(i => (i * 7) % n)];

        var centres = new double[k * 2];
        KMeans.Seed(x, rows.Length, 2, k, new Random(3), centres, rows: rows);
        Assert.Equal(ReferenceSeed(x, rows, 2, k, new Random(3)), centres);
    }

    // The distance update by axis (stop 31) against the interleaved 2-D one, every length 0 … 37 (SIMD bodies and tails).
    [Fact]
    public void UpdateDistancesByAxis_SameBitsAsUpdateDistances2D()
    {
        var rng = new Random(31);
        for (var n = 0; n <= 37; n++)
        {
            var x = Doubles(rng, 2 * n, -30, 30);
            var px = Enumerable.Range(0, n).Select(i => x[2 * i]).ToArray();
            var py = Enumerable.Range(0, n).Select(i => x[(2 * i) + 1]).ToArray();
            var (cx, cy) = (rng.NextDouble() * 10, -rng.NextDouble() * 10);
            var dist = Doubles(rng, n, 0, 900);
            var expectedFirst = new double[n];
            var expectedMin = (double[])dist.Clone();
            KMeans.UpdateDistances2D(x, n, [], cx, cy, expectedFirst, first: true);
            KMeans.UpdateDistances2D(x, n, [], cx, cy, expectedMin, first: false);

            var first = new double[n];
            KMeans.UpdateDistancesByAxis(px, py, cx, cy, first, first: true);
            KMeans.UpdateDistancesByAxis(px, py, cx, cy, dist, first: false);

            Assert.Equal(expectedFirst, first);
            Assert.Equal(expectedMin, dist);
        }
    }

    // Seed2D on coordinates by axis against Seed on the rows they came from: the same centres and final distances, for a
    // rank that fills whole SIMD widths and one that does not, and a cloud with repeated points (zero distances).
    [Theory]
    [InlineData(1201, 16, false)]
    [InlineData(1201, 5, false)]
    [InlineData(333, 16, true)]
    public void Seed2D_SameCentresAndDistancesAsSeedOnTheRows(int n, int k, bool repeated)
    {
        var data = new Random(n + k);
        var x = Doubles(data, 2 * (n + 50), -5, 5);
        int[] rows = [.. Enumerable.Range(0, n).Select(_ => repeated ? data.Next(20) : data.Next(n + 50))];
        var px = rows.Select(i => x[2 * i]).ToArray();
        var py = rows.Select(i => x[(2 * i) + 1]).ToArray();

        var expectedCentres = new double[k * 2];
        var expectedDistances = new double[n];
        KMeans.Seed(x, n, 2, k, new Random(7), expectedCentres, rows: rows, distances: expectedDistances);
        var centres = new double[k * 2];
        var distances = new double[n + 3];
        KMeans.Seed2D(px, py, k, new Random(7), centres, distances);

        Assert.Equal(expectedCentres, centres);
        Assert.Equal(expectedDistances, distances[..n]);
    }

    // The k-means++ seeding as written before the 2-D path: TensorPrimitives.Distance squared for every point and centre.
    private static double[] ReferenceSeed(double[] x, int[] rows, int d, int k, Random rng)
    {
        var n = rows.Length;
        var centres = new double[k * d];
        var dist = new double[n];
        var first = rng.Next(n);
        x.AsSpan(rows[first] * d, d).CopyTo(centres);
        for (var i = 0; i < n; i++)
        {
            var dd = TensorPrimitives.Distance<double>(x.AsSpan(rows[i] * d, d), centres.AsSpan(0, d));
            dist[i] = dd * dd;
        }

        for (var c = 1; c < k; c++)
        {
            var total = TensorPrimitives.Sum<double>(dist);
            var pick = n - 1;
            var target = rng.NextDouble() * total;
            var acc = 0.0;
            for (var i = 0; i < n; i++)
            {
                acc += dist[i];
                if (acc >= target)
                {
                    pick = i;
                    break;
                }
            }

            x.AsSpan(rows[pick] * d, d).CopyTo(centres.AsSpan(c * d, d));
            for (var i = 0; i < n; i++)
            {
                var dd = TensorPrimitives.Distance<double>(x.AsSpan(rows[i] * d, d), centres.AsSpan(c * d, d));
                dist[i] = Math.Min(dist[i], dd * dd);
            }
        }

        return centres;
    }

    private static double[] Doubles(Random rng, int count, double lo, double hi) =>
        [.. Enumerable.Range(0, count).Select(_ => lo + ((hi - lo) * rng.NextDouble()))];
}
