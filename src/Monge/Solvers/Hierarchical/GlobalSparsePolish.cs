using Monge.Geometry.Costs;
using Monge.Numerics;
using Monge.Solvers.Exact;
using Monge.Tools;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Hierarchical Refinement's global sparse refinement (issue #14, first direction; after Schmitzer's sparse multiscale
/// idea at one scale): the whole matching is re-solved as one assignment problem on a sparse candidate graph chosen by
/// <em>reduced cost</em> c(x, y) − g(y) for a target potential g, across every block boundary. Each pass:
/// <list type="number">
/// <item>every source point keeps its partner and gains the <c>candidates</c> targets of smallest c(x, y) − g(y) among
/// the points of <c>probes</c> balls of the target cloud (balls of about <c>ballPoints</c> targets, recursive farthest-pair
/// median splits, <see cref="DualBoundClusters"/>) with the smallest c(x, centre) − mean g, plus its partner's ball;</item>
/// <item>the problem on that graph is solved by ε-scaling auction (<see cref="SparseAuction"/>, to 10⁻⁷ of the mean edge
/// cost; warm-started from the previous pass's prices), and the result replaces the matching only if it is cheaper;</item>
/// <item>the auction's final prices p give the next pass's potential g = −p (ε-complementary slackness: on the graph's
/// edges c − g is within ε of each row's minimum), so the next graph holds the edges that the dual of this one says are
/// cheap: a mass imbalance between distant blocks shows up as a price difference and pulls in edges across them.</item>
/// </list>
/// The first pass has no potential: its candidates are the targets nearest the partner (chains of local moves, whose
/// prices seed the potential). From the second pass on it stops after a pass that gains at most <c>tolerance</c>
/// (relative), or after <c>passes</c> passes. Never raises the cost; deterministic whatever the thread
/// count (the candidate search is per row, the auction single-threaded in a fixed order).
/// </summary>
/// <remarks>Time per pass: O(n·(B + (probes + 1)·ballPoints)·d) for the candidates (B = n / ballPoints balls, in
/// parallel) plus the auction (single-threaded, about n·(candidates + 1) per bid round). Memory: the graph, n·(k + 1) ints
/// and doubles, a copy of the targets in ball order (n·d doubles) and five arrays of n.</remarks>
/// <param name="passes">Most passes.</param>
/// <param name="candidates">Candidate targets per source point besides its partner.</param>
/// <param name="ballPoints">Most targets per ball.</param>
/// <param name="probes">Balls searched per point (plus the partner's ball).</param>
/// <param name="tolerance">Stop after a pass (from the second on) that gains at most this fraction.</param>
/// <param name="seedPotential">A target potential to start from (by target index; e.g. <see cref="DualBoundResult.G"/> of the
/// certificate), or null: then the first pass takes the targets nearest the partner.</param>
/// <param name="coarseSize">Without <paramref name="seedPotential"/>: subsample points per side of the cheap global potential
/// (<see cref="CoarsePotential"/>) the first pass starts from; 0: none (the first pass takes the targets nearest the partner).</param>
/// <param name="coarseEpsilon">Sinkhorn ε of that potential, relative to the subsample's mean cost.</param>
/// <param name="seed">Seed of that potential's subsample.</param>
/// <param name="minDimension">Runs only on points of at least this dimension (lower: no pass, the matching unchanged).</param>
/// <param name="check">After the last pass, the c-transform check: f(x) = min over <em>all</em> targets of c(x, y) − g(y)
/// (exact, pruned by the target balls, <see cref="DualBoundClusters.Transform"/>) gives the lower bound mean f + mean g on the
/// optimum (<see cref="CheckBound"/>) and the number of rows with a better edge left out of the graph
/// (<see cref="CheckViolations"/>). Off by default (one full c-transform, about the cost of a pass or more).</param>
/// <param name="exact">The candidates are the exact k best targets of each row over <em>all</em> targets
/// (<see cref="ReducedCostSearch"/>: branch and bound over the target balls in the order of a rigorous per-ball lower bound)
/// instead of the best among <paramref name="probes"/> balls (which are then visited first, so that the pruning is tight
/// early; the result does not depend on them).</param>
/// <param name="exactBalls">With <paramref name="exact"/>: most balls a row visits in the order of the bound (0: all the
/// bound cannot exclude, the exact k best; otherwise a heuristic of bounded cost).</param>
/// <param name="screen">With <paramref name="exact"/> (and <paramref name="exactBalls"/> 0): the float32 screen by query blocks
/// (<see cref="ReducedCostSearch.SearchBlock"/>, the same candidates bit for bit); false: the per-row float64 search.</param>
/// <param name="warmEpsilon">First ε of the auction of a pass with a potential, relative to the mean edge cost (default
/// 10⁻⁴: warm from the previous prices and the current matching); NaN: every auction starts cold (zero prices, ε from a
/// quarter of the edge costs' range), the potential then only chooses the candidates.</param>
internal sealed class GlobalSparsePolish(int passes, int candidates, int ballPoints, int probes, double tolerance, double[]? seedPotential = null, int coarseSize = 0, double coarseEpsilon = 1e-2, int seed = 0, int minDimension = 1, bool check = false, bool exact = false, int exactBalls = 0, bool screen = true, double warmEpsilon = GlobalSparsePolish.WarmEpsilon) : IHiRefPolishStep
{
    /// <summary>Default first ε of a warm-started pass, relative to the mean edge cost (the cold start begins at a quarter of the range).</summary>
    internal const double WarmEpsilon = 1e-4;

    // Final ε relative to the mean edge cost (the auction's result is within n·ε of the graph's optimum).
    private const double FinalEpsilon = 1e-7;

    private const int Chunk = 256;

    // Query points per block of the exact search's float32 screen (ReducedCostSearch.SearchBlock).
    private const int QueryBlockPoints = 64;

    public string Name => "global";

    public int RoundsRun { get; private set; }

    /// <summary>Seconds spent on the cheap global potential (<see cref="CoarsePotential"/>) in the last <see cref="Apply"/>.</summary>
    public double PotentialSeconds { get; private set; }

    /// <summary>The target potential g (by target index) after the last pass of the last <see cref="Apply"/>, or null.</summary>
    public double[]? TargetPotential { get; private set; }

    /// <summary>With the check on: the lower bound (1/n)(Σ f + Σ g) on the optimum from the last potential, else NaN.</summary>
    public double CheckBound { get; private set; } = double.NaN;

    /// <summary>With the check on: rows whose best edge over all targets beats their partner's reduced cost by more than
    /// 10⁻⁵ of the mean matched cost (a better edge the graph left out; the auction's own slack is 10⁻⁷ of the mean edge
    /// cost), else −1.</summary>
    public int CheckViolations { get; private set; } = -1;

    /// <summary>With <c>exact</c>: targets evaluated per row by the candidate search of the last pass (of n), else NaN.</summary>
    public double EvaluatedPerRow { get; private set; } = double.NaN;

    /// <summary>With <c>exact</c> and the float32 screen: pairs per row given float32 kernel values in the last pass, else NaN.</summary>
    public double ScreenedPerRow { get; private set; } = double.NaN;

    public void Apply(HiRefMatching matching, CancellationToken cancellationToken)
    {
        RoundsRun = 0;
        PotentialSeconds = 0;
        var idxX = matching.IndicesX;
        var idxY = matching.IndicesY;
        var n = idxX.Length;
        if (n < 2 || passes <= 0 || matching.Dimension < minDimension)
        {
            return;
        }

        var d = matching.Dimension;
        var cost = matching.Cost;
        var x = matching.X;
        var balls = DualBoundClusters.Build(matching.Y.Span, n, d, cost is Euclidean<double>, ballPoints);
        var ballCount = balls.Balls;
        var order = balls.Order.ToArray();
        var ballOf = new int[n];
        for (var b = 0; b < ballCount; b++)
        {
            for (var t = balls.BallStart(b); t < balls.BallStart(b) + balls.BallCount(b); t++)
            {
                ballOf[order[t]] = b;
            }
        }

        var degree = candidates + 1;
        var probe = Math.Min(probes, ballCount);
        var search = exact ? new ReducedCostSearch(balls, d, cost) : null;

        // The exact search's float32 screen: query blocks of neighbouring sources (the tiles of the certificate's kernel).
        var queryBalls = search is not null && screen && exactBalls == 0 ? DualBoundClusters.Build(x.Span, n, d, cost is Euclidean<double>, QueryBlockPoints) : null;
        if (queryBalls is not null && !search!.PrepareBlocks(queryBalls))
        {
            queryBalls = null;
        }

        if (queryBalls is not null)
        {
            // The query balls (rows and transposed, n·d doubles each) and both clouds in float32 (tiles and rows).
            matching.RecordScratch(((long)n * d * 2 * sizeof(double)) + ((long)n * d * 4 * sizeof(float)));
        }
        var seeded = seedPotential is not null && seedPotential.Length == n;
        double[] potential;
        if (seeded)
        {
            potential = (double[])seedPotential!.Clone();
        }
        else if (coarseSize > 0)
        {
            var potentialClock = System.Diagnostics.Stopwatch.StartNew();
            potential = CoarsePotential.Target(x, matching.Y, n, d, cost, coarseSize, coarseEpsilon, seed, cancellationToken);
            PotentialSeconds = potentialClock.Elapsed.TotalSeconds;
            seeded = true;
        }
        else
        {
            potential = new double[n];
        }
        var meanPotential = new double[ballCount];
        var position = new int[n];
        var rowStart = new int[n + 1];
        for (var p = 0; p <= n; p++)
        {
            rowStart[p] = p * degree;
        }

        var columns = new int[n * degree];
        var costs = new double[n * degree];
        var prices = new double[n];
        var assignment = new int[n];
        var identity = new int[n];
        for (var p = 0; p < n; p++)
        {
            identity[p] = p;
        }

        var updated = new int[n];
        matching.RecordScratch((n * (long)degree * (sizeof(int) + sizeof(double))) + ((long)n * d * sizeof(double) * 2) + (6L * n * sizeof(double)));
        var workers = matching.Parallel.MaxDegreeOfParallelism is > 0 and var dop ? dop : Environment.ProcessorCount;
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken };
        var chunks = (n + Chunk - 1) / Chunk;
        for (var pass = 0; pass < passes; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var q = 0; q < n; q++)
            {
                position[idxY[q]] = q;
            }

            if (search is not null)
            {
                ExactCandidates(matching, search, queryBalls, potential, pass == 0 && !seeded, position, columns, costs, degree, options);
            }
            else
            {
                for (var b = 0; b < ballCount; b++)
                {
                    double sum = 0;
                    var start = balls.BallStart(b);
                    var count = balls.BallCount(b);
                    for (var t = start; t < start + count; t++)
                    {
                        sum += potential[order[t]];
                    }

                    meanPotential[b] = sum / count;
                }

                WorkerScratch.For(0, chunks, options, () => new Scratch(probe + 1, degree), (chunk, scratch) =>
                {
                    var xs = x.Span;
                    var rows = balls.Rows;
                    var end = Math.Min(n, (chunk + 1) * Chunk);
                    for (var p = chunk * Chunk; p < end; p++)
                    {
                        var xr = xs.Slice(idxX[p] * d, d);
                        var partnerBall = ballOf[idxY[p]];

                        // The first pass has no potential yet: it takes the targets nearest the partner (c(y_σ, y)), which
                        // moves mass along chains; later passes the targets of smallest c(x, y) − g(y) for x itself.
                        var query = pass == 0 && !seeded ? matching.Y.Span.Slice(idxY[p] * d, d) : xr;

                        // The probe balls of smallest c(x, centre) − mean g, then the partner's ball if not among them.
                        var kept = 0;
                        for (var b = 0; b < ballCount; b++)
                        {
                            var s = Score(query, balls.Centre(b), cost) - meanPotential[b];
                            if (kept < probe)
                            {
                                Insert(scratch.BallScore, scratch.BallId, kept++, s, b);
                            }
                            else if (s < scratch.BallScore[probe - 1])
                            {
                                Insert(scratch.BallScore, scratch.BallId, probe - 1, s, b);
                            }
                        }

                        var probed = kept;
                        if (Array.IndexOf(scratch.BallId, partnerBall, 0, kept) < 0)
                        {
                            scratch.BallId[probed++] = partnerBall;
                        }

                        // The candidates of smallest reduced cost among the probed balls' points (the partner excluded: it is
                        // added below, so the graph always holds the current perfect matching).
                        var partner = idxY[p];
                        var found = 0;
                        for (var e = 0; e < probed; e++)
                        {
                            var b = scratch.BallId[e];
                            var start = balls.BallStart(b);
                            var count = balls.BallCount(b);
                            for (var t = start; t < start + count; t++)
                            {
                                var j = order[t];
                                if (j == partner)
                                {
                                    continue;
                                }

                                var r = Score(query, rows.Slice(t * d, d), cost) - potential[j];
                                if (found < candidates)
                                {
                                    Insert(scratch.CandidateValue, scratch.CandidateId, found++, r, j);
                                }
                                else if (r < scratch.CandidateValue[candidates - 1])
                                {
                                    Insert(scratch.CandidateValue, scratch.CandidateId, candidates - 1, r, j);
                                }
                            }
                        }

                        var row = p * degree;
                        columns[row] = p;
                        var ys = matching.Y.Span;
                        costs[row] = BlockFactors.PairCost(xr, ys.Slice(partner * d, d), cost);
                        for (var t = 0; t < candidates; t++)
                        {
                            // Fewer candidates than k (tiny problems): repeat the partner's edge (duplicates do not change the auction).
                            var j = t < found ? scratch.CandidateId[t] : partner;
                            columns[row + 1 + t] = position[j];
                            costs[row + 1 + t] = BlockFactors.PairCost(xr, ys.Slice(j * d, d), cost);
                        }
                    }
                });
            }

            for (var q = 0; q < n; q++)
            {
                prices[q] = -potential[idxY[q]];
            }

            // Warm passes start from the current matching (row p holds column p): only rows whose partner is not within ε
            // of their best reduced cost bid. With warmEpsilon NaN every pass starts cold.
            var auction = new SparseAuctionOptions(FinalEpsilon) { StartRelativeEpsilon = pass == 0 && !seeded ? double.NaN : warmEpsilon, StartAssignment = identity, MaxBidsPerRow = 5000 };
            if (SparseAuction.Solve(rowStart, columns, costs, auction, assignment, prices, cancellationToken).Outcome != SparseAuctionOutcome.Solved)
            {
                break;
            }

            RoundsRun++;
            for (var q = 0; q < n; q++)
            {
                potential[idxY[q]] = -prices[q];
            }

            for (var p = 0; p < n; p++)
            {
                updated[p] = idxY[assignment[p]];
            }

            var previous = matching.Value;
            var value = HierarchicalRefinement.MatchingCost(x.Span, matching.Y.Span, d, idxX, updated, cost);
            if (value < previous)
            {
                updated.CopyTo(idxY, 0);
                matching.Value = value;
            }

            matching.Progress?.Report(new SolverProgress($"global {pass + 1}", pass + 1, passes, (previous - matching.Value) / previous));
            if (pass > 0 && !(previous - matching.Value > tolerance * previous))
            {
                break;
            }
        }

        TargetPotential = potential;
        if (check)
        {
            Check(matching, balls, potential, options);
        }
    }

    // Row p's edges: its partner, then the exact k best targets of c(x, y) − g(y) over all targets (ReducedCostSearch); the
    // unseeded first pass takes the k targets nearest the partner (g = 0, query y_σ(p)), as the probed search does.
    private void ExactCandidates(HiRefMatching matching, ReducedCostSearch search, DualBoundClusters? queryBalls, double[] potential, bool nearPartner, int[] position, int[] columns, double[] costs, int degree, ParallelOptions options)
    {
        var idxX = matching.IndicesX;
        var idxY = matching.IndicesY;
        var n = idxX.Length;
        var d = matching.Dimension;
        var cost = matching.Cost;
        var k = degree - 1;
        search.SetPotential(potential, options);
        long evaluated = 0;
        if (queryBalls is not null && !nearPartner && search.BlocksReady)
        {
            ScreenedCandidates(matching, search, queryBalls, position, columns, costs, degree, options);
            return;
        }

        WorkerScratch.For(0, (n + Chunk - 1) / Chunk, options, () => new SearchScratch(search.CreateScratch(), new int[k], new double[k]), (chunk, scratch) =>
        {
            var xs = matching.X.Span;
            var ys = matching.Y.Span;
            var end = Math.Min(n, (chunk + 1) * Chunk);
            for (var p = chunk * Chunk; p < end; p++)
            {
                var xr = xs.Slice(idxX[p] * d, d);
                var partner = idxY[p];
                var query = nearPartner ? ys.Slice(partner * d, d) : xr;
                var found = search.Search(query, partner, k, scratch.Search, scratch.Ids, scratch.Values, exactBalls, probes);
                var row = p * degree;
                columns[row] = p;
                costs[row] = BlockFactors.PairCost(xr, ys.Slice(partner * d, d), cost);
                for (var t = 0; t < k; t++)
                {
                    // Fewer targets than k (tiny problems): repeat the partner's edge (duplicates do not change the auction).
                    var j = t < found ? scratch.Ids[t] : partner;
                    columns[row + 1 + t] = position[j];
                    costs[row + 1 + t] = BlockFactors.PairCost(xr, ys.Slice(j * d, d), cost);
                }
            }
        }, scratch => evaluated += scratch.Search.Evaluated);
        EvaluatedPerRow = (double)evaluated / n;
        matching.Progress?.Report(new SolverProgress($"global exact candidates: {EvaluatedPerRow:F0} of {n} targets evaluated per row", 1, 1, double.NaN));
    }

    // ExactCandidates by query blocks with the float32 screen (ReducedCostSearch.SearchBlock): the same candidates bit for bit.
    private void ScreenedCandidates(HiRefMatching matching, ReducedCostSearch search, DualBoundClusters queryBalls, int[] position, int[] columns, double[] costs, int degree, ParallelOptions options)
    {
        var idxX = matching.IndicesX;
        var idxY = matching.IndicesY;
        var n = idxX.Length;
        var d = matching.Dimension;
        var cost = matching.Cost;
        var k = degree - 1;
        var rowOf = new int[n];
        for (var p = 0; p < n; p++)
        {
            rowOf[idxX[p]] = p;
        }

        var queryOrder = queryBalls.Order.ToArray();
        long evaluated = 0, screened = 0;
        var largest = 0;
        for (var b = 0; b < queryBalls.Balls; b++)
        {
            largest = Math.Max(largest, queryBalls.BallCount(b));
        }

        WorkerScratch.For(0, queryBalls.Balls, options, () => new BlockSearchScratch(search.CreateBlockScratch(), new int[largest], new int[largest * k], new double[largest * k], new int[largest]), (block, scratch) =>
        {
            var qs = queryBalls.BallStart(block);
            var qc = queryBalls.BallCount(block);
            for (var t = 0; t < qc; t++)
            {
                scratch.Exclude[t] = idxY[rowOf[queryOrder[qs + t]]];
            }

            search.SearchBlock(block, scratch.Exclude.AsSpan(0, qc), k, scratch.Search, scratch.Ids, scratch.Values, scratch.Found);
            var xs = matching.X.Span;
            var ys = matching.Y.Span;
            for (var t = 0; t < qc; t++)
            {
                var p = rowOf[queryOrder[qs + t]];
                var xr = xs.Slice(idxX[p] * d, d);
                var partner = idxY[p];
                var row = p * degree;
                columns[row] = p;
                costs[row] = BlockFactors.PairCost(xr, ys.Slice(partner * d, d), cost);
                for (var e = 0; e < k; e++)
                {
                    // Fewer targets than k (tiny problems): repeat the partner's edge (duplicates do not change the auction).
                    var j = e < scratch.Found[t] ? scratch.Ids[(t * k) + e] : partner;
                    columns[row + 1 + e] = position[j];
                    costs[row + 1 + e] = BlockFactors.PairCost(xr, ys.Slice(j * d, d), cost);
                }
            }
        }, scratch =>
        {
            evaluated += scratch.Search.Evaluated;
            screened += scratch.Search.Screened;
        });
        EvaluatedPerRow = (double)evaluated / n;
        ScreenedPerRow = (double)screened / n;
        matching.Progress?.Report(new SolverProgress($"global exact candidates: {ScreenedPerRow:F0} of {n} targets screened in float32, {EvaluatedPerRow:F0} evaluated per row", 1, 1, double.NaN));
    }

    // The c-transform check of the potential g over every target (exact minimum, pruned by the target balls).
    private void Check(HiRefMatching matching, DualBoundClusters balls, double[] g, ParallelOptions options)
    {
        var idxX = matching.IndicesX;
        var idxY = matching.IndicesY;
        var n = idxX.Length;
        var d = matching.Dimension;
        var f = new double[n];
        balls.Transform(g, matching.X.Span, idxX, f, options);
        double sum = 0, mean = 0;
        for (var i = 0; i < n; i++)
        {
            sum += f[i] + g[i];
        }

        var xs = matching.X.Span;
        var ys = matching.Y.Span;
        var reduced = new double[n];
        for (var p = 0; p < n; p++)
        {
            var c = BlockFactors.PairCost(xs.Slice(idxX[p] * d, d), ys.Slice(idxY[p] * d, d), matching.Cost);
            mean += c;
            reduced[p] = c - g[idxY[p]];
        }

        var tol = 1e-5 * mean / n;
        var violations = 0;
        for (var p = 0; p < n; p++)
        {
            if (f[idxX[p]] < reduced[p] - tol)
            {
                violations++;
            }
        }

        CheckBound = sum / n;
        CheckViolations = violations;
        matching.Progress?.Report(new SolverProgress($"global check: bound {CheckBound:F6}, {violations} rows with a better edge left out", 1, 1, double.NaN));
    }

    private static double Score(ReadOnlySpan<double> u, ReadOnlySpan<double> v, ICostFunction<double>? cost) => ReducedCostSearch.Score(u, v, cost);

    private static void Insert(double[] values, int[] ids, int at, double value, int id) => ReducedCostSearch.Insert(values, ids, at, value, id);

    // A worker's scratch of the candidate searches (reused across the loop's replicas: WorkerScratch).
    private sealed record SearchScratch(ReducedCostSearch.Scratch Search, int[] Ids, double[] Values);

    private sealed record BlockSearchScratch(ReducedCostSearch.BlockScratch Search, int[] Exclude, int[] Ids, double[] Values, int[] Found);

    private sealed class Scratch(int balls, int candidates)
    {
        public double[] BallScore { get; } = new double[balls];

        public int[] BallId { get; } = new int[balls];

        public double[] CandidateValue { get; } = new double[candidates];

        public int[] CandidateId { get; } = new int[candidates];
    }
}
