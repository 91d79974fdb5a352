using Monge.Distributed.Grains;
using Monge.Distributed.Storage;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Tests;

/// <summary>A shard's sorted runs through the store (the hard split of a sharded level without the block's logits on
/// the coordinator): pages of at most <see cref="ShardRuns.PageRows"/> rows, read back one at a time, merged into the
/// whole block's margin-greedy labels, and removed.</summary>
public sealed class ShardRunsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "monge-runs-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task WriteRead_TwoShardsOverSeveralPages_MergeGivesWholeBlockLabels()
    {
        // Shard 0 holds 2.5 pages of rows, shard 1 half a page: 3 + 1 pages.
        const int r = 3;
        var rows0 = (2 * ShardRuns.PageRows) + (ShardRuns.PageRows / 2);
        var n = rows0 + (ShardRuns.PageRows / 2);
        var rng = new Random(5);
        var scores = new float[n * r];
        for (var t = 0; t < scores.Length; t++)
        {
            scores[t] = rng.Next(8) * 0.25f;
        }

        var caps = new int[r];
        CapacitySplit.ChildSizes(n, r, caps);
        var expected = new int[n];
        CapacitySplit.MarginGreedy(scores, n, r, caps, expected, new double[n], new int[n]);

        var store = new DirectoryBlockStore(_root);
        string[] prefixes = ["jobs/j/shards/0/0/0of2.run", "jobs/j/shards/0/0/1of2.run"];
        (int Start, int End)[] ranges = [(0, rows0), (rows0, n)];
        long written = 0;
        for (var s = 0; s < 2; s++)
        {
            var (start, end) = ranges[s];
            var run = CapacitySplit.SortedRun(scores[(start * r)..(end * r)], end - start, r, start);
            written += await ShardRuns.WriteAsync(store, prefixes[s], 0, run, r);
        }

        Assert.Equal((long)n * (8 + 4 + (4 * r)), written);
        Assert.Equal(4, Directory.GetFiles(_root, "*run0.*", SearchOption.AllDirectories).Length);

        long largest = 0;
        var pages = 0;
        var runs = Enumerable.Range(0, 2).Select(s => (IMarginRun)new ShardRuns.StoreRun(store, prefixes[s], 0, ranges[s].End - ranges[s].Start, r, (bytes, _) =>
        {
            largest = Math.Max(largest, bytes);
            pages++;
        }, CancellationToken.None)).ToList();
        var labels = new int[n];
        CapacitySplit.MergedGreedy(runs, r, caps, labels);
        Assert.Equal(expected, labels);
        Assert.Equal(4, pages);
        Assert.Equal((long)ShardRuns.PageRows * (8 + 4 + (4 * r)), largest);

        foreach (var prefix in prefixes)
        {
            await ShardRuns.RemoveAsync(store, prefix, CancellationToken.None);
        }

        Assert.DoesNotContain(Directory.GetFiles(_root, "*", SearchOption.AllDirectories), f => f.Contains(".run", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_PageOfWrongSize_ThrowsCorruptNamingThePage()
    {
        var store = new DirectoryBlockStore(_root);
        await store.PutAsync(ShardRuns.Key("jobs/j/shards/0/0/0of1.run", 1, 0), new byte[10]);
        var run = new ShardRuns.StoreRun(store, "jobs/j/shards/0/0/0of1.run", 1, 3, 2, (_, _) => { }, CancellationToken.None);
        var ex = Assert.Throws<BlockCorruptException>(() => run.NextPage());
        Assert.Equal("jobs/j/shards/0/0/0of1.run1.0", ex.Key);
    }
}
