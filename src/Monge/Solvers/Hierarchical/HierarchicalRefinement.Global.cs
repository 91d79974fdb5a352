namespace Monge.Solvers.Hierarchical;

/// <summary>The options of the global sparse refinement (<see cref="GlobalPasses"/>), the last polish step: on by default
/// for <see cref="GlobalMinPoints"/> &lt; n ≤ <see cref="GlobalMaxPoints"/> in dimension ≥ <see cref="GlobalMinDimension"/> (docs/hiref.md, "Global sparse refinement").</summary>
public sealed partial record HierarchicalRefinement
{
    /// <summary>Most passes of the global sparse refinement (default 2; <see cref="HiRefQuality.Fast"/> 0,
    /// <see cref="HiRefQuality.Best"/> 4), the last polish step, for <see cref="GlobalMinPoints"/> &lt; n ≤
    /// <see cref="GlobalMaxPoints"/>. At n = 131 072 on the 16-D mixture, after the slab rounds, the first pass takes the
    /// certified gap from 1.89% to ≈ 1.40% and the second to ≈ 1.36% (2× the balanced CPU time). Each pass re-solves the whole matching exactly (ε-scaling auction, to 10⁻⁷ of
    /// the mean edge cost) on a sparse graph: every source point keeps its partner and gains the
    /// <see cref="GlobalCandidates"/> targets of smallest reduced cost c(x, y) − g(y) across every block boundary, g being
    /// the previous pass's auction prices (the first pass's g is the cheap global potential of <see cref="GlobalCoarseSize"/>). It never raises the cost, and stops after a pass that
    /// gains at most <see cref="PolishTolerance"/>. Time per pass: O(n·(n / 128 + 9·128)·d) for the candidates (parallel)
    /// plus a single-threaded auction on n·(k + 1) edges; memory n·(k + 1) ints and doubles plus a copy of the targets.</summary>
    internal int GlobalPasses { get; init; } = 2;

    /// <summary>The global refinement runs only up to this n (default 262 144, as the large slab rounds): its candidate
    /// search grows with n² / 256 (<see cref="GlobalBallPoints"/>) and the auction is single-threaded.</summary>
    internal int GlobalMaxPoints { get; init; } = 262144;

    /// <summary>Candidate targets per source point for <see cref="GlobalPasses"/> (default 16), besides its partner.</summary>
    internal int GlobalCandidates { get; init; } = 16;

    /// <summary>The global refinement runs only for n above this (default 32 768), so that smaller problems keep the
    /// slab rounds' results unchanged.</summary>
    internal int GlobalMinPoints { get; init; } = 32768;

    /// <summary>Balls of targets the candidates of a point come from in <see cref="GlobalPasses"/> (default 8, plus the
    /// partner's ball): those of smallest c(x, centre) − mean g over balls of about 128 targets.</summary>
    internal int GlobalProbes { get; init; } = 8;

    /// <summary>Experimental: a target potential (by target index, e.g. the certificate's <see cref="Tools.DualBoundResult.G"/>)
    /// for the first pass of <see cref="GlobalPasses"/>; null: the first pass takes the targets nearest the partner.</summary>
    internal double[]? GlobalSeedPotential { get; init; }

    /// <summary>Subsample points per side of the cheap global potential the first pass of <see cref="GlobalPasses"/> starts
    /// from when <see cref="GlobalSeedPotential"/> is null (default 2048; <see cref="CoarsePotential"/>: entropic OT between
    /// cell-weighted subsamples, extended to every target by one soft c-transform, O(s²·d) per Sinkhorn iteration plus three
    /// O(n·s·d) passes); 0: none, the first pass takes the targets nearest the partner.</summary>
    internal int GlobalCoarseSize { get; init; } = 2048;

    /// <summary>Sinkhorn ε of the cheap global potential, relative to the subsample's mean cost (default 1e-2).</summary>
    internal double GlobalCoarseEpsilon { get; init; } = 1e-2;

    /// <summary>Targets per ball of the candidate search of <see cref="GlobalPasses"/> (default 0: max(128, n / 256), so
    /// that the <see cref="GlobalProbes"/> balls cover the same share of the targets, about 3%, at every n: with 128-point
    /// balls at n = 131 072 the first pass found a third of the gain the potential allows).</summary>
    internal int GlobalBallPoints { get; init; }

    /// <summary>The global refinement runs only on points of at least this dimension (default 3). Measured at n = 131 072
    /// after the slab rounds: two passes gained 2·10⁻⁵ on the 2-D half-moon → S-curve for 45% more CPU time and 10⁻⁴ on
    /// 8 Gaussians → moons for 2.7× the CPU time (thin slabs already reach the cross-block moves in 2-D); 5·10⁻³ on the
    /// 16-D mixture.</summary>
    internal int GlobalMinDimension { get; init; } = 3;

    /// <summary>Diagnostic: after the last global pass, the c-transform check of its potential over every target (a lower
    /// bound on the optimum and the rows with a better edge left out, reported as a progress stage; default off, one full
    /// pruned c-transform).</summary>
    internal bool GlobalCheck { get; init; }

    /// <summary>The candidates of <see cref="GlobalPasses"/> are the exact k best targets of each row's reduced cost over all
    /// targets (<see cref="ReducedCostSearch"/>, branch and bound over the target balls) instead of the best among the
    /// <see cref="GlobalProbes"/> balls (default true since stop 20: with the float32 screen, on the 16-D mixture at
    /// 131 072 on a quiet machine the whole solve reaches 0.435% certified against 0.647% with probed balls, for +5% CPU-s:
    /// 94.1 vs 89.4; docs/hiref.md).</summary>
    internal bool GlobalExact { get; init; } = true;

    /// <summary>With <see cref="GlobalExact"/>: most target balls a row visits, in the order of the bound (default 0: every
    /// ball the bound cannot exclude, the exact k best; otherwise a heuristic of bounded cost).</summary>
    internal int GlobalExactBalls { get; init; }

    /// <summary>With <see cref="GlobalExact"/>: screen the targets with float32 GEMM-style tiles and evaluate in float64 only
    /// those the tiles' rounding allowance cannot exclude (default true; the same candidates bit for bit, cheaper).</summary>
    internal bool GlobalExactScreen { get; init; } = true;

    /// <summary>First ε of the global step's warm auctions, relative to the mean edge cost (default 10⁻⁴); NaN: cold auctions
    /// (the potential only chooses the candidates). Harness key <c>gwarmeps</c>.</summary>
    internal double GlobalWarmEpsilon { get; init; } = GlobalSparsePolish.WarmEpsilon;

    // The global step for this n, or null (off, or n too small).
    private GlobalSparsePolish? GlobalStep(int n) =>
        GlobalPasses > 0 && n > GlobalMinPoints && n <= GlobalMaxPoints
            ? new GlobalSparsePolish(GlobalPasses, GlobalCandidates, GlobalBallPoints > 0 ? GlobalBallPoints : Math.Max(128, n / 256), GlobalProbes, PolishTolerance, GlobalSeedPotential, GlobalCoarseSize, GlobalCoarseEpsilon, Seed, GlobalMinDimension, GlobalCheck, GlobalExact, GlobalExactBalls, GlobalExactScreen, GlobalWarmEpsilon)
            : null;

    private void ValidateGlobal()
    {
        Require(GlobalPasses >= 0, $"GlobalPasses must be non-negative (got {GlobalPasses}).", nameof(GlobalPasses));
        Require(GlobalCandidates >= 1, $"GlobalCandidates must be at least 1 (got {GlobalCandidates}).", nameof(GlobalCandidates));
        Require(GlobalMinDimension >= 1, $"GlobalMinDimension must be at least 1 (got {GlobalMinDimension}).", nameof(GlobalMinDimension));
        Require(GlobalMaxPoints >= 0, $"GlobalMaxPoints must be non-negative (got {GlobalMaxPoints}).", nameof(GlobalMaxPoints));
        Require(GlobalMinPoints >= 0, $"GlobalMinPoints must be non-negative (got {GlobalMinPoints}).", nameof(GlobalMinPoints));
        Require(GlobalCoarseSize >= 0, $"GlobalCoarseSize must be non-negative (got {GlobalCoarseSize}).", nameof(GlobalCoarseSize));
        Require(GlobalCoarseEpsilon > 0 && double.IsFinite(GlobalCoarseEpsilon), $"GlobalCoarseEpsilon must be positive and finite (got {GlobalCoarseEpsilon}).", nameof(GlobalCoarseEpsilon));
        Require(GlobalBallPoints >= 0, $"GlobalBallPoints must be non-negative (got {GlobalBallPoints}).", nameof(GlobalBallPoints));
        Require(GlobalExactBalls >= 0, $"GlobalExactBalls must be non-negative (got {GlobalExactBalls}).", nameof(GlobalExactBalls));
        Require(GlobalProbes >= 1, $"GlobalProbes must be at least 1 (got {GlobalProbes}).", nameof(GlobalProbes));
        Require(double.IsNaN(GlobalWarmEpsilon) || (GlobalWarmEpsilon > 0 && double.IsFinite(GlobalWarmEpsilon)), $"GlobalWarmEpsilon must be NaN (cold auctions) or positive and finite (got {GlobalWarmEpsilon}).", nameof(GlobalWarmEpsilon));
    }
}
