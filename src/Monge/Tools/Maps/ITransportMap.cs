using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Tools.Maps;

/// <summary>
/// A fitted transport map: estimated from samples of a source and a target measure, applied to any new point of the
/// same dimension. <see cref="EntropicMap"/> (one entropic OT problem) and <see cref="ProgOTMap"/> (ProgOT stages).
/// </summary>
public interface ITransportMap
{
    /// <summary>The dimension d of the points it maps.</summary>
    int Dimension { get; }

    /// <summary>The ground cost c(x, y) = h(x − y) the map was fitted with.</summary>
    ICostFunction<double> Cost { get; }

    /// <summary>Maps points.</summary>
    /// <param name="points">Points of dimension <see cref="Dimension"/> (weights are kept).</param>
    /// <returns>The mapped points, in the same order, with the same weights.</returns>
    /// <exception cref="InputValidationException">Dimension mismatch.</exception>
    PointCloud<double> Apply(PointCloud<double> points);
}
