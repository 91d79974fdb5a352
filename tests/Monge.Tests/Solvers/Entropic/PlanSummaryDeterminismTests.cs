using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;

namespace Monge.Tests.Solvers.Entropic;

/// <summary>
/// The plan's cost and marginals are summed over row-block groups fixed by n alone and merged in group order, so the same
/// solve gives the same bits whatever the scheduling (per-thread partial sums merged as threads finished gave answers
/// that changed in the 14th digit from run to run). Oracle for the value: ⟨C, P⟩ from the dense plan and dense cost.
/// </summary>
public sealed class PlanSummaryDeterminismTests
{
    private static PointCloud<double> Cloud(int seed, int n, int d, double shift)
    {
        var rng = new Random(seed);
        return new PointCloud<double>([.. Enumerable.Range(0, n * d).Select(_ => shift + rng.NextDouble())], n, d);
    }

    [Theory]
    [InlineData(CostStorage.Online, 2)]
    [InlineData(CostStorage.Dense, 30)]
    public void Cost_ConcurrentSolves_SameBitsAndEqualsDenseSum(CostStorage storage, int d)
    {
        var problem = new LinearProblem<double>(new PointCloudGeometry<double>(Cloud(1, 600, d, 0), Cloud(2, 550, d, 0.2)));
        var solver = new Sinkhorn { Threshold = 1e-8, CostStorage = storage };
        var runs = Enumerable.Range(0, 6)
            .AsParallel()
            .WithDegreeOfParallelism(3)
            .Select(_ =>
            {
                var result = solver.Solve(problem);
                return (result.Cost, Cols: result.TargetMarginal, Plan: result.ToDense());
            })
            .ToArray();

        foreach (var run in runs)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(runs[0].Cost), BitConverter.DoubleToInt64Bits(run.Cost));
            Assert.Equal(runs[0].Cols, run.Cols);
        }

        var cost = problem.Geometry.ToDense();
        var dense = 0.0;
        for (var k = 0; k < cost.Length; k++)
        {
            dense += cost[k] * runs[0].Plan[k];
        }

        Assert.Equal(dense, runs[0].Cost, 1e-12 * Math.Abs(dense));
    }
}
