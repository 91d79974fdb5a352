using Monge.Datasets;
using Monge.Geometry;
using Monge.Testing;
using Monge.Tests.Geometry;
using Monge.Tools;

namespace Monge.Tests.Tools;

/// <summary>The cluster-screened c-transforms of <see cref="DualBoundClusters"/> against brute force, and the bound they give.</summary>
// One collection for the classes whose transforms add to the static DualBoundClusters.Evaluated, which
// Transform_ClusteredData_SkipsMostPairs reads: run one after another, not concurrently.
[Collection("DualBoundClusters.Evaluated")]
public class DualBoundClustersTests
{
    public static TheoryData<int, int, int, bool, int, int> TransformCases => new()
    {
        { 1, 1, 2, false, 1, 8 },
        { 13, 7, 1, true, 2, 4 },
        { 300, 250, 2, false, 3, 16 },
        { 300, 250, 2, true, 4, 33 },
        { 257, 301, 16, false, 5, 16 },
        { 257, 301, 16, true, 6, 64 },
        { 203, 190, 64, false, 7, 16 },
        { 203, 190, 64, true, 8, 16 },
    };

    [Theory]
    [MemberData(nameof(TransformCases))]
    public void Transform_AnyPotential_IsTheExactMinimumLessTheAllowance(int n, int m, int d, bool euclidean, int seed, int ballPoints)
    {
        // Clustered points (so that balls are skipped) and a target shifted and spread differently.
        var x = Clustered(n, d, 10 + seed, 0);
        var y = Clustered(m, d, 20 + seed, 0.4);
        var balls = DualBoundClusters.Build(x.Data, n, d, euclidean, ballPoints);
        var queryOrder = DualBoundClusters.Build(y.Data, m, d, euclidean, ballPoints).Order.ToArray();
        var cost = DualBoundChecks.BruteCost(x, y, euclidean);

        // Three potentials: smooth (a quadratic with a tilt, like an OT potential), rough noise, and one with masked
        // (−∞) entries, which must never win.
        var noise = GeometryTestData.Vector(n, 30 + seed, 3);
        var smooth = new double[n];
        var masked = new double[n];
        for (var i = 0; i < n; i++)
        {
            var row = x.Row(i);
            smooth[i] = (0.6 * row[0] * row[0]) - (1.3 * row[^1]) + (0.01 * noise[i]);
            masked[i] = i % 3 == 1 && n > 1 ? double.NegativeInfinity : noise[i];
        }

        foreach (var (name, h) in new[] { ("smooth", smooth), ("noise", noise), ("masked", masked) })
        {
            var dst = new double[m];
            balls.Transform(h, y.Data, queryOrder, dst, new ParallelOptions { MaxDegreeOfParallelism = 2 });
            var maxAbs = h.Where(double.IsFinite).Max(Math.Abs);
            for (var j = 0; j < m; j++)
            {
                var exact = double.PositiveInfinity;
                for (var i = 0; i < n; i++)
                {
                    exact = Math.Min(exact, cost[(i * m) + j] - h[i]);
                }

                // At most the exact minimum, and below it by no more than the documented allowance plus the rounding of
                // the brute-force oracle itself.
                var allowance = ((2 * d) + 16) * Math.ScaleB(1.0, -52) * (Math.Abs(exact) + (2 * maxAbs));
                Assert.True(dst[j] <= exact, $"{name} j={j}: {dst[j]:R} above the minimum {exact:R}");
                Assert.True(dst[j] >= exact - (2 * allowance) - 1e-300, $"{name} j={j}: {dst[j]:R} too far below {exact:R}");
            }
        }
    }

    [Fact]
    public void Transform_ClusteredData_SkipsMostPairs()
    {
        // Eight well-separated clusters in 16-D, queries near the points themselves (each query's minimum lies in its
        // own cluster): the balls of the other seven clusters must be skipped. (Queries from another mixture, whose
        // clusters sit between these, skip only ~40%: see docs/hiref.md.)
        const int n = 2048;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 3, 16, withTarget: false);
        var balls = DualBoundClusters.Build(sample.Source.Data, n, 16, euclidean: false, 64);
        var queries = sample.Source.Data.ToArray();
        for (var k = 0; k < queries.Length; k++)
        {
            queries[k] += 0.05 * ((k % 7) - 3);
        }

        var h = new double[n];
        var dst = new double[n];
        DualBoundClusters.Evaluated = 0;
        balls.Transform(h, queries, Enumerable.Range(0, n).ToArray(), dst, new ParallelOptions());
        var evaluated = Interlocked.Exchange(ref DualBoundClusters.Evaluated, 0);
        Assert.True(evaluated < (long)n * n / 4, $"{evaluated} of {(long)n * n} pairs evaluated");
    }

    [Theory]
    [MemberData(nameof(DualBoundChecks.HighDimensionalCases), MemberType = typeof(DualBoundChecks))]
    public void Compute_ClusterTransforms_BelowTheExactOptimumAndEqualToTheDensePass(SyntheticDataset dataset, int d, string costName, int seed)
    {
        const int n = 300;
        var (x, y, cost, exact) = DualBoundChecks.Case(dataset, n, d, costName, seed);
        var options = new DualBound { CoarseSize = 128, RefineIterations = 3, Seed = seed, ExactMaxPairs = -1, AscentCandidates = 0 };
        var clusterOptions = options with { TreeMinPairs = 0, TreeMaxDimension = 0, ClusterPoints = 24, SingleTransforms = false };
        var screened = clusterOptions.Compute(x, y, cost);
        var dense = (options with { TreeMinPairs = -1 }).Compute(x, y, cost);
        Assert.True(!options.UseClusters(n, n, d, cost) && clusterOptions.UseClusters(n, n, d, cost) && !clusterOptions.UseTrees(n, n, d, cost), "the options select the path");
        DualBoundChecks.AssertCertificate(screened, x, y, cost, exact, $"{dataset} d={d} {cost}");

        // The same potentials go in and both take exact minima: equal up to the allowance (relative ~1e-14).
        NumericAssert.Close(dense.LowerBound, screened.LowerBound, rtol: 1e-11, what: $"{dataset} d={d} {cost}: balls vs dense");
        Assert.True(screened.LowerBound <= dense.LowerBound, "the rigorous path is never above the dense one");
    }

    internal static PointCloud<double> Clustered(int n, int d, int seed, double offset)
    {
        var noise = GeometryTestData.Cloud(n, d, seed, offset, spread: 0.3);
        var centres = GeometryTestData.Cloud(5, d, seed + 100, 0, spread: 4);
        var data = noise.Data.ToArray();
        for (var i = 0; i < n; i++)
        {
            var c = centres.Row(i % 5);
            for (var k = 0; k < d; k++)
            {
                data[(i * d) + k] += c[k];
            }
        }

        return new PointCloud<double>(data, n, d);
    }
}
