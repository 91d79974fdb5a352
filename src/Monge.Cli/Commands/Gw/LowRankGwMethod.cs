using System.CommandLine;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Commands.Gw;

/// <summary><c>monge gw --method lowrank</c>: low-rank GW/FGW of Scetbon, Peyré and Cuturi (2022), balanced.</summary>
public sealed class LowRankGwMethod : IGwMethod
{
    /// <inheritdoc/>
    public string Name => "lowrank";

    /// <inheritdoc/>
    public string Description => "low-rank GW/FGW (Scetbon et al. 2022, mirror descent on the factors; --rank; balanced)";

    /// <inheritdoc/>
    public IEnumerable<Option> CreateOptions() =>
    [
        .. GwLowRankSummary.CreateSharedOptions(new LowRankGromov().MaxIterations),
    ];

    /// <inheritdoc/>
    public GwOutcome Run(GwInput input) => GwLowRankSummary.Run(Name, input, new LowRankGromov().MaxIterations, s =>
        new LowRankGromov { Rank = s.Rank, Seed = s.Seed, ScaleCost = s.Scale, MaxIterations = s.MaxIterations }.Solve(input.Problem, input.Progress, input.Context.Cancellation));
}
