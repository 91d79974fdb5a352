using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Geometry;
using Monge.Solvers;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Commands.Gw;

/// <summary>What the low-rank methods of <c>monge gw</c> share: the <c>--rank</c>, <c>--lowrank-max-iterations</c>,
/// <c>--seed</c> and <c>--scale-cost</c> options, the JSON summary and the plan products of a factored coupling.</summary>
internal static class GwLowRankSummary
{
    public const string RankName = "--rank";

    public const string MaxIterationsName = "--lowrank-max-iterations";

    public const string SeedName = "--seed";

    public const string ScaleName = "--scale-cost";

    /// <summary>New instances of the options every low-rank method declares.</summary>
    /// <param name="maxIterations">The solver's default outer iteration budget (for the help text).</param>
    public static IEnumerable<Option> CreateSharedOptions(int maxIterations) =>
    [
        new Option<int>(RankName) { Description = "rank r of the coupling, default 10", DefaultValueFactory = _ => 10 },
        new Option<int?>(MaxIterationsName) { Description = $"outer iteration budget (default {maxIterations})" },
        new Option<int>(SeedName) { Description = "seed of the random initialisation, default 0", DefaultValueFactory = _ => 0 },
        new Option<string>(ScaleName) { Description = "divide the intra-space costs by their common mean (default), max or std, by a fixed positive number, or not at all (none); the feature cost by its square; values are reported in the input's units", DefaultValueFactory = _ => "mean" },
    ];

    /// <summary>
    /// Runs a low-rank method: reads the shared options (<c>--rank</c>, <c>--seed</c>, <c>--scale-cost</c>,
    /// <c>--lowrank-max-iterations</c> with <paramref name="defaultMaxIterations"/> as the solver's default), solves, and
    /// builds the outcome (cancellation rethrown).
    /// </summary>
    /// <param name="method">The method name (JSON and messages).</param>
    /// <param name="input">The parsed input.</param>
    /// <param name="defaultMaxIterations">The solver's default outer iteration budget.</param>
    /// <param name="solve">Builds the solver from the settings and solves <see cref="GwInput.Problem"/>.</param>
    /// <exception cref="UsageException">A <c>--scale-cost</c> that is not a statistic name or a positive number, or weights
    /// whose total is not one (the low-rank solvers would rescale them).</exception>
    public static GwOutcome Run(string method, GwInput input, int defaultMaxIterations, Func<LowRankSettings, LowRankGromovResult> solve)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(solve);
        var problem = input.Problem;
        if (!WeightOptions.SameMass(problem.MassA, 1) || !WeightOptions.SameMass(problem.MassB, 1))
        {
            // The low-rank GW solvers work at mass one (docs/align.md): refuse rather than silently rescale, as monge solve does.
            throw new UsageException(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"--method {method} solves at total mass one, but the source mass is {problem.MassA:G6} and the target mass is {problem.MassB:G6}; pass {WeightOptions.NormalizeName} to rescale both to one, or use --method cg or entropic (which use the masses as given)."));
        }

        var text = input.Get<string>(ScaleName);
        var scale = CostScale.TryParse(text, out var parsed) ? parsed : throw new UsageException($"{ScaleName} {text}: expected mean, max, std, none or a positive number.");
        var settings = new LowRankSettings(input.Get<int>(RankName), input.Get<int>(SeedName), scale, input.Parse.GetValue<int?>(MaxIterationsName) ?? defaultMaxIterations);
        return Outcome(method, settings.Rank, solve(settings), input.Context.Cancellation);
    }

    /// <summary>The outcome of a low-rank solve: summary, dense plan (small problems), and the hard matching (a
    /// plan above the dense limit is refused: its factors are not a file format yet).</summary>
    private static GwOutcome Outcome(string method, int rank, LowRankGromovResult result, CancellationToken cancellationToken)
    {
        if (result.Convergence.Status == SolverStatus.Cancelled)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        return new GwOutcome(Create(method, rank, result), result.Convergence)
        {
            DensePlan = () => result.ToDense(),
            SparsePlan = () => throw new UsageException($"--plan-out: the {method} plan has more than 10^7 entries; write --match-out (the largest entry of each row) instead, or solve a smaller problem."),
            Matching = () => PlanTopK.Compute(result, 1, cancellationToken).Indices,
        };
    }

    private static JsonObject Create(string method, int rank, LowRankGromovResult result) => new()
    {
        ["rank"] = rank,
        ["cost"] = JsonOutput.Number(result.Cost),
        ["gw_cost"] = JsonOutput.Number(result.GromovCost),
        ["linear_cost"] = JsonOutput.Number(result.LinearCost),
        ["cost_scale"] = JsonOutput.Number(result.CostScale),
        ["relaxation"] = result.Relaxation.IsBalanced ? "balanced" : result.Relaxation.ToString(),
        ["converged"] = result.Convergence.Converged,
        ["status"] = result.Convergence.Status.ToString(),
        ["iterations"] = result.Convergence.Iterations,
        ["marginal_error"] = JsonOutput.Number(result.MarginalError),
        ["source_marginal_error_l1"] = JsonOutput.Number(result.SourceMarginalError),
        ["target_marginal_error_l1"] = JsonOutput.Number(result.TargetMarginalError),
        ["stopping_criterion"] = JsonOutput.Number(result.Convergence.FinalError),
        ["state_bytes"] = result.StateBytes,
    };
}

/// <summary>The options every low-rank method of <c>monge gw</c> shares, as given on the command line.</summary>
/// <param name="Rank">--rank.</param>
/// <param name="Seed">--seed.</param>
/// <param name="Scale">--scale-cost.</param>
/// <param name="MaxIterations">--lowrank-max-iterations, or the solver's default.</param>
internal readonly record struct LowRankSettings(int Rank, int Seed, CostScale Scale, int MaxIterations);
