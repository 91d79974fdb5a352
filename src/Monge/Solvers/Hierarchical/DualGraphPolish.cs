using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The global refinement of <see cref="HierarchicalRefinement"/> (Schmitzer's sparse multiscale idea, one scale): dual
/// potentials from a coarse entropic solve define a sparse candidate graph of small reduced cost across all block
/// boundaries, and the whole matching is re-solved exactly on that graph.
/// <list type="number">
/// <item><b>Coarse potentials.</b> s = min(n, <c>coarseSize</c>) seeded source and target points, each carrying the mass
/// of its Voronoi cell (the points whose cheapest coarse point it is), solved by <see cref="Sinkhorn"/> at ε = 10⁻³ of the
/// mean cost (ε-scaling) for the target potential g on the coarse targets.</item>
/// <item><b>Candidates.</b> Every source point x ranks the coarse targets by the reduced cost c(x, ȳ_t) − g_t, takes the
/// targets of the <c>cells</c> best cells and keeps the <c>candidates</c> of them with the smallest c(x, y) − g(cell(y)),
/// plus its current partner (so the graph holds the current matching). Unlike leaf pairs, slabs or the neighbourhood
/// step, the edges follow the global potential: a point that the top-level split put in the wrong block gets edges
/// to the region the transport plan sends it to, however far.</item>
/// <item><b>Sparse exact solve.</b> ε-scaling auction on the graph (<see cref="SparseAuction"/>, within 10⁻⁷ relative of
/// the graph's optimum); the result replaces the matching only if cheaper, so the step never raises the cost.</item>
/// </list>
/// </summary>
/// <remarks>Time O(n·s·d) for the cells and the ranking, O(n·cells·(n/s)·d) for the candidates, the coarse Sinkhorn
/// O(I·s²·d) and the auction (single-threaded). Memory: n·(candidates + 1) ints and doubles for the graph, the s × s
/// coarse problem solved online (no s × s matrix), n ints for the cells. Deterministic: the sample comes from
/// SplitMix64(seed, 2000, pass) and every parallel loop writes per-point results.</remarks>
internal sealed class DualGraphPolish(int candidates, int cells, int coarseSize, int passes, int seed, double tolerance) : IHiRefPolishStep
{
    public string Name => "dual graph";

    public int RoundsRun { get; private set; }

    public void Apply(HiRefMatching matching, CancellationToken cancellationToken)
    {
        RoundsRun = 0;
        for (var pass = 0; pass < passes; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var previous = matching.Value;
            RoundsRun++;
            Run(matching, pass, cancellationToken);
            matching.Progress?.Report(new SolverProgress("dual graph", pass + 1, passes, (previous - matching.Value) / previous));
            if (previous - matching.Value <= tolerance * previous)
            {
                break;
            }
        }
    }

    private void Run(HiRefMatching matching, int pass, CancellationToken cancellationToken)
    {
        var n = matching.IndicesX.Length;
        var d = matching.Dimension;
        var cost = matching.Cost;
        var x = matching.X;
        var y = matching.Y;
        var s = Math.Min(n, coarseSize);
        var rng = new Random((int)(HiRefBlockSplitter.BlockSeed(seed, 2000, pass) & 0x7FFFFFFF));
        var rows = Sample(rng, n, s);
        var cols = Sample(rng, n, s);
        var coarseX = Gather(x.Span, d, rows);
        var coarseY = Gather(y.Span, d, cols);

        // Cells: every point's cheapest coarse point on its own side.
        var cellOfX = Nearest(x, d, n, coarseX, s, cost, matching.Parallel);
        var cellOfY = Nearest(y, d, n, coarseY, s, cost, matching.Parallel);
        var massX = new double[s];
        var massY = new double[s];
        for (var i = 0; i < n; i++)
        {
            massX[cellOfX[i]] += 1.0 / n;
            massY[cellOfY[i]] += 1.0 / n;
        }

        // Coarse potentials.
        var problem = LinearProblem<double>.FromPointClouds(new PointCloud<double>(coarseX, s, d, massX), new PointCloud<double>(coarseY, s, d, massY), cost);
        var sinkhorn = new Sinkhorn
        {
            Epsilon = 1e-3,
            EpsilonRelativeTo = EpsilonReference.MeanCost,
            EpsilonScaling = new EpsilonScaling(1000, 0.9),
            MaxIterations = 500,
            Threshold = 1e-4,
        };
        var g = sinkhorn.Solve(problem, null, cancellationToken).G;
        cancellationToken.ThrowIfCancellationRequested();

        // Targets by cell (CSR), in index order.
        var cellStart = new int[s + 1];
        foreach (var c in cellOfY)
        {
            cellStart[c + 1]++;
        }

        for (var c = 0; c < s; c++)
        {
            cellStart[c + 1] += cellStart[c];
        }

        var members = new int[n];
        var fill = cellStart[..s];
        for (var j = 0; j < n; j++)
        {
            members[fill[cellOfY[j]]++] = j;
        }

        // Position of every target in the matching (the graph's columns are positions, as its rows).
        var idxX = matching.IndicesX;
        var idxY = matching.IndicesY;
        var positionOfY = new int[n];
        for (var p = 0; p < n; p++)
        {
            positionOfY[idxY[p]] = p;
        }

        var degree = candidates + 1;
        var columns = new int[n * degree];
        var edgeCosts = new double[n * degree];
        var width = Math.Min(cells, s);
        Parallel.For(0, (n + 1023) / 1024, matching.Parallel, () => (new double[width], new int[width], new double[degree], new int[degree]), (chunk, _, scratch) =>
        {
            var (cellScore, order, bestScore, bestTarget) = scratch;
            var xs = x.Span;
            var ys = y.Span;
            for (var p = chunk * 1024; p < Math.Min(n, (chunk + 1) * 1024); p++)
            {
                var xr = xs.Slice(idxX[p] * d, d);
                var found = 0;
                for (var t = 0; t < s; t++)
                {
                    var score = BlockFactors.PairCost(xr, coarseY.AsSpan(t * d, d), cost) - g[t];
                    if (found < width)
                    {
                        Insert(cellScore, order, found++, score, t);
                    }
                    else if (score < cellScore[width - 1])
                    {
                        Insert(cellScore, order, width - 1, score, t);
                    }
                }

                var kept = 0;
                for (var w = 0; w < found; w++)
                {
                    var cell = order[w];
                    for (var e = cellStart[cell]; e < cellStart[cell + 1]; e++)
                    {
                        var j = members[e];
                        var reduced = BlockFactors.PairCost(xr, ys.Slice(j * d, d), cost) - g[cell];
                        if (kept < candidates)
                        {
                            Insert(bestScore, bestTarget, kept++, reduced, j);
                        }
                        else if (reduced < bestScore[candidates - 1])
                        {
                            Insert(bestScore, bestTarget, candidates - 1, reduced, j);
                        }
                    }
                }

                // The current partner always stays (the graph keeps a perfect matching); rows with fewer candidates
                // repeat it, which does not change the auction.
                var partner = idxY[p];
                var row = p * degree;
                columns[row] = p;
                edgeCosts[row] = BlockFactors.PairCost(xr, ys.Slice(partner * d, d), cost);
                var next = 1;
                for (var t = 0; t < kept; t++)
                {
                    if (bestTarget[t] != partner)
                    {
                        columns[row + next] = positionOfY[bestTarget[t]];
                        edgeCosts[row + next] = BlockFactors.PairCost(xr, ys.Slice(bestTarget[t] * d, d), cost);
                        next++;
                    }
                }

                for (; next < degree; next++)
                {
                    columns[row + next] = p;
                    edgeCosts[row + next] = edgeCosts[row];
                }
            }

            return scratch;
        }, _ => { });
        matching.RecordScratch((12L * n * degree) + (16L * n));

        var rowStart = new int[n + 1];
        for (var p = 0; p <= n; p++)
        {
            rowStart[p] = p * degree;
        }

        var assignment = new int[n];
        if (!SparseAuction.TrySolve(rowStart, columns, edgeCosts, 1e-7, 5000, assignment, cancellationToken))
        {
            return;
        }

        var updated = new int[n];
        for (var p = 0; p < n; p++)
        {
            updated[p] = idxY[assignment[p]];
        }

        var newCost = HierarchicalRefinement.MatchingCost(x.Span, y.Span, d, idxX, updated, cost);
        if (newCost < matching.Value)
        {
            updated.CopyTo(idxY, 0);
            matching.Value = newCost;
        }
    }

    // s distinct indices of 0 … n − 1 (partial Fisher–Yates), sorted.
    private static int[] Sample(Random rng, int n, int s)
    {
        var all = new int[n];
        for (var i = 0; i < n; i++)
        {
            all[i] = i;
        }

        for (var i = 0; i < s; i++)
        {
            var j = i + rng.Next(n - i);
            (all[i], all[j]) = (all[j], all[i]);
        }

        var sample = all[..s];
        Array.Sort(sample);
        return sample;
    }

    private static double[] Gather(ReadOnlySpan<double> points, int d, int[] rows)
    {
        var result = new double[rows.Length * d];
        for (var r = 0; r < rows.Length; r++)
        {
            points.Slice(rows[r] * d, d).CopyTo(result.AsSpan(r * d, d));
        }

        return result;
    }

    // The cheapest of the s coarse points for each of the n points (ties to the lower index).
    private static int[] Nearest(ReadOnlyMemory<double> points, int d, int n, double[] coarse, int s, Geometry.Costs.ICostFunction<double>? cost, ParallelOptions parallel)
    {
        var nearest = new int[n];
        Parallel.For(0, (n + 1023) / 1024, parallel, chunk =>
        {
            var span = points.Span;
            for (var i = chunk * 1024; i < Math.Min(n, (chunk + 1) * 1024); i++)
            {
                var row = span.Slice(i * d, d);
                var best = 0;
                var bestCost = double.PositiveInfinity;
                for (var t = 0; t < s; t++)
                {
                    var c = BlockFactors.PairCost(row, coarse.AsSpan(t * d, d), cost);
                    if (c < bestCost)
                    {
                        bestCost = c;
                        best = t;
                    }
                }

                nearest[i] = best;
            }
        });
        return nearest;
    }

    // Inserts (c, q) into the ascending list of the first `at + 1` slots (slot `at` is free or the one being replaced).
    private static void Insert(double[] costs, int[] targets, int at, double c, int q)
    {
        var t = at;
        while (t > 0 && costs[t - 1] > c)
        {
            costs[t] = costs[t - 1];
            targets[t] = targets[t - 1];
            t--;
        }

        costs[t] = c;
        targets[t] = q;
    }
}
