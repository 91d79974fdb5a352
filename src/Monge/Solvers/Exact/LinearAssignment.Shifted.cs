namespace Monge.Solvers.Exact;

/// <summary>A solve started on a cost that differs from the exact one by row and column constants (up to rounding).</summary>
public sealed partial record LinearAssignment
{
    /// <summary>
    /// Solves the square dense double problem <paramref name="exact"/> (n × n, finite) exactly into
    /// <paramref name="rowToColumn"/>, doing the bulk of the work on <paramref name="shifted"/>, a cost with
    /// exact[i,j] ≈ shifted[i,j] + a[i] − <paramref name="columnOffset"/>[j] for some row constants a (they need not be
    /// known, and the relation need not hold exactly: it only makes the start good).
    /// </summary>
    /// <remarks>
    /// The Jonker–Volgenant phases run on <paramref name="shifted"/> (in float32 when the workspace's mixed-precision
    /// route applies, else in double with this workspace) and leave an assignment and column potentials v′; with
    /// v = v′ + columnOffset the reduced costs exact[i,j] − v[j] equal shifted[i,j] − v′[j] + a[i] up to rounding, so
    /// every row keeps its column as a minimizer except near ties. Then the double repair of the mixed-precision route
    /// frees every row whose column is not an exact minimizer of exact[i,j] − v[j] and re-inserts it by double
    /// shortest augmenting paths: the result is an optimum of <paramref name="exact"/> whatever
    /// <paramref name="shifted"/> holds. For the squared Euclidean cost, shifting the targets by δ gives
    /// ‖x − y − δ‖² = ‖x − y‖² − 2δ·x + 2δ·y + ‖δ‖², i.e. columnOffset[j] = −2δ·y[j]: with δ the difference of the
    /// means, a leaf's two clusters overlap and the column reduction's nearest-row guesses collide far less.
    /// Overwrites nothing but the workspace and <paramref name="rowToColumn"/>; <paramref name="shifted"/> may be narrowed
    /// into the workspace's float copy.
    /// </remarks>
    internal static void SolveShiftedInto(ReadOnlySpan<double> exact, ReadOnlySpan<double> shifted, ReadOnlySpan<double> columnOffset, int n, Span<int> rowToColumn, LinearAssignmentWorkspace<double> ws)
    {
        if (n == 1)
        {
            rowToColumn[0] = 0;
            ws.EnsureCapacity(1, 1);
            ws._columnToRow[0] = 0;
            ws._columnPotentials[0] = 0;
            return;
        }

        var exactRows = new DenseCostRows<double>(exact, n);
        if (UsesMixedPrecision(n, n, ws))
        {
            var single = ws.EnsureSingleCost(n * n);
            if (TryNarrow(shifted, single))
            {
                var rowsF = new DenseCostRows<float>(single, n);
                SolveMixed(ref rowsF, ref exactRows, n, rowToColumn, ws, CancellationToken.None, columnOffset);
                return;
            }
        }

        var shiftedRows = new DenseCostRows<double>(shifted, n);
        SolveCore(ref shiftedRows, n, n, rowToColumn, ws, CancellationToken.None);
        var v = ws._columnPotentials.AsSpan(0, n);
        for (var j = 0; j < n; j++)
        {
            v[j] += columnOffset[j];
        }

        RepairInDouble(ref exactRows, n, rowToColumn, ws, CancellationToken.None);
    }
}
