using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Commands.Gw;

/// <summary>The JSON fields of a low-rank GW result (shared by the frlc and lowrank methods).</summary>
internal static class GwLowRankSummary
{
    public static JsonObject Create(string method, int rank, LowRankGromovResult result) => new()
    {
        ["method"] = method,
        ["rank"] = rank,
        ["cost"] = JsonOutput.Number(result.Cost),
        ["gw_cost"] = JsonOutput.Number(result.GromovCost),
        ["linear_cost"] = JsonOutput.Number(result.LinearCost),
        ["alpha"] = result.Alpha,
        ["cost_scale"] = JsonOutput.Number(result.CostScale),
        ["relaxation"] = result.Relaxation.IsBalanced ? "balanced" : result.Relaxation.ToString(),
        ["converged"] = result.Convergence.Converged,
        ["iterations"] = result.Convergence.Iterations,
        ["marginal_error"] = JsonOutput.Number(result.MarginalError),
        ["source_marginal_error_l1"] = JsonOutput.Number(result.SourceMarginalError),
        ["target_marginal_error_l1"] = JsonOutput.Number(result.TargetMarginalError),
        ["stopping_criterion"] = JsonOutput.Number(result.Convergence.FinalError),
        ["state_bytes"] = result.StateBytes,
    };
}
