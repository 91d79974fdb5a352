using Monge.Geometry.Costs;
using Monge.Problems;

namespace Monge;

/// <summary>
/// The options of <see cref="Ot.Solve"/>; which of them are set picks the solver, as in POT's <c>ot.solve_sample</c>:
/// <see cref="Epsilon"/> → Sinkhorn, <see cref="Rank"/> → FRLC, neither → exact (network simplex). See
/// <c>docs/facade.md</c>.
/// </summary>
public sealed record OtOptions
{
    /// <summary>The ground cost; <see langword="null"/> for the squared Euclidean cost |x − y|².</summary>
    public ICostFunction<double>? Cost { get; init; }

    /// <summary>The entropic regularization ε (absolute, in cost units). Set → Sinkhorn.</summary>
    public double? Epsilon { get; init; }

    /// <summary>The rank r of a low-rank plan. Set → FRLC (Halmos et al. 2024). Not together with <see cref="Epsilon"/>.</summary>
    public int? Rank { get; init; }

    /// <summary>
    /// An unbalanced relaxation of the marginals (<see cref="Relaxation.FromRho"/> or <see cref="Relaxation.FromTau"/>);
    /// <see langword="null"/> for balanced. Needs <see cref="Epsilon"/> or <see cref="Rank"/> (the exact solver is balanced).
    /// </summary>
    public Relaxation? Relaxation { get; init; }

    /// <summary>The solver's iteration limit; <see langword="null"/> for its default (Sinkhorn 2000, FRLC 200, network simplex 10⁹ pivots).</summary>
    public int? MaxIterations { get; init; }

    /// <summary>The convergence threshold; <see langword="null"/> for the solver's default (Sinkhorn 1e-3 marginal error, FRLC 1e-5). Setting it without Epsilon or Rank is an error: the exact solver has no tolerance.</summary>
    public double? Threshold { get; init; }

    /// <summary>Seed of the randomized choices (FRLC's initialization, Sinkhorn's subsample initializer; the exact solver has none): results are deterministic for a given seed.</summary>
    public int Seed { get; init; }
}
