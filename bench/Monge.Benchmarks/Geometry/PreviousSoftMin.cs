using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Monge.Benchmarks.Geometry;

/// <summary>
/// A/B baseline: the soft-min kernel as it was before the single-pass rewrite (commit 00bcd7a), kept verbatim so the
/// benchmarks measure old and new in the same run. The fused online soft-min kernel for the squared Euclidean cost on point clouds:
/// <c>dst_i = −ε log Σ_j exp(ℓ_j + (h_j − s·‖x_i − y_j‖²)/ε)</c> without ever forming a cost tile.
/// </summary>
/// <remarks>
/// <para>
/// Expanding ‖x_i − y_j‖² = |x_i|² + |y_j|² − 2⟨x_i, y_j⟩ turns every entry into
/// <c>b_j + ⟨x_i, y'_j⟩ − s|x_i|²/ε</c> with <c>b_j = ℓ_j + (h_j − s|y_j|²)/ε</c> and <c>y'_j = (2s/ε)·y_j</c>, both
/// precomputed once per call in structure-of-arrays layout (O(m·d)). Each entry then costs d fused multiply-adds and
/// one polynomial exp (<see cref="PreviousFastExp"/>). The stabilizing shift is the running maximum per block of
/// <see cref="Block"/> columns: the block's exponents are written to an L1-resident buffer while its maximum is taken,
/// so the data are read once and the sum is rescaled at most once per block (no second pass over the row).
/// Rows are split over cores with <see cref="Parallel.For(int, int, Action{int})"/>. Callers pass coordinates centered
/// at a common point (the cost is translation invariant) to keep the expansion accurate in float32.
/// </para>
/// <para>Time O(n·m·d); memory O(m·d) shared plus one block buffer per worker.</para>
/// </remarks>
internal static class PreviousSoftMin
{
    /// <summary>Columns per stabilization block.</summary>
    public const int Block = 512;

    private const int RowsPerTask = 32;

    /// <summary>Whether the SIMD kernel runs on this machine for <typeparamref name="T"/>.</summary>
    public static bool IsSupported<T>()
        where T : unmanaged
        => Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>Runs the kernel (see the class remarks); <paramref name="destination"/> has length n.</summary>
    public static void Run<T>(T[] x, T[] xNorms, T[] y, T[] yNorms, int d, T scale, ReadOnlySpan<T> h, ReadOnlySpan<T> logWeights, T epsilon, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = xNorms.Length;
        var m = yNorms.Length;
        var vw = Vector256<T>.Count;
        var mp = (m + vw - 1) / vw * vw;
        var b = ArrayPool<T>.Shared.Rent(mp);
        var yt = ArrayPool<T>.Shared.Rent(d * mp);
        var dst = ArrayPool<T>.Shared.Rent(n);
        try
        {
            var invEps = T.One / epsilon;
            var f = T.CreateTruncating(2) * scale * invEps;
            var anyNaN = false;
            var maxB = T.NegativeInfinity;
            for (var j = 0; j < m; j++)
            {
                var bj = ((h[j] - (scale * yNorms[j])) * invEps) + (logWeights.IsEmpty ? T.Zero : logWeights[j]);
                anyNaN |= T.IsNaN(bj);
                maxB = T.Max(maxB, bj);
                b[j] = bj;
                for (var k = 0; k < d; k++)
                {
                    yt[(k * mp) + j] = f * y[(j * d) + k];
                }
            }

            if (anyNaN || !(maxB > T.NegativeInfinity))
            {
                destination[..n].Fill(anyNaN ? T.NaN : T.PositiveInfinity);
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

            var tasks = (n + RowsPerTask - 1) / RowsPerTask;
            if ((long)n * m < (1 << 16) || tasks == 1)
            {
                RunRows(x, xNorms, b, yt, d, mp, scale, epsilon, 0, n, dst);
            }
            else
            {
                Parallel.For(0, tasks, t =>
                {
                    var i0 = t * RowsPerTask;
                    RunRows(x, xNorms, b, yt, d, mp, scale, epsilon, i0, Math.Min(RowsPerTask, n - i0), dst);
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

    [SkipLocalsInit]
    private static void RunRows<T>(T[] x, T[] xNorms, T[] b, T[] yt, int d, int mp, T scale, T epsilon, int i0, int count, T[] dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vw = Vector256<T>.Count;
        Span<T> buffer = stackalloc T[Block];
        ref var bRef = ref MemoryMarshal.GetArrayDataReference(b);
        ref var yRef = ref MemoryMarshal.GetArrayDataReference(yt);
        ref var bufRef = ref MemoryMarshal.GetReference(buffer);
        Span<T> xi = stackalloc T[d];
        for (var i = i0; i < i0 + count; i++)
        {
            for (var k = 0; k < d; k++)
            {
                xi[k] = x[(i * d) + k];
            }

            var x0 = Vector256.Create(xi[0]);
            var x1 = d > 1 ? Vector256.Create(xi[1]) : Vector256<T>.Zero;
            var x2 = d > 2 ? Vector256.Create(xi[2]) : Vector256<T>.Zero;
            var runMax = T.NegativeInfinity;
            var runSum = T.Zero;
            for (var j0 = 0; j0 < mp; j0 += Block)
            {
                var len = Math.Min(Block, mp - j0);
                var vmax = Vector256.Create(T.NegativeInfinity);

                // Pass over the data: exponents of this block into the buffer, and their maximum.
                for (var c = 0; c < len; c += vw)
                {
                    var j = j0 + c;
                    var v = Vector256.LoadUnsafe(ref bRef, (nuint)j);
                    v = PreviousFastExp.MultiplyAdd(x0, Vector256.LoadUnsafe(ref yRef, (nuint)j), v);
                    if (d > 1)
                    {
                        v = PreviousFastExp.MultiplyAdd(x1, Vector256.LoadUnsafe(ref yRef, (nuint)(mp + j)), v);
                        if (d > 2)
                        {
                            v = PreviousFastExp.MultiplyAdd(x2, Vector256.LoadUnsafe(ref yRef, (nuint)((2 * mp) + j)), v);
                            for (var k = 3; k < d; k++)
                            {
                                v = PreviousFastExp.MultiplyAdd(Vector256.Create(xi[k]), Vector256.LoadUnsafe(ref yRef, (nuint)((k * mp) + j)), v);
                            }
                        }
                    }

                    v.StoreUnsafe(ref bufRef, (nuint)c);
                    vmax = Vector256.MaxNative(vmax, v);
                }

                var blockMax = T.NegativeInfinity;
                for (var l = 0; l < vw; l++)
                {
                    blockMax = T.Max(blockMax, vmax.GetElement(l));
                }

                if (!(blockMax > T.NegativeInfinity))
                {
                    continue;
                }

                if (blockMax > runMax)
                {
                    runSum *= T.Exp(runMax - blockMax);
                    runMax = blockMax;
                }

                // Pass over the L1 buffer: Σ exp(v − max), four independent accumulators.
                var shift = Vector256.Create(runMax);
                var acc0 = Vector256<T>.Zero;
                var acc1 = Vector256<T>.Zero;
                var c2 = 0;
                for (; c2 + (2 * vw) <= len; c2 += 2 * vw)
                {
                    acc0 += PreviousFastExp.Exp(Vector256.LoadUnsafe(ref bufRef, (nuint)c2) - shift);
                    acc1 += PreviousFastExp.Exp(Vector256.LoadUnsafe(ref bufRef, (nuint)(c2 + vw)) - shift);
                }

                for (; c2 < len; c2 += vw)
                {
                    acc0 += PreviousFastExp.Exp(Vector256.LoadUnsafe(ref bufRef, (nuint)c2) - shift);
                }

                runSum += Vector256.Sum(acc0 + acc1);
            }

            dst[i] = (scale * xNorms[i]) - (epsilon * (runMax + T.Log(runSum)));
        }
    }
}

/// <summary>
/// A/B baseline (see <see cref="PreviousSoftMin"/>): the previous fast exp. A fast vectorized exp for the log-sum-exp kernels: Cody–Waite range reduction x = k·ln2 + r, |r| ≤ ln2/2, a Taylor
/// polynomial (degree 6 in float32, relative error ≈ 1.2e-7; degree 12 in float64, ≈ 2e-16) and exponent-bit scaling.
/// Inputs are clamped to [−87, 88] (float) or [−708, 709] (double), so results below e^−87 (e^−708) are returned as
/// e^−87 (e^−708) rather than as subnormals: harmless in a sum whose largest term is 1, and it avoids the subnormal
/// slow path. NaN inputs give unspecified finite results; callers check for NaN separately.
/// </summary>
internal static class PreviousFastExp
{
    private const float Log2EF = 1.44269504088896341f;
    private const float Ln2HiF = 0.693359375f;
    private const float Ln2LoF = -2.12194440e-4f;
    private const float MagicF = 12582912f; // 1.5·2^23
    private const double Log2ED = 1.4426950408889634;
    private const double Ln2HiD = 0.693147180369123816490;
    private const double Ln2LoD = 1.90821492927058770002e-10;
    private const double MagicD = 6755399441055744.0; // 1.5·2^52

    /// <summary>Fused multiply-add a·b + c for float or double vectors (FMA when the CPU has it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
            }
        }

        return (a * b) + c;
    }

    /// <summary>exp for a vector of float or double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp<T>(Vector256<T> x)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Exp(x.AsSingle()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Exp(x.AsDouble()).As<double, T>();
        }

        throw new NotSupportedException();
    }

    /// <summary>exp for 8 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(-87f)), Vector256.Create(88f));
        var t = MultiplyAdd(x, Vector256.Create(Log2EF), Vector256.Create(MagicF));
        var k = t - Vector256.Create(MagicF);
        var r = MultiplyAdd(k, Vector256.Create(-Ln2HiF), x);
        r = MultiplyAdd(k, Vector256.Create(-Ln2LoF), r);
        var p = Vector256.Create(1f / 720f);
        p = MultiplyAdd(p, r, Vector256.Create(1f / 120f));
        p = MultiplyAdd(p, r, Vector256.Create(1f / 24f));
        p = MultiplyAdd(p, r, Vector256.Create(1f / 6f));
        p = MultiplyAdd(p, r, Vector256.Create(0.5f));
        p = MultiplyAdd(p, r, Vector256.Create(1f));
        p = MultiplyAdd(p, r, Vector256.Create(1f));
        var bits = t.AsInt32() - Vector256.Create(0x4B400000 - 127);
        var scale = Vector256.ShiftLeft(bits, 23).AsSingle();
        return p * scale;
    }

    /// <summary>exp for 4 doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Exp(Vector256<double> x)
    {
        x = Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(-708.0)), Vector256.Create(709.0));
        var t = MultiplyAdd(x, Vector256.Create(Log2ED), Vector256.Create(MagicD));
        var k = t - Vector256.Create(MagicD);
        var r = MultiplyAdd(k, Vector256.Create(-Ln2HiD), x);
        r = MultiplyAdd(k, Vector256.Create(-Ln2LoD), r);
        var p = Vector256.Create(1.0 / 479001600.0);
        p = MultiplyAdd(p, r, Vector256.Create(1.0 / 39916800.0));
        p = MultiplyAdd(p, r, Vector256.Create(1.0 / 3628800.0));
        p = MultiplyAdd(p, r, Vector256.Create(1.0 / 362880.0));
        p = MultiplyAdd(p, r, Vector256.Create(1.0 / 40320.0));
        p = MultiplyAdd(p, r, Vector256.Create(1.0 / 5040.0));
        p = MultiplyAdd(p, r, Vector256.Create(1.0 / 720.0));
        p = MultiplyAdd(p, r, Vector256.Create(1.0 / 120.0));
        p = MultiplyAdd(p, r, Vector256.Create(1.0 / 24.0));
        p = MultiplyAdd(p, r, Vector256.Create(1.0 / 6.0));
        p = MultiplyAdd(p, r, Vector256.Create(0.5));
        p = MultiplyAdd(p, r, Vector256.Create(1.0));
        p = MultiplyAdd(p, r, Vector256.Create(1.0));
        var bits = t.AsInt64() - Vector256.Create(0x4338000000000000L - 1023L);
        var scale = Vector256.ShiftLeft(bits, 52).AsDouble();
        return p * scale;
    }

    /// <summary>Scalar exp with the same clamping (for tails).</summary>
    public static T Scalar<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.Exp(x);
}
