using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
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
        var command = new Command("divergence", "Print the Sinkhorn divergence S_ε(α, β) = OT_ε(α, β) − ½OT_ε(α, α) − ½OT_ε(β, β).")
        {
            source, target, sourceWeights, targetWeights, epsilon, threshold, maxIterations, primal, cost, json,
        };
        command.SetAction(parse =>
        {
            var x = SolveCommand.LoadCloud(parse.GetValue(source)!, parse.GetValue(sourceWeights), "--source");
            var y = SolveCommand.LoadCloud(parse.GetValue(target)!, parse.GetValue(targetWeights), "--target");
            if (x.Dimension != y.Dimension)
            {
                throw new UsageException($"--source has dimension {x.Dimension} but --target has {y.Dimension}.");
            }

            var groundCost = CostOptions.Parse(parse.GetValue(cost));
            var stopwatch = Stopwatch.StartNew();
            var options = new Sinkhorn { Epsilon = parse.GetValue(epsilon), Threshold = parse.GetValue(threshold), MaxIterations = parse.GetValue(maxIterations) };
            var result = SinkhornDivergence.Compute(x, y, options, groundCost, term: parse.GetValue(primal) ? DivergenceTerm.Primal : DivergenceTerm.Regularized, cancellationToken: context.Cancellation);
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
                ["seconds"] = stopwatch.Elapsed.TotalSeconds,
            };
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                context.Out.WriteLine(result.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
