using System.CommandLine;
using System.Text.Json.Nodes;

namespace Monge.Cli.Commands.Solve;

/// <summary>
/// <c>monge solve --method emd</c>: exact OT with weights by network simplex (see <see cref="EmdSolve"/>). With
/// <c>--plan-out</c> it writes the sparse optimal plan as rows (i, j, mass), at most n + m − 1 of them.
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
    public void AddOptions(Command command) => EmdSolve.AddOptions(command);

    /// <inheritdoc />
    public JsonObject Run(SolveInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ = RelaxationOptions.Read(input, Name, acceptsTau: false, acceptsRho: false);
        return EmdSolve.Run(
            input.Source,
            input.Target,
            input.Cost,
            input.Get<string?>(EmdSolve.PlanOutOption),
            input.Get<bool>(EmdSolve.NormalizeOption),
            input.Overwrite,
            cancellation: input.Context.Cancellation,
            details: input.Details);
    }
}
