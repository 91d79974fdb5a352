using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Testing;
using Monge.Tests.Geometry;
using Monge.Tools;

namespace Monge.Tests.Tools;

/// <summary>The branch-and-bound c-transforms of <see cref="DualBoundTree"/> against brute force, and the bound they give.</summary>
public class DualBoundTreeTests
{
    public static TheoryData<int, int, int, bool, int> TransformCases => new()
    {
        { 1, 1, 2, false, 1 },
        { 13, 7, 1, true, 2 },
        { 300, 250, 2, false, 3 },
        { 300, 250, 2, true, 4 },
        { 257, 301, 16, false, 5 },
        { 257, 301, 16, true, 6 },
        { 200, 200, 5, false, 7 },
    };

    [Theory]
    [MemberData(nameof(TransformCases))]
    public void Transform_AnyPotential_IsTheExactMinimumLessTheAllowance(int n, int m, int d, bool euclidean, int seed)
    {
        var x = GeometryTestData.Cloud(n, d, 10 + seed);
        var y = GeometryTestData.Cloud(m, d, 20 + seed, offset: 0.4, spread: 1.5);
        var tree = DualBoundTree.Build(x.Data, n, d, euclidean);
        var queryOrder = DualBoundTree.Build(y.Data, m, d, euclidean).Order.ToArray();
        var cost = BruteCost(x, y, euclidean);

        // Three potentials: smooth (a quadratic with a tilt, like an OT potential), rough noise, and one with masked
        // (−∞) entries, which must never win.
        var noise = GeometryTestData.Vector(n, 30 + seed, 3);
        var smooth = new double[n];
        var masked = new double[n];
        for (var i = 0; i < n; i++)
        {
            var row = x.Row(i);
            smooth[i] = (0.6 * row[0] * row[0]) - (1.3 * row[^1]) + (0.01 * noise[i]);
            masked[i] = i % 3 == 1 ? double.NegativeInfinity : noise[i];
        }

        foreach (var (name, h) in new[] { ("smooth", smooth), ("noise", noise), ("masked", masked) })
        {
            var dst = new double[m];
            tree.Transform(h, y.Data, queryOrder, dst, new ParallelOptions { MaxDegreeOfParallelism = 2 });
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

    public static TheoryData<SyntheticDataset, int, string, int> BoundCases => new()
    {
        { SyntheticDataset.HalfMoonSCurve, 2, "sqeuclidean", 1 },
        { SyntheticDataset.HalfMoonSCurve, 2, "euclidean", 2 },
        { SyntheticDataset.EightGaussiansMoons, 2, "sqeuclidean", 3 },
        { SyntheticDataset.Checkerboard, 2, "euclidean", 4 },
        { SyntheticDataset.GaussianMixture, 16, "sqeuclidean", 5 },
        { SyntheticDataset.GaussianMixture, 16, "euclidean", 6 },
    };

    [Theory]
    [MemberData(nameof(BoundCases))]
    public void Compute_TreeTransforms_BelowTheExactOptimumAndEqualToTheDensePass(SyntheticDataset dataset, int d, string costName, int seed)
    {
        const int n = 400;
        var cost = CostFunction.Parse<double>(costName);
        var sample = SyntheticData.Generate(dataset, n, seed, d, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var exact = new LinearAssignment().Solve(x, y, cost).TotalCost / n;
        var options = new DualBound { CoarseSize = 128, RefineIterations = 3, Seed = seed };
        var treeOptions = options with { TreeMinPairs = 0, TreeMaxDimension = 64 };
        var tree = treeOptions.Compute(x, y, cost);
        var dense = (options with { TreeMinPairs = -1 }).Compute(x, y, cost);
        Assert.True(options.UseTrees(n, n, d, cost) is false && treeOptions.UseTrees(n, n, d, cost), "the option selects the path");
        Assert.True(tree.LowerBound <= exact, $"{dataset} d={d} {cost}: bound {tree.LowerBound:R} above the optimum {exact:R}");

        // The same potentials go in and both take exact minima: equal up to the allowance (relative ~1e-14).
        NumericAssert.Close(dense.LowerBound, tree.LowerBound, rtol: 1e-11, what: $"{dataset} d={d} {cost}: tree vs dense");
        Assert.True(tree.LowerBound <= dense.LowerBound, "the rigorous path is never above the dense one");

        // Feasible for every pair, in float64, without any tolerance.
        var c = BruteCost(x, y, cost is Euclidean<double>);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                Assert.True(tree.F[i] + tree.G[j] <= c[(i * n) + j], $"infeasible at ({i}, {j})");
            }
        }

        Assert.True(exact - tree.LowerBound <= 0.05 * exact, $"{dataset} d={d} {cost}: bound {tree.LowerBound:R} far below {exact:R}");
    }

    private static double[] BruteCost(PointCloud<double> x, PointCloud<double> y, bool euclidean) =>
        GeometryTestData.BruteCost(x, y, (p, q) =>
        {
            var s = 0.0;
            for (var k = 0; k < p.Length; k++)
            {
                s += (p[k] - q[k]) * (p[k] - q[k]);
            }

            return euclidean ? Math.Sqrt(s) : s;
        });
}
