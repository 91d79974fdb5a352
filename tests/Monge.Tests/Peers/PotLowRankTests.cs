using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Peers;

/// <summary>
/// Cases ported from POT's test/test_lowrank.py (added after 0.8.2: the expectations are the closed forms those tests
/// check, the marginals a and b and ⟨C, P⟩ of the returned factors). Inputs: points 0..99 on a line against themselves,
/// reg 0.1, POT's rank default min(n, m) = 100, its 100 outer iterations, Dykstra tolerance 1e-7 and minimum inner
/// marginal α = 1e-10.
/// </summary>
public class PotLowRankTests
{
    private static readonly LowRankSinkhorn PotDefaults = new() { Rank = 100, Epsilon = 0.1, MaxIterations = 100, ProjectionTolerance = 1e-7, MinEntryValue = 1e-10, Seed = 49 };

    private static PointCloud<double> Line(int n) => new(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), n, 1);

    // test_compute_lr_sqeuclidean_matrix: X = arange(200).reshape(100, 2) against itself; the factors reproduce
    // ‖x_i − x_j‖² = 8 (i − j)² (closed form) to POT's atol 1e-5 (entries up to 78 408).
    [Fact]
    public void SquaredEuclideanFactors_IntegerGrid_ReproduceTheCost()
    {
        const int n = 100;
        var x = new PointCloud<double>(Enumerable.Range(0, 2 * n).Select(i => (double)i).ToArray(), n, 2);
        var expected = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                expected[(i * n) + j] = 8.0 * (i - j) * (i - j);
            }
        }

        NumericAssert.Close(expected, LowRankGeometry<double>.SquaredEuclidean(x, x).ToDense(), atol: 1e-5);
    }

    // test_lowrank_sinkhorn: marginals equal a and b (atol 1e-5) and the reported value is ⟨C, P⟩ of the plan.
    [Fact]
    public void LowRankSinkhorn_LineAgainstItself_MarginalsAndLinearValue()
    {
        const int n = 100;
        var x = Line(n);
        var result = PotDefaults.Solve(LinearProblem<double>.FromPointClouds(x, x));
        AssertMarginalsAndValue(result, x);
    }

    // test_lowrank_sinkhorn_init: the three initializations (random, deterministic = rank-2, k-means). Ten outer
    // iterations instead of POT's 100 keep the suite fast (rank 100 with k-means: 7 s for 100); every outer iteration
    // ends with the Dykstra projection onto the marginals, so the check is the same after any number of them.
    private static readonly LowRankSinkhorn Short = PotDefaults with { MaxIterations = 10 };

    [Theory]
    [InlineData(LowRankInitialization.Random)]
    [InlineData(LowRankInitialization.Rank2)]
    [InlineData(LowRankInitialization.KMeans)]
    public void LowRankSinkhorn_Initializations_KeepTheMarginals(LowRankInitialization initialization)
    {
        var x = Line(100);
        var result = (Short with { Initialization = initialization }).Solve(LinearProblem<double>.FromPointClouds(x, x));
        AssertMarginalsAndValue(result, x);
    }

    // test_lowrank_sinkhorn_gamma_init: step size rescaled at every iteration ("rescale") or fixed ("theory", POT's
    // 1/(2L)). Monge's fixed step is Gamma; on costs up to 9801 the default Gamma = 10 underflows the kernel and the run
    // reports Diverged, so the fixed-step row uses a step of the cost's scale, 1e-4. Ten outer iterations, as above.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LowRankSinkhorn_StepSizeRules_KeepTheMarginals(bool gammaRescale)
    {
        var x = Line(100);
        var options = gammaRescale ? Short : Short with { GammaRescale = false, Gamma = 1e-4 };
        var result = options.Solve(LinearProblem<double>.FromPointClouds(x, x));
        AssertMarginalsAndValue(result, x);
    }

    private static void AssertMarginalsAndValue(LowRankSinkhornResult result, PointCloud<double> x)
    {
        var n = x.Count;
        var u = Marginals.Uniform<double>(n);
        NumericAssert.Close(u, result.SourceMarginal, atol: 1e-5, what: $"P1 vs a ({result.Convergence}, {result.SourceMarginalError})");
        NumericAssert.Close(u, result.TargetMarginal, atol: 1e-5, what: "Pᵀ1 vs b");
        var cost = PeerData.DenseCost(x, x);
        NumericAssert.Close(PeerData.Dot(cost, result.ToDense()), result.Cost, rtol: 1e-9, what: "value_linear = ⟨C, P⟩");
    }
}
