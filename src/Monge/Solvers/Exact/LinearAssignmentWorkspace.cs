using System.Numerics;

namespace Monge.Solvers.Exact;

/// <summary>
/// Scratch memory for <see cref="LinearAssignment"/>: reuse one instance per thread to solve many problems without
/// allocating (the Hierarchical Refinement leaves). Not thread-safe: give each concurrent caller its own instance.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/> (the precision of the costs and potentials).</typeparam>
/// <remarks>
/// Holds about 5m values of <typeparamref name="T"/>, 3m + 2n integers, plus d·m values for point clouds; for square
/// double problems of size ≥ 512 with <see cref="MixedPrecision"/> also a float copy of a dense cost (4·n² bytes) and
/// a float workspace of the same O(n) size.
/// </remarks>
public sealed class LinearAssignmentWorkspace<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal T[] _columnPotentials = [];
    internal T[] _distances = [];
    internal T[] _scannedDistances = [];
    internal T[] _scannedPotentials = [];
    internal T[] _rowScratch = [];
    internal T[] _transposed = [];
    internal int[] _predecessors = [];
    internal int[] _columnToRow = [];
    internal int[] _scannedColumns = [];
    internal int[] _freeRows = [];
    internal int[] _matches = [];
    internal LinearAssignmentWorkspace<T>? _child;
    internal T[] _subCost = [];
    internal int[] _subRows = [];
    internal int[] _subColumns = [];
    internal int[] _subSolution = [];
    internal T[] _subRowPotentials = [];
    internal LinearAssignmentWorkspace<float>? _single;
    internal float[] _singleCost = [];

    /// <summary>Creates an empty workspace; it grows on first use.</summary>
    public LinearAssignmentWorkspace()
    {
    }

    /// <summary>Creates a workspace sized for problems up to <paramref name="maxRows"/> × <paramref name="maxColumns"/>.</summary>
    public LinearAssignmentWorkspace(int maxRows, int maxColumns) => EnsureCapacity(maxRows, maxColumns);

    /// <summary>
    /// Whether square problems of size ≥ 256 start from the potentials of a recursively solved random half-size
    /// sub-problem (default true). It costs about a third more on uniform random costs and saves 10–50× on
    /// structured geometric ones (shifted shapes, clusters), where plain column reduction leads to very long
    /// augmenting paths. The sub-problem's cost is stored (n²/4 entries, n²/3 with the recursion), so the warm start
    /// is skipped when n²/4 exceeds 2²⁴ entries.
    /// </summary>
    public bool MultiscaleWarmStart { get; set; } = true;

    /// <summary>
    /// Whether large square double problems (n = m ≥ 512) run the Jonker–Volgenant phases on costs rounded to float
    /// and then repair the result in double (default true). The answer is exact in double either way (the repair
    /// re-inserts, by double-precision augmenting paths, every row whose column is not a double-precision minimizer
    /// of its reduced costs); the float phase moves half the bytes and packs twice as many columns per SIMD
    /// instruction. Dense double input then costs an extra float copy of the matrix (4·n² bytes, kept in this
    /// workspace); point clouds need no copy. Ignored for float problems, rectangular problems, costs above 1e30
    /// in magnitude, and on processors without 256-bit SIMD (AVX2: <c>Vector256.IsHardwareAccelerated</c>), where
    /// float rows would be swept no faster than double ones and the repair would be pure overhead.
    /// </summary>
    public bool MixedPrecision { get; set; } = true;

    /// <summary>
    /// Whether square problems of size ≥ 512 run an ε-scaling auction after the first row-reduction pass when that
    /// pass leaves at most n/4 rows free (uniform-like data; default true). The auction only moves the column
    /// potentials close to optimal; the shortest augmenting paths that follow make the result exact. On uniform
    /// random points it roughly halves the number of row sweeps.
    /// </summary>
    public bool AuctionPhase { get; set; } = true;

    /// <summary>The smallest n that takes the mixed-precision route (tests lower it).</summary>
    internal int MixedPrecisionThreshold { get; set; } = LinearAssignment.MixedPrecisionMinSize;

    /// <summary>The smallest n that gets the multiscale warm start, at every depth of its recursion (Hierarchical
    /// Refinement's harness key <c>leafwarmmin</c>).</summary>
    internal int WarmStartThreshold { get; set; } = LinearAssignment.WarmStartMinSize;

    /// <summary>Whether square problems that may get the multiscale warm start (see <see cref="WarmStartThreshold"/>) take it
    /// at once, at every depth of its recursion, instead of after the column reduction and a first row reduction pass
    /// that leave more than a quarter of the rows free (default false). For problems known to collide — Hierarchical
    /// Refinement's leaves — it skips work the warm start throws away; the optimum is the same either way.</summary>
    internal bool WarmStartFirst { get; set; }

    /// <summary>Augmenting row reduction passes (0, 1 or 2; default 2, as Jonker and Volgenant) after the multiscale warm
    /// start, at every depth of its recursion, before the shortest augmenting paths. On Hierarchical Refinement's leaves the
    /// warm start's v is already close to optimal and the passes, which start with every row free, mostly run to their step
    /// cap (about 8 row sweeps per row) while the augmenting paths they save are short: 0 there. Exact either way.</summary>
    internal int WarmStartReductionPasses { get; set; } = 2;

    /// <summary>The smallest n that gets the auction phase (tests lower it).</summary>
    internal int AuctionThreshold { get; set; } = LinearAssignment.AuctionMinSize;

    /// <summary>Whether the last solve with this workspace (or its float child) ran the auction phase.</summary>
    internal bool AuctionRan { get; set; }

    /// <summary>How many rows the double repair of the last mixed-precision solve re-inserted (0 otherwise).</summary>
    internal int RepairedRows { get; set; }

    /// <summary>Receives the progress of the solves run with this workspace (rows assigned out of n), or null.</summary>
    internal IProgress<SolverProgress>? Progress { get; set; }

    /// <summary>Whether this workspace is the multiscale warm start's sub-problem workspace (for <see cref="LinearAssignmentCounters"/>).</summary>
    internal bool IsWarmStartChild { get; init; }

    /// <summary>Whether the last solve with this workspace took the mixed-precision route.</summary>
    internal bool MixedPrecisionRan { get; set; }


    /// <summary>Grows the buffers (never shrinks them) so that an n × m problem fits.</summary>
    public void EnsureCapacity(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (_columnPotentials.Length < columns)
        {
            _columnPotentials = new T[columns];
            _distances = new T[columns];
            _scannedDistances = new T[columns];
            _scannedPotentials = new T[columns];
            _rowScratch = new T[columns];
            _predecessors = new int[columns];
            _columnToRow = new int[columns];
            _scannedColumns = new int[columns];
        }

        if (_freeRows.Length < rows)
        {
            _freeRows = new int[rows];
            _matches = new int[rows];
        }
    }

    internal Span<float> EnsureSingleCost(int length)
    {
        if (_singleCost.Length < length)
        {
            _singleCost = new float[length];
        }

        return _singleCost.AsSpan(0, length);
    }

    internal void EnsureTransposed(int length)
    {
        if (_transposed.Length < length)
        {
            _transposed = new T[length];
        }
    }
}
