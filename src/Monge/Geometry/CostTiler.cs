using System.Numerics;
using Monge.Geometry.Costs;

namespace Monge.Geometry;

/// <summary>Evaluates blocks of c(x_i, y_j) for a point-cloud geometry; specialized per cost type by the JIT.</summary>
internal abstract class CostTiler<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public abstract ICostFunction<T> Function { get; }

    public abstract T Cost(PointCloud<T> x, PointCloud<T> y, int i, int j);

    public abstract void Fill(PointCloud<T> x, PointCloud<T> y, int rowStart, int rowCount, int colStart, int colCount, T scale, Span<T> destination);

    /// <summary>The tiler for the transposed geometry (c'(y, x) = c(x, y)).</summary>
    public abstract CostTiler<T> Transposed();
}

/// <summary>Generic tiler: one <see cref="ICostFunction{T}.Evaluate"/> per pair, constrained call for structs.</summary>
internal sealed class CostTiler<T, TCost> : CostTiler<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TCost : ICostFunction<T>
{
    private readonly TCost _cost;
    private readonly bool _swapped;

    public CostTiler(TCost cost, bool swapped)
    {
        _cost = cost;
        _swapped = swapped;
    }

    public override ICostFunction<T> Function => _cost;

    public override T Cost(PointCloud<T> x, PointCloud<T> y, int i, int j)
        => _swapped ? _cost.Evaluate(y.Row(j), x.Row(i)) : _cost.Evaluate(x.Row(i), y.Row(j));

    public override void Fill(PointCloud<T> x, PointCloud<T> y, int rowStart, int rowCount, int colStart, int colCount, T scale, Span<T> destination)
    {
        var d = x.Dimension;
        var xs = x.Data;
        var ys = y.Data;
        for (var r = 0; r < rowCount; r++)
        {
            var xi = xs.Slice((rowStart + r) * d, d);
            var dst = destination.Slice(r * colCount, colCount);
            for (var c = 0; c < colCount; c++)
            {
                var yj = ys.Slice((colStart + c) * d, d);
                dst[c] = (_swapped ? _cost.Evaluate(yj, xi) : _cost.Evaluate(xi, yj)) * scale;
            }
        }
    }

    public override CostTiler<T> Transposed() => _cost.IsSymmetric ? this : new CostTiler<T, TCost>(_cost, !_swapped);
}

/// <summary>
/// Squared Euclidean tiler: |x|² + |y|² − 2⟨x, y⟩ with precomputed norms, clamped at zero. Coordinates are centered at
/// the mean of both clouds first (the cost is translation invariant), which keeps the expansion accurate in float32.
/// Memory: a centered copy of both clouds, O((n + m)·d) (one copy when both sides are the same cloud object).
/// </summary>
internal sealed class SquaredEuclideanTiler<T> : CostTiler<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public SquaredEuclideanTiler(PointCloud<T> x, PointCloud<T> y)
    {
        var d = x.Dimension;
        var center = new double[d];
        foreach (var cloud in new[] { x, y })
        {
            var data = cloud.Data;
            for (var k = 0; k < data.Length; k++)
            {
                center[k % d] += double.CreateTruncating(data[k]);
            }
        }

        for (var k = 0; k < d; k++)
        {
            center[k] /= x.Count + y.Count;
        }

        SourceCentered = Center(x, center);
        SourceNorms = Norms(SourceCentered, d);

        // A self geometry (x, x), as in the Sinkhorn divergence, shares one centered copy between both sides (read-only).
        TargetCentered = ReferenceEquals(x, y) ? SourceCentered : Center(y, center);
        TargetNorms = ReferenceEquals(x, y) ? SourceNorms : Norms(TargetCentered, d);
        Dimension = d;
    }

    private SquaredEuclideanTiler(T[] xc, T[] yc, T[] xNorms, T[] yNorms, int d)
    {
        SourceCentered = xc;
        TargetCentered = yc;
        SourceNorms = xNorms;
        TargetNorms = yNorms;
        Dimension = d;
    }

    public override ICostFunction<T> Function => default(SquaredEuclidean<T>);

    public T[] SourceCentered { get; }

    public T[] TargetCentered { get; }

    public T[] SourceNorms { get; }

    public T[] TargetNorms { get; }

    public int Dimension { get; }

    public override T Cost(PointCloud<T> x, PointCloud<T> y, int i, int j) => default(SquaredEuclidean<T>).Evaluate(x.Row(i), y.Row(j));

    public override void Fill(PointCloud<T> x, PointCloud<T> y, int rowStart, int rowCount, int colStart, int colCount, T scale, Span<T> destination)
    {
        var d = Dimension;
        var xs = SourceCentered;
        for (var r = 0; r < rowCount; r++)
        {
            var i = rowStart + r;
            var xi = xs.AsSpan(i * d, d);
            var xn = SourceNorms[i];
            var dst = destination.Slice(r * colCount, colCount);
            for (var c = 0; c < colCount; c++)
            {
                dst[c] = Entry(xi, xn, colStart + c, scale);
            }
        }
    }

    /// <summary>
    /// One entry of <see cref="Fill"/>, max(0, |x|² + |y_j|² − 2⟨x, y_j⟩)·scale, with the same operations in the same order
    /// (so the same bits): <paramref name="xi"/> a centered source row, <paramref name="xn"/> its norm from
    /// <see cref="SourceNorms"/>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public T Entry(ReadOnlySpan<T> xi, T xn, int j, T scale)
    {
        var d = Dimension;
        var yj = TargetCentered.AsSpan(j * d, d);
        var dot = T.Zero;
        for (var k = 0; k < d; k++)
        {
            dot += xi[k] * yj[k];
        }

        return T.Max(T.Zero, xn + TargetNorms[j] - (T.CreateTruncating(2) * dot)) * scale;
    }

    public override CostTiler<T> Transposed() => new SquaredEuclideanTiler<T>(TargetCentered, SourceCentered, TargetNorms, SourceNorms, Dimension);

    private static T[] Center(PointCloud<T> cloud, double[] center)
    {
        var d = cloud.Dimension;
        var data = cloud.Data;
        var result = new T[data.Length];
        for (var k = 0; k < data.Length; k++)
        {
            result[k] = T.CreateTruncating(double.CreateTruncating(data[k]) - center[k % d]);
        }

        return result;
    }

    private static T[] Norms(T[] data, int d)
    {
        var norms = new T[data.Length / d];
        for (var i = 0; i < norms.Length; i++)
        {
            var row = data.AsSpan(i * d, d);
            norms[i] = System.Numerics.Tensors.TensorPrimitives.Dot<T>(row, row);
        }

        return norms;
    }
}
