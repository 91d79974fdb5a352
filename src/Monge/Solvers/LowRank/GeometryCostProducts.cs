using System.Numerics;
using Monge.Geometry;

namespace Monge.Solvers.LowRank;

/// <summary>
/// Cost products through a <see cref="CostGeometry{T}"/> (its block <c>ApplyCost</c>): dense, online point-cloud or
/// factored, in float or double. Float geometries convert each block to and from double (O((n+m)·k) extra memory).
/// </summary>
internal sealed class GeometryCostProducts<T> : CostProducts
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CostGeometry<T> _geometry;
    private readonly long _bytes;

    public GeometryCostProducts(CostGeometry<T> geometry, long bytes)
    {
        _geometry = geometry;
        _bytes = bytes;
    }

    public override int Rows => _geometry.Rows;

    public override int Cols => _geometry.Cols;

    public override long Bytes => _bytes;

    public override double Entry(int i, int j) => double.CreateTruncating(_geometry.Cost(i, j));

    public override void Apply(double[] x, int k, double[] dst) => Product(x, k, Axis.Rows, dst, Rows);

    public override void ApplyTranspose(double[] y, int k, double[] dst) => Product(y, k, Axis.Columns, dst, Cols);

    private void Product(double[] x, int k, Axis axis, double[] dst, int outRows)
    {
        if (typeof(T) == typeof(double))
        {
            var g = (CostGeometry<double>)(object)_geometry;
            g.ApplyCost(x, k, axis, dst.AsSpan(0, outRows * k));
            return;
        }

        var xt = new T[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            xt[i] = T.CreateTruncating(x[i]);
        }

        var dt = new T[(long)outRows * k];
        _geometry.ApplyCost(xt, k, axis, dt);
        for (var i = 0; i < dt.Length; i++)
        {
            dst[i] = double.CreateTruncating(dt[i]);
        }
    }
}
