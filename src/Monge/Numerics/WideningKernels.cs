using System.Numerics;
using System.Runtime.InteropServices;

namespace Monge.Numerics;

/// <summary>
/// Mixed-precision span kernels: a float32 matrix row combined with double vectors, each float widened to double and
/// every product added in double (the single-precision Sinkhorn kernel of <c>KernelSoftMin</c>). <see cref="Vector{T}"/>
/// body with a scalar tail; the results differ from a scalar loop only by the order of the double additions.
/// </summary>
internal static class WideningKernels
{
    /// <summary>The smallest normal float, 2⁻¹²⁶.</summary>
    public const float MinNormalSingle = 1.17549435e-38f;

    /// <summary>Σ_k x_k·y_k with x widened to double, accumulated in double.</summary>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<double> y)
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("y is shorter than x.", nameof(y));
        }

        var k = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            ref var xr = ref MemoryMarshal.GetReference(x);
            ref var yr = ref MemoryMarshal.GetReference(y);
            var half = Vector<double>.Count;
            var acc0 = Vector<double>.Zero;
            var acc1 = Vector<double>.Zero;
            for (; k <= x.Length - Vector<float>.Count; k += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref xr, (nuint)k), out var low, out var high);
                acc0 += low * Vector.LoadUnsafe(ref yr, (nuint)k);
                acc1 += high * Vector.LoadUnsafe(ref yr, (nuint)(k + half));
            }

            sum = Vector.Sum(acc0 + acc1);
        }

        for (; k < x.Length; k++)
        {
            sum += x[k] * y[k];
        }

        return sum;
    }

    /// <summary>acc_k += s·x_k with x widened to double.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, double s, Span<double> acc)
    {
        if (acc.Length < x.Length)
        {
            throw new ArgumentException("acc is shorter than x.", nameof(acc));
        }

        var k = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            ref var xr = ref MemoryMarshal.GetReference(x);
            ref var ar = ref MemoryMarshal.GetReference(acc);
            var half = Vector<double>.Count;
            var sv = new Vector<double>(s);
            for (; k <= x.Length - Vector<float>.Count; k += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref xr, (nuint)k), out var low, out var high);
                (Vector.LoadUnsafe(ref ar, (nuint)k) + (low * sv)).StoreUnsafe(ref ar, (nuint)k);
                (Vector.LoadUnsafe(ref ar, (nuint)(k + half)) + (high * sv)).StoreUnsafe(ref ar, (nuint)(k + half));
            }
        }

        for (; k < x.Length; k++)
        {
            acc[k] += s * x[k];
        }
    }

    /// <summary>
    /// destination_k = (float)source_k, with values below <see cref="MinNormalSingle"/> stored as 0 (so later products
    /// never touch subnormal floats) and values above <see cref="float.MaxValue"/> as +∞.
    /// </summary>
    public static void NarrowFlushSubnormal(ReadOnlySpan<double> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("destination is shorter than source.", nameof(destination));
        }

        for (var k = 0; k < source.Length; k++)
        {
            var v = source[k];
            destination[k] = v >= MinNormalSingle ? (float)v : 0f;
        }
    }
}
