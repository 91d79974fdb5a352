using System.CommandLine;
using System.Text.Json.Nodes;

namespace Monge.Cli.Commands.Solve;

/// <summary>
/// <c>monge solve --method emd</c>: exact OT with weights by network simplex (see <see cref="EmdSolve"/>). With
/// <c>--plan-out</c> it writes the sparse optimal plan as rows (i, j, mass), at most n + m − 1 of them; with
/// <c>--potentials-out</c> the network simplex duals f, g; with <c>--map-out</c> the barycentric map of the sparse plan.
/// </summary>
public sealed class EmdSolveMethod : ISolveMethod
{
    /// <inheritdoc />
    public string Name => EmdSolve.Name;

    /// <inheritdoc />
    public string Description => EmdSolve.Description;

    /// <inheritdoc />
    public bool HasTrace => false;

    /// <inheritdoc />
    public IEnumerable<Option> CreateOptions() =>
    [
        SolveOutputs.PlanOut("sparse (i, j, mass) triplets, at most n + m − 1 rows"),
        SolveOutputs.PotentialsOut("the network simplex duals, f_i + g_j ≤ C_ij with equality on the plan"),
        SolveOutputs.MapOut("from the sparse plan, O((n + m)·d)"),
    ];

    /// <inheritdoc />
    public JsonObject Run(SolveInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return EmdSolve.Run(
            input.Source,
            input.Target,
            input.Cost,
            input.PlanOut,
            input.Get<bool>(EmdSolve.NormalizeOption),
            input.Overwrite,
            cancellation: input.Context.Cancellation,
            details: input.Details,
            potentialsOut: input.Get<string?>(SolveOutputs.PotentialsOutName),
            mapOut: input.Get<string?>(SolveOutputs.MapOutName),
            progress: input.Progress);
    }
}
