namespace Monge.Distributed.Grains;

/// <summary>The coordinator's live counters for one run of a job (thread-safe; read by status polls).</summary>
internal sealed class JobProgress
{
    private readonly Lock _gate = new();
    private readonly List<double> _levelSeconds = [];
    private readonly List<long> _levelBytes = [];
    private long _levelStartBytes;
    private readonly HashSet<string> _workers = [];
    private HiRefJobStatus _status;

    public JobProgress(string jobId, string silo, int run)
    {
        _status = new HiRefJobStatus { JobId = jobId, State = HiRefJobState.Running, CoordinatorSilo = silo, Runs = run, Stage = "starting" };
    }

    public HiRefJobStatus Snapshot()
    {
        lock (_gate)
        {
            return _status with { LevelSeconds = [.. _levelSeconds], LevelBytes = [.. _levelBytes], WorkerSilos = [.. _workers.Order(StringComparer.Ordinal)] };
        }
    }

    public void Update(Func<HiRefJobStatus, HiRefJobStatus> change)
    {
        lock (_gate)
        {
            var stage = _status.Stage;
            _status = change(_status);
            if (_status.Stage != stage)
            {
                Trace.Rename($"coordinator: {_status.Stage}");
            }
        }
    }

    /// <summary>The coordinator's activity in the memory trace (<see cref="MemoryTrace"/>; nothing when it is off).</summary>
    public MemoryTrace.Activity Trace { get; set; }

    // Bytes moved so far: through the store both ways, and the shards' partials in messages.
    private long MovedBytes => _status.BytesWritten + _status.BytesRead + _status.ShardMessageBytes;

    public void LevelStarted()
    {
        lock (_gate)
        {
            _levelStartBytes = MovedBytes;
        }
    }

    public void LevelDone(double seconds, bool resumed, double checkpointSeconds)
    {
        lock (_gate)
        {
            _levelSeconds.Add(seconds);
            _levelBytes.Add(MovedBytes - _levelStartBytes);
            _status = _status with
            {
                CheckpointedLevels = _status.CheckpointedLevels + 1,
                ResumedLevels = _status.ResumedLevels + (resumed ? 1 : 0),
                CheckpointSeconds = _status.CheckpointSeconds + checkpointSeconds,
            };
        }
    }

    public void BlockDone(string? worker)
    {
        lock (_gate)
        {
            _status = _status with { BlocksDone = _status.BlocksDone + 1 };
            if (worker is not null)
            {
                _workers.Add(worker);
            }
        }
    }

    public void BlockResumed()
    {
        lock (_gate)
        {
            _status = _status with { ResumedBlocks = _status.ResumedBlocks + 1 };
        }
    }

    public void SubtreeDone(string? worker, bool resumed)
    {
        lock (_gate)
        {
            _status = _status with { BlocksDone = _status.BlocksDone + 1, ResumedSubtrees = _status.ResumedSubtrees + (resumed ? 1 : 0) };
            if (worker is not null)
            {
                _workers.Add(worker);
            }
        }
    }

    public void Moved(long written, long read)
    {
        lock (_gate)
        {
            _status = _status with { BytesWritten = _status.BytesWritten + written, BytesRead = _status.BytesRead + read };
        }
    }

    public void ShardCalls(int shards, long bytes, double wallSeconds, double computeSeconds)
    {
        lock (_gate)
        {
            _status = _status with
            {
                ShardRoundTrips = _status.ShardRoundTrips + 1,
                ShardMessageBytes = _status.ShardMessageBytes + bytes,
                Shards = shards,
                ShardFanOutSeconds = _status.ShardFanOutSeconds + wallSeconds,
                ShardComputeSeconds = _status.ShardComputeSeconds + computeSeconds,
            };
        }
    }

    public void ShardLogits(double seconds)
    {
        lock (_gate)
        {
            _status = _status with { ShardLogitsSeconds = _status.ShardLogitsSeconds + seconds };
        }
    }

    public void Worked(string silo)
    {
        lock (_gate)
        {
            _workers.Add(silo);
        }
    }

    public void Retried()
    {
        lock (_gate)
        {
            _status = _status with { Retries = _status.Retries + 1 };
        }
    }
}
