using System.Numerics;
using System.Runtime.CompilerServices;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Numerics;

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
/// Rows of a point-cloud cost s·c(x_i, y_j) computed on demand, specialised by the JIT for the cost struct
/// <typeparamref name="TCost"/>. Squared Euclidean ‖x_i − y_j‖² and Euclidean ‖x_i − y_j‖ take a SIMD fast path over
/// coordinate differences with the targets held transposed (d × m), so that one row is a SIMD sweep over j
/// (<see cref="PointDifferenceKernel.Row{T}"/>); every
/// other cost calls <see cref="ICostFunction{T}.Evaluate"/> once per pair (no interface call when it is a struct).
/// </summary>
internal readonly ref struct PointCostRows<T, TCost> : ICostRows<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TCost : ICostFunction<T>
{
    private readonly ReadOnlySpan<T> _x;
    private readonly ReadOnlySpan<T> _y;
    private readonly ReadOnlySpan<T> _yT;
    private readonly int _d;
    private readonly int _m;
    private readonly T _scale;
    private readonly bool _scaled;
    private readonly TCost _cost;

    /// <summary>Creates the rows.</summary>
    /// <param name="x">Sources, row-major n × d.</param>
    /// <param name="y">Targets, row-major m × d (read by the generic path).</param>
    /// <param name="yTransposed">Targets transposed, d × m (read by the squared Euclidean and Euclidean fast paths; may be empty otherwise).</param>
    /// <param name="d">The dimension.</param>
    /// <param name="m">The number of targets.</param>
    /// <param name="cost">The ground cost.</param>
    /// <param name="scale">The factor applied to every cost (1 for none).</param>
    public PointCostRows(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> yTransposed, int d, int m, TCost cost, T scale)
    {
        _x = x;
        _y = y;
        _yT = yTransposed;
        _d = d;
        _m = m;
        _cost = cost;
        _scale = scale;
        _scaled = scale != T.One;
    }

    /// <summary>Whether <typeparamref name="TCost"/> takes the SIMD difference path (and so reads the transposed targets).</summary>
    public static bool UsesTransposed => typeof(TCost) == typeof(SquaredEuclidean<T>) || typeof(TCost) == typeof(Euclidean<T>);

    private static bool Sqrt => typeof(TCost) == typeof(Euclidean<T>);

    /// <summary>Writes the transpose of row-major <paramref name="y"/> (m × d) into <paramref name="dst"/> (d × m).</summary>
    public static void Transpose(ReadOnlySpan<T> y, int m, int d, Span<T> dst) => DenseLinearAlgebra.Transpose(y, m, d, dst);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<T> Row(int i, Span<T> scratch)
    {
        var m = _m;
        var dst = scratch[..m];
        var xi = _x.Slice(i * _d, _d);
        if (!UsesTransposed)
        {
            for (var j = 0; j < m; j++)
            {
                dst[j] = _cost.Evaluate(xi, _y.Slice(j * _d, _d));
            }

            if (_scaled)
            {
                for (var j = 0; j < m; j++)
                {
                    dst[j] *= _scale;
                }
            }

            return dst;
        }

        PointDifferenceKernel.Row(xi, _yT, m, 0, Sqrt, _scale, dst);
        return dst;
    }

    public T Entry(int i, int j)
    {
        if (!UsesTransposed)
        {
            var c = _cost.Evaluate(_x.Slice(i * _d, _d), _y.Slice(j * _d, _d));
            return _scaled ? c * _scale : c;
        }

        var acc = T.Zero;
        for (var k = 0; k < _d; k++)
        {
            var diff = _yT[(k * _m) + j] - _x[(i * _d) + k];
            acc += diff * diff;
        }

        var value = Sqrt ? T.Sqrt(acc) : acc;
        return _scaled ? value * _scale : value;
    }
}

/// <summary>Rows of any geometry read through <see cref="CostGeometry{T}.FillCostBlock"/> (one row block per call).</summary>
internal readonly ref struct GeometryCostRows<T> : ICostRows<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CostGeometry<T> _geometry;

    public GeometryCostRows(CostGeometry<T> geometry) => _geometry = geometry;

    public ReadOnlySpan<T> Row(int i, Span<T> scratch)
    {
        var dst = scratch[.._geometry.Cols];
        _geometry.FillCostBlock(i, 1, 0, _geometry.Cols, dst);
        return dst;
    }

    public T Entry(int i, int j) => _geometry.Cost(i, j);
}
