using Monge.Distributed.Storage;

namespace Monge.Distributed.Grains;

/// <summary>
/// The coordinator (see <see cref="IHiRefJobGrain"/>). The job runs on the thread pool (the solver's own orchestration
/// with a <see cref="GrainLevelExecutor"/>: levels on worker grains, then leaves and polish here); status calls return
/// at once. Permanent errors (a missing or corrupt block, invalid input) are recorded in the store; anything else (a
/// lost worker that outlived its retries, a shutdown) lets the next status call restart the run from the checkpoints,
/// up to <see cref="MaxRuns"/> runs per activation.
/// </summary>
internal sealed class HiRefJobGrain(HiRefSiloOptions options, ILocalSiloDetails silo, IGrainFactory grains) : Grain, IHiRefJobGrain
{
    private const int MaxRuns = 4;
    private Task<HiRefJobStatus?>? _run;
    private JobProgress? _progress;
    private HiRefJobStatus? _final;
    private int _runs;

    private string JobId => this.GetPrimaryKeyString();

    private IBlockStore Store => options.Store;

    public async Task<HiRefJobStatus> StartAsync(HiRefJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        HiRefKeys.CheckJobId(JobId);
        spec.ToSolver();
        var key = HiRefKeys.Spec(JobId);
        if (await Store.ExistsAsync(key).ConfigureAwait(true))
        {
            var stored = JobJson.Decode<HiRefJobSpec>(key, await Store.GetAsync(key).ConfigureAwait(true));
            if (!stored.SameJobAs(spec))
            {
                throw new ArgumentException($"Job '{JobId}' already exists in the store {Store.Location} with other options; use another job id.", nameof(spec));
            }
        }
        else
        {
            await Store.PutAsync(key, JobJson.Encode(spec)).ConfigureAwait(true);
        }

        // An explicit start retries a job that failed (its input may have been repaired); checkpoints are kept.
        if (_final is { State: HiRefJobState.Failed } || await Store.ExistsAsync(HiRefKeys.Failure(JobId)).ConfigureAwait(true))
        {
            await Store.DeleteAsync(HiRefKeys.Failure(JobId)).ConfigureAwait(true);
            _final = null;
            _runs = 0;
        }

        return await GetStatusAsync().ConfigureAwait(true);
    }

    public async Task<HiRefJobStatus> GetStatusAsync()
    {
        if (_final is not null)
        {
            return _final;
        }

        if (_run is { IsCompleted: false })
        {
            return _progress!.Snapshot();
        }

        if (_run is { IsCompletedSuccessfully: true, Result: { } outcome })
        {
            return _final = outcome;
        }

        if (_run is { IsFaulted: true } faulted)
        {
            var error = faulted.Exception.GetBaseException();
            _progress!.Update(s => s with { Error = $"{error.GetType().Name}: {error.Message}" });
        }

        var stored = await StoredOutcomeAsync().ConfigureAwait(true);
        if (stored is not null)
        {
            return _final = stored;
        }

        if (!await Store.ExistsAsync(HiRefKeys.Spec(JobId)).ConfigureAwait(true))
        {
            return new HiRefJobStatus { JobId = JobId, State = HiRefJobState.Unknown };
        }

        if (_runs >= MaxRuns)
        {
            var last = _progress?.Snapshot();
            return _final = new HiRefJobStatus
            {
                JobId = JobId,
                State = HiRefJobState.Failed,
                ErrorKind = HiRefJobErrorKind.Other,
                Error = $"Job '{JobId}' stopped {_runs} times; last error: {last?.Error ?? "unknown"}.",
                Runs = _runs,
            };
        }

        // Not running, not finished: start (or resume after a lost coordinator or a transient failure).
        _runs++;
        var spec = JobJson.Decode<HiRefJobSpec>(HiRefKeys.Spec(JobId), await Store.GetAsync(HiRefKeys.Spec(JobId)).ConfigureAwait(true));
        var progress = new JobProgress(JobId, silo.SiloAddress.ToString(), _runs);
        _progress = progress;
        DelayDeactivation(TimeSpan.FromDays(1));
        var runner = new JobRunner(JobId, Store, grains, options, progress);
        _run = Task.Run(() => runner.RunAsync(spec));
        return progress.Snapshot();
    }

    private async Task<HiRefJobStatus?> StoredOutcomeAsync()
    {
        if (await Store.ExistsAsync(HiRefKeys.Result(JobId)).ConfigureAwait(true))
        {
            var summary = JobJson.Decode<HiRefJobStatus>(HiRefKeys.Summary(JobId), await Store.GetAsync(HiRefKeys.Summary(JobId)).ConfigureAwait(true));
            return summary with { State = HiRefJobState.Succeeded, CoordinatorSilo = silo.SiloAddress.ToString() };
        }

        if (await Store.ExistsAsync(HiRefKeys.Failure(JobId)).ConfigureAwait(true))
        {
            return JobJson.Decode<HiRefJobStatus>(HiRefKeys.Failure(JobId), await Store.GetAsync(HiRefKeys.Failure(JobId)).ConfigureAwait(true));
        }

        return null;
    }
}
