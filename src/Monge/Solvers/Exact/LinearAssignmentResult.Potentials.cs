namespace Monge.Solvers.Exact;

/// <content>The potentials under the names every result uses (F for the source side, G for the target side).</content>
public sealed partial record LinearAssignmentResult
{
    /// <summary>The row (source) potential u, named F like every potential in Monge (the same array as <see cref="RowPotentials"/>).</summary>
    public double[] F => RowPotentials;

    /// <summary>The column (target) potential v, named G (the same array as <see cref="ColumnPotentials"/>).</summary>
    public double[] G => ColumnPotentials;
}
