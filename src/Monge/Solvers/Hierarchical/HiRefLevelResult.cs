namespace Monge.Solvers.Hierarchical;

/// <summary>What an <see cref="IHiRefExecutor"/> returns for one level.</summary>
/// <param name="Children">The child blocks of each split block, in the order of <see cref="HiRefLevel.Blocks"/>, as
/// returned by <see cref="HiRefBlockSplitter.Split"/>.</param>
/// <param name="ScratchBytes">The scratch memory the executor held on this machine for the level (0 if none), for
/// <see cref="HierarchicalRefinementResult.PeakScratchBytes"/>.</param>
public sealed record HiRefLevelResult(IReadOnlyList<IReadOnlyList<HiRefBlock>> Children, long ScratchBytes);
