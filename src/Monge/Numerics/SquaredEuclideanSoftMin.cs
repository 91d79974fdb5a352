using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monge.Numerics;

/// <summary>
/// The fused online soft-min kernel for the squared Euclidean cost on point clouds:
/// <c>dst_i = −ε log Σ_j exp(ℓ_j + (h_j − s·‖x_i − y_j‖²)/ε)</c> without ever forming a cost tile.
/// </summary>
/// <remarks>
/// <para>
/// Expanding ‖x_i − y_j‖² = |x_i|² + |y_j|² − 2⟨x_i, y_j⟩ turns every exponent, in log2 units, into
/// <c>v_ij = b_j + ⟨x_i, y'_j⟩</c> with <c>b_j = log2(e)·(ℓ_j + (h_j − s|y_j|²)/ε)</c> and
/// <c>y'_j = log2(e)·(2s/ε)·y_j</c>, both precomputed once per call in structure-of-arrays layout (O(m·d), padded to
/// two SIMD vectors with b = −∞). The row term s|x_i|² is added back at the end. Each entry then costs d fused
/// multiply-adds, one max (the running maximum) and one shifted 2^x (<see cref="FastExp.Pow2Shifted{T}(Vector256{T}, Vector256{T}, Vector256{T})"/>:
/// a clamp, three adds, a degree-5 (float) or degree-11 (double) polynomial and an integer add into the exponent).
/// </para>
/// <para>
/// Stabilization without a second pass: the shift S_i of row i is fixed before the row's main pass, from the exact
/// maximum of its first <see cref="Sample"/> columns (rounded to an integer, so it folds into the rounding magic number).
/// S_i is then at most ½ above a term of the row, so the sum is ≥ 2^−½ and never underflows. Columns are processed in
/// blocks of <see cref="Block"/>; each block's running maximum is checked afterwards: if it exceeds the shift by more
/// than <see cref="OverflowMargin{T}"/> (64 in float, 512 in double: 2^64·m stays far below the float range), the
/// block's sum might have overflowed and the block is recomputed with the new maximum as shift (rare: it needs the row
/// maximum to lie more than 44 nats above the sample's); otherwise, if the maximum rose by more than 32, the shift is
/// raised and the running sum rescaled by an exact power of two. So the data are read once per row, with no
/// per-element rescaling and no buffer. A row whose shift is too large for the folded form (|S| ≥ 2^21 in float, which
/// needs |x|²/ε ≳ 10⁶ after centering, where float32 has no accuracy left anyway) falls back to a scalar loop.
/// </para>
/// <para>
/// Vector512 is used when <see cref="Vector512.IsHardwareAccelerated"/> (AVX-512), Vector256 otherwise. Rows are split
/// over cores in chunks of at least <see cref="MinRowsPerTask"/> rows, about eight chunks per core (dynamic, so a
/// core slowed by other work does not hold the others back). Callers pass coordinates centered at a common point (the
/// cost is translation invariant) to keep the expansion accurate in float32.
/// </para>
/// <para>Time O(n·m·d); memory O(m·d) shared (the padded b and y' arrays, pooled) and O(1) per worker.</para>
/// </remarks>
internal static class SquaredEuclideanSoftMin
{
    /// <summary>Columns per block of fixed shift (a multiple of every padding width).</summary>
    public const int Block = 1024;

    /// <summary>Columns whose exact maximum sets a row's initial shift.</summary>
    public const int Sample = 64;

    private const int MinRowsPerTask = 16;

    /// <summary>Whether the SIMD kernel runs on this machine for <typeparamref name="T"/>.</summary>
    public static bool IsSupported<T>()
        where T : unmanaged
        => Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>How far (log2 units) a block maximum may exceed the shift before the block is recomputed.</summary>
    public static T OverflowMargin<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.CreateTruncating(typeof(T) == typeof(float) ? 64 : 512);

    /// <summary>Runs the kernel (see the class remarks).</summary>
    /// <param name="x">Source coordinates, centered, n × d row-major.</param>
    /// <param name="xNorms">|x_i|² (length n).</param>
    /// <param name="y">Target coordinates, centered at the same point, m × d row-major.</param>
    /// <param name="yNorms">|y_j|² (length m).</param>
    /// <param name="d">The dimension.</param>
    /// <param name="scale">s, the cost multiplier.</param>
    /// <param name="h">The potential on the columns (length m).</param>
    /// <param name="logWeights">ℓ (length m), or empty for zeros.</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <param name="destination">The result (length ≥ n).</param>
    /// <param name="vectorBits">0: the widest accelerated width; 256 or 512 forces that width (512 without AVX-512 runs the software fallback of <see cref="Vector512{T}"/>: correct but slow, for tests).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(T[] x, T[] xNorms, T[] y, T[] yNorms, int d, T scale, ReadOnlySpan<T> h, ReadOnlySpan<T> logWeights, T epsilon, Span<T> destination, int vectorBits = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = xNorms.Length;
        var m = yNorms.Length;
        var wide = vectorBits == 512 || (vectorBits == 0 && Vector512.IsHardwareAccelerated);
        var pad = 2 * (wide ? Vector512<T>.Count : Vector256<T>.Count);
        var mp = (m + pad - 1) / pad * pad;
        var b = ArrayPool<T>.Shared.Rent(mp);
        var yt = ArrayPool<T>.Shared.Rent(d * mp);
        var dst = ArrayPool<T>.Shared.Rent(n);
        try
        {
            var log2E = T.CreateTruncating(1.4426950408889634);
            var invEps = T.One / epsilon;
            var f = T.CreateTruncating(2) * scale * invEps * log2E;
            var anyNaN = false;
            var maxB = T.NegativeInfinity;
            for (var j = 0; j < m; j++)
            {
                var bj = (((h[j] - (scale * yNorms[j])) * invEps) + (logWeights.IsEmpty ? T.Zero : logWeights[j])) * log2E;
                anyNaN |= T.IsNaN(bj);
                maxB = T.Max(maxB, bj);
                b[j] = bj;
                for (var k = 0; k < d; k++)
                {
                    yt[(k * mp) + j] = f * y[(j * d) + k];
                }
            }

            if (anyNaN || !T.IsFinite(maxB))
            {
                // NaN anywhere: NaN; no finite term: +∞ (empty sum); a +∞ term: −∞.
                destination[..n].Fill(anyNaN ? T.NaN : T.IsNegativeInfinity(maxB) ? T.PositiveInfinity : T.NegativeInfinity);
                return;
            }

            for (var j = m; j < mp; j++)
            {
                b[j] = T.NegativeInfinity;
                for (var k = 0; k < d; k++)
                {
                    yt[(k * mp) + j] = T.Zero;
                }
            }

            var args = new Args<T>(x, xNorms, b, yt, d, m, mp, scale, epsilon, dst);
            var rowsPerTask = Math.Max(MinRowsPerTask, n / (8 * Environment.ProcessorCount));
            var tasks = (n + rowsPerTask - 1) / rowsPerTask;
            if ((long)n * m < (1 << 16) || tasks == 1)
            {
                RunRows(args, wide, 0, n);
            }
            else
            {
                Parallel.For(0, tasks, t =>
                {
                    var i0 = t * rowsPerTask;
                    RunRows(args, wide, i0, Math.Min(rowsPerTask, n - i0));
                });
            }

            dst.AsSpan(0, n).CopyTo(destination);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(b);
            ArrayPool<T>.Shared.Return(yt);
            ArrayPool<T>.Shared.Return(dst);
        }
    }

    private static void RunRows<T>(Args<T> a, bool wide, int i0, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (wide)
        {
            RunRows<T, Passes512<T>>(a, i0, count);
        }
        else
        {
            RunRows<T, Passes256<T>>(a, i0, count);
        }
    }

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRows<T, TPasses>(Args<T> a, int i0, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TPasses : struct, IPasses<T>
    {
        var d = a.D;
        Span<T> xi = stackalloc T[d];
        var ln2 = T.CreateTruncating(0.6931471805599453);
        var margin = OverflowMargin<T>();
        var recenter = T.CreateTruncating(32);
        var maxShift = T.CreateTruncating(FastExp.MaxShift<T>());
        for (var i = i0; i < i0 + count; i++)
        {
            a.X.AsSpan(i * d, d).CopyTo(xi);
            var shift = T.NaN;
            var sum = T.Zero;
            var fallback = false;
            for (var j0 = 0; j0 < a.Mp; j0 += Block)
            {
                var len = Math.Min(Block, a.Mp - j0);
                if (T.IsNaN(shift))
                {
                    var sm = TPasses.Max(a, xi, j0, Math.Min(len, Sample));
                    if (T.IsNegativeInfinity(sm) && len > Sample)
                    {
                        sm = TPasses.Max(a, xi, j0, len);
                    }

                    if (T.IsNegativeInfinity(sm))
                    {
                        continue;
                    }

                    shift = T.Round(sm);
                    if (!(T.Abs(shift) < maxShift))
                    {
                        fallback = true;
                        break;
                    }
                }

                var blockSum = TPasses.Sum(a, xi, j0, len, shift, out var blockMax);
                if (blockMax > shift + margin)
                {
                    var next = T.Round(blockMax);
                    if (!(T.Abs(next) < maxShift))
                    {
                        fallback = true;
                        break;
                    }

                    sum *= T.Exp2(shift - next);
                    shift = next;
                    blockSum = TPasses.Sum(a, xi, j0, len, shift, out blockMax);
                }

                sum += blockSum;
                if (blockMax > shift + recenter)
                {
                    var next = T.Round(blockMax);
                    sum *= T.Exp2(shift - next);
                    shift = next;
                }
            }

            a.Dst[i] = fallback
                ? ScalarRow(a, xi, i)
                : T.IsNaN(shift) ? T.PositiveInfinity : (a.Scale * a.XNorms[i]) - (a.Epsilon * ln2 * (shift + T.Log2(sum)));
        }
    }

    /// <summary>A plain two-pass row (exact exp), for rows whose shift is out of the folded range.</summary>
    private static T ScalarRow<T>(Args<T> a, ReadOnlySpan<T> xi, int i)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var max = T.NegativeInfinity;
        for (var j = 0; j < a.M; j++)
        {
            max = T.Max(max, ScalarExponent(a, xi, j));
        }

        var sum = T.Zero;
        for (var j = 0; j < a.M; j++)
        {
            sum += T.Exp2(ScalarExponent(a, xi, j) - max);
        }

        return (a.Scale * a.XNorms[i]) - (a.Epsilon * T.CreateTruncating(0.6931471805599453) * (max + T.Log2(sum)));
    }

    private static T ScalarExponent<T>(Args<T> a, ReadOnlySpan<T> xi, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = a.B[j];
        for (var k = 0; k < xi.Length; k++)
        {
            v += xi[k] * a.Yt[(k * a.Mp) + j];
        }

        return v;
    }

    /// <summary>The shared operands of one call.</summary>
    private sealed class Args<T>(T[] x, T[] xNorms, T[] b, T[] yt, int d, int m, int mp, T scale, T epsilon, T[] dst)
    {
        public T[] X { get; } = x;

        public T[] XNorms { get; } = xNorms;

        public T[] B { get; } = b;

        public T[] Yt { get; } = yt;

        public int D { get; } = d;

        public int M { get; } = m;

        public int Mp { get; } = mp;

        public T Scale { get; } = scale;

        public T Epsilon { get; } = epsilon;

        public T[] Dst { get; } = dst;
    }

    /// <summary>The two SIMD passes over a column range of one row, per vector width.</summary>
    private interface IPasses<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>max_j v_ij over columns [j0, j0 + len) (len a multiple of two vectors).</summary>
        static abstract T Max(Args<T> a, ReadOnlySpan<T> xi, int j0, int len);

        /// <summary>Σ_j 2^(v_ij − shift) over columns [j0, j0 + len), and the maximum v_ij.</summary>
        static abstract T Sum(Args<T> a, ReadOnlySpan<T> xi, int j0, int len, T shift, out T max);
    }

    /// <summary>
    /// The passes at 256-bit width: entry points the JIT compiles (optimized) around the inlined generic bodies. Not
    /// inlined themselves (they would be, being tiny forwarders): as methods of their own they compile to the code of the
    /// former hand-written passes, instruction for instruction; inlined into <c>RunRows</c> they would share its registers.
    /// </summary>
    private readonly struct Passes256<T> : IPasses<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static T Max(Args<T> a, ReadOnlySpan<T> xi, int j0, int len)
            => MaxBody<T, Simd256<T>, Vector256<T>>(a, xi, j0, len);

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static T Sum(Args<T> a, ReadOnlySpan<T> xi, int j0, int len, T shift, out T max)
            => SumBody<T, Simd256<T>, Vector256<T>>(a, xi, j0, len, shift, out max);
    }

    /// <summary>The passes at 512-bit width (see <see cref="Passes256{T}"/>).</summary>
    private readonly struct Passes512<T> : IPasses<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static T Max(Args<T> a, ReadOnlySpan<T> xi, int j0, int len)
            => MaxBody<T, Simd512<T>, Vector512<T>>(a, xi, j0, len);

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static T Sum(Args<T> a, ReadOnlySpan<T> xi, int j0, int len, T shift, out T max)
            => SumBody<T, Simd512<T>, Vector512<T>>(a, xi, j0, len, shift, out max);
    }

    /// <summary>max_j v_ij over columns [j0, j0 + len) of one row, at the width <typeparamref name="TW"/> (one vector per step, any d).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T MaxBody<T, TW, TV>(Args<T> a, ReadOnlySpan<T> xi, int j0, int len)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TW : struct, ISimdWidth<TV, T>
        where TV : struct
    {
        var w = TW.Count;
        var mp = a.Mp;
        var d = xi.Length;
        ref var bRef = ref MemoryMarshal.GetArrayDataReference(a.B);
        ref var yRef = ref MemoryMarshal.GetArrayDataReference(a.Yt);
        var mx = TW.Create(T.NegativeInfinity);
        for (var j = j0; j < j0 + len; j += w)
        {
            var v = TW.Load(ref bRef, (nuint)j);
            for (var k = 0; k < d; k++)
            {
                v = TW.MultiplyAdd(TW.Create(xi[k]), TW.Load(ref yRef, (nuint)((k * mp) + j)), v);
            }

            mx = TW.MaxNative(mx, v);
        }

        return HorizontalMax<T, TW, TV>(mx);
    }

    /// <summary>
    /// Σ_j 2^(v_ij − shift) over columns [j0, j0 + len) of one row, and the maximum v_ij, at the width
    /// <typeparamref name="TW"/>: two vectors per step, the first three coordinates held in registers. Inlined into
    /// the per-width entry points so that every accumulator is a local of one optimized method.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T SumBody<T, TW, TV>(Args<T> a, ReadOnlySpan<T> xi, int j0, int len, T shift, out T max)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TW : struct, ISimdWidth<TV, T>
        where TV : struct
    {
        var w = TW.Count;
        var mp = a.Mp;
        var d = xi.Length;
        ref var bRef = ref MemoryMarshal.GetArrayDataReference(a.B);
        ref var yRef = ref MemoryMarshal.GetArrayDataReference(a.Yt);
        ref var y1Ref = ref Unsafe.Add(ref yRef, d > 1 ? mp : 0);
        ref var y2Ref = ref Unsafe.Add(ref yRef, d > 2 ? 2 * mp : 0);
        var x0 = TW.Create(xi[0]);
        var x1 = TW.Create(d > 1 ? xi[1] : T.Zero);
        var x2 = TW.Create(d > 2 ? xi[2] : T.Zero);
        var lo = TW.Create(shift + FastExp.MinExponent<T>());
        var ms = TW.Create(FastExp.Magic<T>() - shift);
        var mx0 = TW.Create(T.NegativeInfinity);
        var mx1 = mx0;
        var acc0 = TW.Create(T.Zero);
        var acc1 = acc0;
        for (var j = j0; j < j0 + len; j += 2 * w)
        {
            var ja = (nuint)j;
            var jb = (nuint)(j + w);
            var v0 = TW.MultiplyAdd(x0, TW.Load(ref yRef, ja), TW.Load(ref bRef, ja));
            var v1 = TW.MultiplyAdd(x0, TW.Load(ref yRef, jb), TW.Load(ref bRef, jb));
            if (d > 1)
            {
                v0 = TW.MultiplyAdd(x1, TW.Load(ref y1Ref, ja), v0);
                v1 = TW.MultiplyAdd(x1, TW.Load(ref y1Ref, jb), v1);
                if (d > 2)
                {
                    v0 = TW.MultiplyAdd(x2, TW.Load(ref y2Ref, ja), v0);
                    v1 = TW.MultiplyAdd(x2, TW.Load(ref y2Ref, jb), v1);
                    for (var k = 3; k < d; k++)
                    {
                        var xk = TW.Create(xi[k]);
                        v0 = TW.MultiplyAdd(xk, TW.Load(ref yRef, (nuint)(k * mp) + ja), v0);
                        v1 = TW.MultiplyAdd(xk, TW.Load(ref yRef, (nuint)(k * mp) + jb), v1);
                    }
                }
            }

            mx0 = TW.MaxNative(mx0, v0);
            mx1 = TW.MaxNative(mx1, v1);
            acc0 = TW.Add(acc0, FastExp.Pow2Shifted<TW, TV, T>(v0, lo, ms));
            acc1 = TW.Add(acc1, FastExp.Pow2Shifted<TW, TV, T>(v1, lo, ms));
        }

        max = HorizontalMax<T, TW, TV>(TW.MaxNative(mx0, mx1));
        return TW.Sum(TW.Add(acc0, acc1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T HorizontalMax<T, TW, TV>(TV v)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TW : struct, ISimdWidth<TV, T>
        where TV : struct
    {
        var m = TW.GetElement(v, 0);
        for (var l = 1; l < TW.Count; l++)
        {
            m = T.Max(m, TW.GetElement(v, l));
        }

        return m;
    }
}
