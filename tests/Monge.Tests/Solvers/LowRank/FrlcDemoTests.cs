using Monge.Solvers.LowRank;
using Xunit.Abstractions;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>
/// The FRLC demo set-up (raphael-group/FRLC notebooks/FRLC_demo.ipynb): 8 Gaussians → 2 moons, n = 1000, Euclidean
/// cost divided by its max, r = 100, 100–200 iterations, inner 300/300. The points and POT's exact optimum come from
/// tests/fixtures/lowrank_demo_moons_n1000.npz (tools/fixtures/lowrank.py). The reference reports 0.21866 on its own
/// sample; our sample differs, so the test checks the neighbourhood of that value and the ratio to the exact cost of
/// our sample.
/// </summary>
public class FrlcDemoTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Demo_EightGaussiansToMoons_CostInTheReferenceNeighbourhood()
    {
        var problem = LowRankTestData.LoadExact("lowrank_demo_moons_n1000");
        var n = problem.N;
        var exact = problem.Exact;
        var costs = new List<double>();
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var result = new Frlc { Rank = 100, Seed = seed, MinIterations = 100, MaxIterations = 200, ProjectionIterations = 300, LatentIterations = 300 }
                .Solve(LowRankCost.Dense(problem.Cost, n, n));
            output.WriteLine($"seed {seed}: cost {result.Cost:F6}, exact {exact:F6}, ratio {result.Cost / exact:F4}, iterations {result.Convergence.Iterations}, errors {result.SourceMarginalError:E2}/{result.TargetMarginalError:E2}");
            costs.Add(result.Cost);
            Assert.True(result.Cost >= exact * (1 - 5e-3), $"seed {seed}: cost {result.Cost} below the exact {exact} beyond the marginal slack");
            Assert.True(result.Cost / exact < 1.03, $"seed {seed}: ratio {result.Cost / exact}");
        }

        var mean = costs.Average();
        output.WriteLine($"mean {mean:F6}, spread {costs.Max() - costs.Min():E2}");
        Assert.InRange(mean, 0.2187 * 0.9, 0.2187 * 1.1);
    }
}
