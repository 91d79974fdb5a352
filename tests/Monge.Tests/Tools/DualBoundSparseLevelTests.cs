using Monge.Datasets;
using Monge.Tools;

namespace Monge.Tests.Tools;

/// <summary>
/// The certificate's sparse level (<see cref="DualBound"/>'s SparseLevelSize, lvl16 stop 26): the medium level's potential
/// lifted to a finer uniform sample and raised there by the sparse dual ascent, then taken to every point by the rigorous
/// transforms. Checked against the exact assignment optimum and for determinism at 1 and 2 threads.
/// </summary>
[Collection("DualBoundClusters.Evaluated")]
public class DualBoundSparseLevelTests
{
    [Theory]
    [MemberData(nameof(DualBoundChecks.HighDimensionalCases), MemberType = typeof(DualBoundChecks))]
    public void Compute_SparseLevel_FeasibleBelowTheExactOptimumAndDeterministic(SyntheticDataset dataset, int d, string costName, int seed)
    {
        // n = 300 above a medium level of 100 points (refinement off at that size): the sparse level of 200 points per
        // side takes the level's potential, runs the ascent with exits (0, 1 and 3 passes), and its potential starts the
        // full-size transforms. The full-size ascent is off (AscentMaxPoints = 0), so the bound is the sparse level's alone.
        const int n = 300;
        var (x, y, cost, exact) = DualBoundChecks.Case(dataset, n, d, costName, seed);
        var options = new DualBound
        {
            CoarseSize = 48,
            MediumSize = 100,
            RefineMaxPairs = 100L * 100,
            RefineIterations = 3,
            Seed = seed,
            TreeMinPairs = 0,
            TreeMaxDimension = 0,
            ClusterPoints = 24,
            ExactMaxPairs = -1,
            AscentMaxPoints = 0,
            SparseLevelSize = 200,
        };
        // With the default tree dimension: the Euclidean tree path in 2-D (its level transforms), the cluster path above;
        // the squared cost's 2-D tree path extends the level instead (no level, so no sparse level).
        var trees = d > 6 || costName == "euclidean" ? [options with { TreeMaxDimension = 6 }] : Array.Empty<DualBound>();
        foreach (var variant in new[] { options, options with { SparseLevelPasses = 0 }, options with { SparseLevelPasses = 1 } }.Concat(trees))
        {
            var what = $"{dataset} d={d} {costName} passes={variant.SparseLevelPasses} trees={variant.TreeMaxDimension}";
            var one = DualBoundChecks.OnThreads(1, () => variant.Compute(x, y, cost));
            DualBoundChecks.AssertCertificate(one, x, y, cost, exact, what);
            Assert.NotEmpty(one.LevelBounds);
            Assert.Empty(one.AscentBounds);
            Assert.True(one.LevelBounds.Count <= variant.SparseLevelPasses + 1, $"{what}: {one.LevelBounds.Count} level bounds");
            var two = DualBoundChecks.OnThreads(2, () => variant.Compute(x, y, cost));
            Assert.Equal(one.LowerBound, two.LowerBound);
            Assert.Equal(one.F, two.F);
            Assert.Equal(one.G, two.G);
            Assert.Equal(one.LevelBounds, two.LevelBounds);
        }

        // Off (0) or not above the level's size: no sparse level, the plain level's bound.
        var plain = (options with { SparseLevelSize = 0 }).Compute(x, y, cost);
        var notAbove = (options with { SparseLevelSize = 100 }).Compute(x, y, cost);
        Assert.Empty(plain.LevelBounds);
        Assert.Empty(notAbove.LevelBounds);
        Assert.Equal(plain.LowerBound, notAbove.LowerBound);
        DualBoundChecks.AssertCertificate(plain, x, y, cost, exact, $"{dataset} d={d} {costName} plain");

        // Automatic (−1): on above AscentMaxPoints in dimension above TreeMaxDimension and up to AscentExitMaxDimension (here
        // the whole 300 points), off
        // where the full-size ascent may run (n not above AscentMaxPoints).
        var auto = (options with { SparseLevelSize = -1 }).Compute(x, y, cost);
        var whole = (options with { SparseLevelSize = n }).Compute(x, y, cost);
        var autoOff = (options with { SparseLevelSize = -1, AscentMaxPoints = n, AscentCandidates = 0 }).Compute(x, y, cost);
        if (d <= options.AscentExitMaxDimension)
        {
            Assert.Equal(whole.LowerBound, auto.LowerBound);
            Assert.NotEmpty(auto.LevelBounds);
        }
        else
        {
            // Above the exit ascent's dimension (64-D here) the automatic level is off.
            Assert.Empty(auto.LevelBounds);
            Assert.Equal(plain.LowerBound, auto.LowerBound);
        }


        Assert.Empty(autoOff.LevelBounds);
        Assert.Equal(plain.LowerBound, autoOff.LowerBound);
    }

    [Theory]
    [InlineData(131073, 131072)]
    [InlineData(524288, 131072)]
    [InlineData(524292, 131073)]
    [InlineData(786432, 196608)]
    [InlineData(1048575, 262143)]
    [InlineData(1048576, 262144)]
    [InlineData(10000000, 262144)]
    public void SparseLevelAutoSize_QuarterOfTheCloudBetween131072And262144(int n, int expected)
    {
        // The automatic rule: 131 072 (stop 26) up to 524 288 points, a quarter of the points above, capped at 262 144 (the
        // size measured at 1 048 576 in stop 28).
        Assert.Equal(expected, DualBound.SparseLevelAutoSize(n));
    }

    [Fact]
    public void Compute_SparseLevel_LargerThanTheCloudsAndBadOptions()
    {
        // A sparse level as large as the clouds is the whole problem (the ascent on it, then the transforms); one larger is
        // clipped to the clouds. Negative passes are refused.
        const int n = 240;
        var (x, y, cost, exact) = DualBoundChecks.Case(SyntheticDataset.GaussianMixture, n, 16, "sqeuclidean", 9);
        var options = new DualBound { CoarseSize = 40, MediumSize = 80, RefineMaxPairs = 80L * 80, RefineIterations = 3, Seed = 9, ExactMaxPairs = -1, AscentMaxPoints = 0, TreeMinPairs = 0, ClusterPoints = 24 };
        var whole = (options with { SparseLevelSize = n }).Compute(x, y, cost);
        var clipped = (options with { SparseLevelSize = 10 * n }).Compute(x, y, cost);
        DualBoundChecks.AssertCertificate(whole, x, y, cost, exact, "sparse level = n");
        Assert.Equal(whole.LowerBound, clipped.LowerBound);
        Assert.Throws<InputValidationException>(() => (options with { SparseLevelPasses = -1 }).Compute(x, y, cost));
    }
}
