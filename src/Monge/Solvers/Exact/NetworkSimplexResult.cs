using Monge.Numerics;

namespace Monge.Solvers.Exact;

/// <summary>
/// The result of <see cref="NetworkSimplex"/>: the optimal plan in coordinate form (at most n + m − 1 nonzeros),
/// its cost and the dual potentials.
/// </summary>
/// <param name="Rows">Source index of each nonzero of the plan.</param>
/// <param name="Columns">Target index of each nonzero.</param>
/// <param name="Mass">Transported mass of each nonzero (positive).</param>
/// <param name="Cost">⟨C, P⟩.</param>
/// <param name="SourcePotentials">f with C[i,j] − f[i] − g[j] ≥ 0 (up to the pricing tolerance), equality on the support.</param>
/// <param name="TargetPotentials">g.</param>
/// <param name="SourceCount">n.</param>
/// <param name="TargetCount">m.</param>
/// <param name="Convergence">Converged (optimal), MaxIterations, Cancelled or Infeasible; iterations are pivots.</param>
public sealed partial record NetworkSimplexResult(
    int[] Rows,
    int[] Columns,
    double[] Mass,
    double Cost,
    double[] SourcePotentials,
    double[] TargetPotentials,
    int SourceCount,
    int TargetCount,
    Convergence Convergence)
{
    /// <summary>Whether the plan is certified optimal.</summary>
    public bool Optimal => Convergence.Status == SolverStatus.Converged;

    /// <summary>The plan as a dense row-major n × m array (allocates n·m doubles).</summary>
    /// <param name="maxEntries">Refuse above this many entries (default <see cref="PlanSize.DefaultMaxEntries"/>).</param>
    /// <exception cref="InvalidOperationException">n·m exceeds <paramref name="maxEntries"/> (<see cref="PlanSize.EnsureDense{T}"/>).</exception>
    public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries) =>
        CoordinatePlan.ToDense(Rows, Columns, Mass, SourceCount, TargetCount, maxEntries);
}
