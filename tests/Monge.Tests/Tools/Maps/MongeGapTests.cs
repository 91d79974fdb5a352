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
}
