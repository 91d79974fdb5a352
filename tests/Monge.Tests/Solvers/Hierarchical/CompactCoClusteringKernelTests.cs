using System.Numerics.Tensors;
using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>The row kernels of the single-precision co-clustering (SIMD since stop 21) against the plain scalar loops they
/// replaced, written out here: the same bits for every rank, whole SIMD widths, tails and ranks below one vector. Each
/// entry is computed by the same IEEE operations in the same order in both (no reduction across SIMD lanes), so equality
/// is exact at every SIMD width (the scalar tails alone run under DOTNET_EnableHWIntrinsic=0).</summary>
public class CompactCoClusteringKernelTests
{
    [Theory]
    [InlineData(16, 4)]
    [InlineData(13, 4)]
    [InlineData(5, 3)]
    [InlineData(40, 7)]
    [InlineData(16, 4, 36)]
    [InlineData(8, 4, 1)]
    [InlineData(8, 4, 3)]
    [InlineData(16, 32, 39)]
    [InlineData(20, 32, 6)]
    public void FinalRows_SameBitsAsScalarLoops(int r, int k, int rows = 37)
    {
        var rng = new Random((r * 31) + k + rows - 37);
        var log = Floats(rng, rows * r, -5, 5);
        var val = Floats(rng, rows * r, 0.001, 1);
        var rowLog = Doubles(rng, rows, -3, 3);
        var v = Floats(rng, r, 0.2, 3);
        var previous = Floats(rng, r, 0.2, 3);
        var columnLog = Floats(rng, r, -1, 1);
        var factor = Doubles(rng, rows * k, -10, 10);
        var acc = Doubles(rng, k * r, -1, 1);

        var expectedLog = (float[])log.Clone();
        var expectedVal = (float[])val.Clone();
        var expectedAcc = (double[])acc.Clone();
        for (var i = 0; i < rows; i++)
        {
            var l = expectedLog.AsSpan(i * r, r);
            var p = expectedVal.AsSpan(i * r, r);
            var dot = CompactCoClustering.Dot(p, previous);
            var inv = 1f / dot;
            var shift = (float)(rowLog[i] - Math.Log(dot));
            for (var z = 0; z < r; z++)
            {
                p[z] = p[z] * v[z] * inv;
                l[z] += shift + columnLog[z];
            }

            for (var kk = 0; kk < k; kk++)
            {
                for (var z = 0; z < r; z++)
                {
                    expectedAcc[(kk * r) + z] += p[z] * factor[(i * k) + kk];
                }
            }
        }

        CompactCoClustering.FinalRows(log, val, rowLog, 0, rows, r, v, previous, columnLog, factor, k, acc);

        Assert.Equal(expectedLog, log);
        Assert.Equal(expectedVal, val);
        Assert.Equal(expectedAcc, acc);
    }

    [Theory]
    [InlineData(16, 4)]
    [InlineData(8, 4)]
    [InlineData(13, 4)]
    [InlineData(5, 3)]
    [InlineData(40, 7)]
    public void StepAndSoftmaxRows_SameBitsAsScalarLoops(int r, int k)
    {
        const int rows = 29;
        var rng = new Random(r * 17 + k);
        var log = Floats(rng, rows * r, -20, 20);
        var val = new float[rows * r];
        var rowLog = new double[rows];
        var factor = Doubles(rng, rows * k, -3, 3);
        var m = Doubles(rng, k * r, -2, 2);
        const double step = 0.37;
        var acc = new double[r];
        var g = new double[r];

        var expectedLog = (float[])log.Clone();
        var expectedVal = new float[rows * r];
        var expectedRowLog = new double[rows];
        var expectedAcc = new double[r];
        for (var i = 0; i < rows; i++)
        {
            var l = expectedLog.AsSpan(i * r, r);
            CompactCoClustering.Gradient(factor.AsSpan(i * k, k), m, r, g);
            for (var z = 0; z < r; z++)
            {
                l[z] = (float)(l[z] - (step * g[z]));
            }

            var max = l[0];
            for (var z = 1; z < r; z++)
            {
                max = MathF.Max(max, l[z]);
            }

            var p = expectedVal.AsSpan(i * r, r);
            for (var z = 0; z < r; z++)
            {
                p[z] = l[z] - max;
            }

            expectedRowLog[i] = -max;
        }

        // One exponential over the chunk's rows, as the kernel takes it.
        TensorPrimitives.Exp(expectedVal, expectedVal);
        for (var i = 0; i < rows; i++)
        {
            var p = expectedVal.AsSpan(i * r, r);
            var s = 0f;
            for (var z = 0; z < r; z++)
            {
                s += p[z];
            }

            var inv = 1f / s;
            for (var z = 0; z < r; z++)
            {
                p[z] *= inv;
                expectedAcc[z] += p[z];
            }

            expectedRowLog[i] -= Math.Log(s);
        }

        CompactCoClustering.StepAndSoftmaxRows(log, val, rowLog, 0, rows, r, factor, k, m, step, g, acc);

        Assert.Equal(expectedLog, log);
        Assert.Equal(expectedVal, val);
        Assert.Equal(expectedRowLog, rowLog);
        Assert.Equal(expectedAcc, acc);
    }

    // Ranks 16 and 8 take the two-vector kernel on AVX2 and on 16-byte vectors (DOTNET_EnableAVX2=0) respectively.
    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(5)]
    [InlineData(40)]
    public void SweepRows_SameBitsAsScalarLoops(int r)
    {
        const int rows = 41;
        var rng = new Random(r * 13);
        var val = Floats(rng, rows * r, 0.001, 1);
        val.AsSpan(7 * r, r).Clear(); // a row with a zero dot is skipped
        var v = Floats(rng, r, 0.2, 3);
        var acc = Doubles(rng, r, -1, 1);

        var expectedAcc = (double[])acc.Clone();
        for (var i = 0; i < rows; i++)
        {
            var p = val.AsSpan(i * r, r);
            var dot = CompactCoClustering.Dot(p, v);
            if (dot > 0)
            {
                var s = 1.0 / dot;
                for (var z = 0; z < r; z++)
                {
                    expectedAcc[z] += p[z] * s;
                }
            }
        }

        for (var z = 0; z < r; z++)
        {
            expectedAcc[z] *= v[z];
        }

        CompactCoClustering.SweepRows(val, v, 0, rows, r, acc);

        Assert.Equal(expectedAcc, acc);
    }

    // The gradient row g = f·M summed four vectors of z at a time (stop 29) gives each entry the scalar loop's sum
    // f₀M₀ + f₁M₁ + … in that order, so the same bits at every rank (blocks of four vectors, single vectors, the tail).
    [Theory]
    [InlineData(16, 32)]
    [InlineData(16, 4)]
    [InlineData(32, 32)]
    [InlineData(40, 7)]
    [InlineData(20, 1)]
    [InlineData(13, 4)]
    [InlineData(3, 3)]
    public void Gradient_SameBitsAsScalarLoop(int r, int k)
    {
        var rng = new Random((r * 31) + k);
        var f = Doubles(rng, k, -3, 3);
        var m = Doubles(rng, (k * r) + 3, -2, 2);
        var g = new double[r];
        CompactCoClustering.Gradient(f, m, r, g);
        for (var z = 0; z < r; z++)
        {
            var s = f[0] * m[z];
            for (var kk = 1; kk < k; kk++)
            {
                s += f[kk] * m[(kk * r) + z];
            }

            Assert.Equal(BitConverter.DoubleToInt64Bits(s), BitConverter.DoubleToInt64Bits(g[z]));
        }
    }

    [Theory]
    [InlineData(16, 4)]
    [InlineData(8, 4)]
    [InlineData(13, 4)]
    [InlineData(5, 3)]
    [InlineData(3, 3)]
    public void RowRangeRows_SameAsScalarLoops(int r, int k)
    {
        const int rows = 23;
        var rng = new Random(r * 7 + k);
        var factor = Doubles(rng, rows * k, -3, 3);
        var m = Doubles(rng, k * r, -2, 2);
        var g = new double[r + 5];

        var expected = 0.0;
        for (var i = 0; i < rows; i++)
        {
            CompactCoClustering.Gradient(factor.AsSpan(i * k, k), m, r, g);
            var hi = g[0];
            var lo = g[0];
            for (var z = 1; z < r; z++)
            {
                hi = Math.Max(hi, g[z]);
                lo = Math.Min(lo, g[z]);
            }

            expected = Math.Max(expected, hi - lo);
        }

        Assert.Equal(expected, CompactCoClustering.RowRangeRows(factor, m, 0, rows, k, r, g));
    }

    // The gradient rows kept by the row-range pass (blocks up to KeptGradientMaxRows) are F_i·M bit for bit, and the step
    // that reads them gives the same logits, plan, row scalings and column sums as the step that computes them again.
    [Theory]
    [InlineData(16, 4)]
    [InlineData(8, 4)]
    [InlineData(13, 4)]
    [InlineData(5, 3)]
    public void KeptGradientRows_SameBitsAsComputedInTheStep(int r, int k)
    {
        const int rows = 31;
        var rng = new Random(r * 11 + k);
        var factor = Doubles(rng, rows * k, -3, 3);
        var m = Doubles(rng, k * r, -2, 2);
        var log = Floats(rng, rows * r, -20, 20);
        const double step = 0.41;
        var g = new double[r];

        var kept = new double[rows * r];
        var range = CompactCoClustering.RowRangeRows(factor, m, 0, rows, k, r, g, kept);
        Assert.Equal(CompactCoClustering.RowRangeRows(factor, m, 0, rows, k, r, g), range);
        var row = new double[r];
        for (var i = 0; i < rows; i++)
        {
            CompactCoClustering.Gradient(factor.AsSpan(i * k, k), m, r, row);
            Assert.Equal(row, kept.AsSpan(i * r, r).ToArray());
        }

        var expectedLog = (float[])log.Clone();
        var expectedVal = new float[rows * r];
        var expectedRowLog = new double[rows];
        var expectedAcc = new double[r];
        CompactCoClustering.StepAndSoftmaxRows(expectedLog, expectedVal, expectedRowLog, 0, rows, r, factor, k, m, step, g, expectedAcc);

        var val = new float[rows * r];
        var rowLog = new double[rows];
        var acc = new double[r];
        CompactCoClustering.StepAndSoftmaxRows(log, val, rowLog, 0, rows, r, factor, k, m, step, g, acc, kept);

        Assert.Equal(expectedLog, log);
        Assert.Equal(expectedVal, val);
        Assert.Equal(expectedRowLog, rowLog);
        Assert.Equal(expectedAcc, acc);
    }

    // The seeding's 2-D distance row by axis (stop 31) against DistanceRow: the same logits and row range.
    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(5)]
    [InlineData(40)]
    [InlineData(3)]
    public void DistanceRowByAxis_SameBitsAsDistanceRow(int r)
    {
        var rng = new Random(r + 310);
        var centres = Doubles(rng, 2 * r, -4, 4);
        var cx = Enumerable.Range(0, r).Select(z => centres[2 * z]).ToArray();
        var cy = Enumerable.Range(0, r).Select(z => centres[(2 * z) + 1]).ToArray();
        for (var i = 0; i < 9; i++)
        {
            double[] p = i == 0 ? [centres[0], centres[1]] : Doubles(rng, 2, -6, 6);
            var expected = new float[r];
            var row = new float[r];
            var expectedRange = CompactCoClustering.DistanceRow(p, centres, 2, expected);
            var range = CompactCoClustering.DistanceRowByAxis(p[0], p[1], cx, cy, row);

            Assert.Equal(expected, row);
            Assert.Equal(expectedRange, range);
        }
    }

    // The 2-D weighted centres' sums by axis (stop 31) against AddWeightedRow row by row: the same sums bit for bit.
    [Theory]
    [InlineData(16, 37)]
    [InlineData(8, 5)]
    [InlineData(13, 37)]
    [InlineData(5, 1)]
    [InlineData(40, 11)]
    public void AddWeightedRowsByAxis_SameBitsAsAddWeightedRow(int r, int rows)
    {
        var rng = new Random(r * 3 + rows);
        var points = Doubles(rng, 2 * rows, -6, 6);
        var q = Floats(rng, rows * r, 0, 1);
        var expected = new double[r * 3];
        for (var i = 0; i < rows; i++)
        {
            CompactCoClustering.AddWeightedRow(points.AsSpan(2 * i, 2), q.AsSpan(i * r, r), r, 2, expected);
        }

        var sums = new double[3 * r];
        var p0 = Enumerable.Range(0, rows).Select(i => points[2 * i]).ToArray();
        var p1 = Enumerable.Range(0, rows).Select(i => points[(2 * i) + 1]).ToArray();
        CompactCoClustering.AddWeightedRowsByAxis(p0, p1, q, r, sums);

        for (var z = 0; z < r; z++)
        {
            Assert.Equal(expected[2 * z], sums[r + z]);
            Assert.Equal(expected[(2 * z) + 1], sums[(2 * r) + z]);
            Assert.Equal(expected[(2 * r) + z], sums[z]);
        }
    }

    // The whole 2-D seeding (gathered by axis since stop 31) against the row-by-row seeding it replaced, written out here
    // from the library's row functions (k-means++ on the index array, DistanceRow, the projection, AddWeightedRow per
    // 1024-row chunk): the same logits on both sides, centres and scale bit for bit; and the same at two threads.
    [Theory]
    [InlineData(3001, 16, 2)]
    [InlineData(3001, 13, 2)]
    [InlineData(1500, 5, 1)]
    [InlineData(700, 16, 0)]
    public void Seed2D_SameBitsAsRowSeeding(int m, int r, int lloydSteps)
    {
        var rng = new Random(m + r);
        var n = m + 400;
        var x = Doubles(rng, 2 * n, -5, 5);
        var y = Doubles(rng, 2 * n, -4, 6);
        int[] ix = [.. Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(m)];
        int[] iy = [.. Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(m)];

        var reference = new CoClusteringWorkspace();
        var expectedCentres = new double[r * 2];
        var expectedScale = ReferenceSeed(reference, x, y, ix, iy, r, 4.0, lloydSteps, new Random(5), expectedCentres);

        foreach (var inner in new ParallelOptions?[] { null, new() { MaxDegreeOfParallelism = 2 } })
        {
            var ws = new CoClusteringWorkspace();
            var centres = new double[r * 2];
            var scale = CompactCoClustering.Seed(ws, x, y, 2, ix, iy, r, 4.0, lloydSteps, new Random(5), inner, centres);

            Assert.Equal(expectedScale, scale);
            Assert.Equal(expectedCentres, centres);
            Assert.Equal(reference.LogQ32.AsSpan(0, m * r).ToArray(), ws.LogQ32.AsSpan(0, m * r).ToArray());
            Assert.Equal(reference.LogR32.AsSpan(0, m * r).ToArray(), ws.LogR32.AsSpan(0, m * r).ToArray());
        }
    }

    // CompactCoClustering.Seed as it was before stop 31 (rows through the index arrays, one at a time), one thread.
    private static float ReferenceSeed(CoClusteringWorkspace ws, double[] x, double[] y, int[] ix, int[] iy, int r, double gamma, int lloydSteps, Random rng, double[] centres)
    {
        var m = ix.Length;
        ws.EnsureCompactClusters(m, r, 4);
        ws.EnsureCompactProjection(m, r);
        Monge.Numerics.KMeans.Seed(x, m, 2, r, rng, centres, rows: ix, distances: ws.RowDual);
        for (var step = 0; ; step++)
        {
            if (step >= lloydSteps)
            {
                var range = Math.Max(Distances(x, ix, ws.LogQ32), Distances(y, iy, ws.LogR32));
                var scale = (float)(range > 0 ? -gamma / range : 0.0);
                TensorPrimitives.Multiply(ws.LogQ32.AsSpan(0, m * r), scale, ws.LogQ32.AsSpan(0, m * r));
                TensorPrimitives.Multiply(ws.LogR32.AsSpan(0, m * r), scale, ws.LogR32.AsSpan(0, m * r));
                return scale;
            }

            var stepRange = Distances(x, ix, ws.LogQ32);
            TensorPrimitives.Multiply(ws.LogQ32.AsSpan(0, m * r), (float)(stepRange > 0 ? -gamma / stepRange : 0.0), ws.LogQ32.AsSpan(0, m * r));
            CompactCoClustering.Project(ws, ws.LogQ32, ws.ValQ32, m, r, 20, 1e-4, null, null, 0, 0.0, null, 0, null);
            var chunks = (m + 1023) / 1024;
            var width = r * 3;
            var partial = new double[chunks * width];
            for (var c = 0; c < chunks; c++)
            {
                for (var i = c * 1024; i < Math.Min(m, (c + 1) * 1024); i++)
                {
                    CompactCoClustering.AddWeightedRow(x.AsSpan(ix[i] * 2, 2), ws.ValQ32.AsSpan(i * r, r), r, 2, partial.AsSpan(c * width, width));
                }
            }

            CompactCoClustering.CentresFromPartials(partial, chunks, r, 2, centres);
        }

        double Distances(double[] points, int[] index, float[] logits)
        {
            var best = 0.0;
            for (var i = 0; i < m; i++)
            {
                best = Math.Max(best, CompactCoClustering.DistanceRow(points.AsSpan(index[i] * 2, 2), centres, 2, logits.AsSpan(i * r, r)));
            }

            return best;
        }
    }

    private static float[] Floats(Random rng, int count, double lo, double hi) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)(lo + ((hi - lo) * rng.NextDouble())))];

    private static double[] Doubles(Random rng, int count, double lo, double hi) =>
        [.. Enumerable.Range(0, count).Select(_ => lo + ((hi - lo) * rng.NextDouble()))];
}
