using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Hierarchical;

// The random-parts step (HierarchicalRefinement.RandomPartsSize): forced on at small n with the internal thresholds.
public class RandomPartsTests
{
    // A small copy of the regime it is the default in (131 072 points cut into two parts of 65 536, each above the
    // slab threshold and polished by the large slab rounds, then the join polished by the same rounds): 4096 points in
    // two parts of 2048 with SlabMaxPoints 1024. The union is a permutation whose reported cost is its cost, the same
    // permutation at 1 and 2 threads, not cheaper than the exact optimum, and not dearer than the solve without parts.
    [Fact]
    public void Solve_ForcedOn_IsDeterministicPermutationNoDearerThanWithout()
    {
        const int n = 4096;
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 3, 2, withTarget: true);
        var plain = new HierarchicalRefinement { LeafSize = 64, SlabMaxPoints = 1024, LargeSlabSize = 128, RandomPartsSize = 0 };
        var parts = plain with { RandomPartsSize = 2048, RandomPartsMinPoints = 2048 };
        Assert.Equal(2, parts.PartsFor(n, 2));

        var without = plain.Solve(sample.Source, sample.Target!);
        var with = parts.Solve(sample.Source, sample.Target!);
        var serial = (parts with { MaxDegreeOfParallelism = 1 }).Solve(sample.Source, sample.Target!);
        var twoThreads = (parts with { MaxDegreeOfParallelism = 2 }).Solve(sample.Source, sample.Target!);
        var optimum = new LinearAssignment().Solve(sample.Source, sample.Target!).TotalCost / n;

        AssertPermutation(with.Permutation, n);
        NumericAssert.Close(Recompute(sample.Source, sample.Target!, with.Permutation, null), with.Cost, rtol: 1e-12, what: "cost");
        Assert.Equal(serial.Permutation, twoThreads.Permutation);
        Assert.Equal(serial.Permutation, with.Permutation);
        Assert.Equal("parts", with.PolishSteps[0].Step);
        Assert.Equal(2, with.PolishSteps[0].Rounds);
        NumericAssert.Close(with.CostBeforePolish, with.PolishSteps[0].Cost, rtol: 0, what: "union cost");
        Assert.Contains(with.PolishSteps, p => p.Step == "slabs");
        Assert.DoesNotContain(without.PolishSteps, p => p.Step == "parts");
        Assert.True(with.Cost <= with.CostBeforePolish);
        Assert.True(with.Cost >= optimum * (1 - 1e-12), $"parts {with.Cost} below the optimum {optimum}");
        Assert.True(with.Cost <= without.Cost, $"parts {with.Cost}, without {without.Cost}, optimum {optimum}");
    }

    // n not divisible by Q (2051 = 3 parts of 683, 684, 684): without polish the result is the union itself, so every
    // source of part q is matched inside target part q (parts from the seeded orders), each part's points keep their mass
    // 1/n (a permutation of all n), and the cost is the size-weighted mean of the parts' costs.
    [Fact]
    public void Solve_QNotDividingN_MatchesWithinPartsAndIsAPermutation()
    {
        const int n = 2051;
        var sample = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, n, 5, 2, withTarget: true);
        var solver = new HierarchicalRefinement { LeafSize = 64, Polish = false, RandomPartsSize = 700, RandomPartsMinPoints = 1000, Seed = 9 };
        Assert.Equal(3, solver.PartsFor(n, 2));

        var r = solver.Solve(sample.Source, sample.Target!);
        AssertPermutation(r.Permutation, n);
        NumericAssert.Close(Recompute(sample.Source, sample.Target!, r.Permutation, null), r.Cost, rtol: 1e-12, what: "cost");

        var (px, py) = RandomParts.Orders(n, solver.Seed);
        AssertPermutation(px, n);
        AssertPermutation(py, n);
        var partOfX = new int[n];
        var partOfY = new int[n];
        var sizes = new List<int>();
        var weighted = 0.0;
        for (var q = 0; q < 3; q++)
        {
            var lo = RandomParts.Start(n, q, 3);
            var hi = RandomParts.Start(n, q + 1, 3);
            sizes.Add(hi - lo);
            for (var p = lo; p < hi; p++)
            {
                partOfX[px[p]] = q;
                partOfY[py[p]] = q;
            }

            // The part solved alone with the same options.
            var part = (solver with { RandomPartsSize = 0 }).Solve(sample.Source.Subset(px.AsSpan(lo, hi - lo)), sample.Target!.Subset(py.AsSpan(lo, hi - lo)));
            weighted += part.Cost * (hi - lo);
        }

        Assert.Equal([683, 684, 684], sizes);
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(partOfX[i], partOfY[r.Permutation[i]]);
        }

        NumericAssert.Close(weighted / n, r.Cost, rtol: 1e-12, what: "mean of the parts' costs");
    }

    // Where the step runs by default: the balanced and best budgets in 2-D for 32 768 < n ≤ 262 144 with Q = ⌈n / 65 536⌉
    // ≥ 2 parts (so from 65 537 points on), never in the fast budget, above 2-D, at or below 32 768 points (whatever the
    // part size) or above 262 144.
    [Fact]
    public void PartsFor_DefaultRange()
    {
        var balanced = HierarchicalRefinement.ForQuality(HiRefQuality.Balanced);
        Assert.Equal(2, balanced.PartsFor(131072, 2));
        Assert.Equal(4, balanced.PartsFor(262144, 2));
        Assert.Equal(3, balanced.PartsFor(131073, 2));
        Assert.Equal(2, balanced.PartsFor(65537, 2));
        Assert.Equal(1, balanced.PartsFor(65536, 2));
        Assert.Equal(1, balanced.PartsFor(32768, 2));
        Assert.Equal(1, (balanced with { RandomPartsSize = 16384 }).PartsFor(32768, 2));
        Assert.Equal(3, (balanced with { RandomPartsSize = 16384 }).PartsFor(32769, 2));
        Assert.Equal(1, balanced.PartsFor(262145, 2));
        Assert.Equal(1, balanced.PartsFor(131072, 16));
        Assert.Equal(1, (balanced with { Cost = new Euclidean<double>() }).PartsFor(131072, 2));
        Assert.Equal(2, (balanced with { Cost = new SquaredEuclidean<double>() }).PartsFor(131072, 2));
        Assert.Equal(1, HierarchicalRefinement.ForQuality(HiRefQuality.Fast).PartsFor(131072, 2));
        Assert.Equal(2, HierarchicalRefinement.ForQuality(HiRefQuality.Best).PartsFor(131072, 2));

        // An explicit schedule is honoured on the whole problem: no parts.
        Assert.Equal(1, (balanced with { RankSchedule = [16, 16, 16] }).PartsFor(131072, 2));
    }

    // The distributed entry point keeps Solve's answer when the parts run (they replace its trunk).
    [Fact]
    public void SolveWithSubtrees_PartsOn_SameAsSolve()
    {
        const int n = 1500;
        var sample = SyntheticData.Generate(SyntheticDataset.Checkerboard, n, 7, 2, withTarget: true);
        var solver = new HierarchicalRefinement { LeafSize = 32, RandomPartsSize = 500, RandomPartsMinPoints = 1000 };
        var expected = solver.Solve(sample.Source, sample.Target!);
        var result = solver.SolveWithSubtrees(sample.Source, sample.Target!, 256, new NoSubtrees());
        Assert.Equal(expected.Permutation, result.Permutation);
        Assert.Equal(expected.Cost, result.Cost);
    }

    private static void AssertPermutation(int[] permutation, int n) => Assert.Equal(Enumerable.Range(0, n), permutation.Order());

    private static double Recompute(PointCloud<double> x, PointCloud<double> y, int[] permutation, ICostFunction<double>? cost)
    {
        var d = x.Dimension;
        var total = 0.0;
        for (var i = 0; i < permutation.Length; i++)
        {
            total += BlockFactors.PairCost(x.Memory.Span.Slice(i * d, d), y.Memory.Span.Slice(permutation[i] * d, d), cost);
        }

        return total / permutation.Length;
    }

    // A runner the parts never call (they are solved whole in Solve's path).
    private sealed class NoSubtrees : IHiRefSubtreeRunner
    {
        public ValueTask<IReadOnlyList<IReadOnlyList<HiRefBlock>>> RunSubtreesAsync(HierarchicalRefinement solver, int n, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int dimension, int[] indicesX, int[] indicesY, IReadOnlyList<HiRefBlock> roots, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the subtree runner was called");
    }
}
