using System.Numerics.Tensors;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers.LowRank;

namespace Monge.Solvers.Quadratic;

/// <summary>Steps shared by the low-rank Gromov–Wasserstein solvers (initialisation, gradient corrections, results).</summary>
internal static class LowRankGromovCore
{
    /// <summary>Window of the objective-stall test.</summary>
    internal const int StallWindow = 10;

    /// <summary>
    /// The FRLC random initialisation (reference util.initialize_couplings 'Full' followed by stabilize_Q_init): uniform
    /// random log-kernels projected on Π(a, 1/r), Π(b, 1/r₂) and Π(g_Q, g_R) at ε = 1/γ, then mixed with the independent
    /// coupling.
    /// </summary>
    public static (double[] Q, double[] R, double[] T) Random(int seed, double gamma, double mixing, int iterations, double[] a, double[] b, int r1, int r2)
    {
        var n = a.Length;
        var m = b.Length;
        var rng = new Random(seed);
        var g1 = Marginals.Uniform<double>(r1);
        var g2 = Marginals.Uniform<double>(r2);
        var hard = new EntropicProjection.Settings(1, 1, iterations, 1e-12);
        var eps = 1.0 / gamma;
        var lq = LowRankInitializer.Uniform(rng, (long)n * r1);
        TensorPrimitives.Multiply(lq, -gamma, lq);
        var q = new double[lq.Length];
        EntropicProjection.Run(lq, q, n, r1, a, g1, eps, hard, new double[n], new double[r1]);
        var lr = LowRankInitializer.Uniform(rng, (long)m * r2);
        TensorPrimitives.Multiply(lr, -gamma, lr);
        var r = new double[lr.Length];
        EntropicProjection.Run(lr, r, m, r2, b, g2, eps, hard, new double[m], new double[r2]);
        var gq = DenseLinearAlgebra.ColumnSums(q, n, r1);
        var gr = DenseLinearAlgebra.ColumnSums(r, m, r2);
        var lt = LowRankInitializer.Uniform(rng, (long)r1 * r2);
        TensorPrimitives.Multiply(lt, -gamma, lt);
        var t = new double[lt.Length];
        EntropicProjection.Run(lt, t, r1, r2, gq, gr, eps, hard, new double[r1], new double[r2]);
        LowRankInitializer.MixWithIndependent(q, n, r1, mixing);
        LowRankInitializer.MixWithIndependent(r, m, r2, mixing);
        LowRankInitializer.MixWithIndependent(t, r1, r2, mixing);
        return (q, r, t);
    }

    /// <summary>∇ −= 1 wᵀ with w_k = Σ_i ∇_ik X_ik / g_k: the derivative through g = Xᵀ1 (reference full_grad).</summary>
    public static void RankOneCorrection(double[] grad, double[] x, double[] g, int rows, int cols)
    {
        var w = new double[cols];
        var tmp = new double[cols];
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Multiply(grad.AsSpan(i * cols, cols), x.AsSpan(i * cols, cols), tmp);
            TensorPrimitives.Add(w, tmp, w);
        }

        for (var k = 0; k < cols; k++)
        {
            w[k] = g[k] > 0 ? w[k] / g[k] : 0.0;
        }

        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Subtract(grad.AsSpan(i * cols, cols), w, grad.AsSpan(i * cols, cols));
        }
    }

    /// <summary>Subtracts each row's mean (a shift the row dual of a hard row marginal absorbs exactly).</summary>
    public static void CentreRows(double[] x, int rows, int cols)
    {
        for (var i = 0; i < rows; i++)
        {
            var row = x.AsSpan(i * cols, cols);
            var mean = TensorPrimitives.Sum<double>(row) / cols;
            TensorPrimitives.Subtract(row, mean, row);
        }
    }

    /// <summary>max_i max_k |x_ik − mean_k x_ik|: the sup norm of the row-centred block (without changing it).</summary>
    public static double CentredSupNorm(double[] x, int rows, int cols)
    {
        var norm = 0.0;
        for (var i = 0; i < rows; i++)
        {
            var row = x.AsSpan(i * cols, cols);
            var mean = TensorPrimitives.Sum<double>(row) / cols;
            norm = Math.Max(norm, Math.Max(TensorPrimitives.Max<double>(row) - mean, mean - TensorPrimitives.Min<double>(row)));
        }

        return norm;
    }

    /// <summary>Subtracts each column's mean.</summary>
    public static void CentreColumns(double[] x, int rows, int cols)
    {
        var means = DenseLinearAlgebra.ColumnSums(x, rows, cols);
        TensorPrimitives.Multiply(means, 1.0 / rows, means);
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Subtract(x.AsSpan(i * cols, cols), means, x.AsSpan(i * cols, cols));
        }
    }

    /// <summary>dst = diag(1/g_Q) X diag(1/g_R) (zero where g is zero).</summary>
    public static void Latent(double[] x, double[] gq, double[] gr, double[] dst)
    {
        var r1 = gq.Length;
        var r2 = gr.Length;
        for (var k = 0; k < r1; k++)
        {
            var s = gq[k] > 0 ? 1.0 / gq[k] : 0.0;
            for (var l = 0; l < r2; l++)
            {
                dst[(k * r2) + l] = gr[l] > 0 ? x[(k * r2) + l] * s / gr[l] : 0.0;
            }
        }
    }

    /// <summary>Whether the best objective improved by less than <paramref name="tolerance"/> (relative) over the last <see cref="StallWindow"/> iterations.</summary>
    public static bool Stalled(List<double> trace, double tolerance)
    {
        if (tolerance <= 0 || trace.Count <= StallWindow)
        {
            return false;
        }

        var before = double.PositiveInfinity;
        for (var k = 0; k < trace.Count - StallWindow; k++)
        {
            before = Math.Min(before, trace[k]);
        }

        var best = before;
        for (var k = trace.Count - StallWindow; k < trace.Count; k++)
        {
            best = Math.Min(best, trace[k]);
        }

        return before - best <= tolerance * Math.Max(Math.Abs(best), 1e-300);
    }

    /// <summary>Builds the result in the user's units.</summary>
    public static LowRankGromovResult Result(LowRankGromovSetup setup, double[] q, double[] lambda, double[] r, double[] t, int r1, int r2, double gwScaled, double linearScaled, List<double> trace, SolverStatus status, int iterations, double criterion, double threshold, List<double> criteria, TimeSpan elapsed, LowRankGromovObjective objective, Relaxation relaxation)
    {
        var coupling = new LowRankCoupling(q, lambda, r, setup.Rows, setup.Cols, r1, r2);
        var rowSums = coupling.SourceMarginal();
        var colSums = coupling.TargetMarginal();
        var s2 = setup.Scale * setup.Scale;
        var gw = gwScaled * s2;
        var lin = linearScaled * s2;
        var cost = ((1 - setup.Alpha) * lin) + (setup.Alpha * gw);
        status = LowRankSetup.FinalStatus(status, cost, rowSums);
        var convergence = new Convergence(status, iterations, criterion, threshold, criteria, elapsed);
        var stateBytes = objective.StateBytes + (sizeof(double) * 6L * (q.LongLength + r.LongLength));
        return new LowRankGromovResult(setup.Coupling(q, lambda, r, r1, r2), t, cost, gw, lin, setup.Alpha, [.. trace], convergence, DenseLinearAlgebra.L1Distance(rowSums, setup.A), DenseLinearAlgebra.L1Distance(colSums, setup.B), objective.Products, setup.Scale, s2, stateBytes, relaxation);
    }
}
