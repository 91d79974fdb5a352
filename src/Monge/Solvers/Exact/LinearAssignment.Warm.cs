using System.Runtime.CompilerServices;

namespace Monge.Solvers.Exact;

/// <summary>The primal–dual warm start from a given assignment (Hierarchical Refinement's slab rounds).</summary>
public sealed partial record LinearAssignment
{
    /// <summary>Gauss–Seidel passes of <see cref="SolveFromIdentity"/> before the rows that are still not tight are freed.</summary>
    internal const int IdentityWarmPasses = 2;

    /// <summary>
    /// Solves a dense square n × n problem in double exactly, starting from the identity assignment σ(i) = i (a pairing
    /// that is already near-optimal, as in the slab rounds of Hierarchical Refinement). Dual start: u = 0 and
    /// v[i] = C[i, i] − u[i], then at most <paramref name="passes"/> Gauss–Seidel passes of u[i] ← min_j C[i, j] − v[j],
    /// v[i] = C[i, i] − u[i] (Bellman–Ford on the exchange graph, arc weights C[i, j] − C[j, j]): a pass that changes
    /// nothing certifies the identity optimal (no negative exchange cycle; the potentials are a dual certificate) and the
    /// solve ends there. Otherwise every row whose column is not a minimizer of its reduced costs C[i, j] − v[j] is freed
    /// and re-inserted by the same shortest augmenting paths as the cold solve (exact from any v in the square case: the
    /// Jonker–Volgenant invariant holds for every row left assigned). The result is an optimum of the same problem, so
    /// it equals the cold solve's matching wherever the optimum is unique.
    /// </summary>
    /// <param name="cost">Row-major n × n costs, every entry finite (not checked: the caller's own fill).</param>
    /// <param name="n">The size (at least 1).</param>
    /// <param name="rowToColumn">Receives σ (length ≥ n).</param>
    /// <param name="ws">Scratch; holds v and the column-to-row map on return.</param>
    /// <param name="passes">Gauss–Seidel passes before the free rows are re-inserted (0: straight to the tightness test).</param>
    /// <returns>The number of rows that needed an augmenting path (0: the identity was certified optimal); also counted in
    /// <see cref="LinearAssignmentCounters"/> (warm_solves, warm_certified, warm_paths) when they run.</returns>
    internal static int SolveFromIdentity(ReadOnlySpan<double> cost, int n, Span<int> rowToColumn, LinearAssignmentWorkspace<double> ws, int passes = IdentityWarmPasses)
    {
        var paths = SolveFromIdentityCore(cost, n, rowToColumn, ws, passes);
        LinearAssignmentCounters.AddWarmSolve(paths);
        return paths;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SolveFromIdentityCore(ReadOnlySpan<double> cost, int n, Span<int> rowToColumn, LinearAssignmentWorkspace<double> ws, int passes)
    {
        ws.EnsureCapacity(n, n);
        ws.MixedPrecisionRan = false;
        ws.AuctionRan = false;
        ws.RepairedRows = 0;
        var rowsol = rowToColumn[..n];
        var colsol = ws._columnToRow.AsSpan(0, n);
        var v = ws._columnPotentials.AsSpan(0, n);
        var d = ws._distances.AsSpan(0, n);
        var pred = ws._predecessors.AsSpan(0, n);
        var scratch = ws._rowScratch.AsSpan(0, n);
        var free = ws._freeRows.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            rowsol[i] = i;
            colsol[i] = i;
            v[i] = cost[(i * n) + i];
        }

        if (n == 1)
        {
            return 0;
        }

        // Gauss–Seidel passes: u[i] = C[i, i] − v[i] falls to the row's smallest reduced cost (each v[i] only rises).
        var converged = false;
        for (var pass = 0; pass < passes && !converged; pass++)
        {
            converged = true;
            for (var i = 0; i < n; i++)
            {
                var row = cost.Slice(i * n, n);
                var min = MinDifference(row, (ReadOnlySpan<double>)v);
                if (min < row[i] - v[i])
                {
                    // Rounded so that C[i, i] − v[i] ≤ min holds in floating point (else the row would test not tight
                    // by an ulp and the passes never end).
                    var vi = row[i] - min;
                    while (row[i] - vi > min)
                    {
                        vi = double.BitIncrement(vi);
                    }

                    v[i] = vi;
                    converged = false;
                }
            }
        }

        if (converged)
        {
            return 0;
        }

        // Free the rows whose column is not an exact minimizer of their reduced costs under the final v.
        var numFree = 0;
        for (var i = 0; i < n; i++)
        {
            var row = cost.Slice(i * n, n);
            if (row[i] - v[i] > MinDifference(row, (ReadOnlySpan<double>)v))
            {
                free[numFree++] = i;
            }
        }

        for (var k = 0; k < numFree; k++)
        {
            rowsol[free[k]] = -1;
            colsol[free[k]] = -1;
        }

        var dense = new DenseCostRows<double>(cost, n);
        long scans = 0;
        for (var k = 0; k < numFree; k++)
        {
            scans += AugmentRow(ref dense, free[k], rowsol, colsol, v, d, pred, scratch, ws);
        }

        LinearAssignmentCounters.Add(LinearAssignmentCounters.Counter.WarmScans, scans);

        return numFree;
    }
}
