using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Monge.Numerics;

namespace Monge.Tools;

/// <summary>
/// The float32 tile path of the cluster-screened c-transforms: blocks of queries (one ball of the other cloud) against
/// whole balls of points, evaluated GEMM-style as ‖y‖² + (‖x‖² − h) − 2⟨x, y⟩ in single precision with a rigorous
/// rounding allowance.
/// </summary>
/// <remarks>
/// <para>
/// <b>Screening.</b> A query ball Q (centre c_Q, radius r_Q) and a point ball B (centre c_B, radius r_B, majorant
/// h_i ≤ α + ⟨γ, x_i⟩, hmax) give for every y ∈ Q and i ∈ B: squared Euclidean
/// c(x_i, y) − h_i ≥ max(0, ‖c_Q + γ/2 − c_B‖ − r_Q − r_B)² − ⟨γ, c_Q⟩ − ‖γ‖·r_Q − ‖γ‖²/4 − α and
/// ≥ max(0, ‖c_Q − c_B‖ − r_Q − r_B)² − hmax; Euclidean (‖γ‖ ≤ 1) (1 − ‖γ‖)·max(0, ‖c_Q − c_B‖ − r_Q − r_B) − ⟨γ, c_Q⟩
/// − ‖γ‖·r_Q − α and max(0, ‖c_Q − c_B‖ − r_Q − r_B) − hmax. The balls of points are visited in increasing order of that
/// bound and B is skipped when the bound, less a margin of 10⁻⁹ of its magnitudes, exceeds the largest computed minimum
/// of the block's queries so far; the rest is evaluated whole, 4 queries × 2 vectors of points per register tile.
/// </para>
/// <para>
/// <b>Rounding allowance (why the result is still a rigorous lower bound).</b> Let u = 2⁻²⁴. Both clouds are shifted by
/// one common vector μ (the mean of all points, which changes no cost) and rounded to float32: x̃ = fl32(fl64(x − μ)),
/// so ‖(x̃ − ỹ) − (x − y)‖ ≤ 2u(‖x̃‖ + ‖ỹ‖) and ‖x − y‖² ≥ ‖x̃ − ỹ‖² − 8u(‖x̃‖² + ‖ỹ‖²). Write nx = ‖x̃‖², ny = ‖ỹ‖² (computed
/// in float64 and rounded once to float32). The kernel computes fl(fl(ny + fl32(nx − h)) − 2·fl(⟨x̃, ỹ⟩)) with any
/// summation order (FMA or not) for the inner product, whose error is at most γ_d·‖x̃‖‖ỹ‖ ≤ γ_d(nx + ny)/2 with
/// γ_d = d·u/(1 − d·u); the three other roundings are at most u of quantities bounded by 2(nx + ny) + |h|. So the
/// computed value exceeds the exact c(x, y) − h by at most (13u + γ_d)(nx + ny) + 3u·|h| (to first order); the returned
/// value is the computed minimum less A_y = 2u·[(d + 16)(max nx + ny) + 4·max |h|] + (d + 16)·2⁻¹²⁰ (the last term covers
/// float32 underflow), more than that error (and the float64 rounding of the subtraction). For the Euclidean cost the
/// kernel computes fl(√max(0, fl(fl(fl(ny + nx) − 2⟨x̃, ỹ⟩) − A²_y)) − fl32(h)) with A²_y the same allowance without
/// the h term, so the square root is taken of a lower bound of ‖x − y‖², and the result is less 2⁻²¹(|min| + 2 max |h|)
/// for the rounding of the root, of h and of the difference. Hence u_i + v_j ≤ c(x_i, y_j) holds in exact arithmetic
/// for the float64 inputs. The loss against the float64 path is about 2⁻²³(d + 16)(max nx + ny) per transform
/// (relative ~10⁻⁵ on the 16-D mixture). When a squared norm or |h| exceeds 10³⁰ the float32 path declines and the
/// float64 one runs.
/// </para>
/// <para>
/// <b>Cost.</b> Preparing: the shifted points in float32, per ball transposed and padded to two vector widths
/// (n·d floats), plus n·d floats row-major and n doubles of squared norms. Per transform: the majorants (O(n·d)),
/// O(balls²·d) block bounds, and d fused multiply-adds per pair of every block not skipped, 8 (AVX2) or 16 (AVX-512)
/// pairs per instruction; no per-pair differences and no float64 in the inner loop. Query balls run in parallel; each
/// block's order of work is fixed, so the result does not depend on the thread count.
/// </para>
/// </remarks>
internal sealed partial class DualBoundClusters
{
    private const double SingleLimit = 1e30;

    private float[]? _tiles;        // per ball: d rows of stride floats (shifted, float32, padded with 0)
    private int[]? _tileOffset;     // first float of ball b in _tiles
    private int[]? _tileStride;     // padded point count of ball b
    private int[]? _padOffset;      // first padded position of ball b (Σ strides before it)
    private float[]? _singleRows;   // shifted float32 points in ball order, row-major (as queries)
    private double[]? _norm2;       // ‖x̃‖² per ball position, float64 sum of the float32 coordinates
    private double _maxNorm2;

    /// <summary>
    /// Prepares the float32 tile path: the points less <paramref name="shift"/> (the same vector for both clouds of a
    /// problem), rounded to float32. Call before <see cref="TransformTiles"/> on both clouds.
    /// </summary>
    public void PrepareSingle(ReadOnlySpan<double> shift)
    {
        var d = _d;
        var balls = _start.Length;
        var pad = 2 * Vector<float>.Count;
        var offset = new int[balls];
        var stride = new int[balls];
        var padOffset = new int[balls];
        long total = 0, positions = 0;
        for (var b = 0; b < balls; b++)
        {
            stride[b] = (_count[b] + pad - 1) / pad * pad;
            offset[b] = checked((int)total);
            padOffset[b] = checked((int)positions);
            total += (long)stride[b] * d;
            positions += stride[b];
        }

        var tiles = new float[checked((int)total)];
        var rows = new float[_n * d];
        var norm2 = new double[_n];
        var maxNorm2 = 0.0;
        for (var b = 0; b < balls; b++)
        {
            var s = _start[b];
            var c = _count[b];
            for (var p = 0; p < c; p++)
            {
                var sum = 0.0;
                for (var k = 0; k < d; k++)
                {
                    var value = (float)(_rows[((s + p) * d) + k] - shift[k]);
                    tiles[offset[b] + (k * stride[b]) + p] = value;
                    rows[((s + p) * d) + k] = value;
                    sum += (double)value * value;
                }

                norm2[s + p] = sum;
                maxNorm2 = Math.Max(maxNorm2, sum);
            }
        }

        _tiles = tiles;
        _tileOffset = offset;
        _tileStride = stride;
        _padOffset = padOffset;
        _singleRows = rows;
        _norm2 = norm2;
        _maxNorm2 = double.IsFinite(maxNorm2) ? maxNorm2 : double.PositiveInfinity;
    }

    /// <summary>
    /// dst_j = (min_i (c(x_i, y_j) − h_i)) less the float32 rounding allowance (see the remarks), for every point y_j of
    /// <paramref name="queries"/>; points with h_i = −∞ never win. False (and nothing written) when a squared norm or
    /// |h| is beyond the float32 range this path accepts; the caller then uses <see cref="Transform"/>.
    /// </summary>
    /// <param name="h">The potential on the points, in point order (length n), finite or −∞.</param>
    /// <param name="queries">The other cloud's balls, prepared with the same shift (<see cref="PrepareSingle"/>).</param>
    /// <param name="dst">The transform, length m, in the queries' point order.</param>
    /// <param name="parallel">The thread budget and cancellation.</param>
    public bool TransformTiles(ReadOnlySpan<double> h, DualBoundClusters queries, Span<double> dst, ParallelOptions parallel)
    {
        if (_tiles is null || queries._singleRows is null || queries._d != _d)
        {
            throw new InvalidOperationException("PrepareSingle was not called on both clouds.");
        }

        var (hs, maxAbs, fit) = Majorants(h, parallel);
        if (!(maxAbs <= SingleLimit && _maxNorm2 <= SingleLimit && queries._maxNorm2 <= SingleLimit))
        {
            return false;
        }

        var d = _d;
        var balls = _start.Length;
        var padOffset = _padOffset!;
        var stride = _tileStride!;
        var positions = balls == 0 ? 0 : padOffset[^1] + stride[^1];
        var w = new float[positions];
        var hf = new float[positions];
        SingleWeights(hs, w, hf);
        var qBalls = queries._start.Length;
        var m = queries._n;
        var ny = new float[m];
        var allowance = new double[m];  // per query position: A (squared) or A² inside the root (Euclidean)
        var inner = new float[m];
        for (var q = 0; q < m; q++)
        {
            var n2 = queries._norm2![q];
            ny[q] = (float)n2;
            var a = SingleAllowance(n2, maxAbs);
            allowance[q] = a;
            inner[q] = _euclidean ? (float)(a * (1 + 1e-6)) : 0f;
        }

        var result = new double[m];
        var maxCount = queries._count.Length == 0 ? 0 : queries._count.Max();
        var (gamma, alpha, hmax, gammaCentre, gammaNorm2) = fit;
        WorkerScratch.For(0, qBalls, parallel, () => new TileScratch(balls, maxCount), (qb, scratch) =>
        {
            var qs = queries._start[qb];
            var qc = queries._count[qb];
            var cq = queries._centre.AsSpan(qb * d, d);
            var rq = queries._radius[qb];
            var keys = scratch.Keys;
            var order = scratch.Order;
            var margin = scratch.Margin;
            for (var b = 0; b < balls; b++)
            {
                keys[b] = BlockBound(b, cq, rq, gamma, alpha[b], hmax[b], gammaCentre[b], gammaNorm2[b], out margin[b]);
                order[b] = b;
            }

            Array.Sort(keys, order);
            var best = scratch.Best.AsSpan(0, qc);
            best.Fill(float.PositiveInfinity);
            var threshold = double.PositiveInfinity;
            for (var t = 0; t < balls; t++)
            {
                var b = order[t];
                if (keys[t] == double.PositiveInfinity)
                {
                    break;
                }

                if (t > 0 && keys[t] - margin[b] > threshold)
                {
                    continue;
                }

                Tile(b, queries._singleRows, qs, qc, ny, inner, w, hf, best, default);
                scratch.Evaluated += (long)qc * _count[b];
                var max = float.NegativeInfinity;
                foreach (var value in best)
                {
                    max = Math.Max(max, value);
                }

                threshold = max;
            }

            for (var p = 0; p < qc; p++)
            {
                var v = (double)best[p];
                var a = _euclidean ? Math.ScaleB(1.0, -21) * (Math.Abs(v) + (2 * maxAbs)) : allowance[qs + p];
                result[queries._order[qs + p]] = v - a;
            }
        }, scratch => Interlocked.Add(ref Evaluated, scratch.Evaluated));
        result.CopyTo(dst);
        return true;
    }

    /// <summary>Whether <see cref="PrepareSingle"/> was called.</summary>
    internal bool SingleReady => _tiles is not null;

    /// <summary>Padded float32 positions of the tile layout (Σ of the balls' strides), the length of the weight arrays.</summary>
    internal int SinglePositions => _start.Length == 0 ? 0 : _padOffset![^1] + _tileStride![^1];

    /// <summary>Padded point count of ball b in the tile layout (the row stride of <see cref="TileValues"/>'s output).</summary>
    internal int TileStride(int ball) => _tileStride![ball];

    /// <summary>‖x̃‖² per ball position (float64 sum of the shifted float32 coordinates), and its maximum.</summary>
    internal ReadOnlySpan<double> SingleNorms => _norm2;

    /// <summary>The largest of <see cref="SingleNorms"/>.</summary>
    internal double MaxSingleNorm => _maxNorm2;

    /// <summary>The tile kernel's per-pair weights from the potential in ball order: w = ‖x̃‖² − h (squared Euclidean) or
    /// ‖x̃‖² (Euclidean) and h in float32, +∞ / 0 for h = −∞ and the padding.</summary>
    internal void SingleWeights(ReadOnlySpan<double> hs, float[] w, float[] hf)
    {
        Array.Fill(w, float.PositiveInfinity);
        for (var b = 0; b < _start.Length; b++)
        {
            for (var p = 0; p < _count[b]; p++)
            {
                var value = hs[_start[b] + p];
                var nx = _norm2![_start[b] + p];
                if (value == double.NegativeInfinity)
                {
                    continue;
                }

                w[_padOffset![b] + p] = _euclidean ? (float)nx : (float)(nx - value);
                hf[_padOffset![b] + p] = (float)value;
            }
        }
    }

    /// <summary>The rounding allowance A of a query of squared norm <paramref name="queryNorm2"/> (see the remarks): the
    /// squared cost's kernel value less A is a lower bound of c − h; for the Euclidean cost A (without the h term) is the
    /// amount taken off inside the root.</summary>
    internal double SingleAllowance(double queryNorm2, double maxAbs) =>
        (Math.ScaleB(1.0, -23) * (((_d + 16) * (_maxNorm2 + queryNorm2)) + (_euclidean ? 0 : 4 * maxAbs))) + ((_d + 16) * Math.ScaleB(1.0, -120));

    /// <summary>The float32 kernel values of queries [qs, qs + qc) of <paramref name="queries"/> against every position of
    /// ball b, into store[q · <see cref="TileStride"/>(b) + p] (the same values the transforms take the minimum of).</summary>
    internal void TileValues(int b, DualBoundClusters queries, int qs, int qc, float[] ny, float[] inner, float[] w, float[] hf, Span<float> store) =>
        Tile(b, queries._singleRows!, qs, qc, ny, inner, w, hf, default, store);

    // A lower bound of c(x_i, y) − h_i over all y in the query ball (centre cq, radius rq) and i in ball b; see the remarks.
    private double BlockBound(int b, ReadOnlySpan<double> cq, double rq, double[] gamma, double a, double hm, double gc, double gg, out double margin)
    {
        if (a == double.NegativeInfinity)
        {
            margin = 0;
            return double.PositiveInfinity;
        }

        var d = _d;
        var c = _centre.AsSpan(b * d, d);
        var g = gamma.AsSpan(b * d, d);
        double dc2 = 0, gdc = 0;
        for (var k = 0; k < d; k++)
        {
            var t = cq[k] - c[k];
            dc2 += t * t;
            gdc += g[k] * t;
        }

        var reach = rq + _radius[b];
        var distance = Math.Sqrt(dc2);
        var near = Math.Max(0, distance - reach);
        var gnorm = Math.Sqrt(gg);
        var gy = gdc + gc + (gnorm * rq); // ≥ ⟨γ, y⟩ for every y in the query ball
        if (_euclidean)
        {
            var plain = near - hm;
            var affine = ((1 - gnorm) * near) - gy - a;
            margin = 1e-9 * (distance + reach + Math.Abs(hm) + Math.Abs(gdc) + Math.Abs(gc) + (gnorm * rq) + Math.Abs(a));
            return Math.Max(plain, affine);
        }
        else
        {
            var zc = Math.Sqrt(Math.Max(0, dc2 + gdc + (0.25 * gg)));
            var shifted = Math.Max(0, zc - reach);
            var plain = (near * near) - hm;
            var affine = (shifted * shifted) - gy - (0.25 * gg) - a;
            margin = 1e-9 * (dc2 + (reach * reach) + Math.Abs(hm) + (zc * zc) + Math.Abs(gdc) + Math.Abs(gc) + (gnorm * rq) + gg + Math.Abs(a));
            return Math.Max(plain, affine);
        }
    }

    // best[q] = min(best[q], min over ball b of the float32 value of query qs + q), 4 queries × 2 vectors per register tile;
    // with a non-empty store, the values themselves into store[q · stride + p] instead.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Tile(int b, float[] queryRows, int qs, int qc, float[] ny, float[] inner, float[] w, float[] hf, Span<float> best, Span<float> store)
    {
        var d = _d;
        var width = Vector<float>.Count;
        var stride = _tileStride![b];
        ref var x = ref MemoryMarshal.GetArrayDataReference(_tiles!);
        x = ref Unsafe.Add(ref x, _tileOffset![b]);
        ref var wb = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w), _padOffset![b]);
        ref var hb = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(hf), _padOffset[b]);
        ref var yr = ref MemoryMarshal.GetArrayDataReference(queryRows);
        var euclidean = _euclidean;
        for (var q = 0; q < qc; q += 4)
        {
            // Fewer than four queries left: repeat the last one (its results are discarded).
            var q0 = qs + q;
            var q1 = qs + Math.Min(q + 1, qc - 1);
            var q2 = qs + Math.Min(q + 2, qc - 1);
            var q3 = qs + Math.Min(q + 3, qc - 1);
            ref var y0 = ref Unsafe.Add(ref yr, q0 * d);
            ref var y1 = ref Unsafe.Add(ref yr, q1 * d);
            ref var y2 = ref Unsafe.Add(ref yr, q2 * d);
            ref var y3 = ref Unsafe.Add(ref yr, q3 * d);
            var m0 = new Vector<float>(float.PositiveInfinity);
            var m1 = m0;
            var m2 = m0;
            var m3 = m0;
            for (var p = 0; p < stride; p += 2 * width)
            {
                Vector<float> a00 = default, a01 = default, a10 = default, a11 = default;
                Vector<float> a20 = default, a21 = default, a30 = default, a31 = default;
                ref var xp = ref Unsafe.Add(ref x, p);
                for (var k = 0; k < d; k++)
                {
                    ref var row = ref Unsafe.Add(ref xp, k * stride);
                    var x0 = Vector.LoadUnsafe(ref row);
                    var x1 = Vector.LoadUnsafe(ref row, (nuint)width);
                    var b0 = new Vector<float>(Unsafe.Add(ref y0, k));
                    var b1 = new Vector<float>(Unsafe.Add(ref y1, k));
                    var b2 = new Vector<float>(Unsafe.Add(ref y2, k));
                    var b3 = new Vector<float>(Unsafe.Add(ref y3, k));
                    a00 = Vector.FusedMultiplyAdd(x0, b0, a00);
                    a01 = Vector.FusedMultiplyAdd(x1, b0, a01);
                    a10 = Vector.FusedMultiplyAdd(x0, b1, a10);
                    a11 = Vector.FusedMultiplyAdd(x1, b1, a11);
                    a20 = Vector.FusedMultiplyAdd(x0, b2, a20);
                    a21 = Vector.FusedMultiplyAdd(x1, b2, a21);
                    a30 = Vector.FusedMultiplyAdd(x0, b3, a30);
                    a31 = Vector.FusedMultiplyAdd(x1, b3, a31);
                }

                var w0 = Vector.LoadUnsafe(ref wb, (nuint)p);
                var w1 = Vector.LoadUnsafe(ref wb, (nuint)(p + width));
                if (!store.IsEmpty)
                {
                    var h0 = euclidean ? Vector.LoadUnsafe(ref hb, (nuint)p) : default;
                    var h1 = euclidean ? Vector.LoadUnsafe(ref hb, (nuint)(p + width)) : default;
                    Store(store, (q * stride) + p, width, euclidean, ny[q0], inner[q0], w0, w1, a00, a01, h0, h1);
                    if (q + 1 < qc)
                    {
                        Store(store, ((q + 1) * stride) + p, width, euclidean, ny[q1], inner[q1], w0, w1, a10, a11, h0, h1);
                    }

                    if (q + 2 < qc)
                    {
                        Store(store, ((q + 2) * stride) + p, width, euclidean, ny[q2], inner[q2], w0, w1, a20, a21, h0, h1);
                    }

                    if (q + 3 < qc)
                    {
                        Store(store, ((q + 3) * stride) + p, width, euclidean, ny[q3], inner[q3], w0, w1, a30, a31, h0, h1);
                    }
                }
                else if (euclidean)
                {
                    var h0 = Vector.LoadUnsafe(ref hb, (nuint)p);
                    var h1 = Vector.LoadUnsafe(ref hb, (nuint)(p + width));
                    m0 = Vector.Min(m0, Vector.Min(Root(ny[q0], inner[q0], w0, a00, h0), Root(ny[q0], inner[q0], w1, a01, h1)));
                    m1 = Vector.Min(m1, Vector.Min(Root(ny[q1], inner[q1], w0, a10, h0), Root(ny[q1], inner[q1], w1, a11, h1)));
                    m2 = Vector.Min(m2, Vector.Min(Root(ny[q2], inner[q2], w0, a20, h0), Root(ny[q2], inner[q2], w1, a21, h1)));
                    m3 = Vector.Min(m3, Vector.Min(Root(ny[q3], inner[q3], w0, a30, h0), Root(ny[q3], inner[q3], w1, a31, h1)));
                }
                else
                {
                    m0 = Vector.Min(m0, Vector.Min(Square(ny[q0], w0, a00), Square(ny[q0], w1, a01)));
                    m1 = Vector.Min(m1, Vector.Min(Square(ny[q1], w0, a10), Square(ny[q1], w1, a11)));
                    m2 = Vector.Min(m2, Vector.Min(Square(ny[q2], w0, a20), Square(ny[q2], w1, a21)));
                    m3 = Vector.Min(m3, Vector.Min(Square(ny[q3], w0, a30), Square(ny[q3], w1, a31)));
                }
            }

            if (!store.IsEmpty)
            {
                continue;
            }

            best[q] = Math.Min(best[q], Lanes(m0));
            if (q + 1 < qc)
            {
                best[q + 1] = Math.Min(best[q + 1], Lanes(m1));
            }

            if (q + 2 < qc)
            {
                best[q + 2] = Math.Min(best[q + 2], Lanes(m2));
            }

            if (q + 3 < qc)
            {
                best[q + 3] = Math.Min(best[q + 3], Lanes(m3));
            }
        }
    }

    // The two vectors of one query's values, as the minimum path computes them, stored at `at`.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<float> store, int at, int width, bool euclidean, float ny, float inner, Vector<float> w0, Vector<float> w1, Vector<float> a0, Vector<float> a1, Vector<float> h0, Vector<float> h1)
    {
        var v0 = euclidean ? Root(ny, inner, w0, a0, h0) : Square(ny, w0, a0);
        var v1 = euclidean ? Root(ny, inner, w1, a1, h1) : Square(ny, w1, a1);
        v0.CopyTo(store.Slice(at, width));
        v1.CopyTo(store.Slice(at + width, width));
    }

    // fl(fl(ny + (nx − h)) − 2·dot): two times a float is exact.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Square(float ny, Vector<float> w, Vector<float> dot) => (new Vector<float>(ny) + w) - (dot + dot);

    // fl(√max(0, fl(fl(ny + nx) − 2·dot) − A²) − h).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Root(float ny, float inner, Vector<float> w, Vector<float> dot, Vector<float> h)
    {
        var z = ((new Vector<float>(ny) + w) - (dot + dot)) - new Vector<float>(inner);
        return Vector.SquareRoot(Vector.Max(z, Vector<float>.Zero)) - h;
    }

    private static float Lanes(Vector<float> v)
    {
        var min = float.PositiveInfinity;
        for (var l = 0; l < Vector<float>.Count; l++)
        {
            min = Math.Min(min, v[l]);
        }

        return min;
    }

    private sealed class TileScratch(int balls, int maxCount)
    {
        public double[] Keys { get; } = new double[balls];

        public int[] Order { get; } = new int[balls];

        public double[] Margin { get; } = new double[balls];

        public float[] Best { get; } = new float[maxCount];

        public long Evaluated;
    }
}
