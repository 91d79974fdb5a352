using Monge.Datasets;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>
/// FRLC's answer does not depend on the units (issue 12's standard, frlc branch): the same points in units ×1e-3, ×1 and
/// ×1e3 give the same iterations, status and plan and the same cost up to the factor units², under both schedules and at
/// 150 and 2000 points; the Δ stop is read relative to the mean cost whatever <see cref="Frlc.ScaleCost"/> is; and a run
/// whose iterates overflow is Diverged, never Converged. Oracle: the run at units ×1 (a change of units multiplies
/// every squared Euclidean cost by units², so the solver's C / mean C is the same up to round-off).
/// </summary>
public sealed class FrlcUnitInvarianceTests
{
    private static readonly double[] Units = [1e-3, 1e3];

    private static (PointCloud<double> X, PointCloud<double> Y) Data(string data, int n) => data switch
    {
        "pca" => UnitsData.PcaLike(n, 1),
        "um" => UnitsData.Micrometres(n, 1),
        _ => Pair(SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 1)),
    };

    private static (PointCloud<double>, PointCloud<double>) Pair(DatasetSample sample) => (sample.Source, sample.Target!);

    private static Frlc Schedule(Frlc solver, string schedule) => schedule == "large"
        ? solver.ForSize(Frlc.LargeProblemMinPoints, Frlc.LargeProblemMinPoints)
        : solver;

    private static void AssertSameAnswer(FrlcResult reference, FrlcResult scaled, double units, double planTolerance)
    {
        var what = $"units ×{units}";
        Assert.Equal(reference.Convergence.Status, scaled.Convergence.Status);
        Assert.Equal(reference.Convergence.Iterations, scaled.Convergence.Iterations);
        Assert.Equal(reference.ObjectiveTrace.Count, scaled.ObjectiveTrace.Count);
        NumericAssert.Close(units * units * reference.Cost, scaled.Cost, rtol: 1e-9, what: $"cost at {what}");
        var peakQ = reference.Q.Max();
        NumericAssert.Close(reference.Q, scaled.Q, rtol: 0, atol: planTolerance * peakQ, what: $"Q at {what}");
        NumericAssert.Close(reference.R, scaled.R, rtol: 0, atol: planTolerance * reference.R.Max(), what: $"R at {what}");
        NumericAssert.Close(reference.T, scaled.T, rtol: 0, atol: planTolerance * reference.T.Max(), what: $"T at {what}");
    }

    [Theory]
    [InlineData("pca", "default")]
    [InlineData("pca", "large")]
    [InlineData("um", "default")]
    [InlineData("um", "large")]
    [InlineData("gauss", "large")]
    public void Solve_ChangeOfUnits150_SameIterationsPlanAndRelativeCost(string data, string schedule)
    {
        // 150 points: the 30-D pair changed its answer with the units before (Anderson least squares at ridge 1e-10
        // amplified the round-off of the units into 1e-4 of the plan from iteration 4 on; under the large schedule the
        // costs at ×1e-3, ×1, ×1e3 were 284.6, 284.3, 310.7).
        const int n = 150;
        var (x, y) = Data(data, n);
        var solver = Schedule(new Frlc { Rank = 6, Seed = 2 }, schedule);
        var reference = solver.Solve(LinearProblem<double>.FromPointClouds(x, y));
        Assert.Equal(SolverStatus.Converged, reference.Convergence.Status);
        foreach (var s in Units)
        {
            var scaled = solver.Solve(LinearProblem<double>.FromPointClouds(UnitsData.Scaled(x, s), UnitsData.Scaled(y, s)));
            AssertSameAnswer(reference, scaled, s, 1e-6);
        }
    }

    [Fact]
    public void Solve_ChangeOfUnits2000_SameIterationsPlanAndRelativeCost()
    {
        // 2000 points: the large-problem schedule (fixed g for 80 iterations, relaxed steps with the fallback, the stall
        // stop returning the best iterate), every decision of which must take the same branch in any units.
        const int n = 2000;
        var (x, y) = Data("um", n);
        var solver = new Frlc { Rank = 4, Seed = 1 };
        var reference = solver.Solve(LinearProblem<double>.FromPointClouds(x, y));
        Assert.Equal(SolverStatus.Converged, reference.Convergence.Status);
        Assert.True(reference.Convergence.Iterations > Frlc.LargeProblemRelaxationDelay, "the large schedule was not used");
        foreach (var s in Units)
        {
            var scaled = solver.Solve(LinearProblem<double>.FromPointClouds(UnitsData.Scaled(x, s), UnitsData.Scaled(y, s)));
            AssertSameAnswer(reference, scaled, s, 1e-6);
        }
    }

    [Fact]
    public void Solve_UnscaledCost_DeltaStopIsRelativeToTheMeanCost()
    {
        // Without cost scaling a balanced problem with fixed inner marginals is still unit-free (normalised steps, exact
        // projections); only the Δ test read γ_k⁻² in the cost's units², so the iteration at which it fired moved
        // with the units. Δ is now divided by the mean cost², so the run stops at the same iteration.
        const int n = 60;
        var (x, y) = Data("gauss", n);
        var solver = new Frlc { Rank = 5, Seed = 3, ScaleCost = CostScale.None, InnerRelaxation = Relaxation.Balanced };
        var reference = solver.Solve(LinearProblem<double>.FromPointClouds(x, y));
        Assert.Equal(SolverStatus.Converged, reference.Convergence.Status);
        Assert.True(reference.Convergence.Iterations < 200, $"{reference.Convergence.Iterations} iterations: Δ never fired");
        foreach (var s in Units)
        {
            var scaled = solver.Solve(LinearProblem<double>.FromPointClouds(UnitsData.Scaled(x, s), UnitsData.Scaled(y, s)));
            AssertSameAnswer(reference, scaled, s, 1e-6);
            NumericAssert.Close(reference.Convergence.FinalError, scaled.Convergence.FinalError, rtol: 1e-6, what: "Δ");
        }
    }

    [Theory]
    [InlineData("default")]
    [InlineData("large")]
    public void Solve_HugeUnscaledCosts_DivergedOrTheScaledAnswer(string schedule)
    {
        // sink12's case: costs near 1e300 without scaling, under the large schedule the stall stop reported an
        // overflowing run Converged. A run reported Converged must be the answer of the mean-scaled run (the same
        // problem); an overflow is Diverged.
        const int n = 40;
        var rng = Seeds.Create(11);
        var c = new double[n * n];
        for (var k = 0; k < c.Length; k++)
        {
            c[k] = 1e300 * (0.5 + rng.NextDouble());
        }

        var problem = new LinearProblem<double>(new DenseGeometry<double>(c, n, n));
        var solver = Schedule(new Frlc { Rank = 4, Seed = 2 }, schedule);
        var unscaled = (solver with { ScaleCost = CostScale.None }).Solve(problem);
        var scaled = solver.Solve(problem);
        Assert.Equal(SolverStatus.Converged, scaled.Convergence.Status);
        if (unscaled.Convergence.Status != SolverStatus.Diverged)
        {
            Assert.True(double.IsFinite(unscaled.Cost), $"{unscaled.Convergence.Status} with cost {unscaled.Cost}");
            Assert.True(unscaled.Cost <= scaled.Cost * (1 + 1e-3), $"unscaled {unscaled.Cost} ({unscaled.Convergence.Status}) vs scaled {scaled.Cost}");
        }
    }

    [Theory]
    [InlineData("default", 1e160)]
    [InlineData("large", 1e160)]
    [InlineData("large", 1e153)]
    public void Solve_AdversarialUnits_DivergedNeverConverged(string schedule, double units)
    {
        // Coordinates near 1e160: squared distances overflow to ∞ (1e153: entries near 1e307 are finite but their sums
        // overflow). Neither scaling can rescue a cost that is not finite, and the answer must say so.
        const int n = 50;
        var (x, y) = Data("gauss", n);
        var solver = Schedule(new Frlc { Rank = 4, Seed = 2 }, schedule);
        var problem = LinearProblem<double>.FromPointClouds(UnitsData.Scaled(x, units), UnitsData.Scaled(y, units));
        var result = solver.Solve(problem);
        Assert.Equal(SolverStatus.Diverged, result.Convergence.Status);
    }
}
