using Monge.Gaussian;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tools.Maps;

namespace Monge.Tests.Tools.Maps;

public sealed class EntropicMapTests
{
    private static readonly Sinkhorn Tight = new() { Threshold = 1e-10, MaxIterations = 20000 };

    [Fact]
    public void Fit_SquaredEuclidean_EqualsTheSinkhornResultEntropicMap()
    {
        var x = new GaussianMeasure([0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1]).Sample(80, Seeds.Default);
        var y = new GaussianMeasure([1, -1, 0.5], [2, 0, 0, 0, 0.5, 0, 0, 0, 1]).Sample(70, Seeds.Default + 1);
        var query = GaussianMeasure.Standard(3).Sample(30, Seeds.Default + 2);
        var options = Tight with { Epsilon = 0.5 };
        var map = EntropicMap.Fit(x, y, null, options);
        var reference = options.Solve(LinearProblem<double>.FromPointClouds(x, y)).EntropicMap(query);
        Assert.True(map.Convergence!.Converged);
        NumericAssert.Close(reference, map.Apply(query).Data, 1e-10, 1e-10);
    }

    [Fact]
    public void Fit_ElasticL1WithZeroLambda_IsTheSquaredEuclideanMapAtTwiceEpsilon()
    {
        // h = ½‖·‖² at ε gives the same weights p_j(x) as ‖·‖² at 2ε (g doubles too), and then
        // x − ∇h*(Σ p_j (x − y_j)) = Σ p_j y_j: the barycentric map of Pooladian and Niles-Weed.
        var x = GaussianMeasure.Standard(2).Sample(60, Seeds.Default);
        var y = new GaussianMeasure([2, 1], [1, 0.3, 0.3, 0.5]).Sample(50, Seeds.Default + 1);
        var query = GaussianMeasure.Standard(2).Sample(25, Seeds.Default + 3);
        var elastic = EntropicMap.Fit(x, y, new ElasticL1<double>(0), Tight with { Epsilon = 0.2 });
        var reference = (Tight with { Epsilon = 0.4 }).Solve(LinearProblem<double>.FromPointClouds(x, y)).EntropicMap(query);
        NumericAssert.Close(reference, elastic.Apply(query).Data, 1e-7, 1e-8);
    }

    [Fact]
    public void Apply_OnePointAndCloud_Agree()
    {
        var x = GaussianMeasure.Standard(4).Sample(40, Seeds.Default);
        var y = GaussianMeasure.Standard(4).Sample(40, Seeds.Default + 1);
        var map = EntropicMap.Fit(x, y, new ElasticKOverlap<double>(2, 0.5), Tight with { Epsilon = 0.3 });
        var query = GaussianMeasure.Standard(4).Sample(7, Seeds.Default + 2);
        var cloud = map.Apply(query);
        var one = new double[4];
        for (var i = 0; i < query.Count; i++)
        {
            map.Apply(query.Row(i), one);
            NumericAssert.Close(cloud.Row(i), one, 0, 0);
        }
    }

    [Fact]
    public void Fit_GaussianPair_ApproachesTheClosedFormMongeMap()
    {
        var (mu, nu) = MapTestData.GaussianPair(2);
        var truth = GaussianTransport.MongeMap(mu, nu);
        var x = mu.Sample(400, Seeds.Default);
        var y = nu.Sample(400, Seeds.Default + 1);
        var test = mu.Sample(200, Seeds.Default + 2);
        var map = EntropicMap.Fit(x, y, null, new Sinkhorn { Epsilon = 0.1, Threshold = 1e-4, MaxIterations = 5000 });
        var error = MapTestData.Rms(truth.Apply(test), map.Apply(test));
        var displacement = MapTestData.Rms(truth.Apply(test), test);
        Assert.True(error < 0.25 * displacement, $"RMS error {error:G3} vs RMS displacement {displacement:G3}");
    }

    [Theory]
    [InlineData(0.1, 0, 0)]
    [InlineData(0.1, 1.5, -0.7)]
    [InlineData(1.0, 1.5, -0.7)]
    public void FitDebiased_TranslatedCopy_IsTheTranslationAtAnyEpsilon(double epsilon, double vx, double vy)
    {
        // Squared Euclidean: the (x, x + v) problem is the (x, x) problem plus terms linear in one point, which the
        // potentials absorb, so the weights p_j(z) of the debiased map's two parts agree and T(z) = z + v exactly (to the
        // Sinkhorn threshold) at every ε and every z; v = 0 is the debiased map of a measure to itself, the identity. The
        // plain entropic map shrinks towards the target's mean instead.
        var x = new GaussianMeasure([0, 0], [1, 0.3, 0.3, 0.5]).Sample(60, Seeds.Default);
        var y = new PointCloud<double>(Shift(x.Data.ToArray(), vx, vy), x.Count, 2);
        var options = Tight with { Epsilon = epsilon };
        var debiased = EntropicMap.FitDebiased(x, y, null, options);
        var plain = EntropicMap.Fit(x, y, null, options);
        Assert.True(debiased.IsDebiased && !plain.IsDebiased);
        Assert.True(debiased.Convergence!.Converged);
        var query = GaussianMeasure.Standard(2).Sample(25, Seeds.Default + 5);
        var expected = Shift(query.Data.ToArray(), vx, vy);
        NumericAssert.Close(expected, debiased.Apply(query).Data, rtol: 0, atol: 1e-7);
        var plainError = MapTestData.Rms(new PointCloud<double>(expected, query.Count, 2), plain.Apply(query));
        Assert.True(plainError > 1e-2, $"plain map RMS error {plainError:G3}");
    }

    [Fact]
    public void FitDebiased_ElasticCost_PointAndCloudAgreeAndPartsRebuildTheMap()
    {
        var x = GaussianMeasure.Standard(3).Sample(40, Seeds.Default);
        var y = new GaussianMeasure([1, 0, 2], [1, 0, 0, 0, 2, 0, 0, 0, 0.5]).Sample(30, Seeds.Default + 1);
        var cost = new ElasticL1<double>(0.3);
        var map = EntropicMap.FitDebiased(x, y, cost, Tight with { Epsilon = 0.5 });
        var query = GaussianMeasure.Standard(3).Sample(9, Seeds.Default + 2);
        var cloud = map.Apply(query).Data.ToArray();
        var one = new double[3];
        map.Apply(query.Data.Slice(6, 3), one);
        NumericAssert.Close(cloud.AsSpan(6, 3).ToArray(), one, 0, 0);
        var rebuilt = new EntropicMap(map.Target, map.TargetPotential.ToArray(), map.Epsilon, cost, map.DebiasingSource!, map.DebiasingPotential.ToArray());
        NumericAssert.Close(cloud, rebuilt.Apply(query).Data, 0, 0);
        Assert.Equal(x.Count, map.DebiasingPotential.Length);
        Assert.Throws<InputValidationException>(() => new EntropicMap(map.Target, map.TargetPotential.ToArray(), map.Epsilon, cost, map.DebiasingSource!, new double[3]));
    }

    private static double[] Shift(double[] points, double vx, double vy)
    {
        for (var i = 0; i < points.Length; i += 2)
        {
            points[i] += vx;
            points[i + 1] += vy;
        }

        return points;
    }

    [Theory]
    [InlineData("elastic-l1:1", 2, 0.7)]
    [InlineData("elastic-stvs:2", 2, 0.9)]
    [InlineData("elastic-kovl:2:1", 4, 0.8)]
    public void Fit_PlantedSparseShift_RecoversTheSupportOfTheDisplacement(string costName, double epsilon, double zeroFraction)
    {
        // Target = an independent sample of the source law shifted by 2 along coordinates 1 and 4 only (d = 8).
        const int D = 8;
        int[] support = [1, 4];
        var x = GaussianMeasure.Standard(D).Sample(300, Seeds.Default);
        var y0 = GaussianMeasure.Standard(D).Sample(300, Seeds.Default + 1).Data.ToArray();
        for (var i = 0; i < 300; i++)
        {
            foreach (var k in support)
            {
                y0[(i * D) + k] += 2;
            }
        }

        var y = new PointCloud<double>(y0, 300, D);
        var test = GaussianMeasure.Standard(D).Sample(100, Seeds.Default + 2);
        var cost = CostFunction.Parse<double>(costName);
        var options = new Sinkhorn { Epsilon = epsilon, Threshold = 1e-6, MaxIterations = 5000 };
        var moved = EntropicMap.Fit(x, y, cost, options).Apply(test);
        var plain = EntropicMap.Fit(x, y, null, options with { Epsilon = 2 * epsilon }).Apply(test);
        int zeros = 0, plainZeros = 0, offEntries = 0;
        var onShift = 0.0;
        var meanAbs = new double[D];
        for (var i = 0; i < test.Count; i++)
        {
            for (var k = 0; k < D; k++)
            {
                var disp = moved.Row(i)[k] - test.Row(i)[k];
                meanAbs[k] += Math.Abs(disp) / test.Count;
                if (support.Contains(k))
                {
                    onShift += disp / (support.Length * test.Count);
                    continue;
                }

                offEntries++;
                zeros += disp == 0 ? 1 : 0;
                plainZeros += plain.Row(i)[k] - test.Row(i)[k] == 0 ? 1 : 0;
            }
        }

        // The displacement on the support is about the planted shift; off the support it is exactly zero for most
        // entries (the prox zeroes it), while the squared-Euclidean map moves every coordinate; the two coordinates
        // with the largest mean |displacement| are the planted support.
        Assert.InRange(onShift, 1.5, 3.2);
        Assert.True(zeros >= zeroFraction * offEntries, $"{costName}: {zeros} of {offEntries} off-support displacements are 0");
        Assert.Equal(0, plainZeros);
        Assert.Equal(support, Enumerable.Range(0, D).OrderByDescending(k => meanAbs[k]).Take(2).Order().ToArray());
        Assert.True(Enumerable.Range(0, D).Where(k => !support.Contains(k)).All(k => meanAbs[k] < 0.1 * onShift), $"{costName}: off-support mean |displacement| [{string.Join(", ", meanAbs)}]");
    }

    [Fact]
    public void Fit_UnsupportedCostOrConvention_Throws()
    {
        var x = GaussianMeasure.Standard(2).Sample(10, 1);
        var error = Assert.Throws<UnsupportedCostException>(() => EntropicMap.Fit(x, x, default(Euclidean<double>)));
        Assert.Equal(nameof(EntropicMap), error.Solver);
        Assert.Throws<InputValidationException>(() => EntropicMap.Fit(x, x, null, new Sinkhorn { Convention = EntropyConvention.Entropy }));
        Assert.Throws<InputValidationException>(() => new EntropicMap(x, new double[9], 1));
        Assert.Throws<InputValidationException>(() => new EntropicMap(x, new double[10], 0));
        var map = new EntropicMap(x, new double[10], 1);
        Assert.Throws<InputValidationException>(() => map.Apply(GaussianMeasure.Standard(3).Sample(2, 1)));
    }
}
