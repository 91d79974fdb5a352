using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Testing;
using Monge.Tests.Geometry;
using Monge.Tools;

namespace Monge.Tests.Tools;

// One collection for the classes whose transforms add to the static DualBoundClusters.Evaluated, which
// Transform_ClusteredData_SkipsMostPairs reads: run one after another, not concurrently.
[Collection("DualBoundClusters.Evaluated")]
public class DualBoundTests
{
    /// <summary>A converged double-precision Sinkhorn, for the ε-derived tightness statement.</summary>
    private static readonly DualBound Converged = new()
    {
        Epsilon = 5e-2,
        EpsilonScaling = new(20, 0.8),
        Threshold = 1e-7,
        MaxIterations = 20_000,
        SinglePrecision = false,
        ExactMaxPairs = -1,
    };

    public static TheoryData<int, int, string, int> RandomCases => new()
    {
        { 1, 2, "sqeuclidean", 1 },
        { 2, 1, "euclidean", 2 },
        { 7, 3, "sqeuclidean", 3 },
        { 60, 2, "euclidean", 4 },
        { 120, 5, "sqeuclidean", 5 },
        { 150, 1, "euclidean", 6 },
        { 200, 2, "sqeuclidean", 7 },
    };

    [Theory]
    [MemberData(nameof(RandomCases))]
    public void Compute_RandomClouds_BelowTheAssignmentOptimumAndWithinEpsilonLogN(int n, int d, string costName, int seed)
    {
        var cost = CostFunction.Parse<double>(costName);
        var x = GeometryTestData.Cloud(n, d, 100 + seed);
        var y = GeometryTestData.Cloud(n, d, 200 + seed, offset: 0.3);
        var exact = new LinearAssignment().Solve(x, y, cost).TotalCost / n;
        var result = Converged.Compute(x, y, cost);
        Assert.True(result.SinkhornConvergence!.Converged, result.SinkhornConvergence.ToString());
        AssertBelow(exact, result.LowerBound, $"n={n} d={d} {cost}");

        // For a converged Sinkhorn the c-transformed pair loses at most ε·log(1/min a) = ε·log n (see DualBound remarks).
        var slack = result.Epsilon * Math.Log(n);
        Assert.True(exact - result.LowerBound <= slack + (1e-12 * Math.Abs(exact)), $"n={n} d={d} {cost}: OPT {exact:R}, bound {result.LowerBound:R}, ε·log n {slack:R}");

        // The default (float32, budgeted) options are valid too.
        var fast = new DualBound().Compute(x, y, cost);
        AssertBelow(exact, fast.LowerBound, $"default options n={n} d={d} {cost}");
    }

    [Theory]
    [InlineData(16, "sqeuclidean", 1)]
    [InlineData(30, "sqeuclidean", 2)]
    [InlineData(64, "euclidean", 3)]
    public void Compute_SmallHighDimensional_CertifiesTheOptimum(int d, string costName, int seed)
    {
        // In high dimension many partners have nearly the same cost, so Sinkhorn's potentials lose about ε·log(their
        // number) (3.5% on a 30-D pair of 3000 points, stop 19). Below ExactMaxPairs the exact duals are certified
        // instead: the bound is the optimum (Jonker–Volgenant, an independent solver) up to rounding, feasible on every
        // pair, and never looser than the Sinkhorn path's.
        const int n = 300;
        var (x, y, cost, exact) = DualBoundChecks.Case(SyntheticDataset.GaussianMixture, n, d, costName, seed);
        var result = new DualBound { Seed = seed }.Compute(x, y, cost);
        DualBoundChecks.AssertCertificate(result, x, y, cost, exact, $"d={d} {cost}");
        Assert.True(exact - result.LowerBound <= 1e-9 * exact, $"d={d} {cost}: bound {result.LowerBound:R}, optimum {exact:R}");
        var sinkhorn = new DualBound { Seed = seed, ExactMaxPairs = -1 }.Compute(x, y, cost);
        AssertBelow(exact, sinkhorn.LowerBound, $"d={d} {cost}: Sinkhorn path");
        Assert.True(result.LowerBound >= sinkhorn.LowerBound - (1e-12 * exact), $"d={d} {cost}: exact duals {result.LowerBound:R} below Sinkhorn's {sinkhorn.LowerBound:R}");

        // Unequal weights and sizes: the network simplex optimum, and never above a feasible plan.
        var rng = new Random(seed);
        var xw = x.Subset([.. Enumerable.Range(0, 120)]).WithWeights(Generators.RandomWeights(rng, 120));
        var yw = y.Subset([.. Enumerable.Range(0, 90)]).WithWeights(Generators.RandomWeights(rng, 90));
        var weighted = new DualBound { Seed = seed }.Compute(xw, yw, cost);
        var optimum = new NetworkSimplex { NormalizeMasses = true }.Solve(xw, yw, cost).Cost;
        AssertBelow(optimum, weighted.LowerBound, $"d={d} {cost}: weighted");
        Assert.True(optimum - weighted.LowerBound <= 1e-9 * optimum, $"d={d} {cost} weighted: bound {weighted.LowerBound:R}, optimum {optimum:R}");
        var c = DualBoundChecks.BruteCost(xw, yw, cost is Euclidean<double>);
        var order = Enumerable.Range(0, 120).ToArray();
        AssertBelow(NorthWestCornerCost(xw.NormalizedWeights(), yw.NormalizedWeights(), order, [.. Enumerable.Range(0, 90)], c), weighted.LowerBound, $"d={d} {cost}: a feasible plan");
    }

    [Fact]
    public void FromPotential_ExactAssignmentDuals_ReproduceTheOptimum()
    {
        foreach (var cost in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
        {
            var x = GeometryTestData.Cloud(90, 3, 11);
            var y = GeometryTestData.Cloud(90, 3, 12, offset: 0.5);
            var lap = new LinearAssignment().Solve(x, y, cost);
            var geometry = Geometry(x, y, cost);
            var result = DualBound.FromPotential(geometry, Marginals(90), Marginals(90), lap.RowPotentials);
            NumericAssert.Close(lap.TotalCost / 90, result.LowerBound, rtol: 1e-10, what: $"{cost}: c-transformed exact duals");
            AssertBelow(lap.TotalCost / 90, result.LowerBound, cost.Name);
            NumericAssert.Close(0, result.RelativeGap(lap.TotalCost / 90), atol: 1e-9, what: "certified gap of the optimal matching");
        }
    }

    [Fact]
    public void FromPotential_AnyPotential_IsFeasibleBelowTheOptimumAndIdempotent()
    {
        var rng = Seeds.Create(21);
        var x = GeometryTestData.Cloud(40, 2, 22);
        var y = GeometryTestData.Cloud(55, 2, 23, spread: 2);
        var a = Generators.RandomWeights(rng, 40);
        var b = Generators.RandomWeights(rng, 55);
        var geometry = Geometry(x, y, new SquaredEuclidean<double>());
        var dense = geometry.ToDense();
        var exact = new NetworkSimplex().Solve(dense, a, b);
        Assert.True(exact.Optimal);
        foreach (var scale in new[] { 0.0, 1.0, 1e3 })
        {
            var u = GeometryTestData.Vector(40, 24 + (int)scale, scale);
            var result = DualBound.FromPotential(geometry, a, b, u);
            for (var i = 0; i < 40; i++)
            {
                for (var j = 0; j < 55; j++)
                {
                    Assert.True(result.F[i] + result.G[j] <= dense[(i * 55) + j] + 1e-12, $"scale {scale}: infeasible at ({i}, {j})");
                }
            }

            AssertBelow(exact.Cost, result.LowerBound, $"scale {scale}");
            var again = DualBound.FromPotential(geometry, a, b, result.F);
            NumericAssert.Close(result.LowerBound, again.LowerBound, rtol: 1e-12, atol: 1e-12, what: "c-transforms are idempotent");
        }
    }

    [Fact]
    public void Compute_WeightedRectangular_BelowNetworkSimplexAndWithinEpsilonLogOfTheSmallestWeight()
    {
        var rng = Seeds.Create(31);
        var x = GeometryTestData.Cloud(35, 2, 32).WithWeights(Generators.RandomWeights(rng, 35));
        var y = GeometryTestData.Cloud(50, 2, 33, offset: 1).WithWeights(Generators.RandomWeights(rng, 50));
        foreach (var cost in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
        {
            var exact = new NetworkSimplex().Solve(x, y, cost);
            var result = Converged.Compute(x, y, cost);
            Assert.True(result.SinkhornConvergence!.Converged);
            AssertBelow(exact.Cost, result.LowerBound, cost.Name);
            var smallest = Math.Min(x.NormalizedWeights().Min(), y.NormalizedWeights().Min());
            Assert.True(exact.Cost - result.LowerBound <= result.Epsilon * Math.Log(1 / smallest), $"{cost}: OPT {exact.Cost:R}, bound {result.LowerBound:R}");
        }
    }

    [Fact]
    public void Compute_ZeroWeights_AreIgnoredAndPotentialsStayFinite()
    {
        var x = GeometryTestData.Cloud(30, 2, 41).WithWeights([.. Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? 0.0 : 1.0)]);
        var y = GeometryTestData.Cloud(20, 2, 42, offset: 2);
        var ySized = y.WithWeights([.. Enumerable.Repeat(1.0, 20)]);
        var exact = new NetworkSimplex { NormalizeMasses = true }.Solve(x, ySized);
        var result = Converged.Compute(x, y);
        AssertBelow(exact.Cost, result.LowerBound, "zero weights");
        Assert.True(exact.Cost - result.LowerBound <= result.Epsilon * Math.Log(20), $"OPT {exact.Cost:R}, bound {result.LowerBound:R}");
        NumericAssert.AllFinite(result.F, "u");
        NumericAssert.AllFinite(result.G, "v");
    }

    [Fact]
    public void Compute_DegenerateClouds_ExactValues()
    {
        // All points identical: C ≡ 0, so the optimum and the bound are 0.
        var same = new PointCloud<double>([.. Enumerable.Repeat(1.5, 20)], 10, 2);
        var zero = new DualBound().Compute(same, same);
        // C ≡ 0 exactly, but the bound Σ a_i f_i + Σ b_j g_j is a SIMD sum of rounded potentials: zero to rounding, not
        // bit-exactly (AVX-512 gave 1.3e-26). The rounding of a sum of 2n terms is at most 2n·ε_mach times the sum of
        // their magnitudes, which is the data-derived tolerance. A cost at the bound has gap 0 whichever side of 0 it falls.
        var magnitude = (zero.F.Sum(Math.Abs) + zero.G.Sum(Math.Abs)) / 10; // weights 1/10
        var tolerance = (2 * 10 * Math.ScaleB(1.0, -52) * magnitude) + double.Epsilon;
        NumericAssert.InRange(zero.LowerBound, -tolerance, tolerance, "bound on identical clouds");
        Assert.Equal(0, zero.RelativeGap(0));

        // One point each: the bound is the single cost.
        var p = new PointCloud<double>([0, 0], 1, 2);
        var q = new PointCloud<double>([3, 4], 1, 2);
        NumericAssert.Close(25, new DualBound().Compute(p, q).LowerBound, rtol: 1e-12);
        NumericAssert.Close(5, new DualBound().Compute(p, q, new Euclidean<double>()).LowerBound, rtol: 1e-12);

        // Planted permutation with duplicated points: the optimum is 0, the bound is at most 0 and at least −ε·log n.
        var rng = Seeds.Create(51);
        var baseCloud = GeometryTestData.Cloud(25, 2, 52);
        var x = baseCloud.Subset([.. Enumerable.Range(0, 50).Select(i => i % 25)]);
        var perm = Enumerable.Range(0, 50).OrderBy(_ => rng.Next()).ToArray();
        var y = x.Subset(perm);
        foreach (var cost in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
        {
            var result = Converged.Compute(x, y, cost);
            Assert.True(result.LowerBound <= 1e-12, $"{cost}: {result.LowerBound:R}");
            Assert.True(result.LowerBound >= -result.Epsilon * Math.Log(50), $"{cost}: {result.LowerBound:R}");
        }
    }

    [Fact]
    public void Compute_CoarseLevel_ValidAndTightAgainstTheAssignment()
    {
        // n above CoarseSize: subsample solve, extension, refinement, on half-moon → S-curve (n = 700, 200 coarse points).
        var sample = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, 700, 1, 2, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var options = new DualBound { CoarseSize = 200, RefineIterations = 10, ExactMaxPairs = -1 };
        foreach (var cost in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
        {
            var exact = new LinearAssignment().Solve(x, y, cost).TotalCost / 700;
            var result = options.Compute(x, y, cost);
            AssertBelow(exact, result.LowerBound, cost.Name);
            Assert.True(result.RelativeGap(exact) <= 0.005, $"{cost}: certified gap of the optimum {result.RelativeGap(exact):R} (bound {result.LowerBound:R}, OPT {exact:R})");
        }
    }

    [Fact]
    public void Compute_SingleCellLikeTissue_CoarseExactLevelValidAndTight()
    {
        // Tissue-like micrometre coordinates (14 unequal Gaussian regions clipped to [0, 10 000]², the second slice rotated
        // 4°, shifted, with other region proportions; realcert, stop 23), n = 900 above a 450-point coarse level. Both
        // coarse solves give a valid bound below the exact optimum.
        var (x, y) = Tissue(900, seed: 23);
        var exact = new LinearAssignment().Solve(x, y).TotalCost / 900;
        var options = new DualBound { CoarseSize = 450, ExactMaxPairs = -1 };
        var sinkhorn = options.Compute(x, y);
        var simplex = (options with { CoarseExactMaxPairs = 450 * 450 }).Compute(x, y);
        AssertBelow(exact, sinkhorn.LowerBound, "Sinkhorn coarse level");
        AssertBelow(exact, simplex.LowerBound, "network simplex coarse level");
        Assert.True(simplex.SinkhornConvergence!.Converged, "the coarse network simplex converged");
        Assert.True(simplex.RelativeGap(exact) <= 0.01, $"certified gap of the optimum {simplex.RelativeGap(exact):R} (bound {simplex.LowerBound:R}, OPT {exact:R}, Sinkhorn level {sinkhorn.LowerBound:R})");
    }

    [Theory]
    [InlineData(23, "sqeuclidean")]
    [InlineData(24, "sqeuclidean")]
    [InlineData(25, "euclidean")]
    public void Compute_SparseAscent_TissueFeasibleBelowTheOptimumAndNotBelowTheBoundWithout(int seed, string costName)
    {
        // realbnd, stop 24: the sparse dual ascent after the c-transforms (auction on the k best reduced costs, then the
        // same rigorous transforms) on tissue-like micrometre slices, n = 1024 above a 256-point coarse level. The bound stays
        // feasible on every pair and below the exact assignment optimum, and is never below the bound without the ascent.
        var cost = CostFunction.Parse<double>(costName);
        var (x, y) = Tissue(1024, seed);
        var exact = new LinearAssignment().Solve(x, y, cost).TotalCost / 1024;
        var options = new DualBound { CoarseSize = 256, ExactMaxPairs = -1 };
        var without = (options with { AscentCandidates = 0 }).Compute(x, y, cost);
        var with = options.Compute(x, y, cost);
        AssertBelow(exact, with.LowerBound, "with the ascent");
        AssertBelow(exact, without.LowerBound, "without the ascent");
        Assert.True(with.LowerBound >= without.LowerBound, $"ascent {with.LowerBound:R} below the bound without it {without.LowerBound:R}");
        DualBoundChecks.AssertFeasible(with, x, y, cost is Euclidean<double>, "with the ascent");
    }

    [Theory]
    [InlineData(SyntheticDataset.HalfMoonSCurve, 2, "sqeuclidean")]
    [InlineData(SyntheticDataset.EightGaussiansMoons, 2, "euclidean")]
    [InlineData(SyntheticDataset.GaussianMixture, 16, "sqeuclidean")]
    public void Compute_SparseAscent_SyntheticFeasibleBelowTheOptimum(SyntheticDataset dataset, int d, string costName)
    {
        var cost = CostFunction.Parse<double>(costName);
        var sample = SyntheticData.Generate(dataset, 800, 3, d, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        var exact = new LinearAssignment().Solve(x, y, cost).TotalCost / 800;
        var options = new DualBound { CoarseSize = 200, ExactMaxPairs = -1 };
        var without = (options with { AscentCandidates = 0 }).Compute(x, y, cost);
        var with = options.Compute(x, y, cost);
        AssertBelow(exact, with.LowerBound, $"{dataset} with the ascent");
        Assert.True(with.LowerBound >= without.LowerBound, $"ascent {with.LowerBound:R} below the bound without it {without.LowerBound:R}");
        DualBoundChecks.AssertFeasible(with, x, y, cost is Euclidean<double>, "with the ascent");
    }

    [Theory]
    [InlineData(27, 2, 1000, 16, 16, false)]
    [InlineData(27, 2, 1000, 16, 16, true)]
    [InlineData(27, 2, 1, 16, 16, false)]
    [InlineData(28, 2, 3, 16, 16, true)]
    [InlineData(28, 2, 1000, 2, 0, false)]
    [InlineData(29, 2, 1000, 2, 0, true)]
    [InlineData(4, 30, 1000, 16, 16, true)]
    [InlineData(4, 30, 1, 16, 16, false)]
    [InlineData(5, 30, 3, 16, 16, true)]
    [InlineData(5, 30, 1000, 2, 0, false)]
    [InlineData(6, 30, 1000, 2, 0, true)]
    public void Compute_SparseAscent_AnyBudgetOrGraphStaysBelowTheOptimum(int seed, int d, int bids, int candidates, int reverse, bool exits)
    {
        // realasc, stop 25: the ascent's auction stops on its bid budget (1 or 3 bids per row: prices mid-war), with or
        // without exits (rows leaving for their best column off the graph, as above 16 384 points), also on a graph without
        // a perfect matching (2 forward candidates and no reverse ones); whatever prices it leaves, the certified bound is feasible on every pair, below the exact assignment
        // optimum and not below the bound without the ascent. 2-D tissue-like micrometre slices and a 30-D Gaussian
        // mixture, n = 600 above a 200-point coarse level.
        var (x, y) = d == 2 ? Tissue(600, seed) : Mixture(600, seed, d);
        var exact = new LinearAssignment().Solve(x, y).TotalCost / 600;
        var options = new DualBound { CoarseSize = 200, ExactMaxPairs = -1 };
        var without = (options with { AscentCandidates = 0 }).Compute(x, y);
        var with = (options with { AscentBids = bids, AscentCandidates = candidates, AscentReverseCandidates = reverse, AscentExitPoints = exits ? 0 : -1, AscentExitMaxDimension = -1 }).Compute(x, y);
        AssertBelow(exact, with.LowerBound, "with the ascent");
        Assert.True(with.LowerBound >= without.LowerBound, $"ascent {with.LowerBound:R} below the bound without it {without.LowerBound:R}");
        Assert.NotEmpty(with.AscentBounds);
        Assert.All(with.AscentBids, used => Assert.InRange(used, 0, (long)bids * 600));
        Assert.Empty(without.AscentBounds);
        DualBoundChecks.AssertFeasible(with, x, y, euclidean: false, "with the ascent");
    }

    [Fact]
    public void Compute_SparseAscent_PriceWarWithoutExitsFallsBackToExits()
    {
        // pwar, stop 27: on this 800-point 8 Gaussians → moons pair (Euclidean) the ascent's auction without exits wars
        // (stop 26: its whole 30 000 × n bids, prices certifying less than they started from). A pass that spends
        // AscentWarBids bids per row is re-run from the same prices with exits on the rest of AscentBids, and later passes
        // run with exits: each pass then stays below the war budget plus what the exits need, the bound below the exact
        // optimum, feasible, not below the bound with the war, and the same at 1 and 2 threads.
        var (x, y, cost, exact) = DualBoundChecks.Case(SyntheticDataset.EightGaussiansMoons, 800, 2, "euclidean", 3);
        var options = new DualBound { CoarseSize = 200, ExactMaxPairs = -1, AscentWarBids = 100 };
        var one = DualBoundChecks.OnThreads(1, () => options.Compute(x, y, cost));
        var two = DualBoundChecks.OnThreads(2, () => options.Compute(x, y, cost));
        var warred = (options with { AscentWarBids = 30000, AscentBids = 3000 }).Compute(x, y, cost);
        AssertBelow(exact, one.LowerBound, "war budget 100");
        DualBoundChecks.AssertFeasible(one, x, y, cost is Euclidean<double>, "ascent");
        Assert.Equal(one.LowerBound, two.LowerBound);
        Assert.Equal(one.AscentBounds, two.AscentBounds);
        Assert.Equal(one.AscentBids, two.AscentBids);
        Assert.True(one.AscentBids.Count >= 2, "no pass ran");
        Assert.InRange(one.AscentBids[1], (100 * 800) + 1, (100 * 800) + 100_000);
        Assert.All(one.AscentBids.Skip(2), used => Assert.InRange(used, 1, 100_000));
        Assert.Equal(3000 * 800, warred.AscentBids[1]);
        Assert.True(one.LowerBound >= warred.LowerBound, $"fallback {one.LowerBound:R} below the war's {warred.LowerBound:R}");
        Assert.Throws<InputValidationException>(() => (options with { AscentWarBids = 0 }).Compute(x, y, cost));
    }

    [Fact]
    public void Compute_SparseAscent_SkippedOnlyWithinTheGapToAKnownCost()
    {
        // ascsyn, stop 25: with a known upper bound (here the exact assignment optimum) the ascent is skipped when the bound
        // before it is within AscentSkipGap of it, and runs as without one otherwise; the bound stays below the optimum.
        var (x, y) = Tissue(600, 27);
        var exact = new LinearAssignment().Solve(x, y).TotalCost / 600;
        var options = new DualBound { CoarseSize = 200, ExactMaxPairs = -1, AscentExitPoints = 0, AscentExitMaxDimension = -1 };
        var without = (options with { AscentCandidates = 0 }).Compute(x, y);
        var plain = options.Compute(x, y);
        var skipped = (options with { UpperBound = exact, AscentSkipGap = 1 }).Compute(x, y);
        var kept = (options with { UpperBound = exact, AscentSkipGap = 1e-12 }).Compute(x, y);
        Assert.NotEmpty(plain.AscentBounds);
        Assert.Empty(skipped.AscentBounds);
        Assert.Equal(without.LowerBound, skipped.LowerBound);
        Assert.Equal(plain.LowerBound, kept.LowerBound);
        Assert.Equal(plain.AscentBounds, kept.AscentBounds);
        AssertBelow(exact, plain.LowerBound, "with the ascent");
        Assert.Throws<InputValidationException>(() => (options with { AscentSkipGap = -1 }).Compute(x, y));
        Assert.Throws<InputValidationException>(() => (options with { UpperBound = double.PositiveInfinity }).Compute(x, y));
    }

    [Fact]
    public void Compute_SparseAscent_FirstPassGainGatesTheLaterPassesAboveTheTreeDimension()
    {
        // Stop 26: above TreeMaxDimension the ascent with exits goes on after its first pass only if that pass gained at
        // least AscentExitFirstGain; the one-pass run is a prefix of the full run (same bounds), both below the optimum.
        // In 2-D (the tree dimension) the gate does not apply.
        var (x, y) = Mixture(600, 31, 16);
        var exact = new LinearAssignment().Solve(x, y).TotalCost / 600;
        var options = new DualBound { CoarseSize = 50, ExactMaxPairs = -1, AscentExitPoints = 0, AscentExitMaxDimension = -1 };
        var all = (options with { AscentExitFirstGain = 0 }).Compute(x, y);
        var gated = (options with { AscentExitFirstGain = 1 }).Compute(x, y);
        Assert.True(all.AscentBounds.Count >= 3, $"the plain ascent took {all.AscentBounds.Count - 1} passes");
        Assert.Equal(all.AscentBounds.Take(2), gated.AscentBounds);
        Assert.Equal(gated.AscentBounds[^1], gated.LowerBound);
        Assert.True(all.LowerBound > gated.LowerBound, $"{all.LowerBound:R} vs {gated.LowerBound:R}");
        AssertBelow(exact, all.LowerBound, "all passes");
        AssertBelow(exact, gated.LowerBound, "one pass");

        var (tx, ty) = Tissue(600, 27);
        var plain2 = (options with { AscentExitFirstGain = 0 }).Compute(tx, ty);
        var gate2 = (options with { AscentExitFirstGain = 1 }).Compute(tx, ty);
        Assert.Equal(plain2.AscentBounds, gate2.AscentBounds);
        Assert.Throws<InputValidationException>(() => (options with { AscentExitFirstGain = -1 }).Compute(x, y));
        Assert.Throws<InputValidationException>(() => (options with { AscentExitFirstGain = double.NaN }).Compute(x, y));
    }

    [Theory]
    [InlineData(2, "sqeuclidean", 41)]
    [InlineData(2, "euclidean", 42)]
    [InlineData(16, "sqeuclidean", 43)]
    [InlineData(16, "euclidean", 44)]
    public void Compute_SparseAscent_ReusedGraph_FeasibleBelowTheOptimumAndSameAtOneAndTwoThreads(int d, string costName, int seed)
    {
        // asc50, stop 27: with exits and AscentReuseGraph the passes after the first keep the first pass's graph (exits
        // re-derived for the new prices). The certificate stays feasible on every pair (no tolerance, certfeas) and below the
        // exact optimum, its first pass is the plain ascent's, and it is bit-identical on one and two threads.
        var (x, y, cost, exact) = DualBoundChecks.Case(SyntheticDataset.GaussianMixture, 600, d, costName, seed);
        var options = new DualBound { CoarseSize = 50, ExactMaxPairs = -1, AscentExitPoints = 0, AscentExitMaxDimension = -1, AscentExitFirstGain = 0 };
        var reuse = options with { AscentReuseGraph = true };
        var one = DualBoundChecks.OnThreads(1, () => reuse.Compute(x, y, cost));
        var two = DualBoundChecks.OnThreads(2, () => reuse.Compute(x, y, cost));
        var plain = options.Compute(x, y, cost);
        AssertBelow(exact, one.LowerBound, $"d={d} {costName} reused graph");
        DualBoundChecks.AssertFeasible(one, x, y, cost is Euclidean<double>, "ascent");
        if (costName == "sqeuclidean")
        {
            // These squared cases run a second pass on the reused graph; the Euclidean ones stop after their first pass
            // (a gain under 10⁻³) and check the unchanged first pass only.
            Assert.True(one.AscentBounds.Count >= 3, $"the ascent took {one.AscentBounds.Count - 1} passes");
        }

        Assert.Equal(plain.AscentBounds.Take(2), one.AscentBounds.Take(2));
        Assert.Equal(one.AscentBounds, two.AscentBounds);
        Assert.Equal(one.LowerBound, two.LowerBound);
        Assert.Equal(one.F, two.F);
        Assert.Equal(one.G, two.G);
    }

    [Theory]
    [InlineData(2, "sqeuclidean", false)]
    [InlineData(2, "sqeuclidean", true)]
    [InlineData(2, "euclidean", false)]
    [InlineData(2, "euclidean", true)]
    [InlineData(16, "sqeuclidean", true)]
    [InlineData(16, "euclidean", true)]
    public void Compute_SparseAscent_GridTies_FeasibleBelowTheExactOptimum(int d, string costName, bool exits)
    {
        // certfeas, stop 28: the dense float64 transforms (up to 2048² pairs) used their computed minima as they were, and
        // after the ascent (as after Sinkhorn or exact duals) F_i + G_j exceeded c_ij by up to 8.9·10⁻¹⁶ (197 ulps of a small
        // c_ij) on the minimising pairs of the last transform. Now every minimum is less the tree path's allowance: on lattice
        // points (many equal costs, coincident points; the squared costs exact integers) with the ascent forced on, without
        // and with exits, the bound is below the Jonker–Volgenant optimum with no tolerance, F_i + G_j ≤ c_ij exactly on
        // every pair, and not below the bound without the ascent; the exact duals' bound is the optimum to 10⁻⁹.
        const int n = 400;
        var (x, y) = (Lattice(n, d, 51 + d), Lattice(n, d, 61 + d));
        var cost = CostFunction.Parse<double>(costName);
        var exact = new LinearAssignment().Solve(x, y, cost).TotalCost / n;
        var options = new DualBound { CoarseSize = 100, ExactMaxPairs = -1, AscentExitPoints = exits ? 0 : -1, AscentExitMaxDimension = -1, AscentExitFirstGain = 0 };
        var with = options.Compute(x, y, cost);
        var without = (options with { AscentCandidates = 0 }).Compute(x, y, cost);
        var what = $"d={d} {costName} exits={exits}";
        Assert.True(with.AscentBounds.Count >= 2, $"{what}: no ascent pass ran");
        DualBoundChecks.AssertCertificate(with, x, y, cost, exact, what);
        Assert.True(with.LowerBound >= without.LowerBound, $"{what}: ascent {with.LowerBound:R} below {without.LowerBound:R}");
        var duals = new DualBound().Compute(x, y, cost);
        DualBoundChecks.AssertCertificate(duals, x, y, cost, exact, $"{what}: exact duals");
        Assert.True(exact - duals.LowerBound <= 1e-9 * exact, $"{what}: exact duals {duals.LowerBound:R}, optimum {exact:R}");
    }

    /// <summary>n points drawn with replacement from the integer lattice {0, …, s − 1}^d (s = 30 in 2-D, 3 above).</summary>
    private static PointCloud<double> Lattice(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var side = d == 2 ? 30 : 3;
        var data = new double[n * d];
        for (var k = 0; k < data.Length; k++)
        {
            data[k] = rng.Next(side);
        }

        return new PointCloud<double>(data, n, d);
    }

    private static (PointCloud<double> X, PointCloud<double> Y) Mixture(int n, int seed, int d)
    {
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, seed, d, withTarget: true);
        return (sample.Source, sample.Target!);
    }

    [Fact]
    public void Compute_SparseAscent_MicrometresAndMillimetresGiveTheSameGap()
    {
        // Units never change an answer: the slices in µm and in mm (× 10⁻³, rounded) certify the same fraction of the
        // optimum, each below its own exact optimum.
        var (x, y) = Tissue(1024, 26);
        var (xm, ym) = (Scaled(x, 1e-3), Scaled(y, 1e-3));
        var options = new DualBound { CoarseSize = 256, ExactMaxPairs = -1 };
        var um = options.Compute(x, y);
        var mm = options.Compute(xm, ym);
        var exactUm = new LinearAssignment().Solve(x, y).TotalCost / 1024;
        var exactMm = new LinearAssignment().Solve(xm, ym).TotalCost / 1024;
        AssertBelow(exactUm, um.LowerBound, "µm");
        AssertBelow(exactMm, mm.LowerBound, "mm");
        Assert.Equal(um.RelativeGap(exactUm), mm.RelativeGap(exactMm), 1e-6);
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

    [Fact]
    public void Compute_OtherCost_ThroughThePointCloudGeometry()
    {
        var x = GeometryTestData.Cloud(50, 3, 71);
        var y = GeometryTestData.Cloud(50, 3, 72, offset: 0.2);
        var cost = new PNormPower<double>(1.5);
        var dense = new PointCloudGeometry<double>(x, y, cost).ToDense();
        var exact = LinearAssignment.Solve(dense, 50, 50).TotalCost / 50;
        var result = Converged.Compute(x, y, cost);
        AssertBelow(exact, result.LowerBound, "p = 1.5");
        Assert.True(exact - result.LowerBound <= result.Epsilon * Math.Log(50), $"OPT {exact:R}, bound {result.LowerBound:R}");

        // Built-in costs have float32 counterparts, so the default (single-precision) options accept them; a custom cost
        // has none and needs SinglePrecision = false.
        AssertBelow(exact, new DualBound { ExactMaxPairs = -1 }.Compute(x, y, cost).LowerBound, "p = 1.5, float32 Sinkhorn");
        NumericAssert.Close(exact, new DualBound().Compute(x, y, cost).LowerBound, rtol: 1e-9, what: "p = 1.5, exact duals");
        Assert.Throws<InputValidationException>(() => new DualBound().Compute(x, y, new DelegateCost<double>((p, q) => cost.Evaluate(p, q))));
    }

    [Fact]
    public void Compute_SameInput_BitIdentical()
    {
        var x = GeometryTestData.Cloud(600, 3, 81);
        var y = GeometryTestData.Cloud(600, 3, 82, offset: 0.1);
        var options = new DualBound { CoarseSize = 150, RefineIterations = 5, Seed = 3, ExactMaxPairs = -1 };
        var first = options.Compute(x, y, new Euclidean<double>());
        var second = options.Compute(x, y, new Euclidean<double>());
        Assert.Equal(first.LowerBound, second.LowerBound);
        Assert.Equal(first.F, second.F);
        Assert.Equal(first.G, second.G);
    }

    [Fact]
    public void PointDifferenceGeometry_MatchesTheCostDefinition()
    {
        var x = GeometryTestData.Cloud(37, 5, 91);
        var y = GeometryTestData.Cloud(23, 5, 92, offset: 1);
        foreach (var euclidean in new[] { false, true })
        {
            var reference = GeometryTestData.BruteCost(x, y, (p, q) =>
            {
                var s = p.Zip(q, (s1, s2) => (s1 - s2) * (s1 - s2)).Sum();
                return euclidean ? Math.Sqrt(s) : s;
            });
            var geometry = new PointDifferenceGeometry<double>(x, y, euclidean);
            foreach (var (r0, rc, c0, cc) in new[] { (0, 37, 0, 23), (3, 5, 1, 7), (36, 1, 0, 3), (10, 2, 19, 4) })
            {
                var block = new double[rc * cc];
                geometry.FillCostBlock(r0, rc, c0, cc, block);
                for (var r = 0; r < rc; r++)
                {
                    for (var c = 0; c < cc; c++)
                    {
                        NumericAssert.Close(reference[((r0 + r) * 23) + c0 + c], block[(r * cc) + c], rtol: 1e-12, atol: 1e-14, what: $"euclidean={euclidean} ({r0 + r}, {c0 + c})");
                    }
                }
            }

            NumericAssert.Close(reference[(4 * 23) + 9], geometry.Transpose().Cost(9, 4), rtol: 1e-12, what: "transpose");
            NumericAssert.Close(2 * reference[5], geometry.WithScaleFactor(2).Cost(0, 5), rtol: 1e-12, what: "scale");
        }
    }

    [Fact]
    public void BadInput_TypedExceptions()
    {
        var x = GeometryTestData.Cloud(10, 2, 1);
        var y = GeometryTestData.Cloud(10, 2, 2);
        var y3 = GeometryTestData.Cloud(10, 3, 3);
        var geometry = Geometry(x, y, new SquaredEuclidean<double>());
        var u = new double[10];
        void Expect(InputProblem problem, Action action) => Assert.Equal(problem, Assert.Throws<InputValidationException>(action).Problem);
        Expect(InputProblem.DimensionMismatch, () => new DualBound().Compute(x, y3));
        Expect(InputProblem.NegativeWeight, () => new DualBound().Compute(x.WithWeights([.. Enumerable.Repeat(-1.0, 10)]), y));
        Expect(InputProblem.InvalidParameter, () => new DualBound { Epsilon = 0 }.Compute(x, y));
        Expect(InputProblem.InvalidParameter, () => new DualBound { MaxIterations = 0 }.Compute(x, y));
        Expect(InputProblem.InvalidParameter, () => new DualBound { CoarseSize = 1 }.Compute(x, y));
        Expect(InputProblem.InvalidParameter, () => new DualBound { RefineIterations = -1 }.Compute(x, y));
        Expect(InputProblem.InvalidParameter, () => new DualBound { MediumSize = 32768 }.Compute(x, y));
        Expect(InputProblem.InvalidParameter, () => new DualBound().Compute(x, y, new DelegateCost<double>((p, q) => 0)));
        Expect(InputProblem.DimensionMismatch, () => DualBound.FromPotential(geometry, Marginals(10), Marginals(10), new double[9]));
        Expect(InputProblem.NonFinite, () => DualBound.FromPotential(geometry, Marginals(10), Marginals(10), [.. u[..9], double.NaN]));
        Expect(InputProblem.MassMismatch, () => DualBound.FromPotential(geometry, Marginals(10), [.. Enumerable.Repeat(1.0, 10)], u));
        Expect(InputProblem.DimensionMismatch, () => DualBound.FromPotential(geometry, Marginals(9), Marginals(10), u));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => DualBound.FromPotential(geometry, Marginals(10), Marginals(10), u, cancelled.Token));
    }

    [Fact]
    public void RelativeGap_Definition()
    {
        var result = new DualBoundResult(2, [], []);
        NumericAssert.Close(0.01, result.RelativeGap(2.02), rtol: 1e-12);
        Assert.Equal(double.PositiveInfinity, new DualBoundResult(-1, [], []).RelativeGap(0.5));
        Assert.Equal(0, new DualBoundResult(0, [], []).RelativeGap(0));
    }

    [Theory]
    [InlineData(2, "sqeuclidean", true)]
    [InlineData(2, "euclidean", false)]
    [InlineData(16, "sqeuclidean", false)]
    [InlineData(16, "euclidean", true)]
    [InlineData(64, "sqeuclidean", true)]
    [InlineData(64, "euclidean", false)]
    public void Compute_AnyFeasiblePlan_CostsAtLeastTheBound(int d, string costName, bool bothOrders)
    {
        // Property (weak duality): the bound never exceeds ⟨C, P⟩ for any plan P with the given marginals. Plans: the
        // north-west corner rule on random orders of both clouds (unequal weights), and the exact optimum. The fast
        // paths are forced (trees in 2-D, float32 ball tiles in 16-D and 64-D), with one or both orders of c-transforms.
        var cost = CostFunction.Parse<double>(costName);
        foreach (var seed in Seeds.Sweep)
        {
            var rng = new Random(seed);
            var x = GeometryTestData.Cloud(48, d, seed).WithWeights(Generators.RandomWeights(rng, 48));
            var y = GeometryTestData.Cloud(40, d, seed + 1, offset: 0.5).WithWeights(Generators.RandomWeights(rng, 40));
            var options = new DualBound { TreeMinPairs = 0, BothOrders = bothOrders, Seed = seed, ExactMaxPairs = -1 };
            Assert.True(d <= options.TreeMaxDimension ? options.UseTrees(48, 40, d, cost) : options.UseClusters(48, 40, d, cost), "the fast path runs");
            var result = options.Compute(x, y, cost);
            var c = DualBoundChecks.BruteCost(x, y, cost is Euclidean<double>);
            var (a, b) = (x.NormalizedWeights(), y.NormalizedWeights());
            var exact = new NetworkSimplex { NormalizeMasses = true }.Solve(x, y, cost).Cost;
            AssertBelow(exact, result.LowerBound, $"d={d} {cost} seed={seed}: exact optimum");

            // The default small-problem path: exact duals (network simplex) made rigorous by the same transforms.
            var fromExact = (options with { ExactMaxPairs = 48 * 40 }).Compute(x, y, cost);
            AssertBelow(exact, fromExact.LowerBound, $"d={d} {cost} seed={seed}: exact optimum, exact duals");
            for (var trial = 0; trial < 5; trial++)
            {
                var rows = Enumerable.Range(0, 48).OrderBy(_ => rng.Next()).ToArray();
                var cols = Enumerable.Range(0, 40).OrderBy(_ => rng.Next()).ToArray();
                var plan = NorthWestCornerCost(a, b, rows, cols, c);
                AssertBelow(plan, result.LowerBound, $"d={d} {cost} seed={seed} plan {trial}");
                AssertBelow(plan, fromExact.LowerBound, $"d={d} {cost} seed={seed} plan {trial}, exact duals");
            }
        }
    }

    // ⟨C, P⟩ of the north-west corner plan of the weights taken in the given orders (a feasible plan for any order).
    private static double NorthWestCornerCost(double[] a, double[] b, int[] rows, int[] cols, double[] c)
    {
        var m = b.Length;
        var (ra, rb) = (a[rows[0]], b[cols[0]]);
        var (r, k) = (0, 0);
        var total = 0.0;
        while (r < rows.Length && k < cols.Length)
        {
            var mass = Math.Min(ra, rb);
            total += mass * c[(rows[r] * m) + cols[k]];
            (ra, rb) = (ra - mass, rb - mass);
            if (ra <= rb)
            {
                r++;
                ra = r < rows.Length ? ra + a[rows[r]] : 0;
            }
            else
            {
                k++;
                rb = k < cols.Length ? rb + b[cols[k]] : 0;
            }
        }

        return total;
    }

    /// <summary>Two seeded tissue-like slices in micrometres (see <see cref="Compute_SingleCellLikeTissue_CoarseExactLevelValidAndTight"/>).</summary>
    private static (PointCloud<double> X, PointCloud<double> Y) Tissue(int n, int seed)
    {
        var rng = new Random(seed);
        const int regions = 14;
        var centres = new double[regions * 2];
        var spread = new double[regions];
        for (var k = 0; k < regions; k++)
        {
            centres[2 * k] = 1000 + (8000 * rng.NextDouble());
            centres[(2 * k) + 1] = 1000 + (8000 * rng.NextDouble());
            spread[k] = 200 + (1200 * rng.NextDouble());
        }

        PointCloud<double> Slice(double angle, double shift)
        {
            var share = new double[regions];
            for (var k = 0; k < regions; k++)
            {
                share[k] = 0.2 + (2 * rng.NextDouble());
            }

            var total = share.Sum();
            var data = new double[n * 2];
            var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
            for (var i = 0; i < n; i++)
            {
                var pick = rng.NextDouble() * total;
                var k = 0;
                while (k < regions - 1 && pick >= share[k])
                {
                    pick -= share[k];
                    k++;
                }

                var gx = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                var gy = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                var px = centres[2 * k] + (spread[k] * gx) - 5000;
                var py = centres[(2 * k) + 1] + (spread[k] * gy) - 5000;
                data[2 * i] = Math.Clamp((cos * px) - (sin * py) + 5000 + shift, 0, 10_000);
                data[(2 * i) + 1] = Math.Clamp((sin * px) + (cos * py) + 5000 - shift, 0, 10_000);
            }

            return new PointCloud<double>(data, n, 2);
        }

        return (Slice(0, 0), Slice(4 * Math.PI / 180, 150));
    }

    private static void AssertBelow(double optimum, double bound, string what) =>
        Assert.True(bound <= optimum + (1e-12 * Math.Max(1, Math.Abs(optimum))), $"{what}: bound {bound:R} above the optimum {optimum:R}");

    private static double[] Marginals(int n) => [.. Enumerable.Repeat(1.0 / n, n)];

    private static CostGeometry<double> Geometry(PointCloud<double> x, PointCloud<double> y, ICostFunction<double> cost) =>
        new PointCloudGeometry<double>(x, y, cost);
}
