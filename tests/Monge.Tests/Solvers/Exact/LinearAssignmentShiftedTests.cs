using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Exact;

/// <summary><see cref="LinearAssignment.SolveShiftedInto"/>: the solve started on a cost with other row and column constants.</summary>
public class LinearAssignmentShiftedTests
{
    // Oracle: all permutations. The start cost is the exact one with row and column constants (kind 0–2), those constants
    // plus noise (3), or unrelated (4): the result must be the exact optimum whatever the start, float phase or not.
    [Fact]
    public void SolveShifted_SmallProblems_MatchBruteForce()
    {
        var random = Seeds.Create(2801);
        for (var trial = 0; trial < 400; trial++)
        {
            var n = 1 + random.Next(8);
            var kind = trial % 5;
            var exact = new double[n * n];
            for (var k = 0; k < exact.Length; k++)
            {
                exact[k] = (trial / 5 % 3) switch
                {
                    0 => random.NextDouble(),
                    1 => random.Next(3),                   // integer ties
                    _ => 1e4 + (1e-3 * random.NextDouble()), // below float resolution
                };
            }

            var a = Enumerable.Range(0, n).Select(_ => (random.NextDouble() - 0.5) * 100).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => (random.NextDouble() - 0.5) * 100).ToArray();
            var shifted = new double[n * n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    shifted[(i * n) + j] = kind switch
                    {
                        0 => exact[(i * n) + j],
                        1 or 2 => exact[(i * n) + j] - a[i] + b[j],
                        3 => exact[(i * n) + j] - a[i] + b[j] + (0.3 * random.NextDouble()),
                        _ => random.NextDouble(),
                    };
                }
            }

            var offset = kind is 1 or 2 or 3 ? b : new double[n];
            foreach (var mixed in new[] { false, true })
            {
                var ws = new LinearAssignmentWorkspace<double> { MixedPrecision = mixed, MixedPrecisionThreshold = 2, AuctionThreshold = 2, WarmStartThreshold = trial % 2 == 0 ? 2 : 128 };
                var sigma = new int[n];
                LinearAssignment.SolveShiftedInto(exact, shifted, offset, n, sigma, ws);
                var what = $"trial {trial} (n = {n}, kind {kind}, mixed {mixed})";
                Assert.True(sigma.Distinct().Count() == n && sigma.All(j => j >= 0 && j < n), what);
                var total = 0.0;
                for (var i = 0; i < n; i++)
                {
                    total += exact[(i * n) + sigma[i]];
                }

                NumericAssert.Close(LinearAssignmentTests.BruteForce(exact, n, n), total, rtol: 1e-12, atol: 1e-9, what: what);
            }
        }
    }

    // Leaf-like groups (a cluster of sources far from its cluster of targets, squared cost) around the thresholds of the
    // warm start, the float route and the auction (127/128, 255/256): the shifted start (FillShiftedCost) and the plain solve
    // with the warm start from 64 (recursing once more) against the plain double solve, the same permutation (the optimum is
    // unique on continuous data), float route on and off.
    [Theory]
    [InlineData(127, 2)]
    [InlineData(128, 2)]
    [InlineData(255, 2)]
    [InlineData(256, 2)]
    [InlineData(200, 5)]
    public void SolveShifted_ShiftedClusters_SameMatchingAsPlainSolve(int n, int d)
    {
        var random = Seeds.Create(2802 + n + d);
        var x = new double[n * d];
        var y = new double[n * d];
        for (var k = 0; k < x.Length; k++)
        {
            x[k] = random.NextDouble() * (1 + (k % d));
            y[k] = (random.NextDouble() * random.NextDouble()) + 30 + (5 * (k % d));
        }

        var exact = new double[n * n];
        LinearAssignment.FillCost<double>(x, y, d, new SquaredEuclidean<double>(), exact);
        var reference = LinearAssignment.Solve(exact, n, n, new LinearAssignmentWorkspace<double> { MixedPrecision = false });
        var positions = Enumerable.Range(0, n).ToArray();
        var shifted = new double[n * n];
        var offset = new double[n];
        HiRefMatching.FillShiftedCost(x, d, positions, positions, y, shifted, offset);
        foreach (var (mixed, auction) in new[] { (false, 512), (true, 512), (true, 2), (false, 2) })
        {
            var ws = new LinearAssignmentWorkspace<double> { MixedPrecision = mixed, MixedPrecisionThreshold = 2, AuctionThreshold = auction };
            var sigma = new int[n];
            LinearAssignment.SolveShiftedInto(exact, shifted, offset, n, sigma, ws);
            Assert.Equal(reference.RowToColumn.ToArray(), sigma);
        }

        foreach (var mixed in new[] { false, true })
        {
            var ws = new LinearAssignmentWorkspace<double> { MixedPrecision = mixed, MixedPrecisionThreshold = 2, WarmStartThreshold = 64 };
            var sigma = new int[n];
            LinearAssignment.SolveInto<double>(exact, n, n, sigma, ws);
            Assert.Equal(reference.RowToColumn.ToArray(), sigma);
        }
    }
}
