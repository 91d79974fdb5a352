using System.Runtime.CompilerServices;
using Monge.Numerics;

namespace Monge.Tools;

/// <summary>
/// Exact c-transforms h^c(y) = min_i (c(x_i, y) − h_i) for the squared Euclidean and Euclidean costs by branch and
/// bound on a k-d tree over the points x, in place of a pass over every pair. Used by <see cref="DualBound"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Why the minimum is exact.</b> Before a transform, every node N of the tree gets an affine majorant of the
/// potential on its points: h_i ≤ α_N + ⟨γ_N, x_i⟩ for all i ∈ N, where γ_N is any vector (a least-squares fit of h on
/// a sample of N's points, or the parent's) and α_N = max_{i∈N} (h_i − ⟨γ_N, x_i⟩) is computed over all of N's points,
/// so the inequality holds by construction whatever γ_N is. For the squared Euclidean cost
/// ‖x − y‖² − ⟨γ, x⟩ = ‖x − z‖² − ⟨γ, y⟩ − ‖γ‖²/4 with z = y + γ/2, hence for every i ∈ N
/// c(x_i, y) − h_i ≥ dist²(z, box_N) − ⟨γ_N, y⟩ − ‖γ_N‖²/4 − α_N. For the Euclidean cost
/// ‖x − y‖ − ⟨γ, x⟩ ≥ (1 − ‖γ‖)·‖x − y‖ − ⟨γ, y⟩ by Cauchy–Schwarz, with ‖x − y‖ replaced by the box's least distance
/// when ‖γ‖ ≤ 1 and its largest when ‖γ‖ > 1. Both also take the plain bound dist(y, box_N)ᵖ − max_{i∈N} h_i (γ = 0)
/// and keep the larger. A node is skipped only when its bound exceeds the best value found so far by more than a
/// margin of 10⁻⁹ of the magnitudes that enter the bound, which covers its float64 rounding; so every skipped point
/// has a value above the minimum, and the minimum over the points evaluated is the minimum over all points.
/// </para>
/// <para>
/// <b>Why the result is a rigorous lower bound.</b> The pair values are computed in float64 from coordinate
/// differences; each carries a rounding error of at most (d + 3)·2⁻⁵³ of (c + |h|). The returned value is the
/// computed minimum less (2d + 16)·2⁻⁵² (|min| + 2 max |h|), which exceeds that error, so it is at most the
/// c-transform in exact arithmetic: u_i + v_j ≤ c(x_i, y_j) holds for the real costs of the float64 inputs, not only
/// for their rounded values.
/// </para>
/// <para>
/// <b>Cost.</b> Building the tree: O(n log n) time, the points in tree order (n·d doubles) and O(n/8) nodes of 2d
/// doubles. Each transform: O(n log n·d) to fit the node majorants, then per query a search that visits the nodes
/// whose bound is within reach — O(log n) nodes and a few leaves for low-dimensional data with a smooth potential,
/// more in high dimension (it never visits more than every leaf, the brute-force count). Queries run in parallel in
/// blocks of the other cloud's tree order (neighbouring queries, a warm first guess); the result does not depend on
/// the schedule because a minimum is exact.
/// </para>
/// </remarks>
internal sealed class DualBoundTree
{
    private const int LeafPoints = 12;
    private const int FitSample = 48;
    private const int QueryBlock = 256;

    private readonly double[] _points;
    private readonly int[] _order;
    private readonly int _n;
    private readonly int _d;
    private readonly bool _euclidean;
    private readonly int[] _start;
    private readonly int[] _count;
    private readonly int[] _left;
    private readonly int[] _parent;
    private readonly double[] _lo;
    private readonly double[] _hi;

    private DualBoundTree(double[] points, int[] order, int n, int d, bool euclidean, List<(int Start, int Count, int Left, int Parent)> nodes, double[] lo, double[] hi)
    {
        _points = points;
        _order = order;
        _n = n;
        _d = d;
        _euclidean = euclidean;
        _start = nodes.ConvertAll(t => t.Start).ToArray();
        _count = nodes.ConvertAll(t => t.Count).ToArray();
        _left = nodes.ConvertAll(t => t.Left).ToArray();
        _parent = nodes.ConvertAll(t => t.Parent).ToArray();
        _lo = lo;
        _hi = hi;
    }

    /// <summary>The number of points.</summary>
    public int Count => _n;

    /// <summary>Tree position → point index (the tree order).</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>Bytes held (points in tree order, order, nodes).</summary>
    public long Bytes => (8L * _points.Length) + (4L * _order.Length) + (16L * _start.Length) + (8L * (_lo.Length + _hi.Length));

    /// <summary>Builds the tree over n points of dimension d (row-major), splitting the widest box side at the median.</summary>
    public static DualBoundTree Build(ReadOnlySpan<double> data, int n, int d, bool euclidean)
    {
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var source = data.ToArray();
        var nodes = new List<(int Start, int Count, int Left, int Parent)>();
        var lo = new List<double>();
        var hi = new List<double>();
        var keys = new double[n];
        var stack = new Stack<(int Start, int Count, int Parent, bool IsLeft)>();
        stack.Push((0, n, -1, false));
        var boxLo = new double[d];
        var boxHi = new double[d];
        while (stack.Count > 0)
        {
            var (start, count, parent, isLeft) = stack.Pop();
            var id = nodes.Count;
            boxLo.AsSpan().Fill(double.PositiveInfinity);
            boxHi.AsSpan().Fill(double.NegativeInfinity);
            for (var p = start; p < start + count; p++)
            {
                var row = source.AsSpan(order[p] * d, d);
                for (var k = 0; k < d; k++)
                {
                    boxLo[k] = Math.Min(boxLo[k], row[k]);
                    boxHi[k] = Math.Max(boxHi[k], row[k]);
                }
            }

            lo.AddRange(boxLo);
            hi.AddRange(boxHi);
            nodes.Add((start, count, -1, parent));
            if (isLeft)
            {
                var pn = nodes[parent];
                nodes[parent] = pn with { Left = id };
            }

            if (count <= LeafPoints)
            {
                continue;
            }

            var axis = 0;
            for (var k = 1; k < d; k++)
            {
                if (boxHi[k] - boxLo[k] > boxHi[axis] - boxLo[axis])
                {
                    axis = k;
                }
            }

            if (!(boxHi[axis] > boxLo[axis]))
            {
                continue; // all points equal: a leaf of any size
            }

            var half = count / 2;
            for (var p = start; p < start + count; p++)
            {
                keys[p] = source[(order[p] * d) + axis];
            }

            Select(keys, order, start, start + count - 1, start + half);

            // Children are created left then right; the right child is always the node after the left subtree, so we
            // push right first and link it by its parent (Left is set when the left child is created).
            stack.Push((start + half, count - half, id, false));
            stack.Push((start, half, id, true));
        }

        var points = new double[(long)n * d];
        for (var p = 0; p < n; p++)
        {
            source.AsSpan(order[p] * d, d).CopyTo(points.AsSpan(p * d, d));
        }

        return new DualBoundTree(points, order, n, d, euclidean, nodes, lo.ToArray(), hi.ToArray()).Link();
    }

    /// <summary>The relative rounding allowance of a float64 c-transform in dimension <paramref name="d"/>: each computed
    /// minimum less (2d + 16)·2⁻⁵² (|min| + 2 max |h|) is at most the minimum in exact arithmetic (see the remarks).</summary>
    internal static double Allowance(int d) => ((2 * d) + 16) * Math.Pow(2, -52);

    /// <summary>Subtracts the allowance of <see cref="Allowance"/> from every computed minimum in <paramref name="minima"/>
    /// of c − <paramref name="h"/> (h finite or −∞; max |h| over its finite entries): the dense float64 transforms'.</summary>
    internal static void Allow(Span<double> minima, ReadOnlySpan<double> h, int d)
    {
        var maxAbs = 0.0;
        foreach (var value in h)
        {
            if (double.IsFinite(value))
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(value));
            }
        }

        var allowance = Allowance(d);
        for (var j = 0; j < minima.Length; j++)
        {
            minima[j] -= allowance * (Math.Abs(minima[j]) + (2 * maxAbs));
        }
    }

    /// <summary>
    /// dst_j = (min_i (c(x_i, y_j) − h_i)) less the rounding allowance, for every query point y_j; points with
    /// h_i = −∞ never win (their value is +∞). At least one h_i must be finite.
    /// </summary>
    /// <param name="h">The potential on the tree's points, in point order (length n), finite or −∞.</param>
    /// <param name="queries">The query points, row-major (m × d).</param>
    /// <param name="queryOrder">An order of the queries that keeps neighbours together (the other cloud's tree order).</param>
    /// <param name="dst">The transform, length m, in query order.</param>
    /// <param name="parallel">The thread budget and cancellation.</param>
    /// <param name="slack">A non-negative absolute tolerance τ (default 0: the exact minimum): a subtree is also skipped
    /// when its bound exceeds the best value found less τ, and τ is subtracted from every result, so each dst_j is still at
    /// most the exact minimum (the points skipped are above best − τ, the points evaluated at least best) and at least
    /// that minimum less τ. With the Euclidean cost the pair values along a transport ray tie (a potential with slope 1
    /// along the ray), so the exact search visits every leaf the ray crosses, ≈ √n of them; a small τ stops that.</param>
    /// <param name="curvature">Squared cost only: also bound each node by a majorant with the cost's own curvature,
    /// h_i ≤ ‖x_i‖² + ⟨γ', x_i⟩ + α' (γ' fitted to h − ‖x‖², α' exact over the node), which gives
    /// c(x_i, y) − h_i ≥ ‖y‖² − α' − ⟨2y + γ', x_i⟩ ≥ ‖y‖² − α' − Σ_k max(lo_k w_k, hi_k w_k) with w = 2y + γ', and keep the
    /// larger of the bounds. Exact where h − ‖x‖² is affine over the node: a c-concave potential inside one Laguerre cell,
    /// where the affine majorant loses the cell's curvature (stop 30, cert). The minima are the same either way.</param>
    /// <param name="fitEveryNode">Fit γ on every node (also those of at most 4·48 points, which otherwise take their
    /// parent's γ). Any γ gives a valid majorant (α is exact), so the minima are the same; for the squared cost on
    /// checkerboard at 262 144 the pairs evaluated per query fall 458 → 106 (sqcert, stop 31): a parent's γ misses the
    /// gradient of a small node by the gradient's change over the parent, a first-order loss where the potential bends or
    /// jumps.</param>
    public void Transform(ReadOnlySpan<double> h, ReadOnlySpan<double> queries, ReadOnlySpan<int> queryOrder, Span<double> dst, ParallelOptions parallel, double slack = 0, bool curvature = false, bool fitEveryNode = false)
    {
        if (!(slack >= 0) || !double.IsFinite(slack))
        {
            throw new ArgumentOutOfRangeException(nameof(slack), slack, "The slack must be non-negative and finite.");
        }

        var d = _d;
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

        var nodes = _start.Length;
        var gamma = new double[(long)nodes * d];
        var alpha = new double[nodes];
        var hmax = new double[nodes];
        FitMajorants(hs, gamma, alpha, hmax, parallel, fitEveryNode);
        Curved? curved = null;
        if (curvature && !_euclidean)
        {
            // h − ‖x‖² (−∞ where h is): its affine majorant per node is the curved majorant of h.
            var lifted = new double[_n];
            for (var p = 0; p < _n; p++)
            {
                lifted[p] = hs[p] == double.NegativeInfinity ? double.NegativeInfinity : hs[p] - Dot(_points.AsSpan(p * d, d), _points.AsSpan(p * d, d));
            }

            var gamma2 = new double[(long)nodes * d];
            var alpha2 = new double[nodes];
            FitMajorants(lifted, gamma2, alpha2, new double[nodes], parallel, fitEveryNode);
            var magnitude = new double[nodes];
            Parallel.For(0, nodes, parallel, id =>
            {
                var g = gamma2.AsSpan(id * d, d);
                var max = 0.0;
                for (var p = _start[id]; p < _start[id] + _count[id]; p++)
                {
                    if (hs[p] != double.NegativeInfinity)
                    {
                        var row = _points.AsSpan(p * d, d);
                        max = Math.Max(max, Math.Abs(hs[p]) + Dot(row, row) + Math.Abs(Dot(g, row)));
                    }
                }

                magnitude[id] = max;
            });
            curved = new Curved(gamma2, alpha2, magnitude);
        }

        var q = queries.ToArray();
        var order = queryOrder.ToArray();
        var result = new double[order.Length];
        var allowance = Allowance(d);
        var blocks = (order.Length + QueryBlock - 1) / QueryBlock;
        WorkerScratch.For(0, blocks, parallel, () => new QueryScratch(nodes), (b, scratch) =>
        {
            var hint = -1;
            var end = Math.Min(order.Length, (b + 1) * QueryBlock);
            for (var t = b * QueryBlock; t < end; t++)
            {
                var j = order[t];
                var (best, at) = Search(q.AsSpan(j * d, d), hs, gamma, alpha, hmax, curved, hint, slack, scratch);
                hint = at;
                result[j] = best - slack - (allowance * (Math.Abs(best) + (2 * maxAbs)));
            }
        }, scratch => Interlocked.Add(ref Evaluated, scratch.Evaluated));
        result.CopyTo(dst);
    }

    /// <summary>Pairs evaluated by the searches since the counter was last read and cleared (a diagnostic for benchmarks).</summary>
    internal static long Evaluated;

    // Node majorants h_i ≤ α + ⟨γ, x_i⟩: γ from a least-squares fit on up to FitSample evenly spaced points of the node
    // (nodes of at most 4·FitSample points reuse the parent's γ unless fitEveryNode), α exact over the node; hmax = max h (γ = 0).
    private void FitMajorants(double[] hs, double[] gamma, double[] alpha, double[] hmax, ParallelOptions parallel, bool fitEveryNode)
    {
        var d = _d;
        var nodes = _start.Length;
        var fitMin = fitEveryNode ? 0 : 4 * FitSample;

        // Nodes are numbered in pre-order, so every parent precedes its children: fit the large nodes first (in
        // parallel; they do not depend on each other), then copy γ down the small ones in order.
        Parallel.For(0, nodes, parallel, () => new FitScratch(d), (id, _, s) =>
        {
            if (_count[id] > fitMin)
            {
                Fit(id, hs, gamma.AsSpan(id * d, d), s);
            }

            return s;
        }, _ => { });
        for (var id = 0; id < nodes; id++)
        {
            if (_count[id] <= fitMin)
            {
                var parent = _parent[id];
                if (parent >= 0)
                {
                    gamma.AsSpan(parent * d, d).CopyTo(gamma.AsSpan(id * d, d));
                }
                else
                {
                    Fit(id, hs, gamma.AsSpan(0, d), new FitScratch(d));
                }
            }
        }

        if (_euclidean)
        {
            for (var id = 0; id < nodes; id++)
            {
                ShortenToUnit(gamma.AsSpan(id * d, d));
            }
        }

        Parallel.For(0, nodes, parallel, id =>
            (alpha[id], hmax[id]) = Envelope(_points.AsSpan(_start[id] * d, _count[id] * d), hs.AsSpan(_start[id], _count[id]), gamma.AsSpan(id * d, d)));
    }

    /// <summary>
    /// Shortens γ to length at most 1 and returns ‖γ‖²: Euclidean potentials are 1-Lipschitz, and a longer γ only
    /// weakens the bound (1 − ‖γ‖)·dist.
    /// </summary>
    internal static double ShortenToUnit(Span<double> g)
    {
        var norm2 = Dot(g, g);
        if (norm2 > 1)
        {
            var norm = Math.Sqrt(norm2);
            for (var k = 0; k < g.Length; k++)
            {
                g[k] /= norm;
            }

            norm2 = Dot(g, g);
        }

        return norm2;
    }

    /// <summary>
    /// α = max (h_p − ⟨γ, x_p⟩) and hmax = max h_p over the points (row-major) whose h is not −∞ (both −∞ when none):
    /// with them h_p ≤ α + ⟨γ, x_p⟩ and h_p ≤ hmax hold for every point, whatever γ is.
    /// </summary>
    internal static (double Alpha, double Hmax) Envelope(ReadOnlySpan<double> rows, ReadOnlySpan<double> hs, ReadOnlySpan<double> g)
    {
        var d = g.Length;
        var a = double.NegativeInfinity;
        var m = double.NegativeInfinity;
        for (var p = 0; p < hs.Length; p++)
        {
            var value = hs[p];
            if (value == double.NegativeInfinity)
            {
                continue;
            }

            a = Math.Max(a, value - Dot(g, rows.Slice(p * d, d)));
            m = Math.Max(m, value);
        }

        return (a, m);
    }

    private void Fit(int id, double[] hs, Span<double> g, FitScratch s) =>
        FitAffine(_points.AsSpan(_start[id] * _d, _count[id] * _d), hs.AsSpan(_start[id], _count[id]), _d, FitSample, g, s);

    /// <summary>
    /// γ of an affine majorant h ≈ ⟨γ, x⟩ + const: a least-squares fit of the finite h on up to <paramref name="samples"/>
    /// evenly spaced rows of <paramref name="points"/> (row-major, h.Length rows), ridge 1e-8; γ = 0 when it fails.
    /// Any γ gives a valid majorant once α is the exact maximum of h − ⟨γ, x⟩, so the fit only affects tightness.
    /// </summary>
    internal static void FitAffine(ReadOnlySpan<double> points, ReadOnlySpan<double> hs, int d, int samples, Span<double> g, FitScratch s)
    {
        var count = hs.Length;
        const int start = 0;
        samples = Math.Min(count, samples);
        var mean = s.Mean;
        Array.Clear(mean);
        var hMean = 0.0;
        var used = 0;
        for (var t = 0; t < samples; t++)
        {
            var p = start + (int)((long)t * count / samples);
            if (!double.IsFinite(hs[p]))
            {
                continue;
            }

            used++;
            hMean += hs[p];
            var row = points.Slice(p * d, d);
            for (var k = 0; k < d; k++)
            {
                mean[k] += row[k];
            }
        }

        g.Clear();
        if (used <= d)
        {
            return;
        }

        hMean /= used;
        for (var k = 0; k < d; k++)
        {
            mean[k] /= used;
        }

        var a = s.Normal;
        var rhs = s.Rhs;
        Array.Clear(a);
        Array.Clear(rhs);
        for (var t = 0; t < samples; t++)
        {
            var p = start + (int)((long)t * count / samples);
            if (!double.IsFinite(hs[p]))
            {
                continue;
            }

            var row = points.Slice(p * d, d);
            var dh = hs[p] - hMean;
            for (var k = 0; k < d; k++)
            {
                var dk = row[k] - mean[k];
                rhs[k] += dk * dh;
                for (var l = 0; l <= k; l++)
                {
                    a[(k * d) + l] += dk * (row[l] - mean[l]);
                }
            }
        }

        // Ridge: 1e-8 of the mean diagonal keeps a flat node solvable; γ only needs to be some vector.
        var trace = 0.0;
        for (var k = 0; k < d; k++)
        {
            trace += a[(k * d) + k];
        }

        var ridge = (1e-8 * trace / d) + 1e-300;
        for (var k = 0; k < d; k++)
        {
            a[(k * d) + k] += ridge;
        }

        // Cholesky on the lower triangle, then two triangular solves.
        for (var k = 0; k < d; k++)
        {
            var diag = a[(k * d) + k];
            for (var l = 0; l < k; l++)
            {
                diag -= a[(k * d) + l] * a[(k * d) + l];
            }

            if (!(diag > 0))
            {
                return; // γ = 0 is always valid
            }

            diag = Math.Sqrt(diag);
            a[(k * d) + k] = diag;
            for (var r = k + 1; r < d; r++)
            {
                var sum = a[(r * d) + k];
                for (var l = 0; l < k; l++)
                {
                    sum -= a[(r * d) + l] * a[(k * d) + l];
                }

                a[(r * d) + k] = sum / diag;
            }
        }

        for (var k = 0; k < d; k++)
        {
            var sum = rhs[k];
            for (var l = 0; l < k; l++)
            {
                sum -= a[(k * d) + l] * g[l];
            }

            g[k] = sum / a[(k * d) + k];
        }

        for (var k = d - 1; k >= 0; k--)
        {
            var sum = g[k];
            for (var l = k + 1; l < d; l++)
            {
                sum -= a[(l * d) + k] * g[l];
            }

            g[k] = sum / a[(k * d) + k];
        }

        for (var k = 0; k < d; k++)
        {
            if (!double.IsFinite(g[k]))
            {
                g.Clear();
                return;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double Best, int At) Search(ReadOnlySpan<double> y, double[] hs, double[] gamma, double[] alpha, double[] hmax, Curved? curved, int hint, double slack, QueryScratch s)
    {
        var d = _d;
        var best = double.PositiveInfinity;
        var at = -1;
        if (hint >= 0 && hs[hint] != double.NegativeInfinity)
        {
            best = PairCost(_points.AsSpan(hint * d, d), y) - hs[hint];
            at = hint;
        }

        // Each entry carries the bound and margin computed when it was pushed (its parent's ordering of the children needs
        // them), so a node's bound is computed once (stop 25, e1mspd; the values are the same, so is the search).
        var stack = s.Stack;
        var bounds = s.Bounds;
        var margins = s.Margins;
        var top = 0;
        bounds[top] = Bound(0, y, gamma, alpha, hmax, curved, out margins[top]);
        stack[top++] = 0;
        while (top > 0)
        {
            var id = stack[--top];
            var bound = bounds[top];
            var margin = margins[top];
            if (bound - margin > best - slack)
            {
                continue;
            }

            var left = _left[id];
            if (left < 0)
            {
                var end = _start[id] + _count[id];
                s.Evaluated += _count[id];
                for (var p = _start[id]; p < end; p++)
                {
                    var hp = hs[p];
                    if (hp == double.NegativeInfinity)
                    {
                        continue;
                    }

                    var value = PairCost(_points.AsSpan(p * d, d), y) - hp;
                    if (value < best)
                    {
                        best = value;
                        at = p;
                    }
                }

                continue;
            }

            // Visit the more promising child first: push it last.
            var right = RightChild(id);
            var bl = Bound(left, y, gamma, alpha, hmax, curved, out var ml);
            var br = Bound(right, y, gamma, alpha, hmax, curved, out var mr);
            if (bl <= br)
            {
                (stack[top], bounds[top], margins[top]) = (right, br, mr);
                top++;
                (stack[top], bounds[top], margins[top]) = (left, bl, ml);
                top++;
            }
            else
            {
                (stack[top], bounds[top], margins[top]) = (left, bl, ml);
                top++;
                (stack[top], bounds[top], margins[top]) = (right, br, mr);
                top++;
            }
        }

        return (best, at);
    }

    private int RightChild(int id) => _rightCache![id];

    private int[]? _rightCache;

    // Links every node to its right child: the child whose parent is the node and which is not its left child.
    private DualBoundTree Link()
    {
        var right = new int[_start.Length];
        right.AsSpan().Fill(-1);
        for (var id = 1; id < _start.Length; id++)
        {
            var parent = _parent[id];
            if (_left[parent] != id)
            {
                right[parent] = id;
            }
        }

        _rightCache = right;
        return this;
    }

    private double Bound(int id, ReadOnlySpan<double> y, double[] gamma, double[] alpha, double[] hmax, Curved? curved, out double margin)
    {
        var a = alpha[id];
        if (a == double.NegativeInfinity)
        {
            margin = 0;
            return double.PositiveInfinity;
        }

        var d = _d;
        var lo = _lo.AsSpan(id * d, d);
        var hi = _hi.AsSpan(id * d, d);
        var g = gamma.AsSpan(id * d, d);
        double near = 0, shifted = 0, far = 0, gy = 0, gg = 0;
        for (var k = 0; k < d; k++)
        {
            var yk = y[k];
            var gk = g[k];
            gy += gk * yk;
            gg += gk * gk;
            var below = lo[k] - yk;
            var above = yk - hi[k];
            var dn = below > 0 ? below : (above > 0 ? above : 0);
            near += dn * dn;
            if (_euclidean)
            {
                var df = Math.Max(Math.Abs(below), Math.Abs(above));
                far += df * df;
            }
            else
            {
                var z = yk + (0.5 * gk);
                var zb = lo[k] - z;
                var za = z - hi[k];
                var dz = zb > 0 ? zb : (za > 0 ? za : 0);
                shifted += dz * dz;
            }
        }

        double plain, affine;
        if (_euclidean)
        {
            var distance = Math.Sqrt(near);
            plain = distance - hmax[id];
            var norm = Math.Sqrt(gg);
            affine = (d <= 2 && norm <= 1 ? EuclideanMinimum(lo, hi, y, g) : (1 - norm) * (norm <= 1 ? distance : Math.Sqrt(far))) - gy - a;
            margin = 1e-9 * (distance + Math.Abs(hmax[id]) + Math.Abs(gy) + Math.Abs(a) + Math.Sqrt(far));
        }
        else
        {
            plain = near - hmax[id];
            affine = shifted - gy - (0.25 * gg) - a;
            margin = 1e-9 * (near + Math.Abs(hmax[id]) + shifted + Math.Abs(gy) + gg + Math.Abs(a));
            if (curved is { } c)
            {
                // h ≤ ‖x‖² + ⟨γ', x⟩ + α' on the node: c − h ≥ ‖y‖² − α' − ⟨2y + γ', x⟩, linear in x, least at a corner.
                var a2 = c.Alpha[id];
                var g2 = c.Gamma.AsSpan(id * d, d);
                double yy = 0, corner = 0, size = 0;
                for (var k = 0; k < d; k++)
                {
                    var yk = y[k];
                    yy += yk * yk;
                    var w = (2 * yk) + g2[k];
                    var wl = w * lo[k];
                    var wh = w * hi[k];
                    corner += Math.Max(wl, wh);
                    size += Math.Max(Math.Abs(wl), Math.Abs(wh));
                }

                var lifted = yy - a2 - corner;
                margin = Math.Max(margin, 1e-9 * (yy + Math.Abs(a2) + size + c.Magnitude[id] + Math.Abs(hmax[id])));
                affine = Math.Max(affine, lifted);
            }
        }

        return Math.Max(plain, affine);
    }

    /// <summary>
    /// min over x in the box [lo, hi] of ‖x − y‖ − ⟨γ, x − y⟩ for ‖γ‖ ≤ 1 in dimension 1 or 2, exactly: the function
    /// φ(w) = ‖w‖ − ⟨γ, w⟩ of w = x − y is convex with φ(0) = 0 = its minimum, so it is 0 when the box holds y and otherwise
    /// attained on an edge, where t ↦ √(t² + c²) − γ₁t − γ₂c is convex with its minimum at t = γ₁|c|/√(1 − γ₁²) (clamped).
    /// At least (1 − ‖γ‖)·dist(y, box), the Cauchy–Schwarz bound, and much more when γ does not point from y to the box;
    /// Euclidean potentials have ‖∇h‖ ≈ 1 wherever mass moves, where (1 − ‖γ‖)·dist is ≈ 0 and prunes nothing.
    /// Rounding: the edge minimum is evaluated at a computed minimizer, which errs by second order in its rounding, far
    /// inside the 10⁻⁹ margin of <see cref="Bound"/>.
    /// </summary>
    internal static double EuclideanMinimum(ReadOnlySpan<double> lo, ReadOnlySpan<double> hi, ReadOnlySpan<double> y, ReadOnlySpan<double> g)
    {
        var a0 = lo[0] - y[0];
        var b0 = hi[0] - y[0];
        if (lo.Length == 1)
        {
            // φ(w) = |w| − γw is convex and piecewise linear with its kink at 0.
            return a0 <= 0 && b0 >= 0 ? 0 : Math.Min(Math.Abs(a0) - (g[0] * a0), Math.Abs(b0) - (g[0] * b0));
        }

        var a1 = lo[1] - y[1];
        var b1 = hi[1] - y[1];
        if (a0 <= 0 && b0 >= 0 && a1 <= 0 && b1 >= 0)
        {
            return 0;
        }

        var min = Edge(a0, b0, a1, g[0], g[1]);
        min = Math.Min(min, Edge(a0, b0, b1, g[0], g[1]));
        min = Math.Min(min, Edge(a1, b1, a0, g[1], g[0]));
        return Math.Min(min, Edge(a1, b1, b0, g[1], g[0]));

        // min over t ∈ [from, to] of √(t² + c²) − gt·t − gc·c.
        static double Edge(double from, double to, double c, double gt, double gc)
        {
            var s = 1 - (gt * gt);
            var t = s > 0 ? gt * Math.Abs(c) / Math.Sqrt(s) : (gt > 0 ? to : from);
            t = Math.Clamp(t, from, to);
            return Math.Sqrt((t * t) + (c * c)) - (gt * t) - (gc * c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double PairCost(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var s = 0.0;
        for (var k = 0; k < x.Length; k++)
        {
            var t = y[k] - x[k];
            s += t * t;
        }

        return _euclidean ? Math.Sqrt(s) : s;
    }

    internal static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        var s = 0.0;
        for (var k = 0; k < u.Length; k++)
        {
            s += u[k] * v[k];
        }

        return s;
    }

    // Quickselect: puts the k-th smallest key at position k of [lo, hi], smaller (or equal) ones before, keys and
    // indices moved together; deterministic (median of three pivots).
    internal static void Select(double[] keys, int[] index, int lo, int hi, int k)
    {
        while (hi > lo)
        {
            var mid = lo + ((hi - lo) / 2);
            if (keys[mid] < keys[lo])
            {
                Swap(keys, index, mid, lo);
            }

            if (keys[hi] < keys[lo])
            {
                Swap(keys, index, hi, lo);
            }

            if (keys[hi] < keys[mid])
            {
                Swap(keys, index, hi, mid);
            }

            var pivot = keys[mid];
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (keys[i] < pivot)
                {
                    i++;
                }

                while (keys[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    Swap(keys, index, i, j);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return;
            }
        }
    }

    private static void Swap(double[] keys, int[] index, int a, int b)
    {
        (keys[a], keys[b]) = (keys[b], keys[a]);
        (index[a], index[b]) = (index[b], index[a]);
    }

    // The curved majorants of one transform (see Transform's curvature): γ', α' and the magnitudes of their node's terms.
    private sealed record Curved(double[] Gamma, double[] Alpha, double[] Magnitude);

    internal sealed class FitScratch(int d)
    {
        public double[] Mean { get; } = new double[d];

        public double[] Normal { get; } = new double[d * d];

        public double[] Rhs { get; } = new double[d];
    }

    private sealed class QueryScratch(int nodes)
    {
        public int[] Stack { get; } = new int[Math.Min(nodes, 256) + 2];

        public double[] Bounds { get; } = new double[Math.Min(nodes, 256) + 2];

        public double[] Margins { get; } = new double[Math.Min(nodes, 256) + 2];

        public long Evaluated;
    }
}
