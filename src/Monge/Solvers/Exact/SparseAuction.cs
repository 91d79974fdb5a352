namespace Monge.Solvers.Exact;

/// <summary>
/// Assignment on a sparse bipartite graph (n rows, n columns, each row with its own list of candidate columns) by the
/// forward auction algorithm with ε-scaling (Bertsekas 1988; Bertsekas and Castañón 1991), minimisation form: row i
/// bids for the column j minimising c_ij + p_j and raises p_j by the gap to its second-best column plus ε. A phase ends
/// when every row is assigned; the assignment then satisfies ε-complementary slackness, so its cost is within n·ε of
/// the optimum over the graph's edges. ε shrinks by <see cref="Reduction"/> from a quarter of the edge-cost range to
/// <c>relativeEpsilon</c> × the mean edge cost; prices carry over between phases.
/// </summary>
/// <remarks>
/// Used by Hierarchical Refinement's neighbourhood polish, where the graph always contains a perfect matching (the
/// current one), so the auction terminates. Memory: the graph (CSR) plus 3 arrays of n. Single-threaded and
/// deterministic (rows bid in a fixed FIFO order).
/// </remarks>
internal static class SparseAuction
{
    /// <summary>ε divides by this between phases.</summary>
    public const double Reduction = 5;

    /// <summary>
    /// Solves the assignment over the given edges. Returns false (and leaves <paramref name="rowToColumn"/> untouched)
    /// when the bid budget is exhausted, which can only happen on graphs without a perfect matching or on pathological
    /// price wars; the caller then keeps its own matching.
    /// </summary>
    /// <param name="rowStart">CSR offsets, length n + 1.</param>
    /// <param name="columns">Candidate columns of each row (no duplicates within a row).</param>
    /// <param name="costs">Edge costs, aligned with <paramref name="columns"/>; finite.</param>
    /// <param name="relativeEpsilon">Final ε relative to the mean edge cost (the result is within n·ε of the optimum over the edges).</param>
    /// <param name="maxBidsPerRow">Budget: at most this many bids per row and phase on average.</param>
    /// <param name="rowToColumn">Receives the assignment (length n).</param>
    /// <param name="cancellationToken">Checked every 65 536 bids.</param>
    public static bool TrySolve(ReadOnlySpan<int> rowStart, ReadOnlySpan<int> columns, ReadOnlySpan<double> costs, double relativeEpsilon, int maxBidsPerRow, Span<int> rowToColumn, CancellationToken cancellationToken) =>
        TrySolve(rowStart, columns, costs, relativeEpsilon, maxBidsPerRow, rowToColumn, [], double.NaN, cancellationToken);

    /// <summary>
    /// <see cref="TrySolve(ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{double}, double, int, Span{int}, CancellationToken)"/>
    /// with the column prices in and out: when <paramref name="startRelativeEpsilon"/> is a number, the auction starts from
    /// the given prices with ε = that fraction of the mean edge cost (a warm start: prices of a nearby problem), else from
    /// zero prices and the usual ε schedule. On success <paramref name="prices"/> holds the final prices p_j; g_j = −p_j
    /// is then a target potential with c_ij − g_j ≥ min_k (c_ik − g_k) − ε on every edge (ε-complementary slackness).
    /// </summary>
    /// <param name="rowStart">CSR offsets, length n + 1.</param>
    /// <param name="columns">Candidate columns of each row.</param>
    /// <param name="costs">Edge costs.</param>
    /// <param name="relativeEpsilon">Final ε relative to the mean edge cost.</param>
    /// <param name="maxBidsPerRow">Budget: at most this many bids per row and phase on average.</param>
    /// <param name="rowToColumn">Receives the assignment (length n).</param>
    /// <param name="prices">Length n (prices in when warm, out on success), or empty.</param>
    /// <param name="startRelativeEpsilon">NaN: cold start; else the first ε relative to the mean edge cost.</param>
    /// <param name="cancellationToken">Checked every 65 536 bids.</param>
    public static bool TrySolve(ReadOnlySpan<int> rowStart, ReadOnlySpan<int> columns, ReadOnlySpan<double> costs, double relativeEpsilon, int maxBidsPerRow, Span<int> rowToColumn, Span<double> prices, double startRelativeEpsilon, CancellationToken cancellationToken) =>
        TrySolve(rowStart, columns, costs, relativeEpsilon, maxBidsPerRow, rowToColumn, prices, startRelativeEpsilon, [], cancellationToken);

    /// <summary>
    /// <see cref="TrySolve(ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{double}, double, int, Span{int}, Span{double}, double, CancellationToken)"/>
    /// with a starting assignment as well as prices (a warm start from a nearby solution): the first phase keeps every pair
    /// of <paramref name="startAssignment"/> that satisfies ε-complementary slackness under the given prices and only the
    /// other rows bid, so a re-solve after a small change of the graph or prices costs bids in proportion to the change.
    /// Every phase (with or without a start) likewise keeps the previous phase's pairs that satisfy the new ε and re-bids
    /// only the others (Bertsekas' ε-scaling with retained assignments); the result still satisfies ε-complementary
    /// slackness at the final ε.
    /// </summary>
    /// <param name="rowStart">CSR offsets, length n + 1.</param>
    /// <param name="columns">Candidate columns of each row.</param>
    /// <param name="costs">Edge costs.</param>
    /// <param name="relativeEpsilon">Final ε relative to the mean edge cost.</param>
    /// <param name="maxBidsPerRow">Budget: at most this many bids per row and phase on average.</param>
    /// <param name="rowToColumn">Receives the assignment (length n).</param>
    /// <param name="prices">Length n (prices in when warm, out on success), or empty.</param>
    /// <param name="startRelativeEpsilon">NaN: cold start; else the first ε relative to the mean edge cost.</param>
    /// <param name="startAssignment">Empty, or a perfect matching (row → column, every column once) over the graph's
    /// edges to start from (used only on a warm start).</param>
    /// <param name="cancellationToken">Checked every 65 536 bids.</param>
    public static bool TrySolve(ReadOnlySpan<int> rowStart, ReadOnlySpan<int> columns, ReadOnlySpan<double> costs, double relativeEpsilon, int maxBidsPerRow, Span<int> rowToColumn, Span<double> prices, double startRelativeEpsilon, ReadOnlySpan<int> startAssignment, CancellationToken cancellationToken)
    {
        var n = rowStart.Length - 1;
        if (n <= 0)
        {
            return true;
        }

        double lo = double.PositiveInfinity, hi = double.NegativeInfinity, sum = 0;
        foreach (var c in costs)
        {
            lo = Math.Min(lo, c);
            hi = Math.Max(hi, c);
            sum += Math.Abs(c);
        }

        var mean = sum / Math.Max(costs.Length, 1);
        var epsFinal = Math.Max(relativeEpsilon * mean, 1e-300);
        var warm = !double.IsNaN(startRelativeEpsilon) && prices.Length == n;
        var eps = warm ? Math.Max(startRelativeEpsilon * mean, epsFinal) : Math.Max((hi - lo) / 4, epsFinal);
        var price = new double[n];
        if (warm)
        {
            prices.CopyTo(price);
        }

        var owner = new int[n];
        var assigned = new int[n];
        var queue = new int[n];
        var budget = (long)maxBidsPerRow * n;
        Array.Fill(owner, -1);
        Array.Fill(assigned, -1);
        if (warm && startAssignment.Length == n)
        {
            for (var i = 0; i < n; i++)
            {
                var j = startAssignment[i];
                if (j >= 0 && j < n && owner[j] < 0)
                {
                    owner[j] = i;
                    assigned[i] = j;
                }
            }
        }

        while (true)
        {
            // Keep the pairs that satisfy ε-complementary slackness at this phase's ε (c_ij + p_j within ε of the row's
            // minimum), queue the other rows in index order.
            int head = 0, count = 0;
            for (var i = 0; i < n; i++)
            {
                var j = assigned[i];
                if (j >= 0)
                {
                    double best = double.PositiveInfinity, mine = double.PositiveInfinity;
                    for (var e = rowStart[i]; e < rowStart[i + 1]; e++)
                    {
                        var v = costs[e] + price[columns[e]];
                        best = Math.Min(best, v);
                        if (columns[e] == j)
                        {
                            mine = Math.Min(mine, v);
                        }
                    }

                    if (mine <= best + eps)
                    {
                        continue;
                    }

                    owner[j] = -1;
                    assigned[i] = -1;
                }

                queue[count++] = i;
            }

            // FIFO ring over the unassigned rows (at most n are waiting at any time).
            long bids = 0;
            while (count > 0)
            {
                var i = queue[head];
                head = head + 1 == n ? 0 : head + 1;
                count--;
                var best = -1;
                double d1 = double.PositiveInfinity, d2 = double.PositiveInfinity;
                for (var e = rowStart[i]; e < rowStart[i + 1]; e++)
                {
                    var j = columns[e];
                    var v = costs[e] + price[j];
                    if (v < d1)
                    {
                        d2 = d1;
                        d1 = v;
                        best = j;
                    }
                    else if (v < d2)
                    {
                        d2 = v;
                    }
                }

                if (best < 0)
                {
                    return false;
                }

                // A row with one candidate bids as if its second choice were far away (it can only take that column).
                var raise = double.IsPositiveInfinity(d2) ? (hi - lo) + eps : d2 - d1 + eps;
                price[best] += raise;
                var previous = owner[best];
                owner[best] = i;
                assigned[i] = best;
                if (previous >= 0)
                {
                    assigned[previous] = -1;
                    var tail = head + count;
                    queue[tail >= n ? tail - n : tail] = previous;
                    count++;
                }

                if (++bids > budget)
                {
                    return false;
                }

                if ((bids & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            if (eps <= epsFinal)
            {
                break;
            }

            eps = Math.Max(eps / Reduction, epsFinal);
        }

        assigned.AsSpan().CopyTo(rowToColumn);
        if (prices.Length == n)
        {
            price.AsSpan().CopyTo(prices);
        }

        return true;
    }
}
