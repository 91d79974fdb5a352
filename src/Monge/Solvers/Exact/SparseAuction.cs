namespace Monge.Solvers.Exact;

/// <summary>
/// Assignment on a sparse bipartite graph (n rows, n columns, each row with its own list of candidate columns) by the
/// forward auction algorithm with ε-scaling (Bertsekas 1988; Bertsekas and Castañón 1991), minimisation form: row i
/// bids for the column j minimising c_ij + p_j and raises p_j by the gap to its second-best column plus ε. A phase ends
/// when every row is assigned; the assignment then satisfies ε-complementary slackness, so its cost is within n·ε of
/// the optimum over the graph's edges. ε shrinks by <see cref="Reduction"/> from a quarter of the edge-cost range (or,
/// warm, from <see cref="SparseAuctionOptions.StartRelativeEpsilon"/>) to <see cref="SparseAuctionOptions.RelativeEpsilon"/>
/// × the mean edge cost; prices carry over between phases, and every phase keeps the previous phase's pairs that satisfy
/// its ε and re-bids only the others (Bertsekas' ε-scaling with retained assignments).
/// </summary>
/// <remarks>
/// <para>With <see cref="SparseAuctionOptions.Exits"/> each row also has a way off the graph of value e_i: it bids for its
/// best column only while c_ij + p_j &lt; e_i, raising the price by at most the gap to min(second best, e_i) + ε, and
/// otherwise leaves the auction for good (its column is −1). So the auction ends on any graph, prices never rise above
/// what some row would pay, and at the end every assigned row is within ε of min(its best column, e_i) and every row that
/// left has no column below e_i.</para>
/// <para>Used by Hierarchical Refinement's neighbourhood and global sparse polish (graphs that contain a perfect matching,
/// a per-phase bid budget as a safeguard) and by the certificate's sparse dual ascent (<c>DualBound</c>: warm prices,
/// exits above 16 384 points, a total bid budget whose prices are certified whatever they are). Memory: the graph (CSR)
/// plus 4 arrays of n (5 with exits). Single-threaded and deterministic (rows bid in a fixed FIFO order).</para>
/// </remarks>
internal static class SparseAuction
{
    /// <summary>ε divides by this between phases.</summary>
    public const double Reduction = 5;

    /// <summary>
    /// Solves the assignment over the given edges (see the class remarks and <see cref="SparseAuctionOptions"/>).
    /// </summary>
    /// <param name="rowStart">CSR offsets, length n + 1.</param>
    /// <param name="columns">Candidate columns of each row (no duplicates within a row).</param>
    /// <param name="costs">Edge costs, aligned with <paramref name="columns"/>; finite.</param>
    /// <param name="options">ε schedule, warm start, exits and budgets.</param>
    /// <param name="rowToColumn">Length n or empty: receives the assignment (−1: a row that left for its exit, or, when
    /// stopped, one unassigned at the time); untouched on <see cref="SparseAuctionOutcome.Failed"/>.</param>
    /// <param name="prices">Length n or empty: the column prices p_j, in on a warm start, out unless
    /// <see cref="SparseAuctionOutcome.Failed"/>. On <see cref="SparseAuctionOutcome.Solved"/> g_j = −p_j is a target
    /// potential with c_ij − g_j ≥ min_k (c_ik − g_k) − ε on every assigned edge (ε-complementary slackness).</param>
    /// <param name="cancellationToken">Checked every 65 536 bids.</param>
    /// <returns>How it ended and how many bids it made (all phases).</returns>
    public static SparseAuctionResult Solve(ReadOnlySpan<int> rowStart, ReadOnlySpan<int> columns, ReadOnlySpan<double> costs, SparseAuctionOptions options, Span<int> rowToColumn, Span<double> prices, CancellationToken cancellationToken)
    {
        var n = rowStart.Length - 1;
        if (n <= 0)
        {
            return new(SparseAuctionOutcome.Solved, 0);
        }

        var exits = options.Exits;
        if ((rowToColumn.Length != 0 && rowToColumn.Length != n) || (prices.Length != 0 && prices.Length != n) || (exits.Length != 0 && exits.Length != n))
        {
            throw new ArgumentException("rowToColumn, prices and the exits have one entry per row, or none.");
        }

        double lo = double.PositiveInfinity, hi = double.NegativeInfinity, sum = 0;
        foreach (var c in costs)
        {
            lo = Math.Min(lo, c);
            hi = Math.Max(hi, c);
            sum += Math.Abs(c);
        }

        var mean = sum / Math.Max(costs.Length, 1);
        var epsFinal = Math.Max(options.RelativeEpsilon * mean, 1e-300);
        var warm = !double.IsNaN(options.StartRelativeEpsilon) && prices.Length == n;
        var eps = warm ? Math.Max(options.StartRelativeEpsilon * mean, epsFinal) : Math.Max((hi - lo) / 4, epsFinal);
        var price = new double[n];
        if (warm)
        {
            prices.CopyTo(price);
        }

        var owner = new int[n];
        var assigned = new int[n];
        var queue = new int[n];
        var left = exits.Length == n ? new bool[n] : null;
        var phaseBudget = (long)options.MaxBidsPerRow * n;
        Array.Fill(owner, -1);
        Array.Fill(assigned, -1);
        var startAssignment = options.StartAssignment;
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

        long total = 0;
        while (true)
        {
            // Keep the pairs that satisfy ε-complementary slackness at this phase's ε (c_ij + p_j within ε of the row's
            // minimum, its exit included), queue the other rows that have not left in index order.
            int head = 0, count = 0;
            for (var i = 0; i < n; i++)
            {
                if (left is not null && left[i])
                {
                    continue;
                }

                var j = assigned[i];
                if (j >= 0)
                {
                    double best = left is null ? double.PositiveInfinity : exits[i], mine = double.PositiveInfinity;
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

                var second = d2;
                if (left is not null)
                {
                    if (best < 0 || !(d1 < exits[i]))
                    {
                        left[i] = true;
                        continue;
                    }

                    second = Math.Min(d2, exits[i]);
                }
                else if (best < 0)
                {
                    return new(SparseAuctionOutcome.Failed, total);
                }

                // A row with one way (one candidate, no exit) bids as if its second choice were far away (it can only
                // take that column).
                price[best] += (double.IsPositiveInfinity(second) ? hi - lo : second - d1) + eps;
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

                total++;
                if (++bids > phaseBudget)
                {
                    return new(SparseAuctionOutcome.Failed, total);
                }

                if (total >= options.MaxBids)
                {
                    Write(assigned, price, rowToColumn, prices);
                    return new(SparseAuctionOutcome.Stopped, total);
                }

                if ((total & 0xFFFF) == 0)
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

        Write(assigned, price, rowToColumn, prices);
        return new(SparseAuctionOutcome.Solved, total);
    }

    private static void Write(int[] assigned, double[] price, Span<int> rowToColumn, Span<double> prices)
    {
        if (rowToColumn.Length == assigned.Length)
        {
            assigned.AsSpan().CopyTo(rowToColumn);
        }

        if (prices.Length == price.Length)
        {
            price.AsSpan().CopyTo(prices);
        }
    }
}

/// <summary>Options of <see cref="SparseAuction.Solve"/>.</summary>
/// <param name="relativeEpsilon">Final ε relative to the mean edge cost (a solved assignment is within n·ε of the optimum
/// over the edges).</param>
internal readonly ref struct SparseAuctionOptions(double relativeEpsilon)
{
    /// <summary>Final ε relative to the mean |edge cost|.</summary>
    public double RelativeEpsilon { get; } = relativeEpsilon;

    /// <summary>NaN (default): cold start from zero prices and ε a quarter of the edge-cost range; else, with prices
    /// given, a warm start from them with the first ε this fraction of the mean |edge cost| (prices of a nearby problem).</summary>
    public double StartRelativeEpsilon { get; init; } = double.NaN;

    /// <summary>Empty, or a perfect matching (row → column, every column once) over the graph's edges to start from, used
    /// only on a warm start: its pairs that satisfy ε-complementary slackness under the given prices are kept and only the
    /// other rows bid, so a re-solve after a small change costs bids in proportion to the change.</summary>
    public ReadOnlySpan<int> StartAssignment { get; init; }

    /// <summary>Empty (default: every row must be assigned), or per row its exit value e_i (may be +∞): the row leaves
    /// for good instead of bidding once its best column costs c_ij + p_j ≥ e_i (see <see cref="SparseAuction"/>).</summary>
    public ReadOnlySpan<double> Exits { get; init; }

    /// <summary>Per-phase budget (default 5000, the polishes'): a phase with more than this many bids per row on average
    /// fails (<see cref="SparseAuctionOutcome.Failed"/>, nothing written), as on graphs without a perfect matching and
    /// without exits, or on pathological price wars.</summary>
    public int MaxBidsPerRow { get; init; } = 5000;

    /// <summary>Total budget over all phases (default: none): on the bid that reaches it the auction stops
    /// (<see cref="SparseAuctionOutcome.Stopped"/>) and writes the prices and the assignment as they are.</summary>
    public long MaxBids { get; init; } = long.MaxValue;
}

/// <summary>How <see cref="SparseAuction.Solve"/> ended.</summary>
internal enum SparseAuctionOutcome
{
    /// <summary>Every row assigned, or gone to its exit, at the final ε; prices and assignment written.</summary>
    Solved,

    /// <summary>A phase ran over <see cref="SparseAuctionOptions.MaxBidsPerRow"/>, or a row without edges and without
    /// exits had to bid: nothing written (the caller keeps its own matching).</summary>
    Failed,

    /// <summary>The total budget <see cref="SparseAuctionOptions.MaxBids"/> was reached: the prices and the assignment
    /// reached so far were written (rows unassigned then are −1).</summary>
    Stopped,
}

/// <summary>The outcome of <see cref="SparseAuction.Solve"/> and its bids over all phases.</summary>
internal readonly record struct SparseAuctionResult(SparseAuctionOutcome Outcome, long Bids);
