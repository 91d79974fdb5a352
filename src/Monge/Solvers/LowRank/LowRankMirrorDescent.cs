using Monge.Geometry;
namespace Monge.Solvers.LowRank;

/// <summary>
/// The options that <see cref="LowRankSinkhorn"/> and <see cref="Quadratic.LowRankGromov"/> share: both find
/// P = Q diag(1/g) Rᵀ by mirror descent on (Q, R, g) with step scale γ, project each step by Dykstra's algorithm
/// (<see cref="EntropicProjection"/>'s coupled mode) and stop on OTT's criterion
/// γ⁻² (JS(Q, Q_prev) + JS(R, R_prev) + JS(g, g_prev)), checked every <see cref="InnerIterations"/> iterations.
/// One declaration and one validation of these options; the two solvers differ in their defaults for
/// <see cref="Threshold"/>, <see cref="MinIterations"/> and <see cref="ProjectionTolerance"/> (each says why) and add
/// their own options.
/// </summary>
/// <remarks>The options are plain values: reading them costs nothing; validation is O(1) and runs at each <c>Solve</c>.</remarks>
public abstract record LowRankMirrorDescent
{
    private protected LowRankMirrorDescent(double threshold, int minIterations, double projectionTolerance)
    {
        Threshold = threshold;
        MinIterations = minIterations;
        ProjectionTolerance = projectionTolerance;
    }

    /// <summary>Rank r (between 1 and min(n, m)). Default 10.</summary>
    public int Rank { get; init; } = 10;

    /// <summary>Mirror-descent step scale γ (OTT default 10).</summary>
    public double Gamma { get; init; } = 10;

    /// <summary>
    /// Stop once the criterion is below this and no longer increasing. Default 1e-4 for <see cref="LowRankSinkhorn"/>
    /// (OTT's 1e-3 stops after 20 iterations at 1.13 × the optimum on the half-moon → S-curve pair once the cost is
    /// divided by its mean; docs/lowrank.md, "Units and defaults"), 1e-5 for <see cref="Quadratic.LowRankGromov"/>.
    /// </summary>
    public double Threshold { get; init; }

    /// <summary>Maximum outer iterations (OTT default 2000).</summary>
    public int MaxIterations { get; init; } = 2000;

    /// <summary>
    /// Minimum outer iterations: 0 for <see cref="LowRankSinkhorn"/> (OTT's default), 50 for
    /// <see cref="Quadratic.LowRankGromov"/> (GW's first steps leave the independent coupling slowly).
    /// </summary>
    public int MinIterations { get; init; }

    /// <summary>
    /// The criterion and the cost are evaluated every this many outer iterations (OTT default 10; the same meaning as
    /// <see cref="Entropic.Sinkhorn"/>'s).
    /// </summary>
    public int InnerIterations { get; init; } = 10;

    /// <summary>
    /// A Dykstra projection stops when ‖Q1 − a‖₁ + ‖R1 − b‖₁ + ‖Qᵀ1 − Rᵀ1‖₁ is below this: 1e-3 for
    /// <see cref="LowRankSinkhorn"/> (OTT's default), 1e-4 for <see cref="Quadratic.LowRankGromov"/>.
    /// </summary>
    public double ProjectionTolerance { get; init; }

    /// <summary>Maximum Dykstra iterations per projection (OTT default 10 000).</summary>
    public int ProjectionIterations { get; init; } = 10_000;

    /// <summary>Lower bound on the entries of g in the projection (OTT default 1e-6).</summary>
    public double MinEntryValue { get; init; } = 1e-6;

    /// <summary>Seed of every random choice (the initialisation).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// How the costs are rescaled before solving (OTT-JAX <c>scale_cost</c>): the solver works on costs divided by s,
    /// the mean cost by default, so that the answer does not depend on the units of the coordinates (γ, ε and the
    /// threshold are read on the scaled costs); results report every cost in the user's units. Each solver's remarks say
    /// which costs s divides.
    /// </summary>
    public CostScale ScaleCost { get; init; } = CostScale.Mean;

    /// <summary>
    /// OTT's stopping rule, applied after each check's criterion is appended to <paramref name="errors"/>: stop once
    /// the criterion is below <see cref="Threshold"/> and lower than at the previous check, or, after it has crossed the
    /// threshold once (<paramref name="crossed"/>), once two consecutive checks are below it; never before
    /// <see cref="MinIterations"/>.
    /// </summary>
    /// <param name="errors">The criterion at every check so far, the latest last.</param>
    /// <param name="iterations">Outer iterations done.</param>
    /// <param name="crossed">Whether the criterion has crossed the threshold from above (updated).</param>
    /// <returns>Whether the run has converged.</returns>
    private protected bool Stops(List<double> errors, int iterations, ref bool crossed)
    {
        if (iterations < MinIterations || errors.Count < 2)
        {
            return false;
        }

        var prev = errors[^2];
        var criterion = errors[^1];
        var converged = crossed ? prev < Threshold && criterion < Threshold : criterion < prev && criterion < Threshold;
        crossed |= prev >= Threshold && criterion < Threshold;
        return converged;
    }

    /// <summary>Checks the shared options (each solver checks its own after this).</summary>
    /// <exception cref="InputValidationException">An option out of range, named by its property.</exception>
    private protected void ValidateMirrorDescent()
    {
        LowRankValidation.Positive(Gamma, nameof(Gamma));
        LowRankValidation.NonNegative(Threshold, nameof(Threshold));
        LowRankValidation.NonNegative(ProjectionTolerance, nameof(ProjectionTolerance));
        LowRankValidation.Positive(MinEntryValue, nameof(MinEntryValue));
        LowRankValidation.Count(MaxIterations, 1, nameof(MaxIterations));
        LowRankValidation.Count(MinIterations, 0, nameof(MinIterations));
        LowRankValidation.Count(InnerIterations, 1, nameof(InnerIterations));
        LowRankValidation.Count(ProjectionIterations, 1, nameof(ProjectionIterations));
    }
}
