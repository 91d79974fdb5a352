using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Monge.Cli.Commands.Match;
using Monge.Cli.Infrastructure;
using Monge.Cli.Reporting;
using Monge.IO;
using Monge.Tools;

namespace Monge.Cli.Commands;

/// <summary>
/// <c>monge match</c>: a one-to-one matching (a permutation) between two point sets of equal size that minimizes the
/// summed ground cost. Writes σ as an integer vector (σ[i] = the target row matched to source row i) and prints a
/// summary. Unequal sizes or weights belong to <c>monge solve --method emd</c>.
/// </summary>
public static class MatchCommand
{
    /// <summary>The <c>--method</c> values, in help order (the first is the default). Add a method with one line here.</summary>
    public static IReadOnlyList<MatchMethod> Methods { get; } =
    [
        HirefMatch.AutoMethod,
        ExactMatch.Method,
        HirefMatch.HirefMethod,
    ];

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var source = new Option<string>("--source") { Description = $"Source points (FILE or FILE#KEY; {DataFiles.InputTypes}).", Required = true };
        var target = new Option<string>("--target") { Description = "Target points: as many as the source, same dimension.", Required = true };
        var method = new Option<string>("--method") { Description = "Method: " + string.Join("; ", Methods.Select(m => $"{m.Name}: {m.Description}")) + ".", DefaultValueFactory = _ => Methods[0].Name };
        method.AcceptOnlyFromAmong(Methods.Select(m => m.Name).ToArray());
        var output = new Option<string>("--out") { Description = $"Output permutation: an integer vector, entry i = the target row matched to source row i ({DataFiles.OutputTypes}).", Required = true };
        var cost = CostOptions.Create("Every method supports every cost (hiref splits blocks on exact factors for sqeuclidean and dot, sampled factors otherwise).");
        var certify = new Option<bool>("--certify") { Description = "Also compute a certified lower bound on the optimum (Monge.Tools.DualBound, linear memory) and the certified gap cost / bound − 1." };
        var json = CommonOptions.Json();
        var overwrite = CommonOptions.Overwrite();
        var strict = ConvergencePolicy.Strict();
        var inputs = new InputOptions();
        var artifacts = new ArtifactOptions();
        var command = new Command("match", "Match two equal-size point sets one to one (optimal assignment).")
        {
            source, target, method, output, cost, certify, json, overwrite, strict,
        };
        var methodOptions = new MethodOptions(Methods.Select(m => (m.Name, m.CreateOptions())));
        methodOptions.AddTo(command);
        inputs.AddTo(command);
        artifacts.AddTo(command, withTrace: false);
        command.SetAction(result =>
        {
            var outPath = result.GetValue(output)!;
            var overwriteValue = result.GetValue(overwrite);
            var jsonValue = result.GetValue(json);
            var chosen = Methods.First(m => m.Name == result.GetValue(method));
            methodOptions.RejectForeign(result, chosen.Name);
            var groundCost = CostOptions.Parse(result.GetValue(cost));
            var settings = chosen.ReadOptions(result, new MatchSettings(groundCost, null, null, 0, null));

            DataFiles.CheckOutput(outPath, overwriteValue);
            inputs.CheckOutputs(result, overwriteValue);
            var run = artifacts.Get(result, overwriteValue);
            var load = Stopwatch.StartNew();
            var options = inputs.Get(result);
            var x = DataFiles.LoadPoints(result.GetValue(source)!, null, options, "source");
            var y = DataFiles.LoadPoints(result.GetValue(target)!, null, options, "target");
            load.Stop();
            if (x.Dimension != y.Dimension)
            {
                throw new UsageException($"--source has dimension {x.Dimension} but --target has dimension {y.Dimension}.");
            }

            if (x.Count != y.Count)
            {
                throw new UsageException(
                    $"monge match needs as many source as target points (got {x.Count} and {y.Count}); "
                    + "for unequal sizes or weighted points use 'monge solve --method emd'.");
            }

            var watch = Stopwatch.StartNew();
            var outcome = SolverProgressRenderer.Run(
                context,
                jsonValue,
                progress => chosen.Solve(x.Cloud, y.Cloud, settings with { Progress = progress }, context.Cancellation));
            watch.Stop();
            context.Cancellation.ThrowIfCancellationRequested();
            var n = x.Count;
            DataFiles.Save(outPath, new NumericArray(outcome.TargetOf.Select(j => (long)j).ToArray(), n), overwriteValue);
            var summary = new JsonObject
            {
                ["method"] = outcome.Method ?? chosen.Name,
                ["n"] = n,
                ["m"] = y.Count,
                ["cost"] = JsonOutput.Number(outcome.TotalCost / n),
                ["total_cost"] = JsonOutput.Number(outcome.TotalCost),
                ["ground_cost"] = groundCost.Name,
                ["optimal"] = outcome.Optimal,
                ["seconds"] = watch.Elapsed.TotalSeconds,
                ["out"] = outPath,
            };
            outcome.CopyExtraTo(summary);
            inputs.Report(result, context, summary, overwriteValue, x, y);
            DualBoundResult? bound = null;
            if (result.GetValue(certify))
            {
                // Uniform weights: the bound is on the assignment optimum in the same unit as "cost".
                bound = new DualBound().Compute(x.Cloud.WithWeights(null), y.Cloud.WithWeights(null), groundCost, null, context.Cancellation);
                summary["lower_bound"] = JsonOutput.Number(bound.LowerBound);
                summary["gap"] = JsonOutput.Number(bound.RelativeGap(outcome.TotalCost / n));
                summary["certify_seconds"] = (bound.SinkhornElapsed + bound.CertifyElapsed).TotalSeconds;
            }

            var report = new RunReport("monge match", result.Tokens.Select(t => t.Value).ToList()) { Convergence = outcome.Convergence };
            report.AddInput("source", x)
                .AddInput("target", y)
                .AddOption("method", outcome.Method ?? chosen.Name)
                .AddOption("cost", groundCost.Name)
                .AddResult("cost (mean per point)", outcome.TotalCost / n)
                .AddResult("total cost", outcome.TotalCost)
                .AddResult("optimal", outcome.Optimal)
                .AddOutput("permutation", outPath)
                .AddTiming("load", load.Elapsed)
                .AddTiming("solve", watch.Elapsed);
            if (bound is not null)
            {
                report.AddResult("certified lower bound", bound.LowerBound).AddResult("certified gap", bound.RelativeGap(outcome.TotalCost / n));
            }

            var exitCode = ConvergencePolicy.Apply(context, summary, outcome.Method ?? chosen.Name, outcome.Convergence.Status, outcome.Convergence, jsonValue, result.GetValue(strict));
            report.AddTiming("plot", run.WritePairsPlot(x, y, outcome.TargetOf, report));
            run.WriteReport(report);
            if (jsonValue)
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                context.Error.WriteLine($"matched {n} points ({outcome.Method ?? chosen.Name}{(outcome.Optimal ? ", optimal" : string.Empty)}): mean cost {outcome.TotalCost / n:G6}, total {outcome.TotalCost:G6}, {watch.Elapsed.TotalSeconds:F3} s; wrote {outPath}");
                if (bound is not null)
                {
                    context.Error.WriteLine($"certified lower bound {bound.LowerBound:G6}: within {100 * bound.RelativeGap(outcome.TotalCost / n):G3}% of the optimum");
                }
            }

            return exitCode;
        });
        return command;
    }

    /// <summary>Parses <c>--rank-schedule</c> (comma-separated ranks ≥ 2).</summary>
    /// <exception cref="UsageException">A value that is not an integer ≥ 2.</exception>
    public static IReadOnlyList<int>? ParseSchedule(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var ranks = new int[parts.Length];
        for (var k = 0; k < parts.Length; k++)
        {
            if (!int.TryParse(parts[k], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ranks[k]) || ranks[k] < 2)
            {
                throw new UsageException($"--rank-schedule: '{parts[k]}' is not a rank (an integer ≥ 2); expected e.g. 16,16,8.");
            }
        }

        return ranks;
    }
}
