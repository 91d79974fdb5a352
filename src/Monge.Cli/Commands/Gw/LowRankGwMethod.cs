using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Commands.Gw;

/// <summary><c>monge gw --method lowrank</c>: low-rank GW of Scetbon, Peyré and Cuturi (2022) (<see cref="LowRankGromov"/>), balanced only.</summary>
public sealed class LowRankGwMethod : IGwMethod
{
    private readonly Option<int> _rank = new("--rank") { Description = "Rank r of the coupling.", DefaultValueFactory = _ => 10 };
    private readonly Option<int?> _maxIterations = new("--lowrank-max-iterations") { Description = "Outer iteration budget (default 2000)." };

    /// <inheritdoc />
    public string Name => "lowrank";

    /// <inheritdoc />
    public string Description => "low-rank GW/FGW (Scetbon et al. 2022; --rank; balanced)";

    /// <inheritdoc />
    public IReadOnlyList<Option> Options => [_rank, _maxIterations];

    /// <inheritdoc />
    public (JsonObject Summary, Convergence Convergence, ITransportPlan<double> Plan) Run(ParseResult parse, QuadraticProblem<double> problem, IProgress<SolverProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var rank = parse.GetValue<int>(_rank.Name);
        var solver = new LowRankGromov { Rank = rank, Seed = GwCommand.Seed(parse), ScaleCost = GwCommand.Scale(parse), MaxIterations = parse.GetValue<int?>(_maxIterations.Name) ?? new LowRankGromov().MaxIterations };
        var result = solver.Solve(problem, progress, cancellationToken);
        return (GwLowRankSummary.Create(Name, rank, result), result.Convergence, result);
    }
}
