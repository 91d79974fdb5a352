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
    private static readonly double AbsorbHigh = Math.Exp(AbsorbBound);
    private static readonly double AbsorbLow = Math.Exp(-AbsorbBound);
    private static readonly ParallelOptions DefaultParallel = new();

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
    /// <param name="DivisionUpdates">
    /// For a hard marginal, update its scaling as a/(Kv) (b/(Kᵀu)) with one division instead of exp(log a − log Kv):
    /// the same value up to rounding, without an exp and a log per row (what HiRef's co-clustering, with few columns,
    /// needs). false: the log form (FRLC, LR-Sinkhorn).
    /// </param>
    /// <param name="PlanByScaling">
    /// Write P as diag(u) K diag(v) (one product per entry) instead of exp(log P) (one exp per entry); log P is exact in
    /// the log domain either way. The two agree up to rounding; entries below the double range are 0 either way.
    /// </param>
    /// <param name="ColumnTolerance">
    /// Stop after a column update once the L1 column-marginal error of the plan before it, ‖Pᵀ1 − b‖₁ (masses normalised
    /// to one), is below this: the plan then has exact column marginals (for a hard one) and rows off by about that much.
    /// It comes free with the column sums, so a projection that starts nearly feasible ends after one sweep (HiRef's
    /// co-clustering, whose mirror steps are small). 0 disables the test.
    /// </param>
    internal readonly record struct Settings(double KappaRow, double KappaCol, int MaxIterations, double Threshold, bool Recentre = true, double MarginalTolerance = 0, double RelativeTolerance = 0, int AndersonMemory = 0, int ReductionChunkRows = 0, bool DivisionUpdates = false, bool PlanByScaling = false, double ColumnTolerance = 0);

    /// <summary>
    /// Runs the projection. <paramref name="logKernel"/> holds L = −G/ε on entry and log P on exit;
    /// <paramref name="plan"/> receives P. <paramref name="f"/> receives the row dual and <paramref name="g"/> holds the
    /// warm-start column dual on entry (zeros for a cold start) and the final one on exit, both in cost units.
    /// The marginals are normalised to mass one inside (as the reference does).
    /// </summary>
    /// <param name="logKernel">rows×cols, row-major: L on entry, log P on exit.</param>
    /// <param name="plan">rows×cols: receives P (its entry content is not read).</param>
    /// <param name="rows">Rows of the problem (the buffers may be longer).</param>
    /// <param name="cols">Columns of the problem.</param>
    /// <param name="a">Row marginal (rows entries).</param>
    /// <param name="b">Column marginal (cols entries).</param>
    /// <param name="epsilon">Entropic regularisation ε.</param>
    /// <param name="settings">Stopping rules and variants.</param>
    /// <param name="f">Receives the row dual (rows entries).</param>
    /// <param name="g">Warm-start column dual on entry, final one on exit (cols entries).</param>
    /// <param name="workspace">Scratch buffers, grown on first use and reused: with a reused workspace and no Anderson
    /// acceleration the call allocates nothing of size rows or rows×cols (null: a fresh one).</param>
    /// <param name="parallel">Degree of parallelism of the row passes (<c>MaxDegreeOfParallelism = 1</c>: run on the
    /// calling thread); null: the shared pool's default. Below 2¹⁵ entries the passes always run on the calling thread.
    /// The result does not depend on it.</param>
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
        Span<double> f,
        Span<double> g,
        Workspace? workspace = null,
        ParallelOptions? parallel = null)
    {
        var ws = workspace ?? new Workspace();
        var chunks = ColumnChunks(rows, cols, settings.ReductionChunkRows);
        ws.Ensure(rows, cols, chunks);
        var logA = ws.LogA;
        var logB = ws.LogB;
        NormalizedLog(a, logA, ws.A);
        NormalizedLog(b, logB, ws.B);
        var k1 = settings.KappaRow;
        var k2 = settings.KappaCol;
        var divideRows = settings.DivisionUpdates && k1 == 1.0;
        var divideCols = settings.DivisionUpdates && k2 == 1.0;

        // Absorbed log duals F0 = f0/ε, G0 = g0/ε; K_ij = exp(L_ij + F0_i + G0_j).
        var rowDual = ws.RowDual;
        var colDual = ws.ColDual;
        for (var j = 0; j < cols; j++)
        {
            colDual[j] = double.IsFinite(g[j]) ? g[j] / epsilon : 0.0;
        }

        // Exact first row update in the log domain; K is then the current plan with v = 1.
        BuildKernel(logKernel, plan, rows, cols, colDual, rowDual, logA, k1, firstRowUpdate: true, parallel);

        var u = ws.U;
        var uNext = ws.UNext;
        var v = ws.V;
        var kv = ws.Kv;
        var ktu = ws.Ktu;
        u.AsSpan(0, rows).Fill(1.0);
        v.AsSpan(0, cols).Fill(1.0);
        var pass = new Pass(plan, rows, cols, chunks, settings.ReductionChunkRows, ws.Partials, logA, ws.A, rowDual, k1, divideRows);
        var columnSumsReady = false;
        var iterations = 0;
        var firstRowChange = 0.0;
        var bestRowChange = double.PositiveInfinity;
        var anderson = settings.AndersonMemory > 0 ? new AndersonAccelerator<double>(cols, settings.AndersonMemory, AndersonRidge) : null;
        var logColumn = settings.AndersonMemory > 0 ? new double[cols] : [];
        var plainColumn = settings.AndersonMemory > 0 ? new double[cols] : [];
        var maxIterations = Math.Max(1, settings.MaxIterations);
        for (var it = 0; it < maxIterations; it++)
        {
            iterations = it + 1;

            // Column update: log v_j = κ₂(log b_j − log (Kᵀu)_j) − (1−κ₂) G0_j. Kᵀu is usually already there: the
            // previous row update accumulated it in the same pass over K.
            if (!columnSumsReady)
            {
                pass.Run(u, null, null, null, parallel);
            }

            pass.ReduceColumns(ktu);
            var change = 0.0;
            var columnError = 0.0;
            var absorb = false;
            for (var j = 0; j < cols; j++)
            {
                columnError += Math.Abs((v[j] * ktu[j]) - ws.B[j]);
                double vNew;
                if (double.IsNegativeInfinity(logB[j]) || !(ktu[j] > 0))
                {
                    vNew = 0.0;
                }
                else if (divideCols)
                {
                    vNew = ws.B[j] / ktu[j];
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

            if ((it > 0 && change < settings.Threshold) || columnError < settings.ColumnTolerance)
            {
                break;
            }

            if (it == maxIterations - 1)
            {
                break;
            }

            if (anderson is not null)
            {
                Accelerate(ref anderson, settings.AndersonMemory, v.AsSpan(0, cols), colDual.AsSpan(0, cols), logColumn, plainColumn, ref absorb);
            }

            // Row update: log u_i = κ₁(log a_i − log (Kv)_i) − (1−κ₁) F0_i. The L1 change of the row marginal it makes,
            // Σ_i |u′_i − u_i| (Kv)_i, is the stopping test (the columns are exact at this point).
            // Each row's update and its term of the change are computed in parallel (kv_i is overwritten by the term),
            // in the same pass as the next column sums Kᵀu′; the terms are then added in row order, so the sum does not
            // depend on the schedule.
            pass.Run(u, uNext, v, kv, parallel);
            columnSumsReady = true;
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
                anderson = new AndersonAccelerator<double>(cols, settings.AndersonMemory, AndersonRidge);
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
                // |log u| > AbsorbBound without a logarithm per row.
                if (u[i] > 0 && (u[i] > AbsorbHigh || u[i] < AbsorbLow))
                {
                    absorb = true;
                    break;
                }
            }

            if (absorb)
            {
                Absorb(u.AsSpan(0, rows), rowDual);
                Absorb(v.AsSpan(0, cols), colDual);
                BuildKernel(logKernel, plan, rows, cols, colDual, rowDual, logA, k1, firstRowUpdate: false, parallel);
                u.AsSpan(0, rows).Fill(1.0);
                v.AsSpan(0, cols).Fill(1.0);
                columnSumsReady = false;
            }
        }

        // The workspace keeps its arrays; the swap above may have exchanged the two row scalings.
        ws.U = u;
        ws.UNext = uNext;

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
            Recentre(rowDual.AsSpan(0, rows), colDual.AsSpan(0, cols));
        }

        WriteOutput(logKernel, plan, rows, cols, rowDual, colDual, settings.PlanByScaling ? u : null, v, parallel);
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
    /// Ridge of the Anderson least squares, relative to the largest residual norm² (as Sinkhorn's accelerator). The r
    /// column residuals of a projection become nearly collinear as it converges; at 1e-10 the Gram matrix's condition
    /// number can reach 1e10, and round-off of the order of 1e-16 in the cost (the same points in other units) then
    /// moves the extrapolation by 1e-8 relative, so that on some 150-point pairs FRLC's answer depends on the units
    /// (docs/lowrank.md, "Unit invariance"). 1e-4 removes that but loses accuracy and speed on seven low-rank tests;
    /// plain sweeps (<c>Frlc.ProjectionAndersonMemory</c> = 0) are unit-invariant but not the default yet (stop 21).
    /// </summary>
    internal const double AndersonRidge = 1e-10;

    /// <summary>
    /// Replaces the column scaling v by the Anderson extrapolation of the total column log dual G0 + log v (skipped
    /// while a column is empty, whose log dual is −∞). An extrapolation that moves a log dual by more than
    /// <see cref="AbsorbBound"/> from the plain Sinkhorn update, or is not finite, is rejected: v keeps the plain
    /// update and the history restarts. (An unchecked one can put log v far beyond ±709 on an ill-conditioned history,
    /// where exp gives v = 0 or ∞: the absorbed duals become ∓∞ and every row of the plan is zeroed, which in FRLC
    /// collapses Q, then g_Q and the latent coupling, to zero.)
    /// </summary>

    private static void Accelerate(ref AndersonAccelerator<double> anderson, int memory, Span<double> v, Span<double> colDual, double[] logColumn, double[] plainColumn, ref bool absorb)
    {
        for (var j = 0; j < v.Length; j++)
        {
            if (!(v[j] > 0) || !double.IsFinite(colDual[j]))
            {
                anderson = new AndersonAccelerator<double>(v.Length, memory, AndersonRidge);
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
                anderson = new AndersonAccelerator<double>(v.Length, memory, AndersonRidge);
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
                DeterministicMath.Log<double>(xr, tmp);
                TensorPrimitives.MultiplyAdd(grad.AsSpan(i * r, r), -gamma, tmp, tmp);
                var max = TensorPrimitives.Max<double>(tmp);
                if (!double.IsFinite(max))
                {
                    kr.Clear();
                    continue;
                }

                TensorPrimitives.Subtract(tmp, max, kr);
                DeterministicMath.Exp<double>(kr, kr);
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

    /// <summary>log(a/Σa) into <paramref name="log"/> and a/Σa into <paramref name="linear"/>; zero weights give −∞ and 0.</summary>
    internal static void NormalizedLog(ReadOnlySpan<double> weights, double[] log, double[] linear)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        var logTotal = Math.Log(total);
        var uniform = weights.Length > 0 && weights[0] > 0 && !weights.ContainsAnyExcept(weights[0]);
        if (uniform)
        {
            // One logarithm for all (HiRef projects onto uniform marginals at every step): the same values as below.
            log.AsSpan(0, weights.Length).Fill(Math.Log(weights[0]) - logTotal);
            linear.AsSpan(0, weights.Length).Fill(weights[0] / total);
            return;
        }

        for (var i = 0; i < weights.Length; i++)
        {
            log[i] = weights[i] > 0 ? Math.Log(weights[i]) - logTotal : double.NegativeInfinity;
            linear[i] = weights[i] > 0 ? weights[i] / total : 0.0;
        }
    }

    internal static void Recentre(Span<double> rowDual, Span<double> colDual)
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

    private static void Absorb(Span<double> scaling, double[] logDual)
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
    private static void BuildKernel(double[] logKernel, double[] kernel, int rows, int cols, double[] colDual, double[] rowDual, double[] logA, double k1, bool firstRowUpdate, ParallelOptions? parallel)
    {
        void Body(int start, int end)
        {
            var cd = colDual.AsSpan(0, cols);
            for (var i = start; i < end; i++)
            {
                var lk = logKernel.AsSpan(i * cols, cols);
                var krow = kernel.AsSpan(i * cols, cols);
                TensorPrimitives.Add(lk, cd, krow);
                if (firstRowUpdate)
                {
                    var max = TensorPrimitives.Max<double>(krow);
                    if (double.IsNegativeInfinity(logA[i]) || !double.IsFinite(max))
                    {
                        rowDual[i] = double.NegativeInfinity;
                        krow.Clear();
                        continue;
                    }

                    TensorPrimitives.Subtract(krow, max, krow);
                    DeterministicMath.Exp<double>(krow, krow);
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

                    TensorPrimitives.Add(krow, rowDual[i], krow);
                    DeterministicMath.Exp<double>(krow, krow);
                }
            }
        }

        DenseLinearAlgebra.ForRows(rows, cols, Body, parallel);
    }

    // log P = L + F + G; P = exp(log P), or diag(u) K diag(v) when rowScaling is given (K is in plan).
    private static void WriteOutput(double[] logKernel, double[] plan, int rows, int cols, double[] rowDual, double[] colDual, double[]? rowScaling, double[] colScaling, ParallelOptions? parallel)
    {
        void Body(int start, int end)
        {
            var cd = colDual.AsSpan(0, cols);
            var v = colScaling.AsSpan(0, cols);
            for (var i = start; i < end; i++)
            {
                var lk = logKernel.AsSpan(i * cols, cols);
                var prow = plan.AsSpan(i * cols, cols);
                if (rowScaling is null)
                {
                    TensorPrimitives.Add(lk, cd, lk);
                    TensorPrimitives.Add(lk, rowDual[i], lk);
                    DeterministicMath.Exp<double>(lk, prow);
                }
                else
                {
                    // One pass over the row (few columns: no per-call overhead): log P and P = u_i K v.
                    var fi = rowDual[i];
                    var ui = rowScaling[i];
                    for (var j = 0; j < lk.Length; j++)
                    {
                        lk[j] = lk[j] + cd[j] + fi;
                        prow[j] *= ui * v[j];
                    }
                }
            }
        }

        DenseLinearAlgebra.ForRows(rows, cols, Body, parallel);
    }

    /// <summary>Chunks of the column reductions: fixed chunks of <paramref name="chunkRows"/> rows (schedule-independent),
    /// else one below the parallel threshold, else a few per processor.</summary>
    private static int ColumnChunks(int rows, int cols, int chunkRows)
    {
        if (chunkRows > 0)
        {
            return Math.Max(1, (rows + chunkRows - 1) / chunkRows);
        }

        return (long)rows * cols < ParallelThreshold ? 1 : Math.Min(Environment.ProcessorCount * 2, Math.Max(1, rows / 512));
    }

    /// <summary>
    /// One pass over the kernel K (rows×cols): optionally the row update u′_i = exp(κ₁(log a_i − log (Kv)_i) − (1−κ₁) F0_i)
    /// (a_i/(Kv)_i with division updates; 0 for an empty row) with its change |u′_i − u_i|·(Kv)_i, and always the partial
    /// column sums Kᵀu′ per chunk (Kᵀu without a row update). Chunks are summed in chunk order by
    /// <see cref="ReduceColumns"/>, so the column sums do not depend on the schedule.
    /// </summary>
    private sealed class Pass(double[] kernel, int rows, int cols, int chunks, int chunkRows, double[] partials, double[] logA, double[] linearA, double[] rowDual, double k1, bool divide)
    {
        private double[] _u = [];
        private double[]? _uNext;
        private double[]? _v;
        private double[]? _delta;

        /// <summary>With <paramref name="uNext"/>: row update from u into uNext (delta_i receives its change) and the column
        /// sums of uNext; without: the column sums of u.</summary>
        public void Run(double[] u, double[]? uNext, double[]? v, double[]? delta, ParallelOptions? parallel)
        {
            _u = u;
            _uNext = uNext;
            _v = v;
            _delta = delta;
            if (chunks == 1 || (long)rows * cols < ParallelThreshold || parallel is { MaxDegreeOfParallelism: 1 })
            {
                for (var c = 0; c < chunks; c++)
                {
                    Body(c);
                }
            }
            else
            {
                Parallel.For(0, chunks, parallel ?? DefaultParallel, Body);
            }
        }

        /// <summary>ktu = Σ over chunks (in chunk order) of the partial column sums.</summary>
        public void ReduceColumns(double[] ktu)
        {
            var target = ktu.AsSpan(0, cols);
            partials.AsSpan(0, cols).CopyTo(target);
            for (var c = 1; c < chunks; c++)
            {
                TensorPrimitives.Add(target, partials.AsSpan(c * cols, cols), target);
            }
        }

        private void Body(int c)
        {
            int start, end;
            if (chunkRows > 0)
            {
                start = c * chunkRows;
                end = Math.Min(rows, start + chunkRows);
            }
            else
            {
                start = (int)((long)rows * c / chunks);
                end = (int)((long)rows * (c + 1) / chunks);
            }

            var acc = partials.AsSpan(c * cols, cols);
            acc.Clear();
            var u = _u;
            var uNext = _uNext;
            for (var i = start; i < end; i++)
            {
                var row = kernel.AsSpan(i * cols, cols);
                double weight;
                if (uNext is null)
                {
                    weight = u[i];
                }
                else
                {
                    var kv = TensorPrimitives.Dot(row, _v.AsSpan(0, cols));
                    double uNew;
                    if (double.IsNegativeInfinity(logA[i]) || !(kv > 0))
                    {
                        uNew = 0.0;
                    }
                    else if (divide)
                    {
                        uNew = linearA[i] / kv;
                    }
                    else if (k1 == 1.0)
                    {
                        uNew = Math.Exp(logA[i] - Math.Log(kv));
                    }
                    else
                    {
                        uNew = Math.Exp((k1 * (logA[i] - Math.Log(kv))) - ((1 - k1) * rowDual[i]));
                    }

                    _delta![i] = Math.Abs(uNew - u[i]) * kv;
                    uNext[i] = uNew;
                    weight = uNew;
                }

                if (weight != 0)
                {
                    TensorPrimitives.MultiplyAdd(row, weight, acc, acc);
                }
            }
        }
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

    /// <summary>Scratch buffers of <see cref="Run"/>:
    /// O(rows + cols·chunks) doubles, grown to the largest problem seen and reused. Not thread-safe: one per worker.</summary>
    internal sealed class Workspace
    {
        internal double[] RowDual = [];
        internal double[] ColDual = [];
        internal double[] U = [];
        internal double[] UNext = [];
        internal double[] V = [];
        internal double[] Kv = [];
        internal double[] Ktu = [];
        internal double[] Partials = [];
        internal double[] LogA = [];
        internal double[] A = [];
        internal double[] LogB = [];
        internal double[] B = [];

        /// <summary>Bytes held.</summary>
        public long Bytes => sizeof(double) * ((long)RowDual.Length + ColDual.Length + U.Length + UNext.Length + V.Length + Kv.Length
            + Ktu.Length + Partials.Length + LogA.Length + A.Length + LogB.Length + B.Length);

        internal void Ensure(int rows, int cols, int chunks)
        {
            static void Grow(ref double[] array, long length) => Buffers.Grow(ref array, length);

            Grow(ref RowDual, rows);
            Grow(ref U, rows);
            Grow(ref UNext, rows);
            Grow(ref Kv, rows);
            Grow(ref LogA, rows);
            Grow(ref A, rows);
            Grow(ref ColDual, cols);
            Grow(ref V, cols);
            Grow(ref Ktu, cols);
            Grow(ref LogB, cols);
            Grow(ref B, cols);
            Grow(ref Partials, (long)chunks * cols);
        }
    }

    /// <summary>Workspace arrays that grow to the largest size asked and are then reused.</summary>
    internal static class Buffers
    {
        /// <summary>Replaces <paramref name="array"/> by a new one when it is shorter than <paramref name="length"/>.</summary>
        public static void Grow<T>(ref T[] array, long length)
        {
            if (array.Length < length)
            {
                array = new T[checked((int)length)];
            }
        }
    }
}
