namespace Monge.Solvers.Exact;

/// <summary>
/// The spanning tree a <see cref="NetworkSimplex"/> run ended on, kept to warm-start the next run on a problem with the
/// same weights and new costs (an outer loop that moves points: free-support barycenters). The tree and its flows are a
/// strongly feasible basis of every such problem, since feasibility depends on the weights only; the next run recomputes
/// the potentials from the new costs and pivots from there. Memory O(n + m); reused in place, run after run.
/// </summary>
internal sealed class NetworkSimplexBasis
{
    internal int Rows { get; private set; } = -1;

    internal int Columns { get; private set; } = -1;

    internal double[] Supply { get; private set; } = [];

    internal int[] Parent { get; private set; } = [];

    internal long[] Predecessor { get; private set; } = [];

    internal bool[] Up { get; private set; } = [];

    internal double[] Flow { get; private set; } = [];

    internal int[] Depth { get; private set; } = [];

    internal int[] FirstChild { get; private set; } = [];

    internal int[] NextSibling { get; private set; } = [];

    internal int[] PreviousSibling { get; private set; } = [];

    internal long NextArc { get; set; }

    /// <summary>Pivots of the last run that used this basis (0: the saved tree was still optimal).</summary>
    internal long LastPivots { get; set; }

    /// <summary>Whether a tree is saved for this shape and exactly these supplies.</summary>
    internal bool Matches(int rows, int columns, ReadOnlySpan<double> supply) =>
        Rows == rows && Columns == columns && supply.SequenceEqual(Supply);

    /// <summary>Sizes the arrays for n + m + 1 nodes (allocating only when the shape changes) and records the supplies.</summary>
    internal void Prepare(int rows, int columns, ReadOnlySpan<double> supply)
    {
        var nodes = rows + columns + 1;
        if (Parent.Length != nodes)
        {
            Parent = new int[nodes];
            Predecessor = new long[nodes];
            Up = new bool[nodes];
            Flow = new double[nodes];
            Depth = new int[nodes];
            FirstChild = new int[nodes];
            NextSibling = new int[nodes];
            PreviousSibling = new int[nodes];
            Supply = new double[rows + columns];
        }

        supply.CopyTo(Supply);
        Rows = rows;
        Columns = columns;
    }
}
