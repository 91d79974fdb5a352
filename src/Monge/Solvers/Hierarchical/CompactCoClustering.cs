using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Monge.Numerics;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The co-clustering of <see cref="CoClustering"/> with its m×r arrays stored in single precision and one plan buffer shared
/// by both sides (log Q, log R and one plan: 12·r bytes per point instead of 32·r), for the large blocks of the first levels
/// (<see cref="HierarchicalRefinement.SinglePrecisionMinBlock"/>) and every block of the large problems
/// (<see cref="HierarchicalRefinement.SinglePrecisionMinPoints"/>).
/// </summary>
/// <remarks>
/// <para>Same algorithm and same start: balanced k-means++ seeding, Jacobi mirror-descent steps with one step
/// γ / (largest gradient row range), a projection onto Π after each step. Gradients are evaluated in double from the
/// double factors, contractions and column sums are accumulated in double over fixed 1024-row chunks summed in chunk
/// order (so the result does not depend on the thread count); entries, row sums and exponentials are single precision
/// (SIMD, <see cref="TensorPrimitives"/> and <see cref="Vector{T}"/>).</para>
/// <para>The projection is HiRef's own (<see cref="Project"/>), not the shared <c>EntropicProjection</c> (double only):
/// a row softmax of the logits (one exponential per entry, SIMD over a 1024-row chunk), then scaling sweeps that only
/// change the r column scalings v (each sweep reads the softmax K once for the column sums of diag(1/Kv) K diag(v) and
/// writes nothing), ending on the column update once the column error before it is below the tolerance; the plan is
/// kept with row masses 1 (column masses m/r), which keeps its entries far from float's underflow, and the logits are
/// moved to log P by the row and column scalings (one log per row, none per entry). Column sums are accumulated in
/// double (the rows' float entries widened), as in the double path: a planted permutation depends on both sides'
/// column sums agreeing to far below float precision. The step's update of the logits is fused with the row softmax
/// and the contraction F_Sᵀ P with the final column update, so one mirror step reads each m×r array
/// 2 + (sweeps) times. From the second projection of a side on, the column scalings start from that side's previous
/// final ones (<see cref="StartColumnScalings"/>, one extra sweep for their sums): the large blocks' projections then
/// converge in a few sweeps instead of running to the cap.</para>
/// <para>Stop rule: the low-rank objective ⟨C, Q diag(1/g) Rᵀ⟩ = r·Σ (F_Xᵀ Q) ⊙ (F_Yᵀ R) comes free from the two
/// contractions; the iterations stop once it has changed by less than <see cref="CoClusteringSettings"/>'s stall
/// tolerance (relative) in each of two consecutive steps.</para>
/// <para>Time per mirror step O(m·r·(k + S)) for S sweeps; memory per block of m points: 3·m·r floats, 2·m·k factor
/// doubles and m doubles of row scalings.</para>
/// </remarks>
internal static class CompactCoClustering
{
    /// <summary>The largest block whose gradient rows F_S M the step size's row-range pass keeps for the step (n×r doubles
    /// a side: 8 MB each at 65 536 points and rank 16), so each mirror step computes them once instead of twice; larger
    /// blocks (level 1's, 10⁷'s level 2) compute them again in the step. The same values either way (stop 28, lvl10m).</summary>
    internal const int KeptGradientMaxRows = 65_536;

    /// <summary>Runs the co-clustering on <c>ws.LogQ32</c>/<c>ws.LogR32</c>. Factors must be in <c>ws.FactorX</c> and
    /// <c>ws.FactorY</c>; with <paramref name="seeded"/> the logits were set by <see cref="Seed"/>. Returns the mirror
    /// steps taken.</summary>
    /// <remarks>With <paramref name="accumulatedQ"/> and <paramref name="accumulatedR"/> (k×r each, zeroed by the caller)
    /// the sum of step·M over the steps taken is added into them: every step moves log Q by −step·F_X M, so the logits
    /// end as the start's minus F_X · accumulatedQ, plus row and column constants (what <see cref="SampledStart"/> carries
    /// from a sample to the whole block).</remarks>
    /// <remarks>With <paramref name="initialStepQ"/> and <paramref name="initialStepR"/> (k×r) the first projections first
    /// move the seeded logits by −F_X · initialStepQ and −F_Y · initialStepR (a unit mirror step: the sampled start's
    /// carried steps, <see cref="SampledStart"/>).</remarks>
    public static int Run(CoClusteringWorkspace ws, int n, int k, int r, in CoClusteringSettings settings, double stallTolerance, ulong seed, bool seeded, ParallelOptions? inner, CancellationToken cancellationToken, double[]? accumulatedQ = null, double[]? accumulatedR = null, double[]? initialStepQ = null, double[]? initialStepR = null)
    {
        ws.EnsureCompactClusters(n, r, k);
        // The column scalings each side's last projection ended on (empty until the first mirror step's projection).
        var warmQ = settings.WarmColumnScalings ? new float[r] : null;
        var warmR = settings.WarmColumnScalings ? new float[r] : null;
        var logQ = ws.LogQ32;
        var logR = ws.LogR32;

        // One plan buffer serves both sides: each projection leaves P in it, and the contraction F_Sᵀ P (k×r) that the
        // other side's gradient uses is taken in the projection's last pass, so the next step still uses both gradients of
        // the same iterate (Jacobi) while only the logits of Q and R are kept (3·m·r floats instead of 4).
        var plan = ws.ValQ32;
        if (!seeded)
        {
            var rng = new Random((int)(seed & 0x7FFFFFFF));
            for (var idx = 0; idx < n * r; idx++)
            {
                logQ[idx] = (float)(-settings.InitialScale * rng.NextDouble());
                logR[idx] = 0f;
            }
        }

        var contractedQ = ws.Gradient;       // F_Xᵀ Q: gives ∇R = F_Y · (F_Xᵀ Q)
        var contractedR = ws.GradientOther;  // F_Yᵀ R: gives ∇Q = F_X · (F_Yᵀ R)
        var previousQ = new double[k * r];
        double[]? keptQ = null;
        double[]? keptR = null;
        if (n <= KeptGradientMaxRows)
        {
            ws.EnsureGradientRows(n, r);
            keptQ = ws.GradientRowsQ;
            keptR = ws.GradientRowsR;
        }

        Project(ws, logQ, plan, n, r, settings.InnerIterations, settings.Tolerance, inner, initialStepQ is null ? null : ws.FactorX, k, 1.0, ws.FactorX, k, contractedQ, initialStepQ);
        Project(ws, logR, plan, n, r, settings.InnerIterations, settings.Tolerance, inner, initialStepR is null ? null : ws.FactorY, k, 1.0, ws.FactorY, k, contractedR, initialStepR);
        var objective = Objective(contractedQ, contractedR, k * r);
        var stalled = 0;
        var it = 0;
        while (it < settings.Iterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var t0 = HiRefProfile.Start();
            // With kept rows, the gradients F_X·(F_Yᵀ R) and F_Y·(F_Xᵀ Q) stay for the step: Q's step reads contractedR and
            // R's step previousQ (a copy of this contractedQ), so the kept rows are the ones the step would compute.
            var range = Math.Max(CoClustering.MaxRowRange(ws, ws.FactorX, contractedR, n, k, r, inner, keptQ), CoClustering.MaxRowRange(ws, ws.FactorY, contractedQ, n, k, r, inner, keptR));
            HiRefProfile.Stop(HiRefProfile.Phase.RowRange, t0);
            if (!(range > 0) || !double.IsFinite(range))
            {
                break;
            }

            var step = settings.Gamma / range;
            it++;

            // Both updates read the contractions of the same iterate: R's update uses the previous F_Xᵀ Q, kept aside
            // before Q's projection overwrites it.
            Array.Copy(contractedQ, previousQ, k * r);
            if (accumulatedQ is not null && accumulatedR is not null)
            {
                for (var t = 0; t < k * r; t++)
                {
                    accumulatedQ[t] += step * contractedR[t];
                    accumulatedR[t] += step * previousQ[t];
                }
            }

            Project(ws, logQ, plan, n, r, settings.InnerIterations, settings.Tolerance, inner, ws.FactorX, k, step, ws.FactorX, k, contractedQ, contractedR, warmQ, keptQ);
            Project(ws, logR, plan, n, r, settings.InnerIterations, settings.Tolerance, inner, ws.FactorY, k, step, ws.FactorY, k, contractedR, previousQ, warmR, keptR);
            var next = Objective(contractedQ, contractedR, k * r);
            var change = Math.Abs(next - objective);
            stalled = change <= stallTolerance * Math.Abs(next) ? stalled + 1 : 0;
            objective = next;
            ws.StepProgress?.Invoke(it, settings.Iterations, change / Math.Abs(next));
            if (stalled >= 2)
            {
                break;
            }
        }

        HiRefProfile.Steps(it);
        return it;
    }

    // Σ (F_Xᵀ Q) ⊙ (F_Yᵀ R): the low-rank objective up to the constant factor r/n².
    private static double Objective(double[] a, double[] b, int length)
    {
        var s = 0.0;
        for (var t = 0; t < length; t++)
        {
            s += a[t] * b[t];
        }

        return s;
    }

    /// <summary>The balanced k-means++ start of <see cref="BalancedSeeding"/> written into the single-precision logits.</summary>
    /// <remarks>The distances and the weighted centres run over the fixed 1024-row chunks (on the threads of
    /// <paramref name="inner"/> when given; centre sums per chunk, added in chunk order), so the start does not depend on
    /// the thread count; the k-means++ draw itself is sequential (O(m·r·d)).</remarks>
    /// <returns>The scale of the logits: log Q = scale·‖x − c_z‖² for the final centres c (left in
    /// <paramref name="centres"/> when given, r×d).</returns>
    public static unsafe float Seed(CoClusteringWorkspace ws, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, int r, double gamma, int lloydSteps, Random rng, ParallelOptions? inner, double[]? centres = null)
    {
        var m = ix.Length;
        ws.EnsureCompactClusters(m, r, d + 2);
        ws.EnsureCompactProjection(m, r);
        centres ??= new double[r * d];
        var logQ = ws.LogQ32;
        fixed (double* px = x, py = y)
        fixed (int* pix = ix, piy = iy)
        {
            var xs = new PointRows(px, pix, d);
            var ys = new PointRows(py, piy, d);
            // In 2-D the block's coordinates are gathered once by axis (ws.SeedPoints), so k-means++'s r passes, the Lloyd
            // steps' distances and weighted centres and the final distances read them in order, vectorised over the points
            // or the centres, instead of through the index arrays one row at a time: the same operations per entry, the
            // same bits (stop 31).
            var byAxis = d == 2 && m <= GatheredSeedMaxPoints;
            if (byAxis)
            {
                GatherByAxis(ws, xs, ys, m, inner);
                KMeans.Seed2D(ws.SeedPoints.AsSpan(0, m), ws.SeedPoints.AsSpan(m, m), r, rng, centres, ws.RowDual);
            }
            else
            {
                // The row scalings are free until the first projection: k-means++ keeps its distances there.
                KMeans.Seed(x, m, d, r, rng, centres, rows: ix, distances: ws.RowDual);
            }

            for (var step = 0; ; step++)
            {
                if (step >= lloydSteps)
                {
                    var range = Math.Max(
                        byAxis ? DistancesByAxis(ws, 0, m, r, centres, logQ, inner) : Distances(ws, xs, m, r, centres, logQ, inner),
                        byAxis ? DistancesByAxis(ws, 2 * m, m, r, centres, ws.LogR32, inner) : Distances(ws, ys, m, r, centres, ws.LogR32, inner));
                    var scale = (float)(range > 0 ? -gamma / range : 0.0);
                    TensorPrimitives.Multiply(logQ.AsSpan(0, m * r), scale, logQ.AsSpan(0, m * r));
                    TensorPrimitives.Multiply(ws.LogR32.AsSpan(0, m * r), scale, ws.LogR32.AsSpan(0, m * r));
                    return scale;
                }

                var stepRange = byAxis ? DistancesByAxis(ws, 0, m, r, centres, logQ, inner) : Distances(ws, xs, m, r, centres, logQ, inner);
                TensorPrimitives.Multiply(logQ.AsSpan(0, m * r), (float)(stepRange > 0 ? -gamma / stepRange : 0.0), logQ.AsSpan(0, m * r));
                Project(ws, logQ, ws.ValQ32, m, r, 20, 1e-4, inner, null, 0, 0.0, null, 0, null);
                if (byAxis)
                {
                    WeightedCentresByAxis(ws, ws.ValQ32, m, r, centres, inner);
                }
                else
                {
                    WeightedCentres(ws, xs, ws.ValQ32, m, r, centres, inner);
                }
            }
        }
    }

    /// <summary>The largest 2-D block whose seeding gathers its coordinates by axis first (4·m doubles in <c>ws.SeedPoints</c>, 32 MB at 1 048 576 points); larger blocks read the rows through the index arrays.
    /// The same bits either way.</summary>
    internal const int GatheredSeedMaxPoints = 1 << 21;

    // The block's 2-D coordinates by axis into ws.SeedPoints: X's first and second coordinates, then Y's (4·m doubles).
    private static void GatherByAxis(CoClusteringWorkspace ws, PointRows xs, PointRows ys, int m, ParallelOptions? inner)
    {
        ws.EnsureSeedPoints(m);
        var points = ws.SeedPoints;
        CoClustering.For(CoClustering.Chunks(m), inner, c =>
        {
            var (start, end) = CoClustering.Range(c, m);
            for (var i = start; i < end; i++)
            {
                var p = xs.Row(i);
                var q = ys.Row(i);
                points[i] = p[0];
                points[m + i] = p[1];
                points[(2 * m) + i] = q[0];
                points[(3 * m) + i] = q[1];
            }
        });
    }

    // Distances over the gathered coordinates ws.SeedPoints[offset …] (first axis) and [offset + m …] (second axis), as
    // Distances: logits[i, z] = ‖p_i − c_z‖² rounded to float, the largest row range of the double values.
    private static double DistancesByAxis(CoClusteringWorkspace ws, int offset, int m, int r, double[] centres, float[] logits, ParallelOptions? inner)
    {
        var chunks = CoClustering.Chunks(m);
        var ranges = ws.ChunkScalar;
        var points = ws.SeedPoints;
        var (cx, cy) = CentresByAxis(centres, r);
        CoClustering.For(chunks, inner, c =>
        {
            var (start, end) = CoClustering.Range(c, m);
            var maxRange = 0.0;
            for (var i = start; i < end; i++)
            {
                maxRange = Math.Max(maxRange, DistanceRowByAxis(points[offset + i], points[offset + m + i], cx, cy, logits.AsSpan(i * r, r)));
            }

            ranges[c] = maxRange;
        });
        var result = 0.0;
        for (var c = 0; c < chunks; c++)
        {
            result = Math.Max(result, ranges[c]);
        }

        return result;
    }

    // The r 2-D centres (row-major r × 2) as two arrays, one per axis.
    private static (double[] X, double[] Y) CentresByAxis(double[] centres, int r)
    {
        var cx = new double[r];
        var cy = new double[r];
        for (var z = 0; z < r; z++)
        {
            cx[z] = centres[2 * z];
            cy[z] = centres[(2 * z) + 1];
        }

        return (cx, cy);
    }

    /// <summary><see cref="DistanceRow"/> in 2-D with the centres by axis, vectorised over the centres: row[z] =
    /// (float)((p₀ − cx_z)² + (p₁ − cy_z)²) and the row's range (of the double values), the same bits.</summary>
    internal static double DistanceRowByAxis(double p0, double p1, double[] cx, double[] cy, Span<float> row)
    {
        var r = row.Length;
        var hi = double.NegativeInfinity;
        var lo = double.PositiveInfinity;
        var z = 0;
        if (Vector.IsHardwareAccelerated && r >= Vector<float>.Count)
        {
            var w = Vector<float>.Count;
            var h = Vector<double>.Count;
            var v0 = new Vector<double>(p0);
            var v1 = new Vector<double>(p1);
            var hiV = new Vector<double>(double.NegativeInfinity);
            var loV = new Vector<double>(double.PositiveInfinity);
            for (; z <= r - w; z += w)
            {
                var ta0 = v0 - new Vector<double>(cx, z);
                var ta1 = v1 - new Vector<double>(cy, z);
                var sa = (ta0 * ta0) + (ta1 * ta1);
                var tb0 = v0 - new Vector<double>(cx, z + h);
                var tb1 = v1 - new Vector<double>(cy, z + h);
                var sb = (tb0 * tb0) + (tb1 * tb1);
                Vector.Narrow(sa, sb).CopyTo(row.Slice(z, w));
                hiV = Vector.Max(hiV, Vector.Max(sa, sb));
                loV = Vector.Min(loV, Vector.Min(sa, sb));
            }

            for (var j = 0; j < h; j++)
            {
                hi = Math.Max(hi, hiV[j]);
                lo = Math.Min(lo, loV[j]);
            }
        }

        for (; z < r; z++)
        {
            var t0 = p0 - cx[z];
            var t1 = p1 - cy[z];
            var s = (t0 * t0) + (t1 * t1);
            row[z] = (float)s;
            hi = Math.Max(hi, s);
            lo = Math.Min(lo, s);
        }

        return hi - lo;
    }

    // WeightedCentres over the gathered 2-D coordinates of X (ws.SeedPoints[0 … 2m)): per 1024-row chunk the sums
    // Σ q_iz, Σ q_iz p_i0, Σ q_iz p_i1 vectorised over z (each sum with the same additions in the same row order as
    // AddWeightedRow, from zero), written to the chunk's partial in AddWeightedRow's layout; then over the chunks in order.
    private static void WeightedCentresByAxis(CoClusteringWorkspace ws, float[] q, int m, int r, double[] centres, ParallelOptions? inner)
    {
        var chunks = CoClustering.Chunks(m);
        var width = r * 3;
        var partial = ws.Partial;
        var points = ws.SeedPoints;
        CoClustering.For(chunks, inner, c =>
        {
            var (start, end) = CoClustering.Range(c, m);
            Span<double> sums = r <= 256 ? stackalloc double[3 * r] : new double[3 * r];
            sums.Clear();
            AddWeightedRowsByAxis(points.AsSpan(start, end - start), points.AsSpan(m + start, end - start), q.AsSpan(start * r, (end - start) * r), r, sums);
            var acc = partial.AsSpan(c * width, width);
            for (var z = 0; z < r; z++)
            {
                acc[2 * z] = sums[r + z];
                acc[(2 * z) + 1] = sums[(2 * r) + z];
                acc[(2 * r) + z] = sums[z];
            }
        });
        CentresFromPartials(partial, chunks, r, 2, centres);
    }

    /// <summary>The rows' share of the 2-D weighted centres, by axis: sums[z] += q_iz, sums[r + z] += q_iz·p0_i,
    /// sums[2r + z] += q_iz·p1_i for every row i in order (q widened to double, product and sum in double: the additions of
    /// <see cref="AddWeightedRow"/>), vectorised over z.</summary>
    internal static void AddWeightedRowsByAxis(ReadOnlySpan<double> p0, ReadOnlySpan<double> p1, ReadOnlySpan<float> q, int r, Span<double> sums)
    {
        var weights = sums[..r];
        var first = sums.Slice(r, r);
        var second = sums.Slice(2 * r, r);
        for (var i = 0; i < p0.Length; i++)
        {
            var qi = q.Slice(i * r, r);
            var (a, b) = (p0[i], p1[i]);
            var z = 0;
            if (Vector.IsHardwareAccelerated && r >= Vector<float>.Count)
            {
                var w = Vector<float>.Count;
                var h = Vector<double>.Count;
                for (; z <= r - w; z += w)
                {
                    Vector.Widen(new Vector<float>(qi.Slice(z, w)), out var lo, out var hiw);
                    (new Vector<double>(weights.Slice(z, h)) + lo).CopyTo(weights.Slice(z, h));
                    (new Vector<double>(weights.Slice(z + h, h)) + hiw).CopyTo(weights.Slice(z + h, h));
                    (new Vector<double>(first.Slice(z, h)) + (lo * a)).CopyTo(first.Slice(z, h));
                    (new Vector<double>(first.Slice(z + h, h)) + (hiw * a)).CopyTo(first.Slice(z + h, h));
                    (new Vector<double>(second.Slice(z, h)) + (lo * b)).CopyTo(second.Slice(z, h));
                    (new Vector<double>(second.Slice(z + h, h)) + (hiw * b)).CopyTo(second.Slice(z + h, h));
                }
            }

            for (; z < r; z++)
            {
                double wz = qi[z];
                weights[z] += wz;
                first[z] += wz * a;
                second[z] += wz * b;
            }
        }
    }

    /// <summary>The seeding's logits from given centres and scale (a sampled start's, <see cref="SampledStart"/>):
    /// log = scale·‖p − c_z‖² on both sides, with the same float operations as the end of <see cref="Seed"/> (and as the
    /// sharded seeding's distances followed by the first softmax's scale), so the sharded split gives the same bits.</summary>
    internal static unsafe void SeedFromCentres(CoClusteringWorkspace ws, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, int r, double[] centres, float scale, ParallelOptions? inner)
    {
        var m = ix.Length;
        ws.EnsureCompactClusters(m, r, d + 2);
        ws.EnsureCompactProjection(m, r);
        fixed (double* px = x, py = y)
        fixed (int* pix = ix, piy = iy)
        {
            _ = Distances(ws, new PointRows(px, pix, d), m, r, centres, ws.LogQ32, inner);
            _ = Distances(ws, new PointRows(py, piy, d), m, r, centres, ws.LogR32, inner);
        }

        TensorPrimitives.Multiply(ws.LogQ32.AsSpan(0, m * r), scale, ws.LogQ32.AsSpan(0, m * r));
        TensorPrimitives.Multiply(ws.LogR32.AsSpan(0, m * r), scale, ws.LogR32.AsSpan(0, m * r));
    }

    // The rows p[index[i]] of a fixed point array (captured by the chunk loops, which cannot capture spans).
    private readonly unsafe struct PointRows(double* points, int* index, int d)
    {
        public ReadOnlySpan<double> Row(int i) => new(points + ((long)index[i] * d), d);
    }

    // logits[i, z] = ‖p_i − c_z‖² (rounded to float); returns the largest row range (of the double values).
    private static double Distances(CoClusteringWorkspace ws, PointRows points, int m, int r, double[] centres, float[] logits, ParallelOptions? inner)
    {
        var chunks = CoClustering.Chunks(m);
        var ranges = ws.ChunkScalar;
        var d = centres.Length / r;
        CoClustering.For(chunks, inner, c =>
        {
            var (start, end) = CoClustering.Range(c, m);
            var maxRange = 0.0;
            for (var i = start; i < end; i++)
            {
                maxRange = Math.Max(maxRange, DistanceRow(points.Row(i), centres, d, logits.AsSpan(i * r, r)));
            }

            ranges[c] = maxRange;
        });
        var result = 0.0;
        for (var c = 0; c < chunks; c++)
        {
            result = Math.Max(result, ranges[c]);
        }

        return result;
    }

    /// <summary>One row of the seeding's logits: row[z] = ‖p − c_z‖² (rounded to float); returns the row's range (of the
    /// double values). Shared with the sharded seeding (<see cref="CoClusteringShard"/>).</summary>
    internal static double DistanceRow(ReadOnlySpan<double> xr, double[] centres, int d, Span<float> row)
    {
        var hi = double.NegativeInfinity;
        var lo = double.PositiveInfinity;
        if (d == 2)
        {
            // ‖p − c‖² as BlockFactors.SquaredDistance sums it: (0 + t₀²) + t₁², i.e. t₀² + t₁² (no call per centre).
            var (p0, p1) = (xr[0], xr[1]);
            for (var z = 0; z < row.Length; z++)
            {
                var t0 = p0 - centres[2 * z];
                var t1 = p1 - centres[(2 * z) + 1];
                var s = (t0 * t0) + (t1 * t1);
                row[z] = (float)s;
                hi = Math.Max(hi, s);
                lo = Math.Min(lo, s);
            }

            return hi - lo;
        }

        for (var z = 0; z < row.Length; z++)
        {
            var s = BlockFactors.SquaredDistance(xr, centres.AsSpan(z * d, d));
            row[z] = (float)s;
            hi = Math.Max(hi, s);
            lo = Math.Min(lo, s);
        }

        return hi - lo;
    }

    /// <summary>One row's share of the weighted centres: acc[z·d + j] += q_z p_j and acc[r·d + z] += q_z.</summary>
    internal static void AddWeightedRow(ReadOnlySpan<double> xr, ReadOnlySpan<float> qi, int r, int d, Span<double> acc)
    {
        for (var z = 0; z < r; z++)
        {
            double w = qi[z];
            acc[(r * d) + z] += w;
            var cz = acc.Slice(z * d, d);
            for (var j = 0; j < d; j++)
            {
                cz[j] += w * xr[j];
            }
        }
    }

    /// <summary>The centres from the chunk partials of <see cref="AddWeightedRow"/>, summed in chunk order.</summary>
    internal static void CentresFromPartials(ReadOnlySpan<double> partial, int chunks, int r, int d, double[] centres)
    {
        var width = r * (d + 1);
        var total = new double[width];
        for (var c = 0; c < chunks; c++)
        {
            TensorPrimitives.Add(total, partial.Slice(c * width, width), total);
        }

        for (var z = 0; z < r; z++)
        {
            var weight = Math.Max(total[(r * d) + z], double.Epsilon);
            for (var j = 0; j < d; j++)
            {
                centres[(z * d) + j] = total[(z * d) + j] / weight;
            }
        }
    }

    // c_z = Σ_i q_iz p_i / Σ_i q_iz: sums per 1024-row chunk in double (in ws.Partial), then over the chunks in order.
    private static void WeightedCentres(CoClusteringWorkspace ws, PointRows points, float[] q, int m, int r, double[] centres, ParallelOptions? inner)
    {
        var chunks = CoClustering.Chunks(m);
        var d = centres.Length / r;
        var width = r * (d + 1);
        var partial = ws.Partial;
        CoClustering.For(chunks, inner, c =>
        {
            var acc = partial.AsSpan(c * width, width);
            acc.Clear();
            var (start, end) = CoClustering.Range(c, m);
            for (var i = start; i < end; i++)
            {
                AddWeightedRow(points.Row(i), q.AsSpan(i * r, r), r, d, acc);
            }
        });
        CentresFromPartials(partial, chunks, r, d, centres);
    }

    /// <summary>g = f · M for one row: g_z = Σ_kk f_kk M[kk, z] (double, vectorised over z; the same sum order for every
    /// width, so the value does not depend on the SIMD width). The one gradient row of both precisions' co-clustering
    /// and of the sharded one.</summary>
    /// <remarks>Four vectors of z are summed side by side (independent chains, one pass over k instead of four: the
    /// loop was bound by the latency of each vector's k dependent additions), each entry with the same products added in
    /// the same order as one vector at a time, so the same bits (stop 29).</remarks>
    internal static void Gradient(ReadOnlySpan<double> f, ReadOnlySpan<double> m, int r, Span<double> g)
    {
        var k = f.Length;
        var z = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<double>.Count;
            ref var m0 = ref MemoryMarshal.GetReference(m[..(k * r)]);
            for (; z <= r - (4 * w); z += 4 * w)
            {
                var f0 = f[0];
                var a0 = Vector.LoadUnsafe(ref m0, (nuint)z) * f0;
                var a1 = Vector.LoadUnsafe(ref m0, (nuint)(z + w)) * f0;
                var a2 = Vector.LoadUnsafe(ref m0, (nuint)(z + (2 * w))) * f0;
                var a3 = Vector.LoadUnsafe(ref m0, (nuint)(z + (3 * w))) * f0;
                for (var kk = 1; kk < k; kk++)
                {
                    var fk = f[kk];
                    var o = (nuint)((kk * r) + z);
                    a0 += Vector.LoadUnsafe(ref m0, o) * fk;
                    a1 += Vector.LoadUnsafe(ref m0, o + (nuint)w) * fk;
                    a2 += Vector.LoadUnsafe(ref m0, o + (nuint)(2 * w)) * fk;
                    a3 += Vector.LoadUnsafe(ref m0, o + (nuint)(3 * w)) * fk;
                }

                a0.CopyTo(g.Slice(z, w));
                a1.CopyTo(g.Slice(z + w, w));
                a2.CopyTo(g.Slice(z + (2 * w), w));
                a3.CopyTo(g.Slice(z + (3 * w), w));
            }

            for (; z <= r - w; z += w)
            {
                var acc = new Vector<double>(m.Slice(z, w)) * f[0];
                for (var kk = 1; kk < k; kk++)
                {
                    acc += new Vector<double>(m.Slice((kk * r) + z, w)) * f[kk];
                }

                acc.CopyTo(g.Slice(z, w));
            }
        }

        for (; z < r; z++)
        {
            var s = f[0] * m[z];
            for (var kk = 1; kk < k; kk++)
            {
                s += f[kk] * m[(kk * r) + z];
            }

            g[z] = s;
        }
    }

    /// <summary>The largest gradient row range max_z ∇_iz − min_z ∇_iz (∇_i = F_i · M) over rows start … end − 1 (0 if
    /// none is larger). Shared with <see cref="CoClusteringShard"/>. With <paramref name="keep"/> (n×r) each row's gradient
    /// is left there (row i at i·r) instead of in <paramref name="g"/>.</summary>
    internal static double RowRangeRows(double[] factorS, double[] m, int start, int end, int k, int r, Span<double> g, double[]? keep = null)
    {
        var best = 0.0;
        var mk = m.AsSpan(0, k * r);
        for (var i = start; i < end; i++)
        {
            var row = keep is null ? g[..r] : keep.AsSpan(i * r, r);
            Gradient(factorS.AsSpan(i * k, k), mk, r, row);
            best = Math.Max(best, TensorPrimitives.Max(row) - TensorPrimitives.Min(row));
        }

        return best;
    }

    /// <summary>log v_z (0 for an empty column, which keeps its logits: its plan entries are 0).</summary>
    internal static float[] ColumnLogs(float[] v, int r)
    {
        var columnLog = new float[r];
        for (var z = 0; z < r; z++)
        {
            columnLog[z] = v[z] > 0 ? MathF.Log(v[z]) : 0f;
        }

        return columnLog;
    }

    // acc[z] += p[z] (float widened to double).
    /// <summary>
    /// Rows start … end − 1 of one chunk: the mirror step (if <paramref name="stepFactor"/> is given), K_i = softmax(log_i)
    /// into <paramref name="val"/>, rowLog_i = −logsumexp(log_i), and the column sums of K added to <paramref name="acc"/>.
    /// Shared by the whole-block projection and the sharded one (<see cref="ShardedCoClustering"/>), so both give the same bits.
    /// With <paramref name="gradientRows"/> (n×r, row i at i·r: the rows <see cref="RowRangeRows"/> kept for this factor and
    /// contraction) the step reads the gradient there instead of computing F_i·M again.
    /// </summary>
    internal static void StepAndSoftmaxRows(
        float[] log, float[] val, double[] rowLog, int start, int end, int r, double[]? stepFactor, int stepK, double[]? stepM, double step, Span<double> g, Span<double> acc, double[]? gradientRows = null)
    {
        var rows = val.AsSpan(start * r, (end - start) * r);
        for (var i = start; i < end; i++)
        {
            var l = log.AsSpan(i * r, r);
            if (gradientRows is not null)
            {
                StepRow(l, gradientRows.AsSpan(i * r, r), step);
            }
            else if (stepFactor is not null)
            {
                Gradient(stepFactor.AsSpan(i * stepK, stepK), stepM.AsSpan(0, stepK * r), r, g);
                StepRow(l, g, step);
            }

            var max = TensorPrimitives.Max(l);
            SubtractRow(l, max, val.AsSpan(i * r, r));
            rowLog[i] = -max;
        }

        var te = HiRefProfile.Start();
        TensorPrimitives.Exp(rows, rows);
        HiRefProfile.Stop(HiRefProfile.Phase.Exp, te);
        if (Vector.IsHardwareAccelerated && r == 2 * Vector<float>.Count)
        {
            NormalizeRowsTwoVectors(val, rowLog, start, end, acc);
            return;
        }

        for (var i = start; i < end; i++)
        {
            var p = val.AsSpan(i * r, r);
            var s = 0f;
            for (var z = 0; z < r; z++)
            {
                s += p[z];
            }

            ScaleRow(p, 1f / s);
            AddWidened(p, acc);
            rowLog[i] -= Math.Log(s);
        }
    }

    // The row normalisation of StepAndSoftmaxRows at r = two SIMD widths, the column sums held in four double registers
    // over the chunk: the same operations per entry in the same order as the general loop (the row sum left to right in
    // float, p·(1/s), acc + p in double), so the same bits.
    private static void NormalizeRowsTwoVectors(float[] val, double[] rowLog, int start, int end, Span<double> acc)
    {
        var w = Vector<float>.Count;
        var h = Vector<double>.Count;
        var r = 2 * w;
        var a0 = new Vector<double>(acc[..h]);
        var a1 = new Vector<double>(acc.Slice(h, h));
        var a2 = new Vector<double>(acc.Slice(w, h));
        var a3 = new Vector<double>(acc.Slice(w + h, h));
        for (var i = start; i < end; i++)
        {
            var p = val.AsSpan(i * r, r);
            var s = 0f;
            for (var z = 0; z < r; z++)
            {
                s += p[z];
            }

            var inv = 1f / s;
            var p0 = new Vector<float>(p[..w]) * inv;
            var p1 = new Vector<float>(p.Slice(w, w)) * inv;
            p0.CopyTo(p[..w]);
            p1.CopyTo(p.Slice(w, w));
            Vector.Widen(p0, out var lo0, out var hi0);
            Vector.Widen(p1, out var lo1, out var hi1);
            a0 += lo0;
            a1 += hi0;
            a2 += lo1;
            a3 += hi1;
            rowLog[i] -= Math.Log(s);
        }

        a0.CopyTo(acc[..h]);
        a1.CopyTo(acc.Slice(h, h));
        a2.CopyTo(acc.Slice(w, h));
        a3.CopyTo(acc.Slice(w + h, h));
    }

    // dst[z] = l[z] − max (one rounding per entry, inline: a row is one or two vectors at the usual ranks).
    private static void SubtractRow(ReadOnlySpan<float> l, float max, Span<float> dst)
    {
        var z = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<float>.Count;
            var m = new Vector<float>(max);
            for (; z <= l.Length - w; z += w)
            {
                (new Vector<float>(l.Slice(z, w)) - m).CopyTo(dst.Slice(z, w));
            }
        }

        for (; z < l.Length; z++)
        {
            dst[z] = l[z] - max;
        }
    }

    // p[z] ← p[z]·s (one rounding per entry, inline).
    private static void ScaleRow(Span<float> p, float s)
    {
        var z = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<float>.Count;
            for (; z <= p.Length - w; z += w)
            {
                (new Vector<float>(p.Slice(z, w)) * s).CopyTo(p.Slice(z, w));
            }
        }

        for (; z < p.Length; z++)
        {
            p[z] *= s;
        }
    }

    // l[z] ← (float)(l[z] − step·g[z]) (in double, rounded once; the same bits at every SIMD width).
    private static void StepRow(Span<float> l, ReadOnlySpan<double> g, double step)
    {
        var z = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<float>.Count;
            var h = Vector<double>.Count;
            for (; z <= l.Length - w; z += w)
            {
                Vector.Widen(new Vector<float>(l.Slice(z, w)), out var lo, out var hi);
                Vector.Narrow(lo - (new Vector<double>(g.Slice(z, h)) * step), hi - (new Vector<double>(g.Slice(z + h, h)) * step)).CopyTo(l.Slice(z, w));
            }
        }

        for (; z < l.Length; z++)
        {
            l[z] = (float)(l[z] - (step * g[z]));
        }
    }

    /// <summary>
    /// Rows start … end − 1 of one chunk of a scaling sweep: the column sums of diag(1/Kv) K diag(v) added to
    /// <paramref name="acc"/> (K, the row softmax, in <paramref name="val"/>; nothing written), as v ⊙ Σ_i K_i / (K_i · v):
    /// each row is widened and added with the one factor 1/(K_i · v) in double, and the chunk's sum is multiplied by v once
    /// at the end (one multiply per entry fewer than scaling every row by v). <paramref name="acc"/> must be cleared by the
    /// caller. Shared by the whole-block projection and the sharded one (<see cref="ShardedCoClustering"/>), so both give
    /// the same bits.
    /// </summary>
    internal static void SweepRows(float[] val, float[] v, int start, int end, int r, Span<double> acc)
    {
        if (Vector.IsHardwareAccelerated && r == 2 * Vector<float>.Count)
        {
            SweepRowsTwoVectors(val, v, start, end, acc);
            return;
        }

        for (var i = start; i < end; i++)
        {
            var p = val.AsSpan(i * r, r);
            var dot = Dot(p, v);
            if (dot > 0)
            {
                AddScaledWidened(p, 1.0 / dot, acc);
            }
        }

        for (var z = 0; z < r; z++)
        {
            acc[z] *= v[z];
        }
    }

    // SweepRows at r = two SIMD widths (16 floats on AVX2, the default rank), with the row's r column sums held in four
    // double registers over the chunk instead of being loaded and stored for every row: the same operations per entry in
    // the same order as Dot and AddScaledWidened (Dot's (0 + p₀v₀) + p₁v₁ and one lane sum, then acc + p·(1/dot) in
    // double), so the same bits.
    private static void SweepRowsTwoVectors(float[] val, float[] v, int start, int end, Span<double> acc)
    {
        var w = Vector<float>.Count;
        var h = Vector<double>.Count;
        var r = 2 * w;
        var v0 = new Vector<float>(v, 0);
        var v1 = new Vector<float>(v, w);
        var a0 = new Vector<double>(acc[..h]);
        var a1 = new Vector<double>(acc.Slice(h, h));
        var a2 = new Vector<double>(acc.Slice(w, h));
        var a3 = new Vector<double>(acc.Slice(w + h, h));
        var rows = val.AsSpan(start * r, (end - start) * r);
        for (var o = 0; o < rows.Length; o += r)
        {
            var p0 = new Vector<float>(rows.Slice(o, w));
            var p1 = new Vector<float>(rows.Slice(o + w, w));
            var dot = Vector.Sum(Vector<float>.Zero + (p0 * v0) + (p1 * v1));
            if (dot > 0)
            {
                var s = 1.0 / dot;
                Vector.Widen(p0, out var lo0, out var hi0);
                Vector.Widen(p1, out var lo1, out var hi1);
                a0 += lo0 * s;
                a1 += hi0 * s;
                a2 += lo1 * s;
                a3 += hi1 * s;
            }
        }

        a0.CopyTo(acc[..h]);
        a1.CopyTo(acc.Slice(h, h));
        a2.CopyTo(acc.Slice(w, h));
        a3.CopyTo(acc.Slice(w + h, h));
        for (var z = 0; z < r; z++)
        {
            acc[z] *= v[z];
        }
    }

    // acc[z] += p[z]·s (float widened to double, product and sum in double).
    private static void AddScaledWidened(ReadOnlySpan<float> p, double s, Span<double> acc)
    {
        var z = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<float>.Count;
            var h = Vector<double>.Count;
            for (; z <= p.Length - w; z += w)
            {
                Vector.Widen(new Vector<float>(p.Slice(z, w)), out var lo, out var hi);
                (new Vector<double>(acc.Slice(z, h)) + (lo * s)).CopyTo(acc.Slice(z, h));
                (new Vector<double>(acc.Slice(z + h, h)) + (hi * s)).CopyTo(acc.Slice(z + h, h));
            }
        }

        for (; z < p.Length; z++)
        {
            acc[z] += p[z] * s;
        }
    }

    /// <summary>
    /// Rows start … end − 1 of one chunk of the final column update: P_i = K_i ⊙ v / (K_i · v_prev) into
    /// <paramref name="val"/>, log ← log P (row shift rowLog_i − log(K_i · v_prev) plus <paramref name="columnLog"/>), and
    /// with <paramref name="factor"/> the contraction F_Oᵀ P of the chunk added to <paramref name="acc"/> (k×r, double).
    /// Every row loop is SIMD with the same operations per entry as the scalar tail, so the bits do not depend on the
    /// SIMD width (stop 21: −11% of the levels' CPU at 262 144, same permutation). Shared by the whole-block projection and
    /// the sharded one.
    /// </summary>
    /// <remarks>The contraction takes the rows four at a time (<see cref="ContractFour"/>; then two, <see cref="ContractTwo"/>,
    /// and one): each k×r sum loaded and stored once for the four rows, the products added in row order, so the same bits
    /// as row by row.</remarks>
    internal static void FinalRows(float[] log, float[] val, double[] rowLog, int start, int end, int r, float[] v, float[] previous, float[] columnLog, double[]? factor, int k, Span<double> acc)
    {
        var i = start;
        for (; i + 3 < end; i += 4)
        {
            FinalRow(log, val, rowLog, i, r, v, previous, columnLog);
            FinalRow(log, val, rowLog, i + 1, r, v, previous, columnLog);
            FinalRow(log, val, rowLog, i + 2, r, v, previous, columnLog);
            FinalRow(log, val, rowLog, i + 3, r, v, previous, columnLog);
            if (factor is not null)
            {
                ContractFour(val.AsSpan(i * r, 4 * r), factor.AsSpan(i * k, 4 * k), r, k, acc);
            }
        }

        for (; i + 1 < end; i += 2)
        {
            FinalRow(log, val, rowLog, i, r, v, previous, columnLog);
            FinalRow(log, val, rowLog, i + 1, r, v, previous, columnLog);
            if (factor is not null)
            {
                ContractTwo(val.AsSpan(i * r, r), factor.AsSpan(i * k, k), val.AsSpan((i + 1) * r, r), factor.AsSpan((i + 1) * k, k), r, acc);
            }
        }

        if (i < end)
        {
            FinalRow(log, val, rowLog, i, r, v, previous, columnLog);
            if (factor is not null)
            {
                Contract(val.AsSpan(i * r, r), factor.AsSpan(i * k, k), r, acc);
            }
        }
    }

    // One row of FinalRows' column update: P_i = K_i ⊙ v / (K_i · v_prev), log_i ← log P_i.
    private static void FinalRow(float[] log, float[] val, double[] rowLog, int i, int r, float[] v, float[] previous, float[] columnLog)
    {
        var l = log.AsSpan(i * r, r);
        var p = val.AsSpan(i * r, r);
        var dot = Dot(p, previous);
        var inv = 1f / dot;
        var shift = (float)(rowLog[i] - Math.Log(dot));
        var z = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<float>.Count;
            for (; z <= r - w; z += w)
            {
                (new Vector<float>(p.Slice(z, w)) * new Vector<float>(v.AsSpan(z, w)) * inv).CopyTo(p.Slice(z, w));
                (new Vector<float>(l.Slice(z, w)) + (new Vector<float>(shift) + new Vector<float>(columnLog.AsSpan(z, w)))).CopyTo(l.Slice(z, w));
            }
        }

        for (; z < r; z++)
        {
            p[z] = p[z] * v[z] * inv;
            l[z] += shift + columnLog[z];
        }
    }

    // Contract for four consecutive rows (p: their 4·r plan entries, f: their 4·k factor entries): acc[kk·r + z] =
    // (((acc + f0[kk]·p0[z]) + f1[kk]·p1[z]) + f2[kk]·p2[z]) + f3[kk]·p3[z], each sum rounded as in four Contract calls (the
    // same bits), each acc entry loaded and stored once per four rows (stop 29: the k = 32 Nyström contraction was bound
    // by the loads and stores of acc).
    internal static void ContractFour(ReadOnlySpan<float> p, ReadOnlySpan<double> f, int r, int k, Span<double> acc)
    {
        var z = 0;
        var f0 = f[..k];
        var f1 = f.Slice(k, k);
        var f2 = f.Slice(2 * k, k);
        var f3 = f.Slice(3 * k, k);
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<float>.Count;
            var h = Vector<double>.Count;
            ref var a0 = ref MemoryMarshal.GetReference(acc[..(k * r)]);
            for (; z <= r - w; z += w)
            {
                Vector.Widen(new Vector<float>(p.Slice(z, w)), out var lo0, out var hi0);
                Vector.Widen(new Vector<float>(p.Slice(r + z, w)), out var lo1, out var hi1);
                Vector.Widen(new Vector<float>(p.Slice((2 * r) + z, w)), out var lo2, out var hi2);
                Vector.Widen(new Vector<float>(p.Slice((3 * r) + z, w)), out var lo3, out var hi3);
                for (var kk = 0; kk < k; kk++)
                {
                    var g0 = f0[kk];
                    var g1 = f1[kk];
                    var g2 = f2[kk];
                    var g3 = f3[kk];
                    var o = (nuint)((kk * r) + z);
                    (Vector.LoadUnsafe(ref a0, o) + (lo0 * g0) + (lo1 * g1) + (lo2 * g2) + (lo3 * g3)).StoreUnsafe(ref a0, o);
                    var oh = o + (nuint)h;
                    (Vector.LoadUnsafe(ref a0, oh) + (hi0 * g0) + (hi1 * g1) + (hi2 * g2) + (hi3 * g3)).StoreUnsafe(ref a0, oh);
                }
            }
        }

        for (; z < r; z++)
        {
            double q0 = p[z];
            double q1 = p[r + z];
            double q2 = p[(2 * r) + z];
            double q3 = p[(3 * r) + z];
            for (var kk = 0; kk < k; kk++)
            {
                acc[(kk * r) + z] = acc[(kk * r) + z] + (q0 * f0[kk]) + (q1 * f1[kk]) + (q2 * f2[kk]) + (q3 * f3[kk]);
            }
        }
    }

    // Contract for two rows: acc[kk·r + z] = (acc + f0[kk]·p0[z]) + f1[kk]·p1[z], each sum rounded as in two Contract calls
    // (the same bits), each acc entry loaded and stored once.
    internal static void ContractTwo(ReadOnlySpan<float> p0, ReadOnlySpan<double> f0, ReadOnlySpan<float> p1, ReadOnlySpan<double> f1, int r, Span<double> acc)
    {
        var k = f0.Length;
        var z = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<float>.Count;
            var h = Vector<double>.Count;
            for (; z <= r - w; z += w)
            {
                Vector.Widen(new Vector<float>(p0.Slice(z, w)), out var lo0, out var hi0);
                Vector.Widen(new Vector<float>(p1.Slice(z, w)), out var lo1, out var hi1);
                for (var kk = 0; kk < k; kk++)
                {
                    var a = acc.Slice((kk * r) + z, w);
                    (new Vector<double>(a) + (lo0 * f0[kk]) + (lo1 * f1[kk])).CopyTo(a);
                    (new Vector<double>(a[h..]) + (hi0 * f0[kk]) + (hi1 * f1[kk])).CopyTo(a[h..]);
                }
            }
        }

        for (; z < r; z++)
        {
            double q0 = p0[z];
            double q1 = p1[z];
            for (var kk = 0; kk < k; kk++)
            {
                acc[(kk * r) + z] = acc[(kk * r) + z] + (q0 * f0[kk]) + (q1 * f1[kk]);
            }
        }
    }

    // acc[kk·r + z] += f[kk]·p[z] for every kk < k, z < r (p widened to double; product and sum in double, unfused, the
    // same bits at every SIMD width): one row's share of the contraction F_Oᵀ P.
    private static void Contract(ReadOnlySpan<float> p, ReadOnlySpan<double> f, int r, Span<double> acc)
    {
        var k = f.Length;
        var z = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<float>.Count;
            var h = Vector<double>.Count;
            for (; z <= r - w; z += w)
            {
                Vector.Widen(new Vector<float>(p.Slice(z, w)), out var lo, out var hi);
                for (var kk = 0; kk < k; kk++)
                {
                    var a = acc.Slice((kk * r) + z, w);
                    (new Vector<double>(a) + (lo * f[kk])).CopyTo(a);
                    (new Vector<double>(a[h..]) + (hi * f[kk])).CopyTo(a[h..]);
                }
            }
        }

        for (; z < r; z++)
        {
            double pz = p[z];
            for (var kk = 0; kk < k; kk++)
            {
                acc[(kk * r) + z] += pz * f[kk];
            }
        }
    }

    internal static void AddWidened(ReadOnlySpan<float> p, Span<double> acc) => AddScaledWidened(p, 1.0, acc);

    /// <summary>One column update of a sweep: previous ← v, then v_z ← v_z · target / sums_z (0 where a sum is not positive
    /// and finite); returns the L1 column error Σ |sums_z − target| before the update. Shared by the whole-block projection and
    /// the sharded one.</summary>
    internal static double UpdateColumnScalings(ReadOnlySpan<double> sums, double target, float[] v, float[] previous)
    {
        var error = 0.0;
        Array.Copy(v, previous, v.Length);
        for (var z = 0; z < v.Length; z++)
        {
            error += Math.Abs(sums[z] - target);
            var u = sums[z] > 0 && double.IsFinite(sums[z]) ? target / sums[z] : 0.0;
            v[z] = (float)(v[z] * u);
        }

        return error;
    }

    /// <summary>The start of a projection's column scalings: 1, or with <paramref name="warm"/> holding the previous
    /// projection's final scalings of the same side, those (whose sums the caller then computes with one sweep; returns
    /// true). The logits already absorbed that projection's scalings, so this re-applies its correction: the step moves
    /// the columns in about the same direction every time, and the projection starts near its solution (a start only:
    /// the converged projection does not depend on it).</summary>
    internal static bool StartColumnScalings(float[] v, float[]? warm)
    {
        if (warm is null || !(warm[0] > 0))
        {
            Array.Fill(v, 1f);
            return false;
        }

        for (var z = 0; z < v.Length; z++)
        {
            v[z] = warm[z] > 0 ? warm[z] : 1f;
        }

        return true;
    }

    /// <summary>Keeps a projection's final column scalings for the next projection of the same side (scaled to mean 1; a
    /// common factor does not change the plan). Nothing without <paramref name="warm"/>.</summary>
    internal static void KeepColumnScalings(float[] v, float[]? warm)
    {
        if (warm is null)
        {
            return;
        }

        var total = 0.0;
        for (var z = 0; z < v.Length; z++)
        {
            total += v[z];
        }

        for (var z = 0; z < v.Length; z++)
        {
            warm[z] = total > 0 && double.IsFinite(total) ? (float)(v[z] * v.Length / total) : 0f;
        }
    }

    // Σ_z a_z b_z over one row (float, vectorised; the same order for a given SIMD width).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var z = 0;
        var s = 0f;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var w = Vector<float>.Count;
            var acc = Vector<float>.Zero;
            for (; z <= a.Length - w; z += w)
            {
                acc += new Vector<float>(a.Slice(z, w)) * new Vector<float>(b.Slice(z, w));
            }

            s = Vector.Sum(acc);
        }

        for (; z < a.Length; z++)
        {
            s += a[z] * b[z];
        }

        return s;
    }

    /// <summary>The KL projection of exp(log) onto {row masses 1, column masses n/r} (Π(1/n, 1/r) times n): on exit val
    /// holds P and log holds log P (up to float rounding). Column sums go through fixed chunks in order.</summary>
    /// <remarks>With <paramref name="stepFactor"/> the logits are first moved by the mirror step, log ← log − step·F_S M
    /// (in the same pass as the row softmax); with <paramref name="contractFactor"/> the contraction F_Oᵀ P is taken in
    /// the last pass into <paramref name="contraction"/>. The sweeps do not rewrite the plan: the row-normalised kernel K
    /// (the softmax) stays in <paramref name="val"/> and only the column scalings v change, each sweep reading K once for
    /// the column sums of diag(1/Kv) K diag(v); the last pass writes P = diag(1/K v_prev) K diag(v). With
    /// <paramref name="gradientRows"/> the step's gradient rows F_S M are read there (kept by the row-range pass) instead of
    /// computed.</remarks>
    internal static void Project(
        CoClusteringWorkspace ws, float[] log, float[] val, int n, int r, int maxSweeps, double tolerance, ParallelOptions? inner,
        double[]? stepFactor, int stepK, double step, double[]? contractFactor, int k, double[]? contraction, double[]? stepM = null, float[]? warm = null, double[]? gradientRows = null)
    {
        ws.EnsureCompactProjection(n, r);
        var chunks = CoClustering.Chunks(n);
        var rowLog = ws.RowDual;
        var partial = ws.Partial;
        var colLog = ws.ColumnDual;
        colLog.AsSpan(0, r).Clear();
        var sums = new double[r];
        var target = (double)n / r;

        // The mirror step (if any) and the exact row update in the log domain: K_i = softmax(log_i); rowLog_i = −logsumexp(log_i).
        var t0 = HiRefProfile.Start();
        CoClustering.For(chunks, inner, c =>
        {
            var acc = partial.AsSpan(c * r, r);
            acc.Clear();
            Span<double> g = r <= 256 ? stackalloc double[r] : new double[r];
            var (start, end) = CoClustering.Range(c, n);
            StepAndSoftmaxRows(log, val, rowLog, start, end, r, stepFactor, stepK, stepM, step, g, acc, gradientRows);
        });
        HiRefProfile.Stop(HiRefProfile.Phase.StepAndSoftmax, t0);

        // v: the column scalings so far (the plan is diag(1/K v) K diag(v)).
        var v = new float[r];
        var previous = new float[r];
        if (StartColumnScalings(v, warm))
        {
            // The sums of the warm start's plan: one sweep before the first column update.
            CoClustering.For(chunks, inner, c =>
            {
                var acc = partial.AsSpan(c * r, r);
                acc.Clear();
                var (start, end) = CoClustering.Range(c, n);
                SweepRows(val, v, start, end, r, acc);
            });
        }

        for (var sweep = 0; ; sweep++)
        {
            t0 = HiRefProfile.Start();
            Array.Clear(sums);
            for (var c = 0; c < chunks; c++)
            {
                var acc = partial.AsSpan(c * r, r);
                for (var z = 0; z < r; z++)
                {
                    sums[z] += acc[z];
                }
            }

            var error = UpdateColumnScalings(sums, target, v, previous);
            var last = error / n < tolerance || sweep + 1 >= maxSweeps;
            if (last)
            {
                KeepColumnScalings(v, warm);

                // The final column update: P_i = K_i ⊙ v / (K_i · v_prev) (column masses exact) and log ← log P, with the
                // contraction F_Oᵀ P of the new plan accumulated per chunk (in double) in the same pass.
                var columnLog = ColumnLogs(v, r);
                CoClustering.For(chunks, inner, c =>
                {
                    var acc = contractFactor is null ? default : partial.AsSpan(c * k * r, k * r);
                    acc.Clear();
                    var (start, end) = CoClustering.Range(c, n);
                    FinalRows(log, val, rowLog, start, end, r, v, previous, columnLog, contractFactor, k, acc);
                });
                if (contractFactor is not null)
                {
                    var mOut = contraction.AsSpan(0, k * r);
                    mOut.Clear();
                    for (var c = 0; c < chunks; c++)
                    {
                        TensorPrimitives.Add(mOut, partial.AsSpan(c * k * r, k * r), mOut);
                    }
                }

                HiRefProfile.Stop(HiRefProfile.Phase.FinalAndContract, t0);
                HiRefProfile.Sweeps(sweep + 1);
                return;
            }

            // The column sums of diag(1/K v) K diag(v): one read of K per sweep, nothing written.
            CoClustering.For(chunks, inner, c =>
            {
                var acc = partial.AsSpan(c * r, r);
                acc.Clear();
                var (start, end) = CoClustering.Range(c, n);
                SweepRows(val, v, start, end, r, acc);
            });
            HiRefProfile.Stop(HiRefProfile.Phase.Sweeps, t0);
        }
    }
}
