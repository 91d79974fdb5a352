using System.Text.Json.Nodes;
using Monge.Solvers;

namespace Monge.Cli.Commands.Match;

/// <summary>The result of a <see cref="MatchMethod"/>.</summary>
/// <param name="TargetOf">σ: entry i is the target row matched to source row i.</param>
/// <param name="TotalCost">Σᵢ c(xᵢ, y_σ(i)).</param>
/// <param name="Optimal">Whether the matching is certified optimal.</param>
/// <param name="Convergence">The solver's report.</param>
/// <param name="Method">The method that actually ran (for <c>auto</c>: <c>exact</c> or <c>hiref</c>).</param>
/// <param name="Extra">Method-specific JSON fields (for HiRef: <c>levels</c>, <c>peak_bytes</c>, <c>rank_schedule</c>).</param>
public sealed record MatchOutcome(int[] TargetOf, double TotalCost, bool Optimal, Convergence Convergence, string? Method = null, JsonObject? Extra = null)
{
    /// <summary>The matching as a plan (P_{i,σ(i)} = 1/n) for <c>--transfer</c> and <c>--h5ad-out</c>, or null.</summary>
    public ITransportPlan<double>? Plan { get; init; }

    /// <summary>Copies the method-specific fields (<see cref="Extra"/>) into a JSON summary.</summary>
    /// <param name="summary">The summary to extend.</param>
    public void CopyExtraTo(JsonObject summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (Extra is null)
        {
            return;
        }

        foreach (var (key, value) in Extra)
        {
            summary[key] = value?.DeepClone();
        }
    }
}
