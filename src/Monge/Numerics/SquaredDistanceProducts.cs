using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monge.Numerics;

/// <summary>
/// Dense blocks of squared Euclidean (or Euclidean) costs built with blocked matrix products:
/// C[i, j] = s·max(0, ‖x_i‖² + ‖y_j‖² − 2⟨x_i, y_j⟩) (its square root before scaling for Euclidean), the GEMM form
/// of the cost. Coordinates are centered at the mean of both clouds first (the cost is translation invariant), which
/// keeps the cancellation in the expansion at the size of the spread of the data rather than of its offset.
/// </summary>
/// <remarks>
/// <para>The product runs over panels of targets packed once, d × <see cref="PanelWidth"/> each (reused for every source row),
/// with a register block of four source rows × two SIMD vectors of targets: per coordinate two loads and eight fused
/// multiply-adds, against one load per subtract-multiply-add pair in the coordinate-difference sweep of
/// <see cref="PointDifferenceKernel"/>. Row blocks run in parallel (<see cref="Parallel.For(int, int, Action{int})"/>).</para>
/// <para>Accuracy: the expansion loses digits for nearly equal points (absolute error about ε_mach·(‖x‖² + ‖y‖²)
/// after centering), so it serves the phases that tolerate rounding — the float32 phase of the assignment solver,
/// whose result is repaired and certified in double on coordinate differences, and the dense cost Sinkhorn stores
/// (<see cref="Geometry.CostStorage"/>), whose entropic answer moves by far less than its threshold — not certified values.</para>
/// <para>Memory: a centered copy of the sources and the packed centered targets ((n + m)·d values) and the norms
/// (n + m); nothing of size n·m besides the destination.</para>
/// </remarks>
internal sealed class SquaredDistanceProducts<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Targets per packed panel.</summary>
    internal const int PanelWidth = 256;

    private const int RowBlock = 4;

    private readonly T[] _x;
    private readonly T[] _panels;
    private readonly T[] _xNorms;
    private readonly T[] _yNorms;
    private readonly int _n;
    private readonly int _m;
    private readonly int _d;

    /// <summary>Centers (in double) and converts the coordinates of both clouds to <typeparamref name="T"/>.</summary>
    /// <param name="x">Sources, row-major n × d (any precision convertible to double).</param>
    /// <param name="y">Targets, row-major m × d.</param>
    /// <param name="d">The dimension (≥ 1).</param>
    public static SquaredDistanceProducts<T> Create<TIn>(ReadOnlySpan<TIn> x, ReadOnlySpan<TIn> y, int d)
        where TIn : unmanaged, IFloatingPointIeee754<TIn>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 1);
        var n = x.Length / d;
        var m = y.Length / d;
        var center = new double[d];
        for (var k = 0; k < x.Length; k++)
        {
            center[k % d] += double.CreateTruncating(x[k]);
        }

        for (var k = 0; k < y.Length; k++)
        {
            center[k % d] += double.CreateTruncating(y[k]);
        }

        for (var k = 0; k < d; k++)
        {
            center[k] /= Math.Max(1, n + m);
        }

        return new SquaredDistanceProducts<T>(Center(x, center), Center(y, center), n, m, d);
    }

    private SquaredDistanceProducts(T[] x, T[] y, int n, int m, int d)
    {
        _x = x;
        _n = n;
        _m = m;
        _d = d;
        _xNorms = Norms(x, n, d);
        _yNorms = Norms(y, m, d);

        // Pack the targets once into panels: panel p holds y[p0 + c, k] at p0·d + k·width + c (width = its column count).
        _panels = new T[m * d];
        for (var p0 = 0; p0 < m; p0 += PanelWidth)
        {
            var width = Math.Min(PanelWidth, m - p0);
            var panel = _panels.AsSpan(p0 * d, width * d);
            for (var c = 0; c < width; c++)
            {
                var yj = y.AsSpan((p0 + c) * d, d);
                for (var k = 0; k < d; k++)
                {
                    panel[(k * width) + c] = yj[k];
                }
            }
        }
    }

    /// <summary>The number of sources n.</summary>
    public int Rows => _n;

    /// <summary>The number of targets m.</summary>
    public int Cols => _m;

    /// <summary>Whether every centered coordinate and norm is finite in <typeparamref name="T"/> (false: too large for it).</summary>
    public bool IsFinite => AllFinite(_xNorms) && AllFinite(_yNorms);

    /// <summary>
    /// Fills rows [<paramref name="rowStart"/>, <paramref name="rowStart"/> + <paramref name="rowCount"/>) of the
    /// cost, all m columns, row-major into <paramref name="destination"/> (rowCount·m values).
    /// </summary>
    /// <param name="rowStart">The first source row.</param>
    /// <param name="rowCount">How many rows.</param>
    /// <param name="euclidean">Take the square root (Euclidean) instead of the squared distance.</param>
    /// <param name="scale">The factor s applied to every entry.</param>
    /// <param name="destination">Receives the rows.</param>
    /// <param name="parallel">Run row blocks in parallel.</param>
    public void FillRows(int rowStart, int rowCount, bool euclidean, T scale, Memory<T> destination, bool parallel = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowStart);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rowStart + rowCount, _n);
        if (destination.Length < (long)rowCount * _m)
        {
            throw new ArgumentException("The destination is shorter than rowCount·m.", nameof(destination));
        }

        const int rowsPerTask = 64;
        var tasks = (rowCount + rowsPerTask - 1) / rowsPerTask;
        if (!parallel || tasks <= 1)
        {
            FillBlock(rowStart, rowCount, euclidean, scale, destination.Span);
            return;
        }

        Parallel.For(0, tasks, t =>
        {
            var r0 = t * rowsPerTask;
            var count = Math.Min(rowsPerTask, rowCount - r0);
            FillBlock(rowStart + r0, count, euclidean, scale, destination.Span.Slice(r0 * _m, count * _m));
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillBlock(int rowStart, int rowCount, bool euclidean, T scale, Span<T> destination)
    {
        // Rows outer, panels inner: each destination row is written front to back (rows m apart would alias in the
        // caches if a panel visited many rows in turn); the packed targets stay in cache across row blocks.
        var d = _d;
        var m = _m;
        var r = 0;
        for (; r < rowCount; r += RowBlock)
        {
            var full = r + RowBlock <= rowCount;
            for (var p0 = 0; p0 < m; p0 += PanelWidth)
            {
                var width = Math.Min(PanelWidth, m - p0);
                var panel = _panels.AsSpan(p0 * d, d * width);
                if (full)
                {
                    Block4(rowStart + r, p0, width, panel, euclidean, scale, destination.Slice(r * m));
                    continue;
                }

                for (var rr = r; rr < rowCount; rr++)
                {
                    Single(rowStart + rr, p0, width, panel, euclidean, scale, destination.Slice(rr * m, m));
                }
            }
        }
    }

    /// <summary>Four source rows against one panel: a 4 × (2 vectors) register block, scalar columns at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Block4(int i, int p0, int width, ReadOnlySpan<T> panel, bool euclidean, T scale, Span<T> destination)
    {
        var d = _d;
        var m = _m;
        ref var pRef = ref MemoryMarshal.GetReference(panel);
        ref var x0 = ref _x[i * d];
        ref var x1 = ref _x[(i + 1) * d];
        ref var x2 = ref _x[(i + 2) * d];
        ref var x3 = ref _x[(i + 3) * d];
        var c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var w = Vector256<T>.Count;
            for (; c + (2 * w) <= width; c += 2 * w)
            {
                Vector256<T> a00 = default, a01 = default, a10 = default, a11 = default;
                Vector256<T> a20 = default, a21 = default, a30 = default, a31 = default;
                for (var k = 0; k < d; k++)
                {
                    var offset = (nuint)((k * width) + c);
                    var y0 = Vector256.LoadUnsafe(ref pRef, offset);
                    var y1 = Vector256.LoadUnsafe(ref pRef, offset + (nuint)w);
                    var b0 = Vector256.Create(Unsafe.Add(ref x0, k));
                    var b1 = Vector256.Create(Unsafe.Add(ref x1, k));
                    var b2 = Vector256.Create(Unsafe.Add(ref x2, k));
                    var b3 = Vector256.Create(Unsafe.Add(ref x3, k));
                    a00 = Simd256<T>.MultiplyAdd(b0, y0, a00);
                    a01 = Simd256<T>.MultiplyAdd(b0, y1, a01);
                    a10 = Simd256<T>.MultiplyAdd(b1, y0, a10);
                    a11 = Simd256<T>.MultiplyAdd(b1, y1, a11);
                    a20 = Simd256<T>.MultiplyAdd(b2, y0, a20);
                    a21 = Simd256<T>.MultiplyAdd(b2, y1, a21);
                    a30 = Simd256<T>.MultiplyAdd(b3, y0, a30);
                    a31 = Simd256<T>.MultiplyAdd(b3, y1, a31);
                }

                var j = p0 + c;
                var yn0 = Vector256.Create(_yNorms.AsSpan(j, w));
                var yn1 = Vector256.Create(_yNorms.AsSpan(j + w, w));
                Store(a00, a01, _xNorms[i], yn0, yn1, euclidean, scale, destination.Slice(j));
                Store(a10, a11, _xNorms[i + 1], yn0, yn1, euclidean, scale, destination.Slice(m + j));
                Store(a20, a21, _xNorms[i + 2], yn0, yn1, euclidean, scale, destination.Slice((2 * m) + j));
                Store(a30, a31, _xNorms[i + 3], yn0, yn1, euclidean, scale, destination.Slice((3 * m) + j));
            }
        }

        for (var r = 0; r < RowBlock; r++)
        {
            for (var cc = c; cc < width; cc++)
            {
                destination[(r * m) + p0 + cc] = Entry(i + r, p0 + cc, panel, width, cc, euclidean, scale);
            }
        }
    }

    private void Single(int i, int p0, int width, ReadOnlySpan<T> panel, bool euclidean, T scale, Span<T> destination)
    {
        for (var c = 0; c < width; c++)
        {
            destination[p0 + c] = Entry(i, p0 + c, panel, width, c, euclidean, scale);
        }
    }

    private T Entry(int i, int j, ReadOnlySpan<T> panel, int width, int c, bool euclidean, T scale)
    {
        var xi = _x.AsSpan(i * _d, _d);
        var dot = T.Zero;
        for (var k = 0; k < _d; k++)
        {
            dot = T.FusedMultiplyAdd(xi[k], panel[(k * width) + c], dot);
        }

        var sq = T.Max(T.Zero, _xNorms[i] + _yNorms[j] - (dot + dot));
        return (euclidean ? T.Sqrt(sq) : sq) * scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<T> dot0, Vector256<T> dot1, T xNorm, Vector256<T> yn0, Vector256<T> yn1, bool euclidean, T scale, Span<T> destination)
    {
        var xn = Vector256.Create(xNorm);
        var s0 = Vector256.Max(Vector256<T>.Zero, (xn + yn0) - (dot0 + dot0));
        var s1 = Vector256.Max(Vector256<T>.Zero, (xn + yn1) - (dot1 + dot1));
        if (euclidean)
        {
            s0 = Vector256.Sqrt(s0);
            s1 = Vector256.Sqrt(s1);
        }

        var vs = Vector256.Create(scale);
        (s0 * vs).CopyTo(destination);
        (s1 * vs).CopyTo(destination.Slice(Vector256<T>.Count));
    }

    private static T[] Center<TIn>(ReadOnlySpan<TIn> data, double[] center)
        where TIn : unmanaged, IFloatingPointIeee754<TIn>
    {
        var d = center.Length;
        var result = new T[data.Length];
        for (var k = 0; k < data.Length; k++)
        {
            result[k] = T.CreateTruncating(double.CreateTruncating(data[k]) - center[k % d]);
        }

        return result;
    }

    private static T[] Norms(T[] data, int count, int d)
    {
        var norms = new T[count];
        for (var i = 0; i < count; i++)
        {
            var row = data.AsSpan(i * d, d);
            norms[i] = System.Numerics.Tensors.TensorPrimitives.Dot<T>(row, row);
        }

        return norms;
    }

    private static bool AllFinite(ReadOnlySpan<T> values)
    {
        foreach (var v in values)
        {
            if (!T.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
