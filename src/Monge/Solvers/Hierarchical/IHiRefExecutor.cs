namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Runs the blocks of one <see cref="HierarchicalRefinement"/> level. The default is <see cref="LocalParallelExecutor"/>;
/// a distributed executor ships each block's points to a worker and writes the permuted index ranges back.
/// </summary>
/// <remarks>
/// <para>Contract: for every block <c>level.Blocks[i]</c>, call
/// <c>input.Splitter.Split(block, level.Rank, …)</c> once on that block's points (in place on
/// <see cref="HiRefLevelInput.IndicesX"/> / <see cref="HiRefLevelInput.IndicesY"/>, or on a copy of its points with
/// identity index ranges whose permutation is then mapped back through the block's original ranges), write the
/// permuted ranges into the input's index arrays and return the children as <c>Children[i]</c>. Blocks are disjoint
/// and independent: any order, any concurrency and any machine give bit-identical results, because each split depends
/// only on its block's points, the options and the block's seed. Call <see cref="HiRefLevelInput.ReportBlockDone"/>
/// after each block and honour the cancellation token.</para>
/// </remarks>
public interface IHiRefExecutor
{
    /// <summary>Splits every block of <paramref name="level"/>.</summary>
    /// <param name="level">The level: its number, rank and the blocks to split.</param>
    /// <param name="input">The points, the index arrays (written in place), the splitter and the thread budget.</param>
    /// <param name="cancellationToken">Cancels the level.</param>
    /// <returns>The children of each block, in the order of <see cref="HiRefLevel.Blocks"/>, and the scratch memory used.</returns>
    ValueTask<HiRefLevelResult> RunLevelAsync(HiRefLevel level, HiRefLevelInput input, CancellationToken cancellationToken);
}
