using System.Numerics.Tensors;
using Monge.Solvers.Exact;

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
/// <para>The projection Π is Sinkhorn in scaling form on the row-max-normalised kernel (every row's largest entry is 1,
/// so nothing overflows; logs are kept in a separate array so that entries that underflow keep their order). It starts
/// from v = 1, because Q already carries the previous scalings (a warm start), and ends on the column update, so the
/// cluster masses are exact.</para>
/// <para>Reductions over rows go through fixed chunks of <see cref="ChunkRows"/> rows summed in chunk order, so the
/// result is bit-identical whether the chunks run in parallel or not.</para>
/// <para>Cost per outer iteration: O(n·r·k) for the gradients, n·r exponentials, O(n·r) per Sinkhorn sweep.
/// Memory: four n×r arrays, two n×k factor arrays and O(n) — all in the caller's <see cref="CoClusteringWorkspace"/>.</para>
/// </remarks>
internal static class CoClustering
{
    /// <summary>Rows per reduction chunk.</summary>
    public const int ChunkRows = 1024;

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

        Normalize(ws, logQ, valQ, n, r, inner);
        Project(ws, logQ, valQ, n, r, settings, inner);
        Normalize(ws, logR, valR, n, r, inner);
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

    // Largest row range max_z ∇S_iz − min_z ∇S_iz of the gradient.
    private static double MaxRowRange(CoClusteringWorkspace ws, double[] factorS, double[] m, int n, int k, int r, ParallelOptions? inner)
    {
        var chunks = Chunks(n);
        var ranges = ws.ChunkScalar;
        For(chunks, inner, c =>
        {
            Span<double> g = r <= 256 ? stackalloc double[r] : new double[r];
            var (start, end) = Range(c, n);
            var best = 0.0;
            for (var i = start; i < end; i++)
            {
                Gradient(factorS.AsSpan(i * k, k), m, r, g);
                var hi = g[0];
                var lo = g[0];
                for (var z = 1; z < g.Length; z++)
                {
                    hi = Math.Max(hi, g[z]);
                    lo = Math.Min(lo, g[z]);
                }

                best = Math.Max(best, hi - lo);
            }

            ranges[c] = best;
        });
        var maxRange = 0.0;
        for (var c = 0; c < chunks; c++)
        {
            maxRange = Math.Max(maxRange, ranges[c]);
        }

        return maxRange;
    }

    // log ← log − step·∇ minus its row max; val ← exp(log); then the projection.
    private static void Update(CoClusteringWorkspace ws, double[] factorS, double[] m, double[] logS, double[] valS, int n, int k, int r, double step, in CoClusteringSettings settings, ParallelOptions? inner)
    {
        For(Chunks(n), inner, c =>
        {
            Span<double> g = r <= 256 ? stackalloc double[r] : new double[r];
            var (start, end) = Range(c, n);
            for (var i = start; i < end; i++)
            {
                Gradient(factorS.AsSpan(i * k, k), m, r, g);
                var row = logS.AsSpan(i * r, r);
                var hi = double.NegativeInfinity;
                for (var z = 0; z < row.Length; z++)
                {
                    var t = row[z] - (step * g[z]);
                    row[z] = t;
                    hi = Math.Max(hi, t);
                }

                for (var z = 0; z < row.Length; z++)
                {
                    row[z] -= hi;
                }
            }

            TensorPrimitives.Exp(logS.AsSpan(start * r, (end - start) * r), valS.AsSpan(start * r, (end - start) * r));
        });

        Project(ws, logS, valS, n, r, settings, inner);
    }

    private static void Gradient(ReadOnlySpan<double> f, double[] m, int r, Span<double> g)
    {
        var m0 = m.AsSpan(0, r);
        var f0 = f[0];
        for (var z = 0; z < g.Length; z++)
        {
            g[z] = f0 * m0[z];
        }

        for (var kk = 1; kk < f.Length; kk++)
        {
            var fk = f[kk];
            var mk = m.AsSpan(kk * r, r);
            for (var z = 0; z < g.Length; z++)
            {
                g[z] += fk * mk[z];
            }
        }
    }

    // log ← log − rowmax(log); val ← exp(log).
    private static void Normalize(CoClusteringWorkspace ws, double[] log, double[] val, int n, int r, ParallelOptions? inner)
    {
        _ = ws;
        For(Chunks(n), inner, c =>
        {
            var (start, end) = Range(c, n);
            for (var i = start; i < end; i++)
            {
                var row = log.AsSpan(i * r, r);
                var hi = double.NegativeInfinity;
                for (var z = 0; z < row.Length; z++)
                {
                    hi = Math.Max(hi, row[z]);
                }

                for (var z = 0; z < row.Length; z++)
                {
                    row[z] -= hi;
                }
            }

            TensorPrimitives.Exp(log.AsSpan(start * r, (end - start) * r), val.AsSpan(start * r, (end - start) * r));
        });
    }

    // Sinkhorn scaling of val onto Π(1/n, 1/r), then val ← diag(u) val diag(v) and log ← log + log u + log v.
    private static void Project(CoClusteringWorkspace ws, double[] log, double[] val, int n, int r, in CoClusteringSettings settings, ParallelOptions? inner)
    {
        var chunks = Chunks(n);
        var v = ws.ColumnScale;
        var u = ws.RowScale;
        var partial = ws.Partial;
        var colAcc = ws.ColumnSum;
        var a = 1.0 / n;
        var g = 1.0 / r;
        v.AsSpan(0, r).Fill(1.0);
        for (var it = 0; it < settings.InnerIterations; it++)
        {
            For(chunks, inner, c =>
            {
                var acc = partial.AsSpan(c * r, r);
                acc.Clear();
                var (start, end) = Range(c, n);
                var vs = v.AsSpan(0, r);
                for (var i = start; i < end; i++)
                {
                    var row = val.AsSpan(i * r, r);
                    var dot = 0.0;
                    for (var z = 0; z < row.Length; z++)
                    {
                        dot += row[z] * vs[z];
                    }

                    var ui = a / dot;
                    u[i] = ui;
                    for (var z = 0; z < row.Length; z++)
                    {
                        acc[z] += ui * row[z];
                    }
                }
            });
            var col = colAcc.AsSpan(0, r);
            col.Clear();
            for (var c = 0; c < chunks; c++)
            {
                TensorPrimitives.Add(col, partial.AsSpan(c * r, r), col);
            }

            var err = 0.0;
            for (var z = 0; z < r; z++)
            {
                err += Math.Abs((v[z] * col[z]) - g);
                v[z] = g / col[z];
            }

            if (err < settings.Tolerance)
            {
                break;
            }
        }

        var logV = ws.ColumnSum;
        for (var z = 0; z < r; z++)
        {
            logV[z] = Math.Log(v[z]);
        }

        For(chunks, inner, c =>
        {
            var (start, end) = Range(c, n);
            var vs = v.AsSpan(0, r);
            var lv = logV.AsSpan(0, r);
            for (var i = start; i < end; i++)
            {
                var row = val.AsSpan(i * r, r);
                var lrow = log.AsSpan(i * r, r);
                var ui = u[i];
                var lu = Math.Log(ui);
                for (var z = 0; z < row.Length; z++)
                {
                    row[z] *= ui * vs[z];
                    lrow[z] += lu + lv[z];
                }
            }
        });
    }

    /// <summary>Row-normalises the logits, exponentiates and projects onto Π(1/n, 1/r) (sequentially).</summary>
    public static void NormalizeAndProject(CoClusteringWorkspace ws, int n, int r, double[] log, double[] val)
    {
        var settings = new CoClusteringSettings(1, 0, 20, 1e-4, 0);
        Normalize(ws, log, val, n, r, null);
        Project(ws, log, val, n, r, settings, null);
    }

    private static int Chunks(int n) => (n + ChunkRows - 1) / ChunkRows;

    private static (int Start, int End) Range(int chunk, int n) => (chunk * ChunkRows, Math.Min(n, (chunk + 1) * ChunkRows));

    private static void For(int chunks, ParallelOptions? inner, Action<int> body)
    {
        if (inner is null || chunks < 2)
        {
            for (var c = 0; c < chunks; c++)
            {
                body(c);
            }
        }
        else
        {
            Parallel.For(0, chunks, inner, body);
        }
    }
}

/// <summary>Settings of <see cref="CoClustering"/>.</summary>
/// <param name="Gamma">Mirror-descent step scale (the step is Gamma over the largest gradient row range).</param>
/// <param name="Iterations">Outer mirror-descent iterations.</param>
/// <param name="InnerIterations">Largest number of Sinkhorn sweeps per projection.</param>
/// <param name="Tolerance">Stop a projection when the L1 column-marginal error is below this.</param>
/// <param name="InitialScale">Scale of the random initial log-kernel.</param>
internal readonly record struct CoClusteringSettings(double Gamma, int Iterations, int InnerIterations, double Tolerance, double InitialScale);

/// <summary>Scratch buffers of one worker; they grow to the largest block the worker sees and are reused.</summary>
internal sealed class CoClusteringWorkspace
{
    public double[] FactorX = [];
    public double[] FactorY = [];
    public double[] LogQ = [];
    public double[] ValQ = [];
    public double[] LogR = [];
    public double[] ValR = [];
    public double[] RowScale = [];
    public double[] Partial = [];
    public double[] ChunkScalar = [];
    public double[] Gradient = [];
    public double[] GradientOther = [];
    public double[] ColumnScale = [];
    public double[] ColumnSum = [];
    public double[] Margin = [];
    public int[] Order = [];
    public int[] Labels = [];
    public int[] IndexBuffer = [];
    public double[] Cost = [];
    public LinearAssignmentWorkspace<double> Leaf = new();
    public int[] Assignment = [];
    public int[] Positions = [];

    /// <summary>Bytes held.</summary>
    public long Bytes =>
        sizeof(double) * ((long)FactorX.Length + FactorY.Length + LogQ.Length + ValQ.Length + LogR.Length + ValR.Length + RowScale.Length
            + Partial.Length + ChunkScalar.Length + Gradient.Length + GradientOther.Length + ColumnScale.Length + ColumnSum.Length + Margin.Length + Cost.Length)
        + (sizeof(int) * ((long)Order.Length + Labels.Length + IndexBuffer.Length + Assignment.Length + Positions.Length)) + LeafBytes;

    /// <summary>Approximate bytes of the assignment workspace (about 5m doubles and 5m integers for leaves of m).</summary>
    public long LeafBytes { get; private set; }

    public void EnsureFactors(int n, int k)
    {
        Grow(ref FactorX, (long)n * k);
        Grow(ref FactorY, (long)n * k);
    }

    public void EnsureClusters(int n, int r, int k)
    {
        var chunks = (n + CoClustering.ChunkRows - 1) / CoClustering.ChunkRows;
        Grow(ref LogQ, (long)n * r);
        Grow(ref ValQ, (long)n * r);
        Grow(ref LogR, (long)n * r);
        Grow(ref ValR, (long)n * r);
        Grow(ref RowScale, n);
        Grow(ref Partial, (long)chunks * r * Math.Max(k, 1));
        Grow(ref ChunkScalar, chunks);
        Grow(ref Gradient, (long)k * r);
        Grow(ref GradientOther, (long)k * r);
        Grow(ref ColumnScale, r);
        Grow(ref ColumnSum, r);
    }

    public void EnsureSplit(int n)
    {
        Grow(ref Margin, n);
        Grow(ref Order, n);
        Grow(ref Labels, n);
        Grow(ref IndexBuffer, n);
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

    private static void Grow<T>(ref T[] array, long length)
    {
        if (array.Length < length)
        {
            array = new T[checked((int)length)];
        }
    }
}
