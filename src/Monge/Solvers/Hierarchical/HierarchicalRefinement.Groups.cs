namespace Monge.Solvers.Hierarchical;

/// <summary>The options of the grouped global refinement (<see cref="GlobalGroupRounds"/>): the global sparse refinement
/// above <see cref="GlobalMaxPoints"/>, on random groups of pairs (docs/hiref.md, "Stop 22 (q1m16)").</summary>
public sealed partial record HierarchicalRefinement
{
    /// <summary>Rounds of the grouped global refinement for n &gt; <see cref="GlobalMaxPoints"/> in dimension
    /// <see cref="GlobalMinDimension"/> ≤ d ≤ <see cref="GlobalGroupMaxDimension"/> (default 1; 0 turns it off; runs only
    /// when <see cref="GlobalPasses"/> &gt; 0, so <see cref="HiRefQuality.Fast"/> has none). On the 16-D mixture at
    /// n = 1 048 576 one round of groups of 65 536 took the certified gap from 3.01% to 1.56% for about 3× the CPU of the rest
    /// of the solve (docs/hiref.md, "Stop 22 (q1m16)"); groups of 131 072 (the default since stop 23) are not yet measured
    /// there ("Stop 23 (g16)"). Each round deals the matched pairs into seeded random groups of about
    /// <see cref="GlobalGroupPoints"/> pairs and re-solves every group with <see cref="GlobalPasses"/> passes of the global
    /// step (exact k-best candidates) on the group's own sources and targets: a random group spans every cluster, so it
    /// holds the exchanges that repair the top-level split, at a search cost of n·m per round instead of n².</summary>
    internal int GlobalGroupRounds { get; init; } = 1;

    /// <summary>The grouped global refinement runs only up to this dimension (default 32): its exact candidate search costs
    /// about d·n·m per pass, so at d = 64 one round would take the 1 048 576-point solve past the 10 minutes
    /// (estimated, docs/hiref.md "Stop 22 (q1m16)").</summary>
    internal int GlobalGroupMaxDimension { get; init; } = 32;

    /// <summary>Pairs per group of <see cref="GlobalGroupRounds"/> (default 131 072; stop 22: 65 536). Larger groups hold
    /// the repairing exchanges at a higher density: on the 16-D mixture at 131 072 (groups forced below
    /// <see cref="GlobalMaxPoints"/>) groups of 16 384 gained 1.6× what groups of 8 192 gained for 0.8× the CPU, and two rounds
    /// of 8 192 still less than one of 16 384 (docs/hiref.md, "Stop 23 (g16)"). The groups of a round run concurrently, one
    /// per worker (<see cref="GroupedGlobalPolish.MaxConcurrentGroups"/>).</summary>
    internal int GlobalGroupPoints { get; init; } = 131072;

    // The grouped global step for this n, or null (off, or n within the whole-problem step's range).
    private GroupedGlobalPolish? GroupedStep(int n) =>
        GlobalPasses > 0 && GlobalGroupRounds > 0 && n > GlobalMaxPoints && n > GlobalMinPoints
            ? new GroupedGlobalPolish(GlobalGroupRounds, GlobalGroupPoints, GroupStep, Seed, PolishTolerance, GlobalMinDimension, GlobalGroupMaxDimension)
            : null;

    /// <summary>The grouped global step as the solver would run it for n points (null when it does not run): for the
    /// bench harness (<c>hiref tune … polishfrom=</c>).</summary>
    internal GroupedGlobalPolish? GroupedStepFor(int n) => GroupedStep(n);

    /// <summary>The global step of one group of m pairs: the whole-problem step's options at m points.</summary>
    internal GlobalSparsePolish GroupStep(int m) =>
        new(GlobalPasses, GlobalCandidates, GlobalBallPoints > 0 ? GlobalBallPoints : Math.Max(128, m / 256), GlobalProbes, PolishTolerance, null, GlobalCoarseSize, GlobalCoarseEpsilon, Seed, GlobalMinDimension, false, GlobalExact, GlobalExactBalls, GlobalExactScreen, GlobalWarmEpsilon);

    private void ValidateGroups()
    {
        Require(GlobalGroupRounds >= 0, $"GlobalGroupRounds must be non-negative (got {GlobalGroupRounds}).", nameof(GlobalGroupRounds));
        Require(GlobalGroupMaxDimension >= 1, $"GlobalGroupMaxDimension must be at least 1 (got {GlobalGroupMaxDimension}).", nameof(GlobalGroupMaxDimension));
        Require(GlobalGroupPoints >= 2, $"GlobalGroupPoints must be at least 2 (got {GlobalGroupPoints}).", nameof(GlobalGroupPoints));
    }
}
