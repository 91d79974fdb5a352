using System.Numerics.Tensors;
using Monge.Numerics;

namespace Monge.Solvers.LowRank;

/// <summary>
/// The inner step of FRLC and of the FRLC initialisation: a KL projection of a small positive matrix onto a (relaxed)
/// transport polytope, i.e. entropic OT on an n×r or r×r "gradient cost" G with ε = 1/γ. Solves
/// <c>min ⟨G,P⟩ − ε H(P) + τ₁ KL(P1|a) + τ₂ KL(Pᵀ1|b)</c> (τ = ∞ for a hard marginal) with Sinkhorn updates in the
/// order f then g, as in Halmos et al. (NeurIPS 2024), reference util.logSinkhorn, and Chizat et al. (2018) for the
/// κ = τ/(τ+ε) damping.
/// </summary>
/// <remarks>
/// <para>Numerics: the log-kernel <c>L = −G/ε</c> is given in the log domain. The first row update is done exactly in the
/// log domain (one exp per entry), which yields a row-stabilised kernel K; the remaining iterations are scaling
/// iterations <c>u ← (a/Kv)^κ₁, v ← (b/Kᵀu)^κ₂</c> (two multiply–adds per entry, no exp), with the scalings absorbed
/// back into the log duals whenever they leave [e⁻⁶⁰, e⁶⁰]. The output log P = L + f/ε + g/ε is exact in the log
/// domain, so an entry that underflows in P still has a finite log (FRLC feeds log P back as the next kernel).</para>
/// <para>Because the f update does not depend on the previous f, only the column dual g acts as a warm start.
/// Time: O(rows·cols) per iteration plus rows·cols exps per call; memory: the caller's two rows×cols buffers plus
/// O(rows + cols).</para>
/// </remarks>
internal static class EntropicProjection
{
    private const double AbsorbBound = 60.0;
    private const int ParallelThreshold = 1 << 15;

    /// <summary>Options of one projection.</summary>
    /// <param name="KappaRow">τ = ρ₁/(ρ₁+ε) of the row marginal at this projection's ε (<c>Relaxation.TauA(ε)</c>); 1 for a hard one.</param>
    /// <param name="KappaCol">τ = ρ₂/(ρ₂+ε) of the column marginal; 1 for a hard (fixed) one.</param>
    /// <param name="MaxIterations">Maximum (f, g) iterations (at least 1).</param>
    /// <param name="Threshold">Stop when the largest change of g/ε between two iterations is below this.</param>
    /// <param name="Recentre">For two hard marginals: shift the returned duals so that mean(f) = 0 (P is unchanged).</param>
    /// <param name="MarginalTolerance">
    /// Stop after a column update once the next row update would move the row marginal by less than this in L1
    /// (masses normalised to one): ‖u′ ⊙ Kv − u ⊙ Kv‖₁. For a hard row marginal this is the row marginal error
    /// ‖P1 − a‖₁ of the current plan; for a soft one the distance to the row fixed point. 0 disables the test.
    /// </param>
    /// <param name="RelativeTolerance">
    /// Also stop once that change is below this fraction of its value after the first sweep (the marginal violation
    /// the mirror step left, i.e. the size of the step); 0 disables the test.
    /// </param>
    /// <param name="AndersonMemory">
    /// When positive, Anderson acceleration (type II, this memory) of the column log dual, the fixed-point variable of
    /// one Sinkhorn sweep (cols entries); reset whenever the row marginal error grows. The column marginal is then not
    /// refitted exactly at the last iteration (the row-marginal test still measures the returned plan). 0: plain sweeps.
    /// </param>
    /// <param name="ReductionChunkRows">
    /// When positive, column sums are reduced over fixed chunks of this many rows, added in chunk order, so the result is
    /// bit-identical however the chunks are scheduled (what distributed Hierarchical Refinement needs). 0: chunks by
    /// processor count (the FRLC default).
    /// </param>
    internal readonly record struct Settings(double KappaRow, double KappaCol, int MaxIterations, double Threshold, bool Recentre = true, double MarginalTolerance = 0, double RelativeTolerance = 0, int AndersonMemory = 0, int ReductionChunkRows = 0);

    /// <summary>
    /// Runs the projection. <paramref name="logKernel"/> holds L = −G/ε on entry and log P on exit;
    /// <paramref name="plan"/> receives P. <paramref name="f"/> receives the row dual and <paramref name="g"/> holds the
    /// warm-start column dual on entry (zeros for a cold start) and the final one on exit, both in cost units.
    /// The marginals are normalised to mass one inside (as the reference does).
    /// </summary>
    /// <returns>The number of iterations run.</returns>
    internal static int Run(
        double[] logKernel,
        double[] plan,
        int rows,
        int cols,
        ReadOnlySpan<double> a,
        ReadOnlySpan<double> b,
        double epsilon,
        Settings settings,
        double[] f,
        double[] g)
    {
        var logA = NormalizedLog(a);
        var logB = NormalizedLog(b);
        var k1 = settings.KappaRow;
        var k2 = settings.KappaCol;

        // Absorbed log duals F0 = f0/ε, G0 = g0/ε; K_ij = exp(L_ij + F0_i + G0_j).
        var rowDual = new double[rows];
        var colDual = new double[cols];
        for (var j = 0; j < cols; j++)
        {
            colDual[j] = double.IsFinite(g[j]) ? g[j] / epsilon : 0.0;
        }

        // Exact first row update in the log domain; K is then the current plan with v = 1.
        BuildKernel(logKernel, plan, rows, cols, colDual, rowDual, logA, k1, firstRowUpdate: true);

        var u = new double[rows];
        var uNext = new double[rows];
        var v = new double[cols];
        Array.Fill(u, 1.0);
        Array.Fill(v, 1.0);
        var kv = new double[rows];
        var ktu = new double[cols];
        var iterations = 0;
        var firstRowChange = 0.0;
        var bestRowChange = double.PositiveInfinity;
        var anderson = settings.AndersonMemory > 0 ? new AndersonAccelerator<double>(cols, settings.AndersonMemory) : null;
        var logColumn = settings.AndersonMemory > 0 ? new double[cols] : [];
        var plainColumn = settings.AndersonMemory > 0 ? new double[cols] : [];
        var maxIterations = Math.Max(1, settings.MaxIterations);
        for (var it = 0; it < maxIterations; it++)
        {
            iterations = it + 1;

            // Column update: log v_j = κ₂(log b_j − log (Kᵀu)_j) − (1−κ₂) G0_j.
            ColumnSums(plan, rows, cols, u, ktu, settings.ReductionChunkRows);
            var change = 0.0;
            var absorb = false;
            for (var j = 0; j < cols; j++)
            {
                double vNew;
                if (double.IsNegativeInfinity(logB[j]) || !(ktu[j] > 0))
                {
                    vNew = 0.0;
                }
                else if (k2 == 1.0)
                {
                    vNew = Math.Exp(logB[j] - Math.Log(ktu[j]));
                }
                else
                {
                    vNew = Math.Exp((k2 * (logB[j] - Math.Log(ktu[j]))) - ((1 - k2) * colDual[j]));
                }

                if (v[j] > 0 && vNew > 0)
                {
                    change = Math.Max(change, Math.Abs(Math.Log(vNew / v[j])));
                }
                else if (v[j] > 0 != vNew > 0)
                {
                    change = double.PositiveInfinity;
                }

                v[j] = vNew;
                if (vNew > 0 && Math.Abs(Math.Log(vNew)) > AbsorbBound)
                {
                    absorb = true;
                }
            }

            if (it > 0 && change < settings.Threshold)
            {
                break;
            }

            if (it == maxIterations - 1)
            {
                break;
            }

            if (anderson is not null)
            {
                Accelerate(ref anderson, settings.AndersonMemory, v, colDual, logColumn, plainColumn, ref absorb);
            }

            // Row update: log u_i = κ₁(log a_i − log (Kv)_i) − (1−κ₁) F0_i. The L1 change of the row marginal it makes,
            // Σ_i |u′_i − u_i| (Kv)_i, is the stopping test (the columns are exact at this point).
            // Each row's update and its term of the change are computed in parallel (kv_i is overwritten by the term);
            // the terms are then added in row order, so the sum does not depend on the schedule.
            RowUpdate(plan, rows, cols, v, kv, logA, rowDual, k1, u, uNext);
            var rowChange = 0.0;
            for (var i = 0; i < rows; i++)
            {
                rowChange += kv[i];
            }

            if (it == 0)
            {
                firstRowChange = rowChange;
            }

            // Anderson safeguard: an extrapolation that made the row error grow restarts the history.
            if (anderson is not null && rowChange > 2 * bestRowChange)
            {
                anderson = new AndersonAccelerator<double>(cols, settings.AndersonMemory);
            }

            bestRowChange = Math.Min(bestRowChange, rowChange);

            var tolerance = Math.Max(settings.MarginalTolerance, settings.RelativeTolerance * firstRowChange);
            if (tolerance > 0 && rowChange <= tolerance)
            {
                break;
            }

            (u, uNext) = (uNext, u);
            for (var i = 0; i < rows; i++)
            {
                if (u[i] > 0 && Math.Abs(Math.Log(u[i])) > AbsorbBound)
                {
                    absorb = true;
                    break;
                }
            }

            if (absorb)
            {
                Absorb(u, rowDual);
                Absorb(v, colDual);
                BuildKernel(logKernel, plan, rows, cols, colDual, rowDual, logA, k1, firstRowUpdate: false);
                Array.Fill(u, 1.0);
                Array.Fill(v, 1.0);
            }
        }

        // Final duals F = F0 + log u, G = G0 + log v (a zero scaling means an empty row or column: −∞).
        for (var i = 0; i < rows; i++)
        {
            rowDual[i] = u[i] > 0 ? rowDual[i] + Math.Log(u[i]) : double.NegativeInfinity;
        }

        for (var j = 0; j < cols; j++)
        {
            colDual[j] = v[j] > 0 ? colDual[j] + Math.Log(v[j]) : double.NegativeInfinity;
        }

        if (settings.Recentre && k1 == 1.0 && k2 == 1.0)
        {
            Recentre(rowDual, colDual);
        }

        WriteOutput(logKernel, plan, rows, cols, rowDual, colDual);
        for (var i = 0; i < rows; i++)
        {
            f[i] = epsilon * rowDual[i];
        }

        for (var j = 0; j < cols; j++)
        {
            g[j] = double.IsFinite(colDual[j]) ? epsilon * colDual[j] : 0.0;
        }

        return iterations;
    }

    /// <summary>
    /// Replaces the column scaling v by the Anderson extrapolation of the total column log dual G0 + log v (skipped
    /// while a column is empty, whose log dual is −∞). An extrapolation that moves a log dual by more than
    /// <see cref="AbsorbBound"/> from the plain Sinkhorn update, or is not finite, is rejected: v keeps the plain
    /// update and the history restarts. (An unchecked one can put log v far beyond ±709 on an ill-conditioned history,
    /// where exp gives v = 0 or ∞: the absorbed duals become ∓∞ and every row of the plan is zeroed, which in FRLC
    /// collapses Q, then g_Q and the latent coupling, to zero.)
    /// </summary>
    private static void Accelerate(ref AndersonAccelerator<double> anderson, int memory, double[] v, double[] colDual, double[] logColumn, double[] plainColumn, ref bool absorb)
    {
        for (var j = 0; j < v.Length; j++)
        {
            if (!(v[j] > 0) || !double.IsFinite(colDual[j]))
            {
                anderson = new AndersonAccelerator<double>(v.Length, memory);
                return;
            }

            logColumn[j] = colDual[j] + Math.Log(v[j]);
        }

        logColumn.CopyTo(plainColumn, 0);
        anderson.Step(logColumn);
        for (var j = 0; j < v.Length; j++)
        {
            var logV = logColumn[j] - colDual[j];
            if (!double.IsFinite(logV) || !(Math.Abs(logColumn[j] - plainColumn[j]) <= AbsorbBound))
            {
                anderson = new AndersonAccelerator<double>(v.Length, memory);
                return;
            }
        }

        for (var j = 0; j < v.Length; j++)
        {
            var logV = logColumn[j] - colDual[j];
            v[j] = Math.Exp(logV);
            if (Math.Abs(logV) > AbsorbBound)
            {
                absorb = true;
            }
        }
    }

    internal readonly record struct CoupledSettings(double Tolerance, int MaxIterations, double MinEntryValue);

    /// <summary>How a mirror step γ is normalised by the gradients (<see cref="StepSize"/>).</summary>
    internal enum StepNormalization
    {
        /// <summary>γ / max |∇| over both gradients (FRLC; the reference's choice).</summary>
        SupNorm,

        /// <summary>γ / max over rows of (max_z ∇_iz − min_z ∇_iz), both gradients: independent of row-constant terms of
        /// the cost, which the row projection absorbs (HiRef's co-clustering).</summary>
        RowRange,
    }

    /// <summary>
    /// The step γ_k of one Jacobi mirror step (both factors updated from the same iterate with one step): γ divided by
    /// the chosen norm of the two gradients (row-major, <paramref name="colsQ"/> and <paramref name="colsR"/> wide);
    /// γ itself when that norm is zero or not finite. The projection then runs at ε = 1/γ_k.
    /// </summary>
    internal static double StepSize(double gamma, StepNormalization normalization, ReadOnlySpan<double> gradQ, int colsQ, ReadOnlySpan<double> gradR, int colsR)
    {
        var norm = normalization == StepNormalization.RowRange
            ? Math.Max(RowRange(gradQ, colsQ), RowRange(gradR, colsR))
            : Math.Max(TensorPrimitives.MaxMagnitude(gradQ), TensorPrimitives.MaxMagnitude(gradR));
        return norm > 0 && double.IsFinite(norm) ? gamma / norm : gamma;
    }

    /// <summary>Largest row range max_z x_iz − min_z x_iz of a row-major block.</summary>
    private static double RowRange(ReadOnlySpan<double> x, int cols)
    {
        var range = 0.0;
        for (var start = 0; start + cols <= x.Length; start += cols)
        {
            var row = x.Slice(start, cols);
            range = Math.Max(range, TensorPrimitives.Max(row) - TensorPrimitives.Min(row));
        }

        return range;
    }

    /// <summary>
    /// The kernel of a mirror step in scaling form, K = X ⊙ exp(−γ∇) with each row divided by its largest entry (the
    /// row scalings of the projection absorb the shift; nothing overflows). A row whose logs are not finite is zero.
    /// </summary>
    internal static void MirrorKernel(double[] x, double[] grad, double gamma, int rows, int r, double[] kernel)
    {
        DenseLinearAlgebra.ForRows(rows, r, (start, end) =>
        {
            var tmp = new double[r];
            for (var i = start; i < end; i++)
            {
                var xr = x.AsSpan(i * r, r);
                var kr = kernel.AsSpan(i * r, r);
                TensorPrimitives.Log(xr, tmp);
                TensorPrimitives.MultiplyAdd(grad.AsSpan(i * r, r), -gamma, tmp, tmp);
                var max = TensorPrimitives.Max<double>(tmp);
                if (!double.IsFinite(max))
                {
                    kr.Clear();
                    continue;
                }

                TensorPrimitives.Subtract(tmp, max, kr);
                TensorPrimitives.Exp(kr, kr);
            }
        });
    }

    /// <summary>
    /// The coupled projection of low-rank Sinkhorn: Dykstra's algorithm in scaling form (OTT dykstra_update_kernel;
    /// Scetbon et al. 2021, Algorithm 2) onto {Q1 = a, R1 = b, Qᵀ1 = Rᵀ1 = g, g ≥ min entry} for the kernels
    /// K_Q (n × r), K_R (m × r) and K_g (r) of one mirror step (<see cref="MirrorKernel"/>). The two sides share the
    /// inner marginal g, which is learned (the geometric mean of the three proposals).
    /// </summary>
    /// <returns>The projected Q, R and g.</returns>
    internal static (double[] Q, double[] R, double[] G) Coupled(double[] kq, double[] kr, double[] kg, double[] a, double[] b, CoupledSettings settings)
    {
        var n = a.Length;
        var m = b.Length;
        var r = kg.Length;
        var gOld = (double[])kg.Clone();
        var v1Old = Ones(r);
        var v2Old = Ones(r);
        var u1 = Ones(n);
        var u2 = Ones(m);
        var qGi = Ones(r);
        var qGp = Ones(r);
        var qQ = Ones(r);
        var qR = Ones(r);
        var kv1 = new double[n];
        var kv2 = new double[m];
        var v1Trans = new double[r];
        var v2Trans = new double[r];
        for (var it = 0; it < settings.MaxIterations; it++)
        {
            RowProducts(kq, n, r, v1Old, kv1);
            RowProducts(kr, m, r, v2Old, kv2);
            for (var i = 0; i < n; i++)
            {
                u1[i] = a[i] / kv1[i];
            }

            for (var j = 0; j < m; j++)
            {
                u2[j] = b[j] / kv2[j];
            }

            for (var k = 0; k < r; k++)
            {
                var gk = Math.Max(settings.MinEntryValue, gOld[k] * qGi[k]);
                qGi[k] = gOld[k] * qGi[k] / gk;
                gOld[k] = gk;
            }

            DenseLinearAlgebra.MultiplyTransposed(u1, null, n, 1, kq, r, v1Trans);
            DenseLinearAlgebra.MultiplyTransposed(u2, null, m, 1, kr, r, v2Trans);
            var converged = false;
            for (var k = 0; k < r; k++)
            {
                var gk = Math.Cbrt(gOld[k] * qGp[k] * v1Old[k] * qQ[k] * v1Trans[k] * v2Old[k] * qR[k] * v2Trans[k]);
                var v1 = gk / v1Trans[k];
                var v2 = gk / v2Trans[k];
                qGp[k] = gOld[k] * qGp[k] / gk;
                qQ[k] = qQ[k] * v1Old[k] / v1;
                qR[k] = qR[k] * v2Old[k] / v2;
                v1Old[k] = v1;
                v2Old[k] = v2;
                gOld[k] = gk;
            }

            if ((it + 1) % 10 == 0 || it == settings.MaxIterations - 1)
            {
                // ‖Q1 − a‖₁ + ‖R1 − b‖₁ + ‖Qᵀ1 − Rᵀ1‖₁ with Q = diag(u1) K_q diag(v1).
                RowProducts(kq, n, r, v1Old, kv1);
                RowProducts(kr, m, r, v2Old, kv2);
                var err = 0.0;
                for (var i = 0; i < n; i++)
                {
                    err += Math.Abs((u1[i] * kv1[i]) - a[i]);
                }

                for (var j = 0; j < m; j++)
                {
                    err += Math.Abs((u2[j] * kv2[j]) - b[j]);
                }

                for (var k = 0; k < r; k++)
                {
                    err += Math.Abs((v1Old[k] * v1Trans[k]) - (v2Old[k] * v2Trans[k]));
                }

                converged = err < settings.Tolerance;
            }

            if (converged)
            {
                break;
            }
        }

        var qNew = new double[kq.Length];
        var rNew = new double[kr.Length];
        ScaleRowsAndColumns(kq, u1, v1Old, n, r, qNew);
        ScaleRowsAndColumns(kr, u2, v2Old, m, r, rNew);
        return (qNew, rNew, gOld);
    }

    /// <summary>log(a/Σa); zero weights give −∞.</summary>
    internal static double[] NormalizedLog(ReadOnlySpan<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        var logTotal = Math.Log(total);
        var result = new double[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            result[i] = weights[i] > 0 ? Math.Log(weights[i]) - logTotal : double.NegativeInfinity;
        }

        return result;
    }

    private static void Recentre(double[] rowDual, double[] colDual)
    {
        var sum = 0.0;
        var count = 0;
        foreach (var x in rowDual)
        {
            if (double.IsFinite(x))
            {
                sum += x;
                count++;
            }
        }

        if (count == 0)
        {
            return;
        }

        var alpha = sum / count;
        for (var i = 0; i < rowDual.Length; i++)
        {
            rowDual[i] -= alpha;
        }

        for (var j = 0; j < colDual.Length; j++)
        {
            colDual[j] += alpha;
        }
    }

    private static void Absorb(double[] scaling, double[] logDual)
    {
        for (var i = 0; i < scaling.Length; i++)
        {
            if (scaling[i] > 0)
            {
                logDual[i] += Math.Log(scaling[i]);
            }
            else
            {
                logDual[i] = double.NegativeInfinity;
            }
        }
    }

    // K_ij = exp(L_ij + F0_i + G0_j). With firstRowUpdate, F0 is first set by the exact (relaxed) row update
    // F0_i = κ₁(log a_i − LSE_j(L_ij + G0_j)).
    private static void BuildKernel(double[] logKernel, double[] kernel, int rows, int cols, double[] colDual, double[] rowDual, double[] logA, double k1, bool firstRowUpdate)
    {
        void Body(int start, int end)
        {
            var tmp = new double[cols];
            for (var i = start; i < end; i++)
            {
                var lk = logKernel.AsSpan(i * cols, cols);
                var krow = kernel.AsSpan(i * cols, cols);
                TensorPrimitives.Add(lk, colDual, tmp);
                if (firstRowUpdate)
                {
                    var max = TensorPrimitives.Max<double>(tmp);
                    if (double.IsNegativeInfinity(logA[i]) || !double.IsFinite(max))
                    {
                        rowDual[i] = double.NegativeInfinity;
                        krow.Clear();
                        continue;
                    }

                    TensorPrimitives.Subtract(tmp, max, krow);
                    TensorPrimitives.Exp(krow, krow);
                    var lse = max + Math.Log(TensorPrimitives.Sum<double>(krow));
                    rowDual[i] = k1 * (logA[i] - lse);
                    TensorPrimitives.Multiply(krow, Math.Exp(rowDual[i] + max), krow);
                }
                else
                {
                    if (!double.IsFinite(rowDual[i]))
                    {
                        krow.Clear();
                        continue;
                    }

                    TensorPrimitives.Add(tmp, rowDual[i], krow);
                    TensorPrimitives.Exp(krow, krow);
                }
            }
        }

        DenseLinearAlgebra.ForRows(rows, cols, Body);
    }

    private static void WriteOutput(double[] logKernel, double[] plan, int rows, int cols, double[] rowDual, double[] colDual)
    {
        void Body(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var lk = logKernel.AsSpan(i * cols, cols);
                TensorPrimitives.Add(lk, colDual, lk);
                TensorPrimitives.Add(lk, rowDual[i], lk);
                var prow = plan.AsSpan(i * cols, cols);
                TensorPrimitives.Exp(lk, prow);
            }
        }

        DenseLinearAlgebra.ForRows(rows, cols, Body);
    }

    /// <summary>
    /// The row update u′_i = exp(κ₁(log a_i − log (Kv)_i) − (1−κ₁) F0_i) (0 for an empty row), into
    /// <paramref name="uNext"/>; <paramref name="delta"/>_i receives |u′_i − u_i|·(Kv)_i. Parallel over rows.
    /// </summary>
    private static void RowUpdate(double[] kernel, int rows, int cols, double[] v, double[] delta, double[] logA, double[] rowDual, double k1, double[] u, double[] uNext)
    {
        void Body(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var kv = TensorPrimitives.Dot(kernel.AsSpan(i * cols, cols), v);
                double uNew;
                if (double.IsNegativeInfinity(logA[i]) || !(kv > 0))
                {
                    uNew = 0.0;
                }
                else if (k1 == 1.0)
                {
                    uNew = Math.Exp(logA[i] - Math.Log(kv));
                }
                else
                {
                    uNew = Math.Exp((k1 * (logA[i] - Math.Log(kv))) - ((1 - k1) * rowDual[i]));
                }

                delta[i] = Math.Abs(uNew - u[i]) * kv;
                uNext[i] = uNew;
            }
        }

        DenseLinearAlgebra.ForRows(rows, cols, Body);
    }

    /// <summary>kv = K v (row-major rows×cols).</summary>
    private static void RowProducts(double[] kernel, int rows, int cols, double[] v, double[] kv)
    {
        void Body(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                kv[i] = TensorPrimitives.Dot(kernel.AsSpan(i * cols, cols), v);
            }
        }

        DenseLinearAlgebra.ForRows(rows, cols, Body);
    }

    /// <summary>ktu = Kᵀ u (row-major rows×cols), summed per worker then reduced.</summary>
    /// <summary>ktu = Kᵀ u over fixed chunks of <paramref name="chunkRows"/> rows, added in chunk order (schedule-independent).</summary>
    private static void FixedChunkColumnSums(double[] kernel, int rows, int cols, double[] u, double[] ktu, int chunkRows)
    {
        var chunks = (rows + chunkRows - 1) / chunkRows;
        var partials = new double[(long)chunks * cols];
        void Body(int c)
        {
            var acc = partials.AsSpan(c * cols, cols);
            var end = Math.Min(rows, (c + 1) * chunkRows);
            for (var i = c * chunkRows; i < end; i++)
            {
                if (u[i] != 0)
                {
                    TensorPrimitives.MultiplyAdd(kernel.AsSpan(i * cols, cols), u[i], acc, acc);
                }
            }
        }

        if ((long)rows * cols < ParallelThreshold)
        {
            for (var c = 0; c < chunks; c++)
            {
                Body(c);
            }
        }
        else
        {
            Parallel.For(0, chunks, Body);
        }

        Array.Clear(ktu);
        for (var c = 0; c < chunks; c++)
        {
            TensorPrimitives.Add(ktu, partials.AsSpan(c * cols, cols), ktu);
        }
    }

    private static void ColumnSums(double[] kernel, int rows, int cols, double[] u, double[] ktu, int chunkRows = 0)
    {
        if (chunkRows > 0)
        {
            FixedChunkColumnSums(kernel, rows, cols, u, ktu, chunkRows);
            return;
        }

        if ((long)rows * cols < ParallelThreshold)
        {
            Array.Clear(ktu);
            for (var i = 0; i < rows; i++)
            {
                if (u[i] != 0)
                {
                    TensorPrimitives.MultiplyAdd(kernel.AsSpan(i * cols, cols), u[i], ktu, ktu);
                }
            }

            return;
        }

        var chunks = Math.Min(Environment.ProcessorCount * 2, Math.Max(1, rows / 512));
        var partials = new double[chunks * cols];
        Parallel.For(0, chunks, c =>
        {
            var start = (int)((long)rows * c / chunks);
            var end = (int)((long)rows * (c + 1) / chunks);
            var acc = partials.AsSpan(c * cols, cols);
            for (var i = start; i < end; i++)
            {
                if (u[i] != 0)
                {
                    TensorPrimitives.MultiplyAdd(kernel.AsSpan(i * cols, cols), u[i], acc, acc);
                }
            }
        });
        partials.AsSpan(0, cols).CopyTo(ktu);
        for (var c = 1; c < chunks; c++)
        {
            TensorPrimitives.Add(ktu, partials.AsSpan(c * cols, cols), ktu);
        }
    }

    private static void ScaleRowsAndColumns(double[] k, double[] u, double[] v, int rows, int r, double[] dst)
    {
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Multiply(k.AsSpan(i * r, r), v, dst.AsSpan(i * r, r));
            TensorPrimitives.Multiply(dst.AsSpan(i * r, r), u[i], dst.AsSpan(i * r, r));
        }
    }

    private static double[] Ones(int n)
    {
        var x = new double[n];
        Array.Fill(x, 1.0);
        return x;
    }
}
