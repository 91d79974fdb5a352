using Monge.Distributed.Storage;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Monge.Distributed.Tests;

/// <summary>The data-parallel trunk: level 0 split by shard grains holding chunk-aligned row ranges (issue 15), the
/// permutation bit-identical to the single machine for 1, 2 and 3 shards and one per silo, and after a shard's silo is
/// killed while the sharded level runs.</summary>
public sealed class ShardedTrunkTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    // n = 6000 (6 chunks of 1024 rows); level 0 (6000 points) takes the single-precision co-clustering and is sharded,
    // the blocks below 4096 points take the double one; blocks of ≤ 400 points go whole to workers.
    private static readonly HiRefJobSpec Spec = new() { LeafSize = 64, Seed = 7, Quality = "fast", SubtreeSize = 400, SinglePrecisionMinBlock = 4096 };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(0, 3)]
    public async Task Solve_ShardedLevel0_PermutationEqualsSingleMachine(int trunkShards, int expectedShards)
    {
        var (x, y) = DistributedHiRefTests.Clouds(6000, 30 + trunkShards);
        var spec = Spec with { Seed = 30 + trunkShards, TrunkShards = trunkShards };
        var expected = spec.ToSolver().Solve(x, y);
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var job = $"sharded-{trunkShards}";
        var result = await solver.SolveAsync(x, y, spec, job);
        Assert.Equal(expected.Permutation, result.Permutation);
        Assert.Equal(expected.Cost, result.Cost);
        Assert.Equal(1, result.Status.ShardedLevels);
        Assert.Equal(expectedShards, result.Status.Shards);
        Assert.Equal(0, result.Status.ShardedLevelRestarts);
        Assert.Equal(1, result.Status.Runs);

        // Seeding and mirror descent: dozens of fan-outs, each moving per-chunk sums only (≤ k·r doubles a chunk).
        Assert.InRange(result.Status.ShardRoundTrips, 20, 5000);
        Assert.True(result.Status.ShardMessageBytes <= result.Status.ShardRoundTrips * 6L * 4 * 16 * sizeof(double));
        Assert.DoesNotContain(
            Directory.GetFiles(Path.Combine(fixture.Root, "jobs", job), "*", SearchOption.AllDirectories),
            f => f.Contains($"{Path.DirectorySeparatorChar}shards{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        output.WriteLine($"{expectedShards} shards: {result.Status.ShardRoundTrips} round trips, {result.Status.ShardMessageBytes} B of partials, workers {string.Join(" ", result.Status.WorkerSilos)}");
    }

    // Shard files of an earlier run that sharded level 0 over another count (5 shards; garbage content, as a stale file
    // may hold anything): the job removes them before writing its own 3, gives the single machine's permutation, and
    // leaves no shard file and no manifest.
    [Fact]
    public async Task Solve_StaleShardFilesOfAnotherCount_RemovedAndSamePermutation()
    {
        var (x, y) = DistributedHiRefTests.Clouds(6000, 37);
        var spec = Spec with { Seed = 37, TrunkShards = 3 };
        const string job = "sharded-stale";
        var manifest = new byte[sizeof(int)];
        Storage.BlockCodec.WriteInts(manifest, [5]);
        await fixture.Store.PutAsync(HiRefKeys.ShardManifest(job, 0), manifest);
        for (var s = 0; s < 5; s++)
        {
            await fixture.Store.PutAsync(HiRefKeys.Shard(job, 0, 0, s, 5, "in"), new byte[40 + s]);
            await fixture.Store.PutAsync(HiRefKeys.Shard(job, 0, 0, s, 5, "run") + "0.0", new byte[8]);
            await fixture.Store.PutAsync(HiRefKeys.Shard(job, 0, 0, s, 5, "run") + "0.1", new byte[8]);
            await fixture.Store.PutAsync(HiRefKeys.Shard(job, 0, 0, s, 5, "run") + "1.0", new byte[8]);
        }

        var expected = spec.ToSolver().Solve(x, y);
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var result = await solver.SolveAsync(x, y, spec, job);
        Assert.Equal(expected.Permutation, result.Permutation);
        Assert.Equal(3, result.Status.Shards);
        Assert.DoesNotContain(
            Directory.GetFiles(Path.Combine(fixture.Root, "jobs", job), "*", SearchOption.AllDirectories),
            f => f.Contains($"{Path.DirectorySeparatorChar}shards{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
    }

    // Levels after the top sharded too: ranks 2, 2, 4, 6 and the single-precision co-clustering from 1024 points, so
    // level 1 has 2 blocks of 3000 points, fewer than the 3 shards: they are split block after block over 3 shards each
    // (level 2's 4 blocks go whole to workers); the permutation and cost are the single machine's, and bytes are counted
    // per level.
    [Fact]
    public async Task Solve_MultiBlockLevelSharded_PermutationEqualsSingleMachine()
    {
        var (x, y) = DistributedHiRefTests.Clouds(6000, 38);
        var spec = Spec with { Seed = 38, TrunkShards = 3, SinglePrecisionMinBlock = 1024, RankSchedule = [2, 2, 4, 6] };
        var expected = spec.ToSolver().Solve(x, y);
        Assert.InRange(expected.Levels[0].BlocksSplit, 1, 1);
        Assert.Equal(2, expected.Levels[1].BlocksSplit);
        Assert.Equal(4, expected.Levels[2].BlocksSplit);
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        const string job = "sharded-multiblock";
        var result = await solver.SolveAsync(x, y, spec, job);
        Assert.Equal(expected.Permutation, result.Permutation);
        Assert.Equal(expected.Cost, result.Cost);
        Assert.Equal(2, result.Status.ShardedLevels);
        Assert.Equal(3, result.Status.Shards);
        Assert.Equal(0, result.Status.ShardedLevelRestarts);
        Assert.Equal(result.Status.LevelSeconds.Count, result.Status.LevelBytes.Count);
        Assert.All(result.Status.LevelBytes, b => Assert.True(b > 0));
        Assert.DoesNotContain(
            Directory.GetFiles(Path.Combine(fixture.Root, "jobs", job), "*", SearchOption.AllDirectories),
            f => f.Contains($"{Path.DirectorySeparatorChar}shards{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        output.WriteLine($"levels' blocks {string.Join(" ", expected.Levels.Select(l => l.BlocksSplit))}; bytes per level {string.Join(" ", result.Status.LevelBytes)}; round trips {result.Status.ShardRoundTrips}");
    }

    // Per-block checkpoints of a sharded multi-block level: the coordinator's run stops (a store error, as when its silo
    // dies) right when it starts block 1 of level 1, after block 0's checkpoint was written. At that moment the store
    // holds block 0's checkpoint whole (it decodes to a split of block 0's points) and no level-1 checkpoint; the next run
    // takes block 0 from it (one resumed block, no second split of it), splits block 1, and the permutation and cost are
    // the single machine's; no block checkpoint or shard file is left.
    [Fact]
    public async Task Solve_CoordinatorLostAfterABlockCheckpoint_ResumesFinishedBlocksSamePermutation()
    {
        var root = Path.Combine(Path.GetTempPath(), "monge-blockckpt-" + Guid.NewGuid().ToString("N"));
        const string job = "sharded-block-checkpoint";
        var store = new CrashOnPut(new DirectoryBlockStore(root), HiRefKeys.Shard(job, 1, 1, 0, 3, "in"));
        // The silos compact after each piece of work here, as `monge cluster silo` does (same permutation).
        var cluster = await ClusterFixture.StartAsync(store, 3, TimeSpan.Zero, compact: true);
        try
        {
            var (x, y) = DistributedHiRefTests.Clouds(6000, 41);
            var spec = Spec with { Seed = 41, TrunkShards = 3, SinglePrecisionMinBlock = 1024, RankSchedule = [2, 2, 4, 6] };
            var expected = spec.ToSolver().Solve(x, y);
            Assert.Equal(2, expected.Levels[1].BlocksSplit);
            var solver = new DistributedHierarchicalRefinement(cluster.Client, store) { PollInterval = TimeSpan.FromMilliseconds(50) };
            var result = await solver.SolveAsync(x, y, spec, job);
            Assert.True(store.Crashed, "the run never reached block 1 of level 1");
            Assert.True(store.BlockCheckpointWhole, "block 0's checkpoint was not in the store, or not whole, when the run stopped");
            Assert.False(store.LevelCheckpointAtCrash, "the level-1 checkpoint was written before its last block");
            Assert.Equal(expected.Permutation, result.Permutation);
            Assert.Equal(expected.Cost, result.Cost);
            Assert.Equal(1, result.Status.ResumedBlocks);
            Assert.True(result.Status.Runs >= 2, $"the job ran {result.Status.Runs} time(s)");
            Assert.DoesNotContain(
                Directory.GetFiles(Path.Combine(root, "jobs", job), "*", SearchOption.AllDirectories),
                f => f.Contains($"{Path.DirectorySeparatorChar}shards{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
            output.WriteLine($"runs {result.Status.Runs}, resumed levels {result.Status.ResumedLevels}, resumed blocks {result.Status.ResumedBlocks}, sharded levels {result.Status.ShardedLevels}");
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Solve_TrunkShardsOff_SamePermutationWithoutShards()
    {
        var (x, y) = DistributedHiRefTests.Clouds(6000, 36);
        var spec = Spec with { Seed = 36, TrunkShards = -1 };
        var expected = spec.ToSolver().Solve(x, y);
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var result = await solver.SolveAsync(x, y, spec, "sharded-off");
        Assert.Equal(expected.Permutation, result.Permutation);
        Assert.Equal(0, result.Status.ShardedLevels);
        Assert.Equal(0, result.Status.ShardRoundTrips);
    }

    [Fact]
    public void Spec_TrunkShardsBelowMinusOne_Throws() =>
        Assert.Throws<ArgumentException>(() => (Spec with { TrunkShards = -2 }).ToSolver());

    // A silo holding a shard (not the coordinator's, not the first one, which hosts the test's gateway) is killed while
    // the sharded level runs: the level starts again with new shard grains on the two live silos, and the permutation is
    // the single machine's.
    [Fact]
    public async Task Solve_ShardSiloKilledMidLevel_SamePermutation()
    {
        var root = Path.Combine(Path.GetTempPath(), "monge-shardkill-" + Guid.NewGuid().ToString("N"));
        var store = new DirectoryBlockStore(root);
        var cluster = await ClusterFixture.StartAsync(store, 3, TimeSpan.Zero, TimeSpan.FromMilliseconds(10));
        try
        {
            var (x, y) = DistributedHiRefTests.Clouds(6000, 40);
            var spec = Spec with { Seed = 40, TrunkShards = 3 };
            var expected = spec.ToSolver().Solve(x, y);
            var solver = new DistributedHierarchicalRefinement(cluster.Client, store) { PollInterval = TimeSpan.FromMilliseconds(50) };
            var killed = new TaskCompletionSource<string>();
            var result = await solver.SolveAsync(x, y, spec, "shard-kill", new KillShardSilo(cluster, killed));
            Assert.True(killed.Task.IsCompleted, "no silo was killed (the sharded level ended before the kill point was seen)");
            Assert.Equal(expected.Permutation, result.Permutation);
            Assert.Equal(expected.Cost, result.Cost);
            Assert.True(result.Status.ShardedLevelRestarts >= 1, "the sharded level did not start again");
            Assert.Equal(1, result.Status.ShardedLevels);
            Assert.NotEqual(await killed.Task, result.Status.CoordinatorSilo);
            output.WriteLine($"killed {await killed.Task}; restarts {result.Status.ShardedLevelRestarts}, round trips {result.Status.ShardRoundTrips}, runs {result.Status.Runs}");
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    // Fails the first write of one key (an I/O error: the job's run stops and the next status call starts another run),
    // and records what the store held then.
    private sealed class CrashOnPut(IBlockStore inner, string key) : IBlockStore
    {
        public bool Crashed { get; private set; }

        public bool BlockCheckpointWhole { get; private set; }

        public bool LevelCheckpointAtCrash { get; private set; }

        public string Location => inner.Location;

        public async ValueTask PutAsync(string k, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            if (k == key && !Crashed)
            {
                Crashed = true;
                var job = k.Split('/')[1];
                var blockKey = HiRefKeys.ShardedBlock(job, 1, 0);
                if (await inner.ExistsAsync(blockKey, cancellationToken))
                {
                    var bytes = await inner.GetAsync(blockKey, cancellationToken);
                    var m = BitConverter.ToInt32(bytes, 0);
                    var r = BitConverter.ToInt32(bytes, 4);
                    var ix = Enumerable.Range(0, m).Select(i => BitConverter.ToInt32(bytes, 8 + (4 * i))).ToArray();
                    var sizes = Enumerable.Range(0, r).Select(i => BitConverter.ToInt32(bytes, 8 + (8 * m) + (4 * i))).ToArray();
                    BlockCheckpointWhole = bytes.Length == (2 + (2 * m) + r) * 4 && r is >= 1 and <= 2 && sizes.Sum() == m && ix.Distinct().Count() == m && ix.All(i => i is >= 0 and < 6000);
                }

                LevelCheckpointAtCrash = await inner.ExistsAsync(HiRefKeys.Level(job, 1), cancellationToken);
                throw new IOException($"test: the coordinator stops before writing '{k}'");
            }

            await inner.PutAsync(k, data, cancellationToken);
        }

        public ValueTask<byte[]> GetAsync(string k, CancellationToken cancellationToken = default) => inner.GetAsync(k, cancellationToken);

        public ValueTask<bool> ExistsAsync(string k, CancellationToken cancellationToken = default) => inner.ExistsAsync(k, cancellationToken);

        public ValueTask DeleteAsync(string k, CancellationToken cancellationToken = default) => inner.DeleteAsync(k, cancellationToken);
    }

    private sealed class KillShardSilo(InProcessTestCluster cluster, TaskCompletionSource<string> killed) : IProgress<HiRefJobStatus>
    {
        public void Report(HiRefJobStatus value)
        {
            if (killed.Task.IsCompleted || value.ShardRoundTrips < 5 || value.ShardedLevels > 0)
            {
                return;
            }

            var victim = cluster.Silos.Skip(1).First(s => s.SiloAddress.ToString() != value.CoordinatorSilo);
            killed.SetResult(victim.SiloAddress.ToString());
            cluster.KillSiloAsync(victim).GetAwaiter().GetResult();
        }
    }
}
