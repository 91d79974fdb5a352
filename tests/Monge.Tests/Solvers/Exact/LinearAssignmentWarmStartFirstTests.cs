using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Tests.Solvers.Exact;

/// <summary>Hierarchical Refinement's leaf settings of the multiscale warm start (stop 31, leafslab): straight to the warm
/// start (<see cref="LinearAssignmentWorkspace{T}.WarmStartFirst"/>) and 0, 1 or 2 row reduction passes after it
/// (<see cref="LinearAssignmentWorkspace{T}.WarmStartReductionPasses"/>), against brute force over all permutations at
/// n ≤ 8 (random, tied, wide and rounded costs; the warm start forced from 2 points) and against the default solve on
/// leaf-like shifted clusters (a unique optimum on continuous data: the same permutation and cost bits).</summary>
public class LinearAssignmentWarmStartFirstTests
{
    private static readonly (bool First, int Passes)[] Settings = [(false, 0), (false, 1), (true, 0), (true, 1), (true, 2)];

    [Fact]
    public void Solve_WarmStartFirstOrFewerPasses_SmallRandom_MatchesBruteForce()
    {
        var random = Seeds.Create(3101);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = 2 + random.Next(7);
            var kind = trial % AssignmentTestCosts.Kinds;
            var cost = new double[n * n];
            for (var k = 0; k < cost.Length; k++)
            {
                cost[k] = AssignmentTestCosts.Next(random, kind);
            }

            var brute = LinearAssignmentTests.BruteForce(cost, n, n);
            foreach (var (first, passes) in Settings)
            {
                foreach (var mixed in new[] { 2, int.MaxValue })
                {
                    var ws = new LinearAssignmentWorkspace<double>
                    {
                        WarmStartThreshold = 2,
                        WarmStartFirst = first,
                        WarmStartReductionPasses = passes,
                        MixedPrecisionThreshold = mixed,
                    };
                    var sigma = LinearAssignment.Solve(cost, n, n, ws).RowToColumn;
                    Assert.Equal(Enumerable.Range(0, n), sigma.Order());
                    var total = Enumerable.Range(0, n).Sum(i => cost[(i * n) + sigma[i]]);
                    NumericAssert.Close(brute, total, rtol: 1e-12, atol: 1e-9, what: $"trial {trial} (n = {n}, kind {kind}, first {first}, passes {passes}, mixed from {mixed})");
                }
            }
        }
    }

    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(200)]
    [InlineData(255)]
    [InlineData(256)]
    public void Solve_WarmStartFirstOrFewerPasses_ShiftedClusters_SameMatchingAsDefault(int n)
    {
        var random = Seeds.Create(n);
        for (var trial = 0; trial < 4; trial++)
        {
            // A leaf: two 2-D Gaussian clusters, the targets shifted by several cluster widths (the column reduction collides).
            var x = Enumerable.Range(0, 2 * n).Select(_ => Gaussian(random)).ToArray();
            var y = Enumerable.Range(0, 2 * n).Select(k => (0.8 * Gaussian(random)) + (k % 2 == 0 ? 3.0 : -1.5)).ToArray();
            var euclidean = trial % 2 == 1;
            var cost = new double[n * n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    var (t0, t1) = (x[2 * i] - y[2 * j], x[(2 * i) + 1] - y[(2 * j) + 1]);
                    var c = (t0 * t0) + (t1 * t1);
                    cost[(i * n) + j] = euclidean ? Math.Sqrt(c) : c;
                }
            }

            foreach (var mixed in new[] { 96, int.MaxValue })
            {
                var expected = LinearAssignment.Solve(cost, n, n, new LinearAssignmentWorkspace<double> { WarmStartThreshold = 96, MixedPrecisionThreshold = mixed });
                foreach (var (first, passes) in Settings)
                {
                    var ws = new LinearAssignmentWorkspace<double>
                    {
                        WarmStartThreshold = 96,
                        WarmStartFirst = first,
                        WarmStartReductionPasses = passes,
                        MixedPrecisionThreshold = mixed,
                    };
                    var other = LinearAssignment.Solve(cost, n, n, ws);
                    Assert.Equal(expected.RowToColumn, other.RowToColumn);
                    Assert.Equal(BitConverter.DoubleToInt64Bits(expected.TotalCost), BitConverter.DoubleToInt64Bits(other.TotalCost));
                }
            }
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
