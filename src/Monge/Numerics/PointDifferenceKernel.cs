using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monge.Numerics;

/// <summary>
/// One row of squared Euclidean or Euclidean costs between a point x_i and a range of targets, from coordinate
/// differences: dst_c = s·Σ_k (y_{j,k} − x_{i,k})² (its square root for Euclidean), j = colStart + c. The targets are held
/// transposed (d × stride) so that the sum is a SIMD sweep over j.
/// </summary>
/// <remarks>
/// Kept apart from the |x|² + |y|² − 2⟨x, y⟩ expansion of <see cref="SquaredEuclideanSoftMin"/> and the point-cloud
/// tiler on purpose: summing squared differences has no cancellation, which the certified c-transforms of
/// <c>Tools.DualBound</c> (float64, feasibility up to rounding of C itself) and the exact solvers' rows need, and the
/// Euclidean root is taken per entry in the same sweep instead of one generic cost call per pair.
/// <c>Tools.PointDifferenceGeometry</c> fills its tiles with it and <c>Solvers.Exact.PointCostRows</c> its rows.
/// </remarks>
internal static class PointDifferenceKernel
{
    /// <summary>Fills <paramref name="dst"/> (one entry per target colStart, colStart + 1, …).</summary>
    /// <param name="xi">The point x_i (length d).</param>
    /// <param name="yTransposed">The targets transposed, d × <paramref name="stride"/>.</param>
    /// <param name="stride">The number of targets (row length of <paramref name="yTransposed"/>).</param>
    /// <param name="colStart">The first target.</param>
    /// <param name="euclidean">Take the square root (Euclidean) instead of the squared distance.</param>
    /// <param name="scale">The factor s applied to every entry (1 is exact).</param>
    /// <param name="dst">The row; its length is the number of targets.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row<T>(ReadOnlySpan<T> xi, ReadOnlySpan<T> yTransposed, int stride, int colStart, bool euclidean, T scale, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = xi.Length;
        var count = dst.Length;
        var width = Vector256<T>.Count;
        if (!Vector256.IsHardwareAccelerated || count < width)
        {
            for (var c = 0; c < count; c++)
            {
                var acc = T.Zero;
                for (var k = 0; k < d; k++)
                {
                    var diff = yTransposed[(k * stride) + colStart + c] - xi[k];
                    acc += diff * diff;
                }

                dst[c] = (euclidean ? T.Sqrt(acc) : acc) * scale;
            }

            return;
        }

        ref var yRef = ref MemoryMarshal.GetReference(yTransposed);
        ref var dRef = ref MemoryMarshal.GetReference(dst);
        var vScale = Vector256.Create(scale);
        var last = count - width;
        for (var c = 0; ; c += width)
        {
            // The last vector is shifted back to end at the row's end (it overlaps the previous one; same values).
            if (c > last)
            {
                c = last;
            }

            var acc = Vector256<T>.Zero;
            var column = (nuint)(colStart + c);
            for (var k = 0; k < d; k++)
            {
                var diff = Vector256.LoadUnsafe(ref yRef, ((nuint)k * (nuint)stride) + column) - Vector256.Create(xi[k]);
                acc += diff * diff;
            }

            if (euclidean)
            {
                acc = Vector256.Sqrt(acc);
            }

            (acc * vScale).StoreUnsafe(ref dRef, (nuint)c);
            if (c == last)
            {
                break;
            }
        }
    }
}
