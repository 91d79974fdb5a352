using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Tests.Solvers.Exact;

public class SparseAuctionTests
{
    // On the complete graph the auction must reach the dense Jonker–Volgenant optimum (within n·ε, ε = 1e-9 × mean).
    [Theory]
    [InlineData(1, 11)]
    [InlineData(7, 12)]
    [InlineData(60, 13)]
    [InlineData(200, 14)]
    public void CompleteGraph_MatchesDenseOptimum(int n, int seed)
    {
        var rng = Seeds.Create(seed);
        var x = Generators.UniformCloud(rng, n, 2);
        var y = Generators.UniformCloud(rng, n, 2);
        var dense = new double[n * n];
        LinearAssignment.FillCost(x.Data, y.Data, 2, new SquaredEuclidean<double>(), dense);
        var rowStart = Enumerable.Range(0, n + 1).Select(i => i * n).ToArray();
        var columns = Enumerable.Range(0, n * n).Select(e => e % n).ToArray();
        var assignment = new int[n];
        Assert.Equal(SparseAuctionOutcome.Solved, SparseAuction.Solve(rowStart, columns, dense, new(1e-9) { MaxBidsPerRow = 100_000 }, assignment, [], CancellationToken.None).Outcome);
        Assert.Equal(Enumerable.Range(0, n), assignment.Order());
        var cost = Enumerable.Range(0, n).Sum(i => dense[(i * n) + assignment[i]]);
        var optimum = LinearAssignment.Solve(dense, n, n).TotalCost;
        Assert.InRange(cost, optimum - 1e-12, optimum + (n * 1e-9 * dense.Average()) + 1e-12);
    }

    // A sparse graph with a planted perfect matching and random extra edges: the optimum over the edges equals the dense
    // optimum when every non-edge costs far more than any matching of edges.
    [Theory]
    [InlineData(50, 3, 21)]
    [InlineData(300, 5, 22)]
    [InlineData(500, 1, 23)]
    public void SparseGraph_MatchesDenseOptimumWithForbiddenNonEdges(int n, int extra, int seed)
    {
        var (rowStart, columns, costs) = PlantedGraph(n, extra, seed);
        const double forbidden = 1e6;
        var dense = Enumerable.Repeat(forbidden, n * n).ToArray();
        for (var i = 0; i < n; i++)
        {
            for (var e = rowStart[i]; e < rowStart[i + 1]; e++)
            {
                dense[(i * n) + columns[e]] = costs[e];
            }
        }

        var assignment = new int[n];
        Assert.Equal(SparseAuctionOutcome.Solved, SparseAuction.Solve(rowStart, columns, costs, new(1e-10) { MaxBidsPerRow = 100_000 }, assignment, [], CancellationToken.None).Outcome);
        Assert.Equal(Enumerable.Range(0, n), assignment.Order());
        var cost = Enumerable.Range(0, n).Sum(i => dense[(i * n) + assignment[i]]);
        Assert.True(cost < forbidden, "used a non-edge");
        var optimum = LinearAssignment.Solve(dense, n, n).TotalCost;
        Assert.InRange(cost, optimum - 1e-9, optimum + (n * 1e-10 * costs.Average()) + 1e-9);
    }

    // A warm start from prices and an assignment (random permutation, or the optimum itself with its own prices) reaches
    // the dense Jonker–Volgenant optimum; from the optimum and its prices no row needs to bid, so the optimum comes back.
    [Theory]
    [InlineData(40, 31)]
    [InlineData(150, 32)]
    public void WarmStart_FromAssignmentAndPrices_MatchesDenseOptimum(int n, int seed)
    {
        var rng = Seeds.Create(seed);
        var x = Generators.UniformCloud(rng, n, 3);
        var y = Generators.UniformCloud(rng, n, 3);
        var dense = new double[n * n];
        LinearAssignment.FillCost(x.Data, y.Data, 3, new SquaredEuclidean<double>(), dense);
        var rowStart = Enumerable.Range(0, n + 1).Select(i => i * n).ToArray();
        var columns = Enumerable.Range(0, n * n).Select(e => e % n).ToArray();
        var optimum = LinearAssignment.Solve(dense, n, n).TotalCost;
        var slack = (n * 1e-9 * dense.Average()) + 1e-12;
        var start = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(start);
        var prices = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 0.1).ToArray();
        var assignment = new int[n];
        Assert.Equal(SparseAuctionOutcome.Solved, SparseAuction.Solve(rowStart, columns, dense, new(1e-9) { MaxBidsPerRow = 100_000, StartRelativeEpsilon = 1e-2, StartAssignment = start }, assignment, prices, CancellationToken.None).Outcome);
        Assert.Equal(Enumerable.Range(0, n), assignment.Order());
        var cost = Enumerable.Range(0, n).Sum(i => dense[(i * n) + assignment[i]]);
        Assert.InRange(cost, optimum - 1e-12, optimum + slack);

        // Restart from that solution and its prices: ε-complementary slackness already holds at the final ε.
        var again = new int[n];
        Assert.Equal(SparseAuctionOutcome.Solved, SparseAuction.Solve(rowStart, columns, dense, new(1e-9) { MaxBidsPerRow = 100_000, StartRelativeEpsilon = 1e-9, StartAssignment = assignment }, again, prices, CancellationToken.None).Outcome);
        Assert.Equal(assignment, again);
    }

    // Two rows that can only take the same column: no perfect matching, so the bid budget runs out and the caller's
    // assignment and prices are left untouched.
    [Fact]
    public void NoPerfectMatching_FailsAndLeavesOutputUntouched()
    {
        var (rowStart, columns, costs) = TwoRowsOneColumn;
        var assignment = new[] { -5, -5, -5 };
        var prices = new[] { 7.0, 7.0, 7.0 };
        Assert.Equal(SparseAuctionOutcome.Failed, SparseAuction.Solve(rowStart, columns, costs, new(1e-6) { MaxBidsPerRow = 50 }, assignment, prices, CancellationToken.None).Outcome);
        Assert.All(prices, p => Assert.Equal(7.0, p));
        Assert.All(assignment, a => Assert.Equal(-5, a));
    }

    // Exits (stop 26, sauc: the certificate's ascent runs on this auction): on tiny random graphs, with or without a perfect
    // matching and with rows without edges, each row either takes an edge (columns distinct) or its exit e_i. Against the
    // brute-force optimum of that problem: the result is feasible, its prices satisfy ε-complementary slackness (an assigned
    // row within ε of min(best column, e_i), a row that left has no column below e_i), and the cost is within n·ε of the
    // optimum plus the prices of the columns left without a row (zero for a single phase from zero prices, where a column
    // once bid for keeps a row).
    [Theory]
    [InlineData(2, 41, false)]
    [InlineData(4, 42, false)]
    [InlineData(6, 43, false)]
    [InlineData(7, 44, false)]
    [InlineData(4, 45, true)]
    [InlineData(6, 46, true)]
    [InlineData(7, 47, true)]
    public void Exits_MatchBruteForceOptimum(int n, int seed, bool singlePhase)
    {
        var rng = Seeds.Create(seed);
        for (var trial = 0; trial < 40; trial++)
        {
            var rowStart = new int[n + 1];
            var columns = new List<int>();
            var costs = new List<double>();
            for (var i = 0; i < n; i++)
            {
                var degree = rng.Next(0, Math.Min(n, 4) + 1);
                foreach (var j in Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(degree).Order())
                {
                    columns.Add(j);
                    costs.Add(Math.Round(rng.NextDouble() * 40) / 4); // ties on purpose
                }

                rowStart[i + 1] = columns.Count;
            }

            var exits = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 48) / 4).ToArray();
            var assignment = new int[n];
            var prices = new double[n];
            const double relative = 1e-9;
            var options = new SparseAuctionOptions(relative) { Exits = exits, StartRelativeEpsilon = singlePhase ? relative : double.NaN };
            var result = SparseAuction.Solve(rowStart, [.. columns], [.. costs], options, assignment, prices, CancellationToken.None);
            Assert.Equal(SparseAuctionOutcome.Solved, result.Outcome);
            var eps = Math.Max(relative * costs.Select(Math.Abs).DefaultIfEmpty(0).Average(), 1e-300);
            var cost = 0.0;
            var owned = new bool[n];
            for (var i = 0; i < n; i++)
            {
                var best = double.PositiveInfinity;
                var mine = double.NaN;
                for (var e = rowStart[i]; e < rowStart[i + 1]; e++)
                {
                    best = Math.Min(best, costs[e] + prices[columns[e]]);
                    if (columns[e] == assignment[i])
                    {
                        mine = costs[e] + prices[columns[e]];
                        cost += costs[e];
                    }
                }

                if (assignment[i] < 0)
                {
                    Assert.True(best >= exits[i], $"trial {trial}: row {i} left with a column at {best} below its exit {exits[i]}");
                    cost += exits[i];
                    continue;
                }

                Assert.False(owned[assignment[i]], $"trial {trial}: column {assignment[i]} taken twice");
                owned[assignment[i]] = true;
                Assert.False(double.IsNaN(mine), $"trial {trial}: row {i} took a non-edge");
                Assert.True(mine <= Math.Min(best, exits[i]) + eps + 1e-12, $"trial {trial}: row {i} at {mine}, its best {Math.Min(best, exits[i])} (ε-complementary slackness)");
            }

            var optimum = BruteForce(rowStart, columns, costs, exits, 0, new bool[n]);
            var free = Enumerable.Range(0, n).Where(j => !owned[j]).Sum(j => prices[j]);
            Assert.True(prices.All(p => p >= 0), "prices from zero only rise");
            Assert.InRange(cost, optimum - 1e-9, optimum + (n * eps) + free + 1e-9);
            if (singlePhase)
            {
                Assert.Equal(0, free);
            }
        }
    }

    // With every exit +∞ the auction is the one without exits, bit for bit (graphs with a perfect matching).
    [Theory]
    [InlineData(300, 3, 51)]
    [InlineData(500, 1, 52)]
    public void Exits_AllInfinite_SameAsWithout(int n, int extra, int seed)
    {
        var (rowStart, columns, costs) = PlantedGraph(n, extra, seed);
        var (a, pa) = (new int[n], new double[n]);
        var (b, pb) = (new int[n], new double[n]);
        var without = SparseAuction.Solve(rowStart, columns, costs, new(1e-10), a, pa, CancellationToken.None);
        var with = SparseAuction.Solve(rowStart, columns, costs, new(1e-10) { Exits = Enumerable.Repeat(double.PositiveInfinity, n).ToArray() }, b, pb, CancellationToken.None);
        Assert.Equal(SparseAuctionOutcome.Solved, without.Outcome);
        Assert.Equal(without, with);
        Assert.Equal(a, b);
        Assert.Equal(pa, pb);
    }

    // Exits below every edge: every row leaves at once, no bid, the warm prices come back unchanged.
    [Fact]
    public void Exits_BelowEveryEdge_AllRowsLeaveWithoutBids()
    {
        var (rowStart, columns, costs) = PlantedGraph(40, 3, 53);
        var prices = Enumerable.Range(0, 40).Select(j => j * 0.5).ToArray();
        var before = prices.ToArray();
        var assignment = new int[40];
        var result = SparseAuction.Solve(rowStart, columns, costs, new(1e-9) { StartRelativeEpsilon = 1e-3, Exits = Enumerable.Repeat(-1.0, 40).ToArray() }, assignment, prices, CancellationToken.None);
        Assert.Equal(new SparseAuctionResult(SparseAuctionOutcome.Solved, 0), result);
        Assert.All(assignment, j => Assert.Equal(-1, j));
        Assert.Equal(before, prices);
    }

    // The total budget stops the auction on the bid that reaches it and writes the prices reached (a prefix of the same
    // deterministic run: prices only rise, so a larger budget gives prices at least as high everywhere); the partial
    // assignment is a matching on the edges. Without a perfect matching and without exits the run never finishes, so it
    // stops on any budget; with a budget larger than the run needs the result is the unbudgeted one bit for bit.
    [Fact]
    public void TotalBudget_StopsWithThePricesReached()
    {
        var (rowStart, columns, costs) = TwoRowsOneColumn;
        var previous = new double[3];
        foreach (var budget in new long[] { 1, 2, 7, 50 })
        {
            var prices = new double[3];
            var assignment = new[] { -5, -5, -5 };
            var result = SparseAuction.Solve(rowStart, columns, costs, new(1e-6) { MaxBidsPerRow = int.MaxValue, MaxBids = budget }, assignment, prices, CancellationToken.None);
            Assert.Equal(new SparseAuctionResult(SparseAuctionOutcome.Stopped, budget), result);
            Assert.True(prices.Zip(previous).All(p => p.First >= p.Second), $"budget {budget}: prices fell");
            Assert.True(prices[0] > previous[0], $"budget {budget}: the war over column 0 goes on");
            Assert.All(assignment, j => Assert.InRange(j, -1, 2));
            Assert.Equal(assignment.Where(j => j >= 0).Distinct().Count(), assignment.Count(j => j >= 0));
            previous = prices;
        }

        var (rs, cs, cc) = PlantedGraph(200, 3, 54);
        var (a, pa) = (new int[200], new double[200]);
        var (b, pb) = (new int[200], new double[200]);
        var free = SparseAuction.Solve(rs, cs, cc, new(1e-9), a, pa, CancellationToken.None);
        var capped = SparseAuction.Solve(rs, cs, cc, new(1e-9) { MaxBids = free.Bids + 1 }, b, pb, CancellationToken.None);
        Assert.Equal(free, capped);
        Assert.Equal(a, b);
        Assert.Equal(pa, pb);
        var stopped = SparseAuction.Solve(rs, cs, cc, new(1e-9) { MaxBids = free.Bids }, b, pb, CancellationToken.None);
        Assert.Equal(new SparseAuctionResult(SparseAuctionOutcome.Stopped, free.Bids), stopped);
    }

    // Rows 0 and 1 can only take column 0, row 2 takes column 1 or 2: no perfect matching.
    private static (int[] RowStart, int[] Columns, double[] Costs) TwoRowsOneColumn => ([0, 1, 2, 4], [0, 0, 1, 2], [1, 2, 3, 4]);

    // A graph with a planted perfect matching and a few random extra edges per row, costs in quarters (ties).
    private static (int[] RowStart, int[] Columns, double[] Costs) PlantedGraph(int n, int extra, int seed)
    {
        var rng = Seeds.Create(seed);
        var planted = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(planted);
        var rowStart = new int[n + 1];
        var columns = new List<int>();
        var costs = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var row = new HashSet<int> { planted[i] };
            while (row.Count < 1 + extra)
            {
                row.Add(rng.Next(n));
            }

            foreach (var j in row.Order())
            {
                columns.Add(j);
                costs.Add(Math.Round(rng.NextDouble() * 100) / 4);
            }

            rowStart[i + 1] = columns.Count;
        }

        return (rowStart, [.. columns], [.. costs]);
    }

    // The optimum of the problem with exits: rows from `row` on, each taking an edge to a free column or its exit.
    private static double BruteForce(int[] rowStart, List<int> columns, List<double> costs, double[] exits, int row, bool[] taken)
    {
        if (row == exits.Length)
        {
            return 0;
        }

        var best = exits[row] + BruteForce(rowStart, columns, costs, exits, row + 1, taken);
        for (var e = rowStart[row]; e < rowStart[row + 1]; e++)
        {
            var j = columns[e];
            if (!taken[j])
            {
                taken[j] = true;
                best = Math.Min(best, costs[e] + BruteForce(rowStart, columns, costs, exits, row + 1, taken));
                taken[j] = false;
            }
        }

        return best;
    }
}
