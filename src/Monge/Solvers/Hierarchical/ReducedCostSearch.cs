using System.Numerics;
using System.Runtime.CompilerServices;
using Monge.Geometry.Costs;
using Monge.Tools;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Exact k-best search of the reduced cost c(x, y) − g(y) over every target y (issue #14, the candidate search of
/// <see cref="GlobalSparsePolish"/>): branch and bound over the target balls of <see cref="DualBoundClusters"/>, visited in
/// increasing order of a rigorous lower bound on the reduced cost over the ball, stopping when the next ball's bound exceeds
/// the k-th best value found.
/// </summary>
/// <remarks>
/// <para>
/// <b>The result.</b> The k targets (the excluded one left out) that come first in the total order (value, target index),
/// where value = <see cref="Value"/>(x, y) − g(y) is computed by one fixed formula (SIMD over the targets, the same
/// operations per lane); ties go to the lower index, so the
/// set does not depend on the order the balls are visited in, the thread count or the machine. Brute force over every
/// target with the same formula gives the same set (the tests compare them).
/// </para>
/// <para>
/// <b>The bounds</b> are those of <see cref="DualBoundClusters"/> (the certificate's c-transform, which is this search for
/// k = 1): per ball (centre c, radius r) an affine majorant g(y) ≤ α + ⟨γ, y⟩ (γ a least-squares fit, α exact over the
/// ball) and hmax = max g; squared Euclidean: c − g ≥ max(0, ‖x + γ/2 − c‖ − r)² − ⟨γ, x⟩ − ‖γ‖²/4 − α and
/// ≥ max(0, ‖x − c‖ − r)² − hmax; Euclidean (‖γ‖ ≤ 1) (1 − ‖γ‖)·max(0, ‖x − c‖ − r) − ⟨γ, x⟩ − α and max(0, ‖x − c‖ − r) −
/// hmax. A ball is skipped only when its bound, less 10⁻⁹ of the magnitudes that enter it (far above the float64
/// rounding of the bound and of a value), exceeds the k-th best value. Other costs have no bound: every ball is visited
/// (still exact).
/// </para>
/// <para>
/// <b>Cost.</b> <see cref="SetPotential"/>: O(n·d) for the majorants. Per query: O(B·d) for the B ball bounds and a sort
/// of B keys, plus d operations per target of every ball not skipped. Memory: n doubles (g in ball order) and B·(d + 4)
/// doubles, a transposed copy of the targets (n·d doubles), plus <see cref="Scratch"/> (2·B + the largest ball) per
/// worker.
/// </para>
/// </remarks>
internal sealed class ReducedCostSearch
{
    private const int FitSample = 64;
    private const double SingleLimit = 1e30;

    private readonly DualBoundClusters _balls;
    private readonly ICostFunction<double>? _cost;
    private readonly bool _bounded;
    private readonly bool _euclidean;
    private readonly int _d;
    private readonly int[] _order;
    private readonly double[] _hs;          // g in ball order
    private readonly double[] _gamma;       // per ball: γ (d)
    private readonly double[] _alpha;
    private readonly double[] _hmax;
    private readonly double[] _gammaCentre; // ⟨γ, c⟩
    private readonly double[] _gammaNorm2;
    private readonly double[] _meanG;      // mean g per ball (the order of the first balls visited)
    private DualBoundClusters? _queries;    // query blocks of the float32 screen (SearchBlock), prepared with the targets
    private float[]? _w;                    // tile weights of the targets (DualBoundClusters.SingleWeights)
    private float[]? _hf;
    private float[]? _ny;                   // per query position: ‖x̃‖² in float32
    private float[]? _inner;                // per query position: the Euclidean kernel's allowance inside the root
    private double[]? _allowance;           // per query position: the squared kernel's allowance A
    private double _maxAbs;
    private bool _single;

    /// <summary>A search over the targets held by <paramref name="balls"/> (built with the Euclidean flag of
    /// <paramref name="cost"/>), with the cost that defines the value (null: squared Euclidean).</summary>
    public ReducedCostSearch(DualBoundClusters balls, int d, ICostFunction<double>? cost)
    {
        _balls = balls;
        _cost = cost;
        _d = d;
        _euclidean = cost is Euclidean<double>;
        _bounded = cost is null or SquaredEuclidean<double> or Euclidean<double>;
        _order = balls.Order.ToArray();
        var count = balls.Balls;
        _hs = new double[balls.Count];
        _gamma = new double[count * d];
        _alpha = new double[count];
        _hmax = new double[count];
        _gammaCentre = new double[count];
        _gammaNorm2 = new double[count];
        _meanG = new double[count];
    }

    /// <summary>Balls of targets.</summary>
    public int Balls => _balls.Balls;

    /// <summary>Sets the potential g (by target index, finite) and the per-ball majorants of the bounds.</summary>
    public void SetPotential(ReadOnlySpan<double> g, ParallelOptions parallel)
    {
        var d = _d;
        for (var p = 0; p < _hs.Length; p++)
        {
            _hs[p] = g[_order[p]];
        }

        Parallel.For(0, _balls.Balls, parallel, () => new DualBoundTree.FitScratch(d), (b, _, scratch) =>
        {
            var c = _balls.BallCount(b);
            var hs = _hs.AsSpan(_balls.BallStart(b), c);
            (_alpha[b], _hmax[b], _gammaCentre[b], _gammaNorm2[b]) = _balls.FitBall(b, hs, FitSample, _gamma.AsSpan(b * d, d), scratch);
            var sum = 0.0;
            foreach (var h in hs)
            {
                sum += h;
            }

            _meanG[b] = sum / c;
            return scratch;
        }, _ => { });

        if (_queries is null)
        {
            return;
        }

        var maxAbs = 0.0;
        foreach (var h in _hs)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(h));
        }

        // The float32 path's range (as the certificate's tiles): beyond it SearchBlock falls back to the double search.
        _maxAbs = maxAbs;
        _single = maxAbs <= SingleLimit && _balls.MaxSingleNorm <= SingleLimit && _queries.MaxSingleNorm <= SingleLimit;
        if (!_single)
        {
            return;
        }

        _w ??= new float[_balls.SinglePositions];
        _hf ??= new float[_balls.SinglePositions];
        _balls.SingleWeights(_hs, _w, _hf);
        var norms = _queries.SingleNorms;
        var m = norms.Length;
        _ny ??= new float[m];
        _inner ??= new float[m];
        _allowance ??= new double[m];
        for (var q = 0; q < m; q++)
        {
            var a = _balls.SingleAllowance(norms[q], maxAbs);
            _ny[q] = (float)norms[q];
            _allowance[q] = a;
            _inner[q] = _euclidean ? (float)(a * (1 + 1e-6)) : 0f;
        }
    }

    /// <summary>
    /// Makes <paramref name="queries"/> (balls over the query points, the sources) the query blocks of
    /// <see cref="SearchBlock"/>: both clouds are shifted by their common mean and rounded to float32 for the screen
    /// (n·d floats each, twice: tiles and rows). Squared Euclidean and Euclidean costs only (false otherwise). Call before
    /// <see cref="SetPotential"/>.
    /// </summary>
    public bool PrepareBlocks(DualBoundClusters queries)
    {
        if (!_bounded || queries.Count == 0 || _balls.Count == 0)
        {
            return false;
        }

        var d = _d;
        var shift = new double[d];
        Accumulate(_balls.Rows, shift);
        Accumulate(queries.Rows, shift);

        for (var k = 0; k < d; k++)
        {
            shift[k] /= _balls.Count + queries.Count;
        }

        _balls.PrepareSingle(shift);
        queries.PrepareSingle(shift);
        _queries = queries;
        return true;
    }

    private static void Accumulate(ReadOnlySpan<double> rows, Span<double> sum)
    {
        for (var p = 0; p < rows.Length; p += sum.Length)
        {
            for (var k = 0; k < sum.Length; k++)
            {
                sum[k] += rows[p + k];
            }
        }
    }

    /// <summary>Whether <see cref="SearchBlock"/> can run for the current potential (blocks prepared, values in the float32
    /// range).</summary>
    public bool BlocksReady => _queries is not null && _single;

    /// <summary>
    /// <see cref="Search"/> for every query of query ball <paramref name="block"/> of the prepared blocks at once, with the
    /// same result bit for bit: per target ball, the queries whose rigorous ball bound does not exclude it get float32
    /// kernel values (<see cref="DualBoundClusters.TileValues"/>, GEMM-style), and a target is evaluated in float64 (the
    /// formula of <see cref="Value"/>) only when its float32 value less the kernel's rounding allowance, less 2⁻⁴⁰ of the
    /// magnitudes for the float64 rounding, does not exceed the query's k-th best value so far. Query t of the block is
    /// ball position BallStart(block) + t of the query balls; its results go to ids/values[t·k …], found[t].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SearchBlock(int block, ReadOnlySpan<int> exclude, int k, BlockScratch scratch, Span<int> ids, Span<double> values, Span<int> found)
    {
        var queries = _queries!;
        var d = _d;
        var balls = _balls.Balls;
        var qs = queries.BallStart(block);
        var qc = queries.BallCount(block);
        var rows = queries.Rows;
        var targets = _balls.Rows;
        var keys = scratch.Keys;
        for (var q = 0; q < qc; q++)
        {
            var x = rows.Slice((qs + q) * d, d);
            for (var b = 0; b < balls; b++)
            {
                keys[(q * balls) + b] = Bound(b, x);
            }

            found[q] = 0;
            scratch.Threshold[q] = float.PositiveInfinity;
        }

        // Balls in the order of c(query ball's centre, ball centre) − mean g (the likely best first, so the k-th values
        // tighten early); the order does not change the result.
        var order = scratch.Order;
        var heuristic = scratch.Heuristic;
        var cq = queries.Centre(block);
        for (var b = 0; b < balls; b++)
        {
            heuristic[b] = Score(cq, _balls.Centre(b), _cost) - _meanG[b];
            order[b] = b;
        }

        Array.Sort(heuristic, order, 0, balls);
        var store = scratch.Store;
        var stampOf = scratch.Active;
        for (var e = 0; e < balls; e++)
        {
            var b = order[e];
            int lo = -1, hi = -1;
            for (var q = 0; q < qc; q++)
            {
                var active = found[q] < k || keys[(q * balls) + b] <= values[(q * k) + k - 1];
                stampOf[q] = active;
                if (active)
                {
                    lo = lo < 0 ? q : lo;
                    hi = q;
                }
            }

            if (lo < 0)
            {
                continue;
            }

            var start = _balls.BallStart(b);
            var count = _balls.BallCount(b);
            var stride = _balls.TileStride(b);

            // Tiles over the runs of active queries (a gap of fewer than four inactive ones is kept: the kernel computes
            // four queries per register tile); query q's values at store[q · stride …].
            for (var q = lo; q <= hi;)
            {
                var end = q;
                for (var t = q + 1; t <= hi && t - end <= 4; t++)
                {
                    if (stampOf[t])
                    {
                        end = t;
                    }
                }

                _balls.TileValues(b, queries, qs + q, end - q + 1, _ny!, _inner!, _w!, _hf!, store.AsSpan(q * stride));
                scratch.Screened += (long)(end - q + 1) * count;
                q = end + 1;
                while (q <= hi && !stampOf[q])
                {
                    q++;
                }
            }

            var hs = _hs.AsSpan(start, count);
            var width = Vector<float>.Count;
            for (var q = lo; q <= hi; q++)
            {
                if (!stampOf[q])
                {
                    continue;
                }

                var x = rows.Slice((qs + q) * d, d);
                var vals = values.Slice(q * k, k);
                var idq = ids.Slice(q * k, k);
                var row = store.AsSpan(q * stride, stride);
                var threshold = scratch.Threshold[q];
                var n = found[q];
                for (var p0 = 0; p0 < count; p0 += width)
                {
                    // Eight (AVX2) values at a time; the padding is +∞ and is cut off by count below.
                    if (!Vector.LessThanOrEqualAny(new Vector<float>(row.Slice(p0, width)), new Vector<float>(threshold)))
                    {
                        continue;
                    }

                    var last = Math.Min(count, p0 + width);
                    for (var p = p0; p < last; p++)
                    {
                        if (!(row[p] <= threshold))
                        {
                            continue;
                        }

                        var j = _order[start + p];
                        if (j == exclude[q])
                        {
                            continue;
                        }

                        scratch.Evaluated++;
                        var v = Value(x, targets.Slice((start + p) * d, d), _cost) - hs[p];
                        if (n < k)
                        {
                            Insert(vals, idq, n++, v, j);
                        }
                        else if (v < vals[k - 1] || (v == vals[k - 1] && j < idq[k - 1]))
                        {
                            Insert(vals, idq, k - 1, v, j);
                        }
                        else
                        {
                            continue;
                        }

                        if (n == k)
                        {
                            threshold = Screen(vals[k - 1], qs + q);
                        }
                    }
                }

                found[q] = n;
                scratch.Threshold[q] = threshold;
            }
        }
    }

    // The float32 kernel value at or below which a target may have a float64 value ≤ kth (every value above it is certainly
    // above kth): kth plus 2⁻⁴⁰ of the magnitudes (the float64 value's rounding: (d + 2)·2⁻⁵³ of c + |g|, c ≤ 2(‖x̃‖² + ‖ỹ‖²)
    // to first order), plus the kernel's allowance, rounded up to float32.
    private float Screen(double kth, int position)
    {
        var ny = (double)_ny![position];
        var t = kth + (Math.ScaleB(1.0, -40) * ((2 * (_balls.MaxSingleNorm + ny)) + _maxAbs + Math.Abs(kth) + 1));
        double bound;
        if (_euclidean)
        {
            // The kernel's v less 2⁻²¹(|v| + 2 max|h|) is a lower bound (DualBoundClusters' remarks): v − 2⁻²¹|v| ≤ t + 2⁻²⁰ max|h|.
            var s = t + (Math.ScaleB(1.0, -20) * _maxAbs);
            bound = s >= 0 ? s / (1 - Math.ScaleB(1.0, -21)) : s / (1 + Math.ScaleB(1.0, -21));
        }
        else
        {
            bound = t + _allowance![position];
        }

        bound += Math.Abs(bound) * 1e-15;
        var f = (float)bound;
        return f < bound ? MathF.BitIncrement(f) : f;
    }

    /// <summary>A scratch for <see cref="SearchBlock"/> (one worker).</summary>
    public BlockScratch CreateBlockScratch()
    {
        var queries = _queries!;
        var largestQuery = 0;
        for (var b = 0; b < queries.Balls; b++)
        {
            largestQuery = Math.Max(largestQuery, queries.BallCount(b));
        }

        var stride = 0;
        for (var b = 0; b < _balls.Balls; b++)
        {
            stride = Math.Max(stride, _balls.TileStride(b));
        }

        return new(_balls.Balls, largestQuery, stride);
    }

    /// <summary>
    /// The k targets of smallest c(<paramref name="query"/>, y) − g(y) other than <paramref name="exclude"/> (−1: none), in
    /// the order (value, target index); returns how many were found (fewer than k only when there are fewer targets).
    /// </summary>
    /// <param name="query">The query point (d coordinates).</param>
    /// <param name="exclude">A target index left out (the partner), or −1.</param>
    /// <param name="k">Targets wanted (at most the scratch's capacity).</param>
    /// <param name="scratch">Per-worker scratch (<see cref="CreateScratch"/>).</param>
    /// <param name="ids">The targets found, first the best.</param>
    /// <param name="values">Their values.</param>
    /// <param name="maxBalls">Most balls visited (in the order of the bound): 0, every ball the bound cannot exclude (the
    /// exact k best); otherwise the search stops early and is a heuristic (the best among the first balls).</param>
    /// <param name="first">Balls visited before the others: those of smallest c(query, centre) − mean g (the balls most
    /// likely to hold the best targets, so that the k-th best value, and with it the pruning, is tight early). Does not
    /// change the exact result.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Search(ReadOnlySpan<double> query, int exclude, int k, Scratch scratch, Span<int> ids, Span<double> values, int maxBalls = 0, int first = 0)
    {
        var balls = _balls.Balls;
        var keys = scratch.Keys;
        var visit = scratch.Visit;
        for (var b = 0; b < balls; b++)
        {
            // The bound less its rounding margin: itself a lower bound, so the balls can be visited in its order and the
            // search stops at the first one above the k-th best value.
            keys[b] = _bounded ? Bound(b, query) : double.NegativeInfinity;
            visit[b] = b;
        }

        Array.Sort(keys, visit, 0, balls);
        var found = 0;
        var stamp = ++scratch.Stamp;
        first = Math.Min(first, balls);
        if (first > 0)
        {
            var heuristic = scratch.Heuristic;
            var chosen = scratch.Chosen;
            var kept = 0;
            for (var b = 0; b < balls; b++)
            {
                var h = Score(query, _balls.Centre(b), _cost) - _meanG[b];
                if (kept < first)
                {
                    Insert(heuristic, chosen, kept++, h, b);
                }
                else if (h < heuristic[first - 1])
                {
                    Insert(heuristic, chosen, first - 1, h, b);
                }
            }

            for (var e = 0; e < first; e++)
            {
                scratch.Visited[chosen[e]] = stamp;
                found = Visit(chosen[e], query, exclude, k, scratch, ids, values, found);
            }
        }

        var last = maxBalls > 0 ? Math.Min(balls, maxBalls) : balls;
        for (var e = 0; e < last; e++)
        {
            if (found == k && keys[e] > values[k - 1])
            {
                break;
            }

            var b = visit[e];
            if (scratch.Visited[b] == stamp)
            {
                continue;
            }

            found = Visit(b, query, exclude, k, scratch, ids, values, found);
        }

        return found;
    }

    // Evaluates every target of ball b into the k-best list (value, index) of `found` entries; returns the new count.
    private int Visit(int b, ReadOnlySpan<double> query, int exclude, int k, Scratch scratch, Span<int> ids, Span<double> values, int found)
    {
        var start = _balls.BallStart(b);
        var count = _balls.BallCount(b);
        scratch.Evaluated += count;
        var acc = scratch.Accumulator.AsSpan(0, count);
        Evaluate(b, query, acc);
        var hs = _hs.AsSpan(start, count);
        for (var p = 0; p < count; p++)
        {
            var j = _order[start + p];
            var v = acc[p] - hs[p];
            if (j == exclude)
            {
                continue;
            }

            if (found < k)
            {
                Insert(values, ids, found++, v, j);
            }
            else if (v < values[k - 1] || (v == values[k - 1] && j < ids[k - 1]))
            {
                Insert(values, ids, k - 1, v, j);
            }
        }

        return found;
    }

    /// <summary>A scratch for one worker.</summary>
    public Scratch CreateScratch()
    {
        var largest = 0;
        for (var b = 0; b < _balls.Balls; b++)
        {
            largest = Math.Max(largest, _balls.BallCount(b));
        }

        return new(_balls.Balls, largest);
    }

    /// <summary>The cost that ranks the exact search's pairs, as its SIMD lanes compute it: the squared distance summed over
    /// the coordinates in order (one running sum, no fused multiply-add), its root for the Euclidean cost, other costs as
    /// <see cref="ICostFunction{T}.Evaluate"/>. Brute force with this function gives the search's values bit for bit.</summary>
    public static double Value(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ICostFunction<double>? cost)
    {
        if (cost is not (null or SquaredEuclidean<double> or Euclidean<double>))
        {
            return cost.Evaluate(x, y);
        }

        var sum = 0.0;
        for (var k = 0; k < x.Length; k++)
        {
            var t = y[k] - x[k];
            sum += t * t;
        }

        return cost is Euclidean<double> ? Math.Sqrt(sum) : sum;
    }

    // acc[p] = Value(x, y_p) for the targets of ball b: SIMD over the points (transposed layout), the same operations in
    // the same order per lane as Value.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Evaluate(int b, ReadOnlySpan<double> x, Span<double> acc)
    {
        var d = _d;
        var start = _balls.BallStart(b);
        var count = acc.Length;
        if (!_bounded)
        {
            var rows = _balls.Rows;
            for (var p = 0; p < count; p++)
            {
                acc[p] = Value(x, rows.Slice((start + p) * d, d), _cost);
            }

            return;
        }

        acc.Clear();
        var block = _balls.Transposed.Slice(start * d, count * d);
        var width = Vector<double>.Count;
        var vectorEnd = Vector.IsHardwareAccelerated ? count - (count % width) : 0;
        for (var k = 0; k < d; k++)
        {
            var row = block.Slice(k * count, count);
            var xk = x[k];
            var xv = new Vector<double>(xk);
            var p = 0;
            for (; p < vectorEnd; p += width)
            {
                var t = new Vector<double>(row.Slice(p, width)) - xv;
                (new Vector<double>(acc.Slice(p, width)) + (t * t)).CopyTo(acc.Slice(p, width));
            }

            for (; p < count; p++)
            {
                var t = row[p] - xk;
                acc[p] += t * t;
            }
        }

        if (_euclidean)
        {
            for (var p = 0; p < count; p++)
            {
                acc[p] = Math.Sqrt(acc[p]);
            }
        }
    }

    /// <summary>The value that ranks the probed candidates of <see cref="GlobalSparsePolish"/>: the squared distance with four independent sums (plain scalar arithmetic, the same
    /// on every machine), its root for the Euclidean cost, other costs as <see cref="ICostFunction{T}.Evaluate"/>.</summary>
    public static double Score(ReadOnlySpan<double> u, ReadOnlySpan<double> v, ICostFunction<double>? cost) => cost switch
    {
        null or SquaredEuclidean<double> => SquaredDistance(u, v),
        Euclidean<double> => Math.Sqrt(SquaredDistance(u, v)),
        _ => cost.Evaluate(u, v),
    };

    /// <summary>Inserts (value, id) into the list ordered by (value, id) held in the first <paramref name="at"/> + 1 slots
    /// (slot <paramref name="at"/> is free or the one replaced).</summary>
    public static void Insert(Span<double> values, Span<int> ids, int at, double value, int id)
    {
        var t = at;
        while (t > 0 && (values[t - 1] > value || (values[t - 1] == value && ids[t - 1] > id)))
        {
            values[t] = values[t - 1];
            ids[t] = ids[t - 1];
            t--;
        }

        values[t] = value;
        ids[t] = id;
    }

    private static double SquaredDistance(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        v = v[..u.Length];
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var j = 0;
        for (; j + 4 <= u.Length; j += 4)
        {
            var t0 = u[j] - v[j];
            var t1 = u[j + 1] - v[j + 1];
            var t2 = u[j + 2] - v[j + 2];
            var t3 = u[j + 3] - v[j + 3];
            s0 += t0 * t0;
            s1 += t1 * t1;
            s2 += t2 * t2;
            s3 += t3 * t3;
        }

        for (; j < u.Length; j++)
        {
            var t = u[j] - v[j];
            s0 += t * t;
        }

        return (s0 + s1) + (s2 + s3);
    }

    // A lower bound on c(x, y) − g(y) over the ball's targets (the larger of the plain and the affine bound; see the
    // remarks), less the margin its rounding needs (10⁻⁹ of the magnitudes that enter it).
    private double Bound(int b, ReadOnlySpan<double> x)
    {
        var d = _d;
        var c = _balls.Centre(b);
        var g = _gamma.AsSpan(b * d, d);
        double dc2 = 0, gdc = 0;
        for (var k = 0; k < d; k++)
        {
            var t = x[k] - c[k];
            dc2 += t * t;
            gdc += g[k] * t;
        }

        var r = _balls.Radius(b);
        var distance = Math.Sqrt(dc2);
        var near = Math.Max(0, distance - r);
        var hm = _hmax[b];
        var a = _alpha[b];
        var gc = _gammaCentre[b];
        var gg = _gammaNorm2[b];
        var gx = gdc + gc; // ⟨γ, x⟩
        if (_euclidean)
        {
            var gnorm = Math.Sqrt(gg);
            var margin = 1e-9 * (distance + r + Math.Abs(hm) + Math.Abs(gdc) + Math.Abs(gc) + Math.Abs(a));
            return Math.Max(near - hm, ((1 - gnorm) * near) - gx - a) - margin;
        }

        var zc = Math.Sqrt(Math.Max(0, dc2 + gdc + (0.25 * gg)));
        var shifted = Math.Max(0, zc - r);
        var squaredMargin = 1e-9 * (dc2 + (r * r) + Math.Abs(hm) + (zc * zc) + Math.Abs(gdc) + Math.Abs(gc) + gg + Math.Abs(a));
        return Math.Max((near * near) - hm, (shifted * shifted) - gx - (0.25 * gg) - a) - squaredMargin;
    }

    /// <summary>Per-worker scratch of <see cref="SearchBlock"/>.</summary>
    internal sealed class BlockScratch(int balls, int queries, int stride)
    {
        public double[] Keys { get; } = new double[balls * queries];

        public double[] Heuristic { get; } = new double[balls];

        public int[] Order { get; } = new int[balls];

        public bool[] Active { get; } = new bool[queries];

        public float[] Threshold { get; } = new float[queries];

        public float[] Store { get; } = new float[queries * stride];

        /// <summary>Targets evaluated in float64 (a diagnostic).</summary>
        public long Evaluated { get; set; }

        /// <summary>Pairs given float32 kernel values (a diagnostic).</summary>
        public long Screened { get; set; }
    }

    /// <summary>Per-worker scratch of <see cref="Search"/>.</summary>
    internal sealed class Scratch(int balls, int largest)
    {
        public double[] Heuristic { get; } = new double[balls];

        public int[] Chosen { get; } = new int[balls];

        public int[] Visited { get; } = new int[balls];

        public int Stamp { get; set; }

        public double[] Accumulator { get; } = new double[largest];

        public double[] Keys { get; } = new double[balls];

        public int[] Visit { get; } = new int[balls];

        /// <summary>Targets evaluated by this worker (a diagnostic).</summary>
        public long Evaluated { get; set; }
    }
}
