using Monge.Geometry.Costs;
using Monge.Solvers;
using Monge.Solvers.Hierarchical;

namespace Monge.Cli.Commands.Match;

/// <summary>What a <c>monge match</c> method needs besides the two point sets.</summary>
/// <param name="Cost">The ground cost.</param>
/// <param name="LeafSize">HiRef leaf size (null: the solver default).</param>
/// <param name="RankSchedule">HiRef rank schedule (null: chosen from n).</param>
/// <param name="Seed">Seed of every random choice.</param>
/// <param name="Progress">Progress sink (levels, for HiRef).</param>
/// <param name="SlabRounds">HiRef slab rounds of the polish (0: off; null: the solver default).</param>
/// <param name="MaxMemoryBytes">The budget for a stored cost matrix (<c>--max-memory</c>; 0: the library default).</param>
/// <param name="Quality">HiRef time/quality budget (<c>--quality</c>; the explicit HiRef options override it).</param>
public sealed record MatchSettings(ICostFunction<double> Cost, int? LeafSize, IReadOnlyList<int>? RankSchedule, int Seed, IProgress<SolverProgress>? Progress, int? SlabRounds = null, long MaxMemoryBytes = 0, HiRefQuality Quality = HiRefQuality.Balanced)
{
    /// <summary>Settings only one method reads (for <c>cluster</c>: the gateway and the store), set by its ReadOptions.</summary>
    public object? MethodState { get; init; }
}
