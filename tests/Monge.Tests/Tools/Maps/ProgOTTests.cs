using Monge.Gaussian;
using Monge.Geometry.Costs;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tools.Maps;

namespace Monge.Tests.Tools.Maps;

public sealed class ProgOTTests
{
    [Theory]
    [InlineData(ProgOTSchedule.ConstantSpeed)]
    [InlineData(ProgOTSchedule.Accelerating)]
    [InlineData(ProgOTSchedule.Decelerating)]
    public void Alphas_Schedules_FollowThePaper(ProgOTSchedule schedule)
    {
        const int K = 6;
        var alphas = ProgOT.Alphas(schedule, K);
        Assert.Equal(K, alphas.Length);
        Assert.All(alphas, a => Assert.InRange(a, 0, 1));

        // The fraction of the way covered after stage k is t_{k+1} = 1 − Π_{i ≤ k}(1 − α_i).
        var remaining = 1.0;
        var covered = new double[K];
        for (var k = 0; k < K; k++)
        {
            remaining *= 1 - alphas[k];
            covered[k] = 1 - remaining;
        }

        switch (schedule)
        {
            case ProgOTSchedule.ConstantSpeed:
                // Constant speed: t_k = k/K.
                NumericAssert.Close(Enumerable.Range(1, K).Select(k => (double)k / K).ToArray(), covered, 1e-12, 1e-15);
                break;
            case ProgOTSchedule.Accelerating:
                // Quadratic: t_k = (k/K')² with K' = K + 1 until the last stage jumps to 1 (OTT's "quad").
                NumericAssert.Close(Enumerable.Range(1, K - 1).Select(k => ((k + 1.0) * (k + 1) - 1) / (((K + 1.0) * (K + 1)) - 1)).ToArray(), covered.AsSpan(0, K - 1), 1e-12, 1e-15);
                Assert.Equal(1, alphas[^1], 12);
                break;
            default:
                Assert.All(alphas, a => Assert.Equal(1 / Math.E, a, 15));
                break;
        }
    }

    [Fact]
    public void Fit_OneConstantSpeedStep_IsTheEntropicMap()
    {
        var x = GaussianMeasure.Standard(3).Sample(50, Seeds.Default);
        var y = new GaussianMeasure([1, 0, -1], [1, 0, 0, 0, 2, 0, 0, 0, 0.5]).Sample(40, Seeds.Default + 1);
        var sinkhorn = new Sinkhorn { Threshold = 1e-9, MaxIterations = 10000 };
        var fit = new ProgOT { Steps = 1, Epsilons = [0.3], Sinkhorn = sinkhorn }.Fit(x, y, new ElasticL1<double>(0.2));
        var direct = EntropicMap.Fit(x, y, new ElasticL1<double>(0.2), sinkhorn with { Epsilon = 0.3 });
        var query = GaussianMeasure.Standard(3).Sample(20, Seeds.Default + 2);
        NumericAssert.Close(direct.Apply(query).Data, fit.Map.Apply(query).Data, 0, 0);
        Assert.Equal([1.0], fit.Map.Alphas);
    }

    [Fact]
    public void Fit_GaussianPair_ComposesStagesAndApproachesTheClosedForm()
    {
        var (mu, nu) = MapTestData.GaussianPair(2);
        var truth = GaussianTransport.MongeMap(mu, nu);
        var x = mu.Sample(300, Seeds.Default);
        var y = nu.Sample(300, Seeds.Default + 1);
        var fit = new ProgOT { Steps = 4, EndEpsilonScales = [0.3, 1], Sinkhorn = new Sinkhorn { Threshold = 1e-4, MaxIterations = 5000 } }.Fit(x, y);
        Assert.True(fit.Converged, string.Join(", ", fit.StageConvergence.Select(c => c.Status)));
        Assert.Equal(4, fit.Map.Stages.Count);

        // The paper's ε schedule: ε_k = t_k ε_end + (1 − t_k) ε_start with t_k = k/K for constant speed, so the
        // steps ε_{k+1} − ε_k are equal.
        var eps = fit.Map.Epsilons;
        for (var k = 2; k < eps.Count; k++)
        {
            Assert.Equal(eps[1] - eps[0], eps[k] - eps[k - 1], 10);
        }

        // Applying the fitted map to the training source replays the fit.
        NumericAssert.Close(fit.MovedSource.Data, fit.Map.Apply(x).Data, 1e-12, 1e-12);
        var test = mu.Sample(200, Seeds.Default + 2);
        var error = MapTestData.Rms(truth.Apply(test), fit.Map.Apply(test));
        var displacement = MapTestData.Rms(truth.Apply(test), test);
        Assert.True(error < 0.3 * displacement, $"RMS error {error:G3} vs RMS displacement {displacement:G3}");
    }

    [Fact]
    public void Fit_InvalidOptions_Throw()
    {
        var x = GaussianMeasure.Standard(2).Sample(10, 1);
        Assert.Throws<InputValidationException>(() => new ProgOT { Steps = 0 }.Fit(x, x));
        Assert.Throws<InputValidationException>(() => new ProgOT { Steps = 2, Epsilons = [1] }.Fit(x, x));
        Assert.Throws<InputValidationException>(() => new ProgOT { Sinkhorn = new Sinkhorn { Epsilon = 1 } }.Fit(x, x));
        Assert.Throws<UnsupportedCostException>(() => new ProgOT().Fit(x, x, default(Cosine<double>)));
    }
}
