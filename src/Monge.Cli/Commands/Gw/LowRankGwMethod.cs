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
    public GwOutcome Run(GwInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rank = GwLowRankSummary.Rank(input);
        var solver = new LowRankGromov
        {
            Rank = rank,
            Seed = GwLowRankSummary.Seed(input),
            ScaleCost = GwLowRankSummary.Scale(input),
            MaxIterations = GwLowRankSummary.MaxIterations(input, new LowRankGromov().MaxIterations),
        };
        var result = solver.Solve(input.Problem, input.Progress, input.Context.Cancellation);
        return GwLowRankSummary.Outcome(Name, rank, result, input.Context.Cancellation);
    }
}
