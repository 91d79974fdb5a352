using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers;
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

        var match = Ot.Match(x, y, new SquaredEuclidean<double>());
        Assert.Equal("exact", match.Method);
        Assert.True(match.Optimal);
        var optimum = match.Cost;
        NumericAssert.Close(new LinearAssignment().Solve(x, y, new SquaredEuclidean<double>()).Cost, optimum, rtol: 1e-12);

        var sinkhorn = Ot.Solve(x, y, new OtOptions { Epsilon = 0.01 });
        var lowRank = Ot.Solve(x, y, new OtOptions { Rank = 10 });
        Assert.Equal(SolverStatus.Converged, sinkhorn.Convergence.Status);
        var divergence = Ot.Divergence(x, y, epsilon: 0.01);
        Assert.True(double.IsFinite(divergence.Value));

        // Entropic and low-rank plans are couplings, so their primal costs are at least the exact optimum.
        Assert.True(sinkhorn.Cost >= optimum * (1 - 1e-9), $"Sinkhorn primal cost {sinkhorn.Cost} below the optimum {optimum}");
        Assert.True(lowRank.Cost >= optimum * (1 - 1e-6), $"FRLC primal cost {lowRank.Cost} below the optimum {optimum}");

        var hiref = new HierarchicalRefinement { Seed = 0, LeafSize = 128 }.Solve(x, y);
        NumericAssert.InRange(hiref.Cost, optimum * (1 - 1e-12), optimum * 1.01, "HiRef cost vs exact optimum");
        Assert.Equal(Enumerable.Range(0, x.Count), hiref.Permutation.Order());
    }
}
