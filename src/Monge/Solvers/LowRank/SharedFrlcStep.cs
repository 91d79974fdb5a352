using System.Numerics.Tensors;

namespace Monge.Solvers.LowRank;

/// <summary>
/// The steps of the FRLC loop (Halmos et al. 2024, Algorithm 1) that the linear <see cref="Frlc"/> and the quadratic
/// <c>FrlcGromov</c> share: the work buffers and warm-start duals, the KL mirror step of a factor followed by its
/// log-domain projection, and the latent step on T. Each solver keeps its own gradients, step-size rule and stopping test.
/// </summary>
internal static class SharedFrlcStep
{
    /// <summary>Stopping rules of the Q and R projections (the solvers' Projection* options).</summary>
    /// <param name="Iterations">Most Sinkhorn sweeps.</param>
    /// <param name="Threshold">Largest change of a log column scaling at which a projection stops.</param>
    /// <param name="Tolerance">Row marginal error at which a projection stops (0: off).</param>
    /// <param name="RelativeTolerance">Row error, as a fraction of the first sweep's, at which a projection stops (0: off).</param>
    /// <param name="AndersonMemory">Anderson memory on the column duals (0: plain sweeps).</param>
    internal readonly record struct ProjectionOptions(int Iterations, double Threshold, double Tolerance, double RelativeTolerance, int AndersonMemory);

    /// <summary>The work buffers of one loop: two factor-sized ones (gradients, then the projected factors), two
    /// latent-sized ones (the new T and its log) and the latent gradient.</summary>
    internal static (double[] WorkQ, double[] WorkR, double[] WorkT, double[] LogTNew, double[] GradT) WorkBuffers(long qLength, long rLength, int tLength)
        => (new double[qLength], new double[rLength], new double[tLength], new double[tLength], new double[tLength]);

    /// <summary>The warm-start duals of the Q (n, r₁), R (m, r₂) and T (r₁, r₂) projections.</summary>
    internal static (double[] FQ, double[] HQ, double[] FR, double[] HR, double[] FT, double[] HT) Duals(int n, int r1, int m, int r2)
        => (new double[n], new double[r1], new double[m], new double[r2], new double[r1], new double[r2]);

    /// <summary>
    /// One KL mirror step of a factor X ∈ Π(marginal, g): log X ← log X − γ∇ (in place), then the log-domain projection
    /// at ε = 1/γ with the outer and inner relaxations τ, written into <paramref name="gradientThenFactor"/> (which holds
    /// ∇ on entry). Returns the projection's sweeps. Time O(rows·cols·sweeps).
    /// </summary>
    internal static int MirrorProject(double[] logFactor, double[] gradientThenFactor, int rows, int cols, double[] marginal, double[] g, double gamma, double tauOuter, double tauInner, in ProjectionOptions options, double[] f, double[] h, EntropicProjection.Workspace? workspace = null)
    {
        TensorPrimitives.MultiplyAdd(gradientThenFactor, -gamma, logFactor, logFactor);
        var settings = new EntropicProjection.Settings(tauOuter, tauInner, options.Iterations, options.Threshold, MarginalTolerance: options.Tolerance, RelativeTolerance: options.RelativeTolerance, AndersonMemory: options.AndersonMemory);
        return EntropicProjection.Run(logFactor, gradientThenFactor, rows, cols, marginal, g, 1.0 / gamma, settings, f, h, workspace);
    }

    /// <summary>
    /// The latent step: log T_new = log T − (γ/‖∇T‖∞)∇T projected on Π(g_Q, g_R) (balanced) at ε = ‖∇T‖∞/γ, into
    /// <paramref name="latent"/>. With <paramref name="newton"/> the projection is <see cref="LatentNewton"/> (converged
    /// to ‖Tᵀ1 − g_R‖₁ ≤ 1e-12, rows exact; time O(r₁·r₂² + r₂³) per Newton step); otherwise Sinkhorn sweeps capped at
    /// <paramref name="iterations"/> (time O(r₁·r₂·sweeps), which can stall at a row error of 5e-3: the default of Frlc and FrlcGromov).
    /// </summary>
    internal static void LatentStep(double[] gradT, double gamma, double[] logT, double[] logTNew, double[] latent, double[] gq, double[] gr, int iterations, double threshold, double[] f, double[] h, EntropicProjection.Workspace? workspace = null, bool newton = false)
    {
        var normT = TensorPrimitives.MaxMagnitude<double>(gradT);
        var gammaT = normT > 0 && double.IsFinite(normT) ? gamma / normT : gamma;
        TensorPrimitives.MultiplyAdd(gradT, -gammaT, logT, logTNew);
        if (newton)
        {
            LatentNewton.Run(logTNew, latent, gq.Length, gr.Length, gq, gr, 1.0 / gammaT, iterations, threshold, f, h);
            return;
        }

        EntropicProjection.Run(logTNew, latent, gq.Length, gr.Length, gq, gr, 1.0 / gammaT, new EntropicProjection.Settings(1.0, 1.0, iterations, threshold), f, h, workspace);
    }
}
