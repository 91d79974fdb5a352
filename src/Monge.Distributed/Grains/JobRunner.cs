using System.Diagnostics;
using Monge.Distributed.Storage;
using Monge.Geometry;
using Monge.Solvers;

namespace Monge.Distributed.Grains;

/// <summary>One run of a job, on the thread pool: take the job's next epoch, read the points, run the solver with a
/// <see cref="GrainLevelExecutor"/>, write the result (or a permanent failure) to the store. Returns the final status, or
/// null after a transient failure or when a later run superseded this one (<see cref="JobEpoch"/>: then it wrote no
/// checkpoint, result or failure after the takeover and removed nothing). A test may pass the epoch to run under
/// instead of taking the next one.</summary>
internal sealed class JobRunner(string jobId, IBlockStore store, IGrainFactory grains, HiRefSiloOptions options, JobProgress progress, JobEpoch? epoch = null)
{
    private string JobId => jobId;

    private IBlockStore Store => store;

    public async Task<HiRefJobStatus?> RunAsync(HiRefJobSpec spec)
    {
        using var trace = MemoryTrace.Enter("coordinator: starting");
        progress.Trace = trace;
        try
        {
            var clock = Stopwatch.StartNew();
            epoch ??= await JobEpoch.BeginAsync(Store, JobId, progress.Snapshot().CoordinatorSilo).ConfigureAwait(false);
            progress.Update(s => s with { Generation = epoch.Generation });
            var n = spec.Count;
            var d = spec.Dimension;
            var source = await ReadPointsAsync(HiRefKeys.Source(JobId), n, d).ConfigureAwait(false);
            var target = await ReadPointsAsync(HiRefKeys.Target(JobId), n, d).ConfigureAwait(false);
            MemoryTrace.Mark("coordinator: points read");
            var executor = new GrainLevelExecutor(JobId, spec, Store, grains, progress, epoch, options.PauseAfterCheckpoint, options.Cores, options.Compact);
            var solver = spec.ToSolver() with { Executor = executor, MaxDegreeOfParallelism = Math.Max(1, options.Cores) };
            var leafClock = new Stopwatch();
            var sink = new Progress(progress, leafClock);
            // Subtrees on workers (the coordinator stitches them and runs the polish), or every level through the executor
            // and the leaves here (SubtreeSize 0): the same permutation either way.
            var result = spec.SubtreeSize > 0
                ? solver.SolveWithSubtrees(source, target, spec.SubtreeSize, new GrainSubtreeRunner(JobId, spec, Store, grains, progress, epoch, options.PauseAfterCheckpoint), sink)
                : solver.Solve(source, target, sink);
            MemoryTrace.Mark("coordinator: solved");
            var coordinatorSeconds = spec.SubtreeSize > 0 ? result.PolishSeconds : result.LeafSeconds + result.PolishSeconds;
            progress.Update(s => s with { Stage = "writing the result", LeafSeconds = coordinatorSeconds });
            var bytes = new byte[n * sizeof(int)];
            BlockCodec.WriteInts(bytes, result.Permutation);
            var summary = progress.Snapshot() with { State = HiRefJobState.Succeeded, Cost = result.Cost, Stage = $"done in {clock.Elapsed.TotalSeconds:F1} s" };
            await epoch.CheckAsync("write the result").ConfigureAwait(false);
            await Store.PutAsync(HiRefKeys.Summary(JobId), JobJson.Encode(summary)).ConfigureAwait(false);
            await Store.PutAsync(HiRefKeys.Result(JobId), bytes).ConfigureAwait(false);
            progress.Moved(bytes.Length, 0);
            progress.Update(s => s with { State = HiRefJobState.Succeeded, Cost = result.Cost, Stage = summary.Stage });
            return progress.Snapshot();
        }
        catch (JobSupersededException ex)
        {
            return Superseded(ex);
        }
        catch (Exception ex) when (Permanent(ex) is { } kind)
        {
            if (epoch is null)
            {
                // The epoch itself could not be read or written: nothing of this run is in the store; report it as a
                // transient stop (the next status call starts a new run).
                progress.Update(s => s with { Error = $"{ex.GetType().Name}: {ex.Message}", Stage = "restarting" });
                return null;
            }

            try
            {
                await epoch.CheckAsync("record the failure").ConfigureAwait(false);
            }
            catch (JobSupersededException superseded)
            {
                return Superseded(superseded);
            }

            var failure = progress.Snapshot() with
            {
                State = HiRefJobState.Failed,
                ErrorKind = kind,
                ErrorKey = (ex as BlockStoreException)?.Key,
                Error = ex.Message,
            };
            await Store.PutAsync(HiRefKeys.Failure(JobId), JobJson.Encode(failure)).ConfigureAwait(false);
            progress.Update(_ => failure);
            return failure;
        }
        catch (Exception ex)
        {
            // Transient: the next status call restarts the job from its checkpoints.
            progress.Update(s => s with { Error = $"{ex.GetType().Name}: {ex.Message}", Stage = "restarting" });
            return null;
        }
    }

    // One point set from the store. Its bytes are a local of this method, not of RunAsync's state machine, where they
    // would stay reachable for the whole solve (2·n·d·8 bytes more on the coordinator).
    private async Task<PointCloud<double>> ReadPointsAsync(string key, int n, int d)
    {
        var bytes = await Store.GetAsync(key).ConfigureAwait(false);
        progress.Moved(0, bytes.Length);
        return new PointCloud<double>(BlockCodec.ToDoubles(key, bytes, (long)n * d), n, d);
    }

    private HiRefJobStatus? Superseded(JobSupersededException ex)
    {
        // A later run owns the job: stop here, leaving the store to it (the next status call of this activation, if it is
        // still the one clients reach, starts another run that loads the checkpoints).
        progress.Update(s => s with { Error = ex.Message, Stage = "superseded" });
        return null;
    }

    private static HiRefJobErrorKind? Permanent(Exception ex) => ex switch
    {
        BlockNotFoundException => HiRefJobErrorKind.BlockMissing,
        BlockCorruptException => HiRefJobErrorKind.BlockCorrupt,
        ArgumentException => HiRefJobErrorKind.InvalidInput,
        _ => null,
    };

    // The solver's progress: "level t" and "subtrees" reports are the executors'; the leaves and polish stages are shown as
    // they come.
    private sealed class Progress(JobProgress progress, Stopwatch leafClock) : IProgress<SolverProgress>
    {
        public void Report(SolverProgress value)
        {
            if (!value.Stage.StartsWith("level", StringComparison.Ordinal) && value.Stage != "subtrees")
            {
                if (!leafClock.IsRunning)
                {
                    leafClock.Start();
                }

                progress.Update(s => s with { Stage = value.Stage, BlocksDone = (int)value.Completed, BlocksInLevel = (int)value.Total });
            }
        }
    }
}
