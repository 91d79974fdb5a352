using Monge.Gaussian;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Testing;
using Monge.Tools.Maps;

namespace Monge.Tests.Tools.Maps;

public sealed class MongeGapTests
{
    private static (double Gap, double Displacement) ExactGap(PointCloud<double> x, PointCloud<double> tx, ICostFunction<double> cost)
    {
        // With uniform weights and n = m the OT cost is the assignment optimum (brute-force oracle via the LAP).
        var n = x.Count;
        var c = new double[n * n];
        var displacement = 0.0;
        for (var i = 0; i < n; i++)
        {
            displacement += cost.Evaluate(x.Row(i), tx.Row(i)) / n;
            for (var j = 0; j < n; j++)
            {
                c[(i * n) + j] = cost.Evaluate(x.Row(i), tx.Row(j));
            }
        }

        return (displacement - LinearAssignment.Solve(c, n, n).Cost, displacement);
    }

    private static PointCloud<double> Transform(PointCloud<double> x, Func<double[], double[]> t) =>
        PointCloud.FromRows(Enumerable.Range(0, x.Count).Select(i => t(x.Row(i).ToArray())).ToArray());

    [Theory]
    [InlineData("translation", "sqeuclidean")]
    [InlineData("rotation", "sqeuclidean")]
    [InlineData("reflection", "sqeuclidean")]
    [InlineData("rotation", "elastic-l1:0.3")]
    public void Compute_KnownMaps_LiesWithinEpsilonLogNOfTheExactGap(string kind, string costName)
    {
        const int N = 40;
        var x = new GaussianMeasure([0, 0], [1, 0.2, 0.2, 0.6]).Sample(N, Seeds.Default);
        var tx = kind switch
        {
            "translation" => Transform(x, p => [p[0] + 1.5, p[1] - 0.5]),
            "rotation" => Transform(x, p => [-p[1], p[0]]),
            _ => Transform(x, p => [-p[0], p[1]]),
        };
        var cost = CostFunction.Parse<double>(costName);
        const double Eps = 0.1;
        var gap = MongeGap.Compute(x, tx, cost, new Sinkhorn { Epsilon = Eps, Threshold = 1e-6, MaxIterations = 20000 });
        var (exact, displacement) = ExactGap(x, tx, cost);
        Assert.True(gap.Convergence.Converged, $"{gap.Convergence.Status} after {gap.Convergence.Iterations} iterations");
        NumericAssert.Close(displacement, gap.DisplacementCost, 1e-12);
        NumericAssert.InRange(gap.Value, exact - (Eps * Math.Log(N)) - 1e-4, exact + 1e-4, $"{kind} {costName}: exact gap {exact}");
        if (kind == "translation")
        {
            // A translation is the Monge map of the squared Euclidean cost: the exact gap is 0.
            Assert.Equal(0, exact, 9);
        }
        else
        {
            Assert.True(exact > 0.1, $"{kind}: exact gap {exact}");
        }
    }

    [Fact]
    public void Compute_FittedMap_UsesTheMapAndItsCost()
    {
        var x = GaussianMeasure.Standard(2).Sample(40, Seeds.Default);
        var y = new GaussianMeasure([1, 1], [1, 0, 0, 1]).Sample(40, Seeds.Default + 1);
        var map = EntropicMap.Fit(x, y, new ElasticL1<double>(0.1), new Sinkhorn { Epsilon = 0.1 });
        var options = new Sinkhorn { Epsilon = 0.05 };
        var viaMap = MongeGap.Compute(map, x, null, options);
        var direct = MongeGap.Compute(x, map.Apply(x), new ElasticL1<double>(0.1), options);
        Assert.Equal(direct.Value, viaMap.Value, 12);
        Assert.Throws<InputValidationException>(() => MongeGap.Compute(x, y.Subset([0, 1]), null, options));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0)]
    [InlineData(5.0)]
    public void ComputeDebiased_Translation_IsZeroAtEveryEpsilon_WherePlainIsBiased(double eps)
    {
        // S_ε(μ, μ + t) = ‖t‖² exactly for the squared Euclidean cost (the cross plan is the self plan, whose value is
        // shifted by ‖t‖²: the linear term vanishes with equal marginals), so the debiased gap of a translation is 0
        // up to the solves' tolerance at any ε, while the plain gap is −W_ε(μ, μ) + (its own bias), far from 0.
        const int N = 40;
        var x = new GaussianMeasure([0, 0], [1, 0.2, 0.2, 0.6]).Sample(N, Seeds.Default);
        var tx = Transform(x, p => [p[0] + 1.5, p[1] - 0.5]);
        var options = new Sinkhorn { Epsilon = eps, Threshold = 1e-9, MaxIterations = 50000 };
        var debiased = MongeGap.ComputeDebiased(x, tx, null, options);
        var plain = MongeGap.Compute(x, tx, null, options);
        Assert.True(debiased.Debiased);
        Assert.False(plain.Debiased);
        Assert.True(debiased.Convergence.Converged, $"{debiased.Convergence.Status}");
        NumericAssert.Close(2.5, debiased.DisplacementCost, 1e-12);
        NumericAssert.Close(2.5, debiased.TransportCost, 1e-6);
        Assert.True(Math.Abs(debiased.Value) <= 1e-6, $"debiased gap {debiased.Value} at ε = {eps}");
        Assert.True(plain.Value < -0.1 * eps, $"plain gap {plain.Value} at ε = {eps}");
        Assert.Equal(eps, debiased.Epsilon, 12);
    }

    [Theory]
    [InlineData("rotation")]
    [InlineData("reflection")]
    public void ComputeDebiased_SmallEpsilon_CloserToTheExactGapThanThePlainGap(string kind)
    {
        // The plain gap is below the exact one by up to ε log n; the debiased one cancels the first-order bias
        // (W_ε(μ, T♯μ) and W_ε(μ, μ) both ≈ W + ε log n for permutation plans), so it lies within a fraction of that.
        const int N = 40;
        const double Eps = 0.05;
        var x = new GaussianMeasure([0, 0], [1, 0.2, 0.2, 0.6]).Sample(N, Seeds.Default);
        var tx = kind == "rotation" ? Transform(x, p => [-p[1], p[0]]) : Transform(x, p => [-p[0], p[1]]);
        var cost = default(SquaredEuclidean<double>);
        var options = new Sinkhorn { Epsilon = Eps, Threshold = 1e-7, MaxIterations = 200000 };
        var debiased = MongeGap.ComputeDebiased(x, tx, cost, options);
        var plain = MongeGap.Compute(x, tx, cost, options);
        var (exact, _) = ExactGap(x, tx, cost);
        Assert.True(debiased.Convergence.Converged, $"{debiased.Convergence.Status}");
        var bias = Eps * Math.Log(N);
        Assert.True(Math.Abs(debiased.Value - exact) <= 0.25 * bias, $"{kind}: debiased {debiased.Value}, exact {exact}, ε log n {bias}");
        Assert.True(Math.Abs(debiased.Value - exact) < Math.Abs(plain.Value - exact), $"{kind}: debiased {debiased.Value}, plain {plain.Value}, exact {exact}");
    }

    [Fact]
    public void ComputeDebiased_FittedMap_UsesTheMapAndItsCost()
    {
        var x = GaussianMeasure.Standard(2).Sample(40, Seeds.Default);
        var y = new GaussianMeasure([1, 1], [1, 0, 0, 1]).Sample(40, Seeds.Default + 1);
        var map = EntropicMap.Fit(x, y, new ElasticL1<double>(0.1), new Sinkhorn { Epsilon = 0.1 });
        var options = new Sinkhorn { Epsilon = 0.05 };
        var viaMap = MongeGap.ComputeDebiased(map, x, null, options);
        var direct = MongeGap.ComputeDebiased(x, map.Apply(x), new ElasticL1<double>(0.1), options);
        Assert.Equal(direct.Value, viaMap.Value, 12);
        Assert.Throws<InputValidationException>(() => MongeGap.ComputeDebiased(x, y.Subset([0, 1]), null, options));
    }
}
