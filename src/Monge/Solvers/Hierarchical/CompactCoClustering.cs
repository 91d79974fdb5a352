using System.Numerics.Tensors;
using Monge.Numerics;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The co-clustering of <see cref="CoClustering"/> with its m×r arrays stored in single precision and one plan buffer shared
/// by both sides (log Q, log R and one plan: 12·r bytes per point instead of 32·r), for the large blocks of the first levels
/// (<see cref="HierarchicalRefinement.SinglePrecisionMinBlock"/>).
/// </summary>
/// <remarks>
/// <para>Same algorithm and same start: balanced k-means++ seeding, Jacobi mirror-descent steps with one step
/// γ / (largest gradient row range), a projection onto Π after each step. Every sum is accumulated in double (gradients
/// from the double factors, contractions, row and column sums over fixed 1024-row chunks, so the result does not depend
/// on the thread count); only the stored entries are rounded to float.</para>
/// <para>The projection is HiRef's own (<see cref="Project"/>), not the shared <c>EntropicProjection</c> (double only):
/// a row softmax of the logits in the log domain, then scaling sweeps on the stored plan, ending on the column update
/// once the column error before it is below the tolerance; the plan is kept with row masses 1 (column masses m/r), which
/// keeps its entries far from float's underflow, and the logits are moved to log P by the accumulated row and column
/// scalings (no log per entry). The overall scale of Q and R does not matter: the step is normalised by the gradient's
/// row range and the split reads score differences within a row.</para>
/// <para>Memory per block of m points: 3·m·r floats, 2·m·k factor doubles and m doubles of row scalings.</para>
/// </remarks>
internal static class CompactCoClustering
{
    /// <summary>Runs the co-clustering on <c>ws.LogQ32</c>/<c>ws.LogR32</c>. Factors must be in <c>ws.FactorX</c> and
    /// <c>ws.FactorY</c>; with <paramref name="seeded"/> the logits were set by <see cref="Seed"/>.</summary>
    public static void Run(CoClusteringWorkspace ws, int n, int k, int r, in CoClusteringSettings settings, ulong seed, bool seeded, ParallelOptions? inner, CancellationToken cancellationToken)
    {
        ws.EnsureCompactClusters(n, r, k);
        var logQ = ws.LogQ32;
        var logR = ws.LogR32;

        // One plan buffer serves both sides: each projection leaves P in it, and the contraction F_Sᵀ P (k×r) that the
        // other side's gradient needs is taken at once, so the next step still uses both gradients of the same iterate
        // (Jacobi) while only the logits of Q and R are kept (3·m·r floats instead of 4).
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
        Project(ws, logQ, plan, n, r, settings.InnerIterations, settings.Tolerance, inner);
        Contract(ws, ws.FactorX, plan, contractedQ, n, k, r, inner);
        Project(ws, logR, plan, n, r, settings.InnerIterations, settings.Tolerance, inner);
        Contract(ws, ws.FactorY, plan, contractedR, n, k, r, inner);
        for (var it = 0; it < settings.Iterations; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var range = Math.Max(CoClustering.MaxRowRange(ws, ws.FactorX, contractedR, n, k, r, inner), CoClustering.MaxRowRange(ws, ws.FactorY, contractedQ, n, k, r, inner));
            if (!(range > 0) || !double.IsFinite(range))
            {
                return;
            }

            var step = settings.Gamma / range;

            // Both updates read the contractions of the same iterate; Q's new contraction goes to a spare buffer until
            // R has been updated with the old one.
            Update(ws.FactorX, contractedR, logQ, n, k, r, step, inner);
            Update(ws.FactorY, contractedQ, logR, n, k, r, step, inner);
            Project(ws, logQ, plan, n, r, settings.InnerIterations, settings.Tolerance, inner);
            Contract(ws, ws.FactorX, plan, contractedQ, n, k, r, inner);
            Project(ws, logR, plan, n, r, settings.InnerIterations, settings.Tolerance, inner);
            Contract(ws, ws.FactorY, plan, contractedR, n, k, r, inner);
        }
    }

    /// <summary>The balanced k-means++ start of <see cref="BalancedSeeding"/> written into the single-precision logits.</summary>
    public static void Seed(CoClusteringWorkspace ws, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, int r, double gamma, int lloydSteps, Random rng, ParallelOptions? inner)
    {
        var m = ix.Length;
        ws.EnsureCompactClusters(m, r, d + 2);
        var centres = new double[r * d];
        KMeans.Seed(x, m, d, r, rng, centres, rows: ix);
        var logQ = ws.LogQ32;
        var weights = new double[r];
        for (var step = 0; ; step++)
        {
            if (step >= lloydSteps)
            {
                var range = Math.Max(Distances(x, d, ix, r, centres, logQ), Distances(y, d, iy, r, centres, ws.LogR32));
                var scale = (float)(range > 0 ? -gamma / range : 0.0);
                TensorPrimitives.Multiply(logQ.AsSpan(0, m * r), scale, logQ.AsSpan(0, m * r));
                TensorPrimitives.Multiply(ws.LogR32.AsSpan(0, m * r), scale, ws.LogR32.AsSpan(0, m * r));
                return;
            }

            var stepRange = Distances(x, d, ix, r, centres, logQ);
            TensorPrimitives.Multiply(logQ.AsSpan(0, m * r), (float)(stepRange > 0 ? -gamma / stepRange : 0.0), logQ.AsSpan(0, m * r));
            Project(ws, logQ, ws.ValQ32, m, r, 20, 1e-4, inner);
            BalancedSeeding.WeightedCentres<float>(x, d, ix, ws.ValQ32, m, r, centres, weights);
        }
    }

    // logits[i, z] = ‖p_i − c_z‖² (rounded to float); returns the largest row range (of the double values).
    private static double Distances(ReadOnlySpan<double> points, int d, ReadOnlySpan<int> index, int r, double[] centres, float[] logits)
    {
        var maxRange = 0.0;
        for (var i = 0; i < index.Length; i++)
        {
            var xr = points.Slice(index[i] * d, d);
            var row = logits.AsSpan(i * r, r);
            var hi = double.NegativeInfinity;
            var lo = double.PositiveInfinity;
            for (var z = 0; z < r; z++)
            {
                var s = BlockFactors.SquaredDistance(xr, centres.AsSpan(z * d, d));
                row[z] = (float)s;
                hi = Math.Max(hi, s);
                lo = Math.Min(lo, s);
            }

            maxRange = Math.Max(maxRange, hi - lo);
        }

        return maxRange;
    }

    // M = F_Oᵀ O (k×r) with O in float, accumulated in double per chunk and summed in chunk order.
    private static void Contract(CoClusteringWorkspace ws, double[] factorO, float[] valO, double[] m, int n, int k, int r, ParallelOptions? inner)
    {
        var chunks = CoClustering.Chunks(n);
        var partial = ws.Partial;
        CoClustering.For(chunks, inner, c =>
        {
            var acc = partial.AsSpan(c * k * r, k * r);
            acc.Clear();
            Span<double> o = r <= 256 ? stackalloc double[r] : new double[r];
            var (start, end) = CoClustering.Range(c, n);
            for (var j = start; j < end; j++)
            {
                var oj = valO.AsSpan(j * r, r);
                for (var z = 0; z < r; z++)
                {
                    o[z] = oj[z];
                }

                var f = factorO.AsSpan(j * k, k);
                for (var kk = 0; kk < k; kk++)
                {
                    TensorPrimitives.MultiplyAdd(o, f[kk], acc.Slice(kk * r, r), acc.Slice(kk * r, r));
                }
            }
        });
        m.AsSpan(0, k * r).Clear();
        for (var c = 0; c < chunks; c++)
        {
            TensorPrimitives.Add(m.AsSpan(0, k * r), partial.AsSpan(c * k * r, k * r), m.AsSpan(0, k * r));
        }
    }

    // log ← log − step·∇ (∇ in double, the sum rounded once).
    private static void Update(double[] factorS, double[] m, float[] logS, int n, int k, int r, double step, ParallelOptions? inner)
    {
        CoClustering.For(CoClustering.Chunks(n), inner, c =>
        {
            Span<double> g = r <= 256 ? stackalloc double[r] : new double[r];
            var (start, end) = CoClustering.Range(c, n);
            for (var i = start; i < end; i++)
            {
                CoClustering.Gradient(factorS.AsSpan(i * k, k), m, r, g);
                var row = logS.AsSpan(i * r, r);
                for (var z = 0; z < r; z++)
                {
                    row[z] = (float)(row[z] - (step * g[z]));
                }
            }
        });
    }

    /// <summary>The KL projection of exp(log) onto {row masses 1, column masses n/r} (Π(1/n, 1/r) times n): on exit val
    /// holds P and log holds log P (up to float rounding). Column sums go through fixed chunks in order.</summary>
    internal static void Project(CoClusteringWorkspace ws, float[] log, float[] val, int n, int r, int maxSweeps, double tolerance, ParallelOptions? inner)
    {
        ws.EnsureCompactProjection(n, r);
        var chunks = CoClustering.Chunks(n);
        var rowLog = ws.RowDual;
        var partial = ws.Partial;
        var colLog = ws.ColumnDual;
        colLog.AsSpan(0, r).Clear();
        Span<double> v = r <= 256 ? stackalloc double[r] : new double[r];
        Span<double> sums = r <= 256 ? stackalloc double[r] : new double[r];
        var target = (double)n / r;

        // Exact row update in the log domain: P_i = softmax(log_i); rowLog_i = −logsumexp(log_i).
        CoClustering.For(chunks, inner, c =>
        {
            var acc = partial.AsSpan(c * r, r);
            acc.Clear();
            var (start, end) = CoClustering.Range(c, n);
            for (var i = start; i < end; i++)
            {
                var l = log.AsSpan(i * r, r);
                var p = val.AsSpan(i * r, r);
                double max = l[0];
                for (var z = 1; z < r; z++)
                {
                    max = Math.Max(max, l[z]);
                }

                var s = 0.0;
                for (var z = 0; z < r; z++)
                {
                    s += Math.Exp(l[z] - max);
                }

                var inv = 1.0 / s;
                for (var z = 0; z < r; z++)
                {
                    var e = Math.Exp(l[z] - max) * inv;
                    p[z] = (float)e;
                    acc[z] += p[z];
                }

                rowLog[i] = -(max + Math.Log(s));
            }
        });

        for (var sweep = 0; ; sweep++)
        {
            sums.Clear();
            for (var c = 0; c < chunks; c++)
            {
                var acc = partial.AsSpan(c * r, r);
                for (var z = 0; z < r; z++)
                {
                    sums[z] += acc[z];
                }
            }

            var error = 0.0;
            for (var z = 0; z < r; z++)
            {
                error += Math.Abs(sums[z] - target);
                v[z] = sums[z] > 0 && double.IsFinite(sums[z]) ? target / sums[z] : 0.0;
                if (v[z] > 0)
                {
                    colLog[z] += Math.Log(v[z]);
                }
            }

            var last = error / n < tolerance || sweep + 1 >= maxSweeps;
            var scale = v.ToArray();
            if (last)
            {
                // The final column update: P ← P diag(v) (column masses exact) and log ← log + rowLog + colLog.
                var columnLog = colLog.AsSpan(0, r).ToArray();
                CoClustering.For(chunks, inner, c =>
                {
                    var (start, end) = CoClustering.Range(c, n);
                    for (var i = start; i < end; i++)
                    {
                        var l = log.AsSpan(i * r, r);
                        var p = val.AsSpan(i * r, r);
                        var ri = rowLog[i];
                        for (var z = 0; z < r; z++)
                        {
                            p[z] = (float)(p[z] * scale[z]);
                            l[z] = (float)(l[z] + ri + columnLog[z]);
                        }
                    }
                });
                return;
            }

            // Column scaling then row normalisation, fused with the next column sums.
            CoClustering.For(chunks, inner, c =>
            {
                var acc = partial.AsSpan(c * r, r);
                acc.Clear();
                Span<double> row = r <= 256 ? stackalloc double[r] : new double[r];
                var (start, end) = CoClustering.Range(c, n);
                for (var i = start; i < end; i++)
                {
                    var p = val.AsSpan(i * r, r);
                    var s = 0.0;
                    for (var z = 0; z < r; z++)
                    {
                        row[z] = p[z] * scale[z];
                        s += row[z];
                    }

                    if (!(s > 0))
                    {
                        continue;
                    }

                    var inv = 1.0 / s;
                    for (var z = 0; z < r; z++)
                    {
                        p[z] = (float)(row[z] * inv);
                        acc[z] += p[z];
                    }

                    rowLog[i] -= Math.Log(s);
                }
            });
        }
    }
}
