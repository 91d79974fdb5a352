using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Solvers.Quadratic;

/// <summary>Intra-space geometries of a point cloud for the quadratic solvers.</summary>
internal static class GromovGeometry
{
    /// <summary>The squared Euclidean cost of a cloud with itself (exact rank d + 2 factors; never n × n).</summary>
    public static CostGeometry<double> SquaredEuclidean(PointCloud<double> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        return PointCloudGeometry.Create(points, points, default(SquaredEuclidean<double>));
    }
}
