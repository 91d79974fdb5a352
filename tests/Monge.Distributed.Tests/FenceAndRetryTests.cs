using Monge.Distributed.Grains;
using Monge.Distributed.Storage;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Tests;

/// <summary>A retried worker call whose work is already done (the output exists, the input was removed) answers from the
/// stored output; a coordinator run superseded by a later run of the same job (a zombie) writes no checkpoint, result or
/// failure and removes nothing, and the successor finishes with the single-machine permutation.</summary>
public sealed class FenceAndRetryTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const int N = 600;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RetriedCall_OutputExistsInputRemoved_ReturnsStoredAnswer(bool subtree)
    {
        var job = subtree ? "retry-subtree" : "retry-split";
        var (x, y) = DistributedHiRefTests.Clouds(N, 31);
        var spec = new HiRefJobSpec { LeafSize = 64, Seed = 31, Quality = "fast", Count = N, Dimension = 2 };
        var rank = spec.ToSolver().ScheduleFor(N)[0];
        var (inKey, outKey) = subtree
            ? (HiRefKeys.Subtree(job, 0, 0, "in"), HiRefKeys.Subtree(job, 0, 0, "out"))
            : (HiRefKeys.Block(job, 0, 0, "in"), HiRefKeys.Block(job, 0, 0, "out"));
        var identity = Enumerable.Range(0, N).ToArray();
        var block = new HiRefBlock(0, 0, 0, 0, N);
        await fixture.Store.PutAsync(inKey, GrainLevelExecutor.Gather(block, x.Memory.Span, y.Memory.Span, 2, identity, identity));
        var request = new HiRefBlockRequest { Spec = spec, Level = 0, BlockIndex = 0, Rank = rank, Size = N, InputKey = inKey, OutputKey = outKey };
        Task<HiRefBlockReply> Call(int attempt)
        {
            var grain = fixture.Cluster.Client.GetGrain<IHiRefBlockGrain>($"{job}/{attempt}");
            return subtree ? grain.SolveSubtreeAsync(request) : grain.SplitAsync(request);
        }

        var first = await Call(0);
        Assert.Equal(HiRefJobErrorKind.None, first.ErrorKind);
        var stored = await fixture.Store.GetAsync(outKey);
        if (!subtree)
        {
            // Independent of the grain: the single-machine split of the same block.
            var ix = Enumerable.Range(0, N).ToArray();
            var iy = Enumerable.Range(0, N).ToArray();
            var children = new HiRefBlockSplitter(spec.ToSolver()).Split(block, rank, x.Memory.Span, y.Memory.Span, 2, ix, iy, new HiRefScratch());
            Assert.Equal(children.Select(c => c.Size), first.ChildSizes);
            var (ox, oy, _) = BlockOutput.Decode(outKey, stored, N);
            Assert.Equal(ix, ox);
            Assert.Equal(iy, oy);
        }

        // The coordinator read the output and removed the input; a retried attempt of the same call (a fresh grain) must
        // give the stored answer, not "block missing", and leave the output as it was.
        await fixture.Store.DeleteAsync(inKey);
        var again = await Call(1);
        Assert.Equal(HiRefJobErrorKind.None, again.ErrorKind);
        Assert.Equal(first.ChildSizes, again.ChildSizes);
        Assert.Equal(stored, await fixture.Store.GetAsync(outKey));

        // Neither input nor output: a real missing block, named.
        await fixture.Store.DeleteAsync(outKey);
        var missing = await Call(2);
        Assert.Equal(HiRefJobErrorKind.BlockMissing, missing.ErrorKind);
        Assert.Equal(inKey, missing.ErrorKey);
    }

    // The race the output check alone leaves open: the output is not there yet when the worker looks, then another attempt
    // finishes and its coordinator removes the input before this worker reads it.
    [Fact]
    public async Task Worker_InputRemovedAfterOutputCheck_AnswersFromOutput()
    {
        const string job = "retry-race";
        var (x, y) = DistributedHiRefTests.Clouds(N, 32);
        var spec = new HiRefJobSpec { LeafSize = 64, Seed = 32, Quality = "fast", Count = N, Dimension = 2 };
        var identity = Enumerable.Range(0, N).ToArray();
        var block = new HiRefBlock(0, 0, 0, 0, N);
        var request = new HiRefBlockRequest
        {
            Spec = spec,
            Level = 0,
            BlockIndex = 0,
            Rank = spec.ToSolver().ScheduleFor(N)[0],
            Size = N,
            InputKey = HiRefKeys.Block(job, 0, 0, "in"),
            OutputKey = HiRefKeys.Block(job, 0, 0, "out"),
        };
        await fixture.Store.PutAsync(request.InputKey, GrainLevelExecutor.Gather(block, x.Memory.Span, y.Memory.Span, 2, identity, identity));
        var sizes = await BlockSplitWork.RunAsync(request, fixture.Store, 1);
        var stored = await fixture.Store.GetAsync(request.OutputKey);
        await fixture.Store.DeleteAsync(request.InputKey);
        var racing = new OutputAppearsLate(fixture.Store, request.OutputKey);
        Assert.Equal(sizes, await BlockSplitWork.RunAsync(request, racing, 1));
        Assert.True(racing.Hidden, "the store never hid the output, so the race was not exercised");
        Assert.Equal(stored, await fixture.Store.GetAsync(request.OutputKey));
    }

    [Fact]
    public async Task Epoch_LaterRunSupersedesEarlier()
    {
        const string job = "epoch-1";
        var a = await JobEpoch.BeginAsync(fixture.Store, job, "a");
        await a.CheckAsync("test");
        var b = await JobEpoch.BeginAsync(fixture.Store, job, "b");
        Assert.Equal(1, a.Generation);
        Assert.Equal(2, b.Generation);
        var ex = await Assert.ThrowsAsync<JobSupersededException>(() => a.CheckAsync("write the result"));
        Assert.Equal(1, ex.Generation);
        Assert.Equal(2, ex.Current);
        Assert.Contains("write the result", ex.Message, StringComparison.Ordinal);
        await b.CheckAsync("test");
    }

    // A coordinator presumed lost (its run took generation 1, then a successor took generation 2) still runs level 0 on the
    // workers: at the checkpoint it finds the successor's epoch and stops, writing no checkpoint and removing none of the
    // level's block files; then the job, run normally (generation 3), finishes with the single-machine permutation.
    [Fact]
    public async Task ZombieCoordinator_SupersededRun_WritesAndRemovesNothing()
    {
        const string job = "zombie-1";
        const int n = 3000;
        var (x, y) = DistributedHiRefTests.Clouds(n, 41);
        var spec = new HiRefJobSpec { LeafSize = 64, Seed = 41, Quality = "fast", SubtreeSize = 400, Count = n, Dimension = 2 };
        var expected = spec.ToSolver().Solve(x, y);
        var store = fixture.Store;
        await store.PutAsync(HiRefKeys.Source(job), BlockCodec.FromDoubles(x.Memory.Span));
        await store.PutAsync(HiRefKeys.Target(job), BlockCodec.FromDoubles(y.Memory.Span));
        await store.PutAsync(HiRefKeys.Spec(job), JobJson.Encode(spec));
        var zombie = await JobEpoch.BeginAsync(store, job, "zombie");
        _ = await JobEpoch.BeginAsync(store, job, "successor");
        var progress = new JobProgress(job, "zombie", 1);
        var options = new HiRefSiloOptions { Store = store, Cores = 1 };
        var outcome = await new JobRunner(job, store, fixture.Cluster.Client, options, progress, zombie).RunAsync(spec);
        Assert.Null(outcome);
        var status = progress.Snapshot();
        Assert.Equal("superseded", status.Stage);
        Assert.Contains("checkpoint of level 0", status.Error, StringComparison.Ordinal);
        Assert.False(await store.ExistsAsync(HiRefKeys.Level(job, 0)));
        Assert.True(await store.ExistsAsync(HiRefKeys.Block(job, 0, 0, "in")), "the superseded run removed a block input");
        Assert.True(await store.ExistsAsync(HiRefKeys.Block(job, 0, 0, "out")), "the superseded run removed a block output");
        Assert.False(await store.ExistsAsync(HiRefKeys.Result(job)));
        Assert.False(await store.ExistsAsync(HiRefKeys.Summary(job)));
        Assert.False(await store.ExistsAsync(HiRefKeys.Failure(job)));

        var solver = new DistributedHierarchicalRefinement(fixture.Cluster.Client, store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var result = await solver.SolveAsync(x, y, spec, job);
        Assert.Equal(expected.Permutation, result.Permutation);
        Assert.Equal(expected.Cost, result.Cost);
        Assert.Equal(3, result.Status.Generation);
        Assert.True(await store.ExistsAsync(HiRefKeys.Level(job, 0)));
        Assert.False(await store.ExistsAsync(HiRefKeys.Block(job, 0, 0, "in")), "the owner did not clean up the level");
    }

    // Hides one key from the first existence check, as if its write had not landed yet.
    private sealed class OutputAppearsLate(IBlockStore inner, string key) : IBlockStore
    {
        public bool Hidden { get; private set; }

        public string Location => inner.Location;

        public ValueTask PutAsync(string k, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => inner.PutAsync(k, data, cancellationToken);

        public ValueTask<byte[]> GetAsync(string k, CancellationToken cancellationToken = default) => inner.GetAsync(k, cancellationToken);

        public ValueTask<bool> ExistsAsync(string k, CancellationToken cancellationToken = default)
        {
            if (k == key && !Hidden)
            {
                Hidden = true;
                return ValueTask.FromResult(false);
            }

            return inner.ExistsAsync(k, cancellationToken);
        }

        public ValueTask DeleteAsync(string k, CancellationToken cancellationToken = default) => inner.DeleteAsync(k, cancellationToken);
    }
}
