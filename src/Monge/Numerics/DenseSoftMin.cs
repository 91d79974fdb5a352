using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monge.Numerics;

/// <summary>
/// The soft-min of a stored row-major cost matrix: <c>dst_i = −ε log Σ_j exp(ℓ_j + (h_j − s·C_ij)/ε)</c>, in log2 units
/// with the shifted polynomial 2^x of <see cref="FastExp"/> (the exponent of an entry is v_ij = b_j − c·C_ij with
/// b_j = log2(e)·(ℓ_j + h_j/ε) and c = log2(e)·s/ε, one fused multiply-add).
/// </summary>
/// <remarks>
/// Two passes per row: the exact row maximum (rounded, so it folds into the rounding magic number), then the shifted
/// sum; a row of a few thousand entries stays in the L1/L2 cache between them, so the matrix is read from memory once.
/// The shift is the row maximum, so no term overflows and the sum is at least 2^−½. A row whose shift is outside the
/// folded range (<see cref="FastExp.MaxShift{T}"/>) takes a scalar loop with <c>Exp2</c>. Time O(n·m), parallel over
/// row chunks; memory O(m) shared (the b vector, pooled).
/// </remarks>
internal static class DenseSoftMin
{
    private const int MinRowsPerTask = 8;

    /// <summary>Whether the SIMD kernel runs on this machine for <typeparamref name="T"/>.</summary>
    public static bool IsSupported<T>()
        where T : unmanaged
        => Vector256.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>Runs the kernel over all rows of the n × m matrix <paramref name="cost"/> (row-major).</summary>
    /// <param name="cost">The raw costs C (n·m).</param>
    /// <param name="n">Rows.</param>
    /// <param name="m">Columns.</param>
    /// <param name="scale">s, the multiplier of every cost.</param>
    /// <param name="h">The potential on the columns (length m).</param>
    /// <param name="logWeights">ℓ (length m), or empty for zeros.</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <param name="destination">The result (length ≥ n).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(T[] cost, int n, int m, T scale, ReadOnlySpan<T> h, ReadOnlySpan<T> logWeights, T epsilon, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var b = ArrayPool<T>.Shared.Rent(m);
        var dst = ArrayPool<T>.Shared.Rent(n);
        try
        {
            var log2E = T.CreateTruncating(1.4426950408889634);
            var invEps = T.One / epsilon;
            var anyNaN = false;
            var maxB = T.NegativeInfinity;
            for (var j = 0; j < m; j++)
            {
                var bj = ((h[j] * invEps) + (logWeights.IsEmpty ? T.Zero : logWeights[j])) * log2E;
                anyNaN |= T.IsNaN(bj);
                maxB = T.Max(maxB, bj);
                b[j] = bj;
            }

            if (anyNaN || !T.IsFinite(maxB))
            {
                // NaN anywhere: NaN; no finite term: +∞ (empty sum); a +∞ term: −∞.
                destination[..n].Fill(anyNaN ? T.NaN : T.IsNegativeInfinity(maxB) ? T.PositiveInfinity : T.NegativeInfinity);
                return;
            }

            var c = scale * invEps * log2E;
            var rowsPerTask = Math.Max(MinRowsPerTask, n / (8 * Environment.ProcessorCount));
            var tasks = (n + rowsPerTask - 1) / rowsPerTask;
            if ((long)n * m < (1 << 16) || tasks == 1)
            {
                Rows(cost, m, b, c, epsilon, dst, 0, n);
            }
            else
            {
                Parallel.For(0, tasks, t =>
                {
                    var i0 = t * rowsPerTask;
                    Rows(cost, m, b, c, epsilon, dst, i0, Math.Min(rowsPerTask, n - i0));
                });
            }

            dst.AsSpan(0, n).CopyTo(destination);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(b);
            ArrayPool<T>.Shared.Return(dst);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<T>(T[] cost, int m, T[] b, T c, T epsilon, T[] dst, int i0, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ln2 = T.CreateTruncating(0.6931471805599453);
        var maxShift = T.CreateTruncating(FastExp.MaxShift<T>());
        var w = Vector256<T>.Count;
        var vectorEnd = m - (m % w);
        ref var bRef = ref MemoryMarshal.GetArrayDataReference(b);
        var vc = Vector256.Create(c);
        for (var i = i0; i < i0 + count; i++)
        {
            ref var rowRef = ref MemoryMarshal.GetArrayDataReference(cost);
            rowRef = ref Unsafe.Add(ref rowRef, (nint)i * m);

            // Pass 1: the exact maximum of v_j = b_j − c·C_ij (−∞ entries of b stay −∞).
            var mx = Vector256.Create(T.NegativeInfinity);
            for (var j = 0; j < vectorEnd; j += w)
            {
                var v = Simd256<T>.MultiplyAdd(-vc, Vector256.LoadUnsafe(ref rowRef, (nuint)j), Vector256.LoadUnsafe(ref bRef, (nuint)j));
                mx = Vector256.MaxNative(mx, v);
            }

            var max = T.NegativeInfinity;
            for (var l = 0; l < w; l++)
            {
                max = T.Max(max, mx.GetElement(l));
            }

            for (var j = vectorEnd; j < m; j++)
            {
                max = T.Max(max, b[j] - (c * Unsafe.Add(ref rowRef, j)));
            }

            if (T.IsNegativeInfinity(max))
            {
                dst[i] = T.PositiveInfinity;
                continue;
            }

            var shift = T.Round(max);
            T sum;
            if (T.Abs(shift) < maxShift)
            {
                // Pass 2: Σ 2^(v_j − shift) with the folded shift (terms below 2^MinExponent clamp to tiny normals).
                var lo = Vector256.Create(shift + FastExp.MinExponent<T>());
                var ms = Vector256.Create(FastExp.Magic<T>() - shift);
                var acc0 = Vector256<T>.Zero;
                var acc1 = Vector256<T>.Zero;
                var j = 0;
                for (; j + (2 * w) <= vectorEnd; j += 2 * w)
                {
                    var v0 = Simd256<T>.MultiplyAdd(-vc, Vector256.LoadUnsafe(ref rowRef, (nuint)j), Vector256.LoadUnsafe(ref bRef, (nuint)j));
                    var v1 = Simd256<T>.MultiplyAdd(-vc, Vector256.LoadUnsafe(ref rowRef, (nuint)(j + w)), Vector256.LoadUnsafe(ref bRef, (nuint)(j + w)));
                    acc0 += FastExp.Pow2Shifted(v0, lo, ms);
                    acc1 += FastExp.Pow2Shifted(v1, lo, ms);
                }

                for (; j < vectorEnd; j += w)
                {
                    var v0 = Simd256<T>.MultiplyAdd(-vc, Vector256.LoadUnsafe(ref rowRef, (nuint)j), Vector256.LoadUnsafe(ref bRef, (nuint)j));
                    acc0 += FastExp.Pow2Shifted(v0, lo, ms);
                }

                sum = Vector256.Sum(acc0 + acc1);
                for (; j < m; j++)
                {
                    sum += T.Exp2(b[j] - (c * Unsafe.Add(ref rowRef, j)) - shift);
                }
            }
            else
            {
                sum = T.Zero;
                for (var j = 0; j < m; j++)
                {
                    sum += T.Exp2(b[j] - (c * Unsafe.Add(ref rowRef, j)) - shift);
                }
            }

            dst[i] = -epsilon * ln2 * (shift + T.Log2(sum));
        }
    }
}
