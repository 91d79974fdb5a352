using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Monge.Cli.Commands.Solve;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Cli.Reporting;
using Monge.Geometry;

namespace Monge.Cli.Commands;

/// <summary>
/// <c>monge solve</c>: solves an OT problem between two point sets with the method named by <c>--method</c>
/// (see <see cref="SolveMethods"/>). Prints a JSON summary with <c>--json</c>, a short line on stderr otherwise.
/// </summary>
public static class SolveCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var methods = SolveMethods.All;
        var source = new Option<string>("--source") { Description = $"Source points (FILE or FILE#KEY; {DataFiles.InputTypes}).", Required = true };
        var target = new Option<string>("--target") { Description = "Target points, same dimension.", Required = true };
        var sourceWeights = new Option<string?>("--source-weights") { Description = "Source weights (a vector; default uniform)." };
        var targetWeights = new Option<string?>("--target-weights") { Description = "Target weights (default uniform)." };
        var method = new Option<string>("--method") { Description = "Method: " + string.Join("; ", methods.Select(m => $"{m.Name}: {m.Description}")) + ".", DefaultValueFactory = _ => methods[0].Name };
        method.AcceptOnlyFromAmong(methods.Select(m => m.Name).ToArray());
        var cost = CostOptions.Create("sinkhorn, emd, frlc and lowrank-sinkhorn support every cost (frlc and lowrank-sinkhorn use exact factors for sqeuclidean and dot, online tiles otherwise).");
        var strict = ConvergencePolicy.Strict();
        var normalizeWeights = WeightOptions.Normalize();
        var json = CommonOptions.Json();
        var overwrite = CommonOptions.Overwrite();
        var inputs = new InputOptions();
        var artifactOptions = new ArtifactOptions();
        var plotPlan = new Option<string?>("--plot-plan") { Description = $"Write a PNG heat map of the dense plan (small problems: at most {PlanHeatmapPlot.MaxSide} points on each side)." };
        var command = new Command("solve", "Solve an optimal transport problem between two point sets.")
        {
            source, target, sourceWeights, targetWeights, normalizeWeights, method, cost, strict, json, overwrite, plotPlan,
        };
        inputs.AddTo(command);
        artifactOptions.AddTo(command, withTrace: true);
        var transfer = new Transfer.TransferOptions(matching: false);
        transfer.AddTo(command);
        var topK = Transfer.TopKPlanOutput.Create();
        command.Options.Add(topK);
        var methodOptions = new MethodOptions(methods.Select(m => (m.Name, m.CreateOptions())), SolveOutputs.Leads);
        methodOptions.AddTo(command);

        command.SetAction(parse =>
        {
            var name = parse.GetValue(method)!;
            var chosen = methods.First(m => m.Name == name);
            methodOptions.RejectForeign(parse, chosen.Name);
            var groundCost = CostOptions.Parse(parse.GetValue(cost));
            var overwriteValue = parse.GetValue(overwrite);
            var jsonValue = parse.GetValue(json);
            var artifacts = new RunArtifacts(parse.GetValue(artifactOptions.Plot), parse.GetValue(artifactOptions.PlotTrace), parse.GetValue(artifactOptions.Report), overwriteValue)
            {
                PlanPlotPath = parse.GetValue(plotPlan),
            };
            artifacts.Check();
            var transferRequest = transfer.Get(parse, parse.GetValue(target)!, overwriteValue);
            var topKValue = parse.GetValue(topK);
            var planOutValue = parse.GetValue<string?>(SolveOutputs.PlanOutName);
            Transfer.TopKPlanOutput.Check(topKValue, planOutValue, overwriteValue);
            inputs.CheckOutputs(parse, overwriteValue);
            if (artifacts.TracePlotPath is not null && !chosen.HasTrace)
            {
                throw new UsageException($"--plot-trace: --method {chosen.Name} has no convergence trace.");
            }

            var load = Stopwatch.StartNew();
            var options = inputs.Get(parse);
            var x = DataFiles.LoadPoints(parse.GetValue(source)!, parse.GetValue(sourceWeights), options, "source");
            var y = DataFiles.LoadPoints(parse.GetValue(target)!, parse.GetValue(targetWeights), options, "target");
            load.Stop();
            transferRequest.Prepare(x);
            if (topKValue > y.Count)
            {
                throw new UsageException($"--top-k {topKValue} is more than the {y.Count} target points.");
            }
            if (x.Dimension != y.Dimension)
            {
                throw new UsageException($"--source has dimension {x.Dimension} but --target has {y.Dimension}.");
            }

            if (artifacts.PlanPlotPath is not null && (x.Count > PlanHeatmapPlot.MaxSide || y.Count > PlanHeatmapPlot.MaxSide))
            {
                throw new UsageException($"--plot-plan draws at most {PlanHeatmapPlot.MaxSide} points on a side (got {x.Count} × {y.Count}); use --plot for the displacement field instead.");
            }

            // Weights are used as given (unbalanced problems see the real masses); --normalize-weights rescales each side to one.
            var normalize = parse.GetValue(normalizeWeights);
            var sourceCloud = WeightOptions.Apply(x.Cloud, normalize);
            var targetCloud = WeightOptions.Apply(y.Cloud, normalize);
            var details = new SolveDetails();
            var watch = Stopwatch.StartNew();
            JsonObject summary;
            try
            {
                summary = SolverProgressRenderer.Run(
                    context,
                    jsonValue,
                    progress => chosen.Run(new SolveInput(sourceCloud, targetCloud, parse, context, overwriteValue) { Cost = groundCost, Progress = progress, Details = details, TopK = topKValue }));
            }
            catch (InputValidationException ex) when (ex.Problem == InputProblem.MassMismatch)
            {
                var relaxes = methodOptions.UsersOf(RelaxationOptions.TauA).Contains(chosen.Name);
                throw WeightOptions.MassMismatch(sourceCloud, targetCloud, relaxes ? $"{RelaxationOptions.TauA}/{RelaxationOptions.TauB} or {RelaxationOptions.RhoA}/{RelaxationOptions.RhoB}" : null);
            }

            watch.Stop();
            summary["source_mass"] = JsonOutput.Number(WeightOptions.Mass(sourceCloud));
            summary["target_mass"] = JsonOutput.Number(WeightOptions.Mass(targetCloud));
            summary["normalized_weights"] = normalize;
            inputs.Report(parse, context, summary, overwriteValue, x, y);
            context.Cancellation.ThrowIfCancellationRequested();
            var run = new RunReport("monge solve", parse.Tokens.Select(t => t.Value).ToList()) { Convergence = details.Convergence };
            run.AddInput("source", x)
                .AddInput("target", y)
                .AddOption("method", chosen.Name)
                .AddOption("cost", groundCost.Name)
                .AddTiming("load", load.Elapsed)
                .AddTiming("solve", watch.Elapsed);
            foreach (var (key, value) in summary)
            {
                if (value is JsonValue scalar)
                {
                    run.AddResult(key, scalar.ToJsonString());
                }
            }

            if (artifacts.PlotPath is not null)
            {
                var map = details.SourceMap?.Invoke()
                    ?? throw new UsageException($"--plot: --method {chosen.Name} produced no map to draw.");
                run.AddTiming("plot", artifacts.WriteDisplacementPlot(x, map, run, y));
                summary["plot"] = artifacts.PlotPath;
            }

            if (artifacts.TracePlotPath is not null && details.Convergence is not null)
            {
                run.AddTiming("trace plot", artifacts.WriteTracePlot(details.Convergence, details.IterationsPerCheck, details.ErrorLabel, run));
                summary["plot_trace"] = artifacts.TracePlotPath;
            }

            if (artifacts.PlanPlotPath is not null)
            {
                var plan = details.DensePlan?.Invoke()
                    ?? throw new UsageException($"--plot-plan: --method {chosen.Name} produced no plan to draw.");
                run.AddTiming("plan plot", artifacts.WritePlanPlot(plan, x.Count, y.Count, run));
                summary["plot_plan"] = artifacts.PlanPlotPath;
            }

            if (topKValue is { } k)
            {
                summary["plan_out"] = planOutValue;
                var (entries, kept) = Transfer.TopKPlanOutput.Write(details.Plan ?? throw new UsageException($"--top-k: --method {chosen.Name} produced no plan."), k, planOutValue!, overwriteValue, context.Cancellation);
                summary["plan_entries"] = entries;
                summary["plan_mass_kept"] = JsonOutput.Number(kept);
            }

            if (!transferRequest.IsEmpty)
            {
                transferRequest.Write(details.Plan ?? throw new UsageException($"--transfer/--h5ad-out: --method {chosen.Name} produced no plan."), x, y, null, summary, context, jsonValue);
            }

            var status = ConvergencePolicy.StatusOf(summary, details.Convergence);
            var budget = new[] { "--max-iterations", "--lowrank-max-iterations" }.FirstOrDefault(f => methodOptions.UsersOf(f).Contains(chosen.Name));
            var exitCode = ConvergencePolicy.Apply(context, summary, chosen.Name, status, details.Convergence, jsonValue, parse.GetValue(strict), budget);
            artifacts.WriteReport(run);
            Print(context, summary, jsonValue);
            return exitCode;
        });
        return command;
    }

    /// <summary>Loads a point set and optional weights (shared with other verbs such as <c>divergence</c>).</summary>
    /// <param name="spec">FILE or FILE#KEY of the points.</param>
    /// <param name="weights">FILE or FILE#KEY of the weights, or null.</param>
    /// <param name="what">The option name for messages.</param>
    public static PointCloud<double> LoadCloud(string spec, string? weights, string what) =>
        DataFiles.LoadPoints(spec, weights, DataLoadOptions.Default, what.TrimStart('-')).Cloud;

    /// <summary>Prints a summary: JSON on stdout with --json, otherwise a small table on stderr.</summary>
    /// <param name="context">Writers.</param>
    /// <param name="summary">The summary.</param>
    /// <param name="json">Whether to print JSON.</param>
    public static void Print(CliContext context, JsonObject summary, bool json)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(summary);
        if (json)
        {
            JsonOutput.Write(context.Out, summary);
            return;
        }

        TextTables.Write(context.Error, TextTables.Summary("monge solve", summary));
    }
}
