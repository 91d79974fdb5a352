using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Quadratic;

namespace Monge.Tests.Solvers.Quadratic;

/// <summary>Mémoli's third lower bound against the brute-force optimum, planted isometries and the solver's values.</summary>
public sealed class GromovLowerBoundTests
{
    [Theory]
    [InlineData(6, 1)]
    [InlineData(7, 2)]
    [InlineData(7, 3)]
    public void Compute_SmallClouds_BelowBruteForceOptimum(int n, int seed)
    {
        var x = GromovTensorTests.GeometryTestDataCloud(n, 2, 1200 + seed);
        var y = GromovTensorTests.GeometryTestDataCloud(n, 3, 1300 + seed);
        var bound = GromovLowerBound.Compute(QuadraticProblem<double>.FromPointClouds(x, y));
        var best = GromovWassersteinTests.BruteForce(new PointCloudGeometry<double>(x, x).ToDense(), new PointCloudGeometry<double>(y, y).ToDense(), n, out _);
        Assert.True(bound > 0, $"bound {bound} should be positive for non-isometric clouds");
        Assert.True(bound <= best * (1 + 1e-12), $"bound {bound:R} above the optimum {best:R}");
    }

    [Fact]
    public void Compute_PlantedIsometry_IsZero()
    {
        var x = GromovTensorTests.GeometryTestDataCloud(20, 2, 1401);
        var (y, _) = GromovWassersteinTests.Isometric(x, 3, reflect: true);
        Assert.InRange(GromovLowerBound.Compute(QuadraticProblem<double>.FromPointClouds(x, y)), 0, 1e-12);
    }

    [Theory]
    [InlineData(GromovLoss.Square, true)]
    [InlineData(GromovLoss.KullbackLeibler, false)]
    public void Compute_BelowConditionalGradientValue(GromovLoss loss, bool fused)
    {
        var x = GromovTensorTests.GeometryTestDataCloud(25, 2, 1501);
        var y = GromovTensorTests.GeometryTestDataCloud(21, 2, 1502);
        var problem = QuadraticProblem<double>.FromPointClouds(x, y, loss: loss);
        if (fused)
        {
            problem = problem.WithLinear(new PointCloudGeometry<double>(GromovTensorTests.GeometryTestDataCloud(25, 3, 1503), GromovTensorTests.GeometryTestDataCloud(21, 3, 1504)), 0.4);
        }

        var bound = GromovLowerBound.Compute(problem);
        var value = new GromovWasserstein().Solve(problem).Cost;
        Assert.InRange(bound, 1e-6, value * (1 + 1e-12));
    }
}
