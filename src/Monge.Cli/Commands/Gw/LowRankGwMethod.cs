using System.CommandLine;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Commands.Gw;

/// <summary><c>monge gw --method lowrank</c>: low-rank GW/FGW of Scetbon, Peyré and Cuturi (2022), balanced.</summary>
public sealed class LowRankGwMethod : IGwMethod
{
    private const string RankName = "--rank";
    private const string MaxIterationsName = "--lowrank-max-iterations";

    /// <inheritdoc/>
    public string Name => "lowrank";

    /// <inheritdoc/>
    public string Description => "low-rank GW/FGW (Scetbon et al. 2022, mirror descent on the factors; --rank; balanced)";

    /// <inheritdoc/>
    public IEnumerable<Option> CreateOptions() =>
    [
        new Option<int>(RankName) { Description = "rank r of the coupling, default 10", DefaultValueFactory = _ => 10 },
        new Option<int?>(MaxIterationsName) { Description = "outer iteration budget (default 2000)" },
        .. GwLowRankSummary.CreateSharedOptions(),
    ];

    /// <inheritdoc/>
    public GwOutcome Run(GwInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rank = input.Get<int>(RankName);
        var solver = new LowRankGromov
        {
            Rank = rank,
            Seed = GwLowRankSummary.Seed(input),
            ScaleCost = GwLowRankSummary.Scale(input),
            MaxIterations = input.Parse.GetValue<int?>(MaxIterationsName) ?? new LowRankGromov().MaxIterations,
        };
        var result = solver.Solve(input.Problem, input.Progress, input.Context.Cancellation);
        return GwLowRankSummary.Outcome(Name, rank, result, input.Context.Cancellation);
    }
}
