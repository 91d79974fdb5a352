using Monge.Datasets;
using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

// The subtree stage a distributed run ships to workers (HierarchicalRefinement.SolveWithSubtrees / SolveSubtree) must
// give the single-machine permutation and cost bit for bit, whatever the hand-off size, with the subtrees solved on
// shipped sub-clouds (identity ranges, as a worker does) and in any order.
public class HiRefSubtreeTests
{
    private static DatasetSample Sample(int n, int seed) => SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, seed, 2, withTarget: true);

    public static TheoryData<int, int, int> HandOffs => new()
    {
        // n, seed, subtree size: the whole problem as one subtree, after level 0, after level 1, and only leaves left.
        { 3001, 0, 3001 },
        { 3001, 0, 1000 },
        { 3001, 5, 200 },
        { 3001, 9, 1 },
    };

    [Theory]
    [MemberData(nameof(HandOffs))]
    public void SolveWithSubtrees_AnyHandOff_BitIdenticalToSolve(int n, int seed, int subtreeSize)
    {
        // Leaf-pair polish, neighbourhood step and slab rounds all run (n ≤ 32 768) on the stitched matching.
        var solver = new HierarchicalRefinement { LeafSize = 32, MaxRank = 4, NeighbourhoodCandidates = 4, Seed = seed };
        var sample = Sample(n, seed);
        var expected = solver.Solve(sample.Source, sample.Target!);
        var runner = new ShippingSubtreeRunner();
        var result = solver.SolveWithSubtrees(sample.Source, sample.Target!, subtreeSize, runner);
        AssertSame(expected, result);
        Assert.True(runner.Roots.Count >= 1);
        Assert.All(runner.Roots, r => Assert.True(r.Size <= Math.Max(subtreeSize, solver.LeafSize), $"root of {r.Size} points"));
        Assert.True(result.Levels.Count < expected.Levels.Count || subtreeSize == 1);
    }

    [Fact]
    public void SolveWithSubtrees_CarriedLeavesAndEuclidean_BitIdenticalToSolve()
    {
        // n = 1000, ranks [3,3,3], leaves of 111: level 1 has blocks of 334/333, level 2 splits only the 112-point blocks
        // and carries the 111-point ones, so subtree roots sit next to carried leaves and the global numbering is ragged.
        var sample = Sample(1000, 3);
        foreach (var cost in new[] { "sqeuclidean", "euclidean" })
        {
            var solver = new HierarchicalRefinement { LeafSize = 111, RankSchedule = [3, 3, 3], Seed = 4, Cost = Monge.Geometry.Costs.CostFunction.Parse<double>(cost) };
            var expected = solver.Solve(sample.Source, sample.Target!);
            foreach (var subtreeSize in new[] { 400, 150 })
            {
                var runner = new ShippingSubtreeRunner { Reverse = true };
                AssertSame(expected, solver.SolveWithSubtrees(sample.Source, sample.Target!, subtreeSize, runner));
                Assert.Equal(subtreeSize == 150, runner.Roots.Any(r => r.Size <= 111));
            }
        }
    }

    [Fact]
    public void SolveSubtree_RootNotInTheTree_Throws()
    {
        var sample = Sample(1000, 1);
        var solver = new HierarchicalRefinement { LeafSize = 111, RankSchedule = [3, 3, 3] };
        var ix = Enumerable.Range(0, 300).ToArray();
        var iy = Enumerable.Range(0, 300).ToArray();
        Assert.Throws<ArgumentException>(() => solver.SolveSubtree(new HiRefBlock(1, 0, 0, 0, 300), 1000, sample.Source.Memory, sample.Target!.Memory, 2, ix, iy));
        Assert.Throws<ArgumentException>(() => solver.SolveSubtree(new HiRefBlock(1, 3, 0, 0, 300), 1000, sample.Source.Memory, sample.Target!.Memory, 2, ix, iy));
    }

    private static void AssertSame(HierarchicalRefinementResult expected, HierarchicalRefinementResult actual)
    {
        Assert.True(expected.Permutation.AsSpan().SequenceEqual(actual.Permutation), "permutation differs");
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Cost), BitConverter.DoubleToInt64Bits(actual.Cost));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.CostBeforePolish), BitConverter.DoubleToInt64Bits(actual.CostBeforePolish));
        Assert.Equal(expected.PolishSteps.Select(s => s.Step), actual.PolishSteps.Select(s => s.Step));
        Assert.Equal(expected.LargestLeaf, actual.LargestLeaf);
    }

    // Solves each subtree as a worker would: on a copy of the root's points with identity ranges, mapped back.
    private sealed class ShippingSubtreeRunner : IHiRefSubtreeRunner
    {
        public bool Reverse { get; init; }

        public List<HiRefBlock> Roots { get; } = [];

        public ValueTask<IReadOnlyList<IReadOnlyList<HiRefBlock>>> RunSubtreesAsync(HierarchicalRefinement solver, int n, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int dimension, int[] indicesX, int[] indicesY, IReadOnlyList<HiRefBlock> roots, CancellationToken cancellationToken)
        {
            Roots.AddRange(roots);
            var leaves = new IReadOnlyList<HiRefBlock>[roots.Count];
            var order = Enumerable.Range(0, roots.Count);
            foreach (var s in Reverse ? order.Reverse() : order)
            {
                var root = roots[s];
                var (m, d) = (root.Size, dimension);
                var xs = new double[m * d];
                var ys = new double[m * d];
                for (var k = 0; k < m; k++)
                {
                    x.Span.Slice(indicesX[root.XStart + k] * d, d).CopyTo(xs.AsSpan(k * d));
                    y.Span.Slice(indicesY[root.YStart + k] * d, d).CopyTo(ys.AsSpan(k * d));
                }

                var ix = Enumerable.Range(0, m).ToArray();
                var iy = Enumerable.Range(0, m).ToArray();
                leaves[s] = solver.SolveSubtree(root with { XStart = 0, YStart = 0 }, n, xs, ys, d, ix, iy, cancellationToken);
                var ox = indicesX.AsSpan(root.XStart, m).ToArray();
                var oy = indicesY.AsSpan(root.YStart, m).ToArray();
                for (var k = 0; k < m; k++)
                {
                    indicesX[root.XStart + k] = ox[ix[k]];
                    indicesY[root.YStart + k] = oy[iy[k]];
                }
            }

            return ValueTask.FromResult<IReadOnlyList<IReadOnlyList<HiRefBlock>>>(leaves);
        }
    }
}
