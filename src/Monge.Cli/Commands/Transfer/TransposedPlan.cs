using Monge.Geometry;
using Monge.Numerics;
using Monge.Solvers;

namespace Monge.Cli.Commands.Transfer;

/// <summary>Pᵀ seen through the plan contract: the plan of a problem solved with source and target swapped (the
/// assignment solver matches the smaller side in full, so <c>monge match</c> with more sources than targets solves the
/// transposed problem), presented in the user's orientation for <c>--transfer</c> and <c>--h5ad-out</c>.</summary>
/// <param name="plan">The plan of the swapped problem (rows are the user's targets).</param>
public sealed class TransposedPlan(ITransportPlan<double> plan) : ITransportPlan<double>
{
    /// <inheritdoc />
    public int SourceCount => plan.TargetCount;

    /// <inheritdoc />
    public int TargetCount => plan.SourceCount;

    /// <inheritdoc />
    public double Cost => plan.Cost;

    /// <inheritdoc />
    public double[] SourceMarginal => plan.TargetMarginal;

    /// <inheritdoc />
    public double[] TargetMarginal => plan.SourceMarginal;

    /// <inheritdoc />
    public Convergence Convergence => plan.Convergence;

    /// <inheritdoc />
    public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => plan.ApplyPlan(vector, Swap(axis));

    /// <inheritdoc />
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis) => plan.ApplyPlan(block, columns, Swap(axis));

    /// <inheritdoc />
    public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries)
    {
        var dense = plan.ToDense(maxEntries);
        int rows = plan.SourceCount, columns = plan.TargetCount;
        var result = new double[dense.Length];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                result[(j * rows) + i] = dense[(i * columns) + j];
            }
        }

        return result;
    }

    private static Axis Swap(Axis axis) => axis == Axis.Rows ? Axis.Columns : Axis.Rows;
}
