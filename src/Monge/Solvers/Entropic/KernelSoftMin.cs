using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.Entropic;

/// <summary>
/// Sinkhorn's soft-min in the kernel domain with log absorption (Schmitzer 2019, "Stabilized sparse scaling
/// algorithms for entropy regularized transport problems", §3.2; POT's <c>sinkhorn_stabilized</c>): a stored kernel
/// K_ij = exp((α_i + β_j − C_ij)/ε) around reference potentials α, β turns each soft-min into one matrix–vector
/// product and n + m exp/log, instead of one exp per entry.
/// </summary>
/// <remarks>
/// <para>
/// Rows: Σ_j exp(ℓ_j + (h_j − C_ij)/ε) = exp(−α_i/ε)·Σ_j K_ij w_j with w_j = exp(ℓ_j + (h_j − β_j)/ε), so
/// softmin_i = α_i − ε log (K w)_i; columns likewise with Kᵀ and α, β swapped.
/// </para>
/// <para>
/// <b>Absorption.</b> The product is used only while it is safe: every exponent of w is at most
/// <see cref="MaxExponent"/> (so an entry of K that underflowed, below e^−745, can contribute at most e^−545) and every
/// sum lies in [e^−300, e^300] (so those lost terms are below 10^−100 of it, and nothing overflowed). Otherwise, and at
/// the first call of each ε, the exact log-domain soft-min of the geometry gives the result, and the reference
/// potentials absorb it: after a row soft-min β ← h and α ← the result, so every row of the new kernel sums (with the
/// weights) to one. Rebuilding K costs one exp per entry, as one log-domain soft-min. If absorptions keep coming (more
/// than 2 + calls/8: ε so small that the potentials leave the safe range between two iterations) the kernel is dropped
/// and every later call returns false, so the caller stays in the log domain.
/// </para>
/// <para>
/// <b>Single-precision kernel.</b> With <c>single</c> the kernel is stored as float32 (half the memory and half the
/// memory traffic per pass; a pass over K is memory bound) and the products widen each entry to double and add in
/// double. Rounding K to float changes each entry by a relative 2⁻²⁴ at most, the same as solving with costs perturbed
/// by at most 6·10⁻⁸·ε (about 10⁻⁷ relative on the cost); entries below float's smallest normal number (e^−87.3) are
/// stored as 0 (no subnormal arithmetic). The safe range is narrower: exponents of w at most
/// <see cref="MaxExponentSingle"/> and sums in [e^−20, e^40], so the flushed entries contribute at most
/// n·m·e^(30 − 87.3) ≤ e^−37 against a sum ≥ e^−20 (below 10⁻⁷ of it for any kernel that fits in memory, and
/// below 10⁻¹¹ for m ≤ 10⁵). The drop rule allows more absorptions (8 + calls/4), since the potentials leave the
/// narrower range more often in the first iterations of a zero start.
/// </para>
/// <para>
/// Memory: one n × m double (or float) matrix (the caller checks it against the cost-memory budget). Time per
/// soft-min: one pass over K (O(n·m) multiply-adds, memory bound) plus O(n + m) exp/log. Results are independent of
/// the thread count: rows are independent, and the column sums add fixed row chunks in chunk order. The exp of the
/// kernel build is <see cref="DeterministicMath"/>, so results do not depend on the JIT tier either.
/// </para>
/// </remarks>
internal sealed class KernelSoftMin
{
    /// <summary>Largest exponent allowed in the weight vector w (see remarks).</summary>
    public const double MaxExponent = 200;

    /// <summary>Largest exponent allowed in w with a single-precision kernel (see remarks).</summary>
    public const double MaxExponentSingle = 30;

    private const double MinSum = 5.148200222412013e-131; // e^−300
    private const double MaxSum = 1.9424263952412558e+130; // e^300
    private const double MinSumSingle = 2.061153622438558e-9; // e^−20
    private const double MaxSumSingle = 2.3538526683702e+17; // e^40
    private const int ChunkRows = 128;
    private const int FillRows = 16;

    private readonly CostGeometry<double> _geometry;
    private readonly int _n;
    private readonly int _m;
    private readonly double[] _alpha;
    private readonly double[] _beta;
    private readonly double[] _wRows;
    private readonly double[] _wCols;
    private readonly bool _single;
    private double[]? _kernel;
    private float[]? _kernelSingle;
    private double _epsilon = double.NaN;
    private int _calls;

    /// <param name="geometry">The costs (its exact <see cref="CostGeometry{T}.SoftMin"/> serves the absorptions).</param>
    /// <param name="single">Store the kernel in single precision (see remarks).</param>
    public KernelSoftMin(CostGeometry<double> geometry, bool single = false)
    {
        _geometry = geometry;
        _single = single;
        _n = geometry.Rows;
        _m = geometry.Cols;
        _alpha = new double[_n];
        _beta = new double[_m];
        _wRows = new double[_n];
        _wCols = new double[_m];
    }

    /// <summary>Bytes of the stored kernel for an n × m problem.</summary>
    public static long Bytes(int n, int m, bool single = false) => (single ? 4L : 8L) * n * m;

    /// <summary>Whether the kernel is stored in single precision.</summary>
    public bool Single => _single;

    /// <summary>Bytes of this kernel (allocated at the first call).</summary>
    public long MemoryBytes => Bytes(_n, _m, _single);

    /// <summary>Number of kernel builds so far (one per ε level plus the absorptions).</summary>
    public int Absorptions { get; private set; }

    /// <summary>Whether the kernel was dropped (the caller must use the log domain).</summary>
    public bool Disabled { get; private set; }

    /// <summary>
    /// dst = softmin_ε over the summed axis of (C − h) with log-weights ℓ, as <see cref="CostGeometry{T}.SoftMin"/>.
    /// Returns false (and writes nothing) once the kernel is dropped.
    /// </summary>
    public bool TrySoftMin(ReadOnlySpan<double> h, ReadOnlySpan<double> logWeights, double epsilon, Axis axis, Span<double> destination)
    {
        if (Disabled)
        {
            return false;
        }

        _calls++;
        if ((_kernel is null && _kernelSingle is null) || epsilon != _epsilon || !Product(h, logWeights, epsilon, axis, destination))
        {
            Absorb(h, logWeights, epsilon, axis, destination);
        }

        return true;
    }

    private bool Product(ReadOnlySpan<double> h, ReadOnlySpan<double> logWeights, double epsilon, Axis axis, Span<double> destination)
    {
        var rows = axis == Axis.Rows;
        var reference = rows ? _beta : _alpha;
        var w = rows ? _wCols : _wRows;
        var inv = 1 / epsilon;
        var maxExponent = _single ? MaxExponentSingle : MaxExponent;
        for (var k = 0; k < w.Length; k++)
        {
            var e = (logWeights.IsEmpty ? 0 : logWeights[k]) + ((h[k] - reference[k]) * inv);
            if (!(e <= maxExponent))
            {
                return false;
            }

            w[k] = e;
        }

        DeterministicMath.Exp<double>(w, w);
        var sums = destination;
        if (_single)
        {
            if (rows)
            {
                RowProducts<float, SingleRows>(_kernelSingle!, w, sums);
            }
            else
            {
                ColumnProducts<float, SingleRows>(_kernelSingle!, w, sums);
            }
        }
        else if (rows)
        {
            RowProducts<double, DoubleRows>(_kernel!, w, sums);
        }
        else
        {
            ColumnProducts<double, DoubleRows>(_kernel!, w, sums);
        }

        var own = rows ? _alpha : _beta;
        var (minSum, maxSum) = _single ? (MinSumSingle, MaxSumSingle) : (MinSum, MaxSum);
        for (var k = 0; k < own.Length; k++)
        {
            var s = sums[k];
            if (!(s >= minSum && s <= maxSum))
            {
                return false;
            }

            sums[k] = own[k] - (epsilon * Math.Log(s));
        }

        return true;
    }

    /// <summary>Row products of the stored kernel in double or float storage; sums always in double.</summary>
    private interface IKernelRowOps<TK>
    {
        static abstract double Dot(ReadOnlySpan<TK> row, ReadOnlySpan<double> w);

        static abstract void MultiplyAdd(ReadOnlySpan<TK> row, double s, Span<double> acc);
    }

    private readonly struct DoubleRows : IKernelRowOps<double>
    {
        public static double Dot(ReadOnlySpan<double> row, ReadOnlySpan<double> w) => TensorPrimitives.Dot(row, w);

        public static void MultiplyAdd(ReadOnlySpan<double> row, double s, Span<double> acc) => TensorPrimitives.MultiplyAdd(row, s, acc, acc);
    }

    private readonly struct SingleRows : IKernelRowOps<float>
    {
        public static double Dot(ReadOnlySpan<float> row, ReadOnlySpan<double> w) => WideningKernels.Dot(row, w);

        public static void MultiplyAdd(ReadOnlySpan<float> row, double s, Span<double> acc) => WideningKernels.MultiplyAdd(row, s, acc);
    }

    private void RowProducts<TK, TOps>(TK[] kernel, double[] w, Span<double> sums)
        where TOps : struct, IKernelRowOps<TK>
    {
        var n = _n;
        var m = _m;
        var result = new double[n];
        void Body(int c)
        {
            var end = Math.Min(n, (c + 1) * ChunkRows);
            for (var i = c * ChunkRows; i < end; i++)
            {
                result[i] = TOps.Dot(kernel.AsSpan(i * m, m), w);
            }
        }

        Run(Chunks(), Body);
        result.CopyTo(sums);
    }

    private void ColumnProducts<TK, TOps>(TK[] kernel, double[] w, Span<double> sums)
        where TOps : struct, IKernelRowOps<TK>
    {
        var n = _n;
        var m = _m;
        var chunks = Chunks();
        var partials = new double[(long)chunks * m];
        void Body(int c)
        {
            var acc = partials.AsSpan(c * m, m);
            var end = Math.Min(n, (c + 1) * ChunkRows);
            for (var i = c * ChunkRows; i < end; i++)
            {
                if (w[i] != 0)
                {
                    TOps.MultiplyAdd(kernel.AsSpan(i * m, m), w[i], acc);
                }
            }
        }

        Run(chunks, Body);
        var total = sums[..m];
        partials.AsSpan(0, m).CopyTo(total);
        for (var c = 1; c < chunks; c++)
        {
            TensorPrimitives.Add(total, partials.AsSpan(c * m, m), total);
        }
    }

    private void Absorb(ReadOnlySpan<double> h, ReadOnlySpan<double> logWeights, double epsilon, Axis axis, Span<double> destination)
    {
        _geometry.SoftMin(h, logWeights, epsilon, axis, destination);
        Absorptions++;
        if (Absorptions > (_single ? 8 + (_calls / 4) : 2 + (_calls / 8)))
        {
            Drop();
            return;
        }

        var (summed, own) = axis == Axis.Rows ? (_beta, _alpha) : (_alpha, _beta);
        h.CopyTo(summed);
        destination[..own.Length].CopyTo(own);
        if (!AllFinite(_alpha) || !AllFinite(_beta))
        {
            Drop();
            return;
        }

        Build(epsilon);
    }

    private void Build(double epsilon)
    {
        if (_single)
        {
            BuildSingle(epsilon);
            return;
        }

        var n = _n;
        var m = _m;
        var kernel = _kernel ??= new double[(long)n * m];
        var alpha = _alpha;
        var beta = _beta;
        var geometry = _geometry;
        var inv = 1 / epsilon;
        void Body(int c)
        {
            var start = c * ChunkRows;
            var count = Math.Min(n, start + ChunkRows) - start;
            FillKernelRows(geometry, alpha, beta, inv, start, count, kernel.AsSpan(start * m, count * m));
        }

        Run(Chunks(), Body);
        _epsilon = epsilon;
    }

    /// <summary>Rows start … start + count − 1 of the kernel in double: exp((α_i + β_j − C_ij)/ε), exp bit-reproducible.</summary>
    private static void FillKernelRows(CostGeometry<double> geometry, double[] alpha, double[] beta, double inv, int start, int count, Span<double> block)
    {
        var m = beta.Length;
        geometry.FillCostBlock(start, count, 0, m, block);
        for (var r = 0; r < count; r++)
        {
            var row = block.Slice(r * m, m);
            TensorPrimitives.Subtract(beta, row, row);
            TensorPrimitives.Add(row, alpha[start + r], row);
            TensorPrimitives.Multiply(row, inv, row);
            DeterministicMath.Exp<double>(row, row);
        }
    }

    private void BuildSingle(double epsilon)
    {
        var n = _n;
        var m = _m;
        var kernel = _kernelSingle ??= new float[(long)n * m];
        var alpha = _alpha;
        var beta = _beta;
        var geometry = _geometry;
        var inv = 1 / epsilon;
        void Body(int c)
        {
            var start = c * ChunkRows;
            var end = Math.Min(n, start + ChunkRows);
            var scratch = System.Buffers.ArrayPool<double>.Shared.Rent(FillRows * m);
            try
            {
                for (var r0 = start; r0 < end; r0 += FillRows)
                {
                    var count = Math.Min(FillRows, end - r0);
                    var block = scratch.AsSpan(0, count * m);
                    FillKernelRows(geometry, alpha, beta, inv, r0, count, block);

                    // Rounded to float with subnormals stored as 0.
                    WideningKernels.NarrowFlushSubnormal(block, kernel.AsSpan(r0 * m, count * m));
                }
            }
            finally
            {
                System.Buffers.ArrayPool<double>.Shared.Return(scratch);
            }
        }

        Run(Chunks(), Body);
        _epsilon = epsilon;
    }

    private void Drop()
    {
        Disabled = true;
        _kernel = null;
        _kernelSingle = null;
    }

    private int Chunks() => (_n + ChunkRows - 1) / ChunkRows;

    private void Run(int chunks, Action<int> body)
    {
        if ((long)_n * _m < (1 << 15) || chunks == 1)
        {
            for (var c = 0; c < chunks; c++)
            {
                body(c);
            }
        }
        else
        {
            Parallel.For(0, chunks, body);
        }
    }

    private static bool AllFinite(double[] x)
    {
        foreach (var v in x)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
