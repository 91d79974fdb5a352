using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Commands.Barycenter;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Cli.Reporting;

namespace Monge.Cli.Commands;

/// <summary>
/// <c>monge barycenter</c>: the Wasserstein barycenter of several inputs. The command owns the inputs
/// (<c>--inputs</c>, FILE or FILE#KEY each), the weights (<c>--weights w1,w2,...</c>: positive, one per input, rescaled
/// to sum one; uniform by default), the outputs (<c>--out</c>, written atomically, never replacing a file without
/// <c>--overwrite</c>; <c>--plot</c> PNG; <c>--json</c>) and the exit policy (<c>--strict</c>). The method
/// (<see cref="BarycenterMethods"/>) owns everything else: how the inputs are read (histograms on <c>--support</c> or
/// <c>--grid</c>, or point clouds), ε, iteration budgets.
/// </summary>
public static class BarycenterCommand
{
    /// <summary>The <c>--weights</c> option name.</summary>
    public const string WeightsName = "--weights";

    /// <summary>Width and height of the <c>--plot</c> PNG.</summary>
    public const int PlotWidth = 900;

    /// <summary>Height of the <c>--plot</c> PNG.</summary>
    public const int PlotHeight = 700;

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var methods = BarycenterMethods.All;
        var inputs = new Option<string[]>("--inputs")
        {
            Description = $"The measures to average, one file each (FILE or FILE#KEY; {DataFiles.InputTypes}); how each is read depends on --method.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var weights = new Option<string?>(WeightsName) { Description = "Comma-separated weights w_k, one per input, each positive (for example 0.2,0.3,0.5); rescaled to sum one (1,1,2 means 0.25,0.25,0.5); default uniform." };
        var method = new Option<string>("--method") { Description = "Method: " + string.Join("; ", methods.Select(m => $"{m.Name}: {m.Description}")) + ".", DefaultValueFactory = _ => methods[0].Name };
        method.AcceptOnlyFromAmong(methods.Select(m => m.Name).ToArray());
        var output = new Option<string>("--out") { Description = $"Write the barycenter ({DataFiles.OutputTypes}).", Required = true };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG of the inputs and the barycenter (what is drawn depends on --method)." };
        var strict = ConvergencePolicy.Strict();
        var json = CommonOptions.Json();
        var overwrite = CommonOptions.Overwrite();
        var command = new Command("barycenter", "The Wasserstein barycenter of several measures (histograms on a shared support or grid, or point clouds).")
        {
            inputs, weights, method, output, plot, strict, json, overwrite,
        };
        var methodOptions = new MethodOptions(methods.Select(m => (m.Name, m.CreateOptions())));
        methodOptions.AddTo(command);

        command.SetAction(parse =>
        {
            var chosen = methods.First(m => m.Name == parse.GetValue(method));
            methodOptions.RejectForeign(parse, chosen.Name);
            var overwriteValue = parse.GetValue(overwrite);
            var jsonValue = parse.GetValue(json);
            var outPath = parse.GetValue(output)!;
            DataFiles.CheckOutput(outPath, overwriteValue);
            var plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                if (!plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                {
                    throw new UsageException($"--plot {plotPath}: expected a .png file.");
                }

                if (!chosen.CanPlot)
                {
                    throw new UsageException($"--plot: --method {chosen.Name} draws no picture.");
                }

                DataFiles.CheckNewFile(plotPath, overwriteValue);
            }

            var specs = parse.GetValue(inputs) ?? [];
            if (specs.Length == 0)
            {
                throw new UsageException("--inputs: give at least one input.");
            }

            var w = ParseWeights(parse.GetValue(weights), specs.Length);
            var watch = Stopwatch.StartNew();
            var outcome = SolverProgressRenderer.Run(context, jsonValue, progress => chosen.Run(new BarycenterInput(specs, w, parse, context, progress)));
            watch.Stop();
            context.Cancellation.ThrowIfCancellationRequested();

            var summary = new JsonObject
            {
                ["method"] = chosen.Name,
                ["inputs"] = new JsonArray(specs.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["weights"] = new JsonArray(w.Select(x => JsonOutput.Number(x)).ToArray()),
            };
            foreach (var (key, value) in outcome.Summary)
            {
                summary[key] = value?.DeepClone();
            }

            summary["seconds"] = watch.Elapsed.TotalSeconds;

            // A picture the inputs do not allow (points of two or more dimensions as a --support) is refused before --out is written.
            var drawing = plotPath is null ? null : outcome.Plot ?? throw new UsageException($"--plot: --method {chosen.Name} draws a --grid of one or two axes or a --support, not a grid of three or more axes.");
            DataFiles.Save(outPath, outcome.Barycenter, overwriteValue);
            summary["out"] = outPath;
            summary["out_shape"] = outcome.Barycenter.ShapeString();
            if (plotPath is not null)
            {
                PngWriter.Write(drawing!(), plotPath, PlotWidth, PlotHeight, overwriteValue);
                summary["plot"] = plotPath;
            }

            var status = ConvergencePolicy.StatusOf(summary, outcome.Convergence);
            var exitCode = ConvergencePolicy.Apply(context, summary, $"barycenter --method {chosen.Name}", status, outcome.Convergence, jsonValue, parse.GetValue(strict), "--max-iterations");
            SolveCommand.Print(context, summary, jsonValue);
            return exitCode;
        });
        return command;
    }

    /// <summary>
    /// Parses <c>--weights</c>: comma-separated, invariant culture, one per input, each finite and positive; rescaled to sum
    /// one. Null gives uniform weights.
    /// </summary>
    /// <param name="text">The option's value, or null.</param>
    /// <param name="count">The number of inputs.</param>
    /// <returns>The weights, summing to one.</returns>
    /// <exception cref="UsageException">A malformed number, a wrong count, or a weight that is not finite and positive.</exception>
    public static double[] ParseWeights(string? text, int count)
    {
        if (text is null)
        {
            return Enumerable.Repeat(1.0 / count, count).ToArray();
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != count)
        {
            throw new UsageException($"{WeightsName}: {parts.Length} weights for {count} inputs; give one per input.");
        }

        var w = new double[count];
        for (var k = 0; k < count; k++)
        {
            if (!double.TryParse(parts[k], NumberStyles.Float, CultureInfo.InvariantCulture, out w[k]))
            {
                throw new UsageException($"{WeightsName}: '{parts[k]}' (weight {k + 1}) is not a number.");
            }

            if (!(w[k] > 0) || !double.IsFinite(w[k]))
            {
                throw new UsageException($"{WeightsName}: weight {k + 1} is {parts[k]}; every weight must be positive and finite.");
            }
        }

        var total = w.Sum();
        return w.Select(x => x / total).ToArray();
    }
}
