using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.LowRank;
using Monge.Solvers.Quadratic;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>
/// The options <see cref="LowRankSinkhorn"/> and <see cref="LowRankGromov"/> share through <see cref="LowRankMirrorDescent"/>:
/// each solver keeps its documented defaults, <c>with</c> keeps the solver's type and options, and one validation
/// rejects every bad shared option in both solvers, naming the property.
/// </summary>
public class LowRankMirrorDescentTests
{
    public static TheoryData<string> BadOptions => new()
    {
        nameof(LowRankMirrorDescent.Gamma), nameof(LowRankMirrorDescent.Threshold), nameof(LowRankMirrorDescent.ProjectionTolerance),
        nameof(LowRankMirrorDescent.MinEntryValue), nameof(LowRankMirrorDescent.MaxIterations), nameof(LowRankMirrorDescent.MinIterations),
        nameof(LowRankMirrorDescent.InnerIterations), nameof(LowRankMirrorDescent.ProjectionIterations),
    };

    private static T WithBad<T>(T solver, string option)
        where T : LowRankMirrorDescent => option switch
        {
            nameof(LowRankMirrorDescent.Gamma) => solver with { Gamma = double.NaN },
            nameof(LowRankMirrorDescent.Threshold) => solver with { Threshold = -1e-3 },
            nameof(LowRankMirrorDescent.ProjectionTolerance) => solver with { ProjectionTolerance = double.NaN },
            nameof(LowRankMirrorDescent.MinEntryValue) => solver with { MinEntryValue = 0 },
            nameof(LowRankMirrorDescent.MaxIterations) => solver with { MaxIterations = 0 },
            nameof(LowRankMirrorDescent.MinIterations) => solver with { MinIterations = -1 },
            nameof(LowRankMirrorDescent.InnerIterations) => solver with { InnerIterations = 0 },
            nameof(LowRankMirrorDescent.ProjectionIterations) => solver with { ProjectionIterations = 0 },
            _ => throw new ArgumentOutOfRangeException(nameof(option)),
        };

    private static (PointCloud<double> X, PointCloud<double> Y) Clouds()
    {
        var random = new Random(7);
        var x = new double[12 * 2];
        var y = new double[10 * 2];
        for (var k = 0; k < x.Length; k++)
        {
            x[k] = random.NextDouble();
        }

        for (var k = 0; k < y.Length; k++)
        {
            y[k] = random.NextDouble();
        }

        return (new PointCloud<double>(x, 12, 2), new PointCloud<double>(y, 10, 2));
    }

    [Fact]
    public void Defaults_EachSolver_KeepsItsDocumentedValues()
    {
        var sinkhorn = new LowRankSinkhorn();
        Assert.Equal((1e-4, 0, 1e-3), (sinkhorn.Threshold, sinkhorn.MinIterations, sinkhorn.ProjectionTolerance));
        var gromov = new LowRankGromov();
        Assert.Equal((1e-5, 50, 1e-4), (gromov.Threshold, gromov.MinIterations, gromov.ProjectionTolerance));
        foreach (LowRankMirrorDescent solver in new LowRankMirrorDescent[] { sinkhorn, gromov })
        {
            Assert.Equal((10, 10.0, 2000, 10, 10_000, 1e-6, 0, CostScale.Mean), (solver.Rank, solver.Gamma, solver.MaxIterations, solver.InnerIterations, solver.ProjectionIterations, solver.MinEntryValue, solver.Seed, solver.ScaleCost));
        }
    }

    [Fact]
    public void With_OnASharedOption_KeepsTheSolverTypeAndItsOwnOptions()
    {
        var gromov = new LowRankGromov { InitialSharpness = 3, SquaredNormStep = true } with { Rank = 4, Threshold = 1e-3 };
        Assert.Equal((4, 1e-3, 50, 3.0, true), (gromov.Rank, gromov.Threshold, gromov.MinIterations, gromov.InitialSharpness, gromov.SquaredNormStep));
        var sinkhorn = new LowRankSinkhorn { Epsilon = 0.5 } with { Seed = 9 };
        Assert.Equal((9, 0.5, 1e-4), (sinkhorn.Seed, sinkhorn.Epsilon, sinkhorn.Threshold));
        Assert.NotEqual(new LowRankSinkhorn { Seed = 1 }, new LowRankSinkhorn { Seed = 2 });
        Assert.Equal(new LowRankGromov { Seed = 1 }, new LowRankGromov { Seed = 1 });
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Solve_BadSharedOption_BothSolversThrowNamingIt(string option)
    {
        var (x, y) = Clouds();
        var linear = Assert.Throws<InputValidationException>(() => WithBad(new LowRankSinkhorn { Rank = 2 }, option).Solve(LinearProblem<double>.FromPointClouds(x, y)));
        Assert.Equal((InputProblem.InvalidParameter, option), (linear.Problem, linear.ParamName));
        var quadratic = Assert.Throws<InputValidationException>(() => WithBad(new LowRankGromov { Rank = 2 }, option).Solve(QuadraticProblem<double>.FromPointClouds(x, y)));
        Assert.Equal((InputProblem.InvalidParameter, option), (quadratic.Problem, quadratic.ParamName));
    }

    [Fact]
    public void Solve_OwnOptions_StillValidated()
    {
        var (x, y) = Clouds();
        Assert.Equal(nameof(LowRankSinkhorn.Epsilon), Assert.Throws<InputValidationException>(() => new LowRankSinkhorn { Rank = 2, Epsilon = -1 }.Solve(LinearProblem<double>.FromPointClouds(x, y))).ParamName);
        Assert.Equal(nameof(LowRankGromov.InitialSharpness), Assert.Throws<InputValidationException>(() => new LowRankGromov { Rank = 2, InitialSharpness = 0 }.Solve(QuadraticProblem<double>.FromPointClouds(x, y))).ParamName);
    }
}
