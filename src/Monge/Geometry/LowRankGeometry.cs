using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Numerics.Tensors;

namespace Monge.Geometry;

/// <summary>
/// A cost given by factors C = A Bᵀ with A n × r and B m × r (OTT-JAX <c>LRCGeometry</c>). Products with C cost
/// O((n + m)·r) instead of O(n·m); the soft-min still visits every entry (O(n·m·r)) but never stores C.
/// Memory: the factors, (n + m)·r values (taken as is, not copied).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// The squared Euclidean cost between point clouds is exactly low-rank with r = d + 2 (see <see cref="SquaredEuclidean(PointCloud{T}, PointCloud{T})"/>).
/// </remarks>
public sealed class LowRankGeometry<T> : CostGeometry<T>, IFactoredGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _a;
    private readonly T[] _b;
    private LowRankGeometry<T>? _transposed;

    /// <summary>Wraps factors (not copied).</summary>
    /// <param name="a">Row factor, rows × rank, row-major, finite.</param>
    /// <param name="b">Column factor, cols × rank, row-major, finite.</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">m.</param>
    /// <param name="rank">r, at least 1.</param>
    /// <param name="scaleFactor">Multiplier applied to every cost (default 1).</param>
    /// <exception cref="InputValidationException">Wrong lengths, rank below 1, a non-finite entry or an invalid scale factor.</exception>
    public LowRankGeometry(T[] a, T[] b, int rows, int cols, int rank, T? scaleFactor = null)
        : base(rows, cols, scaleFactor ?? T.One)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (rank < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The rank must be at least 1 (got {rank}).", nameof(rank));
        }

        if (a.Length != (long)rows * rank || b.Length != (long)cols * rank)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Factors have lengths {a.Length} and {b.Length}; {rows} × {rank} and {cols} × {rank} are needed.", nameof(a));
        }

        CheckFinite(a, nameof(a));
        CheckFinite(b, nameof(b));
        _a = a;
        _b = b;
        Rank = rank;
    }

    private LowRankGeometry(T[] a, T[] b, int rows, int cols, int rank, T scaleFactor, bool trusted)
        : base(rows, cols, scaleFactor)
    {
        _ = trusted;
        _a = a;
        _b = b;
        Rank = rank;
    }

    /// <summary>The rank r.</summary>
    public int Rank { get; }

    /// <summary>The raw row factor A (rows × rank, without the scale factor).</summary>
    public ReadOnlySpan<T> A => _a;

    /// <summary>The raw column factor B (cols × rank).</summary>
    public ReadOnlySpan<T> B => _b;

    /// <summary>Builds the geometry from factors.</summary>
    /// <param name="factors">A (rows × r) and B (cols × r).</param>
    /// <param name="rows">n.</param>
    /// <param name="cols">m.</param>
    /// <exception cref="InputValidationException">Inconsistent lengths or non-finite entries.</exception>
    public static LowRankGeometry<T> FromFactors(LowRankFactors<T> factors, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(factors);
        return new LowRankGeometry<T>(factors.A, factors.B, rows, cols, factors.Rank);
    }

    /// <summary>The exact rank-(d + 2) factorization of the squared Euclidean cost between two clouds.</summary>
    /// <param name="source">The n source points.</param>
    /// <param name="target">The m target points, same dimension.</param>
    /// <exception cref="InputValidationException">The dimensions differ.</exception>
    public static LowRankGeometry<T> SquaredEuclidean(PointCloud<T> source, PointCloud<T> target)
    {
        var pc = new PointCloudGeometry<T>(source, target);
        pc.TryGetFactors(out var f);
        return FromFactors(f!, source.Count, target.Count);
    }

    /// <inheritdoc />
    public override T Cost(int i, int j)
    {
        if ((uint)i >= (uint)Rows || (uint)j >= (uint)Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(i), $"({i}, {j}) is outside the {Rows} × {Cols} geometry.");
        }

        return TensorPrimitives.Dot<T>(_a.AsSpan(i * Rank, Rank), _b.AsSpan(j * Rank, Rank)) * ScaleFactor;
    }

    /// <inheritdoc />
    public override void FillCostBlock(int rowStart, int rowCount, int colStart, int colCount, Span<T> destination)
    {
        CheckBlockRange(rowStart, rowCount, colStart, colCount, destination.Length);
        var r = Rank;
        var s = ScaleFactor;
        for (var i = 0; i < rowCount; i++)
        {
            var ai = _a.AsSpan((rowStart + i) * r, r);
            var dst = destination.Slice(i * colCount, colCount);
            for (var c = 0; c < colCount; c++)
            {
                var bj = _b.AsSpan((colStart + c) * r, r);
                var dot = T.Zero;
                for (var k = 0; k < r; k++)
                {
                    dot += ai[k] * bj[k];
                }

                dst[c] = dot * s;
            }
        }
    }

    /// <summary>C·V (or Cᵀ·U) as A (Bᵀ V): O((n + m)·r·k) time, O(r·k) extra memory.</summary>
    /// <param name="block">The k vectors, row-major.</param>
    /// <param name="columns">k.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <param name="destination">The row-major result.</param>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    public override void ApplyCost(ReadOnlySpan<T> block, int columns, Axis axis, Span<T> destination)
    {
        CheckBlock(block, columns, destination, axis);
        var (left, right, outRows, inRows) = axis == Axis.Rows ? (_a, _b, Rows, Cols) : (_b, _a, Cols, Rows);
        var r = Rank;
        var k = columns;
        var inner = new T[r * k];
        for (var j = 0; j < inRows; j++)
        {
            var v = block.Slice(j * k, k);
            var rj = right.AsSpan(j * r, r);
            for (var q = 0; q < r; q++)
            {
                TensorPrimitives.MultiplyAdd(v, rj[q], inner.AsSpan(q * k, k), inner.AsSpan(q * k, k));
            }
        }

        TensorPrimitives.Multiply(inner, ScaleFactor, inner);
        for (var i = 0; i < outRows; i++)
        {
            var dst = destination.Slice(i * k, k);
            dst.Clear();
            var li = left.AsSpan(i * r, r);
            for (var q = 0; q < r; q++)
            {
                TensorPrimitives.MultiplyAdd(inner.AsSpan(q * k, k), li[q], dst, dst);
            }
        }
    }

    /// <summary>
    /// h(C)·V (or h(C)ᵀ·U). For <see cref="SquaredCost{T}"/> this uses the exact rank-r² factorization
    /// C∘C = s²·(A ⊙ A)(B ⊙ B)ᵀ, with a_i ⊙ a_i the r² products a_ip·a_iq, in O((n + m)·r²·k) time and O(r²·k) extra
    /// memory, never visiting the n × m entries; other functions use the tiled default.
    /// </summary>
    /// <typeparam name="TFunc">The function, a struct.</typeparam>
    /// <param name="function">h.</param>
    /// <param name="block">The k vectors, row-major.</param>
    /// <param name="columns">k.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <param name="destination">The row-major result.</param>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    public override void ApplyCost<TFunc>(TFunc function, ReadOnlySpan<T> block, int columns, Axis axis, Span<T> destination)
    {
        if (typeof(TFunc) == typeof(Numerics.BlockedProduct.Identity<T>))
        {
            // h(c) = c: the factored product, O((n + m)·r·k), not the tiled O(n·m·k) default.
            ApplyCost(block, columns, axis, destination);
            return;
        }

        if (typeof(TFunc) != typeof(SquaredCost<T>))
        {
            base.ApplyCost(function, block, columns, axis, destination);
            return;
        }

        CheckBlock(block, columns, destination, axis);
        var (left, right, outRows, inRows) = axis == Axis.Rows ? (_a, _b, Rows, Cols) : (_b, _a, Cols, Rows);
        var r = Rank;
        var k = columns;

        // inner[(p, q), :] = Σ_j b_jp b_jq v_j (p ≤ q only: the Kronecker square is symmetric in p and q).
        var inner = new T[r * r * k];
        for (var j = 0; j < inRows; j++)
        {
            var v = block.Slice(j * k, k);
            var rj = right.AsSpan(j * r, r);
            for (var p = 0; p < r; p++)
            {
                for (var q = p; q < r; q++)
                {
                    var slot = inner.AsSpan(((p * r) + q) * k, k);
                    TensorPrimitives.MultiplyAdd(v, rj[p] * rj[q], slot, slot);
                }
            }
        }

        // Off-diagonal pairs count twice; the scale enters squared.
        var s2 = ScaleFactor * ScaleFactor;
        var two = s2 + s2;
        for (var p = 0; p < r; p++)
        {
            for (var q = p; q < r; q++)
            {
                var slot = inner.AsSpan(((p * r) + q) * k, k);
                TensorPrimitives.Multiply(slot, p == q ? s2 : two, slot);
            }
        }

        for (var i = 0; i < outRows; i++)
        {
            var dst = destination.Slice(i * k, k);
            dst.Clear();
            var li = left.AsSpan(i * r, r);
            for (var p = 0; p < r; p++)
            {
                for (var q = p; q < r; q++)
                {
                    TensorPrimitives.MultiplyAdd(inner.AsSpan(((p * r) + q) * k, k), li[p] * li[q], dst, dst);
                }
            }
        }
    }

    /// <summary>
    /// The element-wise square C∘C as a factored geometry of rank r²: A' = A ⊙ A and B' = B ⊙ B (row-wise Kronecker
    /// squares, a'_i = (a_ip·a_iq)_{p,q}), scale factor s². Memory (n + m)·r²; exact up to rounding.
    /// </summary>
    /// <returns>The geometry of C∘C.</returns>
    public LowRankGeometry<T> ElementwiseSquare()
    {
        var r = Rank;
        var a = KroneckerSquare(_a, Rows, r);
        var b = KroneckerSquare(_b, Cols, r);
        return new LowRankGeometry<T>(a, b, Rows, Cols, r * r, ScaleFactor * ScaleFactor, trusted: true);

        static T[] KroneckerSquare(T[] factor, int count, int r)
        {
            var result = new T[(long)count * r * r];
            for (var i = 0; i < count; i++)
            {
                var row = factor.AsSpan(i * r, r);
                var dst = result.AsSpan(i * r * r, r * r);
                for (var p = 0; p < r; p++)
                {
                    TensorPrimitives.Multiply(row, row[p], dst.Slice(p * r, r));
                }
            }

            return result;
        }
    }

    /// <inheritdoc />
    /// <remarks>The factors with the scale factor folded into A (allocates a copy of A when the scale is not 1).</remarks>
    public LowRankFactors<T> Factors
    {
        get
        {
            TryGetFactors(out var factors);
            return factors!;
        }
    }

    /// <inheritdoc />
    /// <remarks>Copies O((|rows| + |cols|)·r) factor values; the scale factor is kept.</remarks>
    public override CostGeometry<T> Subset(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols)
    {
        CheckSubset(rows, cols);
        var r = Rank;
        var a = new T[rows.Length * r];
        var b = new T[cols.Length * r];
        for (var k = 0; k < rows.Length; k++)
        {
            _a.AsSpan(rows[k] * r, r).CopyTo(a.AsSpan(k * r, r));
        }

        for (var k = 0; k < cols.Length; k++)
        {
            _b.AsSpan(cols[k] * r, r).CopyTo(b.AsSpan(k * r, r));
        }

        return new LowRankGeometry<T>(a, b, rows.Length, cols.Length, r, ScaleFactor, trusted: true);
    }

    /// <inheritdoc />
    IFactoredGeometry<T> IFactoredGeometry<T>.Subset(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols) => (LowRankGeometry<T>)Subset(rows, cols);

    /// <inheritdoc />
    public override CostGeometry<T> Transpose()
    {
        var cached = _transposed;
        if (cached is not null)
        {
            return cached;
        }

        cached = new LowRankGeometry<T>(_b, _a, Cols, Rows, Rank, ScaleFactor, trusted: true) { _transposed = this };
        Interlocked.CompareExchange(ref _transposed, cached, null);
        return _transposed!;
    }

    /// <inheritdoc />
    public override bool TryGetFactors([NotNullWhen(true)] out LowRankFactors<T>? factors)
    {
        var a = _a;
        if (ScaleFactor != T.One)
        {
            a = new T[_a.Length];
            TensorPrimitives.Multiply(_a, ScaleFactor, a);
        }

        factors = new LowRankFactors<T>(a, _b, Rank);
        return true;
    }

    /// <inheritdoc />
    protected override CostGeometry<T> WithScaleFactorCore(T factor) => new LowRankGeometry<T>(_a, _b, Rows, Cols, Rank, factor, trusted: true);

    private static void CheckFinite(T[] values, string name)
    {
        for (var k = 0; k < values.Length; k++)
        {
            if (!T.IsFinite(values[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Factor '{name}' has a non-finite entry at index {k}.", name, k);
            }
        }
    }
}
