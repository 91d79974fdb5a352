using System.Diagnostics;
using Monge.Distributed.Storage;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed.Grains;

/// <summary>
/// The distributed <see cref="IHiRefExecutor"/>: each block of a level goes to a worker grain through the store (its
/// points in, its permuted local ranges out), and the level's index arrays and child sizes are checkpointed in the store
/// (one atomic block). A level whose checkpoint exists is loaded instead of split again, and a block whose output exists is
/// not split again, so a restarted coordinator loses at most the blocks in flight.
/// </summary>
/// <remarks>The checkpoint write and the removal of the level's block files are fenced by the run's
/// <see cref="JobEpoch"/>: a run that a later run has superseded stops there (<see cref="JobSupersededException"/>).</remarks>
internal sealed class GrainLevelExecutor(string jobId, HiRefJobSpec spec, IBlockStore store, IGrainFactory grains, JobProgress progress, JobEpoch epoch, TimeSpan pauseAfterCheckpoint, int cores = 1, Action? compact = null) : IHiRefExecutor
{
    private const int MaxAttempts = 6;
    private const int MaxInFlight = 64;

    public async ValueTask<HiRefLevelResult> RunLevelAsync(HiRefLevel level, HiRefLevelInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(level);
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        progress.LevelStarted();
        progress.Update(s => s with { Level = level.Number + 1, BlocksDone = 0, BlocksInLevel = level.Blocks.Count, Stage = $"level {level.Number + 1}" });
        var key = HiRefKeys.Level(jobId, level.Number);
        if (await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            var loaded = await LoadCheckpointAsync(key, level, input, cancellationToken).ConfigureAwait(false);

            // A run that wrote this checkpoint and stopped before removing its shard files leaves them to this one.
            await RemoveShardFilesAsync(level, keep: null, cancellationToken).ConfigureAwait(false);
            progress.LevelDone(clock.Elapsed.TotalSeconds, resumed: true, 0);
            return loaded;
        }

        var sizes = new int[level.Blocks.Count][];
        var splitOptions = spec.ToSolver().SplitOptionsFor(spec.Count);
        var sharded = await ShardedAsync(level, splitOptions).ConfigureAwait(false);
        if (sharded)
        {
            // Files of an earlier run that sharded this level over another count (a silo lost since, or another
            // TrunkShards) go first; then the manifest names this count before its files are written.
            await RemoveShardFilesAsync(level, keep: _shards, cancellationToken).ConfigureAwait(false);
            var manifest = new byte[sizeof(int)];
            BlockCodec.WriteInts(manifest, [_shards]);
            await store.PutAsync(HiRefKeys.ShardManifest(jobId, level.Number), manifest, cancellationToken).ConfigureAwait(false);

            // Block after block, each over all the shards (a block's split is the single machine's whatever the count).
            // With several blocks, each finished block is checkpointed (its ranges and child sizes): a restarted
            // coordinator takes those and splits only the others, so a lost coordinator costs its block in flight.
            for (var b = 0; b < level.Blocks.Count; b++)
            {
                var block = level.Blocks[b];
                var blockKey = HiRefKeys.ShardedBlock(jobId, level.Number, block.Index);
                if (level.Blocks.Count > 1 && await store.ExistsAsync(blockKey, cancellationToken).ConfigureAwait(false))
                {
                    sizes[b] = await LoadBlockCheckpointAsync(blockKey, block, level.Rank, input, cancellationToken).ConfigureAwait(false);
                    progress.BlockResumed();
                }
                else
                {
                    sizes[b] = await RunShardedAsync(level, block, input, splitOptions, cancellationToken).ConfigureAwait(false);
                    if (level.Blocks.Count > 1)
                    {
                        var bytes = BlockOutput.Encode(input.IndicesX.Slice(block.XStart, block.Size).ToArray(), input.IndicesY.Slice(block.YStart, block.Size).ToArray(), sizes[b]);
                        await epoch.CheckAsync($"write the checkpoint of block {block.Index} of level {level.Number}", cancellationToken).ConfigureAwait(false);
                        await store.PutAsync(blockKey, bytes, cancellationToken).ConfigureAwait(false);
                        progress.Moved(bytes.Length, 0);
                    }
                }

                input.ReportBlockDone();
            }

            progress.Update(s => s with { ShardedLevels = s.ShardedLevels + 1 });
        }
        else
        {
            using var gate = new SemaphoreSlim(MaxInFlight);
            var tasks = new Task[level.Blocks.Count];
            for (var s = 0; s < tasks.Length; s++)
            {
                var slot = s;
                tasks[s] = Task.Run(
                    async () =>
                    {
                        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                        try
                        {
                            sizes[slot] = await RunBlockAsync(level, level.Blocks[slot], input, cancellationToken).ConfigureAwait(false);
                            input.ReportBlockDone();
                        }
                        finally
                        {
                            gate.Release();
                        }
                    },
                    cancellationToken);
            }

            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (BlockNotFoundException)
            {
                if (!await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                // Another run of this job (a coordinator presumed lost that still ran, e.g. across a partition) finished
                // the level, wrote its checkpoint and then removed the level's block files under this run: every task
                // has stopped (WhenAll waits for all), so take that checkpoint, which resets both index arrays.
                var loaded = await LoadCheckpointAsync(key, level, input, cancellationToken).ConfigureAwait(false);
                progress.LevelDone(clock.Elapsed.TotalSeconds, resumed: true, 0);
                return loaded;
            }
        }

        var checkpointClock = Stopwatch.StartNew();
        var checkpoint = EncodeCheckpoint(level, input, sizes);
        await epoch.CheckAsync($"write the checkpoint of level {level.Number}", cancellationToken).ConfigureAwait(false);
        await store.PutAsync(key, checkpoint, cancellationToken).ConfigureAwait(false);
        progress.Moved(checkpoint.Length, 0);
        var checkpointSeconds = checkpointClock.Elapsed.TotalSeconds;
        await epoch.CheckAsync($"remove the block files of level {level.Number}", cancellationToken).ConfigureAwait(false);
        foreach (var block in sharded ? [] : level.Blocks)
        {
            await store.DeleteAsync(HiRefKeys.Block(jobId, level.Number, block.Index, "in"), cancellationToken).ConfigureAwait(false);
            await store.DeleteAsync(HiRefKeys.Block(jobId, level.Number, block.Index, "out"), cancellationToken).ConfigureAwait(false);
        }

        if (sharded)
        {
            await RemoveShardFilesAsync(level, keep: null, cancellationToken).ConfigureAwait(false);
        }

        progress.LevelDone(clock.Elapsed.TotalSeconds, resumed: false, checkpointSeconds);
        MemoryTrace.Mark($"coordinator: level {level.Number + 1} done");
        compact?.Invoke();
        if (pauseAfterCheckpoint > TimeSpan.Zero)
        {
            await Task.Delay(pauseAfterCheckpoint, cancellationToken).ConfigureAwait(false);
        }

        return new HiRefLevelResult(Children(level, sizes), 0);
    }

    // The shards of a sharded level: TrunkShards, or one per active silo (fixed for the level once its manifest is
    // written: a restart of the level over another count removes the files first); a block has at most one per
    // 1024-row chunk.
    private int _shards;

    private int ShardCount(int m) => Math.Clamp(_shards, 1, CoClustering.Chunks(m));

    // Whether the level's blocks are split data-parallel: blocks that take the sharded co-clustering (single precision,
    // squared Euclidean), and either the level's one block (the trunk's top) or fewer blocks than shards (whole blocks
    // on workers would leave machines idle, and each block would have to fit one machine's memory). Sets _shards.
    private async Task<bool> ShardedAsync(HiRefLevel level, HierarchicalRefinement splitOptions)
    {
        if (spec.TrunkShards < 0 || !level.Blocks.All(b => ShardedBlockSplit.Supports(splitOptions, b.Size)))
        {
            return false;
        }

        _shards = spec.TrunkShards > 0 ? spec.TrunkShards : await ActiveSilosAsync().ConfigureAwait(false);
        return level.Blocks.Count == 1 || level.Blocks.Count < _shards;
    }

    private static (int Start, int End) ShardRows(int s, int shards, int m)
    {
        var chunks = CoClustering.Chunks(m);
        var first = (int)((long)s * chunks / shards);
        var last = (int)((long)(s + 1) * chunks / shards);
        return (first * CoClustering.ChunkRows, Math.Min(last * CoClustering.ChunkRows, m));
    }

    // A block split data-parallel: each shard grain loads its rows from the store once and runs the
    // co-clustering's phases on them; the coordinator runs the serial steps (ShardedBlockSplit) and the hard split, merging
    // the shards' sorted runs a page at a time (it never holds the block's logits). A lost shard (a dead silo, a deactivated grain) restarts the level with new shard grains, placed on
    // the live silos; the shard inputs stay in the store until the level checkpoint is written.
    private async Task<int[]> RunShardedAsync(HiRefLevel level, HiRefBlock block, HiRefLevelInput input, HierarchicalRefinement splitOptions, CancellationToken cancellationToken)
    {
        var m = block.Size;
        var d = input.Dimension;
        var r = Math.Min(level.Rank, m);
        var count = ShardCount(m);
        var where = level.Blocks.Count == 1 ? "" : $" block {block.Index + 1} of {level.Blocks.Count}";
        progress.Update(s => s with { Stage = $"level {level.Number + 1}{where} (sharded over {count})" });
        var ixRange = input.IndicesX.Slice(block.XStart, m);
        var iyRange = input.IndicesY.Slice(block.YStart, m);
        for (var s = 0; s < count; s++)
        {
            var key = HiRefKeys.Shard(jobId, level.Number, block.Index, s, count, "in");
            if (!await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
            {
                var (start, end) = ShardRows(s, count, m);
                var rows = new HiRefBlock(block.Level, block.Index, block.XStart + start, block.YStart + start, end - start);
                await PutGatheredAsync(store, key, rows, input.X, input.Y, d, input.IndicesX, input.IndicesY, progress, cancellationToken).ConfigureAwait(false);
            }
        }

        MemoryTrace.Mark($"coordinator: level {level.Number + 1} shard inputs written");
        var mean = ShardedBlockSplit.Mean(input.X.Span, input.Y.Span, d, ixRange.Span, iyRange.Span);
        var seed = input.Splitter.SeedOf(block);
        var inner = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, cores), CancellationToken = cancellationToken };
        for (var attempt = 0; ; attempt++)
        {
            var shards = new GrainShards.Shard[count];
            for (var s = 0; s < count; s++)
            {
                var (start, end) = ShardRows(s, count, m);
                // The run's generation in the key: a coordinator presumed lost that still runs never drives the same shard
                // grains as its successor (their iteration state is in memory).
                shards[s] = new GrainShards.Shard(grains.GetGrain<IHiRefShardGrain>($"{jobId}/{epoch.Generation}/{level.Number}/{block.Index}/{s}/{attempt}"), start, end);
            }

            try
            {
                var loads = await Task.WhenAll(shards.Select((sh, s) => sh.Grain.LoadAsync(new HiRefShardLoad
                {
                    InputKey = HiRefKeys.Shard(jobId, level.Number, block.Index, s, count, "in"),
                    Start = sh.Start,
                    End = sh.End,
                    Count = m,
                    Dimension = d,
                    Rank = r,
                    Mean = mean,
                }))).WaitAsync(cancellationToken).ConfigureAwait(false);
                foreach (var load in loads)
                {
                    _ = load.ErrorKind switch
                    {
                        HiRefJobErrorKind.None => 0,
                        HiRefJobErrorKind.BlockMissing => throw new BlockNotFoundException(load.ErrorKey ?? "", load.Error ?? "missing block"),
                        _ => throw new BlockCorruptException(load.ErrorKey ?? "", load.Error ?? "corrupt block"),
                    };
                    progress.Worked(load.Silo);
                }

                progress.Moved(0, 2L * m * d * sizeof(double));
                var view = new GrainShards(shards, m, d + 2, r, d, store, s => HiRefKeys.Shard(jobId, level.Number, block.Index, s, count, "run"), progress, cancellationToken);
                var sizes = await Task.Run(
                    () =>
                    {
                        var original = (ixRange.ToArray(), iyRange.ToArray());
                        try
                        {
                            return ShardedBlockSplit.Split(view, splitOptions, input.X.Span, input.Y.Span, d, ixRange.Span, iyRange.Span, level.Rank, seed, inner, cancellationToken);
                        }
                        catch
                        {
                            original.Item1.CopyTo(ixRange);
                            original.Item2.CopyTo(iyRange);
                            throw;
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
                Release(shards);
                return sizes;
            }
            catch (Exception ex) when (attempt + 1 < MaxAttempts && (ex is ShardLostException || IsTransient(ex, cancellationToken)))
            {
                progress.Update(s => s with { ShardedLevelRestarts = s.ShardedLevelRestarts + 1, Stage = $"level {level.Number + 1} (sharded, restarting: {ex.Message})" });
                progress.Retried();
                Release(shards);
                await Task.Delay(TimeSpan.FromMilliseconds(250 << attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Removes the shard files of a level's blocks named by its manifest (unless they are the count to keep) and then the
    // manifest, checking the run's epoch first: a superseded run removes nothing.
    private async Task RemoveShardFilesAsync(HiRefLevel level, int? keep, CancellationToken cancellationToken)
    {
        var manifestKey = HiRefKeys.ShardManifest(jobId, level.Number);
        if (!await store.ExistsAsync(manifestKey, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var bytes = await store.GetAsync(manifestKey, cancellationToken).ConfigureAwait(false);
        if (bytes.Length != sizeof(int))
        {
            throw new BlockCorruptException(manifestKey, $"Shard manifest '{manifestKey}' has {bytes.Length} bytes, expected {sizeof(int)}.");
        }

        var stored = new int[1];
        BlockCodec.ReadInts(bytes, stored);
        if (stored[0] == keep)
        {
            return;
        }

        await epoch.CheckAsync($"remove the shard files of level {level.Number}", cancellationToken).ConfigureAwait(false);
        foreach (var block in level.Blocks)
        {
            var count = Math.Clamp(stored[0], 1, CoClustering.Chunks(block.Size));
            for (var s = 0; s < count; s++)
            {
                await store.DeleteAsync(HiRefKeys.Shard(jobId, level.Number, block.Index, s, count, "in"), cancellationToken).ConfigureAwait(false);
                await ShardRuns.RemoveAsync(store, HiRefKeys.Shard(jobId, level.Number, block.Index, s, count, "run"), cancellationToken).ConfigureAwait(false);
            }

            // A block's checkpoint holds for any shard count: it goes only with the level (after its checkpoint).
            if (keep is null)
            {
                await store.DeleteAsync(HiRefKeys.ShardedBlock(jobId, level.Number, block.Index), cancellationToken).ConfigureAwait(false);
            }
        }

        await store.DeleteAsync(manifestKey, cancellationToken).ConfigureAwait(false);
    }

    // Drops the shards' memory; a shard on a dead silo is gone anyway.
    private static void Release(GrainShards.Shard[] shards)
    {
        foreach (var shard in shards)
        {
            _ = shard.Grain.ReleaseAsync().ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    private async Task<int> ActiveSilosAsync()
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false);
        return Math.Max(1, hosts.Count);
    }

    // One block: ship its points (unless an earlier run did), call a worker (a fresh grain per attempt), read and map its
    // output back through the block's original ranges.
    private async Task<int[]> RunBlockAsync(HiRefLevel level, HiRefBlock block, HiRefLevelInput input, CancellationToken cancellationToken)
    {
        var inKey = HiRefKeys.Block(jobId, level.Number, block.Index, "in");
        var outKey = HiRefKeys.Block(jobId, level.Number, block.Index, "out");
        string? worker = null;
        if (!await store.ExistsAsync(outKey, cancellationToken).ConfigureAwait(false))
        {
            await PutGatheredAsync(store, inKey, block, input.X, input.Y, input.Dimension, input.IndicesX, input.IndicesY, progress, cancellationToken).ConfigureAwait(false);
            var request = new HiRefBlockRequest { Spec = spec, Level = level.Number, BlockIndex = block.Index, Rank = level.Rank, Size = block.Size, InputKey = inKey, OutputKey = outKey };
            var reply = await CallWorkerAsync(request, cancellationToken).ConfigureAwait(false);
            worker = reply.Silo;
        }

        var bytes = await store.GetAsync(outKey, cancellationToken).ConfigureAwait(false);
        progress.Moved(0, bytes.Length);
        var (ix, iy, sizes) = BlockOutput.Decode(outKey, bytes, block.Size);
        MapBack(input.IndicesX.Span.Slice(block.XStart, block.Size), ix);
        MapBack(input.IndicesY.Span.Slice(block.YStart, block.Size), iy);
        progress.BlockDone(worker);
        return sizes;
    }

    private Task<HiRefBlockReply> CallWorkerAsync(HiRefBlockRequest request, CancellationToken cancellationToken) =>
        CallWorkerAsync(grains, $"{jobId}/{request.Level}/{request.BlockIndex}", request, (grain, r) => grain.SplitAsync(r), progress, cancellationToken);

    // A worker call with retries: a fresh grain key per attempt (placement puts it on a live silo), backing off from 0.25 s;
    // a store error in the reply becomes the typed exception (permanent, not retried).
    internal static async Task<HiRefBlockReply> CallWorkerAsync(IGrainFactory grains, string keyPrefix, HiRefBlockRequest request, Func<IHiRefBlockGrain, HiRefBlockRequest, Task<HiRefBlockReply>> call, JobProgress progress, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var grain = grains.GetGrain<IHiRefBlockGrain>($"{keyPrefix}/{attempt}");
                var reply = await call(grain, request).WaitAsync(cancellationToken).ConfigureAwait(false);
                return reply.ErrorKind switch
                {
                    HiRefJobErrorKind.None => reply,
                    HiRefJobErrorKind.BlockMissing => throw new BlockNotFoundException(reply.ErrorKey ?? request.InputKey, reply.Error ?? "missing block"),
                    _ => throw new BlockCorruptException(reply.ErrorKey ?? request.InputKey, reply.Error ?? "corrupt block"),
                };
            }
            catch (Exception ex) when (attempt + 1 < MaxAttempts && IsTransient(ex, cancellationToken))
            {
                // A lost silo or a dropped call: retry on a new activation, which placement puts on a live silo.
                progress.Retried();
                await Task.Delay(TimeSpan.FromMilliseconds(250 << attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static bool IsTransient(Exception ex, CancellationToken cancellationToken) =>
        ex is not (BlockStoreException or ArgumentException or InvalidOperationException) && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    // Gathers a block's points and writes them to the store; the bytes are a local of this call only (not of the caller's
    // state machine, where they would stay reachable while the worker runs: with 64 blocks in flight, up to all the
    // points once more on the coordinator).
    internal static async Task PutGatheredAsync(IBlockStore store, string key, HiRefBlock block, ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int d, ReadOnlyMemory<int> indicesX, ReadOnlyMemory<int> indicesY, JobProgress progress, CancellationToken cancellationToken)
    {
        var points = Gather(block, x.Span, y.Span, d, indicesX.Span, indicesY.Span);
        await store.PutAsync(key, points, cancellationToken).ConfigureAwait(false);
        progress.Moved(points.Length, 0);
    }

    // The block's X-part then its Y-part, in range order, row-major float64: the worker splits them with identity ranges.
    // Gathered straight into the bytes the store writes (one array of 2·m·d·8 bytes, not the doubles and their copy).
    internal static byte[] Gather(HiRefBlock block, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> indicesX, ReadOnlySpan<int> indicesY)
    {
        var m = block.Size;
        var bytes = new byte[2L * m * d * sizeof(double)];
        var points = BlockCodec.DoublesOf(bytes);
        var ix = indicesX.Slice(block.XStart, m);
        var iy = indicesY.Slice(block.YStart, m);
        for (var k = 0; k < m; k++)
        {
            x.Slice(ix[k] * d, d).CopyTo(points.Slice(k * d, d));
            y.Slice(iy[k] * d, d).CopyTo(points.Slice((m + k) * d, d));
        }

        return bytes;
    }

    internal static void MapBack(Span<int> range, int[] local)
    {
        var original = range.ToArray();
        for (var k = 0; k < local.Length; k++)
        {
            range[k] = original[local[k]];
        }
    }

    private static IReadOnlyList<IReadOnlyList<HiRefBlock>> Children(HiRefLevel level, int[][] sizes)
    {
        var children = new IReadOnlyList<HiRefBlock>[level.Blocks.Count];
        for (var s = 0; s < children.Length; s++)
        {
            var block = level.Blocks[s];
            var list = new HiRefBlock[sizes[s].Length];
            var offset = 0;
            for (var z = 0; z < list.Length; z++)
            {
                list[z] = new HiRefBlock(block.Level + 1, z, block.XStart + offset, block.YStart + offset, sizes[s][z]);
                offset += sizes[s][z];
            }

            children[s] = list;
        }

        return children;
    }

    // Checkpoint: n, level, rank, blocks, then per block (index, XStart, YStart, size, r, r sizes), then both index arrays.
    private static byte[] EncodeCheckpoint(HiRefLevel level, HiRefLevelInput input, int[][] sizes)
    {
        var n = input.IndicesX.Length;
        var header = new List<int> { n, level.Number, level.Rank, level.Blocks.Count };
        for (var s = 0; s < sizes.Length; s++)
        {
            var b = level.Blocks[s];
            header.AddRange([b.Index, b.XStart, b.YStart, b.Size, sizes[s].Length]);
            header.AddRange(sizes[s]);
        }

        var bytes = new byte[(header.Count + (2 * n)) * sizeof(int)];
        BlockCodec.WriteInts(bytes, header.ToArray());
        BlockCodec.WriteInts(bytes.AsSpan(header.Count * sizeof(int)), input.IndicesX.Span);
        BlockCodec.WriteInts(bytes.AsSpan((header.Count + n) * sizeof(int)), input.IndicesY.Span);
        return bytes;
    }

    // A finished block of a sharded multi-block level: its stored ranges must hold the points its range holds now (the
    // level's input, which the previous level fixed), and its child sizes tile it within the level's rank.
    private async Task<int[]> LoadBlockCheckpointAsync(string key, HiRefBlock block, int rank, HiRefLevelInput input, CancellationToken cancellationToken)
    {
        var bytes = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        progress.Moved(0, bytes.Length);
        var ix = input.IndicesX.Slice(block.XStart, block.Size);
        var iy = input.IndicesY.Slice(block.YStart, block.Size);
        var (x, y, sizes) = BlockOutput.DecodeRanges(key, bytes, ix.Span, iy.Span, rank);
        x.CopyTo(ix);
        y.CopyTo(iy);
        return sizes;
    }

    private async Task<HiRefLevelResult> LoadCheckpointAsync(string key, HiRefLevel level, HiRefLevelInput input, CancellationToken cancellationToken)
    {
        var bytes = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        progress.Moved(0, bytes.Length);
        var n = input.IndicesX.Length;
        BlockCorruptException Mismatch(string what) => new(key, $"Level checkpoint '{key}' in the store {store.Location} does not match the job ({what}).");
        int At(int i) => (i + 1) * sizeof(int) <= bytes.Length ? BlockCodec.ReadInt(bytes, i * sizeof(int)) : throw Mismatch("truncated");
        if (At(0) != n || At(1) != level.Number || At(2) != level.Rank || At(3) != level.Blocks.Count)
        {
            throw Mismatch("size, level, rank or block count");
        }

        var pos = 4;
        var sizes = new int[level.Blocks.Count][];
        for (var s = 0; s < sizes.Length; s++)
        {
            var b = level.Blocks[s];
            if (At(pos) != b.Index || At(pos + 1) != b.XStart || At(pos + 2) != b.YStart || At(pos + 3) != b.Size)
            {
                throw Mismatch($"block {s}");
            }

            var r = At(pos + 4);
            if (r < 1 || r > b.Size)
            {
                throw Mismatch($"block {s} children");
            }

            sizes[s] = new int[r];
            for (var z = 0; z < r; z++)
            {
                sizes[s][z] = At(pos + 5 + z);
            }

            if (sizes[s].Any(v => v < 1) || sizes[s].Sum() != b.Size)
            {
                throw Mismatch($"block {s} child sizes");
            }

            pos += 5 + r;
        }

        if (bytes.Length != (pos + (2 * n)) * sizeof(int))
        {
            throw Mismatch("length");
        }

        var ix = new int[n];
        var iy = new int[n];
        BlockCodec.ReadInts(bytes.AsSpan(pos * sizeof(int)), ix);
        BlockCodec.ReadInts(bytes.AsSpan((pos + n) * sizeof(int)), iy);
        ix.CopyTo(input.IndicesX.Span);
        iy.CopyTo(input.IndicesY.Span);
        foreach (var unused in level.Blocks)
        {
            input.ReportBlockDone();
        }

        return new HiRefLevelResult(Children(level, sizes), 0);
    }
}
