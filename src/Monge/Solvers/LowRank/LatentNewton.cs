using Monge.Numerics;

namespace Monge.Solvers.LowRank;

/// <summary>
/// The balanced entropic projection of FRLC's small latent coupling T (r₁ × r₂) by Newton's method on its column log
/// duals, converged to a relative tolerance: the same problem as <see cref="EntropicProjection.Run"/> with two hard
/// marginals (min ⟨G,P⟩ − εH(P) on Π(a, b), log kernel L = −G/ε), the same conventions for L, P, f and g.
/// </summary>
/// <remarks>
/// <para>Why: the latent kernel log T − γ_T∇T is steep (entries spread over ~70 nats), so Sinkhorn sweeps can stall
/// with a row error near 5e-3 for hundreds of sweeps (0.9995 per sweep) and FRLC's sweep T projection then ends at its cap
/// on every outer iteration; that error is the coupling's source marginal error (docs/lowrank.md, "Stop 22 (frlc)"). The
/// problem is r × r, so Newton is cheap and converges quadratically whatever the units. Opt-in
/// (<c>Frlc.LatentNewtonProjection</c>): not yet reliable when warm-started in the FRLC loop ("Stop 23 (frlc)").</para>
/// <para>Method (semi-dual): the row duals are eliminated exactly, F_i = log a_i − LSE_j(L_ij + G_j), so the rows of
/// P = exp(L + F + G) are exact and the concave semi-dual ψ(G) = Σ_i a_i F_i(G) + ⟨b, G⟩ is maximised over the column log
/// duals G. Its gradient is b − Pᵀ1; its negative Hessian is the weighted graph Laplacian
/// H = diag(Pᵀ1) − Pᵀ diag(1/a) P over the columns, formed from sums of positive terms (off-diagonal −Σ_i P_ij P_il / a_i,
/// diagonal minus the sum of the others: no cancellation), made definite by pinning the column of largest mass (the
/// gauge G + c) and factored by Cholesky with a pivot floor relative to its largest diagonal entry. The step is damped by
/// backtracking (Armijo on ψ, whose change ψ(G + tΔ) − ψ(G) = t⟨b, Δ⟩ − Σ_i a_i log1p(Σ_j π_ij expm1(tΔ_j)) is computed
/// directly, π the row-normalised plan, so the test is exact to round-off near the optimum); when ten halvings find no
/// ascent (far from the solution, a nearly singular Laplacian) a Sinkhorn column step log(b/c) is taken instead.
/// Stops once ‖Pᵀ1 − b‖₁ ≤ the tolerance (<see cref="Tolerance"/>; masses normalised to one, so relative). If Newton stops
/// short (no ascent step, or the step cap), the projection is finished by plain sweeps from its duals.</para>
/// <para>Time per step O(r₁·r₂² + r₂³) plus r₁·r₂ exps per trial step; memory O(r₁·r₂ + r₂²) allocated per call.</para>
/// </remarks>
internal static class LatentNewton
{
    /// <summary>Column marginal error ‖Pᵀ1 − b‖₁ (masses one) at which the projection stops.</summary>
    internal const double Tolerance = 1e-12;

    /// <summary>Most Newton steps (damped ones included) before plain sweeps finish the projection.</summary>
    internal const int MaxSteps = 100;

    /// <summary>
    /// Projects exp(L) onto Π(a, b). <paramref name="logKernel"/> holds L on entry and log P on exit, <paramref name="plan"/>
    /// receives P, <paramref name="f"/> the row dual and <paramref name="g"/> the warm-start column dual on entry (zeros
    /// for a cold start) and the final one on exit, both in cost units (ε × log dual), as <see cref="EntropicProjection.Run"/>.
    /// </summary>
    /// <param name="logKernel">rows×cols, row-major: L on entry, log P on exit.</param>
    /// <param name="plan">rows×cols: receives P.</param>
    /// <param name="rows">Rows (r₁).</param>
    /// <param name="cols">Columns (r₂).</param>
    /// <param name="a">Row marginal (normalised to mass one inside).</param>
    /// <param name="b">Column marginal (normalised to mass one inside).</param>
    /// <param name="epsilon">ε: the unit of the returned duals.</param>
    /// <param name="sweepCap">Sweep cap of the plain-sweep finish (used only when Newton stops short).</param>
    /// <param name="threshold">Dual-change threshold of the plain-sweep finish.</param>
    /// <param name="f">Receives the row dual.</param>
    /// <param name="g">Warm-start column dual on entry, final one on exit.</param>
    /// <param name="tolerance">Column marginal error at which Newton stops.</param>
    /// <returns>Newton steps taken (plus the sweeps of a plain finish, if any).</returns>
    internal static int Run(double[] logKernel, double[] plan, int rows, int cols, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double epsilon, int sweepCap, double threshold, Span<double> f, Span<double> g, double tolerance = Tolerance)
    {
        var logA = new double[rows];
        var linA = new double[rows];
        var logB = new double[cols];
        var linB = new double[cols];
        EntropicProjection.NormalizedLog(a, logA, linA);
        EntropicProjection.NormalizedLog(b, logB, linB);

        // Column log duals G (−∞ on empty columns) and the active columns, the pinned one (largest mass) last.
        var colDual = new double[cols];
        var active = new List<int>(cols);
        var pinned = -1;
        for (var j = 0; j < cols; j++)
        {
            if (linB[j] > 0)
            {
                colDual[j] = double.IsFinite(g[j]) ? g[j] / epsilon : 0.0;
                active.Add(j);
                if (pinned < 0 || linB[j] > linB[pinned])
                {
                    pinned = j;
                }
            }
            else
            {
                colDual[j] = double.NegativeInfinity;
            }
        }

        var free = active.Where(j => j != pinned).ToArray();
        var k = free.Length;
        var pi = new double[rows * cols];
        var rowDual = new double[rows];
        var colSums = new double[cols];
        var hessian = new double[k * k];
        var weights = new double[cols * cols];
        var step = new double[k];
        var delta = new double[cols];
        var expm1 = new double[cols];
        var steps = 0;
        var error = RowDistribution(logKernel, rows, cols, logA, linA, colDual, pi, rowDual, colSums, linB);
        var converged = error <= tolerance;
        while (!converged && steps < MaxSteps && k > 0)
        {
            // H = diag(c) − Pᵀ diag(1/a) P on the free columns, P_i· = a_i π_i·: off the diagonal −W_jl with
            // W_jl = Σ_i a_i π_ij π_il (every column, pinned and empty ones included), on it Σ_{l≠j} W_jl = c_j − W_jj
            // written as a sum of positive terms.
            Array.Clear(weights);
            for (var i = 0; i < rows; i++)
            {
                if (!(linA[i] > 0))
                {
                    continue;
                }

                var row = pi.AsSpan(i * cols, cols);
                for (var j = 0; j < cols; j++)
                {
                    var w = linA[i] * row[j];
                    if (w == 0)
                    {
                        continue;
                    }

                    for (var l = 0; l < j; l++)
                    {
                        weights[(j * cols) + l] += w * row[l];
                    }
                }
            }

            for (var j = 0; j < cols; j++)
            {
                for (var l = 0; l < j; l++)
                {
                    weights[(l * cols) + j] = weights[(j * cols) + l];
                }
            }

            var maxDiagonal = 0.0;
            for (var p = 0; p < k; p++)
            {
                var j = free[p];
                var s = 0.0;
                for (var l = 0; l < cols; l++)
                {
                    if (l != j)
                    {
                        s += weights[(j * cols) + l];
                    }
                }

                for (var q = 0; q < k; q++)
                {
                    hessian[(p * k) + q] = p == q ? s : -weights[(j * cols) + free[q]];
                }

                maxDiagonal = Math.Max(maxDiagonal, s);
            }

            if (!(maxDiagonal > 0) || !double.IsFinite(maxDiagonal))
            {
                break;
            }

            DenseLinearAlgebra.CholeskyInPlace(hessian, k, 1e-14 * maxDiagonal);
            var slope = 0.0;
            for (var p = 0; p < k; p++)
            {
                step[p] = linB[free[p]] - colSums[free[p]];
            }

            DenseLinearAlgebra.CholeskySolve(hessian, k, step);
            Array.Clear(delta);
            for (var p = 0; p < k; p++)
            {
                delta[free[p]] = step[p];
                slope += (linB[free[p]] - colSums[free[p]]) * step[p];
            }

            if (!(slope > 0) || !double.IsFinite(slope))
            {
                break;
            }

            // Backtracking on the exact change of ψ. Far from the solution (a warm start from another kernel) the Laplacian
            // can be nearly singular (a column with almost no mass): if ten halvings find no ascent, take the Sinkhorn
            // column step G_j += log(b_j / c_j) instead (exact block maximisation of the full dual), then Newton again.
            var t = 1.0;
            var accepted = false;
            for (var trial = 0; trial < 10; trial++, t *= 0.5)
            {
                if (Ascent(pi, rows, cols, linA, linB, delta, t, expm1) >= 1e-4 * t * slope)
                {
                    accepted = true;
                    break;
                }
            }

            if (!accepted)
            {
                t = 1.0;
                foreach (var j in free)
                {
                    delta[j] = colSums[j] > 0 ? Math.Log(linB[j] / colSums[j]) : 0.0;
                }

                if (!delta.All(double.IsFinite))
                {
                    break;
                }
            }

            foreach (var j in free)
            {
                colDual[j] += t * delta[j];
            }

            steps++;
            error = RowDistribution(logKernel, rows, cols, logA, linA, colDual, pi, rowDual, colSums, linB);
            converged = error <= tolerance;
        }

        if (!converged && k > 0)
        {
            // Newton stopped short: plain sweeps from its duals finish (they end on a column update).
            for (var j = 0; j < cols; j++)
            {
                g[j] = double.IsFinite(colDual[j]) ? epsilon * colDual[j] : 0.0;
            }

            return steps + EntropicProjection.Run(logKernel, plan, rows, cols, a, b, epsilon, new EntropicProjection.Settings(1.0, 1.0, sweepCap, threshold), f, g);
        }

        // Recentre (mean F = 0; P unchanged) and write log P = L + F + G, P = exp(log P).
        EntropicProjection.Recentre(rowDual, colDual);
        for (var i = 0; i < rows; i++)
        {
            var fi = rowDual[i];
            for (var j = 0; j < cols; j++)
            {
                var idx = (i * cols) + j;
                logKernel[idx] += fi + colDual[j];
                plan[idx] = Math.Exp(logKernel[idx]);
            }

            f[i] = epsilon * fi;
        }

        for (var j = 0; j < cols; j++)
        {
            g[j] = double.IsFinite(colDual[j]) ? epsilon * colDual[j] : 0.0;
        }

        return steps;
    }

    /// <summary>
    /// The row-normalised plan π_i· = softmax(L_i· + G), the row duals F_i = log a_i − LSE_j(L_ij + G_j) and the column
    /// sums c = Σ_i a_i π_i·; returns ‖c − b‖₁ (∞ if not finite). Rows with a_i = 0 or no finite entry get F = −∞, π = 0.
    /// </summary>
    private static double RowDistribution(double[] logKernel, int rows, int cols, double[] logA, double[] linA, double[] colDual, double[] pi, double[] rowDual, double[] colSums, double[] linB)
    {
        Array.Clear(colSums);
        for (var i = 0; i < rows; i++)
        {
            var row = pi.AsSpan(i * cols, cols);
            var max = double.NegativeInfinity;
            for (var j = 0; j < cols; j++)
            {
                row[j] = logKernel[(i * cols) + j] + colDual[j];
                max = Math.Max(max, row[j]);
            }

            if (!(linA[i] > 0) || !double.IsFinite(max))
            {
                row.Clear();
                rowDual[i] = double.NegativeInfinity;
                continue;
            }

            var s = 0.0;
            for (var j = 0; j < cols; j++)
            {
                row[j] = Math.Exp(row[j] - max);
                s += row[j];
            }

            rowDual[i] = logA[i] - (max + Math.Log(s));
            for (var j = 0; j < cols; j++)
            {
                row[j] /= s;
                colSums[j] += linA[i] * row[j];
            }
        }

        var error = 0.0;
        for (var j = 0; j < cols; j++)
        {
            error += Math.Abs(colSums[j] - linB[j]);
        }

        return double.IsFinite(error) ? error : double.PositiveInfinity;
    }

    /// <summary>ψ(G + tΔ) − ψ(G) = t⟨b, Δ⟩ − Σ_i a_i log1p(Σ_j π_ij expm1(tΔ_j)); −∞ when not finite.</summary>
    private static double Ascent(double[] pi, int rows, int cols, double[] linA, double[] linB, double[] delta, double t, double[] expm1)
    {
        var gain = 0.0;
        for (var j = 0; j < cols; j++)
        {
            var x = t * delta[j];
            expm1[j] = Math.Abs(x) < 1e-5 ? x * (1 + (x * (0.5 + (x / 6)))) : Math.Exp(x) - 1;
            gain += linB[j] * x;
        }

        for (var i = 0; i < rows; i++)
        {
            if (!(linA[i] > 0))
            {
                continue;
            }

            var s = 0.0;
            var row = pi.AsSpan(i * cols, cols);
            for (var j = 0; j < cols; j++)
            {
                if (row[j] != 0)
                {
                    s += row[j] * expm1[j];
                }
            }

            gain -= linA[i] * Log1P(s);
        }

        return double.IsFinite(gain) ? gain : double.NegativeInfinity;
    }

    /// <summary>log(1 + x) accurate for small x (x &gt; −1).</summary>
    private static double Log1P(double x)
    {
        if (!(x > -1))
        {
            return double.NaN;
        }

        var y = 1 + x;
        return y == 1 ? x : Math.Log(y) * x / (y - 1);
    }
}
