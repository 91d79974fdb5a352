using System.Text.Json.Nodes;
using Monge.Geometry;
using Monge.Solvers;
using Monge.Solvers.Hierarchical;

namespace Monge.Cli.Commands.Match;

/// <summary>The <c>hiref</c> and <c>auto</c> methods of <c>monge match</c>.</summary>
public static class HirefMatch
{
    /// <summary>Below this many points <c>auto</c> solves exactly (the assignment solver is fast there and certified).</summary>
    public const int AutoExactMaxPoints = 4096;

    /// <summary>Hierarchical Refinement (Halmos et al., ICML 2025): linear memory, exact leaves.</summary>
    public static MatchOutcome Solve(PointCloud<double> x, PointCloud<double> y, MatchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var solver = new HierarchicalRefinement { Cost = settings.Cost, Seed = settings.Seed, RankSchedule = settings.RankSchedule };
        if (settings.LeafSize is { } leaf)
        {
            solver = solver with { LeafSize = leaf };
        }

        if (settings.SlabRounds is { } rounds)
        {
            solver = solver with { SlabRounds = rounds };
        }

        var result = solver.Solve(x, y, settings.Progress, cancellationToken);
        var levels = new JsonArray();
        foreach (var level in result.Levels)
        {
            levels.Add(new JsonObject
            {
                ["rank"] = level.Rank,
                ["blocks"] = level.BlocksSplit,
                ["largest_block"] = level.LargestBlock,
                ["seconds"] = level.Seconds,
                ["cost"] = double.IsFinite(level.BlockCost) ? level.BlockCost : null,
            });
        }

        var extra = new JsonObject
        {
            ["levels"] = levels,
            ["rank_schedule"] = new JsonArray(result.RankSchedule.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
            ["peak_bytes"] = result.PeakScratchBytes,
            ["leaf_seconds"] = result.LeafSeconds,
            ["polish_seconds"] = result.PolishSeconds,
            ["cost_before_polish"] = result.CostBeforePolish,
        };
        var convergence = new Convergence(SolverStatus.Converged, result.Levels.Count, double.NaN, double.NaN, [], result.Elapsed);
        return new MatchOutcome(result.Permutation, result.Cost * x.Count, Optimal: false, convergence, "hiref", extra);
    }

    /// <summary>Exact assignment for n ≤ <see cref="AutoExactMaxPoints"/>, Hierarchical Refinement above.</summary>
    public static MatchOutcome Auto(PointCloud<double> x, PointCloud<double> y, MatchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Count <= AutoExactMaxPoints
            ? MatchCommand.SolveExact(x, y, settings, cancellationToken)
            : Solve(x, y, settings, cancellationToken);
    }
}
