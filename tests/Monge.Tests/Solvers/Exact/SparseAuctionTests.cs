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
        Assert.True(SparseAuction.TrySolve(rowStart, columns, dense, 1e-9, 100_000, assignment, CancellationToken.None));
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
        var rng = Seeds.Create(seed);
        var planted = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(planted);
        var rowStart = new int[n + 1];
        var columns = new List<int>();
        var costs = new List<double>();
        const double forbidden = 1e6;
        var dense = Enumerable.Repeat(forbidden, n * n).ToArray();
        for (var i = 0; i < n; i++)
        {
            var row = new HashSet<int> { planted[i] };
            while (row.Count < 1 + extra)
            {
                row.Add(rng.Next(n));
            }

            foreach (var j in row.Order())
            {
                var c = Math.Round(rng.NextDouble() * 100) / 4; // ties on purpose
                columns.Add(j);
                costs.Add(c);
                dense[(i * n) + j] = c;
            }

            rowStart[i + 1] = columns.Count;
        }

        var assignment = new int[n];
        Assert.True(SparseAuction.TrySolve(rowStart, [.. columns], [.. costs], 1e-10, 100_000, assignment, CancellationToken.None));
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
        Assert.True(SparseAuction.TrySolve(rowStart, columns, dense, 1e-9, 100_000, assignment, prices, 1e-2, start, CancellationToken.None));
        Assert.Equal(Enumerable.Range(0, n), assignment.Order());
        var cost = Enumerable.Range(0, n).Sum(i => dense[(i * n) + assignment[i]]);
        Assert.InRange(cost, optimum - 1e-12, optimum + slack);

        // Restart from that solution and its prices: ε-complementary slackness already holds at the final ε.
        var again = new int[n];
        Assert.True(SparseAuction.TrySolve(rowStart, columns, dense, 1e-9, 100_000, again, prices, 1e-9, assignment, CancellationToken.None));
        Assert.Equal(assignment, again);
    }

    // Two rows that can only take the same column: no perfect matching, so the bid budget runs out and the caller's
    // assignment is left untouched.
    [Fact]
    public void NoPerfectMatching_ReturnsFalseAndLeavesOutputUntouched()
    {
        int[] rowStart = [0, 1, 2, 4];
        int[] columns = [0, 0, 1, 2];
        double[] costs = [1, 2, 3, 4];
        var assignment = new[] { -5, -5, -5 };
        Assert.False(SparseAuction.TrySolve(rowStart, columns, costs, 1e-6, 50, assignment, CancellationToken.None));
        Assert.All(assignment, a => Assert.Equal(-5, a));
    }
}
