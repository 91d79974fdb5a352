using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Monge.Geometry;

namespace Monge.Tools.Barycenters;

/// <summary>
/// The Gibbs kernel K = K_0 ⊗ … ⊗ K_{D−1}, K_d = exp(−C_d/ε), of an <see cref="ISeparableGeometry{T}"/> applied to a batch
/// of N-vectors in the kernel domain (Solomon et al. 2015, the separable case; POT's <c>convolutional_barycenter2d</c>).
/// Each axis pass is one batched dense product over every vector of the batch: the last axis as X·K_dᵀ on the (N/n_d) ×
/// n_d view of each vector, the other axes as K_d·X on each n_d × (inner) slab; the row blocks of all vectors form one
/// work list run on every core.
/// </summary>
/// <remarks>
/// Time O(B·N·Σ_d n_d) for B vectors, memory O(Σ_d n_d²) for the kernels. Deterministic: every output entry is one sum
/// over the axis in a fixed order, computed by one thread, so the answer does not depend on the number of threads. The
/// hot loops are compiled optimized at their first call (<see cref="MethodImplOptions.AggressiveOptimization"/>): a
/// first solve in a fresh process does not run them as unoptimized tier-0 code.
/// </remarks>
internal sealed class SeparableKernel
{
    /// <summary>Rows of one work item (a row block of one vector's product).</summary>
    private const int RowBlock = 16;

    /// <summary>Below this many multiply-adds per pass the work list runs on the calling thread.</summary>
    private const long ParallelWork = 1L << 16;

    private readonly int[] _shape;
    private readonly double[][] _kernels;
    private readonly double[][] _transposed;

    /// <summary>The kernels of <paramref name="geometry"/> at <paramref name="epsilon"/>; on <paramref name="costAxis"/> (if ≥ 0) C_d∘K_d instead of K_d.</summary>
    /// <param name="geometry">The separable geometry (square axes).</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="costAxis">The axis whose kernel is multiplied by its cost (for ⟨C, P⟩), or −1.</param>
    internal SeparableKernel(ISeparableGeometry<double> geometry, double epsilon, int costAxis = -1)
    {
        _shape = [.. geometry.Shape];
        _kernels = new double[_shape.Length][];
        _transposed = new double[_shape.Length][];
        Count = 1;
        for (var d = 0; d < _shape.Length; d++)
        {
            var n = _shape[d];
            Count *= n;
            var kernel = geometry.AxisCosts(d);
            for (var i = 0; i < kernel.Length; i++)
            {
                var c = kernel[i];
                var e = Math.Exp(-c / epsilon);
                kernel[i] = d == costAxis ? c * e : e;
            }

            _kernels[d] = kernel;
            _transposed[d] = Transpose(kernel, n);
        }
    }

    /// <summary>N = Π_d n_d.</summary>
    internal int Count { get; }

    /// <summary>
    /// The kernel's range Σ_d max C_d / ε in nats: the full kernel's smallest entry is e^{−range} (for costs that vanish on
    /// the diagonal), so the kernel domain holds every entry as a normal double while this is below about 700.
    /// </summary>
    /// <param name="geometry">The separable geometry.</param>
    /// <param name="epsilon">ε.</param>
    /// <returns>The range in nats.</returns>
    internal static double Range(ISeparableGeometry<double> geometry, double epsilon)
    {
        var range = 0.0;
        for (var d = 0; d < geometry.Shape.Count; d++)
        {
            range += geometry.AxisCosts(d).Max() / epsilon;
        }

        return range;
    }

    /// <summary>y = K x (or Kᵀ x) for one vector; <paramref name="scratch"/> is work space; x, scratch and y distinct.</summary>
    internal void Apply(double[] x, double[] scratch, double[] y, bool transpose = false) => Apply([x], [scratch], [y], 1, transpose);

    /// <summary>
    /// Multiply-adds of one kernel product of one vector (N·Σ_d n_d): the size of one work item when the caller runs one
    /// vector per thread (<see cref="ApplySerial"/>).
    /// </summary>
    internal long WorkPerVector
    {
        get
        {
            var work = 0L;
            foreach (var n in _shape)
            {
                work += (long)Count * n;
            }

            return work;
        }
    }

    /// <summary>
    /// y = K x (or Kᵀ x) for one vector on the calling thread (no work list, no allocation): for callers that run one
    /// vector per thread. Same bits as <see cref="Apply(double[][], double[][], double[][], int, bool)"/> (each entry the
    /// same fixed-order sum).
    /// </summary>
    internal void ApplySerial(double[] x, double[] scratch, double[] y, bool transpose = false)
    {
        var dims = _shape.Length;
        var src = x;
        var inner = Count;
        for (var d = 0; d < dims; d++)
        {
            var dst = (dims - 1 - d) % 2 == 0 ? y : scratch;
            var n = _shape[d];
            inner /= n;
            var outer = Count / (n * inner);
            if (inner == 1)
            {
                Multiply(src, 0, n, transpose ? _kernels[d] : _transposed[d], 0, n, dst, 0, 0, outer);
            }
            else
            {
                var kernel = transpose ? _transposed[d] : _kernels[d];
                for (var o = 0; o < outer; o++)
                {
                    Multiply(kernel, 0, n, src, o * n * inner, inner, dst, o * n * inner, 0, n);
                }
            }

            src = dst;
        }
    }

    /// <summary>
    /// y_s = K x_s (Kᵀ x_s when <paramref name="transpose"/>) for s &lt; <paramref name="count"/>, through scratch_s; the
    /// three arrays of each s are distinct N-vectors and x_s is not modified.
    /// </summary>
    internal void Apply(double[][] x, double[][] scratch, double[][] y, int count, bool transpose = false)
    {
        var dims = _shape.Length;
        var src = x;
        for (var d = 0; d < dims; d++)
        {
            // Alternate buffers so that the last pass lands in y.
            var dst = (dims - 1 - d) % 2 == 0 ? y : scratch;
            var n = _shape[d];
            var inner = 1;
            for (var e = d + 1; e < dims; e++)
            {
                inner *= _shape[e];
            }

            var outer = Count / (n * inner);

            // (K x) along axis d: z[o, i, q] = Σ_j K_d[i, j] z[o, j, q] (K_dᵀ for the transpose).
            var kernel = transpose ? _transposed[d] : _kernels[d];
            var kernelT = transpose ? _kernels[d] : _transposed[d];
            var pass = new Pass(src, dst, kernel, kernelT, n, inner, outer);
            var items = count * pass.ItemsPerVector;
            if ((long)count * Count * n < ParallelWork || items == 1)
            {
                for (var item = 0; item < items; item++)
                {
                    pass.Run(item);
                }
            }
            else
            {
                Parallel.For(0, items, pass.Run);
            }

            src = dst;
        }
    }

    /// <summary>
    /// Rows [r0, r0 + rows) of C = A·B, row-major, A with p columns starting at a[aOffset], B p × k at b[bOffset], C with k
    /// columns at c[cOffset]. A 4-row × 2-vector register tile with fused multiply-adds; each entry summed over the depth in
    /// order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Multiply(double[] a, int aOffset, int p, double[] b, int bOffset, int k, double[] c, int cOffset, int r0, int rows)
    {
        if (r0 < 0 || rows < 0 || aOffset < 0 || bOffset < 0 || cOffset < 0
            || aOffset + ((long)(r0 + rows) * p) > a.Length || bOffset + ((long)p * k) > b.Length || cOffset + ((long)(r0 + rows) * k) > c.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), "The product's blocks exceed its arrays.");
        }

        ref var aRef = ref MemoryMarshal.GetArrayDataReference(a);
        ref var bRef = ref MemoryMarshal.GetArrayDataReference(b);
        ref var cRef = ref MemoryMarshal.GetArrayDataReference(c);
        var w = Vector<double>.Count;
        var (up, uk) = ((nuint)p, (nuint)k);
        var end = r0 + rows;
        var r = r0;
        for (; r + 4 <= end; r += 4)
        {
            var a0 = (nuint)(aOffset + (r * p));
            var (a1, a2, a3) = (a0 + up, a0 + (2 * up), a0 + (3 * up));
            var c0 = (nuint)(cOffset + (r * k));
            var j = Vector512.IsHardwareAccelerated ? Tile512(ref aRef, a0, up, ref bRef, bOffset, k, ref cRef, c0) : 0;
            for (; j + (2 * w) <= k; j += 2 * w)
            {
                var (c00, c01, c10, c11) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
                var (c20, c21, c30, c31) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
                var bq = (nuint)(bOffset + j);
                for (nuint q = 0; q < up; q++, bq += uk)
                {
                    var b0 = Vector.LoadUnsafe(ref bRef, bq);
                    var b1 = Vector.LoadUnsafe(ref bRef, bq + (nuint)w);
                    var x = new Vector<double>(Unsafe.Add(ref aRef, a0 + q));
                    c00 = Vector.FusedMultiplyAdd(x, b0, c00);
                    c01 = Vector.FusedMultiplyAdd(x, b1, c01);
                    x = new Vector<double>(Unsafe.Add(ref aRef, a1 + q));
                    c10 = Vector.FusedMultiplyAdd(x, b0, c10);
                    c11 = Vector.FusedMultiplyAdd(x, b1, c11);
                    x = new Vector<double>(Unsafe.Add(ref aRef, a2 + q));
                    c20 = Vector.FusedMultiplyAdd(x, b0, c20);
                    c21 = Vector.FusedMultiplyAdd(x, b1, c21);
                    x = new Vector<double>(Unsafe.Add(ref aRef, a3 + q));
                    c30 = Vector.FusedMultiplyAdd(x, b0, c30);
                    c31 = Vector.FusedMultiplyAdd(x, b1, c31);
                }

                var o = c0 + (nuint)j;
                c00.StoreUnsafe(ref cRef, o);
                c01.StoreUnsafe(ref cRef, o + (nuint)w);
                c10.StoreUnsafe(ref cRef, o + uk);
                c11.StoreUnsafe(ref cRef, o + uk + (nuint)w);
                c20.StoreUnsafe(ref cRef, o + (2 * uk));
                c21.StoreUnsafe(ref cRef, o + (2 * uk) + (nuint)w);
                c30.StoreUnsafe(ref cRef, o + (3 * uk));
                c31.StoreUnsafe(ref cRef, o + (3 * uk) + (nuint)w);
            }

            for (var row = 0; row < 4; row++)
            {
                RowTail(ref aRef, a0 + ((nuint)row * up), up, ref bRef, bOffset, k, ref cRef, c0 + ((nuint)row * uk), j);
            }
        }

        for (; r < end; r++)
        {
            RowTail(ref aRef, (nuint)(aOffset + (r * p)), up, ref bRef, bOffset, k, ref cRef, (nuint)(cOffset + (r * k)), 0);
        }
    }

    /// <summary>
    /// The 4-row × 2-<see cref="Vector512{T}"/> tile of <see cref="Multiply"/> over the column blocks of 16 (AVX-512): rows
    /// a0.. a0 + 3p of A, output rows from c0; returns the first column left for the narrower tiles. Every lane runs the
    /// same fused multiply-adds in the same order as the narrow tiles, so the bits do not depend on the vector width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Tile512(ref double aRef, nuint a0, nuint up, ref double bRef, int bOffset, int k, ref double cRef, nuint c0)
    {
        const int W = 8;
        var uk = (nuint)k;
        var (a1, a2, a3) = (a0 + up, a0 + (2 * up), a0 + (3 * up));
        var j = 0;
        for (; j + (2 * W) <= k; j += 2 * W)
        {
            var (c00, c01, c10, c11) = (Vector512<double>.Zero, Vector512<double>.Zero, Vector512<double>.Zero, Vector512<double>.Zero);
            var (c20, c21, c30, c31) = (Vector512<double>.Zero, Vector512<double>.Zero, Vector512<double>.Zero, Vector512<double>.Zero);
            var bq = (nuint)(bOffset + j);
            for (nuint q = 0; q < up; q++, bq += uk)
            {
                var b0 = Vector512.LoadUnsafe(ref bRef, bq);
                var b1 = Vector512.LoadUnsafe(ref bRef, bq + W);
                var x = Vector512.Create(Unsafe.Add(ref aRef, a0 + q));
                c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
                x = Vector512.Create(Unsafe.Add(ref aRef, a1 + q));
                c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
                c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
                x = Vector512.Create(Unsafe.Add(ref aRef, a2 + q));
                c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
                c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
                x = Vector512.Create(Unsafe.Add(ref aRef, a3 + q));
                c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
                c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            }

            var o = c0 + (nuint)j;
            c00.StoreUnsafe(ref cRef, o);
            c01.StoreUnsafe(ref cRef, o + W);
            c10.StoreUnsafe(ref cRef, o + uk);
            c11.StoreUnsafe(ref cRef, o + uk + W);
            c20.StoreUnsafe(ref cRef, o + (2 * uk));
            c21.StoreUnsafe(ref cRef, o + (2 * uk) + W);
            c30.StoreUnsafe(ref cRef, o + (3 * uk));
            c31.StoreUnsafe(ref cRef, o + (3 * uk) + W);
        }

        return j;
    }

    /// <summary>Columns [j0, k) of one row of C = A·B (one vector, then scalars).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTail(ref double aRef, nuint aRow, nuint p, ref double bRef, int bOffset, int k, ref double cRef, nuint cRow, int j0)
    {
        var w = Vector<double>.Count;
        var uk = (nuint)k;
        var j = j0;
        for (; j + w <= k; j += w)
        {
            var sum = Vector<double>.Zero;
            var bq = (nuint)(bOffset + j);
            for (nuint q = 0; q < p; q++, bq += uk)
            {
                sum = Vector.FusedMultiplyAdd(new Vector<double>(Unsafe.Add(ref aRef, aRow + q)), Vector.LoadUnsafe(ref bRef, bq), sum);
            }

            sum.StoreUnsafe(ref cRef, cRow + (nuint)j);
        }

        for (; j < k; j++)
        {
            var sum = 0.0;
            var bq = (nuint)(bOffset + j);
            for (nuint q = 0; q < p; q++, bq += uk)
            {
                sum = Math.FusedMultiplyAdd(Unsafe.Add(ref aRef, aRow + q), Unsafe.Add(ref bRef, bq), sum);
            }

            Unsafe.Add(ref cRef, cRow + (nuint)j) = sum;
        }
    }

    private static double[] Transpose(double[] matrix, int n)
    {
        var symmetric = true;
        for (var i = 0; i < n && symmetric; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (matrix[(i * n) + j] != matrix[(j * n) + i])
                {
                    symmetric = false;
                    break;
                }
            }
        }

        if (symmetric)
        {
            return matrix;
        }

        var t = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                t[(j * n) + i] = matrix[(i * n) + j];
            }
        }

        return t;
    }

    /// <summary>One axis pass over the batch; work item = (vector, slab, row block).</summary>
    private sealed class Pass(double[][] src, double[][] dst, double[] kernel, double[] kernelT, int n, int inner, int outer)
    {
        private readonly int _blocks = inner == 1 ? (outer + RowBlock - 1) / RowBlock : (n + RowBlock - 1) / RowBlock;

        /// <summary>Work items per vector.</summary>
        internal int ItemsPerVector => inner == 1 ? _blocks : outer * _blocks;

        internal void Run(int item)
        {
            var s = item / ItemsPerVector;
            var rest = item % ItemsPerVector;
            if (inner == 1)
            {
                // The last axis: Z (outer × n) ← Z·K_dᵀ, rows of this block.
                var r0 = rest * RowBlock;
                Multiply(src[s], 0, n, kernelT, 0, n, dst[s], 0, r0, Math.Min(RowBlock, outer - r0));
            }
            else
            {
                // Slab o (n × inner) ← K_d·slab, rows of this block.
                var o = rest / _blocks;
                var r0 = (rest % _blocks) * RowBlock;
                var offset = o * n * inner;
                Multiply(kernel, 0, n, src[s], offset, inner, dst[s], offset, r0, Math.Min(RowBlock, n - r0));
            }
        }
    }
}
