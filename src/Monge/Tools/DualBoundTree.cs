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
    /// when its bound exceeds the best value found less τ, and each result is the least of the best value and the bounds
    /// (less their margins) of the nodes skipped, so each dst_j is still at most the exact minimum (every point skipped is
    /// at least its node's bound, every point evaluated at least best) and at least that minimum less τ; it is best less τ
    /// only where a skipped node's bound is that loose (before stop 31, ecert, best − τ everywhere). With the Euclidean cost the pair values along a transport ray tie (a potential with slope 1
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
    /// <param name="cones">Euclidean cost in 2-D only: an apex z_i for the points (see <see cref="Cones"/>), from which each
    /// node also gets the cone majorant h_i ≤ ‖x_i − z_N‖ + β_N (z_N the apex of the node's middle point, β_N exact over the
    /// node), a tight majorant where h is the c-transform of a potential on the apexes and the node lies in one apex's
    /// cell. Any apexes leave the minima exact; null: none.</param>
    /// <param name="argmin">When not null (length m), receives for each query the index of a point attaining the computed
    /// value (−1 when a skipped node's bound gave it): the apexes of the next transform.</param>
    public void Transform(ReadOnlySpan<double> h, ReadOnlySpan<double> queries, ReadOnlySpan<int> queryOrder, Span<double> dst, ParallelOptions parallel, double slack = 0, bool curvature = false, bool fitEveryNode = false, Cones? cones = null, int[]? argmin = null)
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

        ConeMajorants? cone = null;
        if (cones is { } cs && _euclidean && d == 2)
        {
            cone = ConeFit(hs, cs, parallel);
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
                var (best, at, value) = Search(q.AsSpan(j * d, d), hs, gamma, alpha, hmax, curved, cone, hint, slack, scratch);
                hint = at;
                result[j] = value - (allowance * (Math.Abs(value) + (2 * maxAbs)));
                if (argmin is not null)
                {
                    argmin[j] = value == best && at >= 0 ? _order[at] : -1;
                }
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
    private (double Best, int At, double Value) Search(ReadOnlySpan<double> y, double[] hs, double[] gamma, double[] alpha, double[] hmax, Curved? curved, ConeMajorants? cone, int hint, double slack, QueryScratch s)
    {
        // skipped: the least (bound − margin) of the nodes skipped, a lower bound of every point in them. The value returned
        // is min(best, skipped): with τ = 0 no node is skipped below best, so it is best; with τ > 0 it is at least best − τ
        // and usually much closer (stop 31, ecert), where before it was best − τ.
        var skipped = double.PositiveInfinity;
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
        s.ConeApex = -1;
        bounds[top] = cone is null ? Bound(0, y, gamma, alpha, hmax, curved, out margins[top]) : CheapBound(0, y, hmax, cone, s, out margins[top]);
        stack[top++] = 0;
        while (top > 0)
        {
            var id = stack[--top];
            var bound = bounds[top];
            var margin = margins[top];
            if (bound - margin > best - slack)
            {
                skipped = Math.Min(skipped, bound - margin);
                continue;
            }

            if (cone is not null)
            {
                // With cones the nodes are pushed with the cheap bounds (the box distance and the cone); the affine bound
                // (four edge minima) only for the nodes they keep.
                var affine = Bound(id, y, gamma, alpha, hmax, curved, out var affineMargin);
                if (affine - affineMargin > best - slack)
                {
                    skipped = Math.Min(skipped, affine - affineMargin);
                    continue;
                }
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
            var bl = cone is null ? Bound(left, y, gamma, alpha, hmax, curved, out var ml) : CheapBound(left, y, hmax, cone, s, out ml);
            var br = cone is null ? Bound(right, y, gamma, alpha, hmax, curved, out var mr) : CheapBound(right, y, hmax, cone, s, out mr);
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

        return (best, at, Math.Min(best, skipped));
    }

    // With cones (2-D Euclidean): the larger of the plain bound dist(y, box) − max h and the cone majorant's bound
    // ψ(R, θ₀) − β (ConeMinimum), each with the 10⁻⁹ margin of the magnitudes it reads.
    private double CheapBound(int id, ReadOnlySpan<double> y, double[] hmax, ConeMajorants cn, QueryScratch s, out double margin)
    {
        if (hmax[id] == double.NegativeInfinity)
        {
            margin = 0;
            return double.PositiveInfinity;
        }

        var b0 = _lo[2 * id] - y[0];
        var a0 = y[0] - _hi[2 * id];
        var b1 = _lo[(2 * id) + 1] - y[1];
        var a1 = y[1] - _hi[(2 * id) + 1];
        var d0 = b0 > 0 ? b0 : (a0 > 0 ? a0 : 0);
        var d1 = b1 > 0 ? b1 : (a1 > 0 ? a1 : 0);
        var distance = Math.Sqrt((d0 * d0) + (d1 * d1));
        var bound = distance - hmax[id];
        margin = 1e-9 * (distance + Math.Abs(hmax[id]));
        var beta = cn.Beta[id];
        if (double.IsFinite(beta))
        {
            var k = cn.Of[id];
            if (k != s.ConeApex)
            {
                var e0 = y[0] - cn.Points[2 * k];
                var e1 = y[1] - cn.Points[(2 * k) + 1];
                var rho = Math.Sqrt((e0 * e0) + (e1 * e1));
                (s.ConeApex, s.ConeRho, s.ConeE0, s.ConeE1) = (k, rho, rho > 0 ? e0 / rho : 0, rho > 0 ? e1 / rho : 0);
            }

            var geometry = cn.Geometry.AsSpan(ConeStride * id, ConeStride);
            bound = Math.Max(bound, ConeBound(geometry, s.ConeRho, s.ConeE0, s.ConeE1) - beta);
            margin = Math.Max(margin, 1e-9 * (geometry[4] + s.ConeRho + Math.Abs(beta) + Math.Abs(hmax[id])));
        }

        return bound;
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

    /// <summary>
    /// A lower bound of min over x in the box [lo, hi] (2-D) of ‖x − y‖ − ‖x − z‖, for the cone majorants of
    /// <see cref="Transform"/>'s cones (<see cref="ConeGeometry"/> then <see cref="ConeBound"/>, as the searches do). With
    /// ρ = ‖y − z‖, r = ‖x − z‖ and θ the angle between x − z and y − z, ψ = √(r² + ρ² − 2rρ cos θ) − r is non-increasing
    /// in r (its derivative is (r − ρ cos θ)/‖x − y‖ − 1 ≤ 0) and non-decreasing in θ ∈ [0, π]; so over the box
    /// ψ ≥ ψ(R, θ₀) with R the box's largest distance from z (a corner) and θ₀ its least angle: 0 when z is in the box or
    /// the direction of y − z lies between the box's two extreme corner directions seen from z (the box is convex and
    /// seen from a point outside under an angle below π, so its directions form the arc between those two), otherwise
    /// the angle to the nearer of them. ψ(R, θ₀) = √((R − ρ)² + Rρ·s²) − R with s = ‖û − ê‖ (2 − 2 cos θ₀ = s², unit
    /// vectors û, ê), evaluated without cancellation. On a transport ray (θ₀ = 0, R ≥ ρ) it is −ρ, the value of the tied
    /// points, which the affine majorant misses by the cone's curvature over the node. Rounding: a few ulps of R + ρ (an
    /// arc test that errs near an extreme direction errs where s ≈ 0 either way), far inside the 10⁻⁹ margin the search
    /// adds (R and ρ enter it).
    /// </summary>
    internal static double ConeMinimum(double lo0, double hi0, double lo1, double hi1, double z0, double z1, double y0, double y1, out double reach, out double rho)
    {
        Span<double> geometry = stackalloc double[ConeStride];
        ConeGeometry(lo0, hi0, lo1, hi1, z0, z1, geometry);
        reach = geometry[4];
        var e0 = y0 - z0;
        var e1 = y1 - z1;
        rho = Math.Sqrt((e0 * e0) + (e1 * e1));
        return ConeBound(geometry, rho, rho > 0 ? e0 / rho : 0, rho > 0 ? e1 / rho : 0);
    }

    // Per node: the two extreme unit directions from z to the box's corners (a₀, a₁, b₀, b₁, with a × b ≥ 0; NaN when z is
    // in the box: every direction), then R = the largest distance from z to a corner.
    private const int ConeStride = 5;

    private static void ConeGeometry(double lo0, double hi0, double lo1, double hi1, double z0, double z1, Span<double> geometry)
    {
        var f0 = Math.Max(Math.Abs(lo0 - z0), Math.Abs(hi0 - z0));
        var f1 = Math.Max(Math.Abs(lo1 - z1), Math.Abs(hi1 - z1));
        geometry[4] = Math.Sqrt((f0 * f0) + (f1 * f1));
        if (z0 >= lo0 && z0 <= hi0 && z1 >= lo1 && z1 <= hi1)
        {
            geometry[..4].Fill(double.NaN);
            return;
        }

        Span<double> u = stackalloc double[8];
        var corner = 0;
        foreach (var c0 in (ReadOnlySpan<double>)[lo0 - z0, hi0 - z0])
        {
            foreach (var c1 in (ReadOnlySpan<double>)[lo1 - z1, hi1 - z1])
            {
                var norm = Math.Sqrt((c0 * c0) + (c1 * c1));
                u[2 * corner] = c0 / norm;
                u[(2 * corner) + 1] = c1 / norm;
                corner++;
            }
        }

        // The extreme pair: the least dot product (the widest angle; all angles are below π).
        int a = 0, b = 0;
        var least = double.PositiveInfinity;
        for (var p = 0; p < 4; p++)
        {
            for (var q = p; q < 4; q++)
            {
                var dot = (u[2 * p] * u[2 * q]) + (u[(2 * p) + 1] * u[(2 * q) + 1]);
                if (dot < least)
                {
                    (least, a, b) = (dot, p, q);
                }
            }
        }

        if ((u[2 * a] * u[(2 * b) + 1]) - (u[(2 * a) + 1] * u[2 * b]) < 0)
        {
            (a, b) = (b, a);
        }

        (geometry[0], geometry[1], geometry[2], geometry[3]) = (u[2 * a], u[(2 * a) + 1], u[2 * b], u[(2 * b) + 1]);
    }

    // ψ(R, θ₀) of ConeMinimum from a node's cone geometry and the query's ρ and unit direction e from z.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ConeBound(ReadOnlySpan<double> geometry, double rho, double e0, double e1)
    {
        var r = geometry[4];
        var s2 = 0.0;
        var a0 = geometry[0];
        if (!double.IsNaN(a0) && rho > 0)
        {
            var a1 = geometry[1];
            var b0 = geometry[2];
            var b1 = geometry[3];
            if ((a0 * e1) - (a1 * e0) < 0 || (e0 * b1) - (e1 * b0) < 0)
            {
                var da0 = a0 - e0;
                var da1 = a1 - e1;
                var db0 = b0 - e0;
                var db1 = b1 - e1;
                s2 = Math.Min((da0 * da0) + (da1 * da1), (db0 * db0) + (db1 * db1));
            }
        }

        var dr = r - rho;
        return Math.Sqrt((dr * dr) + (r * rho * s2)) - r;
    }

    // The cone majorants of one transform: per node the apex z_N (2-D, the apex of its middle point), its cone geometry
    // and β_N = max over the node's points with finite h of h_p − ‖x_p − z_N‖ (+∞ when the node has no apex or no finite
    // h: no cone bound).
    private ConeMajorants ConeFit(double[] hs, Cones cones, ParallelOptions parallel)
    {
        var nodes = _start.Length;
        var of = new int[nodes];
        var geometry = new double[ConeStride * nodes];
        var beta = new double[nodes];
        var points = cones.Points;
        Parallel.For(0, nodes, parallel, id =>
        {
            var start = _start[id];
            var count = _count[id];
            var k = cones.Of[_order[start + (count / 2)]];
            of[id] = k;
            if (k < 0)
            {
                beta[id] = double.PositiveInfinity;
                return;
            }

            var z0 = points[2 * k];
            var z1 = points[(2 * k) + 1];
            ConeGeometry(_lo[2 * id], _hi[2 * id], _lo[(2 * id) + 1], _hi[(2 * id) + 1], z0, z1, geometry.AsSpan(ConeStride * id, ConeStride));
            var max = double.NegativeInfinity;
            for (var p = start; p < start + count; p++)
            {
                if (hs[p] == double.NegativeInfinity)
                {
                    continue;
                }

                var d0 = _points[2 * p] - z0;
                var d1 = _points[(2 * p) + 1] - z1;
                max = Math.Max(max, hs[p] - Math.Sqrt((d0 * d0) + (d1 * d1)));
            }

            beta[id] = max == double.NegativeInfinity ? double.PositiveInfinity : max;
        });
        return new ConeMajorants(points, of, geometry, beta);
    }

    /// <summary>Apexes for the cone majorants of <see cref="Transform"/> (2-D Euclidean): <paramref name="Points"/> row-major
    /// (k × 2) and, per tree point in point order, the row of its apex or −1.</summary>
    internal sealed record Cones(double[] Points, int[] Of);

    private sealed record ConeMajorants(double[] Points, int[] Of, double[] Geometry, double[] Beta);

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

        // The last apex of a cone bound in this query's search, ρ = ‖y − z‖ and the unit direction of y − z.
        public int ConeApex = -1;

        public double ConeRho;

        public double ConeE0;

        public double ConeE1;
    }
}
