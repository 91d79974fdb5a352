using Monge.Solvers;

namespace Monge.Tools;

/// <summary>
/// A certified lower bound on the optimal transport cost, with the feasible dual potentials that prove it:
/// u_i + v_j ≤ C_ij for every i in the support of a and j in the support of b, so by weak duality
/// Σ a_i u_i + Σ b_j v_j ≤ ⟨C, P⟩ for every coupling P of (a, b), the optimal one included.
/// </summary>
/// <param name="LowerBound">Σ a_i u_i + Σ b_j v_j (float64), a lower bound on the optimal cost of the normalized measures.</param>
/// <param name="F">The source potential u (length n); u is the c-transform of v. Named F like every potential in Monge.</param>
/// <param name="G">The target potential v (length m).</param>
public sealed record DualBoundResult(double LowerBound, double[] F, double[] G)
{
    /// <summary>The absolute ε of the Sinkhorn solve that produced the starting potentials (NaN when they were given).</summary>
    public double Epsilon { get; init; } = double.NaN;

    /// <summary>Σ a f + Σ b g of the Sinkhorn potentials before the c-transforms (NaN when they were given); not a bound.</summary>
    public double EntropicDual { get; init; } = double.NaN;

    /// <summary>The Sinkhorn solve's convergence report (null when the potentials were given). The bound is valid either way.</summary>
    public Convergence? SinkhornConvergence { get; init; }

    /// <summary>Wall time of the Sinkhorn solve (zero when the potentials were given).</summary>
    public TimeSpan SinkhornElapsed { get; init; }

    /// <summary>Wall time of the c-transforms.</summary>
    public TimeSpan CertifyElapsed { get; init; }

    /// <summary>The bound before the sparse dual ascent, then after each of its passes (diagnostics; empty when it did not
    /// run).</summary>
    internal IReadOnlyList<double> AscentBounds { get; init; } = [];

    /// <summary>Auction bids of each pass of the sparse dual ascent (diagnostics, aligned with <see cref="AscentBounds"/>: 0
    /// first).</summary>
    internal IReadOnlyList<long> AscentBids { get; init; } = [];

    /// <summary>Process CPU seconds since the sparse dual ascent's first pass began, after each pass (diagnostics, aligned with
    /// <see cref="AscentBounds"/>: 0 first; every thread of the process, so only meaningful on a process doing nothing else).</summary>
    internal IReadOnlyList<double> AscentCpuSeconds { get; init; } = [];

    /// <summary>The sparse level's bound on its own sample problem after the lift, then after each ascent pass
    /// (diagnostics; empty when no sparse level ran: <see cref="DualBound"/>'s SparseLevelSize).</summary>
    internal IReadOnlyList<double> LevelBounds { get; init; } = [];

    /// <summary>
    /// The certified relative gap of a plan with cost <paramref name="cost"/>: (cost − bound) / bound, an upper bound on
    /// cost / optimum − 1. It is +∞ when the bound is not positive (no relative statement is possible) unless the cost
    /// is at most the bound, and 0 when both are zero. A cost at or below the bound (possible only by rounding, since the
    /// bound is certified) gives 0, never a negative gap.
    /// </summary>
    /// <param name="cost">The cost of a feasible plan (for a matching σ of two n-point sets: (1/n) Σ c(x_i, y_σ(i))).</param>
    public double RelativeGap(double cost)
    {
        if (cost <= LowerBound)
        {
            return 0;
        }

        return LowerBound > 0 ? (cost - LowerBound) / LowerBound : double.PositiveInfinity;
    }
}
