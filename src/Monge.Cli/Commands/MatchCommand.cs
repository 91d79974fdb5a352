using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Monge.Cli.Commands.Match;
using Monge.Cli.Infrastructure;
using Monge.Cli.Reporting;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Tools;

namespace Monge.Cli.Commands;

/// <summary>
/// <c>monge match</c>: a one-to-one matching between two point sets that minimizes the summed ground cost. Writes σ as
/// an integer vector with one entry per source row (σ[i] = the target row matched to source row i, −1 when the source
/// has more points than the target and row i is left unmatched) and prints a summary. Weights belong to
/// <c>monge solve --method emd</c>.
/// </summary>
public static class MatchCommand
{
    /// <summary>The <c>--method</c> values, in help order (the first is the default). Add a method with one line here.</summary>
    public static IReadOnlyList<MatchMethod> Methods { get; } =
    [
        HirefMatch.AutoMethod,
        ExactMatch.Method,
        HirefMatch.HirefMethod,
        Cluster.ClusterMatch.Method,
    ];

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var source = new Option<string>("--source") { Description = $"Source points (FILE or FILE#KEY; {DataFiles.InputTypes}).", Required = true };
        var target = new Option<string>("--target") { Description = "Target points, same dimension (any count: the smaller side is matched in full, hiref needs equal counts).", Required = true };
        var method = new Option<string>("--method") { Description = "Method: " + string.Join("; ", Methods.Select(m => $"{m.Name}: {m.Description}")) + ".", DefaultValueFactory = _ => Methods[0].Name };
        method.AcceptOnlyFromAmong(Methods.Select(m => m.Name).ToArray());
        var output = new Option<string>("--out") { Description = $"Output matching: an integer vector with one entry per source row, entry i = the target row matched to source row i, −1 if unmatched (only when there are more sources than targets) ({DataFiles.OutputTypes}).", Required = true };
        var cost = CostOptions.Create("Every method supports every cost (hiref splits blocks on exact factors for sqeuclidean and dot, sampled factors otherwise).");
        var certify = new Option<bool>("--certify") { Description = "Also compute a certified lower bound on the optimum and the certified gap cost / bound − 1: exact matchings (exact, auto when it solves exactly) from the solver's own dual potentials after a c-transform (a rigorous bound: gap 0 less its rounding allowance), hiref from Monge.Tools.DualBound (linear memory both)." };
        // A matching gives every point the same mass: weights are refused by name (never dropped or rescaled silently).
        var sourceWeights = new Option<string?>("--source-weights") { Description = "Not taken by match (every point has mass 1): weighted transport is monge solve --method emd.", Hidden = true };
        var targetWeights = new Option<string?>("--target-weights") { Description = "Not taken by match (every point has mass 1): weighted transport is monge solve --method emd.", Hidden = true };
        var json = CommonOptions.Json();
        var overwrite = CommonOptions.Overwrite();
        var strict = ConvergencePolicy.Strict();
        var inputs = new InputOptions();
        var artifacts = new ArtifactOptions();
        var command = new Command("match", "Match two point sets one to one (optimal assignment; with unequal sizes every point of the smaller set is matched).")
        {
            source, target, method, output, cost, certify, json, overwrite, strict, sourceWeights, targetWeights,
        };
        var methodOptions = new MethodOptions(Methods.Select(m => (m.Name, m.CreateOptions())));
        methodOptions.AddTo(command);
        inputs.AddTo(command);
        artifacts.AddTo(command, withTrace: false);
        var transfer = new Transfer.TransferOptions(matching: true);
        transfer.AddTo(command);
        command.SetAction(result =>
        {
            var outPath = result.GetValue(output)!;
            var overwriteValue = result.GetValue(overwrite);
            var jsonValue = result.GetValue(json);
            // `monge match --cluster HOST:PORT --store DIR …` (issue 15's form) means --method cluster when --method is not given.
            var methodName = result.GetResult(method) is not { Implicit: false } && result.GetValue<string?>(Cluster.ClusterMatch.ClusterOption) is not null
                ? Cluster.ClusterMatch.Method.Name
                : result.GetValue(method);
            var chosen = Methods.First(m => m.Name == methodName);
            methodOptions.RejectForeign(result, chosen.Name);
            RejectWeights(result, sourceWeights, targetWeights);
            var groundCost = CostOptions.Parse(result.GetValue(cost));
            var options = inputs.Get(result);
            var settings = chosen.ReadOptions(result, new MatchSettings(groundCost, null, null, 0, null, MaxMemoryBytes: options.EffectiveMaxBytes));

            DataFiles.CheckOutput(outPath, overwriteValue);
            inputs.CheckOutputs(result, overwriteValue);
            var run = artifacts.Get(result, overwriteValue);
            var transferRequest = transfer.Get(result, result.GetValue(target)!, overwriteValue);
            var load = Stopwatch.StartNew();
            var x = DataFiles.LoadPoints(result.GetValue(source)!, null, options, "source");
            var y = DataFiles.LoadPoints(result.GetValue(target)!, null, options, "target");
            load.Stop();
            if (x.Dimension != y.Dimension)
            {
                throw new UsageException($"--source has dimension {x.Dimension} ({x.Spec}) but --target has dimension {y.Dimension} ({y.Spec}).");
            }

            transferRequest.Prepare(x);
            if (x.Count != y.Count && result.GetValue(certify))
            {
                throw new UsageException(
                    $"--certify bounds equal-size matchings, but --source has {x.Count} points and --target {y.Count}.");
            }

            var watch = Stopwatch.StartNew();
            var outcome = SolverProgressRenderer.Run(
                context,
                jsonValue,
                progress => chosen.Solve(x.Cloud, y.Cloud, settings with { Progress = progress }, context.Cancellation));
            watch.Stop();
            context.Cancellation.ThrowIfCancellationRequested();
            var n = x.Count;
            var matched = Math.Min(n, y.Count);
            DataFiles.Save(outPath, new NumericArray(outcome.TargetOf.Select(j => (long)j).ToArray(), n), overwriteValue);
            var summary = new JsonObject
            {
                ["method"] = outcome.Method ?? chosen.Name,
                ["n"] = n,
                ["m"] = y.Count,
                ["cost"] = JsonOutput.Number(outcome.TotalCost / matched),
                ["total_cost"] = JsonOutput.Number(outcome.TotalCost),
                ["matched"] = matched,
                ["unmatched_sources"] = n - matched,
                ["unmatched_targets"] = y.Count - matched,
                ["ground_cost"] = groundCost.Name,
                ["optimal"] = outcome.Optimal,
                ["seconds"] = watch.Elapsed.TotalSeconds,
                ["out"] = outPath,
            };
            outcome.CopyExtraTo(summary);
            inputs.Report(result, context, summary, overwriteValue, x, y);
            Certificate? bound = null;
            if (result.GetValue(certify))
            {
                bound = Certify(context, jsonValue, x.Cloud, y.Cloud, groundCost, outcome);
                summary["lower_bound"] = JsonOutput.Number(bound.LowerBound);
                summary["gap"] = JsonOutput.Number(bound.RelativeGap(outcome.TotalCost / n));
                summary["certificate"] = bound.Name;
                summary["certify_seconds"] = bound.Elapsed.TotalSeconds;
                if (bound.Sinkhorn is { } sinkhorn)
                {
                    // The bound is valid whatever its Sinkhorn did; a stage stopped at its budget only makes it looser.
                    summary["certificate_sinkhorn_status"] = sinkhorn.Status.ToString();
                    summary["certificate_sinkhorn_iterations"] = sinkhorn.Iterations;
                    summary["certificate_sinkhorn_error"] = JsonOutput.Number(sinkhorn.FinalError);
                }
            }

            var report = new RunReport("monge match", result.Tokens.Select(t => t.Value).ToList()) { Convergence = outcome.Convergence };
            report.AddInput("source", x)
                .AddInput("target", y)
                .AddOption("method", outcome.Method ?? chosen.Name)
                .AddOption("cost", groundCost.Name)
                .AddResult("cost (mean per matched pair)", outcome.TotalCost / matched)
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
            if (!transferRequest.IsEmpty)
            {
                var sourceOfTarget = Enumerable.Repeat(-1, y.Count).ToArray();
                for (var i = 0; i < n; i++)
                {
                    if (outcome.TargetOf[i] >= 0)
                    {
                        sourceOfTarget[outcome.TargetOf[i]] = i;
                    }
                }

                transferRequest.Write(outcome.Plan ?? throw new UsageException($"--transfer/--h5ad-out: --method {chosen.Name} produced no plan."), x, y, sourceOfTarget, summary, context, jsonValue);
            }

            run.WriteReport(report);
            if (jsonValue)
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                var pairs = matched == n && matched == y.Count ? $"{n} points" : $"{matched} pairs ({n} sources, {y.Count} targets)";
                context.Error.WriteLine($"matched {pairs} ({outcome.Method ?? chosen.Name}{(outcome.Optimal ? ", optimal" : string.Empty)}): mean cost {outcome.TotalCost / matched:G6}, total {outcome.TotalCost:G6}, {watch.Elapsed.TotalSeconds:F3} s; wrote {outPath}");
                if (bound is not null)
                {
                    context.Error.WriteLine($"certified lower bound {bound.LowerBound:G6} ({bound.Name}): within {100 * bound.RelativeGap(outcome.TotalCost / n):G3}% of the optimum"
                        + (bound.Sinkhorn is { Converged: false } sk ? $" (the certificate's Sinkhorn stopped at {sk.Iterations} iterations, error {sk.FinalError:G3}: the bound is valid but may be loose)" : string.Empty));
                }
            }

            return exitCode;
        });
        return command;
    }

    /// <summary>
    /// Refuses <c>--source-weights</c> / <c>--target-weights</c> before any file is read: a matching moves mass 1 from
    /// every source point to one target point, so weights cannot be honoured, and dropping them would be a silent wrong
    /// answer. The message names the flag and the verb that takes weights.
    /// </summary>
    private static void RejectWeights(ParseResult result, Option<string?> sourceWeights, Option<string?> targetWeights)
    {
        foreach (var option in new[] { sourceWeights, targetWeights })
        {
            if (result.GetValue(option) is not null)
            {
                throw new UsageException(
                    $"monge match does not take {option.Name}: a matching gives every point mass 1 (uniform weights); "
                    + $"for weighted transport use monge solve --method emd (or sinkhorn) with {option.Name}.");
            }
        }
    }

    /// <summary>
    /// The certified lower bound on the mean matched cost (uniform weights, n = m): an exact matching's own potentials
    /// after a c-transform (<see cref="LinearAssignment.LowerBound"/>, <c>"assignment_duals"</c>), otherwise
    /// <see cref="DualBound"/> (<c>"dual_bound"</c>).
    /// </summary>
    private static Certificate Certify(CliContext context, bool json, PointCloud<double> x, PointCloud<double> y, ICostFunction<double> cost, MatchOutcome outcome)
    {
        var n = x.Count;
        if (outcome.Plan is LinearAssignmentResult exact)
        {
            var watch = Stopwatch.StartNew();
            var total = LinearAssignment.LowerBound(LinearProblem<double>.FromPointClouds(x.WithWeights(null), y.WithWeights(null), cost), exact, context.Cancellation);
            return new Certificate("assignment_duals", total / n, watch.Elapsed);
        }

        var bound = SolverProgressRenderer.Run(
            context,
            json,
            progress => new DualBound { UpperBound = outcome.TotalCost / n }.Compute(x.WithWeights(null), y.WithWeights(null), cost, progress, context.Cancellation));
        return new Certificate("dual_bound", bound.LowerBound, bound.SinkhornElapsed + bound.CertifyElapsed) { Sinkhorn = bound.SinkhornConvergence };
    }

    /// <summary>A certified lower bound on the mean matched cost, the certificate that gave it and its time.</summary>
    private sealed record Certificate(string Name, double LowerBound, TimeSpan Elapsed)
    {
        /// <summary>How the certificate's entropic stage ended (<see cref="DualBoundResult.SinkhornConvergence"/>), null for exact duals.</summary>
        public Convergence? Sinkhorn { get; init; }

        /// <summary>cost / bound − 1, 0 when the cost does not exceed the bound (the convention of <see cref="DualBoundResult.RelativeGap"/>).</summary>
        public double RelativeGap(double cost) =>
            cost <= LowerBound ? 0 : LowerBound > 0 ? (cost - LowerBound) / LowerBound : double.PositiveInfinity;
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
