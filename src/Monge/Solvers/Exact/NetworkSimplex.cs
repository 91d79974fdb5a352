using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;

namespace Monge.Solvers.Exact;

/// <summary>
/// Exact optimal transport between two weighted discrete measures (any n, m, any non-negative weights of equal
/// mass) by the primal network simplex on the complete bipartite graph, with a block-search pivot rule.
/// </summary>
/// <remarks>
/// <para>The method follows Kovács, "Minimum-cost flow algorithms: an experimental evaluation", Optimization Methods
/// and Software 30 (2015) (the LEMON network simplex used by POT's <c>ot.emd</c>, Bonneel et al. 2011): an artificial
/// root with big-M arcs gives the first strongly feasible spanning tree, entering arcs are chosen by block search
/// (blocks of √(n·m) arcs, the most negative reduced cost in the first block that has one), and the leaving arc is
/// the last blocking arc of the cycle, which keeps the tree strongly feasible and prevents cycling.</para>
/// <para>Differences from LEMON: arcs of the bipartite graph are implicit (i = e / m, j = e mod m), no per-arc state
/// or flow is stored (non-tree arcs carry no flow since capacities are infinite; tree-arc flows live on the child
/// node), the tree is kept as parent/child lists with depths, and pricing sweeps rows of C with SIMD.
/// Memory: the cost matrix plus O(n + m). Time: pivots × (pricing + subtree update); empirically about O(n² ·
/// √n)–O(n³) on dense geometric problems.</para>
/// </remarks>
public sealed partial record NetworkSimplex
{
    /// <summary>Maximum number of pivots; reaching it returns the current feasible plan with status MaxIterations.</summary>
    public long MaxIterations { get; init; } = 1_000_000_000;

    /// <summary>
    /// When true, the two weight vectors are each scaled to total mass one; when false (default) weights whose
    /// totals differ by more than 1e-9 (relative) are rejected with <see cref="InputProblem.MassMismatch"/>.
    /// </summary>
    public bool NormalizeMasses { get; init; }

    /// <summary>Solves exact OT for a dense row-major n × m cost and weights a (n) and b (m).</summary>
    /// <param name="cost">Row-major costs, length n·m, finite.</param>
    /// <param name="a">Source weights (non-negative, positive total).</param>
    /// <param name="b">Target weights (non-negative, positive total).</param>
    /// <param name="progress">Receives a report every 65 536 pivots.</param>
    /// <param name="cancellationToken">Checked every 1 024 pivots; cancellation returns status Cancelled.</param>
    /// <exception cref="InputValidationException">Bad shapes, non-finite costs, invalid weights or unequal masses.</exception>
    public NetworkSimplexResult Solve(
        ReadOnlySpan<double> cost,
        ReadOnlySpan<double> a,
        ReadOnlySpan<double> b,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var supply = Supplies(cost, a, b);
        var solver = new Engine(cost, a.Length, b.Length, supply);
        return solver.Run(MaxIterations, progress, cancellationToken);
    }

    /// <summary>
    /// Solves the balanced problem <paramref name="problem"/> exactly with its weights a and b as given. The cost is
    /// read through the geometry once into a dense n × m array (n·m doubles): from the points and the cost function
    /// for an <see cref="IPointCloudGeometry{T}"/>, through <see cref="CostGeometry{T}.FillCostBlock"/> otherwise.
    /// Every cost is supported.
    /// </summary>
    /// <param name="problem">A balanced problem (τ_a = τ_b = 1).</param>
    /// <param name="progress">Receives a report every 65 536 pivots.</param>
    /// <param name="cancellationToken">Checked every 1 024 pivots; cancellation returns status Cancelled.</param>
    /// <returns>The plan; <see cref="NetworkSimplexResult.Cost"/> is ⟨C, P⟩ with the problem's masses.</returns>
    /// <exception cref="InputValidationException">A relaxed marginal, non-finite costs, or masses that differ by more
    /// than 1e-9 (relative) while <see cref="NormalizeMasses"/> is false.</exception>
    public NetworkSimplexResult Solve(LinearProblem<double> problem, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (!problem.IsBalanced)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"NetworkSimplex solves balanced problems, but the problem relaxes a marginal ({problem.Relaxation}); use Sinkhorn or Frlc for unbalanced problems.",
                nameof(problem));
        }

        var cost = LinearAssignment.DenseCost(problem.Geometry);
        return Solve(cost, problem.A, problem.B, progress, cancellationToken);
    }

    /// <summary>Solves exact OT between two weighted point clouds (uniform weights when none are given) under any cost.</summary>
    /// <remarks>Builds the dense n × m cost (n·m doubles). The weights are used as given (normalized to mass one each
    /// when <see cref="NormalizeMasses"/> is true).</remarks>
    /// <param name="x">Source points (and weights).</param>
    /// <param name="y">Target points (and weights), same dimension.</param>
    /// <param name="cost">The ground cost (null: squared Euclidean).</param>
    /// <param name="progress">Receives a report every 65 536 pivots.</param>
    /// <param name="cancellationToken">Checked every 1 024 pivots.</param>
    /// <exception cref="InputValidationException">Dimensions differ, or the masses differ and <see cref="NormalizeMasses"/> is false.</exception>
    public NetworkSimplexResult Solve(
        PointCloud<double> x,
        PointCloud<double> y,
        ICostFunction<double>? cost = null,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Solve(NormalizeMasses ? LinearProblem<double>.FromPointClouds(Normalized(x), Normalized(y), cost) : LinearProblem<double>.FromPointClouds(x, y, cost), progress, cancellationToken);

    private static PointCloud<double> Normalized(PointCloud<double> cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        return cloud.WithWeights(cloud.NormalizedWeights());
    }

    /// <summary>The spanning-tree state of one run.</summary>
    private ref partial struct Engine
    {
        private readonly ReadOnlySpan<double> _cost;
        private readonly int _n;
        private readonly int _m;
        private readonly int _root;
        private readonly long _arcs;
        private readonly double _artCost;
        private readonly double _tolerance;
        private readonly int[] _parent;
        private readonly long[] _pred;
        private readonly bool[] _up;
        private readonly double[] _flow;
        private readonly double[] _pi;
        private readonly int[] _depth;
        private readonly int[] _firstChild;
        private readonly int[] _nextSibling;
        private readonly int[] _prevSibling;
        private readonly int[] _stack;
        private readonly double[] _supply;
        private long _nextArc;

        public Engine(ReadOnlySpan<double> cost, int n, int m, double[] supply)
        {
            _cost = cost;
            _n = n;
            _m = m;
            _root = n + m;
            _arcs = (long)n * m;
            _supply = supply;
            (_artCost, _tolerance) = BigM(cost, n, m);
            var nodes = n + m + 1;
            _parent = new int[nodes];
            _pred = new long[nodes];
            _up = new bool[nodes];
            _flow = new double[nodes];
            _pi = new double[nodes];
            _depth = new int[nodes];
            _firstChild = new int[nodes];
            _nextSibling = new int[nodes];
            _prevSibling = new int[nodes];
            _stack = new int[nodes];
            _nextArc = 0;
        }

        /// <summary>
        /// The big-M set-up of both constructors: artificial arcs cost (n + m + 1)·max|C| (max|C| = 1 for an all-zero cost),
        /// and the pricing tolerance is a few ulps of it (potentials grow to about the artificial cost). A non-finite entry
        /// throws <see cref="InputValidationException"/> naming it.
        /// </summary>
        private static (double ArtCost, double Tolerance) BigM(ReadOnlySpan<double> cost, int n, int m)
        {
            var maxAbs = 0.0;
            foreach (var c in cost)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(c));
            }

            if (!double.IsFinite(maxAbs))
            {
                // Math.Max propagates NaN, so one non-finite entry makes the maximum non-finite.
                var k = 0;
                while (double.IsFinite(cost[k]))
                {
                    k++;
                }

                throw new InputValidationException(InputProblem.NonFinite, $"Cost entry ({k / m}, {k % m}) is {cost[k]}.", nameof(cost), k);
            }

            var artCost = (maxAbs > 0 ? maxAbs : 1.0) * (n + m + 1);
            return (artCost, 16 * 2.220446049250313e-16 * artCost);
        }

        public NetworkSimplexResult Run(long maxIterations, IProgress<SolverProgress>? progress, CancellationToken cancellationToken, NetworkSimplexBasis? start = null)
        {
            var stopwatch = Stopwatch.StartNew();
            if (start is null || !Restore(start))
            {
                Initialize();
            }

            var (status, iterations) = Pivots(maxIterations, progress, cancellationToken);
            return Extract(status, iterations, stopwatch.Elapsed);
        }

        /// <summary>
        /// Pivots until no arc enters (Converged), <paramref name="maxIterations"/> pivots (MaxIterations) or cancellation
        /// (checked every 1 024 pivots); progress every 65 536 pivots. The one pivot loop of <see cref="Run"/> and RunInPlace.
        /// </summary>
        private (SolverStatus Status, long Iterations) Pivots(long maxIterations, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
        {
            var blockSize = Math.Max(10L, (long)Math.Ceiling(Math.Sqrt(_arcs)));
            long iterations = 0;
            while (true)
            {
                if (iterations >= maxIterations)
                {
                    return (SolverStatus.MaxIterations, iterations);
                }

                if ((iterations & 1023) == 0 && cancellationToken.IsCancellationRequested)
                {
                    return (SolverStatus.Cancelled, iterations);
                }

                var entering = FindEnteringArc(blockSize);
                if (entering < 0)
                {
                    return (SolverStatus.Converged, iterations);
                }

                Pivot(entering);
                iterations++;
                if ((iterations & 65535) == 0)
                {
                    progress?.Report(new SolverProgress("network simplex", iterations, 0, double.NaN));
                }
            }
        }

        /// <summary>
        /// Writes the tree's positive real-arc flows (row, column, mass, at most n + m) into the spans in node order and
        /// returns their count and ⟨C, P⟩; a Converged status becomes Infeasible when artificial arcs still carry more than
        /// 1e-9 of the supply. Shared by <see cref="Extract"/> and RunInPlace.
        /// </summary>
        private readonly (int Count, double Total) CollectPlan(Span<int> rows, Span<int> cols, Span<double> mass, ref SolverStatus status)
        {
            var count = 0;
            var total = 0.0;
            var artificial = 0.0;
            var supplyScale = 0.0;
            for (var u = 0; u < _n; u++)
            {
                supplyScale += _supply[u];
            }

            for (var u = 0; u < _n + _m; u++)
            {
                var e = _pred[u];
                var f = _flow[u];
                if (e >= _arcs)
                {
                    artificial += f;
                }
                else if (f > 0)
                {
                    rows[count] = (int)(e / _m);
                    cols[count] = (int)(e % _m);
                    mass[count] = f;
                    total += f * _cost[(int)e];
                    count++;
                }
            }

            if (status == SolverStatus.Converged && artificial > 1e-9 * supplyScale)
            {
                status = SolverStatus.Infeasible;
            }

            return (count, total);
        }

        private readonly double ArcCost(long e) =>
            e < _arcs ? _cost[(int)e] : ((int)(e - _arcs) < _n ? 0 : _artCost);

        private readonly int Source(long e) => e < _arcs ? (int)(e / _m) : ((int)(e - _arcs) < _n ? (int)(e - _arcs) : _root);

        private readonly int Target(long e) => e < _arcs ? _n + (int)(e % _m) : ((int)(e - _arcs) < _n ? _root : (int)(e - _arcs));

        private readonly void Initialize()
        {
            var nodes = _n + _m;
            _parent[_root] = -1;
            _pred[_root] = -1;
            _depth[_root] = 0;
            _pi[_root] = 0;
            _prevSibling.AsSpan().Fill(-1);
            _nextSibling.AsSpan().Fill(-1);
            _firstChild.AsSpan().Fill(-1);
            for (var u = 0; u < nodes; u++)
            {
                _parent[u] = _root;
                _pred[u] = _arcs + u;
                _depth[u] = 1;
                if (u < _n)
                {
                    _up[u] = true;
                    _flow[u] = _supply[u];
                    _pi[u] = 0;
                }
                else
                {
                    _up[u] = false;
                    _flow[u] = -_supply[u];
                    _pi[u] = _artCost;
                }

                AttachChild(u, _root);
            }
        }

        private readonly void AttachChild(int u, int parent)
        {
            var first = _firstChild[parent];
            _nextSibling[u] = first;
            _prevSibling[u] = -1;
            if (first >= 0)
            {
                _prevSibling[first] = u;
            }

            _firstChild[parent] = u;
        }

        private readonly void DetachChild(int u, int parent)
        {
            var prev = _prevSibling[u];
            var next = _nextSibling[u];
            if (prev >= 0)
            {
                _nextSibling[prev] = next;
            }
            else
            {
                _firstChild[parent] = next;
            }

            if (next >= 0)
            {
                _prevSibling[next] = prev;
            }
        }

        /// <summary>Block search: the most negative reduced cost within the first block (of √(nm) arcs) that has one.</summary>
        private long FindEnteringArc(long blockSize)
        {
            var best = -_tolerance;
            long bestArc = -1;
            var e = _nextArc;
            long scanned = 0;
            var inBlock = 0L;
            var piTargets = _pi.AsSpan(_n, _m);
            while (scanned < _arcs)
            {
                var i = (int)(e / _m);
                var j = (int)(e % _m);
                var len = (int)Math.Min(_m - j, Math.Min(blockSize - inBlock, _arcs - scanned));
                var row = _cost.Slice((i * _m) + j, len);
                var (value, at) = MinReduced(row, piTargets.Slice(j, len), _pi[i]);
                if (value < best)
                {
                    var candidate = e + at;
                    if (_pred[i] != candidate && _pred[_n + j + at] != candidate)
                    {
                        best = value;
                        bestArc = candidate;
                    }
                }

                e += len;
                if (e >= _arcs)
                {
                    e = 0;
                }

                scanned += len;
                inBlock += len;
                if (inBlock >= blockSize)
                {
                    if (bestArc >= 0)
                    {
                        _nextArc = e;
                        return bestArc;
                    }

                    inBlock = 0;
                }
            }

            _nextArc = e;
            return bestArc;
        }

        /// <summary>min over k of row[k] + piSource − piTarget[k], with its position.</summary>
        private static (double Value, int At) MinReduced(ReadOnlySpan<double> row, ReadOnlySpan<double> piTarget, double piSource)
        {
            var best = double.PositiveInfinity;
            var at = -1;
            var k = 0;
            if (Vector256.IsHardwareAccelerated && row.Length >= 8)
            {
                ref var r = ref MemoryMarshal.GetReference(row);
                ref var p = ref MemoryMarshal.GetReference(piTarget);
                var vs = Vector256.Create(piSource);
                var vmin = Vector256.Create(double.PositiveInfinity);
                var vidx = Vector256<double>.Zero;
                var idx = Vector256<double>.Indices;
                var step = Vector256.Create(4.0);
                for (; k <= row.Length - 4; k += 4)
                {
                    var rc = Vector256.LoadUnsafe(ref r, (nuint)k) + vs - Vector256.LoadUnsafe(ref p, (nuint)k);
                    var lt = Vector256.LessThan(rc, vmin);
                    vmin = Vector256.ConditionalSelect(lt, rc, vmin);
                    vidx = Vector256.ConditionalSelect(lt, idx, vidx);
                    idx += step;
                }

                for (var lane = 0; lane < 4; lane++)
                {
                    if (vmin[lane] < best)
                    {
                        best = vmin[lane];
                        at = (int)vidx[lane];
                    }
                }
            }

            for (; k < row.Length; k++)
            {
                var rc = row[k] + piSource - piTarget[k];
                if (rc < best)
                {
                    best = rc;
                    at = k;
                }
            }

            return (best, at);
        }

        private readonly void Pivot(long inArc)
        {
            var first = Source(inArc);
            var second = Target(inArc);

            // Join node: the lowest common ancestor of the arc's end points.
            var u = first;
            var w = second;
            while (u != w)
            {
                if (_depth[u] > _depth[w])
                {
                    u = _parent[u];
                }
                else if (_depth[w] > _depth[u])
                {
                    w = _parent[w];
                }
                else
                {
                    u = _parent[u];
                    w = _parent[w];
                }
            }

            var join = u;

            // Leaving arc: the last blocking arc in the cycle's direction (join → first → second → join).
            var delta = double.PositiveInfinity;
            var uOut = -1;
            var side = 0;
            for (u = first; u != join; u = _parent[u])
            {
                if (_up[u] && _flow[u] < delta)
                {
                    delta = _flow[u];
                    uOut = u;
                    side = 1;
                }
            }

            for (u = second; u != join; u = _parent[u])
            {
                if (!_up[u] && _flow[u] <= delta)
                {
                    delta = _flow[u];
                    uOut = u;
                    side = 2;
                }
            }

            // Augment.
            if (delta > 0)
            {
                for (u = first; u != join; u = _parent[u])
                {
                    _flow[u] += _up[u] ? -delta : delta;
                }

                for (u = second; u != join; u = _parent[u])
                {
                    _flow[u] += _up[u] ? delta : -delta;
                }
            }

            int uIn, vIn;
            if (side == 1)
            {
                uIn = first;
                vIn = second;
            }
            else
            {
                uIn = second;
                vIn = first;
            }

            // Reduced cost of the entering arc before the potentials move.
            var rc = ArcCost(inArc) + _pi[first] - _pi[second];
            var sigma = uIn == first ? -rc : rc;

            // Re-hang the stem uIn → … → uOut below vIn, reversing its arcs.
            var carriedPred = inArc;
            var carriedUp = uIn == first;
            var carriedFlow = delta;
            var newParent = vIn;
            u = uIn;
            while (true)
            {
                var oldParent = _parent[u];
                var oldPred = _pred[u];
                var oldUp = _up[u];
                var oldFlow = _flow[u];
                DetachChild(u, oldParent);
                _parent[u] = newParent;
                _pred[u] = carriedPred;
                _up[u] = carriedUp;
                _flow[u] = carriedFlow;
                AttachChild(u, newParent);
                if (u == uOut)
                {
                    break;
                }

                carriedPred = oldPred;
                carriedUp = !oldUp;
                carriedFlow = oldFlow;
                newParent = u;
                u = oldParent;
            }

            // Shift potentials and depths over the moved subtree.
            var top = 0;
            _stack[top++] = uIn;
            while (top > 0)
            {
                var x = _stack[--top];
                _pi[x] += sigma;
                _depth[x] = _depth[_parent[x]] + 1;
                for (var c = _firstChild[x]; c >= 0; c = _nextSibling[c])
                {
                    _stack[top++] = c;
                }
            }
        }

        private readonly NetworkSimplexResult Extract(SolverStatus status, long iterations, TimeSpan elapsed)
        {
            var rows = new int[_n + _m];
            var cols = new int[_n + _m];
            var mass = new double[_n + _m];
            var (count, total) = CollectPlan(rows, cols, mass, ref status);

            var f0 = new double[_n];
            var g0 = new double[_m];
            for (var i = 0; i < _n; i++)
            {
                f0[i] = -_pi[i];
            }

            for (var j = 0; j < _m; j++)
            {
                g0[j] = _pi[_n + j];
            }

            // Potentials are defined up to a constant (f + s, g − s): fix the gauge f[0] = 0.
            var shift = f0[0];
            for (var i = 0; i < _n; i++)
            {
                f0[i] -= shift;
            }

            for (var j = 0; j < _m; j++)
            {
                g0[j] += shift;
            }

            var convergence = new Convergence(status, (int)Math.Min(iterations, int.MaxValue), status == SolverStatus.Converged ? 0 : double.NaN, _tolerance, [], elapsed);
            return new NetworkSimplexResult(rows[..count], cols[..count], mass[..count], total, f0, g0, _n, _m, convergence);
        }
    }
}
