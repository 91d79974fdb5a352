using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Entropic;
using Monge.Tools.Maps;

namespace Monge;

/// <content>Transport maps: fit on samples, apply to new points (docs/maps.md).</content>
public static partial class Ot
{
    /// <summary>
    /// Fits the entropic map (<see cref="EntropicMap"/>) from <paramref name="x"/> to <paramref name="y"/>: one Sinkhorn
    /// solve, O(n·m·d) per iteration, O((n + m)·d) memory. The map applies to any new point in O(m·d).
    /// </summary>
    /// <param name="x">Source samples.</param>
    /// <param name="y">Target samples.</param>
    /// <param name="cost">Squared Euclidean (null) or an elastic cost (<c>CostFunction.Parse("elastic-l1:0.1")</c>).</param>
    /// <param name="epsilon">Absolute ε; null: 0.05·std(C).</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <returns>The map.</returns>
    public static EntropicMap FitMap(PointCloud<double> x, PointCloud<double> y, ICostFunction<double>? cost = null, double? epsilon = null, CancellationToken cancellationToken = default)
        => EntropicMap.Fit(x, y, cost, new Sinkhorn { Epsilon = epsilon }, cancellationToken);

    /// <summary>
    /// The Monge gap of <paramref name="map"/> on the samples <paramref name="x"/> (<see cref="MongeGap"/>): one n × n
    /// Sinkhorn solve.
    /// </summary>
    /// <param name="map">The map T.</param>
    /// <param name="x">Samples of the source measure.</param>
    /// <param name="epsilon">Absolute ε; null: 0.05·std(C).</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <returns>The gap and its terms.</returns>
    public static MongeGapResult MongeGap(ITransportMap map, PointCloud<double> x, double? epsilon = null, CancellationToken cancellationToken = default)
        => Tools.Maps.MongeGap.Compute(map, x, null, new Sinkhorn { Epsilon = epsilon }, cancellationToken);
}
