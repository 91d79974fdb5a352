using System.CommandLine;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Entropic;
using Monge.Tools.Maps;

namespace Monge.Cli.Commands.Map;

/// <summary><c>monge map fit --method progot</c>: ProgOT (Kassraie et al. 2024) with its α and ε schedules.</summary>
internal static class ProgOTMapMethod
{
    internal const string Name = "progot";

    internal static IEnumerable<Option> Options(MapFitOptions o) => [o.Epsilon, o.Threshold, o.MaxIterations, o.Steps, o.Schedule, o.Seed];

    internal static (ITransportMap Map, IReadOnlyList<Monge.Solvers.Convergence> Reports) Fit(ParseResult parse, MapFitOptions o, PointCloud<double> x, PointCloud<double> y, ICostFunction<double> cost, CancellationToken cancellationToken)
    {
        var steps = parse.GetValue(o.Steps);
        var epsilon = parse.GetValue(o.Epsilon);
        var schedule = parse.GetValue(o.Schedule) switch
        {
            "constant-speed" => ProgOTSchedule.ConstantSpeed,
            "decelerating" => ProgOTSchedule.Decelerating,
            "accelerating" => ProgOTSchedule.Accelerating,
            var s => throw new Infrastructure.UsageException($"--schedule '{s}': expected constant-speed, decelerating or accelerating."),
        };
        var solver = new ProgOT
        {
            Steps = steps,
            Schedule = schedule,
            Epsilons = epsilon is { } e ? Enumerable.Repeat(e, Math.Max(steps, 0)).ToArray() : null,
            Seed = parse.GetValue(o.Seed),
            Sinkhorn = new Sinkhorn { Threshold = parse.GetValue(o.Threshold), MaxIterations = parse.GetValue(o.MaxIterations) },
        };
        var result = solver.Fit(x, y, cost, cancellationToken);
        return (result.Map, result.StageConvergence);
    }
}
