using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The matching the leaves and polish steps of <see cref="HierarchicalRefinement"/> work on: position p pairs source
/// point <c>IndicesX[p]</c> with target point <c>IndicesY[p]</c>; <see cref="Leaves"/> are the leaf ranges (the same
/// positions in both arrays). A polish step takes the matching and leaves a cheaper or equal one (<see cref="Value"/>
/// kept current).
/// </summary>
internal sealed class HiRefMatching
{
    public HiRefMatching(ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int dimension, int[] indicesX, int[] indicesY, List<(int Start, int Size)> leaves, ICostFunction<double>? cost, ParallelOptions parallel, IProgress<SolverProgress>? progress, long peakBytes)
    {
        X = x;
        Y = y;
        Dimension = dimension;
        IndicesX = indicesX;
        IndicesY = indicesY;
        Leaves = leaves;
        Cost = cost;
        Parallel = parallel;
        Progress = progress;
        BaseBytes = 2L * indicesX.Length * sizeof(int);
        PeakBytes = peakBytes;
    }

    private readonly ConcurrentBag<CoClusteringWorkspace> _pool = [];
    private readonly ConcurrentBag<CoClusteringWorkspace> _created = [];

    public ReadOnlyMemory<double> X { get; }

    public ReadOnlyMemory<double> Y { get; }

    public int Dimension { get; }

    public int[] IndicesX { get; }

    public int[] IndicesY { get; }

    public List<(int Start, int Size)> Leaves { get; }

    public ICostFunction<double>? Cost { get; }

    public ParallelOptions Parallel { get; }

    public IProgress<SolverProgress>? Progress { get; }

    /// <summary>The smallest group solved by the mixed-precision route of <see cref="LinearAssignment"/> (float phases,
    /// exact double repair; AVX2 only): <see cref="HierarchicalRefinement.ExactMixedPrecisionMinSize"/>.</summary>
    public int MixedPrecisionMinSize { get; init; } = LinearAssignment.MixedPrecisionMinSize;

    /// <summary>Whether the groups' assignments may start from the multiscale warm start of <see cref="LinearAssignment"/>
    /// (<see cref="LinearAssignmentWorkspace{T}.MultiscaleWarmStart"/>; default true; harness key <c>leafwarm</c>).</summary>
    public bool WarmStart { get; init; } = true;

    /// <summary>Single-range groups of at most this many points solved with <c>fromCurrent</c> (the slab rounds) start from
    /// their current pairing (<see cref="LinearAssignment.SolveFromIdentity"/>: two dual passes, then augmenting paths for
    /// the rows not tight; the same optimum); larger ones, and 0, solve cold. Default 64 (the huge rounds' slabs of 32; harness key
    /// <c>slabwarm</c>).</summary>
    public int CurrentWarmMaxSize { get; init; } = 64;

    /// <summary>Slab rounds on at most this many pairs keep the coordinates by position (<see cref="HierarchicalRefinement.SlabRowsMaxPoints"/>;
    /// 0: off, the default here).</summary>
    public int PositionalRowsMaxPoints { get; init; }

    /// <summary>The smallest group (and warm-start sub-problem) that may get the multiscale warm start (<see cref="HierarchicalRefinement.ExactWarmStartMinSize"/>).</summary>
    public int WarmStartMinSize { get; init; } = LinearAssignment.WarmStartMinSize;

    /// <summary>Whether the leaves (single ranges solved without <c>fromCurrent</c>) go straight to the multiscale warm start
    /// (<see cref="HierarchicalRefinement.ExactWarmStartFirst"/>).</summary>
    public bool LeafWarmStartFirst { get; init; }

    /// <summary>Augmenting row reduction passes after the warm start in the leaves (<see cref="HierarchicalRefinement.ExactWarmStartReductionPasses"/>).</summary>
    public int LeafWarmStartReductionPasses { get; init; } = 2;

    /// <summary>The matching cost (1/n) Σ_p c(x[IndicesX[p]], y[IndicesY[p]]) as last computed.</summary>
    public double Value { get; set; }

    /// <summary>Leaf-pair polish rounds run.</summary>
    public int PolishRounds { get; set; }

    /// <summary>The two index arrays, in bytes.</summary>
    public long BaseBytes { get; }

    /// <summary>The largest scratch held at once, index arrays included.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Records scratch held on top of the index arrays.</summary>
    public void RecordScratch(long bytes) => PeakBytes = Math.Max(PeakBytes, BaseBytes + bytes);

    /// <summary>Recomputes <see cref="Value"/> from the index arrays.</summary>
    public double Recompute() =>
        Value = HierarchicalRefinement.MatchingCost(X.Span, Y.Span, Dimension, IndicesX, IndicesY, Cost);

    /// <summary>Solves every group (one range, or the union of two) exactly (dense cost + assignment) and reorders
    /// <see cref="IndicesY"/> within it, in parallel with pooled per-worker workspaces; records the scratch used.</summary>
    public void SolveExactly(List<(int StartA, int SizeA, int StartB, int SizeB)> ranges, string stage, CancellationToken cancellationToken) =>
        RecordScratch(SolveRanges(ranges, stage, cancellationToken));

    /// <summary>Like <see cref="SolveExactly"/>, returning the scratch bytes instead of recording them. With
    /// <paramref name="fromCurrent"/> the single ranges of at most <see cref="CurrentWarmMaxSize"/> points start from their
    /// current pairing (the slab rounds; the same optimum). With <paramref name="rowsX"/> and <paramref name="rowsY"/> (the
    /// coordinates by position: row p is x[IndicesX[p]] and y[IndicesY[p]]) the single ranges read their rows from them, and
    /// <paramref name="rowsY"/> is reordered along with <see cref="IndicesY"/>.</summary>
    public long SolveRanges(List<(int StartA, int SizeA, int StartB, int SizeB)> ranges, string stage, CancellationToken cancellationToken, bool fromCurrent = false, double[]? rowsX = null, double[]? rowsY = null)
    {
        var pool = _pool;
        var created = _created;
        var done = 0;
        var reportEvery = Math.Max(1, ranges.Count / 100);
        var cost = Cost;
        var x = X;
        var y = Y;
        var d = Dimension;
        var idxX = IndicesX;
        var idxY = IndicesY;
        var progress = Progress;
        var mixedMin = MixedPrecisionMinSize;
        var warmStart = WarmStart;
        var currentMax = fromCurrent ? CurrentWarmMaxSize : 0;
        var warmMin = WarmStartMinSize;
        var warmFirst = LeafWarmStartFirst && !fromCurrent;
        var leafPasses = fromCurrent ? 2 : LeafWarmStartReductionPasses;
        // At most one workspace per core: the thread pool injects threads into long loops, and every extra worker
        // would hold (2·LeafSize)² or SlabSize² doubles. The pool lives as long as the matching (one set for all rounds).
        var workers = Parallel.MaxDegreeOfParallelism is > 0 and var dop ? dop : Environment.ProcessorCount;
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = Parallel.CancellationToken };
        System.Threading.Tasks.Parallel.For(0, ranges.Count, options, b =>
        {
            if (!pool.TryTake(out var ws))
            {
                // The leaf settings are the matching's (init-only): set once, when the workspace is made.
                ws = new CoClusteringWorkspace();
                ws.Leaf.MixedPrecisionThreshold = mixedMin;
                ws.Leaf.MultiscaleWarmStart = warmStart;
                ws.Leaf.WarmStartThreshold = warmMin;
                created.Add(ws);
            }

            var (startA, sizeA, startB, sizeB) = ranges[b];
            var m = sizeA + sizeB;
            if (m > 1)
            {
                ws.EnsureLeaf(m);
                var positions = ws.Positions.AsSpan(0, m);
                for (var i = 0; i < sizeA; i++)
                {
                    positions[i] = startA + i;
                }

                for (var i = 0; i < sizeB; i++)
                {
                    positions[sizeA + i] = startB + i;
                }

                var c = ws.Cost.AsSpan(0, m * m);
                var rows = rowsX is not null && rowsY is not null && sizeB == 0;
                var t0 = HiRefProfile.Start();
                if (rows)
                {
                    FillRows(rowsX.AsSpan(startA * d, m * d), rowsY.AsSpan(startA * d, m * d), d, cost, c);
                }
                else
                {
                    FillCost(x.Span, y.Span, d, idxX, idxY, positions, cost, ws, c);
                }

                HiRefProfile.Stop(HiRefProfile.Phase.RangeFill, t0);
                ws.Leaf.WarmStartFirst = warmFirst && sizeB == 0;
                ws.Leaf.WarmStartReductionPasses = sizeB == 0 ? leafPasses : 2;
                var assignment = ws.Assignment.AsSpan(0, m);
                t0 = HiRefProfile.Start();
                if (sizeB == 0 && m <= currentMax)
                {
                    // Row i and column i are position startA + i: the identity is the current pairing.
                    LinearAssignment.SolveFromIdentity(c, m, assignment, ws.Leaf);
                }
                else
                {
                    LinearAssignment.SolveInto<double>(c, m, m, assignment, [], [], ws.Leaf);
                }
                HiRefProfile.Stop(HiRefProfile.Phase.RangeAssign, t0);
                var buffer = ws.IndexBuffer.AsSpan(0, m);
                for (var i = 0; i < m; i++)
                {
                    buffer[i] = idxY[positions[assignment[i]]];
                }

                for (var i = 0; i < m; i++)
                {
                    idxY[positions[i]] = buffer[i];
                }

                if (rows)
                {
                    var slab = rowsY.AsSpan(startA * d, m * d);
                    var moved = ws.EnsureLeafTargets(m * d).AsSpan(0, m * d);
                    for (var i = 0; i < m; i++)
                    {
                        slab.Slice(assignment[i] * d, d).CopyTo(moved.Slice(i * d, d));
                    }

                    moved.CopyTo(slab);
                }
            }

            pool.Add(ws);
            var completed = Interlocked.Increment(ref done);
            if (completed % reportEvery == 0 || completed == ranges.Count)
            {
                progress?.Report(new SolverProgress(stage, completed, ranges.Count, double.NaN));
            }
        });
        return created.Sum(w => w.Bytes);
    }

    /// <summary>The dense cost of a group: row i, column j is c(x[idxX[positions[i]]], y[idxY[positions[j]]]). For the
    /// squared Euclidean and Euclidean costs the group's target rows are first gathered into one contiguous buffer of
    /// the workspace (m·d doubles), so the m² entries read no index and no scattered row (at 10⁷ points the rows of a leaf
    /// lie far apart in the inputs); every entry is the same ‖x − y‖² sum as <see cref="BlockFactors.PairCost"/>, bit for bit.</summary>
    internal static void FillCost(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, int d, int[] idxX, int[] idxY, ReadOnlySpan<int> positions, ICostFunction<double>? cost, CoClusteringWorkspace ws, Span<double> c)
    {
        var m = positions.Length;
        var euclidean = cost is Euclidean<double>;
        if (cost is not (null or SquaredEuclidean<double>) && !euclidean)
        {
            for (var i = 0; i < m; i++)
            {
                var xr = xs.Slice(idxX[positions[i]] * d, d);
                var row = c.Slice(i * m, m);
                for (var j = 0; j < m; j++)
                {
                    row[j] = BlockFactors.PairCost(xr, ys.Slice(idxY[positions[j]] * d, d), cost);
                }
            }

            return;
        }

        var targets = ws.EnsureLeafTargets(m * d).AsSpan(0, m * d);
        for (var j = 0; j < m; j++)
        {
            ys.Slice(idxY[positions[j]] * d, d).CopyTo(targets.Slice(j * d, d));
        }

        for (var i = 0; i < m; i++)
        {
            FillRow(xs.Slice(idxX[positions[i]] * d, d), targets, d, euclidean, c.Slice(i * m, m));
        }
    }

    /// <summary><see cref="FillCost"/> for a group whose source and target rows lie in order in
    /// <paramref name="sources"/> and <paramref name="targets"/> (m·d doubles each: the slab rounds' coordinates by
    /// position): the same entries, bit for bit.</summary>
    internal static void FillRows(ReadOnlySpan<double> sources, ReadOnlySpan<double> targets, int d, ICostFunction<double>? cost, Span<double> c)
    {
        var m = sources.Length / d;
        var euclidean = cost is Euclidean<double>;
        if (cost is not (null or SquaredEuclidean<double>) && !euclidean)
        {
            for (var i = 0; i < m; i++)
            {
                var xr = sources.Slice(i * d, d);
                var row = c.Slice(i * m, m);
                for (var j = 0; j < m; j++)
                {
                    row[j] = BlockFactors.PairCost(xr, targets.Slice(j * d, d), cost);
                }
            }

            return;
        }

        for (var i = 0; i < m; i++)
        {
            FillRow(sources.Slice(i * d, d), targets, d, euclidean, c.Slice(i * m, m));
        }
    }

    // One row of the squared Euclidean (or Euclidean) cost against the contiguous targets (row.Length rows of d).
    private static void FillRow(ReadOnlySpan<double> xr, ReadOnlySpan<double> targets, int d, bool euclidean, Span<double> row)
    {
        if (d == 2)
        {
            SquaredRow2(xr[0], xr[1], targets, row);
        }
        else
        {
            for (var j = 0; j < row.Length; j++)
            {
                row[j] = BlockFactors.SquaredDistance(xr, targets.Slice(j * d, d));
            }
        }

        if (euclidean)
        {
            // Correctly rounded square roots, SIMD or not: the same bits as Math.Sqrt per entry.
            TensorPrimitives.Sqrt(row, row);
        }
    }

    /// <summary>row[j] = ‖(x0, x1) − t_j‖² for 2-D targets t_j = (targets[2j], targets[2j + 1]), as
    /// <see cref="BlockFactors.SquaredDistance"/> sums it: (0 + t₀²) + t₁², i.e. t₀² + t₁² (exact: 0 + a = a). With AVX2 four
    /// entries at a time: the differences and squares lane by lane, then one horizontal add per pair of lanes (t₀² + t₁²,
    /// never fused), so every entry is the same bits as the scalar loop.</summary>
    internal static void SquaredRow2(double x0, double x1, ReadOnlySpan<double> targets, Span<double> row)
    {
        var m = row.Length;
        var j = 0;
        if (Avx2.IsSupported && m >= 4)
        {
            var xv = Vector256.Create(x0, x1, x0, x1);
            ref var t = ref MemoryMarshal.GetReference(targets);
            ref var r = ref MemoryMarshal.GetReference(row);
            for (; j <= m - 4; j += 4)
            {
                var a = xv - Vector256.LoadUnsafe(ref t, (nuint)(2 * j));
                var b = xv - Vector256.LoadUnsafe(ref t, (nuint)((2 * j) + 4));
                // [a0 + a1, b0 + b1, a2 + a3, b2 + b3] = entries j, j + 2, j + 1, j + 3; then lanes 0, 2, 1, 3.
                var h = Avx.HorizontalAdd(a * a, b * b);
                Avx2.Permute4x64(h, 0b11_01_10_00).StoreUnsafe(ref r, (nuint)j);
            }
        }

        for (; j < m; j++)
        {
            var t0 = x0 - targets[2 * j];
            var t1 = x1 - targets[(2 * j) + 1];
            row[j] = (t0 * t0) + (t1 * t1);
        }
    }
}
