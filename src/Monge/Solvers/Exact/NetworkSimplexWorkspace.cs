namespace Monge.Solvers.Exact;

/// <summary>
/// Everything a run of <see cref="NetworkSimplex.SolveInPlace"/> reads and writes, kept between runs on problems of one
/// shape and one pair of weights (the inner solves of a free-support barycenter): the spanning tree, the potentials and
/// the DFS stack, and the plan of the last run (<see cref="Count"/> entries of <see cref="Rows"/>, <see cref="Columns"/>
/// and <see cref="Mass"/>). A run allocates nothing once the workspace is sized. Memory O(n + m).
/// </summary>
internal sealed class NetworkSimplexWorkspace
{
    private double[] _a = [];
    private double[] _b = [];

    /// <summary>The tree, flows and supplies (the engine works on these arrays directly).</summary>
    internal NetworkSimplexBasis Basis { get; } = new();

    /// <summary>Node potentials, n + m + 1.</summary>
    internal double[] Pi { get; private set; } = [];

    /// <summary>DFS stack, n + m + 1.</summary>
    internal int[] Stack { get; private set; } = [];

    /// <summary>Source index of each plan entry (the first <see cref="Count"/> are the last run's plan).</summary>
    internal int[] Rows { get; private set; } = [];

    /// <summary>Target index of each plan entry.</summary>
    internal int[] Columns { get; private set; } = [];

    /// <summary>Mass of each plan entry.</summary>
    internal double[] Mass { get; private set; } = [];

    /// <summary>Entries of the last run's plan.</summary>
    internal int Count { get; set; }

    /// <summary>⟨C, P⟩ of the last run.</summary>
    internal double Cost { get; set; }

    /// <summary>Status of the last run.</summary>
    internal SolverStatus Status { get; set; }

    /// <summary>Whether the next run can start from the saved tree.</summary>
    internal bool HasTree { get; set; }

    /// <summary>Whether the workspace was prepared for exactly these weights (the supplies are then valid).</summary>
    internal bool Matches(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => a.SequenceEqual(_a) && b.SequenceEqual(_b);

    /// <summary>Sizes every array for n + m + 1 nodes and records the weights and supplies; the next run starts cold.</summary>
    internal void Prepare(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double[] supply)
    {
        var n = a.Length;
        var m = b.Length;
        Basis.Prepare(n, m, supply);
        var nodes = n + m + 1;
        if (Pi.Length != nodes)
        {
            Pi = new double[nodes];
            Stack = new int[nodes];
            Rows = new int[nodes];
            Columns = new int[nodes];
            Mass = new double[nodes];
        }

        _a = a.ToArray();
        _b = b.ToArray();
        HasTree = false;
        Count = 0;
    }
}
