using Monge.Geometry.Costs;
using Monge.Solvers.Exact;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Hierarchical Refinement's global polish: re-solves the whole matching as one assignment problem restricted to a
/// sparse candidate graph. Every source point keeps its current partner and gains the <c>k</c> targets nearest that partner
/// among the target parts of its own leaf and of the <c>leaves − 1</c> leaves whose target centroids are nearest; the
/// problem on that graph is solved by ε-scaling auction (<see cref="SparseAuction"/>), and the result replaces the
/// matching only if it is cheaper. Unlike the leaf-pair polish, points move between any leaves of a neighbourhood at
/// once, which repairs co-clustering mistakes made high in the hierarchy.
/// </summary>
/// <remarks>Memory: the graph, n·(k + 1) ints and doubles, plus per worker the distances to one pool. Time:
/// O(n·P·d) for the candidates with P = leaves × LeafSize pool points, then the auction.</remarks>
internal sealed class NeighbourhoodPolish(int candidates, int leaves, int passes, double tolerance) : IHiRefPolishStep
{
    /// <summary>Up to <c>passes</c> passes, each re-centred on the new partners; stops after a pass that gains at most
    /// <c>tolerance</c> (relative).</summary>
    public string Name => "neighbourhood";

    public int RoundsRun { get; private set; }

    public void Apply(HiRefMatching matching, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoundsRun = 0;
        for (var pass = 0; pass < passes; pass++)
        {
            RoundsRun++;
            var previous = matching.Value;
            matching.Value = Run(matching.X, matching.Y, matching.Dimension, matching.IndicesX, matching.IndicesY, matching.Leaves, matching.Cost, candidates, leaves, previous, matching.Parallel, cancellationToken);
            if (previous - matching.Value <= tolerance * previous)
            {
                break;
            }
        }
    }

    /// <summary>Runs the polish; returns the new cost (unchanged when no cheaper matching was found).</summary>
    /// <param name="x">Source coordinates (row-major, n × d).</param>
    /// <param name="y">Target coordinates.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="idxX">Position p pairs source idxX[p] ...</param>
    /// <param name="idxY">... with target idxY[p]; updated in place when the polish improves the matching.</param>
    /// <param name="blocks">The leaves as ranges of positions.</param>
    /// <param name="cost">Ground cost.</param>
    /// <param name="candidates">k: cheapest targets per source point.</param>
    /// <param name="leaves">Leaves per neighbourhood (the point's own leaf included).</param>
    /// <param name="currentCost">The matching's cost (1/n) Σ c.</param>
    /// <param name="parallel">Parallel options for the candidate search.</param>
    /// <param name="cancellationToken">Cancels the auction.</param>
    /// <returns>The cost after the polish.</returns>
    public static double Run(ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int d, int[] idxX, int[] idxY, List<(int Start, int Size)> blocks, ICostFunction<double>? cost, int candidates, int leaves, double currentCost, ParallelOptions parallel, CancellationToken cancellationToken)
    {
        var n = idxX.Length;
        var count = blocks.Count;
        var degree = candidates + 1;

        // Target centroid of every leaf, and each leaf's neighbourhood (itself first, then the nearest by centroid).
        var centres = new double[count * d];
        for (var b = 0; b < count; b++)
        {
            var (start, size) = blocks[b];
            var c = centres.AsSpan(b * d, d);
            for (var p = start; p < start + size; p++)
            {
                var row = y.Span.Slice(idxY[p] * d, d);
                for (var t = 0; t < d; t++)
                {
                    c[t] += row[t];
                }
            }

            for (var t = 0; t < d; t++)
            {
                c[t] /= Math.Max(size, 1);
            }
        }

        var width = Math.Min(leaves, count);
        var neighbourhood = new int[count * width];
        var order = new (double Distance, int Leaf)[count];
        for (var b = 0; b < count; b++)
        {
            for (var o = 0; o < count; o++)
            {
                order[o] = (o == b ? -1 : BlockFactors.SquaredDistance(centres.AsSpan(b * d, d), centres.AsSpan(o * d, d)), o);
            }

            Array.Sort(order);
            for (var t = 0; t < width; t++)
            {
                neighbourhood[(b * width) + t] = order[t].Leaf;
            }
        }

        var columns = new int[n * degree];
        var costs = new double[n * degree];
        Parallel.For(0, count, parallel, () => (new List<int>(), new double[degree], new int[degree]), (b, _, scratch) =>
        {
            var (pool, bestCost, bestColumn) = scratch;
            pool.Clear();
            for (var t = 0; t < width; t++)
            {
                var (start, size) = blocks[neighbourhood[(b * width) + t]];
                for (var q = start; q < start + size; q++)
                {
                    pool.Add(q);
                }
            }

            var (from, length) = blocks[b];
            var xs = x.Span;
            var ys = y.Span;
            for (var p = from; p < from + length; p++)
            {
                var xr = xs.Slice(idxX[p] * d, d);
                var partner = ys.Slice(idxY[p] * d, d);
                var kept = 0;
                var hasOwn = false;
                foreach (var q in pool)
                {
                    // Candidates are the targets nearest the current partner (not the cheapest for x: when the plan moves
                    // mass far, the cheapest targets are taken by others and the optimal partner lies near the current one).
                    var c = BlockFactors.SquaredDistance(partner, ys.Slice(idxY[q] * d, d));
                    if (kept < degree)
                    {
                        Insert(bestCost, bestColumn, kept++, c, q);
                    }
                    else if (c < bestCost[degree - 1] || (c == bestCost[degree - 1] && q == p))
                    {
                        Insert(bestCost, bestColumn, degree - 1, c, q);
                    }
                }

                for (var t = 0; t < kept; t++)
                {
                    hasOwn |= bestColumn[t] == p;
                }

                if (!hasOwn)
                {
                    // The current partner always stays a candidate, so the graph keeps a perfect matching.
                    bestColumn[kept - 1] = p;
                }

                for (var t = 0; t < degree; t++)
                {
                    // Rows with a pool smaller than k + 1 repeat their own edge; duplicates do not change the auction.
                    var source = t < kept ? t : kept - 1;
                    columns[(p * degree) + t] = bestColumn[source];
                    costs[(p * degree) + t] = BlockFactors.PairCost(xr, ys.Slice(idxY[bestColumn[source]] * d, d), cost);
                }
            }

            return scratch;
        }, _ => { });

        var rowStart = new int[n + 1];
        for (var p = 0; p <= n; p++)
        {
            rowStart[p] = p * degree;
        }

        var assignment = new int[n];
        if (SparseAuction.Solve(rowStart, columns, costs, new(1e-7) { MaxBidsPerRow = 5000 }, assignment, [], cancellationToken).Outcome != SparseAuctionOutcome.Solved)
        {
            return currentCost;
        }

        var updated = new int[n];
        for (var p = 0; p < n; p++)
        {
            updated[p] = idxY[assignment[p]];
        }

        var newCost = HierarchicalRefinement.MatchingCost(x.Span, y.Span, d, idxX, updated, cost);
        if (!(newCost < currentCost))
        {
            return currentCost;
        }

        updated.CopyTo(idxY, 0);
        return newCost;
    }

    // Inserts (c, q) into the ascending list of the first `at + 1` slots (slot `at` is free or the one being replaced).
    private static void Insert(double[] costs, int[] columns, int at, double c, int q)
    {
        var t = at;
        while (t > 0 && costs[t - 1] > c)
        {
            costs[t] = costs[t - 1];
            columns[t] = columns[t - 1];
            t--;
        }

        costs[t] = c;
        columns[t] = q;
    }
}
