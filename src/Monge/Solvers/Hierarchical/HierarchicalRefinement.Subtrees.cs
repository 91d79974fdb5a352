using System.Diagnostics;
using Monge.Geometry;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Runs the subtrees of <see cref="HierarchicalRefinement.SolveWithSubtrees"/>: every root's remaining levels and its
/// exact leaves, through <see cref="HierarchicalRefinement.SolveSubtree"/> (on this machine or on another one with the
/// root's points shipped), writing each root's permuted ranges into the index arrays.
/// </summary>
internal interface IHiRefSubtreeRunner
{
    /// <summary>Solves every subtree. For root s, permutes <c>indicesX[root.XRange]</c> and <c>indicesY[root.YRange]</c>
    /// as <see cref="HierarchicalRefinement.SolveSubtree"/> does and returns its leaves (ranges relative to the root)
    /// as <c>result[s]</c>.</summary>
    ValueTask<IReadOnlyList<IReadOnlyList<HiRefBlock>>> RunSubtreesAsync(HierarchicalRefinement solver, int n, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int dimension, int[] indicesX, int[] indicesY, IReadOnlyList<HiRefBlock> roots, CancellationToken cancellationToken);
}

/// <summary>The subtree stage of <see cref="HierarchicalRefinement"/>: what a distributed run ships to a worker once its
/// blocks are small enough. Additive to the single-machine <c>Run</c>: same splitter, same seeds, same leaf solve, same
/// polish, so the permutation is bit-identical to <see cref="Solve(PointCloud{double}, PointCloud{double}, IProgress{SolverProgress}?, CancellationToken)"/>.</summary>
public sealed partial record HierarchicalRefinement
{
    /// <summary>Like Solve, but once every block of a level has at most <paramref name="subtreeMaxSize"/> points, each
    /// block (a subtree root) is handed whole to <paramref name="subtrees"/>: its remaining levels and its exact leaves.
    /// The levels above run through <see cref="Executor"/>; the polish (which crosses blocks) runs here. Bit-identical to
    /// Solve. <see cref="HierarchicalRefinementResult.Levels"/> lists the trunk levels only and
    /// <see cref="HierarchicalRefinementResult.LeafSeconds"/> is the subtree stage's wall time.</summary>
    internal HierarchicalRefinementResult SolveWithSubtrees(PointCloud<double> source, PointCloud<double> target, int subtreeMaxSize, IHiRefSubtreeRunner subtrees, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subtrees);
        ArgumentOutOfRangeException.ThrowIfLessThan(subtreeMaxSize, 1);
        var schedule = Validate(source, target);
        if (PartsFor(source.Count, source.Dimension) > 1)
        {
            // The random parts replace the trunk: the parts are solved here (their levels through Executor), so the
            // result stays Solve's; the subtree runner is not used.
            return Run(source, target, schedule, progress, cancellationToken);
        }

        var clock = Stopwatch.StartNew();
        (schedule, var firstRank) = ChooseSchedule(source, target, schedule, progress, cancellationToken);
        var trunk = RunTrunk(source, target, schedule, subtreeMaxSize, progress, cancellationToken, clock);
        var (n, d, x, y, idxX, idxY, blocks) = (trunk.N, trunk.D, trunk.X, trunk.Y, trunk.IdxX, trunk.IdxY, trunk.Blocks);
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new SolverProgress("subtrees", 0, blocks.Count, double.NaN));
        var subtreeClock = Stopwatch.StartNew();
        var task = subtrees.RunSubtreesAsync(this, n, x, y, d, idxX, idxY, blocks, cancellationToken);
        var local = task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
        if (local.Count != blocks.Count)
        {
            throw new InvalidOperationException($"The subtree runner returned leaves for {local.Count} subtrees; there are {blocks.Count}.");
        }

        var leaves = new List<(int Start, int Size)>();
        for (var s = 0; s < blocks.Count; s++)
        {
            var root = blocks[s];
            var offset = 0;
            foreach (var leaf in local[s])
            {
                if (leaf.XStart != offset || leaf.YStart != offset || leaf.Size < 1)
                {
                    throw new InvalidOperationException($"The leaves of subtree {root.Index} (level {root.Level}) do not tile its ranges.");
                }

                leaves.Add((root.XStart + offset, leaf.Size));
                offset += leaf.Size;
            }

            if (offset != root.Size)
            {
                throw new InvalidOperationException($"The leaves of subtree {root.Index} (level {root.Level}) hold {offset} points; the root has {root.Size}.");
            }
        }

        var subtreeSeconds = subtreeClock.Elapsed.TotalSeconds;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        var matching = NewMatching(x, y, d, idxX, idxY, leaves, parallel, progress, trunk.Peak);
        return PolishAndFinish(matching, n, schedule, trunk.Levels, leaves.Count, leaves.Max(l => l.Size), subtreeSeconds, idxX, idxY, trunk.Clock, cancellationToken, firstRank: firstRank);
    }

    /// <summary>
    /// Solves the subtree under <paramref name="root"/>, a block of the n-point problem: the levels below the root's
    /// (blocks numbered by their position among all blocks of their level, as in Solve, so every block keeps its seed),
    /// then every leaf exactly. The points may be the root's own sub-clouds (identity index ranges) or the whole clouds.
    /// Time: the root's share of Solve's levels and leaves; memory: the splitter's scratch for the root plus
    /// <see cref="LeafSize"/>² doubles per thread.
    /// </summary>
    /// <param name="root">The subtree's root (its level, index and size; its ranges are not used).</param>
    /// <param name="n">The size of the whole problem (it fixes the schedule and the block numbering).</param>
    /// <param name="x">Source points, row-major.</param>
    /// <param name="y">Target points, row-major.</param>
    /// <param name="dimension">The dimension d.</param>
    /// <param name="indicesX">The root's X-part (root.Size indices into <paramref name="x"/>), permuted in place.</param>
    /// <param name="indicesY">The root's Y-part, permuted in place so that position p pairs indicesX[p] with indicesY[p].</param>
    /// <param name="cancellationToken">Checked between levels and blocks.</param>
    /// <returns>The leaves, in index-array order, with ranges relative to the root.</returns>
    internal IReadOnlyList<HiRefBlock> SolveSubtree(HiRefBlock root, int n, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int dimension, int[] indicesX, int[] indicesY, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(indicesX);
        ArgumentNullException.ThrowIfNull(indicesY);
        if (indicesX.Length != root.Size || indicesY.Length != root.Size)
        {
            throw new ArgumentException($"The index ranges have {indicesX.Length} and {indicesY.Length} entries; the root has {root.Size}.", nameof(indicesX));
        }

        var schedule = ValidateOptions(n);
        var firstIndex = FirstDescendants(n, schedule, root);
        var splitter = new HiRefBlockSplitter(SplitOptionsFor(n));
        var blocks = new List<HiRefBlock> { root with { XStart = 0, YStart = 0 } };
        var pool = new HiRefScratchPool();
        var peak = 0L;
        for (var level = root.Level; level < schedule.Length; level++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = RunLevel(level, schedule[level], blocks, splitter, x, y, dimension, indicesX, indicesY, null, null, pool, ref peak, cancellationToken, firstIndex[level + 1 - root.Level]);
            if (next is null)
            {
                break;
            }

            blocks = next;
        }

        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        var leaves = blocks.ConvertAll(b => (b.XStart, b.Size));
        var matching = NewMatching(x, y, dimension, indicesX, indicesY, leaves, parallel, null, 0);
        matching.SolveExactly(leaves.ConvertAll(b => (b.XStart, b.Size, 0, 0)), "leaves", cancellationToken);
        return blocks;
    }

    // The global index of the root's first descendant at each level from the root's own (entry 0 = root.Index): the shape
    // of the tree is a function of n, the schedule and LeafSize only (child sizes ⌊m/r⌋ or ⌈m/r⌉), so it is replayed here
    // with each block tagged before, inside or after the root's subtree.
    private int[] FirstDescendants(int n, int[] schedule, HiRefBlock root)
    {
        var sizes = new List<int> { n };
        var tags = new List<int> { 0 };
        for (var level = 0; level < root.Level; level++)
        {
            (sizes, tags) = ReplayLevel(sizes, tags, schedule[level]);
        }

        if (root.Index < 0 || root.Index >= sizes.Count || sizes[root.Index] != root.Size)
        {
            throw new ArgumentException($"Block {root.Index} of level {root.Level} with {root.Size} points is not a block of the {n}-point problem with schedule [{string.Join(",", schedule)}].", nameof(root));
        }

        for (var i = 0; i < tags.Count; i++)
        {
            tags[i] = i.CompareTo(root.Index);
        }

        var first = new List<int> { root.Index };
        for (var level = root.Level; level < schedule.Length; level++)
        {
            (sizes, tags) = ReplayLevel(sizes, tags, schedule[level]);
            first.Add(tags.Count(t => t < 0));
        }

        return [.. first];
    }

    private (List<int> Sizes, List<int> Tags) ReplayLevel(List<int> sizes, List<int> tags, int rank)
    {
        var nextSizes = new List<int>(sizes.Count * rank);
        var nextTags = new List<int>(sizes.Count * rank);
        Span<int> children = rank <= 1024 ? stackalloc int[rank] : new int[rank];
        for (var i = 0; i < sizes.Count; i++)
        {
            if (sizes[i] <= LeafSize)
            {
                nextSizes.Add(sizes[i]);
                nextTags.Add(tags[i]);
                continue;
            }

            var r = Math.Min(rank, sizes[i]);
            CapacitySplit.ChildSizes(sizes[i], r, children);
            for (var z = 0; z < r; z++)
            {
                nextSizes.Add(children[z]);
                nextTags.Add(tags[i]);
            }
        }

        return (nextSizes, nextTags);
    }
}
