using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tests.Geometry;

namespace Monge.Tests.Solvers.Entropic;

/// <summary>Initializers and maps reach points through <see cref="IPointCloudGeometry{T}"/>, never by downcasting.</summary>
public sealed class SinkhornCapabilityTests
{
    private static readonly Sinkhorn Options = new() { Epsilon = 0.05, Threshold = 1e-9, MaxIterations = 20_000, InnerIterations = 5, SubsampleSize = 15, Seed = 3 };

    public static TheoryData<SinkhornInitializer, int> Initializers => new()
    {
        { SinkhornInitializer.Gaussian, 2 },
        { SinkhornInitializer.Sorting, 1 },
        { SinkhornInitializer.Subsample, 2 },
        { SinkhornInitializer.Zero, 3 },
    };

    [Theory]
    [MemberData(nameof(Initializers))]
    public void Solve_WrappedPointCloudGeometry_SameAsOriginal(SinkhornInitializer initializer, int dimension)
    {
        var (original, wrapped) = Pair(31, 27, dimension, cost: null);
        var solver = Options with { Initializer = initializer };
        var expected = solver.Solve(new LinearProblem<double>(original));
        var actual = solver.Solve(new LinearProblem<double>(wrapped));
        Assert.True(expected.Converged);
        Assert.Equal(expected.Convergence.Iterations, actual.Convergence.Iterations);
        NumericAssert.Close(expected.F, actual.F, rtol: 1e-12, atol: 1e-12, what: "f");
        NumericAssert.Close(expected.G, actual.G, rtol: 1e-12, atol: 1e-12, what: "g");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Maps_WrappedPointCloudGeometry_SameAsOriginal(bool euclidean)
    {
        var (original, wrapped) = Pair(23, 19, 2, euclidean ? new Euclidean<double>() : null);
        var expected = Options.Solve(new LinearProblem<double>(original));
        var actual = Options.Solve(new LinearProblem<double>(wrapped));
        NumericAssert.Close(expected.BarycentricProjection(), actual.BarycentricProjection(), rtol: 1e-12, atol: 1e-12, what: "barycentric projection");
        var queries = GeometryTestData.Cloud(7, 2, 77);
        NumericAssert.Close(expected.EntropicMap(queries), actual.EntropicMap(queries), rtol: 1e-12, atol: 1e-12, what: "entropic map");
        if (euclidean)
        {
            Assert.Throws<InvalidOperationException>(actual.GradientSourcePositions);
        }
        else
        {
            NumericAssert.Close(expected.GradientSourcePositions(), actual.GradientSourcePositions(), rtol: 1e-12, atol: 1e-12, what: "gradient");
        }
    }

    [Fact]
    public void Maps_GeometryWithoutPoints_ThrowTypedErrors()
    {
        var (original, _) = Pair(9, 8, 2, cost: null);
        var result = Options.Solve(new LinearProblem<double>(new DenseGeometry<double>(original.ToDense(), 9, 8)));
        Assert.Contains("IPointCloudGeometry", Assert.Throws<InvalidOperationException>(result.BarycentricProjection).Message, StringComparison.Ordinal);
        Assert.Contains("IPointCloudGeometry", Assert.Throws<InvalidOperationException>(() => result.EntropicMap(original.Source)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(result.GradientSourcePositions);
        Assert.Throws<InputValidationException>(() => (Options with { Initializer = SinkhornInitializer.Gaussian }).Solve(result.Problem));
    }

    [Fact]
    public void Subsample_GeometryWithoutPoints_FallsBackToTheZeroStart()
    {
        var (original, _) = Pair(40, 35, 2, cost: null);
        var problem = new LinearProblem<double>(new DenseGeometry<double>(original.ToDense(), 40, 35));
        var zero = Options.Solve(problem);
        var subsample = (Options with { Initializer = SinkhornInitializer.Subsample }).Solve(problem);
        Assert.Equal(zero.Convergence.Iterations, subsample.Convergence.Iterations);
        NumericAssert.Close(zero.F, subsample.F, rtol: 1e-12, atol: 1e-12);
    }

    private static (PointCloudGeometry<double> Original, WrappedPointCloudGeometry Wrapped) Pair(int n, int m, int d, ICostFunction<double>? cost)
    {
        var x = GeometryTestData.Cloud(n, d, 501);
        var y = GeometryTestData.Cloud(m, d, 502, offset: 0.4);
        var original = new PointCloudGeometry<double>(x, y, cost, 0.75);
        return (original, new WrappedPointCloudGeometry(original));
    }
}
