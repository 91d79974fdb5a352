namespace Monge.Solvers.Exact;

/// <summary>The result of <see cref="LinearAssignment"/>: the assignment, its cost and the dual potentials.</summary>
/// <param name="RowToColumn">σ: the column assigned to each row (−1 for rows left unassigned: by a cancelled run, or the
/// n − m unmatched rows when n &gt; m).</param>
/// <param name="ColumnToRow">The row assigned to each column, −1 for unassigned columns.</param>
/// <param name="TotalCost">The plain sum Σ_i C[i, σ(i)] (NaN when cancelled): the objective of the span API.</param>
/// <param name="RowPotentials">u, with u[i] = C[i, σ(i)] − v[σ(i)] (duals of the sum: Σu + Σ_{assigned} v = <paramref name="TotalCost"/>).</param>
/// <param name="ColumnPotentials">v; C[i,j] − u[i] − v[j] ≥ 0 everywhere, and on rectangular problems with n &lt; m
/// v ≤ 0 with v = 0 on unassigned columns (for n &gt; m the same holds for u on unassigned rows).</param>
/// <param name="Convergence">Status (Converged = certified optimum, or Cancelled) and the number of rows assigned as iterations.</param>
public sealed partial record LinearAssignmentResult(
    int[] RowToColumn,
    int[] ColumnToRow,
    double TotalCost,
    double[] RowPotentials,
    double[] ColumnPotentials,
    Convergence Convergence)
{
    /// <summary>
    /// ⟨C, P⟩ for the plan P with mass 1/min(n, m) on each matched pair: <see cref="TotalCost"/> / min(n, m), the mean
    /// matched cost. This is the normalization of every solver's <c>Cost</c> (for n = m with uniform weights it equals
    /// the optimal transport cost that NetworkSimplex and HierarchicalRefinement report).
    /// </summary>
    public double Cost => TotalCost / Math.Min(RowToColumn.Length, ColumnToRow.Length);

    /// <summary>The result of the transposed problem (rows and columns, and their potentials, exchanged).</summary>
    internal LinearAssignmentResult Transposed() => new(ColumnToRow, RowToColumn, TotalCost, ColumnPotentials, RowPotentials, Convergence);
}
