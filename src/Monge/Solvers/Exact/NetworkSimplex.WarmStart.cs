using Monge.Problems;

namespace Monge.Solvers.Exact;

/// <content>Warm starts: a sequence of problems with the same weights and new costs, each started from the last tree.</content>
public sealed partial record NetworkSimplex
{
    /// <summary>
    /// Solves exact OT like <see cref="Solve(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, IProgress{SolverProgress}, CancellationToken)"/>,
    /// starting from the spanning tree saved in <paramref name="basis"/> when it was saved for the same shape and weights
    /// (otherwise from the artificial big-M tree), and saves the final tree there. The answer is optimal either way; a
    /// start from the tree of a nearby cost needs few pivots (none when the old tree is still optimal).
    /// </summary>
    /// <param name="cost">Row-major costs, length n·m, finite.</param>
    /// <param name="a">Source weights.</param>
    /// <param name="b">Target weights.</param>
    /// <param name="basis">The tree of the previous run (read, then overwritten with this run's tree).</param>
    /// <param name="cancellationToken">Checked every 1 024 pivots.</param>
    internal NetworkSimplexResult SolveFrom(NetworkSimplexBasis basis, ReadOnlySpan<double> cost, ReadOnlySpan<double> a, ReadOnlySpan<double> b, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var supply = Supplies(cost, a, b);
        var n = a.Length;
        var m = b.Length;
        var warm = basis.Matches(n, m, supply);
        var engine = new Engine(cost, n, m, supply);
        var result = engine.Run(MaxIterations, null, cancellationToken, warm ? basis : null);
        basis.Prepare(n, m, supply);
        engine.Save(basis);
        basis.LastPivots = result.Convergence.Iterations;
        return result;
    }

    /// <summary>
    /// Solves exact OT like <see cref="SolveFrom"/> without allocating: the engine runs on the arrays of
    /// <paramref name="workspace"/> (tree, flows, potentials), starting from its tree when it holds one for these weights
    /// (otherwise from the big-M tree), and leaves the plan, its cost, the status and the pivot count there. The first
    /// run with new weights validates everything (as <see cref="Solve(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, IProgress{SolverProgress}, CancellationToken)"/>);
    /// later runs check only that the costs are finite. The same pivots as <see cref="SolveFrom"/>, hence the same plan.
    /// For many small solves in a loop (free-support barycenters), where allocation and copies dominate.
    /// </summary>
    /// <param name="workspace">Sized and filled by this call; reuse it for the next problem with the same weights.</param>
    /// <param name="cost">Row-major costs, length n·m, finite.</param>
    /// <param name="a">Source weights.</param>
    /// <param name="b">Target weights.</param>
    /// <exception cref="InputValidationException">Bad shapes, non-finite costs, invalid weights or unequal masses.</exception>
    internal void SolveInPlace(NetworkSimplexWorkspace workspace, ReadOnlySpan<double> cost, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (!workspace.Matches(a, b) || cost.Length != (long)a.Length * b.Length)
        {
            workspace.Prepare(a, b, Supplies(cost, a, b));
        }

        if (MaxIterations < 0)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"MaxIterations must be non-negative (got {MaxIterations}).");
        }

        var engine = new Engine(cost, workspace);
        engine.RunInPlace(MaxIterations, workspace);
    }

    /// <summary>Checks the shapes, costs, weights and options and returns the node supplies (a, then −b rescaled to a's mass).</summary>
    private double[] Supplies(ReadOnlySpan<double> cost, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var n = a.Length;
        var m = b.Length;
        var massA = Marginals.Validate(a, n, nameof(a));
        var massB = Marginals.Validate(b, m, nameof(b));
        if (cost.Length != (long)n * m)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Cost has {cost.Length} entries but {n} × {m} are needed.", nameof(cost));
        }

        for (var k = 0; k < cost.Length; k++)
        {
            if (!double.IsFinite(cost[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Cost entry ({k / m}, {k % m}) is {cost[k]}.", nameof(cost), k);
            }
        }

        if (MaxIterations < 0)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"MaxIterations must be non-negative (got {MaxIterations}).");
        }

        var scaleA = 1.0;
        var scaleB = 1.0;
        if (NormalizeMasses)
        {
            scaleA = 1.0 / massA;
            scaleB = 1.0 / massB;
        }
        else if (Math.Abs(massA - massB) > 1e-9 * Math.Max(massA, massB))
        {
            throw new InputValidationException(
                InputProblem.MassMismatch,
                $"Source mass {massA:R} and target mass {massB:R} differ; exact OT needs equal masses (set NormalizeMasses to rescale both to one).",
                nameof(b));
        }
        else
        {
            scaleB = massA / massB;
        }

        var supply = new double[n + m];
        for (var i = 0; i < n; i++)
        {
            supply[i] = a[i] * scaleA;
        }

        for (var j = 0; j < m; j++)
        {
            supply[n + j] = -b[j] * scaleB;
        }

        return supply;
    }

    private ref partial struct Engine
    {
        /// <summary>An engine whose tree, flows, potentials and stack are the arrays of <paramref name="workspace"/> (no copy, no allocation).</summary>
        public Engine(ReadOnlySpan<double> cost, NetworkSimplexWorkspace workspace)
        {
            var basis = workspace.Basis;
            _cost = cost;
            _n = basis.Rows;
            _m = basis.Columns;
            _root = _n + _m;
            _arcs = (long)_n * _m;
            _supply = basis.Supply;
            (_artCost, _tolerance) = BigM(cost, _n, _m);
            _parent = basis.Parent;
            _pred = basis.Predecessor;
            _up = basis.Up;
            _flow = basis.Flow;
            _depth = basis.Depth;
            _firstChild = basis.FirstChild;
            _nextSibling = basis.NextSibling;
            _prevSibling = basis.PreviousSibling;
            _pi = workspace.Pi;
            _stack = workspace.Stack;
            _nextArc = workspace.HasTree && basis.NextArc < _arcs ? basis.NextArc : 0;
        }

        /// <summary>
        /// Runs from the workspace's tree (potentials recomputed from the current costs) or from the big-M tree, then writes
        /// the plan, cost, status and pivots into the workspace. The pivot loop of <see cref="Run"/> without progress or
        /// cancellation (the runs it serves are small; callers check cancellation between runs), the plan by CollectPlan.
        /// </summary>
        public void RunInPlace(long maxIterations, NetworkSimplexWorkspace workspace)
        {
            if (!workspace.HasTree || !ComputePotentials())
            {
                Initialize();
            }

            var (status, iterations) = Pivots(maxIterations, null, CancellationToken.None);
            var (count, total) = CollectPlan(workspace.Rows, workspace.Columns, workspace.Mass, ref status);
            workspace.Count = count;
            workspace.Cost = total;
            workspace.Status = status;
            workspace.HasTree = true;
            workspace.Basis.NextArc = _nextArc;
            workspace.Basis.LastPivots = iterations;
        }

        /// <summary>Copies the saved tree and flows and recomputes the potentials from the current costs (tree arcs get reduced cost 0).</summary>
        private bool Restore(NetworkSimplexBasis start)
        {
            start.Parent.CopyTo(_parent, 0);
            start.Predecessor.CopyTo(_pred, 0);
            start.Up.CopyTo(_up, 0);
            start.Flow.CopyTo(_flow, 0);
            start.Depth.CopyTo(_depth, 0);
            start.FirstChild.CopyTo(_firstChild, 0);
            start.NextSibling.CopyTo(_nextSibling, 0);
            start.PreviousSibling.CopyTo(_prevSibling, 0);
            _nextArc = start.NextArc < _arcs ? start.NextArc : 0;
            return ComputePotentials();
        }

        /// <summary>Potentials of the current tree from the current costs, in pre-order from the root; false when the tree does not span every node.</summary>
        private readonly bool ComputePotentials()
        {
            // Pre-order from the root: an arc u → parent gives π_u = π_parent − c, an arc parent → u gives π_u = π_parent + c.
            _pi[_root] = 0;
            var top = 0;
            _stack[top++] = _root;
            var visited = 0;
            while (top > 0)
            {
                var x = _stack[--top];
                visited++;
                for (var c = _firstChild[x]; c >= 0; c = _nextSibling[c])
                {
                    var arcCost = ArcCost(_pred[c]);
                    _pi[c] = _up[c] ? _pi[x] - arcCost : _pi[x] + arcCost;
                    _stack[top++] = c;
                }
            }

            return visited == _n + _m + 1;
        }

        /// <summary>Saves the current tree and flows into <paramref name="basis"/> (already sized for this problem).</summary>
        public readonly void Save(NetworkSimplexBasis basis)
        {
            _parent.CopyTo(basis.Parent, 0);
            _pred.CopyTo(basis.Predecessor, 0);
            _up.CopyTo(basis.Up, 0);
            _flow.CopyTo(basis.Flow, 0);
            _depth.CopyTo(basis.Depth, 0);
            _firstChild.CopyTo(basis.FirstChild, 0);
            _nextSibling.CopyTo(basis.NextSibling, 0);
            _prevSibling.CopyTo(basis.PreviousSibling, 0);
            basis.NextArc = _nextArc;
        }
    }
}
