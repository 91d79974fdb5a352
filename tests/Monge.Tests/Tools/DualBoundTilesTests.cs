using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Testing;
using Monge.Tests.Geometry;
using Monge.Tools;

namespace Monge.Tests.Tools;

/// <summary>
/// The float32 tile c-transforms of <see cref="DualBoundClusters.TransformTiles"/> against brute force in float64, and the
/// certificate they give against the exact assignment optimum.
/// </summary>
// One collection for the classes whose transforms add to the static DualBoundClusters.Evaluated, which
// Transform_ClusteredData_SkipsMostPairs reads: run one after another, not concurrently.
[Collection("DualBoundClusters.Evaluated")]
public class DualBoundTilesTests
{
    public static TheoryData<int, int, int, bool, int, int, double> TransformCases => new()
    {
        { 1, 1, 2, false, 1, 8, 0 },
        { 13, 7, 1, true, 2, 4, 0 },
        { 300, 250, 2, false, 3, 16, 0 },
        { 300, 250, 2, true, 4, 33, 0 },
        { 257, 301, 16, false, 5, 16, 0 },
        { 257, 301, 16, true, 6, 64, 0 },
        { 203, 190, 64, false, 7, 16, 0 },
        { 203, 190, 64, true, 8, 16, 0 },
        { 150, 170, 16, false, 9, 32, 1000 },   // far from the origin: the common shift keeps the allowance small
        { 150, 170, 16, true, 10, 32, 1000 },
    };

    [Theory]
    [MemberData(nameof(TransformCases))]
    public void TransformTiles_AnyPotential_IsAtMostTheMinimumAndWithinTheAllowance(int n, int m, int d, bool euclidean, int seed, int ballPoints, double offset)
    {
        var x = Shifted(DualBoundClustersTests.Clustered(n, d, 10 + seed, 0), offset);
        var y = Shifted(DualBoundClustersTests.Clustered(m, d, 20 + seed, 0.4), offset);
        var (balls, queries) = Prepare(x, y, euclidean, ballPoints);
        var cost = DualBoundChecks.BruteCost(x, y, euclidean);

        var noise = GeometryTestData.Vector(n, 30 + seed, 3);
        var smooth = new double[n];
        var masked = new double[n];
        for (var i = 0; i < n; i++)
        {
            var row = x.Row(i);
            smooth[i] = (0.6 * (row[0] - offset) * (row[0] - offset)) - (1.3 * row[^1]) + (0.01 * noise[i]);
            masked[i] = i % 3 == 1 && n > 1 ? double.NegativeInfinity : noise[i];
        }

        // The documented allowance, from the shifted float32 norms (recomputed here from the definition).
        var shift = Shift(x, y);
        var maxNx = Enumerable.Range(0, n).Max(i => Norm2(x.Row(i), shift));
        foreach (var (name, h) in new[] { ("smooth", smooth), ("noise", noise), ("masked", masked) })
        {
            var dst = new double[m];
            Assert.True(balls.TransformTiles(h, queries, dst, new ParallelOptions { MaxDegreeOfParallelism = 2 }), "in float32 range");
            var maxAbs = h.Where(double.IsFinite).Max(Math.Abs);
            for (var j = 0; j < m; j++)
            {
                var exact = double.PositiveInfinity;
                for (var i = 0; i < n; i++)
                {
                    exact = Math.Min(exact, cost[(i * m) + j] - h[i]);
                }

                // Never above the float64 minimum (no tolerance); below it by at most the allowance, with room for the
                // float32 rounding of the minimum itself (one more allowance).
                var ny = Norm2(y.Row(j), shift);
                var square = Math.ScaleB(1.0, -23) * (((d + 16) * (maxNx + ny)) + (euclidean ? 0 : 4 * maxAbs));
                var allowance = euclidean
                    ? Math.Sqrt(2 * square) + (Math.ScaleB(1.0, -20) * (Math.Abs(exact) + (2 * maxAbs)))
                    : 2 * square;
                Assert.True(dst[j] <= exact, $"{name} j={j}: {dst[j]:R} above the minimum {exact:R}");
                Assert.True(dst[j] >= exact - allowance - 1e-30, $"{name} j={j}: {dst[j]:R} too far below {exact:R} (allowance {allowance:R})");
            }
        }
    }

    public static TheoryData<int, int, int, int, int, double, bool> ScreenCases => new()
    {
        { 1, 1, 2, 1, 8, 0, false },
        { 13, 7, 1, 2, 4, 0, false },
        { 300, 250, 2, 3, 16, 0, false },
        { 300, 250, 2, 4, 16, 0, true },
        { 257, 301, 16, 5, 16, 0, false },
        { 257, 301, 16, 6, 64, 0, true },
        { 203, 190, 64, 7, 16, 0, false },
        { 203, 190, 64, 8, 16, 0, true },
        { 150, 170, 16, 9, 32, 1000, false },   // far from the origin
        { 150, 170, 16, 10, 7, 0, true },
    };

    [Theory]
    [MemberData(nameof(ScreenCases))]
    public void TransformScreened_SameValuesAsTheTilesAndAtMostTheMinimum(int n, int m, int d, int seed, int ballPoints, double offset, bool ties)
    {
        // ties: every point repeated (blocks of equal points and equal values), queries repeated too.
        var x = Shifted(Repeated(DualBoundClustersTests.Clustered(ties ? (n + 1) / 2 : n, d, 10 + seed, 0), n, ties), offset);
        var y = Shifted(Repeated(DualBoundClustersTests.Clustered(ties ? (m + 1) / 2 : m, d, 20 + seed, 0.4), m, ties), offset);
        var (balls, queries) = Prepare(x, y, euclidean: false, ballPoints);
        var cost = DualBoundChecks.BruteCost(x, y, euclidean: false);
        var noise = GeometryTestData.Vector(n, 30 + seed, 3);
        var smooth = new double[n];
        var masked = new double[n];
        var equal = new double[n];
        for (var i = 0; i < n; i++)
        {
            var row = x.Row(i);
            smooth[i] = (0.6 * (row[0] - offset) * (row[0] - offset)) - (1.3 * row[^1]) + (0.01 * noise[i]);
            masked[i] = i % 3 == 1 && n > 1 ? double.NegativeInfinity : noise[i];
            equal[i] = ties ? 2.5 : noise[i] * 40;
        }

        foreach (var (name, h) in new[] { ("smooth", smooth), ("noise", noise), ("masked", masked), ("equal", equal) })
        {
            var screened = new double[m];
            var tiles = new double[m];
            Assert.True(balls.TransformScreened(h, queries, screened, new ParallelOptions { MaxDegreeOfParallelism = 2 }), "in float32 range");
            Assert.True(balls.TransformTiles(h, queries, tiles, new ParallelOptions { MaxDegreeOfParallelism = 2 }));

            // The screen skips only balls that cannot hold the float32 minimum: the same minimum, the same allowance.
            Assert.Equal(tiles, screened);
            for (var j = 0; j < m; j++)
            {
                var exact = double.PositiveInfinity;
                for (var i = 0; i < n; i++)
                {
                    exact = Math.Min(exact, cost[(i * m) + j] - h[i]);
                }

                Assert.True(screened[j] <= exact, $"{name} j={j}: {screened[j]:R} above the minimum {exact:R}");
            }
        }
    }

    [Fact]
    public void TransformScreened_SeparatedClusters_SkipsPairsAndDeclinesTheEuclideanCost()
    {
        var x = DualBoundClustersTests.Clustered(1200, 16, 61, 0);
        var y = DualBoundClustersTests.Clustered(1100, 16, 62, 0.2);
        var (balls, queries) = Prepare(x, y, euclidean: false, 16);
        var h = GeometryTestData.Vector(1200, 63, 1);
        var dst = new double[1100];
        var before = DualBoundClusters.Evaluated;
        Assert.True(balls.TransformScreened(h, queries, dst, new ParallelOptions { MaxDegreeOfParallelism = 2 }));
        var evaluated = DualBoundClusters.Evaluated - before;
        Assert.True(evaluated < 1200L * 1100 / 2, $"evaluated {evaluated} of {1200L * 1100} pairs");

        var one = new double[1100];
        Assert.True(balls.TransformScreened(h, queries, one, new ParallelOptions { MaxDegreeOfParallelism = 1 }));
        Assert.Equal(one, dst);

        var (eBalls, eQueries) = Prepare(x, y, euclidean: true, 16);
        Assert.False(eBalls.TransformScreened(h, eQueries, dst, new ParallelOptions()));
    }

    public static TheoryData<int, int, int, int, int, double, bool> EuclideanScreenCases => new()
    {
        { 1, 1, 2, 1, 8, 0, false },
        { 13, 7, 1, 2, 4, 0, false },
        { 300, 250, 2, 3, 16, 0, true },
        { 257, 301, 16, 5, 16, 0, false },
        { 257, 301, 16, 6, 64, 0, true },
        { 203, 190, 64, 7, 16, 0, false },
        { 203, 190, 64, 8, 16, 0, true },
        { 150, 170, 16, 9, 32, 1000, false },   // far from the origin
        { 150, 170, 64, 10, 7, 0, true },
    };

    [Theory]
    [MemberData(nameof(EuclideanScreenCases))]
    public void TransformScreenedEuclidean_NoPrunedPairCouldLowerTheTransform(int n, int m, int d, int seed, int ballPoints, double offset, bool ties)
    {
        // Every returned value is at most c(x, y) − h for every pair in float64 brute force (no tolerance): so no pair the
        // screen skipped was below it. It is at least the unscreened tiles' value (a minimum over fewer points, the same
        // allowance rule) and within the documented allowance of the exact minimum.
        var x = Shifted(Repeated(DualBoundClustersTests.Clustered(ties ? (n + 1) / 2 : n, d, 10 + seed, 0), n, ties), offset);
        var y = Shifted(Repeated(DualBoundClustersTests.Clustered(ties ? (m + 1) / 2 : m, d, 20 + seed, 0.4), m, ties), offset);
        var (balls, queries) = Prepare(x, y, euclidean: true, ballPoints);
        var cost = DualBoundChecks.BruteCost(x, y, euclidean: true);
        var shift = Shift(x, y);
        var maxNx = Enumerable.Range(0, n).Max(i => Norm2(x.Row(i), shift));
        var noise = GeometryTestData.Vector(n, 30 + seed, 3);
        var lipschitz = new double[n];
        var masked = new double[n];
        var equal = new double[n];
        for (var i = 0; i < n; i++)
        {
            var row = x.Row(i);
            lipschitz[i] = (0.8 * (row[0] - offset)) - (0.5 * row[^1]) + (0.01 * noise[i]);  // ~1-Lipschitz, as Euclidean duals
            masked[i] = i % 3 == 1 && n > 1 ? double.NegativeInfinity : noise[i];
            equal[i] = ties ? 2.5 : noise[i] * 40;
        }

        foreach (var (name, h) in new[] { ("lipschitz", lipschitz), ("noise", noise), ("masked", masked), ("equal", equal) })
        {
            var screened = new double[m];
            var tiles = new double[m];
            var one = new double[m];
            Assert.True(balls.TransformScreenedEuclidean(h, queries, screened, new ParallelOptions { MaxDegreeOfParallelism = 2 }), "in float32 range");
            Assert.True(balls.TransformScreenedEuclidean(h, queries, one, new ParallelOptions { MaxDegreeOfParallelism = 1 }));
            Assert.True(balls.TransformTiles(h, queries, tiles, new ParallelOptions { MaxDegreeOfParallelism = 2 }));
            Assert.Equal(one, screened);
            var maxAbs = h.Where(double.IsFinite).Max(Math.Abs);
            for (var j = 0; j < m; j++)
            {
                var exact = double.PositiveInfinity;
                for (var i = 0; i < n; i++)
                {
                    exact = Math.Min(exact, cost[(i * m) + j] - h[i]);
                }

                var square = Math.ScaleB(1.0, -23) * (d + 16) * (maxNx + Norm2(y.Row(j), shift));
                var allowance = Math.Sqrt(2 * square) + (Math.ScaleB(1.0, -20) * (Math.Abs(exact) + (2 * maxAbs)));
                Assert.True(screened[j] <= exact, $"{name} j={j}: {screened[j]:R} above the minimum {exact:R}");
                Assert.True(screened[j] >= tiles[j], $"{name} j={j}: {screened[j]:R} below the unscreened {tiles[j]:R}");
                Assert.True(screened[j] >= exact - allowance - 1e-30, $"{name} j={j}: {screened[j]:R} too far below {exact:R}");
            }
        }
    }

    [Fact]
    public void TransformScreenedEuclidean_SeparatedClusters_SkipsPairsAndDeclinesTheSquaredCost()
    {
        var x = DualBoundClustersTests.Clustered(1200, 64, 71, 0);
        var y = DualBoundClustersTests.Clustered(1100, 64, 72, 0.2);
        var (balls, queries) = Prepare(x, y, euclidean: true, 16);
        var h = GeometryTestData.Vector(1200, 73, 1);
        var dst = new double[1100];
        var before = DualBoundClusters.Evaluated;
        Assert.True(balls.TransformScreenedEuclidean(h, queries, dst, new ParallelOptions { MaxDegreeOfParallelism = 2 }));
        var evaluated = DualBoundClusters.Evaluated - before;
        Assert.True(evaluated < 1200L * 1100 / 2, $"evaluated {evaluated} of {1200L * 1100} pairs");

        var (sBalls, sQueries) = Prepare(x, y, euclidean: false, 16);
        Assert.False(sBalls.TransformScreenedEuclidean(h, sQueries, dst, new ParallelOptions()));
    }

    [Fact]
    public void TransformTiles_SameResultWhateverTheThreadCount()
    {
        var x = DualBoundClustersTests.Clustered(700, 16, 41, 0);
        var y = DualBoundClustersTests.Clustered(650, 16, 42, 0.3);
        var (balls, queries) = Prepare(x, y, euclidean: false, 32);
        var h = GeometryTestData.Vector(700, 43, 5);
        var one = new double[650];
        var many = new double[650];
        Assert.True(balls.TransformTiles(h, queries, one, new ParallelOptions { MaxDegreeOfParallelism = 1 }));
        Assert.True(balls.TransformTiles(h, queries, many, new ParallelOptions { MaxDegreeOfParallelism = 8 }));
        Assert.Equal(one, many);
    }

    [Fact]
    public void TransformTiles_OutOfFloatRange_Declines()
    {
        var x = Scaled(DualBoundClustersTests.Clustered(40, 3, 51, 0), 1e16);
        var y = Scaled(DualBoundClustersTests.Clustered(30, 3, 52, 0.5), 1e16);
        var (balls, queries) = Prepare(x, y, euclidean: false, 8);
        var dst = new double[30];
        Assert.False(balls.TransformTiles(new double[40], queries, dst, new ParallelOptions()));
        Assert.All(dst, value => Assert.Equal(0.0, value));

        // The certificate falls back to the float64 searches and stays feasible.
        var bound = new DualBound { CoarseSize = 16, RefineIterations = 2, TreeMinPairs = 0, TreeMaxDimension = 0, ClusterPoints = 8, ExactMaxPairs = -1 }.Compute(x, y);
        var c = DualBoundChecks.BruteCost(x, y, euclidean: false);
        for (var i = 0; i < 40; i++)
        {
            for (var j = 0; j < 30; j++)
            {
                Assert.True(bound.F[i] + bound.G[j] <= c[(i * 30) + j], $"infeasible at ({i}, {j})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(DualBoundChecks.HighDimensionalCases), MemberType = typeof(DualBoundChecks))]
    public void Compute_TileTransforms_FeasibleBelowTheExactOptimumAndCloseToFloat64(SyntheticDataset dataset, int d, string costName, int seed)
    {
        const int n = 300;
        var (x, y, cost, exact) = DualBoundChecks.Case(dataset, n, d, costName, seed);
        var options = new DualBound { CoarseSize = 128, RefineIterations = 3, Seed = seed, TreeMinPairs = 0, TreeMaxDimension = 0, ClusterPoints = 24, BothOrders = true, ExactMaxPairs = -1 };
        var tiles = options.Compute(x, y, cost);
        var unscreened = (options with { QueryScreen = false }).Compute(x, y, cost);
        if (CostFunction.IsSquaredEuclidean(cost))
        {
            Assert.Equal(tiles.LowerBound, unscreened.LowerBound);
        }
        else
        {
            // The Euclidean screen may keep a larger float32 minimum (still a valid value): both certificates are valid
            // and agree within the float32 allowance.
            DualBoundChecks.AssertCertificate(unscreened, x, y, cost, exact, $"{dataset} d={d} {cost}, unscreened");
            Assert.True(Math.Abs(tiles.LowerBound - unscreened.LowerBound) <= 1e-4 * Math.Abs(unscreened.LowerBound), $"screened {tiles.LowerBound:R} vs unscreened {unscreened.LowerBound:R}");
        }

        var float64 = (options with { SingleTransforms = false }).Compute(x, y, cost);
        var oneOrder = (options with { BothOrders = false }).Compute(x, y, cost);
        Assert.True(oneOrder.LowerBound <= tiles.LowerBound, "one order keeps the first of the two bounds");

        // Valid (both the two-order and the one-order result).
        DualBoundChecks.AssertCertificate(tiles, x, y, cost, exact, $"{dataset} d={d} {cost}");
        DualBoundChecks.AssertCertificate(oneOrder, x, y, cost, exact, $"{dataset} d={d} {cost}, one order");

        // The same Sinkhorn potentials go in; the float32 allowance costs ~2⁻²³(d + 16) of the squared norms per transform.
        Assert.True(Math.Abs(tiles.LowerBound - float64.LowerBound) <= 1e-4 * Math.Abs(float64.LowerBound), $"tiles {tiles.LowerBound:R} vs float64 {float64.LowerBound:R}");

        // Deterministic; the default on this path is the one order from f for both costs (stop 32).
        Assert.Equal(tiles.LowerBound, options.Compute(x, y, cost).LowerBound);
        Assert.Equal(oneOrder.LowerBound, (options with { BothOrders = null }).Compute(x, y, cost).LowerBound);
    }

    [Theory]
    [MemberData(nameof(DualBoundChecks.HighDimensionalCases), MemberType = typeof(DualBoundChecks))]
    public void Compute_LevelTransforms_FeasibleBelowTheExactOptimum(SyntheticDataset dataset, int d, string costName, int seed)
    {
        // A medium level without the full-size refinement (n·m above RefineMaxPairs): the first transform of each order reads
        // the level's potential on its own subsample points (LevelTransforms, the default), not its extension to every
        // point. Also with ties: every point twice (the subsample can then hold a duplicate whose cell weight is 0), whose
        // per-point optimum is the same.
        foreach (var ties in new[] { false, true })
        {
            var n = ties ? 150 : 300;
            var (x, y, cost, exact) = DualBoundChecks.Case(dataset, n, d, costName, seed);
            if (ties)
            {
                (x, y) = (Twice(x), Twice(y));
            }

            // Half the points in the level, as at n = 32 768 (16 384); the loss of the semi-discrete first transform grows
            // with n / level size (docs/hiref.md, stop 22).
            var options = new DualBound { CoarseSize = 48, MediumSize = 150, RefineMaxPairs = 150L * 150, RefineIterations = 3, Seed = seed, TreeMinPairs = 0, TreeMaxDimension = 0, ClusterPoints = 24, ExactMaxPairs = -1 };
            // Also the level's cell masses counted over a sample of 100 points per side (CellMaxPoints).
            foreach (var variant in new[] { options, options with { BothOrders = true }, options with { SingleTransforms = false }, options with { LevelTransforms = false }, options with { CellMaxPoints = 100 } })
            {
                var result = variant.Compute(x, y, cost);
                DualBoundChecks.AssertCertificate(result, x, y, cost, exact, $"{dataset} d={d} {cost} ties={ties} level={variant.LevelTransforms} both={variant.BothOrders} single={variant.SingleTransforms} cells={variant.CellMaxPoints}");
                Assert.Equal(result.LowerBound, variant.Compute(x, y, cost).LowerBound);
            }
        }
    }

    [Fact]
    public void Potentials_AreTheCertificatesSinkhornStage()
    {
        // The potentials of the internal entry point, certified by FromPotential, give the one-order bound of Compute.
        const int n = 200;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 11, 16, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var options = new DualBound { CoarseSize = 64, RefineIterations = 3, Seed = 11, BothOrders = false, ExactMaxPairs = -1, AscentCandidates = 0 };
        var (f, g, eps) = options.Potentials(x, y);
        Assert.Equal(n, f.Length);
        Assert.Equal(n, g.Length);
        Assert.True(eps > 0 && f.All(double.IsFinite) && g.All(double.IsFinite));
        var uniform = Enumerable.Repeat(1.0 / n, n).ToArray();
        var certified = DualBound.FromPotential(new PointDifferenceGeometry<double>(x, y, euclidean: false), uniform, uniform, f);
        var computed = options.Compute(x, y);
        NumericAssert.Close(computed.LowerBound, certified.LowerBound, rtol: 1e-12, what: "FromPotential(f) vs Compute");
        Assert.True(certified.LowerBound <= new LinearAssignment().Solve(x, y, new SquaredEuclidean<double>()).TotalCost / n);
    }

    // The cloud with every point twice (uniform weights).
    private static PointCloud<double> Twice(PointCloud<double> cloud) =>
        new([.. cloud.Data.ToArray(), .. cloud.Data.ToArray()], 2 * cloud.Count, cloud.Dimension);

    private static (DualBoundClusters Balls, DualBoundClusters Queries) Prepare(PointCloud<double> x, PointCloud<double> y, bool euclidean, int ballPoints)
    {
        var balls = DualBoundClusters.Build(x.Data, x.Count, x.Dimension, euclidean, ballPoints);
        var queries = DualBoundClusters.Build(y.Data, y.Count, y.Dimension, euclidean, ballPoints);
        var shift = Shift(x, y);
        balls.PrepareSingle(shift);
        queries.PrepareSingle(shift);
        return (balls, queries);
    }

    // The mean of all points of both clouds (DualBound's shift).
    private static double[] Shift(PointCloud<double> x, PointCloud<double> y)
    {
        var d = x.Dimension;
        var shift = new double[d];
        foreach (var cloud in new[] { x, y })
        {
            for (var i = 0; i < cloud.Count; i++)
            {
                var row = cloud.Row(i);
                for (var k = 0; k < d; k++)
                {
                    shift[k] += row[k];
                }
            }
        }

        for (var k = 0; k < d; k++)
        {
            shift[k] /= x.Count + y.Count;
        }

        return shift;
    }

    private static double Norm2(ReadOnlySpan<double> row, double[] shift)
    {
        var s = 0.0;
        for (var k = 0; k < row.Length; k++)
        {
            double t = (float)(row[k] - shift[k]);
            s += t * t;
        }

        return s;
    }

    private static PointCloud<double> Shifted(PointCloud<double> cloud, double offset)
    {
        var data = cloud.Data.ToArray();
        for (var k = 0; k < data.Length; k++)
        {
            data[k] += offset;
        }

        return new PointCloud<double>(data, cloud.Count, cloud.Dimension);
    }

    private static PointCloud<double> Repeated(PointCloud<double> cloud, int count, bool repeat)
    {
        if (!repeat)
        {
            return cloud;
        }

        var d = cloud.Dimension;
        var data = new double[count * d];
        for (var i = 0; i < count; i++)
        {
            cloud.Row(i / 2).CopyTo(data.AsSpan(i * d, d));
        }

        return new PointCloud<double>(data, count, d);
    }

    private static PointCloud<double> Scaled(PointCloud<double> cloud, double factor)
    {
        var data = cloud.Data.ToArray();
        for (var k = 0; k < data.Length; k++)
        {
            data[k] *= factor;
        }

        return new PointCloud<double>(data, cloud.Count, cloud.Dimension);
    }
}
