using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Numerics;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;

namespace Monge.Tools;

/// <summary>The sparse dual ascent of the certificate (realbnd, stop 24): see <see cref="SparseAscent"/>.</summary>
public sealed partial record DualBound
{
    // Points per ball of the candidate searches (as the global refinement's).
    private const int AscentBallPoints = 64;

    // Final and first auction ε, relative to the mean edge cost (as the global refinement's warm passes).
    private const double AscentFinalEpsilon = 1e-7;
    private const double AscentWarmEpsilon = 1e-4;

    // The ascent with exits stops after a pass that raises the bound by less than this, relative.
    private const double AscentExitMinGain = 1e-3;

    /// <summary>
    /// Candidate targets per source point of the sparse dual ascent after the c-transforms (default 16; 0: off): the exact
    /// <see cref="AscentCandidates"/> targets of smallest reduced cost c(x, y) − v(y) under the certified v, plus the
    /// <see cref="AscentReverseCandidates"/> sources of smallest c(x, y) − u(x) of each target, are re-solved as an
    /// assignment by ε-scaling auction warm-started from the prices −v; the auction's potential then goes through the same
    /// rigorous c-transforms (the order from g), and the larger bound is kept. Only for two uniform clouds of equal size
    /// with the squared Euclidean or Euclidean cost. Valid whatever the graph: only the final transforms certify.
    /// </summary>
    internal int AscentCandidates { get; init; } = 16;

    /// <summary>Candidate sources per target of the sparse dual ascent (default 16: with 4 the 30-D single-cell-like graph at
    /// n = 16 384 had no perfect matching and the auction gave up), so that every target has edges.</summary>
    internal int AscentReverseCandidates { get; init; } = 16;

    /// <summary>Most passes of the sparse dual ascent (default 3; it stops after a pass that does not raise the bound).</summary>
    internal int AscentPasses { get; init; } = 3;

    /// <summary>Auction budget of each ascent pass: bids per row on average, over all its ε phases (default 30 000, stop 24's
    /// 5000 per phase times its six phases, so every auction that finished then finishes alike). On reaching it the auction
    /// stops and its prices so far are certified like finished ones (any prices give a valid bound; at n = 131 072 on the
    /// 2-D micrometre slices such prices certified less than the bound they started from, stop 25).</summary>
    internal int AscentBids { get; init; } = 30000;

    /// <summary>
    /// Above this many points per side (default 16 384; −1: never) the ascent's auction lets a row leave for its best column
    /// off the graph (<see cref="SparseAuctionOptions.Exits"/>: the largest forward candidate's c − v bounds every column off the graph from
    /// below), so it ends on any graph with few bids; the ascent then runs up to <see cref="AscentExitPasses"/> passes,
    /// stopping after one that raises the bound by less than 10⁻³ relative. Stop 25 (realasc): at n = 131 072 on the 2-D
    /// micrometre slices the auction without exits ran out of budget (stop 24) or, stopped on it, certified less than it
    /// started from; with exits six passes raised the bound from 153 597.50 to 157 664.12 (+2.65%), 15–18 bids per row and
    /// pass, ≈ 54 CPU-s per pass under load (the k-best searches and transforms). Up to it the auction has no exits (at
    /// 16 384 with exits three passes stopped 0.089% below the optimum in 2-D, against 4·10⁻⁸ without).
    /// </summary>
    internal int AscentExitPoints { get; init; } = 16384;

    /// <summary>
    /// Budget of an ascent pass without exits (up to <see cref="AscentExitPoints"/>), bids per row on average (default
    /// 1000; at least 1; at or above <see cref="AscentBids"/>: that budget alone). A pass that reaches it is taken for a
    /// price war (rows fighting for too few columns of the sparse graph at a tiny ε): it is re-run from the same warm
    /// start with exits on the rest of <see cref="AscentBids"/>, and the later passes run with exits. Stop 27 (pwar).
    /// </summary>
    internal int AscentWarBids { get; init; } = 1000;

    /// <summary>Most passes of the ascent with exits (above <see cref="AscentExitPoints"/>; default 6).</summary>
    internal int AscentExitPasses { get; init; } = 6;

    /// <summary>
    /// Above <see cref="TreeMaxDimension"/>, the ascent with exits goes on after its first pass only if that pass raised
    /// the bound by at least this fraction (default 10⁻²; 0: the plain 10⁻³ stop after every pass). Stop 26 (asc16, under
    /// load): on the 16-D mixture at 131 072 the first pass gives 93–95% of the gain (squared +0.290%, Euclidean +0.144%)
    /// and the second adds 0.022% / 0.009% for ≈ 80 / 110 CPU-s — the Euclidean certificate 3.13× the solve with two
    /// passes, 2.67× with one; on the 30-D PCA pair the first pass gains 1.14% and the later passes (+0.19%) are kept.
    /// </summary>
    internal double AscentExitFirstGain { get; init; } = 1e-2;

    /// <summary>Largest dimension for the ascent with exits (above <see cref="AscentExitPoints"/>; default 30: measured in
    /// 2-D and 30-D, where at 131 072 it took the single-cell-like bound up 1.33% for a certificate of 2.64× the solve's CPU
    /// under load, docs/hiref.md "Stop 25 (realasc)"; −1: any). Above it larger problems skip the ascent.</summary>
    internal int AscentExitMaxDimension { get; init; } = 30;

    /// <summary>
    /// With exits (above <see cref="AscentExitPoints"/>), passes after the first keep the first pass's graph and edge costs
    /// instead of re-running the k-best searches under the new potential (default off; asc50, stop 27). Each row's exit is
    /// then re-derived for the new prices: every column off the graph had c − g₁ at least the row's largest forward
    /// candidate value L under the potential g₁ the graph was searched with, so under g it has c − g ≥ L + min_j (g₁ − g)(j).
    /// The final rigorous transforms certify whatever prices the auction reaches.
    /// </summary>
    internal bool AscentReuseGraph { get; init; }

    /// <summary>
    /// Most points per side for the sparse dual ascent (default 131 072, the largest size measured, stop 25; −1: any):
    /// each pass with exits costs ≈ 54 CPU-s at 131 072 in 2-D (searches and transforms linear in n), about 8× that at
    /// 1 048 576, beyond the certificate's budget there.
    /// </summary>
    internal int AscentMaxPoints { get; init; } = 131072;

    /// <summary>
    /// A known upper bound on the optimum: the mean cost of a feasible matching, typically the one being certified
    /// (default NaN: none). It never enters the bound, which stays a valid lower bound whatever this is; it only lets the
    /// certificate skip tightening work that cannot matter: the sparse dual ascent is skipped when the bound before it
    /// is already within 5·10⁻⁴ of this value (relative). <c>monge match --certify</c> passes the matching's cost.
    /// </summary>
    public double UpperBound { get; init; } = double.NaN;

    /// <summary>
    /// The ascent is skipped when <see cref="UpperBound"/> is finite and the bound before it is already within this
    /// relative gap of it (default 5·10⁻⁴; 0: never skip). Stop 25 (ascsyn): at n = 131 072 on half-moon-s-curve
    /// (Euclidean, certified gap 0.012% before the ascent) its one pass gained nothing for ≈ 119 CPU-s under load (the
    /// certificate went from 0.46× to 2.96× the solve); on eight-gaussians-moons (0.139%) one pass gained 0.022%, on the 2-D
    /// micrometre slices (3.29%) six passes 2.59%.
    /// </summary>
    internal double AscentSkipGap { get; init; } = 5e-4;

    /// <summary>
    /// Raises a certified bound by a sparse dual ascent: each pass builds a sparse graph from the current feasible (u, v)
    /// (for each source its <see cref="AscentCandidates"/> targets of smallest c − v, for each target its
    /// <see cref="AscentReverseCandidates"/> sources of smallest c − u; exact k-best searches over balls,
    /// <see cref="ReducedCostSearch"/>), solves the assignment on it by ε-scaling auction (<see cref="SparseAuction"/>, prices
    /// warm from −v, each row free to leave for its best column off the graph, stopping on <see cref="AscentBids"/>) and
    /// certifies g = −prices by the rigorous c-transforms (u = g^c, v = u^c). On the graph a finished auction's duals are
    /// optimal to n·ε; off the graph the c-transforms repair them, losing only where an edge left out is cheaper; a stopped
    /// auction's prices are certified the same way. Returns the best result (the input when no pass gained), with the
    /// bound after each pass in <see cref="DualBoundResult.AscentBounds"/>.
    /// </summary>
    private DualBoundResult SparseAscent(PointCloud<double> source, PointCloud<double> target, double[] a, double[] b, ICostFunction<double>? cost, ICTransforms transforms, DualBoundResult best, CancellationToken cancellationToken)
    {
        var n = source.Count;
        var d = source.Dimension;
        var exits = AscentExitPoints >= 0 && n > AscentExitPoints;
        var passes = exits ? AscentExitPasses : AscentPasses;
        if (AscentCandidates <= 0 || passes <= 0 || (AscentMaxPoints >= 0 && n > AscentMaxPoints) || n != target.Count || n < 2 || !Uniform(a) || !Uniform(b)
            || cost is not (null or SquaredEuclidean<double> or Euclidean<double>) || (exits && AscentExitMaxDimension >= 0 && d > AscentExitMaxDimension))
        {
            return best;
        }

        if (AscentSkipGap > 0 && double.IsFinite(UpperBound) && UpperBound - best.LowerBound < AscentSkipGap * Math.Abs(UpperBound))
        {
            return best;
        }

        var k = Math.Min(AscentCandidates, n);
        var kr = Math.Min(AscentReverseCandidates, n);
        var euclidean = cost is Euclidean<double>;
        var parallel = new ParallelOptions { CancellationToken = cancellationToken };
        var targetBalls = DualBoundClusters.Build(target.Data, n, d, euclidean, AscentBallPoints);
        var sourceBalls = DualBoundClusters.Build(source.Data, n, d, euclidean, AscentBallPoints);
        var forward = new ReducedCostSearch(targetBalls, d, cost);
        var reverse = kr > 0 ? new ReducedCostSearch(sourceBalls, d, cost) : null;

        // Above the tree dimension the searches run by query balls with the float32 screen (the global refinement's).
        var screen = d > TreeMaxDimension;
        var forwardBlocks = screen && forward.PrepareBlocks(sourceBalls) ? sourceBalls : null;
        var reverseBlocks = screen && reverse is not null && reverse.PrepareBlocks(targetBalls) ? targetBalls : null;
        var forwardIds = new int[n * k];
        var reverseIds = new int[n * Math.Max(kr, 1)];
        var reverseFound = new int[n];
        var prices = new double[n];
        var start = new double[n];
        var exit = new double[n];
        double[]? noExit = null;
        var war = false;
        List<double> bounds = [best.LowerBound];
        List<long> bids = [0];
        List<double> cpu = [0];
        var cpuStart = ProcessCpu.Now();
        var current = best;

        // The graph (CSR rows, edge costs), the potential g₁ its forward candidates were searched with and each row's
        // largest forward candidate value c − g₁ (every column off the graph has at least that under g₁).
        int[] rowStart = [], columns = [];
        double[] costs = [], searchedG = [], largestSearched = new double[n];
        for (var pass = 0; pass < passes; pass++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (pass == 0 || !(exits && AscentReuseGraph))
            {
                (rowStart, columns, costs) = AscentGraph(source, target, cost, current, forward, reverse, forwardBlocks, reverseBlocks, k, kr, forwardIds, reverseIds, reverseFound, parallel);
                searchedG = current.G;
                for (var i = 0; i < n; i++)
                {
                    var largest = double.NegativeInfinity;
                    for (var e = rowStart[i]; e < rowStart[i] + k; e++)
                    {
                        largest = Math.Max(largest, costs[e] - searchedG[columns[e]]);
                    }

                    largestSearched[i] = largest;
                }
            }

            for (var j = 0; j < n; j++)
            {
                prices[j] = -current.G[j];
            }

            // Each row's way off the graph: every column off it had c − g₁ ≥ L (above) under the search's g₁, so under the
            // prices −g it has c + p ≥ L + min_j (g₁ − g)(j) (0 on a freshly searched graph); prices only rise during the
            // auction, so that value bounds the row's best column off the graph throughout.
            // Filled only for an auction with exits (the war's re-run included).
            void FillExits()
            {
                var drift = 0.0;
                for (var j = 0; j < n && !ReferenceEquals(searchedG, current.G); j++)
                {
                    drift = Math.Min(drift, searchedG[j] - current.G[j]);
                }

                for (var i = 0; i < n; i++)
                {
                    exit[i] = largestSearched[i] + drift;
                }
            }

            // Warm from −v, each row free to leave for its exit, no per-phase budget but a total one: the prices reached
            // are certified whether the auction finished or stopped on it. Without exits a pass that spends its
            // AscentWarBids is in a price war: re-run from the same prices with exits on the rest of the budget.
            var budget = (long)AscentBids * n;
            var withExits = exits || war;
            prices.CopyTo(start, 0);
            if (withExits)
            {
                FillExits();
            }
            else if (noExit is null)
            {
                noExit = new double[n];
                Array.Fill(noExit, double.PositiveInfinity);
            }

            var auction = new SparseAuctionOptions(AscentFinalEpsilon) { StartRelativeEpsilon = AscentWarmEpsilon, Exits = withExits ? exit : noExit, MaxBidsPerRow = int.MaxValue, MaxBids = withExits ? budget : Math.Min(budget, (long)AscentWarBids * n) };
            var run = SparseAuction.Solve(rowStart, columns, costs, auction, [], prices, cancellationToken);
            var used = run.Bids;
            if (!withExits && run.Outcome == SparseAuctionOutcome.Stopped && used < budget)
            {
                war = true;
                start.CopyTo(prices, 0);
                FillExits();
                auction = auction with { Exits = exit, MaxBids = budget - used };
                used += SparseAuction.Solve(rowStart, columns, costs, auction, [], prices, cancellationToken).Bids;
            }

            bids.Add(used);

            // g = −prices, shifted to the mean of the current v (the transforms commute with a constant; the auction's prices
            // drift, and the rigorous allowance grows with the potentials' magnitudes).
            var shift = 0.0;
            for (var j = 0; j < n; j++)
            {
                shift += current.G[j] + prices[j];
            }

            shift /= n;
            for (var j = 0; j < n; j++)
            {
                prices[j] = shift - prices[j];
            }

            var next = CertifyCore(transforms, a, b, prices, fromSource: false);
            bounds.Add(next.LowerBound);
            cpu.Add((ProcessCpu.Now() - cpuStart).TotalSeconds);
            if (!(next.LowerBound > current.LowerBound))
            {
                break;
            }

            var minGain = pass == 0 && d > TreeMaxDimension ? Math.Max(AscentExitMinGain, AscentExitFirstGain) : AscentExitMinGain;
            var small = exits && next.LowerBound - current.LowerBound < minGain * Math.Abs(current.LowerBound);
            current = next;
            if (small)
            {
                break;
            }
        }

        return current with { AscentBounds = [.. bounds], AscentBids = [.. bids], AscentCpuSeconds = [.. cpu] };
    }

    /// <summary>The ascent's graph under the current (u, v): CSR rows of the forward candidates (exact k-best of c − v), then
    /// each reverse edge (k-best of c − u per target) not already among its row's, and the edge costs.</summary>
    private static (int[] RowStart, int[] Columns, double[] Costs) AscentGraph(PointCloud<double> source, PointCloud<double> target, ICostFunction<double>? cost, DualBoundResult current, ReducedCostSearch forward, ReducedCostSearch? reverse, DualBoundClusters? forwardBlocks, DualBoundClusters? reverseBlocks, int k, int kr, int[] forwardIds, int[] reverseIds, int[] reverseFound, ParallelOptions parallel)
    {
        var n = source.Count;
        var d = source.Dimension;
        Candidates(forward, source, forwardBlocks, current.G, k, forwardIds, null, parallel);
        if (reverse is not null)
        {
            Candidates(reverse, target, reverseBlocks, current.F, kr, reverseIds, reverseFound, parallel);
        }

        // CSR rows: the forward candidates, then each reverse edge (i, j) not already among row i's.
        var extra = new int[n];
        for (var j = 0; j < n && reverse is not null; j++)
        {
            for (var t = 0; t < reverseFound[j]; t++)
            {
                var i = reverseIds[(j * kr) + t];
                if (Array.IndexOf(forwardIds, j, i * k, k) < 0)
                {
                    extra[i]++;
                }
            }
        }

        var rowStart = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            rowStart[i + 1] = rowStart[i] + k + extra[i];
        }

        var columns = new int[rowStart[n]];
        var fill = new int[n];
        for (var i = 0; i < n; i++)
        {
            Array.Copy(forwardIds, i * k, columns, rowStart[i], k);
            fill[i] = rowStart[i] + k;
        }

        for (var j = 0; j < n && reverse is not null; j++)
        {
            for (var t = 0; t < reverseFound[j]; t++)
            {
                var i = reverseIds[(j * kr) + t];
                if (Array.IndexOf(forwardIds, j, i * k, k) < 0)
                {
                    columns[fill[i]++] = j;
                }
            }
        }

        var costs = new double[columns.Length];
        Parallel.For(0, n, parallel, i =>
        {
            var xs = source.Data.Slice(i * d, d);
            for (var e = rowStart[i]; e < rowStart[i + 1]; e++)
            {
                costs[e] = BlockFactors.PairCost(xs, target.Data.Slice(columns[e] * d, d), cost);
            }
        });

        return (rowStart, columns, costs);
    }

    /// <summary>For each query point (of <paramref name="queries"/>), the exact <paramref name="k"/> points of the searched
    /// cloud of smallest c(query, y) − h(y) (<paramref name="h"/> set on <paramref name="search"/> here); ids per query, and
    /// how many were found (fewer only on tiny clouds; without <paramref name="found"/> the first is repeated). With
    /// <paramref name="blocks"/> (prepared by <see cref="ReducedCostSearch.PrepareBlocks"/>) the float32-screened search by
    /// query balls, the same candidates bit for bit.</summary>
    private static void Candidates(ReducedCostSearch search, PointCloud<double> queries, DualBoundClusters? blocks, double[] h, int k, int[] ids, int[]? found, ParallelOptions parallel)
    {
        var d = queries.Dimension;
        search.SetPotential(h, parallel);
        var n = queries.Count;
        void Store(int i, int count, ReadOnlySpan<int> from)
        {
            from[..count].CopyTo(ids.AsSpan(i * k, k));
            if (found is not null)
            {
                found[i] = count;
            }
            else
            {
                for (var t = count; t < k; t++)
                {
                    ids[(i * k) + t] = ids[i * k];
                }
            }
        }

        if (blocks is not null && search.BlocksReady)
        {
            var order = blocks.Order.ToArray();
            var largest = 0;
            for (var b = 0; b < blocks.Balls; b++)
            {
                largest = Math.Max(largest, blocks.BallCount(b));
            }

            var exclude = Enumerable.Repeat(-1, largest).ToArray();
            WorkerScratch.For(0, blocks.Balls, parallel, () => new BlockSearchScratch(search.CreateBlockScratch(), new int[largest * k], new double[largest * k], new int[largest]), (block, scratch) =>
            {
                var qs = blocks.BallStart(block);
                var qc = blocks.BallCount(block);
                search.SearchBlock(block, exclude.AsSpan(0, qc), k, scratch.Search, scratch.Ids, scratch.Values, scratch.Found);
                for (var t = 0; t < qc; t++)
                {
                    Store(order[qs + t], scratch.Found[t], scratch.Ids.AsSpan(t * k, k));
                }
            });
            return;
        }

        const int chunk = 256;
        WorkerScratch.For(0, (n + chunk - 1) / chunk, parallel, () => new SearchScratch(search.CreateScratch(), new int[k], new double[k]), (c, scratch) =>
        {
            var end = Math.Min(n, (c + 1) * chunk);
            for (var i = c * chunk; i < end; i++)
            {
                Store(i, search.Search(queries.Data.Slice(i * d, d), -1, k, scratch.Search, scratch.Ids, scratch.Values, 0, 4), scratch.Ids);
            }
        });
    }

    // A worker's scratch of the candidate searches (reused across the loop's replicas: WorkerScratch).
    private sealed record BlockSearchScratch(ReducedCostSearch.BlockScratch Search, int[] Ids, double[] Values, int[] Found);

    private sealed record SearchScratch(ReducedCostSearch.Scratch Search, int[] Ids, double[] Values);

    private static bool Uniform(double[] w)
    {
        foreach (var value in w)
        {
            if (value != w[0])
            {
                return false;
            }
        }

        return true;
    }
}
