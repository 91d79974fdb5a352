using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.Exact;

/// <summary>The result of <see cref="OneDimensional.Solve"/>: the monotone optimal plan in coordinate form and its cost.</summary>
/// <param name="Rows">Source index of each nonzero of the plan.</param>
/// <param name="Columns">Target index of each nonzero.</param>
/// <param name="Mass">Transported mass of each nonzero (the problem's masses, positive).</param>
/// <param name="Cost">⟨C, P⟩.</param>
/// <param name="SourceCount">n.</param>
/// <param name="TargetCount">m.</param>
public sealed record OneDimensionalResult(int[] Rows, int[] Columns, double[] Mass, double Cost, int SourceCount, int TargetCount)
    : ITransportPlan<double>
{
    /// <summary>Always converged (the monotone plan is optimal); one iteration, and the time of the solve.</summary>
    public Convergence Convergence { get; init; } = new(SolverStatus.Converged, 1, 0, 0, [], TimeSpan.Zero);

    /// <summary>The row marginal P1 (length n): the source weights (times the problem's mass).</summary>
    public double[] SourceMarginal => CoordinatePlan.Marginal(Rows, Mass, SourceCount);

    /// <summary>The column marginal Pᵀ1 (length m).</summary>
    public double[] TargetMarginal => CoordinatePlan.Marginal(Columns, Mass, TargetCount);

    /// <inheritdoc />
    /// <remarks>O(n + m) time: the plan has at most n + m − 1 nonzeros.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => ApplyPlan(vector, 1, axis);

    /// <inheritdoc />
    /// <remarks>O((n + m)·k) time.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis) =>
        CoordinatePlan.Apply(Rows, Columns, Mass, SourceCount, TargetCount, block, columns, axis);

    /// <summary>The plan as a dense row-major n × m array (allocates n·m doubles).</summary>
    /// <param name="maxEntries">Refuse above this many entries (default <see cref="PlanSize.DefaultMaxEntries"/>).</param>
    /// <exception cref="InvalidOperationException">n·m exceeds <paramref name="maxEntries"/> (<see cref="PlanSize.EnsureDense{T}"/>).</exception>
    public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries) =>
        CoordinatePlan.ToDense(Rows, Columns, Mass, SourceCount, TargetCount, maxEntries);
}
