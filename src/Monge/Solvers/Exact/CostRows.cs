using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monge.Solvers.Exact;

/// <summary>Gives the exact solvers one row of an n × m cost matrix at a time (stored or computed on the fly).</summary>
internal interface ICostRows<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Row <paramref name="i"/>: a view of stored data, or <paramref name="scratch"/> (length m) filled in.</summary>
    ReadOnlySpan<T> Row(int i, Span<T> scratch);

    /// <summary>The single entry C[i, j].</summary>
    T Entry(int i, int j);
}

/// <summary>A stored row-major n × m cost matrix.</summary>
internal readonly ref struct DenseCostRows<T> : ICostRows<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ReadOnlySpan<T> _cost;
    private readonly int _cols;

    public DenseCostRows(ReadOnlySpan<T> cost, int cols)
    {
        _cost = cost;
        _cols = cols;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<T> Row(int i, Span<T> scratch) => _cost.Slice(i * _cols, _cols);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Entry(int i, int j) => _cost[(i * _cols) + j];
}

/// <summary>
/// Rows of a point-cloud cost computed on demand: squared Euclidean ‖x_i − y_j‖² or Euclidean ‖x_i − y_j‖.
/// Target coordinates are held transposed (d × m) so that one row is a SIMD sweep over j.
/// </summary>
internal readonly ref struct PointCostRows<T> : ICostRows<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ReadOnlySpan<T> _x;
    private readonly ReadOnlySpan<T> _yT;
    private readonly int _d;
    private readonly int _m;
    private readonly bool _sqrt;

    public PointCostRows(ReadOnlySpan<T> x, ReadOnlySpan<T> yTransposed, int d, int m, GroundCost cost)
    {
        _x = x;
        _yT = yTransposed;
        _d = d;
        _m = m;
        _sqrt = cost == GroundCost.Euclidean;
    }

    /// <summary>Writes the transpose of row-major <paramref name="y"/> (m × d) into <paramref name="dst"/> (d × m).</summary>
    public static void Transpose(ReadOnlySpan<T> y, int m, int d, Span<T> dst)
    {
        for (var j = 0; j < m; j++)
        {
            for (var k = 0; k < d; k++)
            {
                dst[(k * m) + j] = y[(j * d) + k];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<T> Row(int i, Span<T> scratch)
    {
        var m = _m;
        var dst = scratch[..m];
        var xi = _x.Slice(i * _d, _d);
        var j0 = 0;
        if (Vector256.IsHardwareAccelerated && m >= Vector256<T>.Count)
        {
            ref var yRef = ref MemoryMarshal.GetReference(_yT);
            ref var dRef = ref MemoryMarshal.GetReference(dst);
            var last = m - Vector256<T>.Count;
            for (var j = 0; ; j += Vector256<T>.Count)
            {
                if (j > last)
                {
                    j = last;
                }

                var acc = Vector256<T>.Zero;
                for (var k = 0; k < _d; k++)
                {
                    var diff = Vector256.LoadUnsafe(ref yRef, (nuint)((k * m) + j)) - Vector256.Create(xi[k]);
                    acc += diff * diff;
                }

                if (_sqrt)
                {
                    acc = Vector256.Sqrt(acc);
                }

                acc.StoreUnsafe(ref dRef, (nuint)j);
                if (j == last)
                {
                    break;
                }
            }

            j0 = m;
        }

        for (var j = j0; j < m; j++)
        {
            dst[j] = Entry(i, j);
        }

        return dst;
    }

    public T Entry(int i, int j)
    {
        var acc = T.Zero;
        for (var k = 0; k < _d; k++)
        {
            var diff = _yT[(k * _m) + j] - _x[(i * _d) + k];
            acc += diff * diff;
        }

        return _sqrt ? T.Sqrt(acc) : acc;
    }
}
