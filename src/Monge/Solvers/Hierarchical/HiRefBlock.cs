namespace Monge.Solvers.Hierarchical;

/// <summary>
/// One block of a <see cref="HierarchicalRefinement"/> level: an X-part and a Y-part of equal size, each a contiguous
/// range of one index array (positions [<see cref="XStart"/>, XStart + <see cref="Size"/>) of the X index array and
/// [<see cref="YStart"/>, YStart + Size) of the Y index array; the entries are point indices into the two clouds).
/// </summary>
/// <param name="Level">The level the block belongs to (0 is the whole problem).</param>
/// <param name="Index">The block's position among all blocks of its level, in index-array order; with
/// <see cref="Level"/> it determines the block's seed (<see cref="HiRefBlockSplitter.SeedOf"/>).</param>
/// <param name="XStart">First position of the X-part in the X index array.</param>
/// <param name="YStart">First position of the Y-part in the Y index array.</param>
/// <param name="Size">Points in each part.</param>
public sealed record HiRefBlock(int Level, int Index, int XStart, int YStart, int Size)
{
    /// <summary>The X-part's positions in the X index array.</summary>
    public Range XRange => new(XStart, XStart + Size);

    /// <summary>The Y-part's positions in the Y index array.</summary>
    public Range YRange => new(YStart, YStart + Size);
}
