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
