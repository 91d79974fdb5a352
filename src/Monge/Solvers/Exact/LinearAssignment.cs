using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;

namespace Monge.Solvers.Exact;

/// <summary>
/// Exact linear assignment: for an n × m cost C with n ≤ m, finds the injective σ minimizing Σ_i C[i, σ(i)], with
/// dual potentials (u, v) that certify it (C[i,j] − u[i] − v[j] ≥ 0, equality on the assignment, v ≤ 0 on
/// rectangular problems with v = 0 on unassigned columns).
/// </summary>
/// <remarks>
/// <para>Algorithm: Jonker &amp; Volgenant, "A shortest augmenting path algorithm for dense and sparse linear
/// assignment problems", Computing 38 (1987) 325–340: column reduction with reduction transfer (square problems),
/// two passes of augmenting row reduction, then Dijkstra shortest augmenting paths on reduced costs. Square problems of
/// size ≥ 512 may insert an ε-scaling auction phase after the first row-reduction pass (uniform-like data) or restart
/// from a multiscale warm start (structured data), and square double problems of size ≥ 512 run these phases in float
/// followed by an exact double repair (see <see cref="LinearAssignmentWorkspace{T}"/>). Rectangular
/// problems start from v = 0 (Bertsekas' rectangular duals; see also Crouse, "On implementing 2D rectangular
/// assignment algorithms", IEEE TAES 2016). Row sweeps are SIMD (AVX2 width) over contiguous memory.</para>
/// <para>Time: O(n² m) in the worst case, far less on typical inputs. Memory: the cost matrix if stored, plus
/// O(m) scratch (about 5m values and 3m + 2n integers), reused through <see cref="LinearAssignmentWorkspace{T}"/>;
/// the mixed-precision route for dense double input adds a float copy of the matrix (4·n² bytes).
/// The problem and point-cloud overloads never store C when it does not fit <see cref="MaxDenseBytes"/>: rows are then
/// recomputed (O(m·d) each, specialised per cost struct) whenever the solver needs them.</para>
/// <para>Normalization: <see cref="LinearAssignmentResult.Cost"/> is ⟨C, P⟩ for the plan with mass 1/n per matched pair
/// (the mean matched cost, as every solver reports); <see cref="LinearAssignmentResult.TotalCost"/> is the plain sum
/// Σ_i C[i, σ(i)] that the span kernels minimize.</para>
/// <para>Thread safety: every method is reentrant; concurrent calls need distinct workspaces and outputs.</para>
/// </remarks>
public sealed partial record LinearAssignment
{
    /// <summary>
    /// The default of <see cref="MaxDenseBytes"/>: 1 GiB (a stored float32 cost up to n = m = 16 384, a double one up
    /// to 11 585).
    /// </summary>
    public const long DefaultMaxDenseBytes = 1L << 30;

    /// <summary>
    /// The memory budget, in bytes, for a stored cost matrix in the problem and point-cloud overloads (default
    /// <see cref="DefaultMaxDenseBytes"/>; 0: rows always computed on the fly). The cost is stored when it fits —
    /// n·m float32 values (4 bytes each) in the mixed-precision route of square double problems under squared
    /// Euclidean or Euclidean costs, n·m values of the problem's precision otherwise (plus the float32 copy when the
    /// mixed route then applies to them) — and computed row by row (O(m·d) per row, memory O(m·d)) above it.
    /// </summary>
    public long MaxDenseBytes { get; init; } = DefaultMaxDenseBytes;

    /// <summary>Solves a dense row-major n × m problem (n ≤ m) in double precision.</summary>
    /// <param name="cost">Row-major costs, length n·m; every entry finite.</param>
    /// <param name="rows">n, the number of rows (at least 1).</param>
    /// <param name="columns">m ≥ n, the number of columns.</param>
    /// <param name="cancellationToken">Checked before each augmentation; a cancelled run returns status Cancelled.</param>
    /// <exception cref="InputValidationException">Bad shape, n &gt; m, or a non-finite cost.</exception>
    public static LinearAssignmentResult Solve(ReadOnlySpan<double> cost, int rows, int columns, CancellationToken cancellationToken = default) =>
        Solve(cost, rows, columns, new LinearAssignmentWorkspace<double>(), cancellationToken);

    /// <summary>
    /// Solves a dense row-major n × m problem (n ≤ m) in double precision with caller-provided scratch memory and
    /// settings (for instance <see cref="LinearAssignmentWorkspace{T}.MixedPrecision"/> = false to avoid the float
    /// copy of large square matrices).
    /// </summary>
    /// <param name="cost">Row-major costs, length n·m; every entry finite.</param>
    /// <param name="rows">n, the number of rows (at least 1).</param>
    /// <param name="columns">m ≥ n, the number of columns.</param>
    /// <param name="workspace">Scratch memory and settings; not shared with concurrent calls.</param>
    /// <param name="cancellationToken">Checked before each augmentation; a cancelled run returns status Cancelled.</param>
    /// <exception cref="InputValidationException">Bad shape, n &gt; m, or a non-finite cost.</exception>
    public static LinearAssignmentResult Solve(
        ReadOnlySpan<double> cost,
        int rows,
        int columns,
        LinearAssignmentWorkspace<double> workspace,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        CheckDense(cost, rows, columns);
        var stopwatch = Stopwatch.StartNew();
        var rowToColumn = new int[rows];
        var assigned = SolveDenseDouble(cost, rows, columns, rowToColumn, workspace, cancellationToken);
        var dense = new DenseCostRows<double>(cost, columns);
        return BuildResult(ref dense, rows, columns, rowToColumn, assigned, workspace, stopwatch);
    }

    /// <summary>Solves a dense row-major n × m problem (n ≤ m) in single precision (potentials reported in double).</summary>
    /// <inheritdoc cref="Solve(ReadOnlySpan{double}, int, int, CancellationToken)"/>
    public static LinearAssignmentResult Solve(ReadOnlySpan<float> cost, int rows, int columns, CancellationToken cancellationToken = default) =>
        SolveDense(cost, rows, columns, cancellationToken);

    /// <summary>Solves a dense n × m problem (n ≤ m) given as a two-dimensional array.</summary>
    /// <param name="cost">The costs; every entry finite.</param>
    /// <param name="cancellationToken">Checked before each augmentation.</param>
    /// <exception cref="InputValidationException">Empty, n &gt; m, or a non-finite cost.</exception>
    public static LinearAssignmentResult Solve(double[,] cost, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var n = cost.GetLength(0);
        var m = cost.GetLength(1);
        var flat = new double[n * m];
        Buffer.BlockCopy(cost, 0, flat, 0, flat.Length * sizeof(double));
        return Solve(flat, n, m, cancellationToken);
    }

    /// <summary>
    /// Solves the assignment problem of a <see cref="LinearProblem{T}"/>: n = Rows and m = Cols of any sizes, uniform
    /// source weights and uniform target weights, both marginals enforced. Every point of the smaller side is matched
    /// to a distinct point of the other (for n = m, a permutation, which is the optimal plan with masses 1/n); for
    /// n &gt; m the transposed problem is solved and read back, so n − m sources get −1 in
    /// <see cref="LinearAssignmentResult.RowToColumn"/>. Costs are read only through the geometry: an
    /// <see cref="IPointCloudGeometry{T}"/> gives rows computed from the points (stored when they fit
    /// <see cref="MaxDenseBytes"/>, on the fly otherwise, specialised for the cost struct), any other geometry is read
    /// through <see cref="CostGeometry{T}.FillCostBlock"/> (dense within <see cref="MaxDenseBytes"/>, row by row above).
    /// </summary>
    /// <param name="problem">The problem.</param>
    /// <param name="progress">Receives the rows assigned out of n (stage "assignment": when the augmenting paths start and then
    /// about every n/1000 rows), the double repair of the mixed route (rows re-inserted out of those
    /// freed) and one final report with the cost.</param>
    /// <param name="cancellationToken">Checked before each augmentation; a cancelled run returns status Cancelled.</param>
    /// <returns>The assignment; <see cref="LinearAssignmentResult.Cost"/> is ⟨C, P⟩ with masses 1/n (the mean matched cost).</returns>
    /// <exception cref="InputValidationException">Non-uniform weights, relaxed marginals (weighted problems belong to
    /// <see cref="NetworkSimplex"/>), or a non-finite cost.</exception>
    public LinearAssignmentResult Solve(LinearProblem<double> problem, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default) =>
        SolveProblem(problem, progress, cancellationToken);

    /// <summary>Solves the assignment problem of a single-precision <see cref="LinearProblem{T}"/> (potentials reported in double).</summary>
    /// <inheritdoc cref="Solve(LinearProblem{double}, IProgress{SolverProgress}?, CancellationToken)"/>
    public LinearAssignmentResult Solve(LinearProblem<float> problem, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default) =>
        SolveProblem(problem, progress, cancellationToken);

    /// <summary>
    /// Solves the assignment between two point clouds (n = |x|, m = |y|; every point of the smaller side is matched, see
    /// <see cref="Solve(LinearProblem{double}, IProgress{SolverProgress}?, CancellationToken)"/>) under a ground cost,
    /// without storing the n × m cost when it does not fit <see cref="MaxDenseBytes"/>. Weights, when given, must be uniform.
    /// </summary>
    /// <param name="x">Source points (rows).</param>
    /// <param name="y">Target points (columns), same dimension.</param>
    /// <param name="cost">The ground cost (null: squared Euclidean). Any <see cref="ICostFunction{T}"/>.</param>
    /// <param name="progress">Receives the rows assigned out of n (stage "assignment": when the augmenting paths start and then
    /// about every n/1000 rows), the double repair of the mixed route (rows re-inserted out of those
    /// freed) and one final report with the cost.</param>
    /// <param name="cancellationToken">Checked before each augmentation.</param>
    /// <exception cref="InputValidationException">Dimensions differ, or non-uniform weights.</exception>
    public LinearAssignmentResult Solve(PointCloud<double> x, PointCloud<double> y, ICostFunction<double>? cost = null, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Solve(LinearProblem<double>.FromPointClouds(x, y, cost), progress, cancellationToken);

    /// <summary>Solves the assignment between two single-precision point clouds (potentials reported in double).</summary>
    /// <inheritdoc cref="Solve(PointCloud{double}, PointCloud{double}, ICostFunction{double}?, IProgress{SolverProgress}?, CancellationToken)"/>
    public LinearAssignmentResult Solve(PointCloud<float> x, PointCloud<float> y, ICostFunction<float>? cost = null, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Solve(LinearProblem<float>.FromPointClouds(x, y, cost), progress, cancellationToken);

    /// <summary>
    /// The allocation-free entry point: solves a dense row-major n × m problem (n ≤ m) with caller-owned buffers.
    /// Meant for many small problems solved from many threads (one workspace per thread).
    /// </summary>
    /// <param name="cost">Row-major costs, length n·m; every entry finite.</param>
    /// <param name="rows">n (at least 1).</param>
    /// <param name="columns">m ≥ n.</param>
    /// <param name="rowToColumn">Receives σ (length ≥ n).</param>
    /// <param name="rowPotentials">Receives u (length ≥ n), or empty to skip.</param>
    /// <param name="columnPotentials">Receives v (length ≥ m), or empty to skip.</param>
    /// <param name="workspace">Scratch memory; grows if too small (the only allocation, once).</param>
    /// <returns>The optimal cost Σ C[i, σ(i)], summed in double.</returns>
    /// <exception cref="InputValidationException">Bad shape, n &gt; m, short outputs, or a non-finite cost.</exception>
    public static double SolveInto<T>(
        ReadOnlySpan<T> cost,
        int rows,
        int columns,
        Span<int> rowToColumn,
        Span<T> rowPotentials,
        Span<T> columnPotentials,
        LinearAssignmentWorkspace<T> workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(workspace);
        CheckDense(cost, rows, columns);
        if (rowToColumn.Length < rows || (!rowPotentials.IsEmpty && rowPotentials.Length < rows) || (!columnPotentials.IsEmpty && columnPotentials.Length < columns))
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Output spans are too short for a {rows} × {columns} problem.", nameof(rowToColumn));
        }

        if (typeof(T) == typeof(double))
        {
            SolveDenseDouble(MemoryMarshal.Cast<T, double>(cost), rows, columns, rowToColumn, (LinearAssignmentWorkspace<double>)(object)workspace, CancellationToken.None);
        }
        else
        {
            var dense = new DenseCostRows<T>(cost, columns);
            SolveCore(ref dense, rows, columns, rowToColumn, workspace, CancellationToken.None);
        }

        var total = 0.0;
        for (var i = 0; i < rows; i++)
        {
            var j = rowToColumn[i];
            var c = cost[(i * columns) + j];
            total += double.CreateTruncating(c);
            if (!rowPotentials.IsEmpty)
            {
                rowPotentials[i] = c - workspace._columnPotentials[j];
            }
        }

        if (!columnPotentials.IsEmpty)
        {
            workspace._columnPotentials.AsSpan(0, columns).CopyTo(columnPotentials);
        }

        return total;
    }

    /// <summary>The allocation-free entry point without potentials.</summary>
    /// <inheritdoc cref="SolveInto{T}(ReadOnlySpan{T}, int, int, Span{int}, Span{T}, Span{T}, LinearAssignmentWorkspace{T})"/>
    public static double SolveInto<T>(ReadOnlySpan<T> cost, int rows, int columns, Span<int> rowToColumn, LinearAssignmentWorkspace<T> workspace)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SolveInto(cost, rows, columns, rowToColumn, [], [], workspace);

    /// <summary>
    /// Writes the dense row-major cost between <paramref name="x"/> (n × d, row-major) and <paramref name="y"/>
    /// (m × d) into <paramref name="destination"/> (n·m), for callers that gather small blocks themselves. Squared
    /// Euclidean and Euclidean are computed from coordinate differences; the built-in cost structs are recognised and
    /// specialised; other implementations are called through the interface.
    /// </summary>
    /// <param name="x">Sources, row-major n × d.</param>
    /// <param name="y">Targets, row-major m × d.</param>
    /// <param name="dimension">d ≥ 1.</param>
    /// <param name="cost">The ground cost (null: squared Euclidean).</param>
    /// <param name="destination">Receives C, row-major n × m.</param>
    /// <exception cref="InputValidationException">The arrays do not match the dimension or the destination is too short.</exception>
    public static void FillCost<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int dimension, ICostFunction<T>? cost, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var visitor = new FillCostVisitor<T>(x, y, dimension, destination);
        CostFunction.Dispatch<T, FillCostVisitor<T>, bool>(cost, ref visitor);
    }

    /// <summary><see cref="FillCost{T, TCost}"/> for the cost struct that <see cref="CostFunction.Dispatch{T, TVisitor, TResult}"/> finds.</summary>
    private readonly ref struct FillCostVisitor<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int dimension, Span<T> destination) : ICostVisitor<T, bool>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ReadOnlySpan<T> _x = x;
        private readonly ReadOnlySpan<T> _y = y;
        private readonly Span<T> _destination = destination;

        public bool Invoke<TCost>(TCost cost)
            where TCost : ICostFunction<T>
        {
            FillCost(_x, _y, dimension, cost, _destination);
            return true;
        }
    }

    /// <summary>
    /// <see cref="FillCost{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, int, ICostFunction{T}?, Span{T})"/> specialised by
    /// the JIT for the cost struct <typeparamref name="TCost"/> (no interface call per pair).
    /// </summary>
    /// <inheritdoc cref="FillCost{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, int, ICostFunction{T}?, Span{T})"/>
    public static void FillCost<T, TCost>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int dimension, TCost cost, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCost : ICostFunction<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var n = x.Length / dimension;
        var m = y.Length / dimension;
        if (n * dimension != x.Length || m * dimension != y.Length || destination.Length < n * m)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, "Point arrays and destination do not match the dimension.", nameof(destination));
        }

        var difference = PointCostRows<T, TCost>.UsesTransposed;
        var sqrt = typeof(TCost) == typeof(Euclidean<T>);
        for (var i = 0; i < n; i++)
        {
            var xi = x.Slice(i * dimension, dimension);
            var dst = destination.Slice(i * m, m);
            for (var j = 0; j < m; j++)
            {
                if (!difference)
                {
                    dst[j] = cost.Evaluate(xi, y.Slice(j * dimension, dimension));
                    continue;
                }

                var acc = T.Zero;
                for (var k = 0; k < dimension; k++)
                {
                    var diff = y[(j * dimension) + k] - xi[k];
                    acc += diff * diff;
                }

                dst[j] = sqrt ? T.Sqrt(acc) : acc;
            }
        }
    }

    /// <summary>
    /// Checks the optimality certificate of <paramref name="result"/> for <paramref name="cost"/> (n × m row-major):
    /// the smallest reduced cost C[i,j] − u[i] − v[j], the largest |reduced cost| on the assignment, the largest
    /// column potential (must be ≤ 0 up to rounding on rectangular problems) and the duality gap.
    /// </summary>
    public static LinearAssignmentCertificate Certify(ReadOnlySpan<double> cost, int rows, int columns, LinearAssignmentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        CheckDense(cost, rows, columns);
        var u = result.RowPotentials;
        var v = result.ColumnPotentials;
        var minReduced = double.PositiveInfinity;
        var maxSlack = 0.0;
        var dual = 0.0;
        var assignedColumn = new bool[columns];
        for (var i = 0; i < rows; i++)
        {
            dual += u[i];
            for (var j = 0; j < columns; j++)
            {
                minReduced = Math.Min(minReduced, cost[(i * columns) + j] - u[i] - v[j]);
            }

            var js = result.RowToColumn[i];
            assignedColumn[js] = true;
            maxSlack = Math.Max(maxSlack, Math.Abs(cost[(i * columns) + js] - u[i] - v[js]));
        }

        var maxV = double.NegativeInfinity;
        for (var j = 0; j < columns; j++)
        {
            if (assignedColumn[j])
            {
                dual += v[j];
            }

            maxV = Math.Max(maxV, v[j]);
        }

        return new LinearAssignmentCertificate(minReduced, maxSlack, rows == columns ? 0 : maxV, result.TotalCost - dual);
    }

    private static LinearAssignmentResult SolveDense<T>(ReadOnlySpan<T> cost, int n, int m, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SolveDense(cost, n, m, null, cancellationToken);

    private static LinearAssignmentResult SolveDense<T>(ReadOnlySpan<T> cost, int n, int m, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckDense(cost, n, m);
        var stopwatch = Stopwatch.StartNew();
        var ws = new LinearAssignmentWorkspace<T>(n, m) { Progress = progress };
        var rows = new DenseCostRows<T>(cost, m);
        return Finish(ref rows, n, m, ws, stopwatch, cancellationToken);
    }

    private static LinearAssignmentResult Finish<T, TRows>(
        scoped ref TRows rows,
        int n,
        int m,
        LinearAssignmentWorkspace<T> ws,
        Stopwatch stopwatch,
        CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : ICostRows<T>, allows ref struct
    {
        var rowToColumn = new int[n];
        var assigned = SolveCore(ref rows, n, m, rowToColumn, ws, cancellationToken);
        return BuildResult(ref rows, n, m, rowToColumn, assigned, ws, stopwatch);
    }

    private static LinearAssignmentResult BuildResult<T, TRows>(
        scoped ref TRows rows,
        int n,
        int m,
        int[] rowToColumn,
        int assigned,
        LinearAssignmentWorkspace<T> ws,
        Stopwatch stopwatch)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : ICostRows<T>, allows ref struct
    {
        var cancelled = assigned < n;
        var columnToRow = new int[m];
        Array.Fill(columnToRow, -1);
        var u = new double[n];
        var v = new double[m];
        for (var j = 0; j < m; j++)
        {
            v[j] = double.CreateTruncating(ws._columnPotentials[j]);
        }

        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            var j = rowToColumn[i];
            if (j < 0)
            {
                u[i] = double.NaN;
                continue;
            }

            columnToRow[j] = i;
            var c = rows.Entry(i, j);
            total += double.CreateTruncating(c);
            u[i] = double.CreateTruncating(c - ws._columnPotentials[j]);
        }

        var status = cancelled ? SolverStatus.Cancelled : SolverStatus.Converged;
        var convergence = new Convergence(status, assigned, cancelled ? double.NaN : 0, 0, [], stopwatch.Elapsed);
        return new LinearAssignmentResult(rowToColumn, columnToRow, cancelled ? double.NaN : total, u, v, convergence);
    }

    private static void CheckDense<T>(ReadOnlySpan<T> cost, int n, int m)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckShape(n, m, cost.Length);
        if (cost.Length != (long)n * m)
        {
            throw new InputValidationException(
                InputProblem.DimensionMismatch,
                $"Cost has {cost.Length} entries but a {n} × {m} matrix needs {(long)n * m}.",
                nameof(cost));
        }

        if (!AllFinite(cost))
        {
            var k = 0;
            while (T.IsFinite(cost[k]))
            {
                k++;
            }

            throw new InputValidationException(
                InputProblem.NonFinite,
                $"Cost entry ({k / m}, {k % m}) is {cost[k]}; every cost must be finite.",
                nameof(cost),
                k);
        }
    }

    private static void CheckShape(int n, int m, long length)
    {
        if (n < 1 || m < 1)
        {
            throw new InputValidationException(InputProblem.Empty, $"An assignment problem needs at least one row and one column (got {n} × {m}).", nameof(n));
        }

        if (n > m)
        {
            throw new InputValidationException(
                InputProblem.DimensionMismatch,
                $"Linear assignment needs rows ≤ columns (got {n} × {m}); transpose the cost to assign every column.",
                nameof(n));
        }

        _ = length;
    }
}
