using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Cli.Reporting;
using Monge.Solvers.Entropic;
using Monge.Tools;

namespace Monge.Cli.Commands;

/// <summary><c>monge divergence</c>: the debiased Sinkhorn divergence between two weighted point sets.</summary>
public static class DivergenceCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var source = new Option<string>("--source") { Description = "Source points (FILE or FILE#KEY).", Required = true };
        var target = new Option<string>("--target") { Description = "Target points, same dimension.", Required = true };
        var sourceWeights = new Option<string?>("--source-weights") { Description = "Source weights (default uniform)." };
        var targetWeights = new Option<string?>("--target-weights") { Description = "Target weights (default uniform)." };
        var epsilon = new Option<double?>("--epsilon") { Description = "ε (default 0.05·std of the cross cost)." };
        var threshold = new Option<double>("--threshold") { Description = "L1 marginal threshold of each solve.", DefaultValueFactory = _ => 1e-3 };
        var maxIterations = new Option<int>("--max-iterations") { Description = "Iteration budget per solve.", DefaultValueFactory = _ => 2000 };
        var primal = new Option<bool>("--primal") { Description = "Combine the primal costs ⟨C, P⟩ (POT 0.8) instead of the regularized costs." };
        var cost = CostOptions.Create();
        var json = CommonOptions.Json();
        var strict = ConvergencePolicy.Strict();
        var normalizeWeights = WeightOptions.Normalize();
        var command = new Command("divergence", "Print the Sinkhorn divergence S_ε(α, β) = OT_ε(α, β) − ½OT_ε(α, α) − ½OT_ε(β, β).")
        {
            source, target, sourceWeights, targetWeights, epsilon, threshold, maxIterations, primal, cost, json, strict, normalizeWeights,
        };
        command.SetAction(parse =>
        {
            var normalize = parse.GetValue(normalizeWeights);
            var x = WeightOptions.Apply(SolveCommand.LoadCloud(parse.GetValue(source)!, parse.GetValue(sourceWeights), "--source"), normalize);
            var y = WeightOptions.Apply(SolveCommand.LoadCloud(parse.GetValue(target)!, parse.GetValue(targetWeights), "--target"), normalize);
            if (x.Dimension != y.Dimension)
            {
                throw new UsageException($"--source has dimension {x.Dimension} but --target has {y.Dimension}.");
            }

            var groundCost = CostOptions.Parse(parse.GetValue(cost));
            var stopwatch = Stopwatch.StartNew();
            var options = new Sinkhorn { Epsilon = parse.GetValue(epsilon), Threshold = parse.GetValue(threshold), MaxIterations = parse.GetValue(maxIterations) };
            SinkhornDivergenceResult result;
            try
            {
                result = SinkhornDivergence.Compute(x, y, options, groundCost, term: parse.GetValue(primal) ? DivergenceTerm.Primal : DivergenceTerm.Regularized, cancellationToken: context.Cancellation);
            }
            catch (InputValidationException ex) when (ex.Problem == InputProblem.MassMismatch)
            {
                throw WeightOptions.MassMismatch(x, y, relaxFlags: null);
            }

            var summary = new JsonObject
            {
                ["divergence"] = JsonOutput.Number(result.Value),
                ["cross"] = JsonOutput.Number(result.CrossTerm),
                ["source_self"] = JsonOutput.Number(result.SourceTerm),
                ["target_self"] = JsonOutput.Number(result.TargetTerm),
                ["epsilon"] = JsonOutput.Number(result.Epsilon),
                ["ground_cost"] = groundCost.Name,
                ["converged"] = result.Converged,
                ["iterations"] = new JsonObject
                {
                    ["cross"] = result.CrossConvergence?.Iterations,
                    ["source_self"] = result.SourceConvergence?.Iterations,
                    ["target_self"] = result.TargetConvergence?.Iterations,
                },
                ["n"] = x.Count,
                ["m"] = y.Count,
                ["source_mass"] = JsonOutput.Number(WeightOptions.Mass(x)),
                ["target_mass"] = JsonOutput.Number(WeightOptions.Mass(y)),
                ["normalized_weights"] = normalize,
                ["seconds"] = stopwatch.Elapsed.TotalSeconds,
            };
            var solves = new (string What, Monge.Solvers.Convergence? Report)[]
            {
                ("the cross problem OT(α, β)", result.CrossConvergence),
                ("the source self problem OT(α, α)", result.SourceConvergence),
                ("the target self problem OT(β, β)", result.TargetConvergence),
            };
            var worst = ConvergencePolicy.Worst(solves.Select(s => s.Report?.Status ?? Monge.Solvers.SolverStatus.Converged));
            var (what, report) = solves.FirstOrDefault(s => s.Report?.Status == worst);
            var exitCode = ConvergencePolicy.Apply(context, summary, $"sinkhorn on {what ?? "every problem"}", worst, report, parse.GetValue(json), parse.GetValue(strict), "--max-iterations");
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                context.Out.WriteLine(result.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }

            return exitCode;
        });
        return command;
    }
}
