using System.Numerics;
using System.Runtime.CompilerServices;
using Monge.Numerics;

namespace Monge.Tools;

/// <summary>
/// Exact c-transforms h^c(y) = min_i (c(x_i, y) − h_i) for the squared Euclidean and Euclidean costs in any dimension by
/// cluster screening: the points x are split into balls (centre, radius), a whole ball is skipped when a bound valid for
/// all of its points exceeds the best value found, and the balls that remain are evaluated with SIMD over their points.
/// Used by <see cref="DualBound"/> above the dimension where the k-d tree of <see cref="DualBoundTree"/> pays (boxes
/// cannot separate points in 16 dimensions; balls around the clusters of the data can).
/// </summary>
/// <remarks>
/// <para>
/// <b>Why the minimum is exact.</b> Every ball B (centre c, radius r ≥ max_{i∈B} ‖x_i − c‖, inflated by 10⁻¹² of itself for
/// its rounding) gets before each transform an affine majorant of the potential, h_i ≤ α + ⟨γ, x_i⟩ for all i ∈ B, with γ
/// a least-squares fit (any γ works) and α = max_{i∈B} (h_i − ⟨γ, x_i⟩) over all its points, and hmax = max_{i∈B} h_i.
/// For the squared Euclidean cost ‖x − y‖² − ⟨γ, x⟩ = ‖x − z‖² − ⟨γ, y⟩ − ‖γ‖²/4 with z = y + γ/2, and
/// ‖x − z‖ ≥ max(0, ‖z − c‖ − r) for x in the ball, so every i ∈ B has
/// c(x_i, y) − h_i ≥ max(0, ‖z − c‖ − r)² − ⟨γ, y⟩ − ‖γ‖²/4 − α, and also ≥ max(0, ‖y − c‖ − r)² − hmax (γ = 0).
/// For the Euclidean cost with ‖γ‖ ≤ 1 (γ is shortened to length 1 otherwise: Euclidean potentials are 1-Lipschitz),
/// ‖x − y‖ − ⟨γ, x⟩ ≥ (1 − ‖γ‖)·‖x − y‖ − ⟨γ, y⟩ by Cauchy–Schwarz, so c − h ≥ (1 − ‖γ‖)·max(0, ‖y − c‖ − r) − ⟨γ, y⟩ − α,
/// and ≥ max(0, ‖y − c‖ − r) − hmax. The larger bound is used; a ball is skipped only when it exceeds the best value found
/// by more than 10⁻⁹ of the magnitudes that enter it (far more than its float64 rounding), so every skipped point has a
/// value above the minimum and the minimum over the evaluated points is the minimum over all points.
/// </para>
/// <para>
/// <b>Why the result is a rigorous lower bound.</b> A pair value is computed in float64 from coordinate differences
/// (SIMD over the points of a ball, any summation order): its error is at most (d + 4)·2⁻⁵³ of (c + |h|). The returned
/// value is the computed minimum less (2d + 16)·2⁻⁵² (|min| + 2 max |h|), the allowance of <see cref="DualBoundTree"/>,
/// which exceeds that error, so u_i + v_j ≤ c(x_i, y_j) holds for the real costs of the float64 inputs.
/// </para>
/// <para>
/// <b>Cost.</b> Building: a ball tree by recursive farthest-pair splits at the median (O(n·d·log(n / leaf)) time), the
/// points in ball order transposed per ball (n·d doubles), O(n / leaf) balls of d + 2 doubles. Each transform: O(n·d)
/// to fit the majorants; per query O(balls·d) for the bounds plus d operations per point of every ball not skipped.
/// On clustered data (the 16-D Gaussian mixture) only the balls near the query's partners survive; on data without
/// structure in high dimension nothing is skipped and it costs one pass over every pair, like the dense transform.
/// Queries run in parallel in blocks of the other cloud's ball order (neighbouring queries); the result does not
/// depend on the schedule because a minimum is exact.
/// </para>
/// </remarks>
internal sealed partial class DualBoundClusters
{
    private const int FitSample = 64;
    private const int QueryBlock = 128;

    private readonly double[] _transposed;  // per ball: d rows of its count coordinates (ball order)
    private readonly double[] _rows;        // points in ball order, row-major (for the fits)
    private readonly int[] _order;          // ball position → point index
    private readonly int[] _start;
    private readonly int[] _count;
    private readonly double[] _centre;
    private readonly double[] _radius;
    private readonly int _n;
    private readonly int _d;
    private readonly bool _euclidean;

    private DualBoundClusters(double[] rows, int[] order, int[] start, int[] count, double[] centre, double[] radius, int n, int d, bool euclidean)
    {
        _rows = rows;
        _order = order;
        _start = start;
        _count = count;
        _centre = centre;
        _radius = radius;
        _n = n;
        _d = d;
        _euclidean = euclidean;
        _transposed = new double[rows.Length];
        for (var b = 0; b < start.Length; b++)
        {
            var s = start[b];
            var c = count[b];
            for (var p = 0; p < c; p++)
            {
                for (var k = 0; k < d; k++)
                {
                    _transposed[(s * d) + (k * c) + p] = rows[((s + p) * d) + k];
                }
            }
        }
    }

    /// <summary>The number of points.</summary>
    public int Count => _n;

    /// <summary>The number of balls.</summary>
    public int Balls => _start.Length;

    /// <summary>Ball position → point index (points of one ball are consecutive).</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>First ball position of ball <paramref name="ball"/>.</summary>
    public int BallStart(int ball) => _start[ball];

    /// <summary>Points in ball <paramref name="ball"/>.</summary>
    public int BallCount(int ball) => _count[ball];

    /// <summary>Mean of the points of ball <paramref name="ball"/>.</summary>
    public ReadOnlySpan<double> Centre(int ball) => _centre.AsSpan(ball * _d, _d);

    /// <summary>Radius of ball <paramref name="ball"/> (at least the largest distance of its points to the centre).</summary>
    public double Radius(int ball) => _radius[ball];

    /// <summary>The points in ball order, row-major (n × d).</summary>
    public ReadOnlySpan<double> Rows => _rows;

    /// <summary>The points in ball order, per ball d rows of its count coordinates (the SIMD layout of the searches).</summary>
    public ReadOnlySpan<double> Transposed => _transposed;

    /// <summary>
    /// One ball's affine majorant of the potential <paramref name="hs"/> (its values on the ball's points, ball order):
    /// γ by least squares on at most <paramref name="sample"/> points (shortened to length ≤ 1 for the Euclidean cost),
    /// α = max (h − ⟨γ, x⟩) exact over the ball, hmax = max h, ⟨γ, c⟩ and ‖γ‖² for the bounds. One rule for the
    /// c-transforms here and for <c>ReducedCostSearch</c>.
    /// </summary>
    internal (double Alpha, double Hmax, double GammaCentre, double GammaNorm2) FitBall(int ball, ReadOnlySpan<double> hs, int sample, Span<double> gamma, DualBoundTree.FitScratch scratch)
    {
        var d = _d;
        var points = _rows.AsSpan(_start[ball] * d, _count[ball] * d);
        DualBoundTree.FitAffine(points, hs, d, sample, gamma, scratch);
        var norm2 = _euclidean ? DualBoundTree.ShortenToUnit(gamma) : Dot(gamma, gamma);
        var (alpha, hmax) = DualBoundTree.Envelope(points, hs, gamma);
        return (alpha, hmax, Dot(gamma, _centre.AsSpan(ball * d, d)), norm2);
    }

    /// <summary>Pairs evaluated by the transforms since the counter was last cleared (a diagnostic for benchmarks).</summary>
    internal static long Evaluated;

    /// <summary>
    /// Builds balls of at most <paramref name="leafPoints"/> points over n points of dimension d (row-major): recursive
    /// splits at the median of the projection on the line through a far pair (the point farthest from the first point,
    /// then the point farthest from it), deterministic.
    /// </summary>
    public static DualBoundClusters Build(ReadOnlySpan<double> data, int n, int d, bool euclidean, int leafPoints)
    {
        leafPoints = Math.Max(1, leafPoints);
        var source = data.ToArray();
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var keys = new double[n];
        var leaves = new List<(int Start, int Count)>();
        var stack = new Stack<(int Start, int Count)>();
        stack.Push((0, n));
        var dir = new double[d];
        while (stack.Count > 0)
        {
            var (start, count) = stack.Pop();
            if (count <= leafPoints || !FarPair(source, order, start, count, d, dir))
            {
                leaves.Add((start, count));
                continue;
            }

            for (var p = start; p < start + count; p++)
            {
                keys[p] = Dot(source.AsSpan(order[p] * d, d), dir);
            }

            var half = count / 2;
            DualBoundTree.Select(keys, order, start, start + count - 1, start + half);
            stack.Push((start + half, count - half));
            stack.Push((start, half));
        }

        leaves.Sort((l, r) => l.Start.CompareTo(r.Start));
        var rows = new double[(long)n * d];
        for (var p = 0; p < n; p++)
        {
            source.AsSpan(order[p] * d, d).CopyTo(rows.AsSpan(p * d, d));
        }

        var balls = leaves.Count;
        var starts = new int[balls];
        var counts = new int[balls];
        var centre = new double[balls * d];
        var radius = new double[balls];
        for (var b = 0; b < balls; b++)
        {
            var (s, c) = leaves[b];
            starts[b] = s;
            counts[b] = c;
            var cs = centre.AsSpan(b * d, d);
            for (var p = s; p < s + c; p++)
            {
                var row = rows.AsSpan(p * d, d);
                for (var k = 0; k < d; k++)
                {
                    cs[k] += row[k];
                }
            }

            for (var k = 0; k < d; k++)
            {
                cs[k] /= c;
            }

            var r2 = 0.0;
            for (var p = s; p < s + c; p++)
            {
                r2 = Math.Max(r2, Distance2(rows.AsSpan(p * d, d), cs));
            }

            // Inflate for the rounding of the centre and of this distance (a relative 1e-12 is far above it), plus a
            // tiny absolute amount for a ball of one point.
            radius[b] = (Math.Sqrt(r2) * (1 + 1e-12)) + 1e-300;
        }

        return new DualBoundClusters(rows, order, starts, counts, centre, radius, n, d, euclidean);
    }

    /// <summary>
    /// dst_j = (min_i (c(x_i, y_j) − h_i)) less the rounding allowance, for every query point y_j; points with h_i = −∞
    /// never win. At least one h_i must be finite.
    /// </summary>
    /// <param name="h">The potential on the points, in point order (length n), finite or −∞.</param>
    /// <param name="queries">The query points, row-major (m × d).</param>
    /// <param name="queryOrder">An order of the queries that keeps neighbours together (the other cloud's ball order).</param>
    /// <param name="dst">The transform, length m, in query order.</param>
    /// <param name="parallel">The thread budget and cancellation.</param>
    public void Transform(ReadOnlySpan<double> h, ReadOnlySpan<double> queries, ReadOnlySpan<int> queryOrder, Span<double> dst, ParallelOptions parallel)
    {
        var d = _d;
        var (hs, maxAbs, fit) = Majorants(h, parallel);
        var (gamma, alpha, hmax, gammaCentre, gammaNorm2) = fit;
        var balls = _start.Length;
        var q = queries.ToArray();
        var order = queryOrder.ToArray();
        var result = new double[order.Length];
        var allowance = ((2 * d) + 16) * Math.Pow(2, -52);
        var blocks = (order.Length + QueryBlock - 1) / QueryBlock;
        var maxCount = _count.Length == 0 ? 0 : _count.Max();
        WorkerScratch.For(0, blocks, parallel, () => new Scratch(balls, maxCount), (blk, scratch) =>
        {
            var end = Math.Min(order.Length, (blk + 1) * QueryBlock);
            for (var t = blk * QueryBlock; t < end; t++)
            {
                var j = order[t];
                var best = Search(q.AsSpan(j * d, d), hs, gamma, alpha, hmax, gammaCentre, gammaNorm2, scratch);
                result[j] = best - (allowance * (Math.Abs(best) + (2 * maxAbs)));
            }
        }, scratch => Interlocked.Add(ref Evaluated, scratch.Evaluated));
        result.CopyTo(dst);
    }

    /// <summary>
    /// The potential in ball order and per ball an affine majorant: γ (least squares; shortened to length ≤ 1 for the
    /// Euclidean cost), α = max (h − ⟨γ, x⟩) exact over the ball, hmax = max h, and ⟨γ, c⟩, ‖γ‖² for the bounds; with
    /// the largest finite |h|.
    /// </summary>
    private (double[] Hs, double MaxAbs, (double[] Gamma, double[] Alpha, double[] Hmax, double[] GammaCentre, double[] GammaNorm2) Fit) Majorants(ReadOnlySpan<double> h, ParallelOptions parallel)
    {
        var d = _d;
        var balls = _start.Length;
        var hs = new double[_n];
        var maxAbs = 0.0;
        for (var p = 0; p < _n; p++)
        {
            var value = h[_order[p]];
            hs[p] = value;
            if (double.IsFinite(value))
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(value));
            }
        }

        var gamma = new double[balls * d];
        var alpha = new double[balls];
        var hmax = new double[balls];
        var gammaCentre = new double[balls];
        var gammaNorm2 = new double[balls];
        Parallel.For(0, balls, parallel, () => new DualBoundTree.FitScratch(d), (b, _, scratch) =>
        {
            (alpha[b], hmax[b], gammaCentre[b], gammaNorm2[b]) = FitBall(b, hs.AsSpan(_start[b], _count[b]), FitSample, gamma.AsSpan(b * d, d), scratch);
            return scratch;
        }, _ => { });
        return (hs, maxAbs, (gamma, alpha, hmax, gammaCentre, gammaNorm2));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Search(ReadOnlySpan<double> y, double[] hs, double[] gamma, double[] alpha, double[] hmax, double[] gammaCentre, double[] gammaNorm2, Scratch s)
    {
        var balls = _start.Length;
        var bound = s.Bound;
        var margin = s.Margin;
        var first = -1;
        var firstBound = double.PositiveInfinity;
        for (var b = 0; b < balls; b++)
        {
            var lb = BallBound(b, y, gamma, alpha[b], hmax[b], gammaCentre[b], gammaNorm2[b], out margin[b]);
            bound[b] = lb;
            if (lb < firstBound)
            {
                firstBound = lb;
                first = b;
            }
        }

        var best = double.PositiveInfinity;
        if (first < 0)
        {
            return best;
        }

        best = EvaluateBall(first, y, hs, s, best);
        for (var b = 0; b < balls; b++)
        {
            if (b == first || bound[b] - margin[b] > best)
            {
                continue;
            }

            best = EvaluateBall(b, y, hs, s, best);
        }

        return best;
    }

    // The bound of a single query y: the query-ball bound with radius 0 (the same arithmetic: every radius term adds 0).
    private double BallBound(int b, ReadOnlySpan<double> y, double[] gamma, double a, double hm, double gc, double gg, out double margin) =>
        BlockBound(b, y, 0, gamma, a, hm, gc, gg, out margin);

    // min over the ball's points of c(x_p, y) − h_p and the running best; SIMD over the points (transposed layout).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double EvaluateBall(int b, ReadOnlySpan<double> y, double[] hs, Scratch s, double best)
    {
        var d = _d;
        var start = _start[b];
        var count = _count[b];
        s.Evaluated += count;
        var acc = s.Accumulator.AsSpan(0, count);
        acc.Clear();
        var block = _transposed.AsSpan(start * d, count * d);
        var width = Vector<double>.Count;
        var vectorEnd = Vector.IsHardwareAccelerated ? count - (count % width) : 0;
        for (var k = 0; k < d; k++)
        {
            var row = block.Slice(k * count, count);
            var yk = y[k];
            var yv = new Vector<double>(yk);
            var p = 0;
            for (; p < vectorEnd; p += width)
            {
                var t = new Vector<double>(row.Slice(p, width)) - yv;
                var sum = new Vector<double>(acc.Slice(p, width)) + (t * t);
                sum.CopyTo(acc.Slice(p, width));
            }

            for (; p < count; p++)
            {
                var t = row[p] - yk;
                acc[p] += t * t;
            }
        }

        var h = hs.AsSpan(start, count);
        for (var p = 0; p < count; p++)
        {
            var cost = _euclidean ? Math.Sqrt(acc[p]) : acc[p];
            var value = cost - h[p];
            if (value < best)
            {
                best = value;
            }
        }

        return best;
    }

    // A far pair: a = the point farthest from the block's first point, b = the point farthest from a; dir = b − a.
    // False when all points coincide (the block stays a ball of any size).
    private static bool FarPair(double[] source, int[] order, int start, int count, int d, double[] dir)
    {
        var first = source.AsSpan(order[start] * d, d);
        var a = Farthest(source, order, start, count, d, first);
        var pa = source.AsSpan(order[a] * d, d);
        var b = Farthest(source, order, start, count, d, pa);
        var pb = source.AsSpan(order[b] * d, d);
        var any = false;
        for (var k = 0; k < d; k++)
        {
            dir[k] = pb[k] - pa[k];
            any |= dir[k] != 0;
        }

        return any;
    }

    private static int Farthest(double[] source, int[] order, int start, int count, int d, ReadOnlySpan<double> from)
    {
        var best = -1.0;
        var at = start;
        for (var p = start; p < start + count; p++)
        {
            var dist = Distance2(source.AsSpan(order[p] * d, d), from);
            if (dist > best)
            {
                best = dist;
                at = p;
            }
        }

        return at;
    }

    private static double Distance2(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        var s = 0.0;
        for (var k = 0; k < u.Length; k++)
        {
            var t = u[k] - v[k];
            s += t * t;
        }

        return s;
    }

    private static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v) => DualBoundTree.Dot(u, v);

    private sealed class Scratch(int balls, int maxCount)
    {
        public double[] Bound { get; } = new double[balls];

        public double[] Margin { get; } = new double[balls];

        public double[] Accumulator { get; } = new double[maxCount];

        public long Evaluated;
    }
}
