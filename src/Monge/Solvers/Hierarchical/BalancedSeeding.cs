using System.Numerics.Tensors;
using Monge.Numerics;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Geometric start for <see cref="CoClustering"/>: k-means++ seeding (Arthur &amp; Vassilvitskii, SODA 2007) of r centres
/// among a block's source points, then a few soft balanced Lloyd steps; the resulting logits −γ·‖x − c_z‖² / range
/// become the initial log Q. A random start (the reference's) often leaves clustered data in a poor local minimum.
/// O(m·r·d) time per step, O(r·d) extra memory.
/// </summary>
internal static class BalancedSeeding
{
    /// <summary>Fills <c>ws.LogQ</c> and <c>ws.LogR</c> (m×r each) with initial logits: centres are seeded and refined
    /// on the source points of the block, and both sides get the same function −γ‖p − c_z‖²/range of their points.</summary>
    public static void Initialize(CoClusteringWorkspace ws, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, int r, double gamma, int lloydSteps, Random rng)
    {
        var m = ix.Length;
        ws.EnsureClusters(m, r, d + 2);
        var centres = new double[r * d];

        // k-means++ (the library's one k-means): first centre uniform, then proportional to the squared distance to
        // the nearest centre.
        KMeans.Seed(x, m, d, r, rng, centres, rows: ix);

        var logQ = ws.LogQ;
        var weights = new double[r];
        for (var step = 0; ; step++)
        {
            if (step >= lloydSteps)
            {
                // The same logit function on both sides, with one scale (the larger row range of the two).
                var range = Math.Max(Distances(x, d, ix, r, centres, logQ), Distances(y, d, iy, r, centres, ws.LogR));
                var scale = range > 0 ? -gamma / range : 0.0;
                TensorPrimitives.Multiply(logQ.AsSpan(0, m * r), scale, logQ.AsSpan(0, m * r));
                TensorPrimitives.Multiply(ws.LogR.AsSpan(0, m * r), scale, ws.LogR.AsSpan(0, m * r));
                return;
            }

            var stepRange = Distances(x, d, ix, r, centres, logQ);
            TensorPrimitives.Multiply(logQ.AsSpan(0, m * r), stepRange > 0 ? -gamma / stepRange : 0.0, logQ.AsSpan(0, m * r));

            // Soft balanced assignment (row softmax, then column balancing), then weighted centres.
            CoClustering.NormalizeAndProject(ws, m, r, logQ, ws.ValQ);
            WeightedCentres<double>(x, d, ix, ws.ValQ, m, r, centres, weights);
        }
    }

    /// <summary>
    /// Weighted centres of the soft assignment <paramref name="q"/> (m × r, row-major) of the points
    /// <c>x[ix[i]]</c>: c_z = Σ_i q_iz x_i / Σ_i q_iz, accumulated in double, row by row (the double path; the
    /// single-precision start sums per 1024-row chunk so that it can run on several threads).
    /// </summary>
    internal static void WeightedCentres<TQ>(ReadOnlySpan<double> x, int d, ReadOnlySpan<int> ix, ReadOnlySpan<TQ> q, int m, int r, double[] centres, double[] weights)
        where TQ : struct, System.Numerics.INumberBase<TQ>
    {
        Array.Clear(centres);
        Array.Clear(weights);
        for (var i = 0; i < m; i++)
        {
            var xr = x.Slice(ix[i] * d, d);
            for (var z = 0; z < r; z++)
            {
                var w = double.CreateTruncating(q[(i * r) + z]);
                weights[z] += w;
                var c = centres.AsSpan(z * d, d);
                for (var j = 0; j < d; j++)
                {
                    c[j] += w * xr[j];
                }
            }
        }

        for (var z = 0; z < r; z++)
        {
            var c = centres.AsSpan(z * d, d);
            for (var j = 0; j < d; j++)
            {
                c[j] /= Math.Max(weights[z], double.Epsilon);
            }
        }
    }

    // logits[i, z] = ‖p_i − c_z‖²; returns the largest row range.
    private static double Distances(ReadOnlySpan<double> points, int d, ReadOnlySpan<int> index, int r, double[] centres, double[] logits)
    {
        var m = index.Length;
        var maxRange = 0.0;
        for (var i = 0; i < m; i++)
        {
            var xr = points.Slice(index[i] * d, d);
            var row = logits.AsSpan(i * r, r);
            var hi = double.NegativeInfinity;
            var lo = double.PositiveInfinity;
            if (d == 2)
            {
                // ‖p − c‖² as BlockFactors.SquaredDistance sums it: (0 + t₀²) + t₁², i.e. t₀² + t₁² (no call per centre).
                var (p0, p1) = (xr[0], xr[1]);
                for (var z = 0; z < r; z++)
                {
                    var t0 = p0 - centres[2 * z];
                    var t1 = p1 - centres[(2 * z) + 1];
                    var s = (t0 * t0) + (t1 * t1);
                    row[z] = s;
                    hi = Math.Max(hi, s);
                    lo = Math.Min(lo, s);
                }

                maxRange = Math.Max(maxRange, hi - lo);
                continue;
            }

            for (var z = 0; z < r; z++)
            {
                var s = BlockFactors.SquaredDistance(xr, centres.AsSpan(z * d, d));
                row[z] = s;
                hi = Math.Max(hi, s);
                lo = Math.Min(lo, s);
            }

            maxRange = Math.Max(maxRange, hi - lo);
        }

        return maxRange;
    }
}
