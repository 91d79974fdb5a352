namespace Monge.Solvers.Hierarchical;

/// <summary>
/// What an <see cref="IHiRefExecutor"/> needs to run one level: both clouds, the two index arrays (every block is a
/// range of each; the executor permutes the ranges in place), the splitter and the thread budget.
/// </summary>
public sealed class HiRefLevelInput
{
    private readonly IProgress<SolverProgress>? _progress;
    private readonly string _stage;
    private readonly int _blocks;
    private int _done;

    internal HiRefLevelInput(HiRefBlockSplitter splitter, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int dimension, int[] indicesX, int[] indicesY, int maxDegreeOfParallelism, HiRefLevel level, IProgress<SolverProgress>? progress)
    {
        Splitter = splitter;
        X = x;
        Y = y;
        Dimension = dimension;
        IndicesX = indicesX;
        IndicesY = indicesY;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        _progress = progress;
        _stage = $"level {level.Number + 1}";
        _blocks = level.Blocks.Count;
    }

    /// <summary>The pure block split (options and seeds).</summary>
    public HiRefBlockSplitter Splitter { get; }

    /// <summary>Source points, row-major n × <see cref="Dimension"/>.</summary>
    public ReadOnlyMemory<double> X { get; }

    /// <summary>Target points, row-major n × <see cref="Dimension"/>.</summary>
    public ReadOnlyMemory<double> Y { get; }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The X index array: block b's X-part is <c>IndicesX[b.XRange]</c>.</summary>
    public Memory<int> IndicesX { get; }

    /// <summary>The Y index array: block b's Y-part is <c>IndicesY[b.YRange]</c>.</summary>
    public Memory<int> IndicesY { get; }

    /// <summary>Scratch buffers kept by the solver across the levels of one solve (a local executor takes and returns its
    /// workers' scratches here, so that a level reuses the previous level's buffers); null: the executor keeps its own.</summary>
    internal HiRefScratchPool? ScratchPool { get; init; }

    /// <summary>The solver's <see cref="HierarchicalRefinement.MaxDegreeOfParallelism"/> (−1: all cores).</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>
    /// The mirror-step reports of block <paramref name="block"/> (position in the level) when it runs alone: stage
    /// "level t steps" (a level of one block) or "level t block b steps", steps taken of the step cap (the stall stop may
    /// end a block earlier), and as error the relative change of the low-rank objective in the last step (NaN on the
    /// double-precision path). Null without a progress sink. Thread-safe.
    /// </summary>
    internal Action<int, int, double>? StepReporter(int block)
    {
        if (_progress is not { } progress)
        {
            return null;
        }

        var stage = _blocks == 1 ? $"{_stage} steps" : $"{_stage} block {block + 1} steps";
        return (step, cap, change) => progress.Report(new SolverProgress(stage, step, cap, change));
    }

    /// <summary>Reports one finished block to the solver's progress sink ("level t", blocks done, blocks). Thread-safe.</summary>
    public void ReportBlockDone()
    {
        var completed = Interlocked.Increment(ref _done);
        _progress?.Report(new SolverProgress(_stage, completed, _blocks, double.NaN));
    }
}
