namespace Monge.Solvers.Hierarchical;

/// <summary>The options of the global sparse refinement (<see cref="GlobalPasses"/>), the last polish step: internal and
/// off by default while it does not pay on its own (docs/hiref.md, "Global sparse refinement").</summary>
public sealed partial record HierarchicalRefinement
{
    /// <summary>Most passes of the global sparse refinement (default 0: off), the last polish step, for
    /// n &gt; <see cref="GlobalMinPoints"/>. Each pass re-solves the whole matching exactly (ε-scaling auction, to 10⁻⁷ of
    /// the mean edge cost) on a sparse graph: every source point keeps its partner and gains the
    /// <see cref="GlobalCandidates"/> targets of smallest reduced cost c(x, y) − g(y) across every block boundary, g being
    /// the previous pass's auction prices (the first pass, without a potential, takes the targets nearest the partner). It never raises the cost, and stops after a pass that
    /// gains at most <see cref="PolishTolerance"/>. Time per pass: O(n·(n / 128 + 9·128)·d) for the candidates (parallel)
    /// plus a single-threaded auction on n·(k + 1) edges; memory n·(k + 1) ints and doubles plus a copy of the targets.</summary>
    internal int GlobalPasses { get; init; }

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

    // The global step for this n, or null (off, or n too small).
    private GlobalSparsePolish? GlobalStep(int n) =>
        GlobalPasses > 0 && n > GlobalMinPoints ? new GlobalSparsePolish(GlobalPasses, GlobalCandidates, 128, GlobalProbes, PolishTolerance, GlobalSeedPotential) : null;

    private void ValidateGlobal()
    {
        Require(GlobalPasses >= 0, $"GlobalPasses must be non-negative (got {GlobalPasses}).", nameof(GlobalPasses));
        Require(GlobalCandidates >= 1, $"GlobalCandidates must be at least 1 (got {GlobalCandidates}).", nameof(GlobalCandidates));
        Require(GlobalMinPoints >= 0, $"GlobalMinPoints must be non-negative (got {GlobalMinPoints}).", nameof(GlobalMinPoints));
        Require(GlobalProbes >= 1, $"GlobalProbes must be at least 1 (got {GlobalProbes}).", nameof(GlobalProbes));
    }
}
