using System.Numerics;

namespace Monge.Solvers.Exact;

public sealed partial record LinearAssignment
{
    /// <summary>
    /// The Jonker–Volgenant state that every phase reads and updates (column reduction, augmenting row reduction, the
    /// auction, the augmenting paths, the mixed-precision repair): the assignment both ways, the column potentials, the
    /// free-row list and the per-phase arrays, all views of one workspace. Each phase takes it by reference and copies
    /// the views it uses into locals before its loops, so the hot loops see plain spans.
    /// </summary>
    private readonly ref struct JvState<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Views the workspace (capacity already ensured) for an n × m problem; σ lives in <paramref name="rowToColumn"/>.</summary>
        public JvState(LinearAssignmentWorkspace<T> ws, Span<int> rowToColumn, int n, int m)
        {
            Workspace = ws;
            RowSol = rowToColumn[..n];
            ColSol = ws._columnToRow.AsSpan(0, m);
            V = ws._columnPotentials.AsSpan(0, m);
            Distances = ws._distances.AsSpan(0, m);
            Predecessors = ws._predecessors.AsSpan(0, m);
            Scratch = ws._rowScratch.AsSpan(0, m);
            Free = ws._freeRows.AsSpan(0, n);
        }

        /// <summary>The views the row-reduction phases and the auction use, as locals (the JIT keeps locals in registers across the loops).</summary>
        public void Deconstruct(out Span<int> rowSol, out Span<int> colSol, out Span<T> v, out Span<int> free, out Span<T> scratch)
        {
            rowSol = RowSol;
            colSol = ColSol;
            v = V;
            free = Free;
            scratch = Scratch;
        }

        /// <summary>Row i's column σ(i), −1 while i is free (n entries).</summary>
        public Span<int> RowSol { get; }

        /// <summary>Column j's row, −1 while j is unassigned (m entries).</summary>
        public Span<int> ColSol { get; }

        /// <summary>Column potentials v (reduced costs are C[i, j] − v[j]; m entries).</summary>
        public Span<T> V { get; }

        /// <summary>Shortest-path distances of the augmenting phase; column reduction keeps each column's argmin row here (m entries).</summary>
        public Span<T> Distances { get; }

        /// <summary>Shortest-path predecessor row of each column (m entries).</summary>
        public Span<int> Predecessors { get; }

        /// <summary>Buffer for computed cost rows (m entries).</summary>
        public Span<T> Scratch { get; }

        /// <summary>The free rows, first entries in use (n entries).</summary>
        public Span<int> Free { get; }

        /// <summary>The workspace the views come from (scanned-column lists, matches, child workspaces).</summary>
        public LinearAssignmentWorkspace<T> Workspace { get; }
    }
}
