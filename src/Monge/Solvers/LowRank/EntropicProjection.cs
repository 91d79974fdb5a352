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
    /// <param name="KappaRow">τ₁/(τ₁+ε) for a soft row marginal, 1 for a hard one.</param>
    /// <param name="KappaCol">τ₂/(τ₂+ε) for a soft column marginal, 1 for a hard one.</param>
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
    internal readonly record struct Settings(double KappaRow, double KappaCol, int MaxIterations, double Threshold, bool Recentre = true, double MarginalTolerance = 0, double RelativeTolerance = 0, int AndersonMemory = 0);

    /// <summary>κ = τ/(τ+ε); τ = +∞ gives 1 (hard marginal).</summary>
    internal static double Kappa(double tau, double epsilon) => double.IsPositiveInfinity(tau) ? 1.0 : tau / (tau + epsilon);

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
        var maxIterations = Math.Max(1, settings.MaxIterations);
        for (var it = 0; it < maxIterations; it++)
        {
            iterations = it + 1;

            // Column update: log v_j = κ₂(log b_j − log (Kᵀu)_j) − (1−κ₂) G0_j.
            ColumnSums(plan, rows, cols, u, ktu);
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
                Accelerate(ref anderson, settings.AndersonMemory, v, colDual, logColumn, ref absorb);
            }

            // Row update: log u_i = κ₁(log a_i − log (Kv)_i) − (1−κ₁) F0_i. The L1 change of the row marginal it makes,
            // Σ_i |u′_i − u_i| (Kv)_i, is the stopping test (the columns are exact at this point).
            RowProducts(plan, rows, cols, v, kv);
            var rowChange = 0.0;
            for (var i = 0; i < rows; i++)
            {
                double uNew;
                if (double.IsNegativeInfinity(logA[i]) || !(kv[i] > 0))
                {
                    uNew = 0.0;
                }
                else if (k1 == 1.0)
                {
                    uNew = Math.Exp(logA[i] - Math.Log(kv[i]));
                }
                else
                {
                    uNew = Math.Exp((k1 * (logA[i] - Math.Log(kv[i]))) - ((1 - k1) * rowDual[i]));
                }

                rowChange += Math.Abs(uNew - u[i]) * kv[i];
                uNext[i] = uNew;
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
    /// while a column is empty, whose log dual is −∞).
    /// </summary>
    private static void Accelerate(ref AndersonAccelerator<double> anderson, int memory, double[] v, double[] colDual, double[] logColumn, ref bool absorb)
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

        anderson.Step(logColumn);
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

        ForRows(rows, cols, Body);
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

        ForRows(rows, cols, Body);
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

        ForRows(rows, cols, Body);
    }

    /// <summary>ktu = Kᵀ u (row-major rows×cols), summed per worker then reduced.</summary>
    private static void ColumnSums(double[] kernel, int rows, int cols, double[] u, double[] ktu)
    {
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

    /// <summary>Runs <paramref name="body"/>(start, end) over row ranges, in parallel when the matrix is large.</summary>
    internal static void ForRows(int rows, int cols, Action<int, int> body)
    {
        if ((long)rows * cols < ParallelThreshold)
        {
            body(0, rows);
            return;
        }

        var chunks = Math.Min(Environment.ProcessorCount * 4, Math.Max(1, rows / 256));
        Parallel.For(0, chunks, c =>
        {
            var start = (int)((long)rows * c / chunks);
            var end = (int)((long)rows * (c + 1) / chunks);
            body(start, end);
        });
    }
}
