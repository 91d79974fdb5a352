using System.Numerics;
using System.Runtime.CompilerServices;
using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Tools;

/// <summary>
/// Squared Euclidean ‖x − y‖² or Euclidean ‖x − y‖ between two point clouds, recomputed in tiles from coordinate
/// differences (no |x|² + |y|² − 2⟨x, y⟩ expansion, so no cancellation) with the target held transposed (d × m) so
/// that one row of a tile is a SIMD sweep over the columns. Used by <see cref="DualBound"/> for the float64
/// c-transforms and for the Euclidean Sinkhorn solve, where the generic point-cloud tiler evaluates one pair at a time.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>Memory: the two clouds, row-major and transposed, 2·(n + m)·d values. Never n × m.</remarks>
internal sealed class PointDifferenceGeometry<T> : CostGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _x;
    private readonly T[] _yT;
    private readonly T[] _y;
    private readonly T[] _xT;
    private readonly int _d;
    private readonly bool _sqrt;
    private PointDifferenceGeometry<T>? _transposed;

    public PointDifferenceGeometry(PointCloud<T> source, PointCloud<T> target, bool euclidean)
        : this(source.Data.ToArray(), target.Data.ToArray(), source.Count, target.Count, source.Dimension, euclidean, T.One)
    {
    }

    private PointDifferenceGeometry(T[] x, T[] y, int n, int m, int d, bool euclidean, T scale, T[]? xT = null, T[]? yT = null)
        : base(n, m, scale)
    {
        _x = x;
        _y = y;
        _d = d;
        _sqrt = euclidean;
        _xT = xT ?? DenseLinearAlgebra.Transpose<T>(x, n, d);
        _yT = yT ?? DenseLinearAlgebra.Transpose<T>(y, m, d);
    }

    /// <summary>The points' dimension.</summary>
    public int Dimension => _d;

    public override T Cost(int i, int j)
    {
        if ((uint)i >= (uint)Rows || (uint)j >= (uint)Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(i), $"({i}, {j}) is outside the {Rows} × {Cols} geometry.");
        }

        return Entry(i, j) * ScaleFactor;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void FillCostBlock(int rowStart, int rowCount, int colStart, int colCount, Span<T> destination)
    {
        CheckBlockRange(rowStart, rowCount, colStart, colCount, destination.Length);
        var d = _d;
        for (var r = 0; r < rowCount; r++)
        {
            // Σ (y − x)², not the |x|² + |y|² − 2⟨x, y⟩ expansion: the float64 c-transforms must not cancel (see the kernel).
            var xi = _x.AsSpan((rowStart + r) * d, d);
            PointDifferenceKernel.Row<T>(xi, _yT, Cols, colStart, _sqrt, ScaleFactor, destination.Slice(r * colCount, colCount));
        }
    }

    public override CostGeometry<T> Transpose()
    {
        var cached = _transposed;
        if (cached is not null)
        {
            return cached;
        }

        cached = new PointDifferenceGeometry<T>(_y, _x, Cols, Rows, _d, _sqrt, ScaleFactor, _yT, _xT) { _transposed = this };
        Interlocked.CompareExchange(ref _transposed, cached, null);
        return _transposed!;
    }

    protected override CostGeometry<T> WithScaleFactorCore(T factor) => new PointDifferenceGeometry<T>(_x, _y, Rows, Cols, _d, _sqrt, factor, _xT, _yT);

    private T Entry(int i, int j)
    {
        var acc = T.Zero;
        for (var k = 0; k < _d; k++)
        {
            var diff = _y[(j * _d) + k] - _x[(i * _d) + k];
            acc += diff * diff;
        }

        return _sqrt ? T.Sqrt(acc) : acc;
    }
}
