namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The default <see cref="IHiRefExecutor"/>: the blocks of a level in a <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>
/// honouring <see cref="HiRefLevelInput.MaxDegreeOfParallelism"/>, with pooled per-worker <see cref="HiRefScratch"/>.
/// A level with fewer blocks than twice the workers runs its blocks one after another, each parallelised inside
/// (over fixed 1024-row chunks, so the result is the same) and reporting its mirror steps
/// (<see cref="HiRefLevelInput.StepReporter(int)"/>).
/// </summary>
public sealed class LocalParallelExecutor : IHiRefExecutor
{
    /// <summary>The shared instance (the executor is stateless: the scratch pool belongs to the solve).</summary>
    public static LocalParallelExecutor Instance { get; } = new();

    /// <inheritdoc/>
    public ValueTask<HiRefLevelResult> RunLevelAsync(HiRefLevel level, HiRefLevelInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(level);
        ArgumentNullException.ThrowIfNull(input);
        var blocks = level.Blocks;
        var workers = input.MaxDegreeOfParallelism > 0 ? input.MaxDegreeOfParallelism : Environment.ProcessorCount;

        // At most one block per worker at a time: each running block holds a scratch sized by its block, and an unbounded
        // loop lets the thread pool inject threads (one per block under load), which multiplied the level's memory.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken };
        // The solver's pool (kept across levels) when it gives one: a worker of this level reuses a buffer of the last.
        var pool = input.ScratchPool ?? new HiRefScratchPool();
        var blockParallel = blocks.Count >= 2 * workers;
        var inner = blockParallel ? null : parallel;
        var children = new IReadOnlyList<HiRefBlock>[blocks.Count];
        void SplitOne(int s)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var scratch = pool.Take();
            var block = blocks[s];
            // A block run alone reports its mirror steps (at 10⁷ points the first level is one block of minutes).
            scratch.Workspace.StepProgress = blockParallel ? null : input.StepReporter(s);
            try
            {
                children[s] = input.Splitter.Split(
                    block, level.Rank, input.X.Span, input.Y.Span, input.Dimension,
                    input.IndicesX.Span[block.XRange], input.IndicesY.Span[block.YRange], scratch, inner, cancellationToken);
            }
            finally
            {
                scratch.Workspace.StepProgress = null;
            }

            pool.Return(scratch);
            input.ReportBlockDone();
        }

        if (blockParallel)
        {
            Parallel.For(0, blocks.Count, parallel, SplitOne);
        }
        else
        {
            for (var s = 0; s < blocks.Count; s++)
            {
                SplitOne(s);
            }
        }

        // Every scratch is back in the pool: what it holds is the memory this level needed (with the earlier levels').
        return ValueTask.FromResult(new HiRefLevelResult(children, pool.Bytes));
    }
}
