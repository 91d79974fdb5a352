namespace Monge.Solvers.Hierarchical;

/// <summary>A time/quality budget for <see cref="HierarchicalRefinement"/> (<see cref="HierarchicalRefinement.ForQuality"/>,
/// <c>monge match --quality</c>). The budgets run the same levels and leaves and extend one another's polish, so for the
/// same data and seed the cost satisfies Best ≤ Balanced ≤ Fast (up to 32 768 points; above, the global refinement passes
/// start from different matchings).</summary>
public enum HiRefQuality
{
    /// <summary>Levels, exact leaves and the leaf-pair polish (n ≤ 65 536) only: no random parts, no slab rounds, no global refinement.</summary>
    Fast,

    /// <summary>The defaults: in 2-D with the squared Euclidean cost for 32 768 &lt; n ≤ 262 144, the union of whole solves on ⌈n / 65 536⌉ seeded random
    /// parts instead of the levels and leaves of the whole problem (stop 22); slab rounds of 1024 pairs up to 32 768 points, of 512 pairs (stopping on a 1e-4 gain) up to
    /// 262 144, up to 8 of 32 pairs (stopping on a 1e-3 gain) above, then (32 768 &lt; n ≤ 262 144, dimension ≥ 3) two passes of the global sparse refinement seeded with a cheap global
    /// potential.</summary>
    Balanced,

    /// <summary>Up to 16 slab rounds at every n, stopping on a 1e-5 gain, then up to 4 global passes (32 768 &lt; n ≤ 262 144, dimension ≥ 3):
    /// up to about twice the balanced polish time.</summary>
    Best,
}
