namespace Monge.Distributed.Grains;

/// <summary>
/// The coordinator of one distributed Hierarchical Refinement job (the grain key is the job id). It runs inside the
/// cluster, so its calls to worker grains fail fast when a silo dies; clients start a job and then poll it with short
/// calls. After the coordinator's own silo dies, the next poll activates it on a surviving silo, where it resumes the job
/// from the last level checkpoint in the store.
/// </summary>
public interface IHiRefJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job (idempotent: a job already running or finished with the same spec is left alone).</summary>
    /// <param name="spec">The job; its points must already be in the store (<see cref="HiRefKeys.Source"/>,
    /// <see cref="HiRefKeys.Target"/>).</param>
    /// <returns>The status after starting.</returns>
    [ResponseTimeout("00:01:00")]
    Task<HiRefJobStatus> StartAsync(HiRefJobSpec spec);

    /// <summary>The job's progress; resumes a job whose coordinator was lost.</summary>
    /// <remarks>The call returns at once, so its timeout is short: a poll in flight when the coordinator's silo dies gets
    /// no answer (the client's callback is tied to its gateway, not to the lost silo) and the job waits for it, since
    /// only the next poll re-activates the coordinator. The client retries a timed-out poll.</remarks>
    [ResponseTimeout("00:00:05")]
    Task<HiRefJobStatus> GetStatusAsync();
}
