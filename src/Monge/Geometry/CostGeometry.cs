using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Numerics.Tensors;
using Monge.Numerics;

namespace Monge.Geometry;

/// <summary>
/// The single seam between solvers and costs: an n × m cost matrix C that solvers only touch through a few operations
/// (the log-sum-exp reduction <see cref="SoftMin"/>, products with C and with the Gibbs kernel, blocks of entries, and
/// optional low-rank factors). <see cref="DenseGeometry{T}"/> stores C, <see cref="PointCloudGeometry{T}"/> recomputes
/// tiles of C on the fly (never n × m memory), <see cref="LowRankGeometry{T}"/> stores factors C = A Bᵀ.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Conventions: <see cref="Axis.Rows"/> means the result has one entry per row i (the operation reduces over the
/// columns j, for example C·v); <see cref="Axis.Columns"/> means one entry per column j (for example Cᵀ·u). Every
/// cost seen through this class is already multiplied by <see cref="ScaleFactor"/>.
/// </para>
/// <para>
/// The default implementations in this class work for any geometry from <see cref="FillCostBlock"/> alone: they stream
/// row tiles of at most <see cref="TileRows"/> × <see cref="TileColumns"/> entries through the cache, run in parallel
/// over row blocks, and allocate O(tile) memory per worker. Subclasses override them with faster kernels. The
/// <see cref="Axis.Columns"/> variants use <see cref="Transpose"/>.
/// </para>
/// <para>All methods are thread-safe for concurrent readers (geometries are immutable).</para>
/// </remarks>
public abstract class CostGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows per tile in the default tiled implementations.</summary>
    protected const int TileRows = 16;

    /// <summary>Columns per tile in the default tiled implementations.</summary>
    protected const int TileColumns = 1024;

    /// <summary>Below this many entries (n·m) the default implementations run on one thread.</summary>
    protected const long ParallelThreshold = 1 << 15;

    /// <summary>Initializes the shape and the scale factor.</summary>
    /// <param name="rows">Number of rows n (source points), at least 1.</param>
    /// <param name="cols">Number of columns m (target points), at least 1.</param>
    /// <param name="scaleFactor">Multiplier applied to every cost; positive and finite.</param>
    /// <exception cref="InputValidationException">A dimension below 1, or a scale factor that is not positive and finite.</exception>
    protected CostGeometry(int rows, int cols, T scaleFactor)
    {
        if (rows < 1 || cols < 1)
        {
            throw new InputValidationException(InputProblem.Empty, $"A geometry needs at least one row and one column (got {rows} × {cols}).");
        }

        if (!(scaleFactor > T.Zero) || !T.IsFinite(scaleFactor))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The cost scale factor must be positive and finite (got {scaleFactor}).", nameof(scaleFactor));
        }

        Rows = rows;
        Cols = cols;
        ScaleFactor = scaleFactor;
    }

    /// <summary>Number of rows n (source points).</summary>
    public int Rows { get; }

    /// <summary>Number of columns m (target points).</summary>
    public int Cols { get; }

    /// <summary>The multiplier already applied to every cost (1 unless the geometry was rescaled, see <see cref="WithCostScaling"/>).</summary>
    public T ScaleFactor { get; }

    /// <summary>Whether this geometry holds all n × m entries in memory.</summary>
    public virtual bool IsDense => false;

    /// <summary>The cost C_ij (scaled). O(d) or O(r) for online and low-rank geometries.</summary>
    /// <param name="i">Row index in [0, Rows).</param>
    /// <param name="j">Column index in [0, Cols).</param>
    public abstract T Cost(int i, int j);

    /// <summary>Writes the block C[rowStart .. rowStart+rowCount, colStart .. colStart+colCount] (scaled), row-major.</summary>
    /// <param name="rowStart">First row.</param>
    /// <param name="rowCount">Number of rows.</param>
    /// <param name="colStart">First column.</param>
    /// <param name="colCount">Number of columns.</param>
    /// <param name="destination">At least rowCount·colCount values; entry (r, c) goes to <c>destination[r·colCount + c]</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The block is outside the matrix or the destination is too short.</exception>
    public abstract void FillCostBlock(int rowStart, int rowCount, int colStart, int colCount, Span<T> destination);

    /// <summary>
    /// The transposed geometry (m × n, cost c'(y, x) = c(x, y)), sharing data where possible. Point clouds and low-rank
    /// factors swap roles in O(1); a dense matrix is transposed once (m·n extra memory) and cached.
    /// </summary>
    public abstract CostGeometry<T> Transpose();

    /// <summary>
    /// The soft-minimum (log-sum-exp reduction) used by log-domain Sinkhorn:
    /// for <see cref="Axis.Rows"/>, <c>dst_i = −ε log Σ_j exp(ℓ_j + (h_j − C_ij)/ε)</c>;
    /// for <see cref="Axis.Columns"/>, <c>dst_j = −ε log Σ_i exp(ℓ_i + (h_i − C_ij)/ε)</c>.
    /// </summary>
    /// <param name="potential">h: the potential on the reduced axis (length Cols for Rows, Rows for Columns).</param>
    /// <param name="logWeights">ℓ: log-weights on the reduced axis (same length as h), or empty for zeros. −∞ entries are skipped.</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <param name="destination">The result (length Rows for Rows, Cols for Columns).</param>
    /// <remarks>
    /// Stabilized: every sum is shifted by its running maximum, so the result is finite whenever some term is finite,
    /// for any ε. If every ℓ_j is −∞ the result is +∞. Cost: O(n·m·d) time for point clouds, O(n·m·r) for low-rank
    /// factors, O(n·m) for dense; O(tile) memory per thread.
    /// </remarks>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    /// <exception cref="InputValidationException">ε is not positive and finite.</exception>
    public virtual void SoftMin(ReadOnlySpan<T> potential, ReadOnlySpan<T> logWeights, T epsilon, Axis axis, Span<T> destination)
    {
        if (!SoftMinOnRows(potential, logWeights, epsilon, axis, destination))
        {
            return;
        }

        var h = potential.ToArray();
        var lw = logWeights.IsEmpty ? null : logWeights.ToArray();
        var dst = new T[Rows];
        ForEachRowBlock(TileRows, (i0, count) => SoftMinRowBlock(h, lw, epsilon, i0, count, dst));
        dst.CopyTo(destination);
    }

    /// <summary>
    /// The common start of a row-axis soft-min (the default above and the fused fast paths of the subclasses): a
    /// <see cref="Axis.Columns"/> reduction runs on <see cref="Transpose"/> and returns false (done); otherwise the
    /// lengths and ε are checked and true says "reduce the rows now".
    /// </summary>
    private protected bool SoftMinOnRows(ReadOnlySpan<T> potential, ReadOnlySpan<T> logWeights, T epsilon, Axis axis, Span<T> destination)
    {
        if (axis == Axis.Columns)
        {
            Transpose().SoftMin(potential, logWeights, epsilon, Axis.Rows, destination);
            return false;
        }

        CheckReduction(potential, logWeights, destination, axis);
        CheckEpsilon(epsilon);
        return true;
    }

    /// <summary>Multiplies by the cost: <c>C·v</c> for <see cref="Axis.Rows"/>, <c>Cᵀ·v</c> for <see cref="Axis.Columns"/>.</summary>
    /// <param name="vector">v (length Cols for Rows, Rows for Columns).</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <param name="destination">The result (length Rows for Rows, Cols for Columns).</param>
    /// <remarks>O(n·m) time by default (tiled, parallel); O((n+m)·r) for low-rank factors.</remarks>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    public virtual void ApplyCost(ReadOnlySpan<T> vector, Axis axis, Span<T> destination)
        => ApplyCost(vector, 1, axis, destination);

    /// <summary>
    /// Multiplies by the cost a block of k vectors at once: for <see cref="Axis.Rows"/>, V is Cols × k row-major and the
    /// result C·V is Rows × k; for <see cref="Axis.Columns"/>, U is Rows × k and the result Cᵀ·U is Cols × k.
    /// </summary>
    /// <param name="block">The k vectors as a row-major matrix (length Cols·k or Rows·k).</param>
    /// <param name="columns">k, at least 1.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <param name="destination">Row-major result (Rows·k or Cols·k).</param>
    /// <remarks>One pass over C for all k vectors: O(n·m·k) time, O(tile) memory; low-rank: O((n+m)·r·k).</remarks>
    /// <exception cref="ArgumentException">Wrong lengths or k below 1.</exception>
    public virtual void ApplyCost(ReadOnlySpan<T> block, int columns, Axis axis, Span<T> destination)
    {
        if (axis == Axis.Columns)
        {
            Transpose().ApplyCost(block, columns, Axis.Rows, destination);
            return;
        }

        CheckBlock(block, columns, destination, axis);
        ApplyCostTiles(default(IdentityCost), block, columns, destination);
    }

    /// <summary>
    /// Multiplies by an element-wise function of the cost: <c>h(C)·v</c> for <see cref="Axis.Rows"/>, <c>h(C)ᵀ·v</c> for
    /// <see cref="Axis.Columns"/>, with h applied to every (scaled) entry, for example C∘C (<see cref="SquaredCost{T}"/>)
    /// or log C (<see cref="LogCost{T}"/>).
    /// </summary>
    /// <typeparam name="TFunc">The function, a struct (specialised by the JIT).</typeparam>
    /// <param name="function">h.</param>
    /// <param name="vector">v (length Cols for Rows, Rows for Columns).</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <param name="destination">The result (length Rows for Rows, Cols for Columns).</param>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    public void ApplyCost<TFunc>(TFunc function, ReadOnlySpan<T> vector, Axis axis, Span<T> destination)
        where TFunc : struct, IElementwise<T>
        => ApplyCost(function, vector, 1, axis, destination);

    /// <summary>
    /// Multiplies k vectors at once by an element-wise function of the cost: for <see cref="Axis.Rows"/>, V is Cols × k
    /// row-major and the result h(C)·V is Rows × k; for <see cref="Axis.Columns"/>, U is Rows × k and the result h(C)ᵀ·U
    /// is Cols × k. h is applied to every scaled entry C_ij (not to the raw cost).
    /// </summary>
    /// <typeparam name="TFunc">The function, a struct (specialised by the JIT).</typeparam>
    /// <param name="function">h.</param>
    /// <param name="block">The k vectors as a row-major matrix (length Cols·k or Rows·k).</param>
    /// <param name="columns">k, at least 1.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <param name="destination">Row-major result (Rows·k or Cols·k).</param>
    /// <remarks>
    /// By default one tiled pass over C built from <see cref="FillCostBlock"/> (O(n·m·k) time plus the cost of the
    /// entries, O(tile) memory, parallel over row tiles). <see cref="LowRankGeometry{T}"/> computes C∘C from its exact
    /// rank-r² factorization in O((n + m)·r²·k).
    /// </remarks>
    /// <exception cref="ArgumentException">Wrong lengths or k below 1.</exception>
    public virtual void ApplyCost<TFunc>(TFunc function, ReadOnlySpan<T> block, int columns, Axis axis, Span<T> destination)
        where TFunc : struct, IElementwise<T>
    {
        if (axis == Axis.Columns)
        {
            Transpose().ApplyCost(function, block, columns, Axis.Rows, destination);
            return;
        }

        CheckBlock(block, columns, destination, axis);
        ApplyCostTiles(function, block, columns, destination);
    }

    /// <summary>
    /// Multiplies by the Gibbs kernel K = exp(−C/ε): <c>K·v</c> for <see cref="Axis.Rows"/>, <c>Kᵀ·v</c> for
    /// <see cref="Axis.Columns"/>. Not stabilized: entries of K underflow to 0 when C/ε is large (use
    /// <see cref="SoftMin"/> in that regime).
    /// </summary>
    /// <param name="vector">v (length Cols for Rows, Rows for Columns).</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <param name="destination">The result.</param>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    /// <exception cref="InputValidationException">ε is not positive and finite.</exception>
    public virtual void ApplyKernel(ReadOnlySpan<T> vector, T epsilon, Axis axis, Span<T> destination)
    {
        if (axis == Axis.Columns)
        {
            Transpose().ApplyKernel(vector, epsilon, Axis.Rows, destination);
            return;
        }

        CheckReduction(vector, default, destination, axis);
        CheckEpsilon(epsilon);
        ApplyCostTiles(new GibbsKernel(-T.One / epsilon), vector, 1, destination);
    }

    /// <summary>h(c) = exp(c·s) with s = −1/ε: the Gibbs kernel as an element-wise function, for the tiled default of <see cref="ApplyKernel"/>.</summary>
    private readonly struct GibbsKernel(T scale) : IElementwise<T>
    {
        public T Apply(T cost) => T.Exp(cost * scale);

        public void Apply(Span<T> costs)
        {
            TensorPrimitives.Multiply(costs, scale, costs);
            DeterministicMath.Exp<T>(costs, costs);
        }
    }

    /// <summary>
    /// The geometry of the block C[rows, cols] (rows and columns in the given order, duplicates allowed), with the
    /// same cost and scale factor. Point clouds copy the selected points, factors copy the selected factor rows, a
    /// dense matrix copies the selected entries; this default materializes the block's scaled costs as a dense geometry
    /// with scale factor 1 (|rows|·|cols| memory).
    /// </summary>
    /// <param name="rows">Row indices, each in [0, Rows); at least one.</param>
    /// <param name="cols">Column indices, each in [0, Cols); at least one.</param>
    /// <exception cref="InputValidationException">An index is out of range or a list is empty.</exception>
    public virtual CostGeometry<T> Subset(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols)
    {
        CheckSubset(rows, cols);
        var dst = new T[(long)rows.Length * cols.Length];
        for (var k = 0; k < rows.Length; k++)
        {
            for (var l = 0; l < cols.Length; l++)
            {
                dst[(k * cols.Length) + l] = Cost(rows[k], cols[l]);
            }
        }

        return new DenseGeometry<T>(dst, rows.Length, cols.Length);
    }

    /// <summary>Returns exact factors C = A Bᵀ when the geometry has them (low-rank geometries; point clouds with squared Euclidean or negative dot-product costs).</summary>
    /// <param name="factors">The factors (scale factor folded in), or null.</param>
    /// <returns>Whether factors are available. Allocates O((n+m)·r) for point clouds.</returns>
    public virtual bool TryGetFactors([NotNullWhen(true)] out LowRankFactors<T>? factors)
    {
        factors = null;
        return false;
    }

    /// <summary>The same geometry with every cost multiplied by <paramref name="factor"/> (relative to the raw costs: factors do not compound).</summary>
    /// <param name="factor">Positive and finite.</param>
    /// <exception cref="InputValidationException">The factor is not positive and finite.</exception>
    public CostGeometry<T> WithScaleFactor(T factor) => WithScaleFactorCore(factor);

    /// <summary>
    /// The same geometry rescaled so that the chosen statistic of the raw costs becomes 1 (OTT-JAX <c>scale_cost</c>).
    /// The statistic is computed by <see cref="CostScale.Resolve{T}"/>: closed forms over the factors for the mean and
    /// standard deviation of factored costs, else one online pass over all n·m entries.
    /// </summary>
    /// <param name="scaling">Which statistic.</param>
    /// <exception cref="InputValidationException">The statistic is zero or not finite (for example all costs equal with <see cref="CostScaling.Std"/>).</exception>
    public CostGeometry<T> WithCostScaling(CostScaling scaling)
    {
        if (scaling == CostScaling.None)
        {
            return WithScaleFactorCore(T.One);
        }

        var raw = ScaleFactor == T.One ? this : WithScaleFactorCore(T.One);
        var s = CostScale.FromStatistic(scaling).Resolve(raw);
        return WithScaleFactorCore(T.CreateTruncating(1.0 / s));
    }

    /// <summary>Mean, standard deviation, min and max of all n·m (scaled) costs, in one online pass (parallel, O(tile) memory).</summary>
    /// <remarks>Each row block keeps its own partial sums, added in block order afterwards: the result does not depend on
    /// the thread count or on which block finishes first.</remarks>
    public CostStatistics ComputeStatistics()
    {
        var blocks = (Rows + TileRows - 1) / TileRows;
        var partial = new (double Sum, double SumSq, double Min, double Max)[blocks];
        ForEachRowBlock(TileRows, (i0, count) =>
        {
            var width = Math.Min(TileColumns, Cols);
            var tile = ArrayPool<T>.Shared.Rent(count * width);
            double s = 0, s2 = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            try
            {
                for (var j0 = 0; j0 < Cols; j0 += width)
                {
                    var w = Math.Min(width, Cols - j0);
                    var t = tile.AsSpan(0, count * w);
                    FillCostBlock(i0, count, j0, w, t);
                    foreach (var value in t)
                    {
                        var x = double.CreateTruncating(value);
                        s += x;
                        s2 += x * x;
                        lo = Math.Min(lo, x);
                        hi = Math.Max(hi, x);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(tile);
            }

            partial[i0 / TileRows] = (s, s2, lo, hi);
        });
        double sum = 0, sumSq = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var (s, s2, lo, hi) in partial)
        {
            sum += s;
            sumSq += s2;
            min = Math.Min(min, lo);
            max = Math.Max(max, hi);
        }

        var total = (double)Rows * Cols;
        var mean = sum / total;
        var variance = Math.Max(0, (sumSq / total) - (mean * mean));
        return new CostStatistics(mean, Math.Sqrt(variance), min, max);
    }

    /// <summary>Materializes C (scaled) as a row-major Rows × Cols array.</summary>
    /// <param name="maxEntries">Refuse above this many entries (default <see cref="PlanSize.DefaultMaxEntries"/>, 10⁸: 800 MB in float64).</param>
    /// <exception cref="InvalidOperationException">n·m exceeds <paramref name="maxEntries"/>; the message says how much memory it would take (<see cref="PlanSize.EnsureDense{T}"/>).</exception>
    public T[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries)
    {
        var entries = PlanSize.EnsureDense<T>(Rows, Cols, maxEntries, "cost matrix");
        var dst = new T[entries];
        ForEachRowBlock(TileRows, (i0, count) => FillCostBlock(i0, count, 0, Cols, dst.AsSpan(i0 * Cols, count * Cols)));
        return dst;
    }

    /// <summary>
    /// The raw (unscaled) costs as a row-major Rows × Cols array, for a solver that stores them
    /// (<see cref="CostStoragePolicy"/>; the caller has checked the size). By default tiles of the unscaled geometry;
    /// point clouds with the squared Euclidean cost override it with matrix products.
    /// </summary>
    internal virtual T[] MaterializeRawCosts()
        => (ScaleFactor == T.One ? this : WithScaleFactorCore(T.One)).ToDense(long.MaxValue);

    /// <summary>Creates the same geometry with another scale factor (relative to the raw costs).</summary>
    /// <param name="factor">Positive and finite.</param>
    protected abstract CostGeometry<T> WithScaleFactorCore(T factor);

    /// <summary>Runs <paramref name="body"/>(firstRow, rowCount) over blocks of rows, in parallel when the problem is large enough.</summary>
    /// <param name="blockRows">Rows per block.</param>
    /// <param name="body">The work for one block.</param>
    protected void ForEachRowBlock(int blockRows, Action<int, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var blocks = (Rows + blockRows - 1) / blockRows;
        if ((long)Rows * Cols < ParallelThreshold || blocks == 1 || Environment.ProcessorCount == 1)
        {
            for (var b = 0; b < blocks; b++)
            {
                var i0 = b * blockRows;
                body(i0, Math.Min(blockRows, Rows - i0));
            }

            return;
        }

        Parallel.For(0, blocks, b =>
        {
            var i0 = b * blockRows;
            body(i0, Math.Min(blockRows, Rows - i0));
        });
    }

    /// <summary>Checks the argument lengths of a reduction (<see cref="SoftMin"/>, <see cref="ApplyKernel"/>).</summary>
    /// <param name="input">The vector on the reduced axis.</param>
    /// <param name="logWeights">Optional log-weights (empty or same length as input).</param>
    /// <param name="destination">The result.</param>
    /// <param name="axis">The result axis.</param>
    /// <exception cref="ArgumentException">A length is wrong.</exception>
    protected void CheckReduction(ReadOnlySpan<T> input, ReadOnlySpan<T> logWeights, Span<T> destination, Axis axis)
    {
        var (outLength, inLength) = axis == Axis.Rows ? (Rows, Cols) : (Cols, Rows);
        if (input.Length != inLength)
        {
            throw new ArgumentException($"The input vector has length {input.Length}; expected {inLength} for axis {axis}.", nameof(input));
        }

        if (!logWeights.IsEmpty && logWeights.Length != inLength)
        {
            throw new ArgumentException($"The log-weights have length {logWeights.Length}; expected {inLength} (or empty).", nameof(logWeights));
        }

        if (destination.Length < outLength)
        {
            throw new ArgumentException($"The destination has length {destination.Length}; expected at least {outLength}.", nameof(destination));
        }
    }

    /// <summary>Checks the argument lengths of a block product (<see cref="ApplyCost(ReadOnlySpan{T}, int, Axis, Span{T})"/>).</summary>
    /// <param name="block">The input block.</param>
    /// <param name="columns">k.</param>
    /// <param name="destination">The result block.</param>
    /// <param name="axis">The result axis.</param>
    /// <exception cref="ArgumentException">A length is wrong.</exception>
    protected void CheckBlock(ReadOnlySpan<T> block, int columns, Span<T> destination, Axis axis)
    {
        if (columns < 1)
        {
            throw new ArgumentException($"The number of vectors must be at least 1 (got {columns}).", nameof(columns));
        }

        var (outLength, inLength) = axis == Axis.Rows ? (Rows, Cols) : (Cols, Rows);
        if (block.Length != (long)inLength * columns)
        {
            throw new ArgumentException($"The input block has length {block.Length}; expected {inLength} × {columns}.", nameof(block));
        }

        if (destination.Length < (long)outLength * columns)
        {
            throw new ArgumentException($"The destination has length {destination.Length}; expected at least {outLength} × {columns}.", nameof(destination));
        }
    }

    /// <summary>Checks the index lists of <see cref="Subset"/>.</summary>
    /// <param name="rows">Row indices.</param>
    /// <param name="cols">Column indices.</param>
    /// <exception cref="InputValidationException">An index is out of range or a list is empty.</exception>
    protected void CheckSubset(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols)
    {
        if (rows.IsEmpty || cols.IsEmpty)
        {
            throw new InputValidationException(InputProblem.Empty, $"A sub-geometry needs at least one row and one column (got {rows.Length} × {cols.Length}).", rows.IsEmpty ? nameof(rows) : nameof(cols));
        }

        CheckIndices(rows, Rows, nameof(rows));
        CheckIndices(cols, Cols, nameof(cols));

        static void CheckIndices(ReadOnlySpan<int> indices, int count, string name)
        {
            for (var k = 0; k < indices.Length; k++)
            {
                if ((uint)indices[k] >= (uint)count)
                {
                    throw new InputValidationException(InputProblem.InvalidParameter, $"Index {indices[k]} at position {k} of {name} is outside 0..{count - 1}.", name, k);
                }
            }
        }
    }

    /// <summary>Checks that ε is positive and finite.</summary>
    /// <param name="epsilon">ε.</param>
    /// <exception cref="InputValidationException">It is not.</exception>
    protected static void CheckEpsilon(T epsilon)
    {
        if (!(epsilon > T.Zero) || !T.IsFinite(epsilon))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ε must be positive and finite (got {epsilon}).", nameof(epsilon));
        }
    }

    /// <summary>Checks that a block lies inside the matrix and the destination is long enough.</summary>
    /// <param name="rowStart">First row.</param>
    /// <param name="rowCount">Number of rows.</param>
    /// <param name="colStart">First column.</param>
    /// <param name="colCount">Number of columns.</param>
    /// <param name="destinationLength">Length of the destination.</param>
    /// <exception cref="ArgumentOutOfRangeException">It does not.</exception>
    protected void CheckBlockRange(int rowStart, int rowCount, int colStart, int colCount, int destinationLength)
    {
        if (rowStart < 0 || rowCount < 0 || rowStart + rowCount > Rows || colStart < 0 || colCount < 0 || colStart + colCount > Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(rowStart), $"Block [{rowStart}, +{rowCount}) × [{colStart}, +{colCount}) is outside the {Rows} × {Cols} matrix.");
        }

        if (destinationLength < (long)rowCount * colCount)
        {
            throw new ArgumentOutOfRangeException(nameof(destinationLength), $"The destination has length {destinationLength}; the block needs {(long)rowCount * colCount}.");
        }
    }

    /// <summary>h(C)·V over row tiles built by <see cref="FillCostBlock"/> (arguments checked by the caller, axis Rows).</summary>
    private void ApplyCostTiles<TFunc>(TFunc function, ReadOnlySpan<T> block, int columns, Span<T> destination)
        where TFunc : struct, IElementwise<T>
    {
        var v = block.ToArray();
        var dst = new T[(long)Rows * columns];
        var k = columns;
        ForEachRowBlock(TileRows, (i0, count) =>
        {
            var width = Math.Min(TileColumns, Cols);
            var tile = ArrayPool<T>.Shared.Rent(count * width);
            try
            {
                for (var j0 = 0; j0 < Cols; j0 += width)
                {
                    var w = Math.Min(width, Cols - j0);
                    FillCostBlock(i0, count, j0, w, tile);
                    function.Apply(tile.AsSpan(0, count * w));
                    for (var r = 0; r < count; r++)
                    {
                        var row = tile.AsSpan(r * w, w);
                        var acc = dst.AsSpan((i0 + r) * k, k);
                        if (k == 1)
                        {
                            acc[0] += TensorPrimitives.Dot<T>(row, v.AsSpan(j0, w));
                            continue;
                        }

                        for (var c = 0; c < w; c++)
                        {
                            TensorPrimitives.MultiplyAdd(v.AsSpan((j0 + c) * k, k), row[c], acc, acc);
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(tile);
            }
        });
        dst.CopyTo(destination);
    }

    private void SoftMinRowBlock(T[] h, T[]? logWeights, T epsilon, int i0, int count, T[] dst)
    {
        var width = Math.Min(TileColumns, Cols);
        var tile = ArrayPool<T>.Shared.Rent(count * width);
        var tmp = ArrayPool<T>.Shared.Rent(width);
        Span<T> runMax = stackalloc T[count];
        Span<T> runSum = stackalloc T[count];
        runMax.Fill(T.NegativeInfinity);
        runSum.Clear();
        var invEps = T.One / epsilon;
        try
        {
            for (var j0 = 0; j0 < Cols; j0 += width)
            {
                var w = Math.Min(width, Cols - j0);
                FillCostBlock(i0, count, j0, w, tile);
                var t = tmp.AsSpan(0, w);
                for (var r = 0; r < count; r++)
                {
                    // t_j = ℓ_j + (h_j − C_ij)/ε
                    TensorPrimitives.Subtract(h.AsSpan(j0, w), tile.AsSpan(r * w, w), t);
                    TensorPrimitives.Multiply(t, invEps, t);
                    if (logWeights is not null)
                    {
                        TensorPrimitives.Add(t, logWeights.AsSpan(j0, w), t);
                    }

                    var m = TensorPrimitives.Max<T>(t);
                    if (T.IsNaN(m))
                    {
                        runSum[r] = T.NaN;
                        continue;
                    }

                    if (!(m > T.NegativeInfinity))
                    {
                        continue;
                    }

                    if (m > runMax[r])
                    {
                        runSum[r] *= T.Exp(runMax[r] - m);
                        runMax[r] = m;
                    }

                    TensorPrimitives.Subtract(t, runMax[r], t);
                    Numerics.DeterministicMath.Exp<T>(t, t); // TensorPrimitives.Exp rounds differently before and after tier-up
                    runSum[r] += TensorPrimitives.Sum<T>(t);
                }
            }

            for (var r = 0; r < count; r++)
            {
                dst[i0 + r] = T.IsNaN(runSum[r]) ? T.NaN : runSum[r] > T.Zero ? -epsilon * (runMax[r] + T.Log(runSum[r])) : T.PositiveInfinity;
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(tile);
            ArrayPool<T>.Shared.Return(tmp);
        }
    }

    /// <summary>h(c) = c: the plain product shares the tiled core with the element-wise ones.</summary>
    private readonly struct IdentityCost : IElementwise<T>
    {
        public T Apply(T cost) => cost;

        public void Apply(Span<T> costs)
        {
        }
    }
}
