using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Peers;

/// <summary>
/// Cases ported from OTT-JAX's tests/solvers/linear/sinkhorn_lr_test.py (test_euclidean_point_cloud_lr). The fixture
/// (peers_ott_lr) keeps OTT's set-up, 23 and 27 uniform points in [0, 1]⁴ with uniform random weights and
/// a[0] = b[3] = 0, drawn by a seeded NumPy generator; the oracles are POT 0.8.2's exact value ot.emd2 (a lower bound
/// for any coupling) and the independent coupling's cost a C bᵀ (an upper bound the solver must beat).
/// </summary>
public class OttLowRankSinkhornTests
{
    // OTT: rank 6 then 14, threshold 1e-3, ε = 0, with an LR geometry or a point cloud, three initializers. Checks: the
    // transported mass is 1 ± 5e-4; rank 14 costs no more than rank 6 (or within 1e-4); the cost of the plan on another
    // geometry (y + 0.3) is the same through the point cloud and its factors (1e-6); a large ε (0.5, γ = 1) costs more.
    // OTT runs its k-means initializer on an LR geometry's factors; Monge's needs point coordinates (a typed error), so the
    // k-means row uses the point cloud.
    [Theory]
    [InlineData(true, LowRankInitialization.Rank2, false)]
    [InlineData(false, LowRankInitialization.Random, true)]
    [InlineData(false, LowRankInitialization.KMeans, false)]
    public void LowRankSinkhorn_ZeroWeights_MassRankOrderAndBounds(bool lowRankGeometry, LowRankInitialization initialization, bool gammaRescale) =>
        Check(lowRankGeometry, initialization, gammaRescale, dropZeroWeights: false);

    // The same problem with the zero-weight points left out (the same optimum, the same independent cost).
    [Theory]
    [InlineData(true, LowRankInitialization.Rank2, false)]
    [InlineData(false, LowRankInitialization.Random, true)]
    [InlineData(false, LowRankInitialization.KMeans, false)]
    public void LowRankSinkhorn_ZeroWeightPointsLeftOut_MassRankOrderAndBounds(bool lowRankGeometry, LowRankInitialization initialization, bool gammaRescale) =>
        Check(lowRankGeometry, initialization, gammaRescale, dropZeroWeights: true);

    private static void Check(bool lowRankGeometry, LowRankInitialization initialization, bool gammaRescale, bool dropZeroWeights)
    {
        var fx = Fixtures.Load("peers_ott_lr");
        var x = PeerData.Cloud(fx, "x");
        var y = PeerData.Cloud(fx, "y");
        var a = fx.Doubles("a");
        var b = fx.Doubles("b");
        var (zeroA, zeroB) = (0, 3);
        if (dropZeroWeights)
        {
            var keepX = Enumerable.Range(0, x.Count).Where(i => a[i] > 0).ToArray();
            var keepY = Enumerable.Range(0, y.Count).Where(j => b[j] > 0).ToArray();
            (x, y, a, b) = (x.Subset(keepX), y.Subset(keepY), keepX.Select(i => a[i]).ToArray(), keepY.Select(j => b[j]).ToArray());
            (zeroA, zeroB) = (-1, -1);
        }

        CostGeometry<double> geometry = lowRankGeometry ? LowRankGeometry<double>.SquaredEuclidean(x, y) : new PointCloudGeometry<double>(x, y);
        var problem = new LinearProblem<double>(geometry, a, b);
        var solver = new LowRankSinkhorn { Rank = 6, Threshold = 1e-3, Epsilon = 0, GammaRescale = gammaRescale, Initialization = initialization, Seed = 3 };

        var rank6 = solver.Solve(problem);
        Assert.False(rank6.Convergence.Status == Monge.Solvers.SolverStatus.Diverged, rank6.Convergence.ToString());
        NumericAssert.Close(1.0, rank6.SourceMarginal.Sum(), rtol: 5e-4, atol: 5e-4, what: "transport mass, rank 6");
        NumericAssert.InRange(rank6.Cost, fx.Scalar("exact") - 1e-9, fx.Scalar("independent"), "rank 6 cost between ot.emd2 and a C bᵀ");

        var rank14 = (solver with { Rank = 14 }).Solve(problem);
        NumericAssert.Close(1.0, rank14.SourceMarginal.Sum(), rtol: 5e-4, atol: 5e-4, what: "transport mass, rank 14");
        NumericAssert.InRange(rank14.Cost, fx.Scalar("exact") - 1e-9, rank6.Cost + 1e-4 + (1e-4 * rank6.Cost), "rank 14 cost");
        if (zeroA >= 0)
        {
            NumericAssert.Close(0.0, rank14.SourceMarginal[zeroA], atol: 1e-12, what: "zero-weight source point");
            NumericAssert.Close(0.0, rank14.TargetMarginal[zeroB], atol: 1e-12, what: "zero-weight target point");
        }

        var shifted = new PointCloud<double>(y.Data.ToArray().Select(v => v + 0.3).ToArray(), y.Count, y.Dimension);
        var other = rank14.Coupling.PrimalCost(new PointCloudGeometry<double>(x, shifted));
        var otherFactors = rank14.Coupling.PrimalCost(LowRankGeometry<double>.SquaredEuclidean(x, shifted));
        Assert.True(other > 0);
        NumericAssert.Close(other, otherFactors, rtol: 1e-6, atol: 1e-6, what: "cost at another geometry");

        var entropic = (solver with { Rank = 14, Epsilon = 0.5, Gamma = 1, GammaRescale = gammaRescale }).Solve(problem);
        NumericAssert.InRange(entropic.Cost, rank14.Cost - 1e-4 - (1e-4 * rank14.Cost), double.PositiveInfinity, "ε = 0.5 cost vs ε = 0");
    }
}
