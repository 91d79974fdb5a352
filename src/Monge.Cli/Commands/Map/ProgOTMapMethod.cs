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

    internal static IEnumerable<Option> Options(MapFitOptions o) => [o.Epsilon, o.Threshold, o.MaxIterations, o.Steps, o.Schedule, o.StartEpsilonScale, o.EndEpsilonScales, o.ColdStart, o.Debiased, o.Seed];

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
        var startScale = parse.GetValue(o.StartEpsilonScale);
        var endScales = parse.GetValue(o.EndEpsilonScales);
        if (epsilon is not null && (startScale is not null || endScales is not null))
        {
            throw new Infrastructure.UsageException($"{(startScale is not null ? "--start-epsilon-scale" : "--end-epsilon-scales")} shapes the ε schedule, which --epsilon replaces by one ε at every stage: give one or the other.");
        }

        if (startScale is { } scale && (!(scale > 0) || !double.IsFinite(scale)))
        {
            throw new Infrastructure.UsageException($"--start-epsilon-scale {scale}: expected a positive number.");
        }

        if (steps < 1)
        {
            throw new Infrastructure.UsageException($"--steps {steps}: ProgOT needs at least one stage.");
        }

        var defaults = new ProgOT();
        var solver = new ProgOT
        {
            Steps = steps,
            Schedule = schedule,
            Epsilons = epsilon is { } e ? Enumerable.Repeat(e, steps).ToArray() : null,
            StartEpsilonScale = startScale ?? defaults.StartEpsilonScale,
            EndEpsilonScales = endScales is null ? defaults.EndEpsilonScales : ParseScales(endScales),
            WarmStart = !parse.GetValue(o.ColdStart),
            Debiased = parse.GetValue(o.Debiased),
            Seed = parse.GetValue(o.Seed),
            Sinkhorn = new Sinkhorn { Threshold = parse.GetValue(o.Threshold), MaxIterations = parse.GetValue(o.MaxIterations) },
        };
        var result = solver.Fit(x, y, cost, cancellationToken);
        return (result.Map, result.StageConvergence);
    }

    private static double[] ParseScales(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var scales = new double[parts.Length];
        for (var k = 0; k < parts.Length; k++)
        {
            if (!double.TryParse(parts[k], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out scales[k]) || !(scales[k] > 0) || !double.IsFinite(scales[k]))
            {
                throw new Infrastructure.UsageException($"--end-epsilon-scales: '{parts[k]}' is not a positive number; expected e.g. 0.1,0.3,1.");
            }
        }

        return scales;
    }
}
