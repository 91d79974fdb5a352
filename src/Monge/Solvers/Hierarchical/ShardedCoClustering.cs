using System.Numerics.Tensors;

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
/// 2 (row ranges) + 2 × (1 + S + 1) times for S scaling sweeps; each call moves r or k×r doubles per chunk. Time and memory
/// of a shard: those of <see cref="CompactCoClustering"/> on its rows.
/// </remarks>
internal static class ShardedCoClustering
{
    /// <summary>Runs the co-clustering on the shards' seeded logits; returns the mirror steps taken (as
    /// <see cref="CompactCoClustering.Run"/>).</summary>
    public static int Run(ICoClusteringShards shards, int n, int k, int r, in CoClusteringSettings settings, double stallTolerance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var chunks = CoClustering.Chunks(n);
        var partials = new double[chunks * r * Math.Max(k, 1)];
        var ranges = new double[chunks];
        var contractedQ = new double[k * r];
        var contractedR = new double[k * r];
        var previousQ = new double[k * r];
        Project(shards, 0, n, k, r, settings.InnerIterations, settings.Tolerance, null, 0.0, contractedQ, partials);
        Project(shards, 1, n, k, r, settings.InnerIterations, settings.Tolerance, null, 0.0, contractedR, partials);
        var objective = Objective(contractedQ, contractedR);
        var stalled = 0;
        var it = 0;
        while (it < settings.Iterations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var range = Math.Max(MaxRowRange(shards, 0, contractedR, ranges), MaxRowRange(shards, 1, contractedQ, ranges));
            if (!(range > 0) || !double.IsFinite(range))
            {
                break;
            }

            var step = settings.Gamma / range;
            it++;
            Array.Copy(contractedQ, previousQ, k * r);
            Project(shards, 0, n, k, r, settings.InnerIterations, settings.Tolerance, contractedR, step, contractedQ, partials);
            Project(shards, 1, n, k, r, settings.InnerIterations, settings.Tolerance, previousQ, step, contractedR, partials);
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

    private static double Objective(double[] a, double[] b)
    {
        var s = 0.0;
        for (var t = 0; t < a.Length; t++)
        {
            s += a[t] * b[t];
        }

        return s;
    }

    private static double MaxRowRange(ICoClusteringShards shards, int side, double[] m, double[] ranges)
    {
        shards.RowRange(side, m, ranges);
        var maxRange = 0.0;
        foreach (var value in ranges)
        {
            maxRange = Math.Max(maxRange, value);
        }

        return maxRange;
    }

    // CompactCoClustering.Project's serial part: the column scalings, the error, the last-sweep test and the combination
    // of the contraction, with the shards' partials summed in chunk order.
    private static void Project(ICoClusteringShards shards, int side, int n, int k, int r, int maxSweeps, double tolerance, double[]? stepM, double step, double[] contraction, double[] partials)
    {
        var chunks = CoClustering.Chunks(n);
        var sums = new double[r];
        var target = (double)n / r;
        shards.StepAndSoftmax(side, stepM, step, partials);
        var v = new float[r];
        var previous = new float[r];
        Array.Fill(v, 1f);
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

            var error = 0.0;
            Array.Copy(v, previous, r);
            for (var z = 0; z < r; z++)
            {
                error += Math.Abs(sums[z] - target);
                var u = sums[z] > 0 && double.IsFinite(sums[z]) ? target / sums[z] : 0.0;
                v[z] = (float)(v[z] * u);
            }

            if (error / n < tolerance || sweep + 1 >= maxSweeps)
            {
                shards.Final(side, v, previous, partials);
                var mOut = contraction.AsSpan(0, k * r);
                mOut.Clear();
                for (var c = 0; c < chunks; c++)
                {
                    TensorPrimitives.Add(mOut, partials.AsSpan(c * k * r, k * r), mOut);
                }

                return;
            }

            shards.Sweep(v, partials);
        }
    }
}

/// <summary>The data-parallel phases of the co-clustering over all rows, however they are sharded. Each writes its
/// partials at the global chunk index: <c>partials[c·r …]</c> (r column sums), <c>partials[c·k·r …]</c> (the k×r
/// contraction) or <c>ranges[c]</c>. Side 0 is Q (the source factors), side 1 is R (the target factors); the plan buffer is
/// shared by both sides, as in <see cref="CompactCoClustering"/>.</summary>
internal interface ICoClusteringShards
{
    /// <summary>The largest gradient row range of F_side · m, per chunk.</summary>
    void RowRange(int side, double[] m, double[] ranges);

    /// <summary>The mirror step (log ← log − step·F_side·stepM, when stepM is given) and the row softmax into the plan;
    /// r column sums per chunk.</summary>
    void StepAndSoftmax(int side, double[]? stepM, double step, double[] partials);

    /// <summary>One scaling sweep: r column sums of diag(1/K v) K diag(v) per chunk.</summary>
    void Sweep(float[] v, double[] partials);

    /// <summary>The final column update of the plan and the logits, and the contraction F_sideᵀ P (k×r per chunk).</summary>
    void Final(int side, float[] v, float[] previous, double[] partials);
}

/// <summary>
/// One shard of rows [<see cref="Start"/>, <see cref="End"/>) of a co-clustering block (chunk-aligned), holding its own
/// factors, logits, plan and row scalings, and running the phases of <see cref="ICoClusteringShards"/> on them with
/// <see cref="CompactCoClustering"/>'s per-row arithmetic. <see cref="Shards"/> runs a list of them in one process.
/// Memory: (end − start)·(2·k doubles + 3·r floats + 1 double).
/// </summary>
internal sealed class CoClusteringShard
{
    private readonly int _n;
    private readonly int _k;
    private readonly int _r;
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
    {
        if (start % CoClustering.ChunkRows != 0 || (end != n && end % CoClustering.ChunkRows != 0) || start >= end || end > n)
        {
            throw new ArgumentException($"A shard must cover whole {CoClustering.ChunkRows}-row chunks of the block (got rows {start} to {end} of {n}).", nameof(start));
        }

        (Start, End, _n, _k, _r, _inner) = (start, end, n, k, r, inner);
        (FactorX, FactorY, LogQ, LogR) = (factorX, factorY, logQ, logR);
        _plan = new float[(end - start) * r];
        _rowLog = new double[end - start];
    }

    public int Start { get; }

    public int End { get; }

    public double[] FactorX { get; }

    public double[] FactorY { get; }

    public float[] LogQ { get; }

    public float[] LogR { get; }

    private int FirstChunk => Start / CoClustering.ChunkRows;

    private int ChunkCount => (End - Start + CoClustering.ChunkRows - 1) / CoClustering.ChunkRows;

    private float[] Log(int side) => side == 0 ? LogQ : LogR;

    private double[] Factor(int side) => side == 0 ? FactorX : FactorY;

    // The shard's chunks as global chunk indices with their local row ranges.
    private void ForChunks(Action<int, int, int> body) => CoClustering.For(ChunkCount, _inner, local =>
    {
        var c = FirstChunk + local;
        var (start, end) = CoClustering.Range(c, _n);
        body(c, start - Start, end - Start);
    });

    public void RowRange(int side, double[] m, double[] ranges)
    {
        var factor = Factor(side);
        var (k, r) = (_k, _r);
        ForChunks((c, start, end) =>
        {
            Span<double> g = r <= 256 ? stackalloc double[r] : new double[r];
            var best = 0.0;
            var mk = m.AsSpan(0, k * r);
            for (var i = start; i < end; i++)
            {
                CompactCoClustering.Gradient(factor.AsSpan(i * k, k), mk, r, g);
                var hi = g[0];
                var lo = g[0];
                for (var z = 1; z < r; z++)
                {
                    hi = Math.Max(hi, g[z]);
                    lo = Math.Min(lo, g[z]);
                }

                best = Math.Max(best, hi - lo);
            }

            ranges[c] = best;
        });
    }

    public void StepAndSoftmax(int side, double[]? stepM, double step, double[] partials)
    {
        var log = Log(side);
        var stepFactor = stepM is null ? null : Factor(side);
        var (k, r, val, rowLog) = (_k, _r, _plan, _rowLog);
        ForChunks((c, start, end) =>
        {
            var acc = partials.AsSpan(c * r, r);
            acc.Clear();
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

    public void Final(int side, float[] v, float[] previous, double[] partials)
    {
        var log = Log(side);
        var factor = Factor(side);
        var (k, r, val, rowLog) = (_k, _r, _plan, _rowLog);
        var columnLog = new float[r];
        for (var z = 0; z < r; z++)
        {
            columnLog[z] = v[z] > 0 ? MathF.Log(v[z]) : 0f;
        }

        ForChunks((c, start, end) =>
        {
            var acc = partials.AsSpan(c * k * r, k * r);
            acc.Clear();
            Span<double> o = r <= 256 ? stackalloc double[r] : new double[r];
            CompactCoClustering.FinalRows(log, val, rowLog, start, end, r, v, previous, columnLog, factor, k, o, acc);
        });
    }

    /// <summary>Shards in one process (a test and a reference for a distributed implementation): each phase runs on every
    /// shard in turn; the partials land at the global chunk indices, so the order of the shards does not matter.</summary>
    internal sealed class Shards(IReadOnlyList<CoClusteringShard> shards) : ICoClusteringShards
    {
        public void RowRange(int side, double[] m, double[] ranges)
        {
            foreach (var s in shards)
            {
                s.RowRange(side, m, ranges);
            }
        }

        public void StepAndSoftmax(int side, double[]? stepM, double step, double[] partials)
        {
            foreach (var s in shards)
            {
                s.StepAndSoftmax(side, stepM, step, partials);
            }
        }

        public void Sweep(float[] v, double[] partials)
        {
            foreach (var s in shards)
            {
                s.Sweep(v, partials);
            }
        }

        public void Final(int side, float[] v, float[] previous, double[] partials)
        {
            foreach (var s in shards)
            {
                s.Final(side, v, previous, partials);
            }
        }
    }
}
