using Monge.Datasets;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>
/// FRLC's schedule chosen by problem size (<see cref="Frlc.LargeProblemMinPoints"/>): the reference's below 1000 points,
/// the delayed relaxation with fallback and stall stop from there on; options given explicitly always win. Oracle for the
/// large schedule: LR-Sinkhorn at the same rank on the same problem (FRLC must reach a lower cost) and the marginals.
/// </summary>
public sealed class FrlcScheduleTests
{
    [Fact]
    public void ForSize_NullOptions_ReferenceBelowThresholdLargeFromIt()
    {
        var small = new Frlc().ForSize(999, 5000);
        Assert.Equal(Relaxation.FromRho(50, 50), small.InnerRelaxation);
        Assert.Equal(0, small.InnerRelaxationDelay);
        Assert.False(small.InnerRelaxationFallback);
        Assert.Equal(0, small.ObjectiveTolerance);
        Assert.Equal(1e-5, small.Threshold);
        Assert.Equal(200, small.MaxIterations);

        var large = new Frlc().ForSize(1000, 1000);
        Assert.Equal(Relaxation.FromRho(2, 2), large.InnerRelaxation);
        Assert.Equal(Frlc.LargeProblemRelaxationDelay, large.InnerRelaxationDelay);
        Assert.True(large.InnerRelaxationFallback);
        Assert.Equal(1e-4, large.ObjectiveTolerance);
        Assert.Equal(0, large.Threshold);
        Assert.Equal(300, large.MaxIterations);

        var given = new Frlc { InnerRelaxation = Relaxation.Balanced, InnerRelaxationDelay = 3, InnerRelaxationFallback = false, ObjectiveTolerance = 0, Threshold = 1e-6, MaxIterations = 7 }.ForSize(5000, 5000);
        Assert.Equal(Relaxation.Balanced, given.InnerRelaxation);
        Assert.Equal(3, given.InnerRelaxationDelay);
        Assert.False(given.InnerRelaxationFallback);
        Assert.Equal(0, given.ObjectiveTolerance);
        Assert.Equal(1e-6, given.Threshold);
        Assert.Equal(7, given.MaxIterations);
    }

    [Fact]
    public void Solve_LargeScheduleOnSmallProblem_BestIterateKeepsTheMarginals()
    {
        // Root cause of the broken marginals of the stall stop's best iterate (issue 12): relaxed steps may raise the
        // marginal error to twice the previous step's, so it compounds (3e-3 → 3.6e-2 over ten steps here) while the
        // objective falls; the best iterate by objective alone was the most infeasible one. Only iterates within
        // Frlc.BestMarginalError compete now. Oracle: the marginals and the cost of the returned dense plan.
        const int n = 120;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 1);
        var c = LowRankTestData.DivideByMax(LowRankTestData.DenseCost(x, y, 1));
        var solver = new Frlc { Rank = 12, Seed = 1 }.ForSize(Frlc.LargeProblemMinPoints, Frlc.LargeProblemMinPoints);
        var result = solver.Solve(LowRankCost.Dense(c, n, n));
        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        var plan = result.Coupling.ToDense();
        double rowError = 0, colError = 0, cost = 0;
        for (var i = 0; i < n; i++)
        {
            double row = 0, col = 0;
            for (var j = 0; j < n; j++)
            {
                row += plan[(i * n) + j];
                col += plan[(j * n) + i];
                cost += plan[(i * n) + j] * c[(i * n) + j];
            }

            rowError += Math.Abs(row - (1.0 / n));
            colError += Math.Abs(col - (1.0 / n));
        }

        Assert.True(rowError + colError <= Frlc.BestMarginalError * (1 + 1e-9), $"marginal errors {rowError}, {colError}");
        NumericAssert.Close(cost, result.Cost, rtol: 1e-9, what: "cost of the returned plan");
        Assert.True(result.Cost <= result.ObjectiveTrace[0], $"cost {result.Cost} above the start {result.ObjectiveTrace[0]}");
    }

    [Fact]
    public void Solve_LargeHalfMoonDefaults_BeatsLowRankSinkhornAtEqualRank()
    {
        var sample = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, 1000, 1);
        var problem = LinearProblem<double>.FromPointClouds(sample.Source, sample.Target!);
        var frlc = new Frlc { Rank = 10 }.Solve(problem);
        var lrs = new LowRankSinkhorn { Rank = 10 }.Solve(problem);
        Assert.Equal(SolverStatus.Converged, frlc.Convergence.Status);
        Assert.True(frlc.Cost < lrs.Cost, $"FRLC {frlc.Cost} vs LR-Sinkhorn {lrs.Cost}");
        Assert.True(frlc.SourceMarginalError < 5e-3 && frlc.TargetMarginalError < 5e-3, $"errors {frlc.SourceMarginalError}, {frlc.TargetMarginalError}");
        Assert.True(frlc.Convergence.Iterations > Frlc.LargeProblemRelaxationDelay, $"{frlc.Convergence.Iterations} iterations: the large schedule was not used");
    }
}
