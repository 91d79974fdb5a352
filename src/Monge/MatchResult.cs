using Monge.Solvers;

namespace Monge;

/// <summary>What <see cref="Ot.Match"/> returns: a one-to-one matching of the source points onto the target points.</summary>
/// <param name="Permutation">σ: the target matched to each source point (length n).</param>
/// <param name="Cost">The mean matched cost (1/n) Σ_i C(x_i, y_σ(i)), the transport cost of the permutation plan with masses 1/n.</param>
/// <param name="Method"><c>"exact"</c> (<see cref="Solvers.Exact.LinearAssignment"/>) or <c>"hiref"</c> (<see cref="Solvers.Hierarchical.HierarchicalRefinement"/>).</param>
/// <param name="Optimal">Whether the matching is certified optimal (exact and converged; HiRef is never certified).</param>
/// <param name="Convergence">The solver's report (for HiRef: iterations = levels, and the time).</param>
/// <param name="Details">The typed result: a <see cref="Solvers.Exact.LinearAssignmentResult"/> or a <see cref="Solvers.Hierarchical.HierarchicalRefinementResult"/>.</param>
public sealed record MatchResult(int[] Permutation, double Cost, string Method, bool Optimal, Convergence Convergence, object Details);
