namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Scratch buffers for splitting blocks (<see cref="HiRefBlockSplitter.Split"/>): one per worker, reused across blocks;
/// they grow to the largest block the worker has split (about 4·m·r + 2·m·k + O(m) doubles for a block of m points,
/// rank r and k factor columns; 3·m·r floats + 2·m·k + O(m) doubles for blocks of at least
/// <see cref="HierarchicalRefinement.SinglePrecisionMinBlock"/> points). Not thread-safe: a scratch serves one split at a time.
/// </summary>
public sealed class HiRefScratch
{
    internal CoClusteringWorkspace Workspace { get; } = new();

    /// <summary>Bytes held by the buffers.</summary>
    public long Bytes => Workspace.Bytes;

    /// <summary>The largest block (points) this scratch has split: its buffers are sized for it.</summary>
    internal int LargestBlock { get; set; }
}
