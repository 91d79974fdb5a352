using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Numerics.Tensors;

namespace Monge.Geometry;

/// <summary>
/// A weighted sum of geometries of the same shape, C = s·Σ_k w_k C_k (each C_k already scaled by its own geometry), for
/// fused problems: fused Gromov-Wasserstein adds a linear term (1 − α)·C_lin to the quadratic one, and a cost made of
/// several feature blocks is a sum of their costs. Memory: the parts and their weights, nothing n × m.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <see cref="CostGeometry{T}.SoftMin"/> and <see cref="CostGeometry{T}.ApplyKernel"/> run the tiled defaults over
/// <see cref="FillCostBlock"/> (one tile of every part per row block); <see cref="ApplyCost(ReadOnlySpan{T}, int, Axis, Span{T})"/>
/// is the weighted sum of the parts' own products (each with its fast path, so low-rank parts stay O((n + m)·r));
/// <see cref="TryGetFactors"/> concatenates the parts' factors when every part has them (rank Σ r_k). An element-wise
/// function of the sum (<see cref="CostGeometry{T}.ApplyCost{TFunc}(TFunc, ReadOnlySpan{T}, int, Axis, Span{T})"/>) is
/// not a sum of the parts' functions and uses the tiled default.
/// </remarks>
public sealed class SumGeometry<T> : CostGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CostGeometry<T>[] _parts;
    private readonly T[] _weights;
    private SumGeometry<T>? _transposed;

    /// <summary>Creates C = s·Σ_k w_k C_k.</summary>
    /// <param name="parts">The geometries C_k, at least one, all with the same shape (taken as is).</param>
    /// <param name="weights">The weights w_k, one per part, finite (zero and negative weights are allowed).</param>
    /// <param name="scaleFactor">The overall multiplier s (default 1).</param>
    /// <exception cref="InputValidationException">No parts, shapes or counts that differ, a non-finite weight, or an invalid scale factor.</exception>
    public SumGeometry(IReadOnlyList<CostGeometry<T>> parts, IReadOnlyList<T> weights, T? scaleFactor = null)
        : base(FirstShape(parts).Rows, FirstShape(parts).Cols, scaleFactor ?? T.One)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != parts.Count)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"{parts.Count} geometries but {weights.Count} weights.", nameof(weights));
        }

        _parts = new CostGeometry<T>[parts.Count];
        _weights = new T[parts.Count];
        for (var k = 0; k < parts.Count; k++)
        {
            var part = parts[k] ?? throw new ArgumentNullException(nameof(parts), $"Part {k} is null.");
            if (part.Rows != Rows || part.Cols != Cols)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"Part {k} is {part.Rows} × {part.Cols}; part 0 is {Rows} × {Cols}.", nameof(parts), k);
            }

            if (!T.IsFinite(weights[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Weight {k} is {weights[k]}.", nameof(weights), k);
            }

            _parts[k] = part;
            _weights[k] = weights[k];
        }
    }

    private SumGeometry(CostGeometry<T>[] parts, T[] weights, T scaleFactor)
        : base(parts[0].Rows, parts[0].Cols, scaleFactor)
    {
        _parts = parts;
        _weights = weights;
    }

    /// <summary>The parts C_k.</summary>
    public IReadOnlyList<CostGeometry<T>> Parts => _parts;

    /// <summary>The weights w_k.</summary>
    public IReadOnlyList<T> Weights => _weights;

    /// <summary>Creates (1 − α)·<paramref name="linear"/> + α·<paramref name="other"/>, the fused-problem mixture.</summary>
    /// <param name="linear">The geometry weighted by 1 − α.</param>
    /// <param name="other">The geometry weighted by α.</param>
    /// <param name="alpha">α in [0, 1].</param>
    /// <returns>The mixture.</returns>
    /// <exception cref="InputValidationException">α outside [0, 1] or shapes that differ.</exception>
    public static SumGeometry<T> Mix(CostGeometry<T> linear, CostGeometry<T> other, T alpha)
    {
        if (!(alpha >= T.Zero && alpha <= T.One))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The fusion weight α must lie in [0, 1] (got {alpha}).", nameof(alpha));
        }

        return new SumGeometry<T>([linear, other], [T.One - alpha, alpha]);
    }

    /// <inheritdoc />
    public override T Cost(int i, int j)
    {
        var sum = T.Zero;
        for (var k = 0; k < _parts.Length; k++)
        {
            sum += _weights[k] * _parts[k].Cost(i, j);
        }

        return sum * ScaleFactor;
    }

    /// <inheritdoc />
    public override void FillCostBlock(int rowStart, int rowCount, int colStart, int colCount, Span<T> destination)
    {
        CheckBlockRange(rowStart, rowCount, colStart, colCount, destination.Length);
        var length = rowCount * colCount;
        var dst = destination[..length];
        _parts[0].FillCostBlock(rowStart, rowCount, colStart, colCount, dst);
        TensorPrimitives.Multiply(dst, _weights[0] * ScaleFactor, dst);
        if (_parts.Length == 1)
        {
            return;
        }

        var tmp = ArrayPool<T>.Shared.Rent(length);
        try
        {
            var t = tmp.AsSpan(0, length);
            for (var k = 1; k < _parts.Length; k++)
            {
                _parts[k].FillCostBlock(rowStart, rowCount, colStart, colCount, t);
                TensorPrimitives.MultiplyAdd(t, _weights[k] * ScaleFactor, dst, dst);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(tmp);
        }
    }

    /// <summary>C·V (or Cᵀ·U) as Σ_k s·w_k·(C_k·V): each part's own product (its fast path), O(k·(n + m)) extra memory.</summary>
    /// <param name="block">The k vectors, row-major.</param>
    /// <param name="columns">k.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <param name="destination">The row-major result.</param>
    /// <exception cref="ArgumentException">Wrong lengths.</exception>
    public override void ApplyCost(ReadOnlySpan<T> block, int columns, Axis axis, Span<T> destination)
    {
        CheckBlock(block, columns, destination, axis);
        var length = (axis == Axis.Rows ? Rows : Cols) * columns;
        var dst = destination[..length];
        var tmp = new T[length];
        dst.Clear();
        for (var k = 0; k < _parts.Length; k++)
        {
            _parts[k].ApplyCost(block, columns, axis, tmp);
            TensorPrimitives.MultiplyAdd(tmp, _weights[k] * ScaleFactor, dst, dst);
        }
    }

    /// <summary>The sum of the parts' transposes (each transposed as its own geometry does it).</summary>
    /// <returns>The m × n geometry.</returns>
    public override CostGeometry<T> Transpose()
    {
        var cached = _transposed;
        if (cached is not null)
        {
            return cached;
        }

        var parts = Array.ConvertAll(_parts, p => p.Transpose());
        cached = new SumGeometry<T>(parts, _weights, ScaleFactor) { _transposed = this };
        Interlocked.CompareExchange(ref _transposed, cached, null);
        return _transposed!;
    }

    /// <inheritdoc />
    /// <remarks>The sum of the parts' sub-geometries (each part copies what it stores); weights and scale kept.</remarks>
    public override CostGeometry<T> Subset(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols)
    {
        CheckSubset(rows, cols);
        var parts = new CostGeometry<T>[_parts.Length];
        for (var k = 0; k < parts.Length; k++)
        {
            parts[k] = _parts[k].Subset(rows, cols);
        }

        return new SumGeometry<T>(parts, _weights, ScaleFactor);
    }

    /// <summary>
    /// Factors of the sum when every part has factors: A = [s·w_1·A_1, …, s·w_K·A_K] and B = [B_1, …, B_K] side by side,
    /// rank Σ r_k (exact). Allocates O((n + m)·Σ r_k).
    /// </summary>
    /// <param name="factors">The factors (scale and weights folded into A), or null when some part has none.</param>
    /// <returns>Whether every part has factors.</returns>
    public override bool TryGetFactors([NotNullWhen(true)] out LowRankFactors<T>? factors)
    {
        factors = null;
        var parts = new LowRankFactors<T>[_parts.Length];
        var rank = 0;
        for (var k = 0; k < parts.Length; k++)
        {
            if (!_parts[k].TryGetFactors(out var f))
            {
                return false;
            }

            parts[k] = f;
            rank += f.Rank;
        }

        var a = new T[(long)Rows * rank];
        var b = new T[(long)Cols * rank];
        var offset = 0;
        for (var k = 0; k < parts.Length; k++)
        {
            var f = parts[k];
            var r = f.Rank;
            var w = _weights[k] * ScaleFactor;
            for (var i = 0; i < Rows; i++)
            {
                TensorPrimitives.Multiply(f.A.AsSpan(i * r, r), w, a.AsSpan((i * rank) + offset, r));
            }

            for (var j = 0; j < Cols; j++)
            {
                f.B.AsSpan(j * r, r).CopyTo(b.AsSpan((j * rank) + offset, r));
            }

            offset += r;
        }

        factors = new LowRankFactors<T>(a, b, rank);
        return true;
    }

    /// <inheritdoc />
    protected override CostGeometry<T> WithScaleFactorCore(T factor) => new SumGeometry<T>(_parts, _weights, factor);

    private static CostGeometry<T> FirstShape(IReadOnlyList<CostGeometry<T>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new InputValidationException(InputProblem.Empty, "A sum of geometries needs at least one part.", nameof(parts));
        }

        return parts[0] ?? throw new ArgumentNullException(nameof(parts), "Part 0 is null.");
    }
}
