using System.Numerics;
using Monge.Geometry.Costs;

namespace Monge.Geometry;

/// <summary>Factory helpers for <see cref="PointCloudGeometry{T}"/>.</summary>
public static class PointCloudGeometry
{
    /// <summary>
    /// Creates a point-cloud geometry whose tile loops are specialized for the cost struct <typeparamref name="TCost"/>
    /// (no interface call per pair). Use this for custom <c>readonly struct</c> costs.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <typeparam name="TCost">The cost type.</typeparam>
    /// <param name="source">The n source points.</param>
    /// <param name="target">The m target points, same dimension.</param>
    /// <param name="cost">The cost.</param>
    /// <param name="scaleFactor">Multiplier applied to every cost (default 1).</param>
    /// <exception cref="InputValidationException">The dimensions differ or the scale factor is invalid.</exception>
    public static PointCloudGeometry<T> Create<T, TCost>(PointCloud<T> source, PointCloud<T> target, TCost cost, T? scaleFactor = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCost : ICostFunction<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (cost is SquaredEuclidean<T>)
        {
            return new PointCloudGeometry<T>(source, target, null, scaleFactor);
        }

        return new PointCloudGeometry<T>(source, target, new CostTiler<T, TCost>(cost, swapped: false), scaleFactor ?? T.One);
    }

    /// <summary>Squared Euclidean geometry between two clouds (the default cost).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="source">The n source points.</param>
    /// <param name="target">The m target points, same dimension.</param>
    /// <exception cref="InputValidationException">The dimensions differ.</exception>
    public static PointCloudGeometry<T> SquaredEuclidean<T>(PointCloud<T> source, PointCloud<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(source, target);
}
