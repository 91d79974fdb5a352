namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The work of one <see cref="HierarchicalRefinement"/> level: the blocks it splits and the rank it splits them into.
/// Blocks of at most <see cref="HierarchicalRefinement.LeafSize"/> points are leaves and are not listed; the listed
/// blocks keep their <see cref="HiRefBlock.Index"/> among all blocks of the level.
/// </summary>
/// <param name="Number">The level number (0 splits the whole problem).</param>
/// <param name="Rank">The rank r: each block is split into min(r, size) child blocks.</param>
/// <param name="Blocks">The blocks to split, in index-array order; disjoint ranges.</param>
public sealed record HiRefLevel(int Number, int Rank, IReadOnlyList<HiRefBlock> Blocks);
