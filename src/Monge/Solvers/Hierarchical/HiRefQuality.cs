namespace Monge.Solvers.Hierarchical;

/// <summary>A time/quality budget for <see cref="HierarchicalRefinement"/> (<see cref="HierarchicalRefinement.ForQuality"/>,
/// <c>monge match --quality</c>). The budgets run the same levels and leaves and extend one another's polish, so for the
/// same data and seed the cost satisfies Best ≤ Balanced ≤ Fast.</summary>
public enum HiRefQuality
{
    /// <summary>Levels, exact leaves and the leaf-pair polish (n ≤ 65 536) only: no slab rounds.</summary>
    Fast,

    /// <summary>The defaults: slab rounds of 1024 pairs up to 32 768 points, of 512 pairs (stopping on a 1e-4 gain) up to
    /// 262 144.</summary>
    Balanced,

    /// <summary>Up to 16 slab rounds at every n, stopping on a 1e-5 gain: up to about twice the balanced polish time.</summary>
    Best,
}
