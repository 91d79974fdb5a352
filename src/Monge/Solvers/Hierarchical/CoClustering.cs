using System.Numerics.Tensors;
using Monge.Numerics;
using Monge.Solvers.Exact;
using Monge.Solvers.LowRank;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Low-rank co-clustering of one Hierarchical Refinement block: finds Q ∈ Π(1/n, 1/r) and R ∈ Π(1/n, 1/r) (n × r each,
/// inner marginal g fixed uniform) that reduce ⟨C, Q diag(1/g) Rᵀ⟩ for a factored cost C = A Bᵀ, by mirror descent
/// (Halmos et al., FRLC, NeurIPS 2024; the g-fixed "LR_mini" variant used by HiRef, ICML 2025).
/// </summary>
/// <remarks>
/// <para>One outer iteration updates Q and R from the same iterate (Jacobi): ∇Q = r·A(BᵀR), ∇R = r·B(AᵀQ), and
/// Q ← Π(Q ⊙ exp(−γₖ∇Q)), R ← Π(R ⊙ exp(−γₖ∇R)) with one step γₖ = γ / (largest row range max_z ∇_iz − min_z ∇_iz over
/// both gradients). Normalising the step by the largest <em>row range</em> of the gradient rather than by ‖∇‖∞ (as
/// the reference does) makes the step independent of row-constant terms of the cost (‖x‖² and translations), which the
/// row projection absorbs anyway. With a symmetric factorisation (c(x, y) = c(y, x)) and a start that applies one
/// function to both sides, the two sides are treated exactly alike: identical point sets get identical Q and R as
/// functions of the coordinates (up to summation order), which is what makes planted permutations recoverable.</para>
/// <para>The projection Π is the library's one entropic projection (<see cref="EntropicProjection.Run"/>,
/// shared with FRLC and LR-Sinkhorn) at ε = 1 with hard marginals 1/n and 1/r and a zero column dual (Q already carries
/// the previous scalings: a warm start): an exact first row update in the log domain (nothing overflows), then
/// scaling sweeps by division, each one pass over Q; it ends on the column update (the cluster masses are exact),
/// stops once the column error before that update is below <see cref="CoClusteringSettings.Tolerance"/> (the test of
/// the co-clustering's earlier own loop) and writes Q by scaling (no
/// second exp per entry). Logs are kept in a separate array, so entries that underflow keep their order.</para>
/// <para>Reductions over rows go through fixed chunks of <see cref="ChunkRows"/> rows summed in chunk order, so the
/// result is bit-identical whether the chunks run in parallel or not.</para>
/// <para>Cost per outer iteration: O(n·r·k) for the gradients, n·r exponentials, O(n·r) per Sinkhorn sweep.
/// Memory: four n×r arrays, two n×k factor arrays and O(n) — all in the caller's <see cref="CoClusteringWorkspace"/>.</para>
/// </remarks>
internal static class CoClustering
{
    /// <summary>Rows per reduction chunk.</summary>
    public const int ChunkRows = 1024;

    private static readonly ParallelOptions Sequential = new() { MaxDegreeOfParallelism = 1 };

    /// <summary>Runs the co-clustering. Factors must be in <c>ws.FactorX</c> (n×k) and <c>ws.FactorY</c> (n×k).</summary>
    /// <remarks>With <c>seeded</c>, <c>ws.LogQ</c> and <c>ws.LogR</c> already hold initial logits (see
    /// <see cref="BalancedSeeding"/>); otherwise Q starts from the reference's seeded random kernel exp(−scale·U), U
    /// uniform, and R from the uniform coupling.</remarks>
    public static void Run(CoClusteringWorkspace ws, int n, int k, int r, in CoClusteringSettings settings, ulong seed, bool seeded, ParallelOptions? inner, CancellationToken cancellationToken)
    {
        ws.EnsureClusters(n, r, k);
        var rng = new Random((int)(seed & 0x7FFFFFFF));
        var logQ = ws.LogQ;
        var logR = ws.LogR;
        var valQ = ws.ValQ;
        var valR = ws.ValR;
        if (!seeded)
        {
            for (var idx = 0; idx < n * r; idx++)
            {
                logQ[idx] = -settings.InitialScale * rng.NextDouble();
                logR[idx] = 0.0;
            }
        }

        Project(ws, logQ, valQ, n, r, settings, inner);
        Project(ws, logR, valR, n, r, settings, inner);

        // Jacobi: both gradients from the same iterate and one shared step, so that the two sides are treated alike
        // (identical point sets give identical Q and R as functions of the coordinates).
        var gradQ = ws.Gradient;
        var gradR = ws.GradientOther;
        for (var it = 0; it < settings.Iterations; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Contract(ws, ws.FactorY, valR, gradQ, n, k, r, inner);
            Contract(ws, ws.FactorX, valQ, gradR, n, k, r, inner);
            var range = Math.Max(MaxRowRange(ws, ws.FactorX, gradQ, n, k, r, inner), MaxRowRange(ws, ws.FactorY, gradR, n, k, r, inner));
            if (!(range > 0) || !double.IsFinite(range))
            {
                return;
            }

            var step = settings.Gamma / range;
            Update(ws, ws.FactorX, gradQ, logQ, valQ, n, k, r, step, settings, inner);
            Update(ws, ws.FactorY, gradR, logR, valR, n, k, r, step, settings, inner);
            ws.StepProgress?.Invoke(it + 1, settings.Iterations, double.NaN);
        }
    }

    // M = F_Oᵀ O (k×r): the contraction of the other side's factors with its coupling; ∇S_i = F_S[i] · M.
    private static void Contract(CoClusteringWorkspace ws, double[] factorO, double[] valO, double[] m, int n, int k, int r, ParallelOptions? inner)
    {
        var chunks = Chunks(n);
        var partial = ws.Partial;
        For(chunks, inner, c =>
        {
            var acc = partial.AsSpan(c * k * r, k * r);
            acc.Clear();
            var (start, end) = Range(c, n);
            for (var j = start; j < end; j++)
            {
                var o = valO.AsSpan(j * r, r);
                var f = factorO.AsSpan(j * k, k);
                for (var kk = 0; kk < k; kk++)
                {
                    var fk = f[kk];
                    var a = acc.Slice(kk * r, r);
                    for (var z = 0; z < a.Length; z++)
                    {
                        a[z] += fk * o[z];
                    }
                }
            }
        });
        m.AsSpan(0, k * r).Clear();
        for (var c = 0; c < chunks; c++)
        {
            TensorPrimitives.Add(m.AsSpan(0, k * r), partial.AsSpan(c * k * r, k * r), m.AsSpan(0, k * r));
        }
    }

    // Largest row range max_z ∇S_iz − min_z ∇S_iz of the gradient F_S · M (both precisions: the gradient is double in both).
    internal static double MaxRowRange(CoClusteringWorkspace ws, double[] factorS, double[] m, int n, int k, int r, ParallelOptions? inner, double[]? keep = null)
    {
        var chunks = Chunks(n);
        var ranges = ws.ChunkScalar;
        For(chunks, inner, c =>
        {
            Span<double> g = r <= 256 ? stackalloc double[r] : new double[r];
            var (start, end) = Range(c, n);
            ranges[c] = CompactCoClustering.RowRangeRows(factorS, m, start, end, k, r, g, keep);
        });
        var maxRange = 0.0;
        for (var c = 0; c < chunks; c++)
        {
            maxRange = Math.Max(maxRange, ranges[c]);
        }

        return maxRange;
    }

    // log ← log − step·∇, then the projection (which sets val).
    private static void Update(CoClusteringWorkspace ws, double[] factorS, double[] m, double[] logS, double[] valS, int n, int k, int r, double step, in CoClusteringSettings settings, ParallelOptions? inner)
    {
        For(Chunks(n), inner, c =>
        {
            Span<double> g = r <= 256 ? stackalloc double[r] : new double[r];
            var (start, end) = Range(c, n);
            for (var i = start; i < end; i++)
            {
                CompactCoClustering.Gradient(factorS.AsSpan(i * k, k), m.AsSpan(0, k * r), r, g);
                TensorPrimitives.MultiplyAdd(g, -step, logS.AsSpan(i * r, r), logS.AsSpan(i * r, r));
            }
        });

        Project(ws, logS, valS, n, r, settings, inner);
    }

    // The KL projection of exp(log) onto Π(1/n, 1/r): the library's one entropic projection (EntropicProjection.Run)
    // at ε = 1 with hard marginals, a cold (zero) column dual, division updates and the plan written by scaling (no exp
    // per entry beyond the kernel's). Its first row update is exact in the log domain (so the logits need no row
    // normalisation); it stops on a column update (the cluster masses are exact) once the column error before that
    // update is below the tolerance (one pass per sweep, as the column sums give it); column sums go through fixed
    // chunks of ChunkRows rows, so the result does not depend on the schedule. On exit log holds log P and val holds P.
    private static void Project(CoClusteringWorkspace ws, double[] log, double[] val, int n, int r, in CoClusteringSettings settings, ParallelOptions? inner)
    {
        ws.EnsureProjection(n, r);
        ws.ColumnDual.AsSpan(0, r).Clear();
        var projection = new EntropicProjection.Settings(
            KappaRow: 1.0,
            KappaCol: 1.0,
            MaxIterations: settings.InnerIterations,
            Threshold: 0.0,
            Recentre: false,
            ReductionChunkRows: ChunkRows,
            DivisionUpdates: true,
            PlanByScaling: true,
            ColumnTolerance: settings.Tolerance);
        _ = EntropicProjection.Run(log, val, n, r, ws.Ones.AsSpan(0, n), ws.Ones.AsSpan(0, r), 1.0, projection, ws.RowDual.AsSpan(0, n), ws.ColumnDual.AsSpan(0, r), ws.Projection, inner ?? Sequential);
    }

    /// <summary>Projects exp(logits) onto Π(1/n, 1/r) on the calling thread (log ← log P, val ← P).</summary>
    public static void NormalizeAndProject(CoClusteringWorkspace ws, int n, int r, double[] log, double[] val)
    {
        var settings = new CoClusteringSettings(1, 0, 20, 1e-4, 0);
        Project(ws, log, val, n, r, settings, null);
    }

    internal static int Chunks(int n) => FixedChunks.Count(n, ChunkRows);

    internal static (int Start, int End) Range(int chunk, int n) => FixedChunks.Range(chunk, n, ChunkRows);

    internal static void For(int chunks, ParallelOptions? inner, Action<int> body) => FixedChunks.For(chunks, inner, body);
}

/// <summary>Settings of <see cref="CoClustering"/>.</summary>
/// <param name="Gamma">Mirror-descent step scale (the step is Gamma over the largest gradient row range).</param>
/// <param name="Iterations">Outer mirror-descent iterations.</param>
/// <param name="InnerIterations">Largest number of Sinkhorn sweeps per projection.</param>
/// <param name="Tolerance">Stop a projection when the L1 column-marginal error (masses normalised to one) is below this.</param>
/// <param name="InitialScale">Scale of the random initial log-kernel.</param>
/// <param name="WarmColumnScalings">Single-precision path only: each projection starts its column scalings from the
/// previous mirror step's final ones on the same side (<see cref="CompactCoClustering.StartColumnScalings"/>).</param>
internal readonly record struct CoClusteringSettings(double Gamma, int Iterations, int InnerIterations, double Tolerance, double InitialScale, bool WarmColumnScalings = true);

/// <summary>Scratch buffers of one worker; they grow to the largest block the worker sees and are reused.</summary>
internal sealed class CoClusteringWorkspace
{
    public double[] FactorX = [];
    public double[] FactorY = [];
    public double[] LogQ = [];
    public double[] ValQ = [];
    public double[] LogR = [];
    public double[] ValR = [];
    public float[] LogQ32 = [];
    public float[] ValQ32 = [];
    public float[] LogR32 = [];
    public double[] RowDual = [];
    public double[] Ones = [];
    public double[] Partial = [];
    public double[] ChunkScalar = [];
    public double[] Gradient = [];
    public double[] GradientOther = [];

    /// <summary>The gradient rows F_X M and F_Y M (n×r each) the step size's row-range pass computes, kept for the step
    /// itself by <see cref="CompactCoClustering.Run"/> on blocks of at most <see cref="CompactCoClustering.KeptGradientMaxRows"/>
    /// points (<see cref="EnsureGradientRows"/>); empty otherwise.</summary>
    public double[] GradientRowsQ = [];
    public double[] GradientRowsR = [];
    public double[] ColumnDual = [];

    /// <summary>A 2-D block's coordinates gathered by axis for its seeding (<see cref="CompactCoClustering.Seed"/>: X's
    /// first and second coordinates, then Y's; 4·m doubles, <see cref="EnsureSeedPoints"/>).</summary>
    public double[] SeedPoints = [];
    public EntropicProjection.Workspace Projection = new();
    public double[] Margin = [];
    public int[] Order = [];
    public int[] Labels = [];
    public int[] IndexBuffer = [];
    public (double Key, int Index)[] SortPairs = [];
    public double[] Cost = [];
    public LinearAssignmentWorkspace<double> Leaf = new();
    public int[] Assignment = [];
    public int[] Positions = [];

    /// <summary>The targets of a leaf group gathered row by row (<see cref="HiRefMatching.FillCost"/>).</summary>
    public double[] LeafTargets = [];

    /// <summary>Set by the executor while a block runs alone (a level of few blocks, the 10⁷-point first level): called
    /// after every mirror step with the steps taken, the step cap and the relative change of the low-rank objective (NaN
    /// where the path does not compute it). Null: no reports. Never changes the result.</summary>
    public Action<int, int, double>? StepProgress;

    /// <summary>Bytes held.</summary>
    public long Bytes =>
        sizeof(double) * ((long)FactorX.Length + FactorY.Length + LogQ.Length + ValQ.Length + LogR.Length + ValR.Length + RowDual.Length + Ones.Length
            + Partial.Length + ChunkScalar.Length + Gradient.Length + GradientOther.Length + GradientRowsQ.Length + GradientRowsR.Length + ColumnDual.Length + SeedPoints.Length + Margin.Length + Cost.Length + LeafTargets.Length)
        + (sizeof(float) * ((long)LogQ32.Length + ValQ32.Length + LogR32.Length))
        + (sizeof(int) * ((long)Order.Length + Labels.Length + IndexBuffer.Length + Assignment.Length + Positions.Length))
        + (16L * SortPairs.Length) + LeafBytes + Projection.Bytes;

    /// <summary>Approximate bytes of the assignment workspace (about 5m doubles and 5m integers for leaves of m).</summary>
    public long LeafBytes { get; private set; }

    public void EnsureFactors(int n, int k)
    {
        Grow(ref FactorX, (long)n * k);
        Grow(ref FactorY, (long)n * k);
    }

    public void EnsureClusters(int n, int r, int k)
    {
        Grow(ref LogQ, (long)n * r);
        Grow(ref ValQ, (long)n * r);
        Grow(ref LogR, (long)n * r);
        Grow(ref ValR, (long)n * r);
        EnsureChunks(n, r, k);
    }

    /// <summary>The single-precision co-clustering arrays of <see cref="CompactCoClustering"/> (log Q, log R, one plan buffer) and its chunk buffers.</summary>
    public void EnsureCompactClusters(int n, int r, int k)
    {
        Grow(ref LogQ32, (long)n * r);
        Grow(ref ValQ32, (long)n * r);
        Grow(ref LogR32, (long)n * r);
        EnsureChunks(n, r, k);
    }

    // The per-chunk sums (k·r per 1024-row chunk), the per-chunk scalars and the two k×r contractions of either precision.
    private void EnsureChunks(int n, int r, int k)
    {
        var chunks = (n + CoClustering.ChunkRows - 1) / CoClustering.ChunkRows;
        Grow(ref Partial, (long)chunks * r * Math.Max(k, 1));
        Grow(ref ChunkScalar, chunks);
        Grow(ref Gradient, (long)k * r);
        Grow(ref GradientOther, (long)k * r);
    }

    /// <summary>The kept gradient rows of <see cref="CompactCoClustering.Run"/> (n×r doubles a side).</summary>
    public void EnsureGradientRows(int n, int r)
    {
        Grow(ref GradientRowsQ, (long)n * r);
        Grow(ref GradientRowsR, (long)n * r);
    }

    /// <summary>The gathered coordinates of a 2-D block's seeding (4·n doubles).</summary>
    public void EnsureSeedPoints(int n) => Grow(ref SeedPoints, 4L * n);

    /// <summary>The row scalings (n) and column scalings (r) of <see cref="CompactCoClustering.Project"/>.</summary>
    public void EnsureCompactProjection(int n, int r)
    {
        Grow(ref RowDual, n);
        Grow(ref ColumnDual, r);
    }

    public void EnsureProjection(int n, int r)
    {
        Grow(ref RowDual, n);
        Grow(ref ColumnDual, r);
        var ones = Math.Max(n, r);
        if (Ones.Length < ones)
        {
            Ones = new double[ones];
            Array.Fill(Ones, 1.0);
        }
    }

    public void EnsureSplit(int n)
    {
        Grow(ref Margin, n);
        Grow(ref Order, n);
        Grow(ref Labels, n);
        Grow(ref IndexBuffer, n);
        Grow(ref SortPairs, n);
    }

    public void EnsureLeaf(int m)
    {
        if (LeafBytes < (long)m * ((5 * sizeof(double)) + (5 * sizeof(int))))
        {
            Leaf.EnsureCapacity(m, m);
            LeafBytes = (long)m * ((5 * sizeof(double)) + (5 * sizeof(int)));
        }

        Grow(ref Cost, (long)m * m);
        Grow(ref Assignment, m);
        Grow(ref Positions, m);
        Grow(ref IndexBuffer, m);
    }

    /// <summary>The leaf-target buffer with room for at least <paramref name="length"/> doubles.</summary>
    public double[] EnsureLeafTargets(int length)
    {
        Grow(ref LeafTargets, length);
        return LeafTargets;
    }

    private static void Grow<T>(ref T[] array, long length) => EntropicProjection.Buffers.Grow(ref array, length);
}
