using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Monge.Cli.Commands.Match;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Cli.Reporting;
using Monge.Datasets;
using Monge.Geometry.Costs;

namespace Monge.Cli.Commands;

/// <summary>
/// <c>monge demo</c>: the main job on built-in data. Generates the half-moon → S-curve pair of the HiRef paper,
/// matches it one to one (exact for small n, Hierarchical Refinement above), prints the summary and writes a PNG of a
/// seeded sample of matched pairs.
/// </summary>
public static class DemoCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var n = new Option<int>("--n") { Description = "Points per cloud.", DefaultValueFactory = _ => 65536 };
        var seed = new Option<int>("--seed") { Description = "Seed of the data and of the solver.", DefaultValueFactory = _ => 0 };
        var method = new Option<string>("--method") { Description = "auto, exact or hiref.", DefaultValueFactory = _ => "auto" };
        method.AcceptOnlyFromAmong("auto", "exact", "hiref");
        var plot = new Option<string>("--plot") { Description = "PNG of a sample of matched pairs.", DefaultValueFactory = _ => "monge-demo.png" };
        var overwrite = CommonOptions.Overwrite();
        var json = CommonOptions.Json();
        var command = new Command("demo", "Match the half-moon → S-curve benchmark pair (HiRef paper) and draw the matched pairs.")
        {
            n, seed, method, plot, overwrite, json,
        };
        command.SetAction(result =>
        {
            var count = result.GetValue(n);
            if (count < 2)
            {
                throw new UsageException($"--n must be at least 2 (got {count}).");
            }

            var plotPath = result.GetValue(plot)!;
            var overwriteValue = result.GetValue(overwrite);
            var jsonValue = result.GetValue(json);
            if (!plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--plot: '{plotPath}' must be a .png file.");
            }

            if (!overwriteValue && File.Exists(plotPath))
            {
                throw new IOException($"{plotPath}: file exists; pass --overwrite to replace it.");
            }

            var generate = Stopwatch.StartNew();
            var seedValue = result.GetValue(seed);
            var pair = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, count, seedValue);
            generate.Stop();
            var chosen = MatchCommand.Methods.First(m => m.Name == result.GetValue(method));
            var watch = Stopwatch.StartNew();
            var outcome = SolverProgressRenderer.Run(
                context,
                jsonValue,
                progress => chosen.Solve(pair.Source, pair.Target!, new MatchSettings(new SquaredEuclidean<double>(), null, null, seedValue, progress), context.Cancellation));
            watch.Stop();
            context.Cancellation.ThrowIfCancellationRequested();

            var plotWatch = Stopwatch.StartNew();
            MatchedPairsPlot.Write(
                plotPath,
                pair.Source.Data.ToArray(),
                pair.Target!.Data.ToArray(),
                2,
                MatchedPairsPlot.PairsFromAssignment(outcome.TargetOf),
                new PlotSettings(Title: $"half-moon → S-curve, n = {count}, {outcome.Method ?? chosen.Name}", Seed: seedValue),
                overwriteValue);
            plotWatch.Stop();

            var summary = new JsonObject
            {
                ["dataset"] = "half-moon-s-curve",
                ["method"] = outcome.Method ?? chosen.Name,
                ["n"] = count,
                ["cost"] = JsonOutput.Number(outcome.TotalCost / count),
                ["optimal"] = outcome.Optimal,
                ["seconds"] = watch.Elapsed.TotalSeconds,
                ["generate_seconds"] = generate.Elapsed.TotalSeconds,
                ["plot_seconds"] = plotWatch.Elapsed.TotalSeconds,
                ["plot"] = plotPath,
            };
            outcome.CopyExtraTo(summary);

            if (jsonValue)
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                context.Error.WriteLine(
                    $"half-moon → S-curve, n = {count}: matched with {outcome.Method ?? chosen.Name} in {watch.Elapsed.TotalSeconds:F2} s, "
                    + $"mean squared distance {outcome.TotalCost / count:G6}{(outcome.Optimal ? " (optimal)" : string.Empty)}; plot: {plotPath}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
