using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Monge.Cli.Commands.Gw;
using Monge.Cli.Infrastructure;
using Monge.Cli.Reporting;
using Monge.IO;
using Monge.Problems;

namespace Monge.Cli.Commands;

/// <summary>
/// <c>monge gw</c>: Gromov-Wasserstein (and fused GW) between two point sets that may live in different spaces, from
/// point clouds (<c>--source/--target</c>, intra-space costs computed within each cloud with <c>--cost</c>) or from
/// precomputed intra-space matrices (<c>--source-cost/--target-cost</c>); fused with features
/// (<c>--source-features/--target-features</c>, M = squared Euclidean between them) or a cross cost (<c>--linear-cost</c>)
/// and POT's weight <c>--alpha</c>. The method (<see cref="GwMethods"/>) owns its options; this command owns the inputs
/// and the outputs (<c>--plan-out</c>, <c>--match-out</c>, <c>--json</c>).
/// </summary>
public static class GwCommand
{
    /// <summary>Largest plan written dense by <c>--plan-out</c> (entries); above it the plan is written as (i, j, mass) rows.</summary>
    public const long MaxDensePlanEntries = Solve.SolveOutputs.MaxDensePlanEntries;

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var methods = GwMethods.All;
        var source = new Option<string?>("--source") { Description = $"Source points (FILE or FILE#KEY; {DataFiles.InputTypes}); C1 = cost within the source cloud." };
        var target = new Option<string?>("--target") { Description = "Target points (any dimension); C2 = cost within the target cloud." };
        var sourceCost = new Option<string?>("--source-cost") { Description = "A precomputed intra-source cost matrix C1 (n × n), instead of --source." };
        var targetCost = new Option<string?>("--target-cost") { Description = "A precomputed intra-target cost matrix C2 (m × m), instead of --target." };
        var sourceWeights = new Option<string?>("--source-weights") { Description = "Source weights (a vector; default uniform)." };
        var targetWeights = new Option<string?>("--target-weights") { Description = "Target weights (default uniform)." };
        var normalizeWeights = WeightOptions.Normalize();
        var cost = CostOptions.Create("The intra-space cost computed within each cloud (with --source/--target only).");
        var loss = new Option<string>("--loss") { Description = "The loss comparing C1 and C2: square (a − b)² or kl (a log(a/b) − a + b; non-negative costs). Default square.", DefaultValueFactory = _ => "square" };
        loss.AcceptOnlyFromAmong("square", "kl");
        var sourceFeatures = new Option<string?>("--source-features") { Description = "Source features (n × k) of a fused problem; M = squared Euclidean distance to --target-features." };
        var targetFeatures = new Option<string?>("--target-features") { Description = "Target features (m × k) of a fused problem." };
        var linearCost = new Option<string?>("--linear-cost") { Description = "A precomputed cross cost M (n × m) of a fused problem, instead of features." };
        var alpha = new Option<double?>("--alpha") { Description = "POT's fusion weight α ∈ [0, 1]: objective (1 − α)⟨M, P⟩ + α·GW(P) (default 0.5; needs features or --linear-cost)." };
        var method = new Option<string>("--method") { Description = "Method: " + string.Join("; ", methods.Select(m => $"{m.Name}: {m.Description}")) + ".", DefaultValueFactory = _ => methods[0].Name };
        method.AcceptOnlyFromAmong(methods.Select(m => m.Name).ToArray());
        var planOut = new Option<string?>("--plan-out") { Description = $"Write the plan ({DataFiles.OutputTypes}): dense n × m up to 10^7 entries, else (i, j, mass) rows of its nonzeros." };
        var matchOut = new Option<string?>("--match-out") { Description = "Write a hard matching as `monge match` does: for each source point, the target with the largest plan entry (int64 vector)." };
        var strict = ConvergencePolicy.Strict();
        var json = CommonOptions.Json();
        var overwrite = CommonOptions.Overwrite();
        var command = new Command("gw", "Gromov-Wasserstein (and fused GW) between two point sets in possibly different spaces.")
        {
            source, target, sourceCost, targetCost, sourceWeights, targetWeights, normalizeWeights, cost, loss,
            sourceFeatures, targetFeatures, linearCost, alpha, method, planOut, matchOut, strict, json, overwrite,
        };
        var methodOptions = new MethodOptions(methods.Select(m => (m.Name, m.CreateOptions())));
        methodOptions.AddTo(command);

        command.SetAction(parse =>
        {
            var chosen = methods.First(m => m.Name == parse.GetValue(method));
            methodOptions.RejectForeign(parse, chosen.Name);
            var overwriteValue = parse.GetValue(overwrite);
            var jsonValue = parse.GetValue(json);
            var planPath = parse.GetValue(planOut);
            var matchPath = parse.GetValue(matchOut);
            foreach (var path in new[] { planPath, matchPath })
            {
                if (path is not null)
                {
                    DataFiles.CheckOutput(path, overwriteValue);
                }
            }

            var inputs = new GwInputs(
                parse.GetValue(source), parse.GetValue(target), parse.GetValue(sourceCost), parse.GetValue(targetCost),
                parse.GetValue(sourceWeights), parse.GetValue(targetWeights), parse.GetValue(normalizeWeights),
                parse.GetResult(cost) is { Implicit: false } ? parse.GetValue(cost) : null,
                parse.GetValue(loss) == "kl" ? GromovLoss.KullbackLeibler : GromovLoss.Square,
                parse.GetValue(sourceFeatures), parse.GetValue(targetFeatures), parse.GetValue(linearCost), parse.GetValue(alpha));
            var load = Stopwatch.StartNew();
            var problem = inputs.Build(chosen.GetRelaxation(parse));
            load.Stop();
            var watch = Stopwatch.StartNew();
            var outcome = SolverProgressRenderer.Run(context, jsonValue, progress => chosen.Run(new GwInput(problem, parse, context, progress)));
            watch.Stop();
            context.Cancellation.ThrowIfCancellationRequested();

            var summary = new JsonObject
            {
                ["method"] = chosen.Name,
                ["n"] = problem.Rows,
                ["m"] = problem.Cols,
                ["loss"] = problem.Loss == GromovLoss.Square ? "square" : "kl",
                ["alpha"] = JsonOutput.Number(problem.Alpha),
                ["fused"] = problem.IsFused,
                ["intra_cost"] = inputs.CostName,
            };
            foreach (var (key, value) in outcome.Summary)
            {
                summary[key] = value?.DeepClone();
            }

            summary["seconds"] = watch.Elapsed.TotalSeconds;
            summary["load_seconds"] = load.Elapsed.TotalSeconds;
            if (planPath is not null)
            {
                WritePlan(planPath, outcome, chosen.Name, problem.Rows, problem.Cols, overwriteValue, summary);
            }

            if (matchPath is not null)
            {
                var matching = outcome.Matching?.Invoke() ?? throw new UsageException($"--match-out: --method {chosen.Name} produced no plan to match from.");
                DataFiles.Save(matchPath, new NumericArray(matching.Select(j => (long)j).ToArray(), matching.Length), overwriteValue);
                summary["match_out"] = matchPath;
            }

            var status = ConvergencePolicy.StatusOf(summary, outcome.Convergence);
            var budget = methodOptions.UsersOf(CgGwMethod.MaxIterationsName).Contains(chosen.Name) ? CgGwMethod.MaxIterationsName : null;
            var exitCode = ConvergencePolicy.Apply(context, summary, $"gw --method {chosen.Name}", status, outcome.Convergence, jsonValue, parse.GetValue(strict), budget);
            SolveCommand.Print(context, summary, jsonValue);
            return exitCode;
        });
        return command;
    }

    private static void WritePlan(string path, GwOutcome outcome, string method, int n, int m, bool overwrite, JsonObject summary)
    {
        if ((long)n * m <= MaxDensePlanEntries && outcome.DensePlan is { } dense)
        {
            DataFiles.Save(path, new NumericArray(dense(), n, m), overwrite);
            summary["plan_format"] = "dense";
        }
        else
        {
            var (rows, cols, mass) = outcome.SparsePlan?.Invoke() ?? throw new UsageException($"--plan-out: --method {method} produced no plan.");
            var triplets = new double[mass.Length * 3];
            for (var k = 0; k < mass.Length; k++)
            {
                triplets[3 * k] = rows[k];
                triplets[(3 * k) + 1] = cols[k];
                triplets[(3 * k) + 2] = mass[k];
            }

            DataFiles.Save(path, new NumericArray(triplets, mass.Length, 3), overwrite, ["i", "j", "mass"]);
            summary["plan_format"] = "sparse";
            summary["plan_entries"] = mass.Length;
        }

        summary["plan_out"] = path;
    }
}
