namespace Monge.Solvers.Hierarchical;

/// <summary>A time/quality budget for <see cref="HierarchicalRefinement"/>; see <see cref="HierarchicalRefinement.ForQuality"/>.</summary>
public enum HiRefQuality
{
    /// <summary>The co-clustering and exact leaves, with the cheapest polish.</summary>
    Fast,

    /// <summary>The defaults.</summary>
    Balanced,

    /// <summary>The most polish.</summary>
    Best,
}
