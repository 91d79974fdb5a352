using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.Exact;

/// <content>
/// The plan contract (<see cref="ITransportPlan{T}"/>): P has mass 1/min(n, m) on each matched pair (i, σ(i)), so
/// <see cref="Cost"/> = ⟨C, P⟩ is the mean matched cost; matched rows and columns sum to 1/min(n, m) and, for a
/// rectangular problem, the unmatched ones (columns for n &lt; m, rows for n &gt; m) to 0.
/// </content>
public sealed partial record LinearAssignmentResult : ITransportPlan<double>
{
    /// <summary>n, the number of rows (sources).</summary>
    public int SourceCount => RowToColumn.Length;

    /// <summary>m, the number of columns (targets).</summary>
    public int TargetCount => ColumnToRow.Length;

    /// <summary>The row marginal P1: 1/min(n, m) for every assigned row (all rows for n ≤ m unless the run was cancelled), 0 for the others.</summary>
    public double[] SourceMarginal
    {
        get
        {
            var (rows, _, mass) = Coordinates();
            return CoordinatePlan.Marginal(rows, mass, SourceCount);
        }
    }

    /// <summary>The column marginal Pᵀ1: 1/min(n, m) for every assigned column, 0 for the others.</summary>
    public double[] TargetMarginal
    {
        get
        {
            var (_, columns, mass) = Coordinates();
            return CoordinatePlan.Marginal(columns, mass, TargetCount);
        }
    }

    /// <inheritdoc />
    /// <remarks>O(n + m) time.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => ApplyPlan(vector, 1, axis);

    /// <inheritdoc />
    /// <remarks>O((n + m)·k) time.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis)
    {
        var (rows, cols, mass) = Coordinates();
        return CoordinatePlan.Apply(rows, cols, mass, SourceCount, TargetCount, block, columns, axis);
    }

    /// <summary>The matching plan as a dense row-major n × m array with 1/min(n, m) on the matched pairs.</summary>
    /// <param name="maxEntries">Refuse above this many entries (default <see cref="PlanSize.DefaultMaxEntries"/>).</param>
    /// <returns>The plan.</returns>
    /// <exception cref="InvalidOperationException">n·m exceeds <paramref name="maxEntries"/> (<see cref="PlanSize.EnsureDense{T}"/>).</exception>
    public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries)
    {
        var (rows, columns, mass) = Coordinates();
        return CoordinatePlan.ToDense(rows, columns, mass, SourceCount, TargetCount, maxEntries);
    }

    private (int[] Rows, int[] Columns, double[] Mass) Coordinates()
    {
        var n = RowToColumn.Length;
        var share = 1.0 / Math.Min(n, ColumnToRow.Length);
        var assigned = 0;
        foreach (var j in RowToColumn)
        {
            assigned += j >= 0 ? 1 : 0;
        }

        var rows = new int[assigned];
        var columns = new int[assigned];
        var mass = new double[assigned];
        var k = 0;
        for (var i = 0; i < n; i++)
        {
            if (RowToColumn[i] >= 0)
            {
                rows[k] = i;
                columns[k] = RowToColumn[i];
                mass[k++] = share;
            }
        }

        return (rows, columns, mass);
    }
}
