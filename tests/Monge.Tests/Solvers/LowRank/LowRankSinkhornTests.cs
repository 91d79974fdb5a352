using Monge.Solvers;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

public class LowRankSinkhornTests
{
    [Theory]
    [InlineData(LowRankInitialization.Random)]
    [InlineData(LowRankInitialization.Rank2)]
    [InlineData(LowRankInitialization.KMeans)]
    public void Solve_MarginalsWithinDykstraToleranceAndCostBelowIndependent(LowRankInitialization init)
    {
        const int n = 80;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 2);
        var c = LowRankTestData.DenseCost(x, y, 2);
        var result = new LowRankSinkhorn { Rank = 6, Seed = 4, Initialization = init }.Solve(LowRankCost.SquaredEuclideanFactors(x, y));
        var plan = result.Coupling.ToDense();
        NumericAssert.Close(LowRankTestData.Dot(c, plan), result.Cost, rtol: 1e-10, what: "⟨C,P⟩");
        Assert.True(result.SourceMarginalError + result.TargetMarginalError < 2e-3, $"errors {result.SourceMarginalError}, {result.TargetMarginalError}");
        Assert.True(result.Cost < 0.5 * c.Sum() / (n * n), $"cost {result.Cost} vs independent {c.Sum() / (n * n)}");
        Assert.All(result.G.ToArray(), v => Assert.True(v >= 1e-6 * 0.999));
        Assert.True(result.Convergence.Iterations > 0);
    }

    [Fact]
    public void Solve_DenseAndFactored_Agree()
    {
        const int n = 60;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 3);
        var c = LowRankTestData.DenseCost(x, y, 2);
        var solver = new LowRankSinkhorn { Rank = 5, Seed = 1, MaxIterations = 50 };
        var dense = solver.Solve(LowRankCost.Dense(c, n, n));
        var factored = solver.Solve(LowRankCost.SquaredEuclideanFactors(x, y));
        NumericAssert.Close(dense.Q, factored.Q, rtol: 1e-7, atol: 1e-12);
        NumericAssert.Close(dense.Cost, factored.Cost, rtol: 1e-9);
    }

    [Fact]
    public void Solve_CostLiesBetweenExactAndAFewPercentAboveIt()
    {
        // Oracle: POT's ot.emd2 on the same points and cost (tests/fixtures/lowrank_lot_moons_n50.npz).
        var problem = LowRankTestData.LoadExact("lowrank_lot_moons_n50");
        var n = problem.N;
        var exact = problem.Exact;
        var lot = new LowRankSinkhorn { Rank = 10, Seed = 2 }.Solve(LowRankCost.Dense(problem.Cost, n, n));
        Assert.True(lot.Cost >= exact * (1 - 2e-3), $"LOT {lot.Cost} below exact {exact}");
        Assert.True(lot.Cost < 1.2 * exact, $"LOT {lot.Cost} vs exact {exact}");
    }

    [Fact]
    public void Solve_BadInputs_Throw()
    {
        var (x, y) = LowRankTestData.EightGaussiansMoons(20, 1);
        var cost = LowRankCost.SquaredEuclideanFactors(x, y);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new LowRankSinkhorn { Rank = 0 }.Solve(cost)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new LowRankSinkhorn { Rank = 21 }.Solve(cost)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new LowRankSinkhorn { Gamma = double.NaN }.Solve(cost)).Problem);
        Assert.Equal(InputProblem.MassMismatch, Assert.Throws<InputValidationException>(() => new LowRankSinkhorn { Rank = 2 }.Solve(cost, Enumerable.Repeat(1.0, 20).ToArray())).Problem);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Equal(SolverStatus.Cancelled, new LowRankSinkhorn { Rank = 2 }.Solve(cost, cancellationToken: cts.Token).Convergence.Status);
    }
}
