using Monge.Distributed.Storage;
using Monge.Geometry;
using Monge.Testing;

namespace Monge.Distributed.Tests;

public sealed class DistributedHiRefTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    // n = 3000 with leaves of 64: levels of 1, then 16, then about 190 blocks, enough to spread over silos. Level mode
    // (SubtreeSize 0): every level block by block on workers, the leaves on the coordinator.
    private static readonly HiRefJobSpec Spec = new() { LeafSize = 64, Seed = 11, Quality = "fast", SubtreeSize = 0 };

    internal static (PointCloud<double> X, PointCloud<double> Y) Clouds(int n, int seed)
    {
        var random = Seeds.Create(seed);
        var x = Generators.UniformCloud(random, n, 2);
        var y = Generators.UniformCloud(random, n, 2);
        return (x, y);
    }

    [Fact]
    public async Task Solve_ThreeSilos_PermutationEqualsSingleMachine()
    {
        var (x, y) = Clouds(3000, 1);
        var expected = Spec.ToSolver().Solve(x, y);
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var result = await solver.SolveAsync(x, y, Spec, "equal-1");
        Assert.Equal(expected.Permutation, result.Permutation);
        Assert.Equal(expected.Cost, result.Cost);
        Assert.Equal(expected.Levels.Count, result.Status.CheckpointedLevels);
        Assert.True(result.Status.WorkerSilos.Count >= 2, $"blocks ran on {string.Join(", ", result.Status.WorkerSilos)} only");
        Assert.True(result.Status.BytesWritten > 2L * 3000 * 2 * 8 * result.Status.CheckpointedLevels);

        // The same id again: the stored result, no new run.
        var again = await solver.SolveAsync(x, y, Spec, "equal-1");
        Assert.Equal(expected.Permutation, again.Permutation);
    }

    // Subtree mode: level 0 block by block, then blocks of at most SubtreeSize points go whole to workers (their levels
    // and leaves); the coordinator stitches them and runs the polish (balanced: leaf pairs and slab rounds cross blocks).
    [Theory]
    [InlineData(3000, 21, 400, "fast")]
    [InlineData(3000, 22, 400, "balanced")]
    [InlineData(2999, 23, 1000, "fast")]
    [InlineData(1200, 24, HiRefJobSpec.DefaultSubtreeSize, "balanced")]
    public async Task Solve_Subtrees_PermutationEqualsSingleMachine(int n, int seed, int subtreeSize, string quality)
    {
        var (x, y) = Clouds(n, seed);
        var spec = Spec with { Seed = seed, SubtreeSize = subtreeSize, Quality = quality };
        var expected = spec.ToSolver().Solve(x, y);
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var result = await solver.SolveAsync(x, y, spec, $"subtrees-{n}-{seed}");
        Assert.Equal(expected.Permutation, result.Permutation);
        Assert.Equal(expected.Cost, result.Cost);
        var trunk = expected.Levels.Count(l => l.LargestBlock > subtreeSize);
        Assert.Equal(trunk, result.Status.CheckpointedLevels);
        // Every block after the trunk is a subtree root (no leaf is carried over at these sizes).
        Assert.Equal(trunk == 0 ? 1 : expected.Levels[trunk - 1].BlocksSplit * expected.RankSchedule[trunk - 1], result.Status.Subtrees);
        Assert.True(result.Status.SubtreeSeconds > 0);
        if (result.Status.Subtrees >= 6)
        {
            Assert.True(result.Status.WorkerSilos.Count >= 2, $"subtrees ran on {string.Join(", ", result.Status.WorkerSilos)} only");
        }

        // Each subtree's output (its checkpoint) is in the store and its input was removed.
        var outs = Directory.GetFiles(Path.Combine(fixture.Root, "jobs", $"subtrees-{n}-{seed}", "subtrees"), "*", SearchOption.AllDirectories);
        Assert.Equal(result.Status.Subtrees, outs.Count(f => f.Contains(".out", StringComparison.Ordinal)));
        Assert.DoesNotContain(outs, f => f.Contains(".in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Solve_EuclideanCostAndOddSize_PermutationEqualsSingleMachine()
    {
        var (x, y) = Clouds(1537, 2);
        var spec = Spec with { Cost = "euclidean", Seed = 3, Quality = "balanced", SubtreeSize = 500 };
        var expected = spec.ToSolver().Solve(x, y);
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var result = await solver.SolveAsync(x, y, spec, "equal-2");
        Assert.Equal(expected.Permutation, result.Permutation);
    }

    [Fact]
    public async Task Solve_CorruptSourceBlock_ThrowsCorruptAndWritesNoResult()
    {
        var (x, y) = Clouds(500, 3);
        const string job = "corrupt-1";
        await fixture.Store.PutAsync(HiRefKeys.Source(job), Storage.BlockCodec.FromDoubles(x.Memory.Span));
        await fixture.Store.PutAsync(HiRefKeys.Target(job), Storage.BlockCodec.FromDoubles(y.Memory.Span));
        await fixture.Store.PutAsync(HiRefKeys.Inputs(job), System.Text.Encoding.UTF8.GetBytes(DistributedHierarchicalRefinement.InputHash(x, y)));
        var path = fixture.Store.PathOf(HiRefKeys.Source(job));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[200] ^= 1;
        await File.WriteAllBytesAsync(path, bytes);
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var ex = await Assert.ThrowsAsync<BlockCorruptException>(() => solver.SolveAsync(x, y, Spec, job));
        Assert.Equal(HiRefKeys.Source(job), ex.Key);
        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
        AssertNothingHalfWritten(job);
    }

    [Fact]
    public async Task Solve_MissingTargetBlock_ThrowsNotFoundAndWritesNoResult()
    {
        var (x, y) = Clouds(500, 4);
        const string job = "missing-1";
        await fixture.Store.PutAsync(HiRefKeys.Source(job), Storage.BlockCodec.FromDoubles(x.Memory.Span));
        await fixture.Store.PutAsync(HiRefKeys.Target(job), Storage.BlockCodec.FromDoubles(y.Memory.Span));
        await fixture.Store.PutAsync(HiRefKeys.Inputs(job), System.Text.Encoding.UTF8.GetBytes(DistributedHierarchicalRefinement.InputHash(x, y)));
        await fixture.Store.DeleteAsync(HiRefKeys.Target(job));
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var ex = await Assert.ThrowsAsync<BlockNotFoundException>(() => solver.SolveAsync(x, y, Spec, job));
        Assert.Equal(HiRefKeys.Target(job), ex.Key);
        AssertNothingHalfWritten(job);
    }

    [Fact]
    public async Task Solve_DifferentSizes_ThrowsArgumentBeforeWritingAnything()
    {
        var (x, _) = Clouds(100, 5);
        var (y, _) = Clouds(101, 6);
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store);
        await Assert.ThrowsAsync<ArgumentException>(() => solver.SolveAsync(x, y, Spec, "sizes-1"));
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "jobs", "sizes-1")));
    }

    // A job id already in the store with other points: refused before anything is written, and the stored job (its
    // points, hash and result) is left as it was.
    [Fact]
    public async Task Solve_SameJobIdOtherPoints_RefusedAndStoredJobKept()
    {
        var (x, y) = Clouds(600, 7);
        var (_, other) = Clouds(600, 8);
        const string job = "inputs-1";
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var first = await solver.SolveAsync(x, y, Spec, job);
        Assert.Equal(Spec.ToSolver().Solve(x, y).Permutation, first.Permutation);
        var stored = await fixture.Store.GetAsync(HiRefKeys.Target(job));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => solver.SolveAsync(x, other, Spec, job));
        Assert.Contains("other points", ex.Message, StringComparison.Ordinal);
        Assert.Equal(stored, await fixture.Store.GetAsync(HiRefKeys.Target(job)));
        Assert.Equal(DistributedHierarchicalRefinement.InputHash(x, y), System.Text.Encoding.UTF8.GetString(await fixture.Store.GetAsync(HiRefKeys.Inputs(job))));
        Assert.Equal(first.Permutation, (await solver.SolveAsync(x, y, Spec, job)).Permutation);
    }

    // A store written without the hash (an older version, or blocks put by hand): the points are compared with the stored
    // bytes once; other points are refused, the same points run and the hash is written.
    [Fact]
    public async Task Solve_StoredPointsWithoutHash_ComparedWithStoredBytes()
    {
        var (x, y) = Clouds(500, 9);
        const string job = "inputs-legacy";
        await fixture.Store.PutAsync(HiRefKeys.Source(job), Storage.BlockCodec.FromDoubles(x.Memory.Span));
        await fixture.Store.PutAsync(HiRefKeys.Target(job), Storage.BlockCodec.FromDoubles(y.Memory.Span));
        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, fixture.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        await Assert.ThrowsAsync<ArgumentException>(() => solver.SolveAsync(y, x, Spec, job));
        Assert.False(await fixture.Store.ExistsAsync(HiRefKeys.Inputs(job)));
        AssertNothingHalfWritten(job);

        var result = await solver.SolveAsync(x, y, Spec, job);
        Assert.Equal(Spec.ToSolver().Solve(x, y).Permutation, result.Permutation);
        Assert.Equal(DistributedHierarchicalRefinement.InputHash(x, y), System.Text.Encoding.UTF8.GetString(await fixture.Store.GetAsync(HiRefKeys.Inputs(job))));
    }

    private void AssertNothingHalfWritten(string job)
    {
        Assert.False(File.Exists(fixture.Store.PathOf(HiRefKeys.Result(job))));
        Assert.False(File.Exists(fixture.Store.PathOf(HiRefKeys.Summary(job))));
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "jobs", job, "levels")));
        Assert.Empty(Directory.GetFiles(fixture.Root, "*.tmp", SearchOption.AllDirectories));
    }
}
