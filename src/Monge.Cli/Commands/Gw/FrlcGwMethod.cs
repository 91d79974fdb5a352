using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Commands.Gw;

/// <summary>
/// <c>monge gw --method frlc</c>: FRLC for GW/FGW (<see cref="FrlcGromov"/>), linear memory on squared Euclidean point
/// clouds; balanced, semi-relaxed or unbalanced through <c>--tau-a/--tau-b</c> (τ = ρ/(ρ+ε) held at every projection) or
/// <c>--rho-a/--rho-b</c> (KL weights on the scaled objective).
/// </summary>
public sealed class FrlcGwMethod : IGwMethod
{
    private readonly Option<int> _rank = new("--rank") { Description = "Rank r of the coupling.", DefaultValueFactory = _ => 10 };
    private readonly Option<double?> _tauA = new("--tau-a") { Description = "Source relaxation τ_a in (0, 1]; 1 = exact (default)." };
    private readonly Option<double?> _tauB = new("--tau-b") { Description = "Target relaxation τ_b in (0, 1]; 1 = exact (default)." };
    private readonly Option<double?> _rhoA = new("--rho-a") { Description = "Source KL weight ρ_a in (0, ∞] on the scaled objective; Infinity = exact." };
    private readonly Option<double?> _rhoB = new("--rho-b") { Description = "Target KL weight ρ_b in (0, ∞]." };
    private readonly Option<int?> _maxIterations = new("--lowrank-max-iterations") { Description = "Outer iteration budget (default 1000)." };

    /// <inheritdoc />
    public string Name => "frlc";

    /// <inheritdoc />
    public string Description => "FRLC-GW/FGW (latent coupling; --rank, --tau-a/--tau-b or --rho-a/--rho-b)";

    /// <inheritdoc />
    public IReadOnlyList<Option> Options => [_rank, _tauA, _tauB, _rhoA, _rhoB, _maxIterations];

    /// <inheritdoc />
    public (JsonObject Summary, Convergence Convergence, ITransportPlan<double> Plan) Run(ParseResult parse, QuadraticProblem<double> problem, IProgress<SolverProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(problem);
        var (tauA, tauB, rhoA, rhoB) = (parse.GetValue<double?>(_tauA.Name), parse.GetValue<double?>(_tauB.Name), parse.GetValue<double?>(_rhoA.Name), parse.GetValue<double?>(_rhoB.Name));
        if ((tauA is not null || tauB is not null) && (rhoA is not null || rhoB is not null))
        {
            throw new UsageException("Give the relaxation either as τ (--tau-a/--tau-b) or as KL weights (--rho-a/--rho-b), not both.");
        }

        var relaxation = rhoA is not null || rhoB is not null
            ? Relaxation.FromRho(rhoA ?? double.PositiveInfinity, rhoB ?? double.PositiveInfinity)
            : Relaxation.FromTau(tauA ?? 1, tauB ?? 1);
        var rank = parse.GetValue<int>(_rank.Name);
        var solver = new FrlcGromov { Rank = rank, Seed = GwCommand.Seed(parse), ScaleCost = GwCommand.Scale(parse), MaxIterations = parse.GetValue<int?>(_maxIterations.Name) ?? new FrlcGromov().MaxIterations };
        var relaxed = new QuadraticProblem<double>(problem.GeometryX, problem.GeometryY, problem.A.ToArray(), problem.B.ToArray(), problem.Loss, problem.LinearGeometry, problem.IsFused ? problem.Alpha : null, relaxation, problem.IsSymmetric);
        var result = solver.Solve(relaxed, progress, cancellationToken);
        return (GwLowRankSummary.Create(Name, rank, result), result.Convergence, result);
    }
}
