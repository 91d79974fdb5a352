using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers;

/// <summary>PlanTopK against brute force: every row of the dense plan sorted by decreasing value.</summary>
public sealed class PlanTopKTests
{
    private static PointCloud<double> Cloud(Random random, int n) =>
        new(Enumerable.Range(0, n * 2).Select(_ => random.NextDouble()).ToArray(), n, 2);

    /// <summary>The plan contract alone, hiding any capability of the wrapped plan (so PlanTopK takes its generic path).</summary>
    private sealed class ContractOnly(ITransportPlan<double> plan) : ITransportPlan<double>
    {
        public int SourceCount => plan.SourceCount;

        public int TargetCount => plan.TargetCount;

        public double Cost => plan.Cost;

        public double[] SourceMarginal => plan.SourceMarginal;

        public double[] TargetMarginal => plan.TargetMarginal;

        public Convergence Convergence => plan.Convergence;

        public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => plan.ApplyPlan(vector, axis);

        public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis) => plan.ApplyPlan(block, columns, axis);

        public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries) => plan.ToDense(maxEntries);
    }

    private static void AssertTopK(ITransportPlan<double> plan, int k)
    {
        var n = plan.SourceCount;
        var m = plan.TargetCount;
        var dense = plan.ToDense();
        var (indices, values) = PlanTopK.Compute(plan, k);
        Assert.Equal(n * k, indices.Length);
        for (var i = 0; i < n; i++)
        {
            // Stable sort by decreasing value: equal values keep the lower column first.
            var expected = Enumerable.Range(0, m).OrderByDescending(j => dense[(i * m) + j]).Take(k).ToArray();
            for (var r = 0; r < k; r++)
            {
                var value = dense[(i * m) + expected[r]];
                NumericAssert.Close(value, values[(i * k) + r], rtol: 1e-12, what: $"row {i}, rank {r}");
                if (value > 0)
                {
                    Assert.Equal(dense[(i * m) + indices[(i * k) + r]], value, 12);
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(37)] // k = m
    public void Compute_SinkhornPlan_BothPathsMatchBruteForce(int k)
    {
        var random = Seeds.Create(3);
        var result = new Sinkhorn { Epsilon = 0.02 }.Solve(LinearProblem<double>.FromPointClouds(Cloud(random, 41), Cloud(random, 37)));
        AssertTopK(result, k); // the plan's own online TopK (IPlanTopK)
        AssertTopK(new ContractOnly(result), k); // P applied to identity blocks
    }

    [Fact]
    public void Compute_LowRankAndSparsePlans_MatchBruteForce()
    {
        var random = Seeds.Create(4);
        var x = Cloud(random, 50);
        var y = Cloud(random, 45);
        AssertTopK(new Frlc { Rank = 4 }.Solve(x, y), 3);
        AssertTopK(new NetworkSimplex().Solve(LinearProblem<double>.FromPointClouds(x, y)), 2);
    }

    [Fact]
    public void Compute_KOutsideOneToM_Throws()
    {
        var x = new PointCloud<double>([0.0, 1.0, 2.0], 3, 1);
        var plan = new LinearAssignment().Solve(x, x);
        Assert.Throws<ArgumentOutOfRangeException>(() => PlanTopK.Compute(plan, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PlanTopK.Compute(plan, 4));
    }
}
