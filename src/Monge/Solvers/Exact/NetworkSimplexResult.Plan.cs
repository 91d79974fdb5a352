using Monge.Geometry;

namespace Monge.Solvers.Exact;

/// <content>The plan contract (<see cref="ITransportPlan{T}"/>) on the sparse optimal plan, and the potentials named F and G.</content>
public sealed partial record NetworkSimplexResult : ITransportPlan<double>
{
    /// <summary>The source potential f (the same array as <see cref="SourcePotentials"/>; F and G are the names every result uses).</summary>
    public double[] F => SourcePotentials;

    /// <summary>The target potential g (the same array as <see cref="TargetPotentials"/>).</summary>
    public double[] G => TargetPotentials;

    /// <summary>The row marginal P1 (length n): the source weights the plan was solved with.</summary>
    public double[] SourceMarginal => CoordinatePlan.Marginal(Rows, Mass, SourceCount);

    /// <summary>The column marginal Pᵀ1 (length m).</summary>
    public double[] TargetMarginal => CoordinatePlan.Marginal(Columns, Mass, TargetCount);

    /// <inheritdoc />
    /// <remarks>O(nonzeros) time: the plan has at most n + m − 1 nonzeros.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => ApplyPlan(vector, 1, axis);

    /// <inheritdoc />
    /// <remarks>O(nonzeros·k) time.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis) =>
        CoordinatePlan.Apply(Rows, Columns, Mass, SourceCount, TargetCount, block, columns, axis);
}
