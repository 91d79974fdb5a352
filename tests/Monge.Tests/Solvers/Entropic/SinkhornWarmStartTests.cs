using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tests.Geometry;

namespace Monge.Tests.Solvers.Entropic;

public sealed class SinkhornWarmStartTests
{
    /// <summary>Plain Sinkhorn (Momentum = 1): the iteration counts compared below are those of the plain map.</summary>
    private static readonly Sinkhorn Options = new() { Epsilon = 0.02, Threshold = 1e-6, MaxIterations = 50_000, Momentum = 1 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Solve_WarmStartFromConvergedPotentials_ConvergesWithinTwoChecks(bool scaling)
    {
        var x = GeometryTestData.Cloud(41, 2, 701);
        var y = GeometryTestData.Cloud(37, 2, 702, offset: 0.3);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var solver = scaling ? Options with { EpsilonScaling = new EpsilonScaling(50, 0.9) } : Options;
        var cold = solver.Solve(problem);
        Assert.True(cold.Converged);
        Assert.True(cold.Convergence.ErrorTrace.Count > 2, "the cold start should need several checks");
        var warm = solver.Solve(problem, cold.Potentials);
        Assert.True(warm.Converged);
        Assert.InRange(warm.Convergence.ErrorTrace.Count, 1, 2);
        NumericAssert.Close(cold.Cost, warm.Cost, rtol: 1e-5);
    }

    [Fact]
    public void Solve_WarmStartFromNearbyEpsilon_NeedsFewerIterations()
    {
        var x = GeometryTestData.Cloud(50, 2, 711);
        var y = GeometryTestData.Cloud(45, 2, 712, offset: 0.2);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var coarse = (Options with { Epsilon = 0.03 }).Solve(problem);
        var cold = Options.Solve(problem);
        var warm = Options.Solve(problem, coarse.Potentials);
        Assert.True(warm.Converged);
        Assert.True(warm.Convergence.Iterations < cold.Convergence.Iterations, $"warm {warm.Convergence.Iterations} vs cold {cold.Convergence.Iterations}");
        NumericAssert.Close(cold.Cost, warm.Cost, rtol: 1e-4);
    }

    [Fact]
    public void Solve_NullWarmStart_SameAsPlainSolve()
    {
        var problem = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(20, 2, 721), GeometryTestData.Cloud(18, 2, 722));
        var plain = Options.Solve(problem);
        var viaNull = Options.Solve(problem, initial: null);
        Assert.Equal(plain.Convergence.Iterations, viaNull.Convergence.Iterations);
        NumericAssert.Close(plain.F, viaNull.F, rtol: 1e-12, atol: 1e-12);
    }

    [Fact]
    public void Solve_WarmStartWithWrongLengthOrNaN_ThrowsBeforeAnyWork()
    {
        var problem = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(6, 2, 731), GeometryTestData.Cloud(5, 2, 732));
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => Options.Solve(problem, new SinkhornPotentials<double>(new double[5], new double[5]))).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => Options.Solve(problem, new SinkhornPotentials<double>(new double[6], new double[6]))).Problem);
        var f = new double[6];
        f[2] = double.NaN;
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => Options.Solve(problem, new SinkhornPotentials<double>(f, new double[5]))).Problem);
    }

    [Fact]
    public void Solve_WarmStart_DoesNotModifyTheGivenPotentials()
    {
        var problem = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(12, 2, 741), GeometryTestData.Cloud(10, 2, 742));
        var f = GeometryTestData.Vector(12, 743, 0.1);
        var copy = (double[])f.Clone();
        _ = Options.Solve(problem, new SinkhornPotentials<double>(f, new double[10]));
        Assert.Equal(copy, f);
    }
}
