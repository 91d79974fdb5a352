namespace Monge.Solvers.Exact;

/// <summary>The result of <see cref="LinearAssignment"/>: the assignment, its cost and the dual potentials.</summary>
/// <param name="RowToColumn">σ: the column assigned to each row (−1 only for rows left unassigned by a cancelled run).</param>
/// <param name="ColumnToRow">The row assigned to each column, −1 for unassigned columns.</param>
/// <param name="Cost">Σ_i C[i, σ(i)] (NaN when cancelled).</param>
/// <param name="RowPotentials">u, with u[i] = C[i, σ(i)] − v[σ(i)].</param>
/// <param name="ColumnPotentials">v; C[i,j] − u[i] − v[j] ≥ 0 everywhere, and on rectangular problems v ≤ 0 with v = 0 on unassigned columns.</param>
/// <param name="Convergence">Status (Converged = certified optimum, or Cancelled) and the number of rows assigned as iterations.</param>
public sealed partial record LinearAssignmentResult(
    int[] RowToColumn,
    int[] ColumnToRow,
    double Cost,
    double[] RowPotentials,
    double[] ColumnPotentials,
    Convergence Convergence);
