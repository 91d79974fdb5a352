using Monge.Datasets;
using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>The single-precision co-clustering driven over chunk-aligned shards of the rows (the data-parallel trunk's
/// reduction pattern, issue 15): same mirror steps and the same logits, bit for bit, as <see cref="CompactCoClustering.Run"/>
/// on the whole block, for one, two and three shards, with and without threads inside the shards, with the warm-started
/// column scalings (the default) and without.</summary>
public class ShardedCoClusteringTests
{
    [Theory]
    [InlineData(new[] { 0 }, false)]
    [InlineData(new[] { 0, 2048 }, false)]
    [InlineData(new[] { 0, 1024, 3072 }, true)]
    [InlineData(new[] { 0, 4096 }, true)]
    [InlineData(new[] { 0, 2048 }, false, false)]
    public void Run_Shards_SameLogitsAsWholeBlock(int[] starts, bool threads, bool warm = true)
    {
        const int n = 4500; // 5 chunks, the last one partial
        const int r = 8;
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 2, 2, withTarget: true);
        var x = sample.Source.Memory.ToArray();
        var y = sample.Target!.Memory.ToArray();
        var options = new HierarchicalRefinement { Seed = 5 };
        var settings = new CoClusteringSettings(options.Gamma, options.MaxIterations, options.MaxProjectionIterations, options.ProjectionTolerance, 1.0, warm);
        var ix = Enumerable.Range(0, n).ToArray();
        var iy = Enumerable.Range(0, n).ToArray();

        // The whole block, as HiRefBlockSplitter runs it: factors, seeding, then the co-clustering.
        var ws = new CoClusteringWorkspace();
        var rng = new Random(17);
        var k = BlockFactors.Gather(ws, x, y, 2, ix, iy, options.Cost, options.Landmarks, rng);
        CompactCoClustering.Seed(ws, x, y, 2, ix, iy, r, options.Gamma, options.SeedingSteps, rng, null);
        var factorX = ws.FactorX.AsSpan(0, n * k).ToArray();
        var factorY = ws.FactorY.AsSpan(0, n * k).ToArray();
        var seededQ = ws.LogQ32.AsSpan(0, n * r).ToArray();
        var seededR = ws.LogR32.AsSpan(0, n * r).ToArray();
        var steps = CompactCoClustering.Run(ws, n, k, r, settings, options.SinglePrecisionStallTolerance, 0, seeded: true, null, CancellationToken.None);
        var expectedQ = ws.LogQ32.AsSpan(0, n * r).ToArray();
        var expectedR = ws.LogR32.AsSpan(0, n * r).ToArray();
        Assert.InRange(steps, 3, settings.Iterations); // the loop really iterated (the test would be empty otherwise)
        Assert.NotEqual(seededQ, expectedQ);

        var inner = threads ? new ParallelOptions { MaxDegreeOfParallelism = 2 } : null;
        var shards = new List<CoClusteringShard>();
        for (var s = 0; s < starts.Length; s++)
        {
            var (start, end) = (starts[s], s + 1 < starts.Length ? starts[s + 1] : n);
            shards.Add(new CoClusteringShard(
                start, end, n, k, r,
                factorX[(start * k)..(end * k)], factorY[(start * k)..(end * k)], seededQ[(start * r)..(end * r)], seededR[(start * r)..(end * r)], inner));
        }

        // The shards' phases run in reverse order: the partials are combined by chunk index, not by arrival.
        var shardedSteps = ShardedCoClustering.Run(new CoClusteringShard.Shards([.. Enumerable.Reverse(shards)]), n, k, r, settings, options.SinglePrecisionStallTolerance, null, CancellationToken.None);
        Assert.Equal(steps, shardedSteps);
        Assert.Equal(expectedQ, shards.SelectMany(s => s.LogQ).ToArray());
        Assert.Equal(expectedR, shards.SelectMany(s => s.LogR).ToArray());
    }

    // The whole split (factors from the block's mean, k-means++ draw, Lloyd steps, mirror descent, hard split) with the rows
    // in shards made from their points: the same permuted index ranges as HiRefBlockSplitter on the whole block.
    [Theory]
    [InlineData(new[] { 0 }, false)]
    [InlineData(new[] { 0, 2048 }, false)]
    [InlineData(new[] { 0, 1024, 3072 }, true)]
    [InlineData(new[] { 0 }, false, 1024)]
    [InlineData(new[] { 0, 1024, 3072 }, true, 1024)]
    public void Split_Shards_SameRangesAsWholeBlock(int[] starts, bool threads, int sampled = 0)
    {
        const int n = 4500;
        const int d = 2;
        const int rank = 8;
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 3, d, withTarget: true);
        var x = sample.Source.Memory.ToArray();
        var y = sample.Target!.Memory.ToArray();
        // sampled > 0: the sampled start (stop 23), its sample's co-clustering on the coordinator.
        var options = new HierarchicalRefinement { Seed = 11, SinglePrecisionMinBlock = 1, SampledStartPoints = sampled, SampledStartMinBlock = 1 };
        Assert.Equal(sampled > 0, options.UsesSampledStart(n));
        var block = new HiRefBlock(0, 0, 0, 0, n);
        var expectedX = Enumerable.Range(0, n).ToArray();
        var expectedY = Enumerable.Range(0, n).ToArray();
        var splitter = new HiRefBlockSplitter(options);
        var children = splitter.Split(block, rank, x, y, d, expectedX, expectedY, new HiRefScratch());
        Assert.NotEqual(Enumerable.Range(0, n), expectedX); // the split really moved points

        Assert.True(ShardedBlockSplit.Supports(options, n));
        var ix = Enumerable.Range(0, n).ToArray();
        var iy = Enumerable.Range(0, n).ToArray();
        var mean = ShardedBlockSplit.Mean(x, y, d, ix, iy);
        var inner = threads ? new ParallelOptions { MaxDegreeOfParallelism = 2 } : null;
        var shards = new List<CoClusteringShard>();
        for (var s = 0; s < starts.Length; s++)
        {
            var (start, end) = (starts[s], s + 1 < starts.Length ? starts[s + 1] : n);
            shards.Add(CoClusteringShard.FromPoints(start, end, n, d, rank, x[(start * d)..(end * d)], y[(start * d)..(end * d)], mean, inner));
        }

        var sizes = ShardedBlockSplit.Split(new CoClusteringShard.Shards([.. Enumerable.Reverse(shards)]), options, x, y, d, ix, iy, rank, splitter.SeedOf(block), null, CancellationToken.None);
        Assert.Equal(children.Select(c => c.Size), sizes);
        Assert.Equal(expectedX, ix);
        Assert.Equal(expectedY, iy);
    }

    [Fact]
    public void Supports_OnlySeededSinglePrecisionSquaredEuclidean()
    {
        var options = new HierarchicalRefinement { SinglePrecisionMinBlock = 1000 };
        Assert.True(ShardedBlockSplit.Supports(options, 1000));
        Assert.False(ShardedBlockSplit.Supports(options, 999));
        Assert.False(ShardedBlockSplit.Supports(options with { SeedingSteps = -1 }, 1000));
        Assert.False(ShardedBlockSplit.Supports(options with { Cost = new Monge.Geometry.Costs.Euclidean<double>() }, 1000));
    }

    [Fact]
    public void Shard_NotChunkAligned_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CoClusteringShard(100, 2048, 4500, 4, 8, [], [], [], []));
        Assert.Contains("1024-row chunks", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CoClusteringShard(0, 1500, 4500, 4, 8, [], [], [], []));
    }
}
