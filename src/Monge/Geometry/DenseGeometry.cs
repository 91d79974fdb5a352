using System.Numerics;
using Monge.Numerics;

namespace Monge.Geometry;

/// <summary>
/// A geometry given by an explicit n × m cost matrix (row-major), as POT and OTT-JAX <c>Geometry(cost_matrix)</c>.
/// Memory: the matrix itself (taken as is, not copied), plus a transposed copy made once on the first
/// <see cref="Axis.Columns"/> reduction.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class DenseGeometry<T> : CostGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _cost;
    private DenseGeometry<T>? _transposed;

    /// <summary>Wraps a row-major cost matrix (not copied; do not change it afterwards).</summary>
    /// <param name="cost">The costs, length rows × cols, all finite.</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">m.</param>
    /// <param name="scaleFactor">Multiplier applied to every entry (default 1).</param>
    /// <exception cref="InputValidationException">Wrong length, empty shape, a non-finite entry, or an invalid scale factor.</exception>
    public DenseGeometry(T[] cost, int rows, int cols, T? scaleFactor = null)
        : base(rows, cols, scaleFactor ?? T.One)
    {
        ArgumentNullException.ThrowIfNull(cost);
        if (cost.Length != (long)rows * cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The cost matrix has {cost.Length} entries; {rows} × {cols} needs {(long)rows * cols}.", nameof(cost));
        }

        for (var k = 0; k < cost.Length; k++)
        {
            if (!T.IsFinite(cost[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Cost entry ({k / cols}, {k % cols}) is {cost[k]}.", nameof(cost), k);
            }
        }

        _cost = cost;
    }

    /// <summary>Wraps a matrix known to be finite (built by the library), without the validation pass.</summary>
    internal DenseGeometry(T[] cost, int rows, int cols, T scaleFactor, bool trusted)
        : base(rows, cols, scaleFactor)
    {
        _ = trusted;
        _cost = cost;
    }

    /// <summary>Builds a dense geometry from a 2-D array (copied).</summary>
    /// <param name="cost">The n × m costs.</param>
    /// <exception cref="InputValidationException">Empty or non-finite.</exception>
    public static DenseGeometry<T> FromMatrix(T[,] cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var n = cost.GetLength(0);
        var m = cost.GetLength(1);
        var data = new T[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                data[(i * m) + j] = cost[i, j];
            }
        }

        return new DenseGeometry<T>(data, n, m);
    }

    /// <summary>The raw (unscaled) row-major matrix.</summary>
    public ReadOnlySpan<T> RawCosts => _cost;

    /// <summary>The raw (unscaled) row-major matrix itself, for a solver that reads it in place (never written).</summary>
    internal T[] RawArray => _cost;

    /// <inheritdoc />
    public override bool IsDense => true;

    /// <inheritdoc />
    public override T Cost(int i, int j)
    {
        if ((uint)i >= (uint)Rows || (uint)j >= (uint)Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(i), $"({i}, {j}) is outside the {Rows} × {Cols} matrix.");
        }

        return _cost[((long)i * Cols) + j] * ScaleFactor;
    }

    /// <inheritdoc />
    public override void FillCostBlock(int rowStart, int rowCount, int colStart, int colCount, Span<T> destination)
    {
        CheckBlockRange(rowStart, rowCount, colStart, colCount, destination.Length);
        var s = ScaleFactor;
        for (var r = 0; r < rowCount; r++)
        {
            var src = _cost.AsSpan(((rowStart + r) * Cols) + colStart, colCount);
            var dst = destination.Slice(r * colCount, colCount);
            if (s == T.One)
            {
                src.CopyTo(dst);
            }
            else
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(src, s, dst);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Float and double with AVX2 or AVX-512: a fused two-pass kernel per row (<c>Numerics.DenseSoftMin</c>: exact row
    /// maximum, then a shifted polynomial 2^x sum), O(n·m), the matrix read from memory once; <see cref="Axis.Columns"/>
    /// runs it on the cached transposed copy.
    /// </remarks>
    public override void SoftMin(ReadOnlySpan<T> potential, ReadOnlySpan<T> logWeights, T epsilon, Axis axis, Span<T> destination)
    {
        if (!Numerics.DenseSoftMin.IsSupported<T>())
        {
            base.SoftMin(potential, logWeights, epsilon, axis, destination);
            return;
        }

        if (SoftMinOnRows(potential, logWeights, epsilon, axis, destination))
        {
            Numerics.DenseSoftMin.Run(_cost, Rows, Cols, ScaleFactor, potential, logWeights, epsilon, destination[..Rows]);
        }
    }

    /// <inheritdoc />
    /// <remarks>A cache-blocked product on the stored matrix (register-tiled, parallel over row blocks): O(n·m·k) time,
    /// O(n·k) extra memory; <see cref="Axis.Columns"/> runs it on the cached transposed copy.</remarks>
    public override void ApplyCost(ReadOnlySpan<T> block, int columns, Axis axis, Span<T> destination)
        => ApplyCost(default(BlockedProduct.Identity<T>), block, columns, axis, destination);

    /// <inheritdoc />
    /// <remarks>A cache-blocked product with h applied to the stored matrix while its blocks are packed (h(C) is never
    /// stored): O(n·m·k) time, O(n·k) extra memory; <see cref="Axis.Columns"/> runs it on the cached transposed copy.</remarks>
    public override void ApplyCost<TFunc>(TFunc function, ReadOnlySpan<T> block, int columns, Axis axis, Span<T> destination)
    {
        if (axis == Axis.Columns)
        {
            Transpose().ApplyCost(function, block, columns, Axis.Rows, destination);
            return;
        }

        CheckBlock(block, columns, destination, axis);
        var dst = new T[(long)Rows * columns];
        BlockedProduct.Multiply(_cost, Rows, Cols, ScaleFactor, function, block.ToArray(), columns, dst);
        dst.CopyTo(destination);
    }

    /// <inheritdoc />
    /// <remarks>Copies the |rows|·|cols| selected raw entries; the scale factor is kept.</remarks>
    public override CostGeometry<T> Subset(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols)
    {
        CheckSubset(rows, cols);
        var dst = new T[(long)rows.Length * cols.Length];
        for (var k = 0; k < rows.Length; k++)
        {
            var src = _cost.AsSpan(rows[k] * Cols, Cols);
            var row = dst.AsSpan(k * cols.Length, cols.Length);
            for (var l = 0; l < cols.Length; l++)
            {
                row[l] = src[cols[l]];
            }
        }

        return new DenseGeometry<T>(dst, rows.Length, cols.Length, ScaleFactor);
    }

    /// <inheritdoc />
    public override CostGeometry<T> Transpose()
    {
        var cached = _transposed;
        if (cached is not null)
        {
            return cached;
        }

        var t = new T[_cost.Length];
        for (var i = 0; i < Rows; i++)
        {
            for (var j = 0; j < Cols; j++)
            {
                t[((long)j * Rows) + i] = _cost[((long)i * Cols) + j];
            }
        }

        cached = new DenseGeometry<T>(t, Cols, Rows, ScaleFactor, trusted: true) { _transposed = this };
        Interlocked.CompareExchange(ref _transposed, cached, null);
        return _transposed!;
    }

    /// <inheritdoc />
    protected override CostGeometry<T> WithScaleFactorCore(T factor) => new DenseGeometry<T>(_cost, Rows, Cols, factor, trusted: true);
}
