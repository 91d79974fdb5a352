using Monge.Geometry;
using Monge.Problems;
using Monge.Testing;
using Monge.Tests.Solvers.Quadratic;

namespace Monge.Tests.Problems;

/// <summary>Validation, symmetry detection, values and linearization of <see cref="QuadraticProblem{T}"/>.</summary>
public sealed class QuadraticProblemTests
{
    [Fact]
    public void Constructor_InvalidInputs_Throw()
    {
        var square = new DenseGeometry<double>(new double[9], 3, 3);
        var rect = new DenseGeometry<double>(new double[6], 2, 3);
        Assert.Throws<InputValidationException>(() => new QuadraticProblem<double>(rect, square));
        Assert.Throws<InputValidationException>(() => new QuadraticProblem<double>(square, square, alpha: 0.5));
        Assert.Throws<InputValidationException>(() => new QuadraticProblem<double>(square, square, linearGeometry: square, alpha: 1.5));
        Assert.Throws<InputValidationException>(() => new QuadraticProblem<double>(square, square, linearGeometry: rect));
        Assert.Throws<InputValidationException>(() => new QuadraticProblem<double>(square, square, [0.5, 0.5, 0.5], [0.2, 0.3, 0.5]));
        var relaxed = new QuadraticProblem<double>(square, square, [0.5, 0.5, 0.5], [0.2, 0.3, 0.5], relaxation: Relaxation.FromRho(1, 1));
        Assert.False(relaxed.IsBalanced);
        Assert.Equal(1.0, new QuadraticProblem<double>(square, square).Alpha);
        Assert.Equal(0.5, new QuadraticProblem<double>(square, square, linearGeometry: square).Alpha);
    }

    [Fact]
    public void IsSymmetric_DetectsDenseAndPointClouds()
    {
        var x = GromovTensorTests.GeometryTestDataCloud(6, 2, 1);
        var sym = new DenseGeometry<double>(GromovTensorTests.RandomCost(6, true, 2), 6, 6);
        var asym = new DenseGeometry<double>(GromovTensorTests.RandomCost(6, false, 3), 6, 6);
        Assert.True(QuadraticProblem<double>.FromPointClouds(x, x).IsSymmetric);
        Assert.True(new QuadraticProblem<double>(sym, sym).IsSymmetric);
        Assert.False(new QuadraticProblem<double>(sym, asym).IsSymmetric);
    }

    [Fact]
    public void Linearize_Fused_IsMixtureOfLinearCostAndGwGradient()
    {
        const int n = 5;
        const int m = 4;
        var c1 = GromovTensorTests.RandomCost(n, true, 11);
        var c2 = GromovTensorTests.RandomCost(m, true, 12);
        var mCost = GromovTensorTests.RandomPlan(n, m, 13);
        var plan = GromovTensorTests.RandomPlan(n, m, 14);
        var problem = new QuadraticProblem<double>(new DenseGeometry<double>(c1, n, n), new DenseGeometry<double>(c2, m, m), linearGeometry: new DenseGeometry<double>(mCost, n, m), alpha: 0.3);

        var gw = GromovTensorTests.BruteTensor(c1, c2, plan, n, m, GromovLoss.Square, false);
        var expected = new double[n * m];
        var linear = 0.0;
        var gwValue = 0.0;
        for (var e = 0; e < expected.Length; e++)
        {
            expected[e] = (0.7 * mCost[e]) + (0.3 * 2 * gw[e]);
            linear += mCost[e] * plan[e];
            gwValue += gw[e] * plan[e];
        }

        var linearized = problem.Linearize(plan);
        NumericAssert.Close(expected, linearized.Geometry.ToDense(), 1e-12, 1e-14, "linearized cost");
        Assert.Equal(problem.A.ToArray(), linearized.A.ToArray());
        NumericAssert.Close(linear, problem.LinearValue(plan), 1e-12);
        NumericAssert.Close((0.7 * linear) + (0.3 * gwValue), problem.Value(plan), 1e-12);
    }
}
