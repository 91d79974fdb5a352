using System.CommandLine;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Entropic;
using Monge.Tools.Maps;

namespace Monge.Cli.Commands.Map;

/// <summary><c>monge map fit --method entropic</c>: one Sinkhorn solve, the entropic (h-transform) map of its potentials
/// (with <c>--debiased</c>: plus the source-to-itself solve, the Sinkhorn-divergence potential's map).</summary>
internal static class EntropicMapMethod
{
    internal const string Name = "entropic";

    /// <summary>The options this method uses (shared with ProgOT where the meaning is the same).</summary>
    internal static IEnumerable<Option> Options(MapFitOptions o) => [o.Epsilon, o.Threshold, o.MaxIterations, o.Debiased];

    internal static (ITransportMap Map, IReadOnlyList<Monge.Solvers.Convergence> Reports) Fit(ParseResult parse, MapFitOptions o, PointCloud<double> x, PointCloud<double> y, ICostFunction<double> cost, CancellationToken cancellationToken)
    {
        var options = new Sinkhorn { Epsilon = parse.GetValue(o.Epsilon), Threshold = parse.GetValue(o.Threshold), MaxIterations = parse.GetValue(o.MaxIterations) };
        var map = parse.GetValue(o.Debiased)
            ? EntropicMap.FitDebiased(x, y, cost, options, cancellationToken)
            : EntropicMap.Fit(x, y, cost, options, cancellationToken);
        return (map, [map.Convergence!]);
    }
}
