using Monge.Geometry;
using Monge.Solvers.Exact;
using Monge.Testing;
using Monge.Tools.Barycenters;
using Xunit.Abstractions;

namespace Monge.Tests.Tools.Barycenters;

public sealed class OneDimensionalBarycenterTests(ITestOutputHelper output)
{
    [Fact]
    public void Solve_NumpyQuantileFixtures_SameMeasureAndPotValues()
    {
        // Fixture: quantile averaging written in NumPy, and POT's ot.emd2 of that barycenter against each input.
        var names = Fixtures.Names("barycenter_1d_s");
        Assert.True(names.Count >= 4);
        foreach (var name in names)
        {
            var fx = Fixtures.Load(name);
            var inputs = BarycenterTestData.Inputs(fx, 1);
            var result = OneDimensionalBarycenter.Solve(inputs, fx.Doubles("lambdas"));

            // The same measure (the fixture does not merge equal atoms): W₂² between the two is 0.
            var gap = OneDimensional.CostPower(result.Points, fx.Doubles("support"), result.Weights, fx.Doubles("mass"), 2);
            NumericAssert.Close(0, gap, atol: 1e-14, what: name);
            NumericAssert.Close(fx.Doubles("pot_w2"), result.Values.ToArray(), rtol: 1e-9, atol: 1e-12, what: name);
            NumericAssert.Close(fx.Scalar("objective"), result.Objective, rtol: 1e-10, what: name);
            Assert.True(result.Size <= inputs.Sum(c => c.Count) - inputs.Count + 1);
            output.WriteLine($"{name}: {result.Size} atoms, objective {result.Objective:R}");
        }
    }

    [Fact]
    public void Solve_TwoInputs_LiesOnTheGeodesic()
    {
        // With weights (1 − t, t) the barycenter is McCann's interpolant: W(bary, μ₀) = t·W(μ₀, μ₁), W(bary, μ₁) = (1 − t)·W(μ₀, μ₁).
        var random = Seeds.Create(51);
        var x = BarycenterTestData.Cloud(random, 13, 1, 0, true);
        var y = BarycenterTestData.Cloud(random, 21, 1, 3, true);
        var w = OneDimensional.Distance(x.Data, y.Data, x.Weights, y.Weights);
        foreach (var t in new[] { 0.0, 0.25, 0.6, 1.0 })
        {
            var result = OneDimensionalBarycenter.Solve([x, y], [1 - t, t]);
            NumericAssert.Close(t * t * w * w, result.Values[0], rtol: 1e-10, atol: 1e-14);
            NumericAssert.Close((1 - t) * (1 - t) * w * w, result.Values[1], rtol: 1e-10, atol: 1e-14);
        }
    }

    [Fact]
    public void Solve_OneInput_IsTheInput()
    {
        var random = Seeds.Create(52);
        var x = BarycenterTestData.Cloud(random, 10, 1, 0, true);
        var result = OneDimensionalBarycenter.Solve([x]);
        var order = Enumerable.Range(0, 10).OrderBy(i => x.Data[i]).ToArray();
        NumericAssert.Close(order.Select(i => x.Data[i]).ToArray(), result.Points, rtol: 1e-15);
        NumericAssert.Close(order.Select(i => x.NormalizedWeights()[i]).ToArray(), result.Weights, rtol: 1e-12);
        NumericAssert.Close(0, result.Objective, atol: 1e-20);
    }

    [Fact]
    public void SolveFixedSize_OnePoint_IsTheWeightedMean()
    {
        var random = Seeds.Create(53);
        var inputs = new[] { BarycenterTestData.Cloud(random, 7, 1, 0, true), BarycenterTestData.Cloud(random, 12, 1, 5, true) };
        double[] lambdas = [0.7, 0.3];
        var result = OneDimensionalBarycenter.SolveFixedSize(inputs, 1, lambdas);
        var mean = (0.7 * inputs[0].Mean()[0]) + (0.3 * inputs[1].Mean()[0]);
        NumericAssert.Close(mean, result.Points[0], rtol: 1e-12);
    }

    [Fact]
    public void SolveFixedSize_IsALocalMinimumAndNoBetterThanTheFreeBarycenter()
    {
        var random = Seeds.Create(54);
        var inputs = new[] { BarycenterTestData.Cloud(random, 9, 1, 0, true), BarycenterTestData.Cloud(random, 14, 1, 2, false), BarycenterTestData.Cloud(random, 6, 1, -2, true) };
        double[] b = [0.3, 0.1, 0.4, 0.2];
        var fixedSize = OneDimensionalBarycenter.SolveFixedSize(inputs, 4, null, b);
        var free = OneDimensionalBarycenter.Solve(inputs);
        Assert.True(fixedSize.Objective >= free.Objective - 1e-12);
        for (var i = 0; i < 4; i++)
        {
            foreach (var step in new[] { -1e-3, 1e-3 })
            {
                var moved = fixedSize.Points.ToArray();
                moved[i] += step;
                var value = inputs.Sum(c => OneDimensional.CostPower(moved, c.Data, b, c.Weights, 2)) / 3;
                Assert.True(value > fixedSize.Objective, $"moving point {i} by {step} lowers the objective");
            }
        }
    }

    [Fact]
    public void Solve_BadInputs_Throw()
    {
        var two = new PointCloud<double>([1, 2, 3, 4], 2, 2);
        var one = new PointCloud<double>([1, 2], 2, 1);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => OneDimensionalBarycenter.Solve([two])).Problem);
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => OneDimensionalBarycenter.Solve([])).Problem);
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => OneDimensionalBarycenter.SolveFixedSize([one], 0)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => OneDimensionalBarycenter.SolveFixedSize([one], 2, null, [1, 0])).Problem);
    }
}
