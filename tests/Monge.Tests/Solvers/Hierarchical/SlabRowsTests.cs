using Monge.Datasets;
using Monge.Geometry.Costs;
using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>Stop 30 (leaves): the slab rounds' coordinates kept by position (<see cref="HierarchicalRefinement.SlabRowsMaxPoints"/>)
/// and the AVX2 2-D cost row (<see cref="HiRefMatching.SquaredRow2"/>) give the same bits as the gathered, scalar code
/// (oracle: <see cref="BlockFactors.PairCost"/> per entry, and the solver with the option off). Run at every SIMD level.</summary>
public class SlabRowsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(257)]
    public void SquaredRow2_SameBitsAsSquaredDistance(int m)
    {
        var rng = new Random(m + 1);
        foreach (var scale in new[] { 1.0, 1e-3, 1e6 })
        {
            var targets = Enumerable.Range(0, 2 * m).Select(_ => scale * ((2 * rng.NextDouble()) - 1)).ToArray();
            if (m > 2)
            {
                (targets[2], targets[3]) = (-0.0, 0.0); // a −0.0 and an exact zero difference below
            }

            double[] x = [scale * rng.NextDouble(), m > 2 ? 0.0 : rng.NextDouble()];
            var row = new double[m];
            HiRefMatching.SquaredRow2(x[0], x[1], targets, row);
            for (var j = 0; j < m; j++)
            {
                var expected = BlockFactors.SquaredDistance(x, targets.AsSpan(2 * j, 2));
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(row[j]));
            }
        }
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 0)]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    public void FillRows_SameBitsAsFillCostAndPairCost(int d, int costKind)
    {
        ICostFunction<double>? cost = costKind switch { 0 => null, 1 => new Euclidean<double>(), _ => new PNormPower<double>(1.5) };
        const int points = 200;
        const int m = 37;
        var rng = new Random((10 * d) + costKind);
        var xs = Enumerable.Range(0, points * d).Select(_ => (100 * rng.NextDouble()) - 50).ToArray();
        var ys = Enumerable.Range(0, points * d).Select(_ => (100 * rng.NextDouble()) - 50).ToArray();
        var idxX = Enumerable.Range(0, points).OrderBy(_ => rng.Next()).ToArray();
        var idxY = Enumerable.Range(0, points).OrderBy(_ => rng.Next()).ToArray();
        var positions = Enumerable.Range(0, m).Select(i => 3 + (5 * i)).ToArray();
        var gathered = new double[m * m];
        HiRefMatching.FillCost(xs, ys, d, idxX, idxY, positions, cost, new CoClusteringWorkspace(), gathered);
        var rowsX = positions.SelectMany(p => xs.Skip(idxX[p] * d).Take(d)).ToArray();
        var rowsY = positions.SelectMany(p => ys.Skip(idxY[p] * d).Take(d)).ToArray();
        var rows = new double[m * m];
        HiRefMatching.FillRows(rowsX, rowsY, d, cost, rows);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var expected = BlockFactors.PairCost(rowsX.AsSpan(i * d, d), rowsY.AsSpan(j * d, d), cost);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(rows[(i * m) + j]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(gathered[(i * m) + j]));
            }
        }
    }

    [Theory]
    [InlineData(false, 32)]
    [InlineData(true, 32)]
    [InlineData(false, 512)]
    public void HiRef_SlabRoundsWithRowsOrGathered_SameMatching(bool euclidean, int slab)
    {
        // The huge rounds (slabs of 32, warm) or the large rounds (slabs of 512, cold) forced at n = 4096, with the
        // coordinates by position (default) against the gathered rows (SlabRowsMaxPoints = 0), at 1 and 2 threads.
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, 4096, 5, withTarget: true);
        var solver = slab == 32
            ? new HierarchicalRefinement { LeafSize = 64, Seed = 3, SlabMaxPoints = 1000, LargeSlabMaxPoints = 2000, HugeSlabSize = 32, HugeSlabTolerance = 0 }
            : new HierarchicalRefinement { LeafSize = 64, Seed = 3, SlabMaxPoints = 1000, LargeSlabSize = slab, LargeSlabRounds = 4 };
        if (euclidean)
        {
            solver = solver with { Cost = new Euclidean<double>() };
        }

        var gathered = (solver with { SlabRowsMaxPoints = 0 }).Solve(sample.Source, sample.Target!);
        foreach (var threads in new[] { 1, 2 })
        {
            var rows = (solver with { MaxDegreeOfParallelism = threads }).Solve(sample.Source, sample.Target!);
            Assert.Equal(gathered.Permutation, rows.Permutation);
            Assert.Equal(BitConverter.DoubleToInt64Bits(gathered.Cost), BitConverter.DoubleToInt64Bits(rows.Cost));
        }

        Assert.Throws<InputValidationException>(() => (solver with { SlabRowsMaxPoints = -1 }).Solve(sample.Source, sample.Target!));
    }
}
