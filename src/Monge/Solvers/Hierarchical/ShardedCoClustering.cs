using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Numerics;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The mirror-descent loop of <see cref="CompactCoClustering.Run"/> split into its serial part (this class: the step
/// size, the column scalings v, the stop tests, the objective) and four data-parallel phases over the rows
/// (<see cref="ICoClusteringShards"/>), each returning small per-chunk partials (r or k×r doubles, or one maximum, per
/// 1024-row chunk) that are combined here in chunk order. So the rows can live in shards on different machines (shards
/// aligned to <see cref="CoClustering.ChunkRows"/>), and the logits come out bit-identical to the single-machine run for
/// any number of shards: the first step of issue 15's data-parallel trunk (docs/distributed.md).
/// </summary>
/// <remarks>
/// Starts from seeded logits (<see cref="CompactCoClustering.Seed"/>, the default <c>SeedingSteps ≥ 0</c>); the
/// unseeded random start draws one stream over all rows and is not sharded. Per mirror step the phases are called
/// 2 (row ranges) + 2 × (1 + S + 1) times for S scaling sweeps (one more per projection from the second mirror step on, for
/// the sums of the warm-started column scalings); each call moves r or k×r doubles per chunk. Time and memory
/// of a shard: those of <see cref="CompactCoClustering"/> on its rows.
/// </remarks>
internal static class ShardedCoClustering
{
    /// <summary>Runs the co-clustering on the shards' seeded logits; returns the mirror steps taken (as
    /// <see cref="CompactCoClustering.Run"/>).</summary>
    /// <param name="shards">The shards.</param>
    /// <param name="n">Rows of the block.</param>
    /// <param name="k">Factor rank.</param>
    /// <param name="r">Clusters.</param>
    /// <param name="settings">The co-clustering settings.</param>
    /// <param name="stallTolerance">The relative stall tolerance of the stop rule.</param>
    /// <param name="initialScale">When given, both sides' logits are first multiplied by it (the last step of
    /// <see cref="CompactCoClustering.Seed"/>, fused into the first projection's softmax: the same float products).</param>
    /// <param name="cancellationToken">Checked between mirror steps.</param>
    /// <param name="initialStepQ">When given (with <paramref name="initialStepR"/>), the first projections move the logits by
    /// −F · initialStep (the sampled start's carried steps, as <see cref="CompactCoClustering.Run"/>).</param>
    /// <param name="initialStepR">The carried steps of R.</param>
    public static int Run(ICoClusteringShards shards, int n, int k, int r, in CoClusteringSettings settings, double stallTolerance, float? initialScale, CancellationToken cancellationToken, double[]? initialStepQ = null, double[]? initialStepR = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var chunks = CoClustering.Chunks(n);
        var partials = new double[chunks * r * Math.Max(k, 1)];
        var ranges = new double[chunks];
        var contractedQ = new double[k * r];
        var contractedR = new double[k * r];
        var previousQ = new double[k * r];
        var warmQ = settings.WarmColumnScalings ? new float[r] : null;
        var warmR = settings.WarmColumnScalings ? new float[r] : null;
        Project(shards, 0, n, k, r, settings.InnerIterations, settings.Tolerance, initialStepQ, 1.0, initialScale, contractedQ, partials);
        Project(shards, 1, n, k, r, settings.InnerIterations, settings.Tolerance, initialStepR, 1.0, initialScale, contractedR, partials);
        var objective = Objective(contractedQ, contractedR);
        var stalled = 0;
        var it = 0;
        while (it < settings.Iterations)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Both sides' row ranges in one call: the maximum is exact, so the order does not matter.
            shards.RowRanges(contractedR, contractedQ, ranges);
            var range = Max(ranges);
            if (!(range > 0) || !double.IsFinite(range))
            {
                break;
            }

            var step = settings.Gamma / range;
            it++;
            Array.Copy(contractedQ, previousQ, k * r);
            Project(shards, 0, n, k, r, settings.InnerIterations, settings.Tolerance, contractedR, step, null, contractedQ, partials, warmQ);
            Project(shards, 1, n, k, r, settings.InnerIterations, settings.Tolerance, previousQ, step, null, contractedR, partials, warmR);
            var next = Objective(contractedQ, contractedR);
            stalled = Math.Abs(next - objective) <= stallTolerance * Math.Abs(next) ? stalled + 1 : 0;
            objective = next;
            if (stalled >= 2)
            {
                break;
            }
        }

        return it;
    }

    /// <summary>The largest value, at least 0 (as the whole-block loops reduce their chunk maxima).</summary>
    internal static double Max(double[] values)
    {
        var max = 0.0;
        foreach (var value in values)
        {
            max = Math.Max(max, value);
        }

        return max;
    }

    private static double Objective(double[] a, double[] b)
    {
        var s = 0.0;
        for (var t = 0; t < a.Length; t++)
        {
            s += a[t] * b[t];
        }

        return s;
    }

    /// <summary><see cref="CompactCoClustering.Project"/>'s serial part: the column scalings, the error, the last-sweep
    /// test and the combination of the contraction (none when <paramref name="contraction"/> is null), with the shards'
    /// partials summed in chunk order.</summary>
    internal static void Project(ICoClusteringShards shards, int side, int n, int k, int r, int maxSweeps, double tolerance, double[]? stepM, double step, float? scale, double[]? contraction, double[] partials, float[]? warm = null)
    {
        var chunks = CoClustering.Chunks(n);
        var sums = new double[r];
        var target = (double)n / r;
        shards.StepAndSoftmax(side, stepM, step, scale, partials);
        var v = new float[r];
        var previous = new float[r];
        if (CompactCoClustering.StartColumnScalings(v, warm))
        {
            shards.Sweep(v, partials);
        }

        for (var sweep = 0; ; sweep++)
        {
            Array.Clear(sums);
            for (var c = 0; c < chunks; c++)
            {
                for (var z = 0; z < r; z++)
                {
                    sums[z] += partials[(c * r) + z];
                }
            }

            var error = CompactCoClustering.UpdateColumnScalings(sums, target, v, previous);

            if (error / n < tolerance || sweep + 1 >= maxSweeps)
            {
                CompactCoClustering.KeepColumnScalings(v, warm);
                shards.Final(side, v, previous, contraction is not null, partials);
                if (contraction is not null)
                {
                    var mOut = contraction.AsSpan(0, k * r);
                    mOut.Clear();
                    for (var c = 0; c < chunks; c++)
                    {
                        TensorPrimitives.Add(mOut, partials.AsSpan(c * k * r, k * r), mOut);
                    }
                }

                return;
            }

            shards.Sweep(v, partials);
        }
    }
}

/// <summary>
/// <see cref="HiRefBlockSplitter"/>'s split of one block (single precision, seeded, squared Euclidean) with its rows in
/// shards: the coordinator's part. The shards hold the points and every m×r array; here run the serial steps: the
/// factors' centre (the block's mean, sent to the shards when they are made), the k-means++ draw (sequential over the
/// X points, O(m·r·d), from the block's seed as the single-machine split draws it), the Lloyd steps' centres (k×(d+1)
/// sums per chunk), the mirror descent (<see cref="ShardedCoClustering.Run"/>), and the hard split on the logits the
/// shards hand back (m·r floats per side). The permuted index ranges are bit-identical to
/// <see cref="HiRefBlockSplitter.Split"/>'s.
/// </summary>
/// <remarks>Round trips per level: 1 + 3 per Lloyd step (distances, softmax, up to 20 sweeps, final, centres) + 2
/// (distances) + per mirror step 1 (row ranges) + 2 × (2 + sweeps); each call moves r, k×r or r×(d+1) doubles per
/// 1024-row chunk. Memory here: the X points (read by the k-means++ draw), 2·m·r floats of gathered logits and the
/// split's O(m) scratch.</remarks>
internal static class ShardedBlockSplit
{
    /// <summary>Whether a block of <paramref name="m"/> points takes this path with these (split) options: the seeded
    /// single-precision co-clustering of a squared-Euclidean cost (its factors are per row given the block's mean).</summary>
    public static bool Supports(HierarchicalRefinement splitOptions, int m)
    {
        ArgumentNullException.ThrowIfNull(splitOptions);
        return splitOptions.SeedingSteps >= 0 && m >= splitOptions.SinglePrecisionMinBlock && CostFunction.IsSquaredEuclidean(splitOptions.Cost);
    }

    /// <summary>The block's mean of both point sets, the centre of its factors (what each shard needs).</summary>
    public static double[] Mean(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy)
    {
        var mean = new double[d];
        CostFactorization.SquaredEuclideanMean(x, y, d, ix, iy, mean);
        return mean;
    }

    /// <summary>Splits the block whose rows the shards hold (made with <see cref="Mean"/>); permutes
    /// <paramref name="ix"/> and <paramref name="iy"/> like <see cref="HiRefBlockSplitter.Split"/>; returns the child
    /// sizes.</summary>
    /// <remarks>A block that takes the sampled start (<see cref="HierarchicalRefinement.UsesSampledStart"/>) runs the
    /// sample's mirror steps here after the block's seeding (<see cref="SampledStart.Sample"/>, from the X and Y points), then
    /// the whole block's steps from the carried ones: the same bits as the single machine.</remarks>
    public static int[] Split(ICoClusteringShards shards, HierarchicalRefinement splitOptions, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, Span<int> ix, Span<int> iy, int rank, ulong seed, ParallelOptions? inner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(splitOptions);
        var m = ix.Length;
        var r = Math.Min(rank, m);
        var k = d + 2;
        var gamma = splitOptions.Gamma;

        // The same generator as HiRefBlockSplitter.SplitBlock: the squared-Euclidean factors draw nothing from it.
        var rng = new Random((int)((seed >> 32) & 0x7FFFFFFF));
        var settings = new CoClusteringSettings(gamma, splitOptions.MaxIterations, splitOptions.MaxProjectionIterations, splitOptions.ProjectionTolerance, 1.0, splitOptions.WarmColumnScalings);
        var chunks = CoClustering.Chunks(m);
        var ranges = new double[chunks];
        var centres = new double[r * d];
        KMeans.Seed(x, m, d, r, rng, centres, rows: ix);
        var partials = new double[chunks * r * Math.Max(k, d + 1)];
        for (var step = 0; step < splitOptions.SeedingSteps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            shards.Distances(0, centres, ranges);
            var stepRange = ShardedCoClustering.Max(ranges);
            ShardedCoClustering.Project(shards, 0, m, k, r, 20, 1e-4, null, 0.0, (float)(stepRange > 0 ? -gamma / stepRange : 0.0), null, partials);
            shards.WeightedCentres(partials);
            CompactCoClustering.CentresFromPartials(partials, chunks, r, d, centres);
        }

        shards.Distances(0, centres, ranges);
        var range = ShardedCoClustering.Max(ranges);
        shards.Distances(1, centres, ranges);
        range = Math.Max(range, ShardedCoClustering.Max(ranges));
        var scale = (float)(range > 0 ? -gamma / range : 0.0);
        if (splitOptions.UsesSampledStart(m))
        {
            // The sampled start: the mirror steps on a sample here, from the block's seeding, then the shards' steps.
            var (stepsQ, stepsR) = SampledStart.Sample(x, y, d, ix, iy, k, r, splitOptions, settings, seed, rng, centres, scale, inner, cancellationToken);
            _ = ShardedCoClustering.Run(shards, m, k, r, settings with { Iterations = splitOptions.SampledStartSteps }, splitOptions.SinglePrecisionStallTolerance, scale, cancellationToken, stepsQ, stepsR);
            return HardSplit(shards, ix, iy, m, r);
        }

        _ = ShardedCoClustering.Run(shards, m, k, r, settings, splitOptions.SinglePrecisionStallTolerance, scale, cancellationToken);
        return HardSplit(shards, ix, iy, m, r);
    }

    private static int[] HardSplit(ICoClusteringShards shards, Span<int> ix, Span<int> iy, int m, int r)
    {

        // The hard split of HiRefBlockSplitter.HardSplit (margin greedy on Q, then on R) without the m×r logits here:
        // each shard sorts its rows in the greedy's order and the runs are merged (the same total order, the same labels).
        var sizes = new int[r];
        CapacitySplit.ChildSizes(m, r, sizes);
        var labels = new int[m];
        var buffer = new int[m];
        CapacitySplit.MergedGreedy(shards.MarginRuns(0), r, sizes, labels);
        CapacitySplit.GroupByLabel(ix, labels, sizes, buffer);
        CapacitySplit.MergedGreedy(shards.MarginRuns(1), r, sizes, labels);
        CapacitySplit.GroupByLabel(iy, labels, sizes, buffer);
        return sizes;
    }
}

/// <summary>The data-parallel phases of the co-clustering over all rows, however they are sharded. Each writes its
/// partials at the global chunk index: <c>partials[c·r …]</c> (r column sums), <c>partials[c·k·r …]</c> (the k×r
/// contraction), <c>partials[c·r·(d + 1) …]</c> (weighted centres) or <c>ranges[c]</c>. Side 0 is Q (the source
/// points and factors), side 1 is R (the target); the plan buffer is shared by both sides, as in
/// <see cref="CompactCoClustering"/>.</summary>
internal interface ICoClusteringShards
{
    /// <summary>The largest gradient row range of F_X · mQ and of F_Y · mR, per chunk.</summary>
    void RowRanges(double[] mQ, double[] mR, double[] ranges);

    /// <summary>The logits first multiplied by <paramref name="scale"/> (when given), the mirror step
    /// (log ← log − step·F_side·stepM, when stepM is given) and the row softmax into the plan; r column sums per chunk.</summary>
    void StepAndSoftmax(int side, double[]? stepM, double step, float? scale, double[] partials);

    /// <summary>One scaling sweep: r column sums of diag(1/K v) K diag(v) per chunk.</summary>
    void Sweep(float[] v, double[] partials);

    /// <summary>The final column update of the plan and the logits, and (with <paramref name="contract"/>) the
    /// contraction F_sideᵀ P (k×r per chunk).</summary>
    void Final(int side, float[] v, float[] previous, bool contract, double[] partials);

    /// <summary>The seeding's logits of a side: squared distances to the centres (r×d); the largest row range per chunk.</summary>
    void Distances(int side, double[] centres, double[] ranges);

    /// <summary>The weighted centres' sums from the plan and the X points: r×(d + 1) per chunk.</summary>
    void WeightedCentres(double[] partials);

    /// <summary>The logits of a side as sorted runs, one per shard (<see cref="CapacitySplit.SortedRun"/> of its rows),
    /// for the hard split after the last step.</summary>
    IReadOnlyList<IMarginRun> MarginRuns(int side);
}

/// <summary>
/// One shard of rows [<see cref="Start"/>, <see cref="End"/>) of a co-clustering block (chunk-aligned), holding its own
/// factors, logits, plan and row scalings (and, for the seeding, its points), and running the phases of
/// <see cref="ICoClusteringShards"/> on them with <see cref="CompactCoClustering"/>'s row functions; each phase writes
/// its partials for its own chunks only (<see cref="ChunkCount"/> × width, from local chunk 0). <see cref="Shards"/>
/// runs a list of them in one process. Memory: (end − start)·(2·k doubles + 3·r floats + 1 double), plus 2·d doubles
/// a row with points.
/// </summary>
internal sealed class CoClusteringShard
{
    private readonly int _n;
    private readonly int _k;
    private readonly int _r;
    private readonly int _d;
    private readonly double[]? _x;
    private readonly double[]? _y;
    private readonly float[] _plan;
    private readonly double[] _rowLog;
    private readonly ParallelOptions? _inner;

    /// <param name="start">First row (a multiple of <see cref="CoClustering.ChunkRows"/>).</param>
    /// <param name="end">One past the last row (a multiple of <see cref="CoClustering.ChunkRows"/>, or n).</param>
    /// <param name="n">Rows of the whole block.</param>
    /// <param name="k">Factor rank.</param>
    /// <param name="r">Clusters.</param>
    /// <param name="factorX">The shard's source factor rows, (end − start)×k.</param>
    /// <param name="factorY">The shard's target factor rows.</param>
    /// <param name="logQ">The shard's seeded logits of Q, (end − start)×r; updated in place.</param>
    /// <param name="logR">The shard's seeded logits of R.</param>
    /// <param name="inner">Threads inside the shard (over its chunks: the same result).</param>
    public CoClusteringShard(int start, int end, int n, int k, int r, double[] factorX, double[] factorY, float[] logQ, float[] logR, ParallelOptions? inner = null)
        : this(start, end, n, k, r, 0, null, null, factorX, factorY, logQ, logR, inner)
    {
    }

    private CoClusteringShard(int start, int end, int n, int k, int r, int d, double[]? x, double[]? y, double[] factorX, double[] factorY, float[] logQ, float[] logR, ParallelOptions? inner)
    {
        if (start % CoClustering.ChunkRows != 0 || (end != n && end % CoClustering.ChunkRows != 0) || start >= end || end > n)
        {
            throw new ArgumentException($"A shard must cover whole {CoClustering.ChunkRows}-row chunks of the block (got rows {start} to {end} of {n}).", nameof(start));
        }

        (Start, End, _n, _k, _r, _d, _x, _y, _inner) = (start, end, n, k, r, d, x, y, inner);
        (FactorX, FactorY, LogQ, LogR) = (factorX, factorY, logQ, logR);
        _plan = new float[(end - start) * r];
        _rowLog = new double[end - start];
    }

    /// <summary>A shard of a squared-Euclidean block from its points: factors centred at the block's
    /// <paramref name="mean"/> (<see cref="ShardedBlockSplit.Mean"/>), logits to be set by the seeding phases.</summary>
    /// <param name="start">First row (chunk-aligned).</param>
    /// <param name="end">One past the last row.</param>
    /// <param name="n">Rows of the whole block.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="r">Clusters.</param>
    /// <param name="x">The shard's source points, (end − start)×d.</param>
    /// <param name="y">The shard's target points.</param>
    /// <param name="mean">The block's mean.</param>
    /// <param name="inner">Threads inside the shard.</param>
    public static CoClusteringShard FromPoints(int start, int end, int n, int d, int r, double[] x, double[] y, ReadOnlySpan<double> mean, ParallelOptions? inner = null)
    {
        var rows = end - start;
        var k = d + 2;
        var identity = Enumerable.Range(0, rows).ToArray();
        var factorX = new double[rows * k];
        var factorY = new double[rows * k];
        CostFactorization.FillSquaredEuclideanRows(x, y, d, identity, identity, mean, factorX, factorY);
        return new CoClusteringShard(start, end, n, k, r, d, x, y, factorX, factorY, new float[rows * r], new float[rows * r], inner);
    }

    public int Start { get; }

    public int End { get; }

    public double[] FactorX { get; }

    public double[] FactorY { get; }

    public float[] LogQ { get; }

    public float[] LogR { get; }

    /// <summary>The global index of the shard's first chunk.</summary>
    public int FirstChunk => Start / CoClustering.ChunkRows;

    /// <summary>The shard's chunks.</summary>
    public int ChunkCount => (End - Start + CoClustering.ChunkRows - 1) / CoClustering.ChunkRows;

    private float[] Log(int side) => side == 0 ? LogQ : LogR;

    private double[] Factor(int side) => side == 0 ? FactorX : FactorY;

    private double[] Points(int side) => (side == 0 ? _x : _y) ?? throw new InvalidOperationException("This shard was made without its points.");

    // The shard's chunks (local index) with their local row ranges.
    private void ForChunks(Action<int, int, int> body) => CoClustering.For(ChunkCount, _inner, local =>
    {
        var (start, end) = CoClustering.Range(FirstChunk + local, _n);
        body(local, start - Start, end - Start);
    });

    public void RowRanges(double[] mQ, double[] mR, double[] ranges)
    {
        var (k, r) = (_k, _r);
        ForChunks((c, start, end) =>
        {
            Span<double> g = r <= 256 ? stackalloc double[r] : new double[r];
            ranges[c] = Math.Max(
                CompactCoClustering.RowRangeRows(FactorX, mQ, start, end, k, r, g),
                CompactCoClustering.RowRangeRows(FactorY, mR, start, end, k, r, g));
        });
    }

    public void StepAndSoftmax(int side, double[]? stepM, double step, float? scale, double[] partials)
    {
        var log = Log(side);
        var stepFactor = stepM is null ? null : Factor(side);
        var (k, r, val, rowLog) = (_k, _r, _plan, _rowLog);
        ForChunks((c, start, end) =>
        {
            var acc = partials.AsSpan(c * r, r);
            acc.Clear();
            if (scale is { } s)
            {
                var rows = log.AsSpan(start * r, (end - start) * r);
                TensorPrimitives.Multiply(rows, s, rows);
            }

            Span<double> g = r <= 256 ? stackalloc double[r] : new double[r];
            CompactCoClustering.StepAndSoftmaxRows(log, val, rowLog, start, end, r, stepFactor, k, stepM, step, g, acc);
        });
    }

    public void Sweep(float[] v, double[] partials)
    {
        var (r, val) = (_r, _plan);
        ForChunks((c, start, end) =>
        {
            var acc = partials.AsSpan(c * r, r);
            acc.Clear();
            CompactCoClustering.SweepRows(val, v, start, end, r, acc);
        });
    }

    public void Final(int side, float[] v, float[] previous, bool contract, double[] partials)
    {
        var log = Log(side);
        var factor = contract ? Factor(side) : null;
        var (k, r, val, rowLog) = (_k, _r, _plan, _rowLog);
        var columnLog = CompactCoClustering.ColumnLogs(v, r);
        ForChunks((c, start, end) =>
        {
            var acc = contract ? partials.AsSpan(c * k * r, k * r) : default;
            acc.Clear();
            CompactCoClustering.FinalRows(log, val, rowLog, start, end, r, v, previous, columnLog, factor, k, acc);
        });
    }

    public void Distances(int side, double[] centres, double[] ranges)
    {
        var points = Points(side);
        var log = Log(side);
        var (d, r) = (_d, _r);
        ForChunks((c, start, end) =>
        {
            var maxRange = 0.0;
            for (var i = start; i < end; i++)
            {
                maxRange = Math.Max(maxRange, CompactCoClustering.DistanceRow(points.AsSpan(i * d, d), centres, d, log.AsSpan(i * r, r)));
            }

            ranges[c] = maxRange;
        });
    }

    public void WeightedCentres(double[] partials)
    {
        var points = Points(0);
        var (d, r, val) = (_d, _r, _plan);
        var width = r * (d + 1);
        ForChunks((c, start, end) =>
        {
            var acc = partials.AsSpan(c * width, width);
            acc.Clear();
            for (var i = start; i < end; i++)
            {
                CompactCoClustering.AddWeightedRow(points.AsSpan(i * d, d), val.AsSpan(i * r, r), r, d, acc);
            }
        });
    }

    /// <summary>The shard's rows of a side in the hard split's order (<see cref="CapacitySplit.SortedRun"/>), with block
    /// row indices.</summary>
    public MarginPage SortedRun(int side) => CapacitySplit.SortedRun(Log(side), End - Start, _r, Start, _inner);

    /// <summary>The width of a phase's partials per chunk: r (softmax, sweep), k×r (final with contraction), r×(d + 1)
    /// (weighted centres), 1 (ranges).</summary>
    public int Width(ShardPhase phase) => phase switch
    {
        ShardPhase.StepAndSoftmax or ShardPhase.Sweep => _r,
        ShardPhase.Final => _k * _r,
        ShardPhase.WeightedCentres => _r * (_d + 1),
        ShardPhase.FinalNoContraction => 0,
        _ => 1,
    };

    /// <summary>Shards in one process (a test and a reference for a distributed implementation): each phase runs on every
    /// shard in turn, and its chunk partials are copied to their global chunk indices, so the order of the shards does
    /// not matter.</summary>
    internal sealed class Shards(IReadOnlyList<CoClusteringShard> shards) : ICoClusteringShards
    {
        public void RowRanges(double[] mQ, double[] mR, double[] ranges) =>
            Each(ShardPhase.RowRanges, ranges, (s, local) => s.RowRanges(mQ, mR, local));

        public void StepAndSoftmax(int side, double[]? stepM, double step, float? scale, double[] partials) =>
            Each(ShardPhase.StepAndSoftmax, partials, (s, local) => s.StepAndSoftmax(side, stepM, step, scale, local));

        public void Sweep(float[] v, double[] partials) =>
            Each(ShardPhase.Sweep, partials, (s, local) => s.Sweep(v, local));

        public void Final(int side, float[] v, float[] previous, bool contract, double[] partials) =>
            Each(contract ? ShardPhase.Final : ShardPhase.FinalNoContraction, partials, (s, local) => s.Final(side, v, previous, contract, local));

        public void Distances(int side, double[] centres, double[] ranges) =>
            Each(ShardPhase.Distances, ranges, (s, local) => s.Distances(side, centres, local));

        public void WeightedCentres(double[] partials) =>
            Each(ShardPhase.WeightedCentres, partials, (s, local) => s.WeightedCentres(local));

        public IReadOnlyList<IMarginRun> MarginRuns(int side) =>
            [.. shards.Select(s => new MemoryMarginRun(s.SortedRun(side)))];

        private void Each(ShardPhase phase, double[] global, Action<CoClusteringShard, double[]> body)
        {
            foreach (var s in shards)
            {
                var width = s.Width(phase);
                var local = new double[s.ChunkCount * width];
                body(s, local);
                local.CopyTo(global, s.FirstChunk * width);
            }
        }
    }
}

/// <summary>The data-parallel phases of a sharded co-clustering (what a shard is asked to run).</summary>
internal enum ShardPhase
{
    /// <summary><see cref="ICoClusteringShards.RowRanges"/>.</summary>
    RowRanges,

    /// <summary><see cref="ICoClusteringShards.StepAndSoftmax"/>.</summary>
    StepAndSoftmax,

    /// <summary><see cref="ICoClusteringShards.Sweep"/>.</summary>
    Sweep,

    /// <summary><see cref="ICoClusteringShards.Final"/> with the contraction.</summary>
    Final,

    /// <summary><see cref="ICoClusteringShards.Final"/> without it (the seeding's projections).</summary>
    FinalNoContraction,

    /// <summary><see cref="ICoClusteringShards.Distances"/>.</summary>
    Distances,

    /// <summary><see cref="ICoClusteringShards.WeightedCentres"/>.</summary>
    WeightedCentres,
}
