using System.Numerics;
using Monge.Geometry.Costs;

namespace Monge.Geometry;

/// <summary>
/// Capability of a geometry whose costs are c(x_i, y_j) between two point clouds. Solvers that need coordinates
/// (initializers, maps, Hierarchical Refinement, the exact solvers' on-the-fly rows) test for this interface instead of
/// downcasting to a concrete geometry, so a GPU or fused geometry that implements it gets every feature.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IPointCloudGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The n source points (rows).</summary>
    PointCloud<T> Source { get; }

    /// <summary>The m target points (columns), same dimension.</summary>
    PointCloud<T> Target { get; }

    /// <summary>The ground cost c.</summary>
    ICostFunction<T> CostFunction { get; }

    /// <summary>The multiplier applied to every cost: C_ij = ScaleFactor · c(x_i, y_j).</summary>
    T ScaleFactor { get; }
}
