using Monge.Datasets;
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
        var cost = DualBoundChecks.BruteCost(x, y, euclidean);

        // Four potentials: smooth (a quadratic with a tilt, like an OT potential), rough noise, one with masked (−∞)
        // entries, which must never win, and one with a unit gradient (a Euclidean OT potential where mass moves: the
        // exact 2-D box bound must stay a lower bound where (1 − ‖γ‖)·dist is 0).
        var noise = GeometryTestData.Vector(n, 30 + seed, 3);
        var smooth = new double[n];
        var masked = new double[n];
        var unit = new double[n];
        // A c-concave potential over 16 coarse cells, min over centres c of ‖x − c‖² − f_c (what a transform from a coarse
        // level gives): the squared searches' curved bound (stop 30, cert) is exact inside a cell.
        var centres = GeometryTestData.Cloud(16, d, 70 + seed);
        var offsets = GeometryTestData.Vector(16, 80 + seed, 1);
        var cells = new double[n];
        for (var i = 0; i < n; i++)
        {
            var row = x.Row(i);
            smooth[i] = (0.6 * row[0] * row[0]) - (1.3 * row[^1]) + (0.01 * noise[i]);
            masked[i] = i % 3 == 1 ? double.NegativeInfinity : noise[i];
            unit[i] = (0.8 * row[0]) - (0.6 * row[^1] * (d == 1 ? 0 : 1)) + (i % 5 == 0 ? 1e-3 * noise[i] : 0);
            cells[i] = double.PositiveInfinity;
            for (var c = 0; c < 16; c++)
            {
                var distance = 0.0;
                for (var k = 0; k < d; k++)
                {
                    distance += (row[k] - centres.Row(c)[k]) * (row[k] - centres.Row(c)[k]);
                }

                cells[i] = Math.Min(cells[i], distance - offsets[c]);
            }
        }

        foreach (var (name, h) in new[] { ("smooth", smooth), ("noise", noise), ("masked", masked), ("unit", unit), ("cells", cells) })
        {
            var dst = new double[m];
            tree.Transform(h, y.Data, queryOrder, dst, new ParallelOptions { MaxDegreeOfParallelism = 2 });
            if (!euclidean)
            {
                // The curved node bound prunes differently but the minima are exact: the same values.
                var curved = new double[m];
                tree.Transform(h, y.Data, queryOrder, curved, new ParallelOptions { MaxDegreeOfParallelism = 2 }, curvature: true);
                Assert.Equal(dst, curved);

                // γ fitted on every node (the squared path's default since stop 31, sqcert): other node bounds, the same
                // minima bit for bit (so also within the allowance of the brute force below); with the curved bound too.
                var fitted = new double[m];
                tree.Transform(h, y.Data, queryOrder, fitted, new ParallelOptions { MaxDegreeOfParallelism = 2 }, fitEveryNode: true);
                Assert.Equal(dst, fitted);
                tree.Transform(h, y.Data, queryOrder, fitted, new ParallelOptions { MaxDegreeOfParallelism = 1 }, curvature: true, fitEveryNode: true);
                Assert.Equal(dst, fitted);
            }

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
    public void EuclideanMinimum_IsTheMinimumOverTheBox()
    {
        // min over x in a box of ‖x − y‖ − ⟨γ, x − y⟩ (d = 1, 2; ‖γ‖ ≤ 1, unit and zero included) against a 201² grid of
        // the box (corners and edges on it): never above any grid value, and within the grid's resolution of the least.
        var rng = new Random(Seeds.Sweep[0]);
        for (var trial = 0; trial < 300; trial++)
        {
            var d = trial % 4 == 0 ? 1 : 2;
            var lo = new double[d];
            var hi = new double[d];
            var y = new double[d];
            var g = new double[d];
            for (var k = 0; k < d; k++)
            {
                lo[k] = (rng.NextDouble() * 4) - 2;
                hi[k] = lo[k] + (trial % 7 == 0 ? 0 : rng.NextDouble() * 2);
                y[k] = (rng.NextDouble() * 6) - 3;
                g[k] = (rng.NextDouble() * 2) - 1;
            }

            var norm = Math.Sqrt(DualBoundTree.Dot(g, g));
            var length = trial % 3 switch { 0 => 1.0, 1 => 0.0, _ => rng.NextDouble() };
            for (var k = 0; k < d; k++)
            {
                g[k] = norm > 0 ? g[k] * length / norm : 0;
            }

            var bound = DualBoundTree.EuclideanMinimum(lo, hi, y, g);
            const int steps = 200;
            var least = double.PositiveInfinity;
            for (var s = 0; s <= steps; s++)
            {
                for (var t = 0; t <= (d == 1 ? 0 : steps); t++)
                {
                    double value = 0, norm2 = 0;
                    for (var k = 0; k < d; k++)
                    {
                        var w = lo[k] + ((hi[k] - lo[k]) * (k == 0 ? s : t) / steps) - y[k];
                        norm2 += w * w;
                        value -= g[k] * w;
                    }

                    least = Math.Min(least, value + Math.Sqrt(norm2));
                }
            }

            // φ is 2-Lipschitz, so the grid's least value is within 2·(half the grid diagonal) of the minimum.
            var resolution = 2 * Math.Sqrt(d) * (hi.Zip(lo, (a, b) => a - b).Max() / steps);
            Assert.True(bound <= least + 1e-12, $"trial {trial}: {bound:R} above the grid minimum {least:R}");
            Assert.True(bound >= least - resolution - 1e-12, $"trial {trial}: {bound:R} far below the grid minimum {least:R}");
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
        var (x, y, cost, exact) = DualBoundChecks.Case(dataset, n, d, costName, seed);
        var options = new DualBound { CoarseSize = 128, RefineIterations = 3, Seed = seed, ExactMaxPairs = -1, AscentCandidates = 0 };
        var treeOptions = options with { TreeMinPairs = 0, TreeMaxDimension = 64, EuclideanTreeSlack = 0 };
        var tree = treeOptions.Compute(x, y, cost);
        var dense = (options with { TreeMinPairs = -1 }).Compute(x, y, cost);
        Assert.True(options.UseTrees(n, n, d, cost) is false && treeOptions.UseTrees(n, n, d, cost), "the option selects the path");
        DualBoundChecks.AssertCertificate(tree, x, y, cost, exact, $"{dataset} d={d} {cost}");

        // The same potentials go in and both take exact minima: equal up to the allowance (relative ~1e-14).
        NumericAssert.Close(dense.LowerBound, tree.LowerBound, rtol: 1e-11, what: $"{dataset} d={d} {cost}: tree vs dense");
        Assert.True(tree.LowerBound <= dense.LowerBound, "the rigorous path is never above the dense one");

        // The default Euclidean tolerance τ (EuclideanTreeSlack of the box diagonal): still below the exact optimum, and
        // within 2τ of the exact transforms' bound (v lowered by at most τ moves u = v^c by at most τ); the squared cost
        // ignores it (bit-identical).
        var slack = (treeOptions with { EuclideanTreeSlack = new DualBound().EuclideanTreeSlack }).Compute(x, y, cost);
        DualBoundChecks.AssertCertificate(slack, x, y, cost, exact, $"{dataset} d={d} {cost} with the tolerance");
        if (costName == "euclidean")
        {
            var tau = new DualBound().EuclideanTreeSlack * Diagonal(x, y);
            Assert.True(Math.Abs(slack.LowerBound - tree.LowerBound) <= (2 * tau) + 1e-12, $"{dataset} d={d}: {slack.LowerBound:R} vs exact transforms {tree.LowerBound:R}, τ {tau:R}");
        }
        else
        {
            Assert.Equal(tree.LowerBound, slack.LowerBound);
        }
    }

    [Theory]
    [InlineData(300, 250, 2, 11)]
    [InlineData(257, 301, 3, 12)]
    public void Transform_WithSlack_IsWithinTheSlackBelowTheExactMinimum(int n, int m, int d, int seed)
    {
        // A Euclidean potential with slope 1 along a direction (every pair along it ties: the case the slack is for), and
        // rough noise; for τ = 0, 10⁻³ and 10⁻¹: every value at most the exact minimum and at least it less τ and the
        // allowance; at 1 and 2 threads the same values (a minimum and a fixed search order per query block).
        var x = GeometryTestData.Cloud(n, d, 40 + seed);
        var y = GeometryTestData.Cloud(m, d, 50 + seed, offset: 0.4, spread: 1.5);
        var tree = DualBoundTree.Build(x.Data, n, d, euclidean: true);
        var queryOrder = DualBoundTree.Build(y.Data, m, d, euclidean: true).Order.ToArray();
        var cost = DualBoundChecks.BruteCost(x, y, euclidean: true);
        var noise = GeometryTestData.Vector(n, 60 + seed, 3);
        var ray = new double[n];
        for (var i = 0; i < n; i++)
        {
            ray[i] = x.Row(i)[0];
        }

        foreach (var (name, h) in new[] { ("ray", ray), ("noise", noise) })
        {
            var maxAbs = h.Max(Math.Abs);
            foreach (var tau in new[] { 0.0, 1e-3, 1e-1 })
            {
                var one = new double[m];
                var two = new double[m];
                tree.Transform(h, y.Data, queryOrder, one, new ParallelOptions { MaxDegreeOfParallelism = 1 }, tau);
                tree.Transform(h, y.Data, queryOrder, two, new ParallelOptions { MaxDegreeOfParallelism = 2 }, tau);
                Assert.Equal(one, two);
                for (var j = 0; j < m; j++)
                {
                    var exact = double.PositiveInfinity;
                    for (var i = 0; i < n; i++)
                    {
                        exact = Math.Min(exact, cost[(i * m) + j] - h[i]);
                    }

                    var allowance = ((2 * d) + 16) * Math.ScaleB(1.0, -52) * (Math.Abs(exact) + tau + (2 * maxAbs));
                    Assert.True(one[j] <= exact, $"{name} τ={tau} j={j}: {one[j]:R} above the minimum {exact:R}");
                    Assert.True(one[j] >= exact - tau - (2 * allowance), $"{name} τ={tau} j={j}: {one[j]:R} more than τ below {exact:R}");
                }
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => tree.Transform(ray, y.Data, queryOrder, new double[m], new ParallelOptions(), -1e-9));
    }

    [Theory]
    [InlineData(SyntheticDataset.HalfMoonSCurve, "euclidean", 21)]
    [InlineData(SyntheticDataset.Checkerboard, "euclidean", 22)]
    [InlineData(SyntheticDataset.MafMoonsRings, "euclidean", 23)]
    [InlineData(SyntheticDataset.EightGaussiansMoons, "sqeuclidean", 24)]
    public void Compute_TreeLevelTransforms_DefaultOrders_BelowTheExactOptimumAndFeasible(SyntheticDataset dataset, string costName, int seed)
    {
        // Above the refinement size (n·m > RefineMaxPairs: the level transforms) the Euclidean tree path runs by default
        // the order of c-transforms from f alone (stop 24, ecert: the order from g raised the bound by ≤ 1e-5 relative at
        // 131 072 and 1 048 576); the squared cost keeps both. Either way: feasible, below the exact optimum, and without
        // the sparse ascent the two-order bound is at least the one-order bound.
        const int n = 300;
        var (x, y, cost, exact) = DualBoundChecks.Case(dataset, n, 2, costName, seed);
        var options = new DualBound { CoarseSize = 48, MediumSize = 150, RefineMaxPairs = 150L * 150, RefineIterations = 3, Seed = seed, TreeMinPairs = 0, ExactMaxPairs = -1 };
        Assert.True(options.UseTrees(n, n, 2, cost), "the tree path runs");
        var result = options.Compute(x, y, cost);
        DualBoundChecks.AssertCertificate(result, x, y, cost, exact, $"{dataset} {cost} default orders");
        var one = (options with { BothOrders = false }).Compute(x, y, cost);
        var both = (options with { BothOrders = true }).Compute(x, y, cost);
        DualBoundChecks.AssertCertificate(one, x, y, cost, exact, $"{dataset} {cost} one order");
        DualBoundChecks.AssertCertificate(both, x, y, cost, exact, $"{dataset} {cost} both orders");
        Assert.Equal(costName == "euclidean" ? one.LowerBound : both.LowerBound, result.LowerBound);

        var noAscent = options with { AscentCandidates = 0 };
        Assert.True((noAscent with { BothOrders = false }).Compute(x, y, cost).LowerBound <= (noAscent with { BothOrders = true }).Compute(x, y, cost).LowerBound, "both orders keep the larger bound");
    }

    [Theory]
    [InlineData(SyntheticDataset.Checkerboard, 31)]
    [InlineData(SyntheticDataset.EightGaussiansMoons, 32)]
    [InlineData(SyntheticDataset.HalfMoonSCurve, 33)]
    public void Compute_SquaredTreeSlackAndLevel_BelowTheExactOptimumAndFeasible(SyntheticDataset dataset, int seed)
    {
        // The squared tree path's two internal options (stop 30, cert): a tolerance τ on its transforms and the first
        // transforms from the coarse level. Each certificate feasible on every pair and below the network simplex optimum
        // (the level path forced at n = 300); with τ the bound at most 2τ per order below the exact transforms' (one order,
        // no ascent, so that the comparison is of the transforms alone).
        const int n = 300;
        var (x, y, cost, exact) = DualBoundChecks.Case(dataset, n, 2, "sqeuclidean", seed);
        var options = new DualBound { CoarseSize = 48, MediumSize = 150, RefineMaxPairs = 150L * 150, RefineIterations = 3, Seed = seed, TreeMinPairs = 0, ExactMaxPairs = -1 };
        Assert.True(options.UseTrees(n, n, 2, cost), "the tree path runs");
        var diagonal = Diagonal(x, y);
        foreach (var relative in new[] { 1e-6, 1e-3 })
        {
            var slack = (options with { SquaredTreeSlack = relative }).Compute(x, y, cost);
            DualBoundChecks.AssertCertificate(slack, x, y, cost, exact, $"{dataset} slack {relative}");
            var oneOrder = options with { BothOrders = false, AscentCandidates = 0 };
            var exactTransforms = oneOrder.Compute(x, y, cost).LowerBound;
            var withSlack = (oneOrder with { SquaredTreeSlack = relative }).Compute(x, y, cost).LowerBound;
            var tau = relative * diagonal * diagonal;
            Assert.True(withSlack >= exactTransforms - (2 * tau) - 1e-12, $"{dataset} slack {relative}: {withSlack:R} more than 2τ below {exactTransforms:R}");
        }

        foreach (var bothOrders in new bool?[] { null, false })
        {
            var level = options with { SquaredTreeLevel = true, SquaredTreeMixedOrders = false, BothOrders = bothOrders };
            var result = level.Compute(x, y, cost);
            DualBoundChecks.AssertCertificate(result, x, y, cost, exact, $"{dataset} level, orders {bothOrders}");
            var curved = (level with { SquaredTreeCurvature = true }).Compute(x, y, cost);
            Assert.Equal(result.LowerBound, curved.LowerBound);
        }

        // The soft extensions of both potentials (the default before stop 30).
        DualBoundChecks.AssertCertificate((options with { SquaredTreeLevel = false }).Compute(x, y, cost), x, y, cost, exact, $"{dataset} extensions");

        // The mixed orders (the default): the level's order from f and the soft extension's order from g, the larger kept.
        Assert.Equal(options.Compute(x, y, cost).LowerBound, (options with { SquaredTreeLevel = true, SquaredTreeMixedOrders = true }).Compute(x, y, cost).LowerBound);
        var mixed = (options with { SquaredTreeLevel = true, SquaredTreeMixedOrders = true }).Compute(x, y, cost);
        DualBoundChecks.AssertCertificate(mixed, x, y, cost, exact, $"{dataset} mixed orders");

        // γ on every node (the default since stop 31) or the parent's below 192 points: the same bound bit for bit.
        Assert.Equal(mixed.LowerBound, (options with { SquaredTreeNodeFits = false }).Compute(x, y, cost).LowerBound);
        var plain = options with { AscentCandidates = 0 };
        var mixedAlone = (plain with { SquaredTreeLevel = true, SquaredTreeMixedOrders = true }).Compute(x, y, cost).LowerBound;
        Assert.True(mixedAlone >= (plain with { SquaredTreeLevel = true, SquaredTreeMixedOrders = false, BothOrders = false }).Compute(x, y, cost).LowerBound, "at least the level's order from f");
    }

    [Fact]
    public void ConeMinimum_IsALowerBoundOverTheBoxAndTightOnTheRay()
    {
        // min over x in a 2-D box of ‖x − y‖ − ‖x − z‖ against a 201² grid of the box (corners and edges on it): the bound
        // is never above any grid value, never below −‖y − z‖ (the triangle inequality), and equal to it when the box holds
        // a point of the ray from z through y beyond y (the tied points of a transport ray).
        var rng = new Random(Seeds.Sweep[1]);
        for (var trial = 0; trial < 400; trial++)
        {
            var lo0 = (rng.NextDouble() * 4) - 2;
            var lo1 = (rng.NextDouble() * 4) - 2;
            var hi0 = lo0 + (trial % 7 == 0 ? 0 : rng.NextDouble() * 2);
            var hi1 = lo1 + (trial % 11 == 0 ? 0 : rng.NextDouble() * 2);
            var z0 = (rng.NextDouble() * 8) - 4;
            var z1 = (rng.NextDouble() * 8) - 4;
            double y0, y1;
            var onRay = trial % 3 == 0;
            if (onRay)
            {
                // y between z and a point of the box: the ray from z through y meets the box beyond y.
                var t = 0.1 + (0.8 * rng.NextDouble());
                var p0 = lo0 + ((hi0 - lo0) * rng.NextDouble());
                var p1 = lo1 + ((hi1 - lo1) * rng.NextDouble());
                (y0, y1) = (z0 + (t * (p0 - z0)), z1 + (t * (p1 - z1)));
            }
            else
            {
                (y0, y1) = trial % 5 == 1 ? (z0, z1) : ((rng.NextDouble() * 8) - 4, (rng.NextDouble() * 8) - 4);
            }

            var bound = DualBoundTree.ConeMinimum(lo0, hi0, lo1, hi1, z0, z1, y0, y1, out var reach, out var rho);
            const int steps = 200;
            var least = double.PositiveInfinity;
            var farthest = 0.0;
            for (var s = 0; s <= steps; s++)
            {
                for (var t = 0; t <= steps; t++)
                {
                    var x0 = lo0 + ((hi0 - lo0) * s / steps);
                    var x1 = lo1 + ((hi1 - lo1) * t / steps);
                    var toZ = Math.Sqrt(((x0 - z0) * (x0 - z0)) + ((x1 - z1) * (x1 - z1)));
                    farthest = Math.Max(farthest, toZ);
                    least = Math.Min(least, Math.Sqrt(((x0 - y0) * (x0 - y0)) + ((x1 - y1) * (x1 - y1))) - toZ);
                }
            }

            var scale = 1e-12 * (1 + reach + rho);
            Assert.True(bound <= least + scale, $"trial {trial}: {bound:R} above the grid minimum {least:R}");
            Assert.True(bound >= -rho - scale, $"trial {trial}: {bound:R} below −ρ = {-rho:R}");
            Assert.Equal(farthest, reach, 1e-12 * (1 + reach));
            if (onRay)
            {
                Assert.True(Math.Abs(bound + rho) <= scale, $"trial {trial}: {bound:R} on the ray, not −ρ = {-rho:R}");
            }
        }
    }

    [Theory]
    [InlineData(300, 250, 41)]
    [InlineData(257, 301, 42)]
    public void Transform_WithCones_IsTheExactMinimumWithAnyApexes(int n, int m, int seed)
    {
        // 2-D Euclidean potentials that are c-transforms from 24 apexes (h_i = min_c ‖x_i − z_c‖ − f_c, the form the cone
        // majorant is tight for), with the true apexes, with wrong ones (any apex is valid), with none for a third of the
        // points, and masked (−∞) entries: for τ = 0 the same values as without cones (exact minima) and for τ = 10⁻³ and
        // 10⁻¹ every value at most the exact minimum and at least it less τ and the allowance; 1 and 2 threads the same.
        const int d = 2;
        var x = GeometryTestData.Cloud(n, d, 90 + seed);
        var y = GeometryTestData.Cloud(m, d, 100 + seed, offset: 0.4, spread: 1.5);
        var tree = DualBoundTree.Build(x.Data, n, d, euclidean: true);
        var queryOrder = DualBoundTree.Build(y.Data, m, d, euclidean: true).Order.ToArray();
        var cost = DualBoundChecks.BruteCost(x, y, euclidean: true);
        var apexes = GeometryTestData.Cloud(24, d, 110 + seed, offset: 0.4, spread: 1.5);
        var offsets = GeometryTestData.Vector(24, 120 + seed, 1);
        var cells = new double[n];
        var masked = new double[n];
        var trueOf = new int[n];
        var wrongOf = new int[n];
        var someOf = new int[n];
        for (var i = 0; i < n; i++)
        {
            cells[i] = double.PositiveInfinity;
            for (var c = 0; c < 24; c++)
            {
                var value = Math.Sqrt(((x.Row(i)[0] - apexes.Row(c)[0]) * (x.Row(i)[0] - apexes.Row(c)[0])) + ((x.Row(i)[1] - apexes.Row(c)[1]) * (x.Row(i)[1] - apexes.Row(c)[1]))) - offsets[c];
                if (value < cells[i])
                {
                    (cells[i], trueOf[i]) = (value, c);
                }
            }

            masked[i] = i % 4 == 2 ? double.NegativeInfinity : cells[i];
            wrongOf[i] = (trueOf[i] + 7) % 24;
            someOf[i] = i % 3 == 0 ? -1 : trueOf[i];
        }

        var points = apexes.Data.ToArray();
        foreach (var (name, h) in new[] { ("cells", cells), ("masked", masked) })
        {
            var maxAbs = h.Where(double.IsFinite).Max(Math.Abs);
            foreach (var (apexName, of) in new[] { ("true", trueOf), ("wrong", wrongOf), ("some", someOf) })
            {
                var cones = new DualBoundTree.Cones(points, of);
                foreach (var tau in new[] { 0.0, 1e-3, 1e-1 })
                {
                    var one = new double[m];
                    var two = new double[m];
                    tree.Transform(h, y.Data, queryOrder, one, new ParallelOptions { MaxDegreeOfParallelism = 1 }, tau, cones: cones);
                    tree.Transform(h, y.Data, queryOrder, two, new ParallelOptions { MaxDegreeOfParallelism = 2 }, tau, cones: cones);
                    Assert.Equal(one, two);
                    if (tau == 0)
                    {
                        var plain = new double[m];
                        tree.Transform(h, y.Data, queryOrder, plain, new ParallelOptions { MaxDegreeOfParallelism = 2 });
                        Assert.Equal(plain, one);
                    }

                    for (var j = 0; j < m; j++)
                    {
                        var exact = double.PositiveInfinity;
                        for (var i = 0; i < n; i++)
                        {
                            exact = Math.Min(exact, cost[(i * m) + j] - h[i]);
                        }

                        var allowance = ((2 * d) + 16) * Math.ScaleB(1.0, -52) * (Math.Abs(exact) + tau + (2 * maxAbs));
                        Assert.True(one[j] <= exact, $"{name} {apexName} τ={tau} j={j}: {one[j]:R} above the minimum {exact:R}");
                        Assert.True(one[j] >= exact - tau - (2 * allowance), $"{name} {apexName} τ={tau} j={j}: {one[j]:R} more than τ below {exact:R}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(SyntheticDataset.HalfMoonSCurve, 51)]
    [InlineData(SyntheticDataset.Checkerboard, 52)]
    [InlineData(SyntheticDataset.MafMoonsRings, 53)]
    [InlineData(SyntheticDataset.EightGaussiansMoons, 54)]
    public void Compute_EuclideanTreeCones_BelowTheExactOptimumAndFeasible(SyntheticDataset dataset, int seed)
    {
        // The cone majorants on the forced level path (n = 300, RefineMaxPairs = 150²), with the default τ and with larger
        // ones: feasible on every pair and below the network simplex optimum; with τ = 0 the same bound as without cones
        // (exact minima either way).
        const int n = 300;
        var (x, y, cost, exact) = DualBoundChecks.Case(dataset, n, 2, "euclidean", seed);
        var options = new DualBound { CoarseSize = 48, MediumSize = 150, RefineMaxPairs = 150L * 150, RefineIterations = 3, Seed = seed, TreeMinPairs = 0, ExactMaxPairs = -1 };
        Assert.True(options.UseTrees(n, n, 2, cost), "the tree path runs");
        foreach (var slack in new[] { 0.0, 1e-6, 1e-4, 1e-3 })
        {
            var withCones = (options with { EuclideanTreeCones = true, EuclideanTreeSlack = slack }).Compute(x, y, cost);
            DualBoundChecks.AssertCertificate(withCones, x, y, cost, exact, $"{dataset} cones, slack {slack}");
            var without = (options with { EuclideanTreeCones = false, EuclideanTreeSlack = slack }).Compute(x, y, cost);
            DualBoundChecks.AssertCertificate(without, x, y, cost, exact, $"{dataset} no cones, slack {slack}");
            if (slack == 0)
            {
                Assert.Equal(without.LowerBound, withCones.LowerBound);
            }
        }
    }

    [Fact]
    public void Validate_NegativeOrNonFiniteTreeSlack_Refused()
    {
        Assert.Throws<InputValidationException>(() => new DualBound { EuclideanTreeSlack = -1e-9 }.Validate());
        Assert.Throws<InputValidationException>(() => new DualBound { EuclideanTreeSlack = double.NaN }.Validate());
        new DualBound { EuclideanTreeSlack = 0 }.Validate();
        Assert.Throws<InputValidationException>(() => new DualBound { SquaredTreeSlack = -1e-9 }.Validate());
        Assert.Throws<InputValidationException>(() => new DualBound { SquaredTreeSlack = double.PositiveInfinity }.Validate());
        new DualBound { SquaredTreeSlack = 1e-7 }.Validate();
    }

    // The diagonal of the box holding both clouds (the scale of DualBound.EuclideanTreeSlack).
    private static double Diagonal(Monge.Geometry.PointCloud<double> x, Monge.Geometry.PointCloud<double> y)
    {
        var d = x.Dimension;
        var sum = 0.0;
        for (var k = 0; k < d; k++)
        {
            var lo = double.PositiveInfinity;
            var hi = double.NegativeInfinity;
            for (var i = 0; i < x.Count; i++)
            {
                lo = Math.Min(lo, x.Row(i)[k]);
                hi = Math.Max(hi, x.Row(i)[k]);
            }

            for (var j = 0; j < y.Count; j++)
            {
                lo = Math.Min(lo, y.Row(j)[k]);
                hi = Math.Max(hi, y.Row(j)[k]);
            }

            sum += (hi - lo) * (hi - lo);
        }

        return Math.Sqrt(sum);
    }
}
