using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests;

/// <summary>The README's C# example, run as written (smaller n), with its claims checked.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void ReadmeExample_RunsAndHiRefIsNearTheExactOptimum()
    {
        var pair = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, n: 512, seed: 0);
        PointCloud<double> x = pair.Source, y = pair.Target!;

        var exact = new LinearAssignment().Solve(x, y, new SquaredEuclidean<double>());
        var hiref = new HierarchicalRefinement { Seed = 0 }.Solve(x, y);
        var optimum = exact.Cost;
        NumericAssert.InRange(hiref.Cost, optimum * (1 - 1e-12), optimum * 1.01, "HiRef cost vs exact optimum");
        Assert.Equal(Enumerable.Range(0, x.Count), hiref.Permutation.Order());

        var problem = new LinearProblem<double>(PointCloudGeometry.SquaredEuclidean(x, y));
        var sinkhorn = new Sinkhorn { Epsilon = 0.01 }.Solve(problem);
        Assert.Equal(SolverStatus.Converged, sinkhorn.Convergence.Status);

        // The entropic plan is a coupling, so its primal cost is at least the exact optimum.
        Assert.True(sinkhorn.Cost >= optimum * (1 - 1e-9), $"Sinkhorn primal cost {sinkhorn.Cost} below the optimum {optimum}");
    }
}
