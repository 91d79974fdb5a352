using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Monge.Geometry;

namespace Monge.Numerics;

/// <summary>
/// A cache-blocked dense product dst = h(s·A)·B for row-major matrices (A n × p, B p × k), with an element-wise function
/// h applied to A while its blocks are packed (so C∘C or log C never exist as whole matrices). The Gromov-Wasserstein
/// tensor product needs two such products per outer step (O(n²m + nm²)); the tiled default of
/// <see cref="CostGeometry{T}"/> streams the whole of B once per row, which is memory-bound at k in the hundreds.
/// </summary>
/// <remarks>
/// Blocking: row blocks of <see cref="RowBlock"/> rows run in parallel (one packing buffer each); inside a block the
/// depth is cut into slices of <see cref="DepthBlock"/> and the columns into panels of <see cref="WidthBlock"/>, so the
/// B panel (DepthBlock × WidthBlock) stays in L2 while every row group reads it. The micro-kernel keeps 4 rows × 2
/// vectors of accumulators in registers (Vector&lt;T&gt;, fused multiply-add where the hardware has it). Every output entry is accumulated in the same
/// order (depth slices in order, then depth index), whatever the number of threads: results do not depend on the
/// schedule. O(n·p·k) time, O(RowBlock·DepthBlock) extra memory per worker.
/// </remarks>
internal static class BlockedProduct
{
    /// <summary>Rows per parallel task.</summary>
    internal const int RowBlock = 64;

    /// <summary>Depth (inner dimension) per packed slice.</summary>
    internal const int DepthBlock = 128;

    /// <summary>Columns of B per panel.</summary>
    internal const int WidthBlock = 512;

    /// <summary>dst (n × k) = h(s·A) · B with A n × p and B p × k, all row-major.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TFunc">The element-wise function h.</typeparam>
    /// <param name="a">A, n × p.</param>
    /// <param name="n">Rows of A.</param>
    /// <param name="p">Columns of A = rows of B.</param>
    /// <param name="scale">s, applied to A before h.</param>
    /// <param name="function">h.</param>
    /// <param name="b">B, p × k.</param>
    /// <param name="k">Columns of B.</param>
    /// <param name="dst">The result, n × k (overwritten).</param>
    public static void Multiply<T, TFunc>(T[] a, int n, int p, T scale, TFunc function, T[] b, int k, T[] dst)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFunc : struct, IElementwise<T>
    {
        Array.Clear(dst, 0, n * k);
        var blocks = (n + RowBlock - 1) / RowBlock;
        void Body(int block)
        {
            var r0 = block * RowBlock;
            var rows = Math.Min(RowBlock, n - r0);
            if (k == 1)
            {
                MatrixVector(a, p, scale, function, b, dst, r0, rows);
            }
            else
            {
                RowBlockProduct(a, p, scale, function, b, k, dst, r0, rows);
            }
        }

        if (blocks == 1 || (long)n * p * k < 1L << 18 || Environment.ProcessorCount == 1)
        {
            for (var block = 0; block < blocks; block++)
            {
                Body(block);
            }
        }
        else
        {
            Parallel.For(0, blocks, Body);
        }
    }

    private static void MatrixVector<T, TFunc>(T[] a, int p, T scale, TFunc function, T[] b, T[] dst, int r0, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFunc : struct, IElementwise<T>
    {
        var buffer = ArrayPool<T>.Shared.Rent(p);
        try
        {
            var row = buffer.AsSpan(0, p);
            for (var r = 0; r < rows; r++)
            {
                Pack(a.AsSpan((r0 + r) * p, p), scale, function, row);
                dst[r0 + r] = TensorPrimitives.Dot<T>(row, b);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    private static void RowBlockProduct<T, TFunc>(T[] a, int p, T scale, TFunc function, T[] b, int k, T[] dst, int r0, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFunc : struct, IElementwise<T>
    {
        var pack = ArrayPool<T>.Shared.Rent(RowBlock * DepthBlock);
        try
        {
            for (var q0 = 0; q0 < p; q0 += DepthBlock)
            {
                var depth = Math.Min(DepthBlock, p - q0);
                for (var r = 0; r < rows; r++)
                {
                    Pack(a.AsSpan(((r0 + r) * p) + q0, depth), scale, function, pack.AsSpan(r * depth, depth));
                }

                for (var j0 = 0; j0 < k; j0 += WidthBlock)
                {
                    var width = Math.Min(WidthBlock, k - j0);
                    var r = 0;
                    for (; r + 4 <= rows; r += 4)
                    {
                        Kernel4(pack, r * depth, depth, b, q0 * k, k, j0, width, dst, (r0 + r) * k);
                    }

                    for (; r < rows; r++)
                    {
                        Kernel1(pack, r * depth, depth, b, q0 * k, k, j0, width, dst, (r0 + r) * k);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(pack);
        }
    }

    private static void Pack<T, TFunc>(ReadOnlySpan<T> source, T scale, TFunc function, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFunc : struct, IElementwise<T>
    {
        if (scale == T.One)
        {
            source.CopyTo(destination);
        }
        else
        {
            TensorPrimitives.Multiply(source, scale, destination);
        }

        function.Apply(destination);
    }

    /// <summary>dst[rows 4, j0 .. j0+width] += pack[4 rows, depth] · B[q0 .., j0 ..]: 4 × 2 vector accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4<T>(T[] pack, int packOffset, int depth, T[] b, int bOffset, int k, int j0, int width, T[] dst, int dstOffset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var pa = ref MemoryMarshal.GetArrayDataReference(pack);
        ref var pb = ref MemoryMarshal.GetArrayDataReference(b);
        ref var pd = ref MemoryMarshal.GetArrayDataReference(dst);
        var w = Vector<T>.Count;
        var end = j0 + width;
        var j = j0;
        var a0 = packOffset;
        var a1 = a0 + depth;
        var a2 = a1 + depth;
        var a3 = a2 + depth;
        var d0 = (nuint)dstOffset;
        var d1 = d0 + (nuint)k;
        var d2 = d1 + (nuint)k;
        var d3 = d2 + (nuint)k;
        for (; j + (2 * w) <= end; j += 2 * w)
        {
            var uj = (nuint)j;
            var c00 = Vector.LoadUnsafe(ref pd, d0 + uj);
            var c01 = Vector.LoadUnsafe(ref pd, d0 + uj + (nuint)w);
            var c10 = Vector.LoadUnsafe(ref pd, d1 + uj);
            var c11 = Vector.LoadUnsafe(ref pd, d1 + uj + (nuint)w);
            var c20 = Vector.LoadUnsafe(ref pd, d2 + uj);
            var c21 = Vector.LoadUnsafe(ref pd, d2 + uj + (nuint)w);
            var c30 = Vector.LoadUnsafe(ref pd, d3 + uj);
            var c31 = Vector.LoadUnsafe(ref pd, d3 + uj + (nuint)w);
            var bRow = (nuint)bOffset + uj;
            for (var q = 0; q < depth; q++)
            {
                var b0 = Vector.LoadUnsafe(ref pb, bRow);
                var b1 = Vector.LoadUnsafe(ref pb, bRow + (nuint)w);
                var x0 = new Vector<T>(Unsafe.Add(ref pa, a0 + q));
                var x1 = new Vector<T>(Unsafe.Add(ref pa, a1 + q));
                var x2 = new Vector<T>(Unsafe.Add(ref pa, a2 + q));
                var x3 = new Vector<T>(Unsafe.Add(ref pa, a3 + q));
                c00 = Fma(x0, b0, c00);
                c01 = Fma(x0, b1, c01);
                c10 = Fma(x1, b0, c10);
                c11 = Fma(x1, b1, c11);
                c20 = Fma(x2, b0, c20);
                c21 = Fma(x2, b1, c21);
                c30 = Fma(x3, b0, c30);
                c31 = Fma(x3, b1, c31);
                bRow += (nuint)k;
            }

            c00.StoreUnsafe(ref pd, d0 + uj);
            c01.StoreUnsafe(ref pd, d0 + uj + (nuint)w);
            c10.StoreUnsafe(ref pd, d1 + uj);
            c11.StoreUnsafe(ref pd, d1 + uj + (nuint)w);
            c20.StoreUnsafe(ref pd, d2 + uj);
            c21.StoreUnsafe(ref pd, d2 + uj + (nuint)w);
            c30.StoreUnsafe(ref pd, d3 + uj);
            c31.StoreUnsafe(ref pd, d3 + uj + (nuint)w);
        }

        if (j < end)
        {
            // The tail columns share the scalar/single-vector path of Kernel1, row by row: same arithmetic per entry.
            Tail(pack, a0, depth, b, bOffset, k, j, end, dst, dstOffset);
            Tail(pack, a1, depth, b, bOffset, k, j, end, dst, dstOffset + k);
            Tail(pack, a2, depth, b, bOffset, k, j, end, dst, dstOffset + (2 * k));
            Tail(pack, a3, depth, b, bOffset, k, j, end, dst, dstOffset + (3 * k));
        }
    }

    /// <summary>One row of <see cref="Kernel4"/> (same accumulation order per entry).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel1<T>(T[] pack, int packOffset, int depth, T[] b, int bOffset, int k, int j0, int width, T[] dst, int dstOffset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var pa = ref MemoryMarshal.GetArrayDataReference(pack);
        ref var pb = ref MemoryMarshal.GetArrayDataReference(b);
        ref var pd = ref MemoryMarshal.GetArrayDataReference(dst);
        var w = Vector<T>.Count;
        var end = j0 + width;
        var j = j0;
        var d0 = (nuint)dstOffset;
        for (; j + (2 * w) <= end; j += 2 * w)
        {
            var uj = (nuint)j;
            var c00 = Vector.LoadUnsafe(ref pd, d0 + uj);
            var c01 = Vector.LoadUnsafe(ref pd, d0 + uj + (nuint)w);
            var bRow = (nuint)bOffset + uj;
            for (var q = 0; q < depth; q++)
            {
                var x0 = new Vector<T>(Unsafe.Add(ref pa, packOffset + q));
                c00 = Fma(x0, Vector.LoadUnsafe(ref pb, bRow), c00);
                c01 = Fma(x0, Vector.LoadUnsafe(ref pb, bRow + (nuint)w), c01);
                bRow += (nuint)k;
            }

            c00.StoreUnsafe(ref pd, d0 + uj);
            c01.StoreUnsafe(ref pd, d0 + uj + (nuint)w);
        }

        if (j < end)
        {
            Tail(pack, packOffset, depth, b, bOffset, k, j, end, dst, dstOffset);
        }
    }

    /// <summary>Columns [j, end) of one row, fewer than two vectors wide: scalar fused multiply-adds.</summary>
    private static void Tail<T>(T[] pack, int packOffset, int depth, T[] b, int bOffset, int k, int j, int end, T[] dst, int dstOffset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var c = j; c < end; c++)
        {
            var acc = dst[dstOffset + c];
            var bi = bOffset + c;
            for (var q = 0; q < depth; q++)
            {
                acc = T.MultiplyAddEstimate(pack[packOffset + q], b[bi], acc);
                bi += k;
            }

            dst[dstOffset + c] = acc;
        }
    }

    /// <summary>x·y + z on vectors, fused where the hardware has it (Vector.MultiplyAddEstimate).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma<T>(Vector<T> x, Vector<T> y, Vector<T> z)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            return Vector.MultiplyAddEstimate(x.As<T, double>(), y.As<T, double>(), z.As<T, double>()).As<double, T>();
        }

        if (typeof(T) == typeof(float))
        {
            return Vector.MultiplyAddEstimate(x.As<T, float>(), y.As<T, float>(), z.As<T, float>()).As<float, T>();
        }

        return (x * y) + z;
    }

    /// <summary>h(c) = c.</summary>
    internal readonly struct Identity<T> : IElementwise<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Apply(T cost) => cost;

        public void Apply(Span<T> costs)
        {
        }
    }
}
