using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Solvers.LowRank;
using Monge.Testing;
using Monge.Tests.Geometry;
using Monge.Tools;

namespace Monge.Tests;

/// <summary>The facade: each branch gives the answer of the direct typed call, the auto policy, invalid options.</summary>
public sealed class OtTests
{
    private static readonly PointCloud<double> X = GeometryTestData.Cloud(13, 2, 701).WithWeights(Weights(13, 703));
    private static readonly PointCloud<double> Y = GeometryTestData.Cloud(9, 2, 702, offset: 0.4).WithWeights(Weights(9, 704));

    [Fact]
    public void Solve_NoOptions_IsNetworkSimplexWithTheCloudsWeights()
    {
        var result = Ot.Solve(X, Y);
        var direct = new NetworkSimplex().Solve(LinearProblem<double>.FromPointClouds(Normalized(X), Normalized(Y)));
        Assert.Equal("exact", result.Method);
        var typed = result.Details<NetworkSimplexResult>();
        Assert.Same(typed, result.Plan);
        NumericAssert.Close(direct.Cost, result.Cost, rtol: 1e-12);
        NumericAssert.Close(direct.ToDense(), result.Plan.ToDense(), rtol: 1e-12, atol: 1e-15);
        Assert.True(typed.Optimal);
    }

    [Fact]
    public void Solve_Epsilon_IsSinkhorn()
    {
        var options = new OtOptions { Epsilon = 0.1, Threshold = 1e-6, MaxIterations = 5000, Cost = new Euclidean<double>() };
        var result = Ot.Solve(X, Y, options);
        var direct = new Sinkhorn { Epsilon = 0.1, Threshold = 1e-6, MaxIterations = 5000 }
            .Solve(LinearProblem<double>.FromPointClouds(Normalized(X), Normalized(Y), new Euclidean<double>()));
        Assert.Equal("sinkhorn", result.Method);
        Assert.IsType<SinkhornResult<double>>(result.Plan);
        NumericAssert.Close(direct.Cost, result.Cost, rtol: 1e-12);
        NumericAssert.Close(direct.F, result.Details<SinkhornResult<double>>().F, rtol: 1e-12, atol: 1e-15);
        Assert.Equal(direct.Convergence.Iterations, result.Convergence.Iterations);
    }

    [Fact]
    public void Solve_EpsilonAndRelaxation_IsUnbalancedSinkhorn()
    {
        var relaxation = Relaxation.FromRho(1, 2);
        var result = Ot.Solve(X, Y, new OtOptions { Epsilon = 0.1, Relaxation = relaxation });
        var direct = new Sinkhorn { Epsilon = 0.1 }.Solve(LinearProblem<double>.FromPointClouds(Normalized(X), Normalized(Y), relaxation: relaxation));
        Assert.Equal("sinkhorn", result.Method);
        NumericAssert.Close(direct.Cost, result.Cost, rtol: 1e-12);
        NumericAssert.Close(direct.SourceMarginal, result.Plan.SourceMarginal, rtol: 1e-12, atol: 1e-15);
    }

    [Fact]
    public void Solve_Rank_IsFrlc()
    {
        var result = Ot.Solve(X, Y, new OtOptions { Rank = 3, Seed = 5 });
        var direct = new Frlc { Rank = 3, Seed = 5 }.Solve(LinearProblem<double>.FromPointClouds(Normalized(X), Normalized(Y)));
        Assert.Equal("frlc", result.Method);
        Assert.IsType<FrlcResult>(result.Plan);
        NumericAssert.Close(direct.Cost, result.Cost, rtol: 1e-12);
        NumericAssert.Close(direct.ToDense(), result.Plan.ToDense(), rtol: 1e-12, atol: 1e-15);
    }

    [Fact]
    public void Solve_EpsilonAndRank_ThrowsNamingBoth()
    {
        var error = Assert.Throws<InputValidationException>(() => Ot.Solve(X, Y, new OtOptions { Epsilon = 0.1, Rank = 3 }));
        Assert.Contains("Epsilon", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rank", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_RelaxationWithoutEpsilonOrRank_ThrowsNamingRelaxation()
    {
        var error = Assert.Throws<InputValidationException>(() => Ot.Solve(X, Y, new OtOptions { Relaxation = Relaxation.FromTau(0.9, 0.9) }));
        Assert.Contains("Relaxation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_ThresholdForTheExactSolver_ThrowsNamingThreshold()
    {
        var error = Assert.Throws<InputValidationException>(() => Ot.Solve(X, Y, new OtOptions { Threshold = 1e-6 }));
        Assert.Contains("Threshold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Details_OtherSolverType_ThrowsNamingTheMethod()
    {
        var result = Ot.Solve(X, Y);
        var error = Assert.Throws<InvalidOperationException>(() => result.Details<FrlcResult>());
        Assert.Contains("exact", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_Small_IsLinearAssignment()
    {
        var x = GeometryTestData.Cloud(40, 3, 711);
        var y = GeometryTestData.Cloud(40, 3, 712);
        var result = Ot.Match(x, y, new Euclidean<double>());
        var direct = new LinearAssignment().Solve(x, y, new Euclidean<double>());
        Assert.Equal("exact", result.Method);
        Assert.True(result.Optimal);
        Assert.Equal(direct.RowToColumn, result.Permutation);
        NumericAssert.Close(direct.Cost, result.Cost, rtol: 1e-12);
        Assert.IsType<LinearAssignmentResult>(result.Details);
    }

    [Fact]
    public void Match_AboveAutoExactMaxPoints_IsHierarchicalRefinement()
    {
        var x = GeometryTestData.Cloud(Ot.AutoExactMaxPoints + 1, 2, 721);
        var y = GeometryTestData.Cloud(Ot.AutoExactMaxPoints + 1, 2, 722);
        var result = Ot.Match(x, y, seed: 3);
        var direct = new HierarchicalRefinement { Seed = 3 }.Solve(x, y);
        Assert.Equal("hiref", result.Method);
        Assert.False(result.Optimal);
        Assert.Equal(direct.Permutation, result.Permutation);
        NumericAssert.Close(direct.Cost, result.Cost, rtol: 1e-12);
        Assert.IsType<HierarchicalRefinementResult>(result.Details);
    }

    [Fact]
    public void Match_AtAutoExactMaxPoints_IsExact()
    {
        Assert.Equal(4096, Ot.AutoExactMaxPoints);
        var x = GeometryTestData.Cloud(Ot.AutoExactMaxPoints, 2, 731);
        var y = GeometryTestData.Cloud(Ot.AutoExactMaxPoints, 2, 732);
        var result = Ot.Match(x, y);
        Assert.Equal("exact", result.Method);
        Assert.True(result.Optimal);
        Assert.Equal(Enumerable.Range(0, x.Count), result.Permutation.Order());
    }

    [Fact]
    public void Divergence_IsSinkhornDivergence()
    {
        var result = Ot.Divergence(X, Y, epsilon: 0.2);
        var direct = SinkhornDivergence.Compute(Normalized(X), Normalized(Y), new Sinkhorn { Epsilon = 0.2 });
        NumericAssert.Close(direct.Value, result.Value, rtol: 1e-12, atol: 1e-15);
        Assert.Equal(0.2, result.Epsilon);
    }

    // The facade normalizes each cloud to mass one (docs/facade.md); FromPointClouds uses the weights as given.
    private static PointCloud<double> Normalized(PointCloud<double> cloud) => cloud.WithWeights(cloud.NormalizedWeights());

    private static double[] Weights(int n, int seed) => Array.ConvertAll(GeometryTestData.Vector(n, seed), v => 1 + Math.Abs(v));
}
