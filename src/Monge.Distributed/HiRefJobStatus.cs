namespace Monge.Distributed;

/// <summary>The state of a distributed Hierarchical Refinement job.</summary>
public enum HiRefJobState
{
    /// <summary>No job of that id is known to the cluster or the store.</summary>
    Unknown,

    /// <summary>The coordinator is running the job (levels on worker grains, then the leaves).</summary>
    Running,

    /// <summary>The permutation is in the store.</summary>
    Succeeded,

    /// <summary>The job failed for good (a missing or corrupt block, invalid input); see <see cref="HiRefJobStatus.Error"/>.</summary>
    Failed,
}

/// <summary>What went wrong with a failed job, so that the client can raise the matching typed exception.</summary>
public enum HiRefJobErrorKind
{
    /// <summary>No error.</summary>
    None,

    /// <summary>A block is missing from the store (<see cref="Storage.BlockNotFoundException"/>).</summary>
    BlockMissing,

    /// <summary>A block in the store is corrupt (<see cref="Storage.BlockCorruptException"/>).</summary>
    BlockCorrupt,

    /// <summary>The job's input or options are invalid.</summary>
    InvalidInput,

    /// <summary>Anything else (the coordinator gave up after its restarts).</summary>
    Other,
}

/// <summary>A snapshot of a job's progress, as the coordinator grain reports it to a polling client.</summary>
[GenerateSerializer]
[Immutable]
public sealed record HiRefJobStatus
{
    /// <summary>The job id.</summary>
    [Id(0)]
    public string JobId { get; init; } = "";

    /// <summary>The state.</summary>
    [Id(1)]
    public HiRefJobState State { get; init; }

    /// <summary>The level being split (1-based, as in the solver's progress), or 0 before the first.</summary>
    [Id(2)]
    public int Level { get; init; }

    /// <summary>Blocks of the current level finished.</summary>
    [Id(3)]
    public int BlocksDone { get; init; }

    /// <summary>Blocks in the current level.</summary>
    [Id(4)]
    public int BlocksInLevel { get; init; }

    /// <summary>Levels whose checkpoint is in the store.</summary>
    [Id(5)]
    public int CheckpointedLevels { get; init; }

    /// <summary>Levels taken from an earlier run's checkpoint instead of being split again.</summary>
    [Id(6)]
    public int ResumedLevels { get; init; }

    /// <summary>Times the coordinator (re)started the job: 1 for an undisturbed job.</summary>
    [Id(7)]
    public int Runs { get; init; }

    /// <summary>The silo that runs the coordinator now.</summary>
    [Id(8)]
    public string CoordinatorSilo { get; init; } = "";

    /// <summary>The stage the solver reports (for example "level 2" or "leaves").</summary>
    [Id(9)]
    public string Stage { get; init; } = "";

    /// <summary>The error of a failed job.</summary>
    [Id(10)]
    public string? Error { get; init; }

    /// <summary>The kind of error of a failed job.</summary>
    [Id(11)]
    public HiRefJobErrorKind ErrorKind { get; init; }

    /// <summary>The store key the error names, if any.</summary>
    [Id(12)]
    public string? ErrorKey { get; init; }

    /// <summary>The matching cost (1/n) Σ c(xᵢ, y_σ(i)) of a finished job.</summary>
    [Id(13)]
    public double Cost { get; init; } = double.NaN;

    /// <summary>Wall seconds of each level split in this run (a resumed level counts its checkpoint load).</summary>
    [Id(14)]
    public IReadOnlyList<double> LevelSeconds { get; init; } = [];

    /// <summary>Bytes the coordinator wrote to the store in this run (block inputs, checkpoints, result).</summary>
    [Id(15)]
    public long BytesWritten { get; init; }

    /// <summary>Bytes the coordinator read from the store in this run (points, block outputs, checkpoints).</summary>
    [Id(16)]
    public long BytesRead { get; init; }

    /// <summary>Seconds spent writing level checkpoints in this run.</summary>
    [Id(17)]
    public double CheckpointSeconds { get; init; }

    /// <summary>Block calls that were retried on another activation after a failure.</summary>
    [Id(18)]
    public int Retries { get; init; }

    /// <summary>Seconds of the work after the levels on the coordinator: the leaves and the polish, or only the polish when
    /// subtrees ran on workers (<see cref="HiRefJobSpec.SubtreeSize"/>).</summary>
    [Id(19)]
    public double LeafSeconds { get; init; }

    /// <summary>Distinct silos that split at least one block in this run.</summary>
    [Id(20)]
    public IReadOnlyList<string> WorkerSilos { get; init; } = [];

    /// <summary>Subtrees (blocks handed whole to workers with their remaining levels and leaves); 0 before that stage or
    /// when <see cref="HiRefJobSpec.SubtreeSize"/> is 0.</summary>
    [Id(21)]
    public int Subtrees { get; init; }

    /// <summary>Wall seconds of the subtree stage in this run (all subtrees, from the first call to the last result).</summary>
    [Id(22)]
    public double SubtreeSeconds { get; init; }

    /// <summary>Subtrees taken from an earlier run's checkpoint instead of being solved again.</summary>
    [Id(23)]
    public int ResumedSubtrees { get; init; }

    /// <summary>The job's epoch: the generation of the coordinator run that reported this status (1 for the first run of
    /// a job, one more for each run after, in this activation or another). Only the run of the latest generation writes
    /// checkpoints, removes files or stores the result.</summary>
    [Id(24)]
    public long Generation { get; init; }

    /// <summary>Trunk levels split data-parallel over shard grains (the rows of the level's one block spread over the
    /// silos; <see cref="HiRefJobSpec.TrunkShards"/>).</summary>
    [Id(25)]
    public int ShardedLevels { get; init; }

    /// <summary>Shards of the last sharded level.</summary>
    [Id(26)]
    public int Shards { get; init; }

    /// <summary>Round trips of the sharded levels: fan-outs of one call per shard (each a phase of the co-clustering
    /// returning small per-chunk sums).</summary>
    [Id(27)]
    public long ShardRoundTrips { get; init; }

    /// <summary>Bytes of per-chunk partial sums the shards sent to the coordinator in messages (the points, logits and
    /// checkpoints go through the store and are counted in <see cref="BytesWritten"/> and <see cref="BytesRead"/>).</summary>
    [Id(28)]
    public long ShardMessageBytes { get; init; }

    /// <summary>Times a sharded level started again from its start after losing a shard (a silo lost, a shard grain
    /// deactivated).</summary>
    [Id(29)]
    public int ShardedLevelRestarts { get; init; }

    /// <summary>Wall seconds the coordinator waited on shard fan-outs (each from the calls to the last reply), summed
    /// over the sharded levels; with <see cref="ShardComputeSeconds"/> it splits a sharded level into the shards' work,
    /// the messaging and the coordinator's own serial steps (level seconds minus this minus <see cref="ShardLogitsSeconds"/>).</summary>
    [Id(30)]
    public double ShardFanOutSeconds { get; init; }

    /// <summary>Seconds of shard work on the critical path: per fan-out the slowest shard's compute seconds, summed.</summary>
    [Id(31)]
    public double ShardComputeSeconds { get; init; }

    /// <summary>Seconds to sort the shards' logits in the hard split's order, write them to the store and read them back
    /// on the coordinator page by page (m·(2·r·4 + 24) bytes per sharded level: about the size of an iteration checkpoint
    /// of the level).</summary>
    [Id(32)]
    public double ShardLogitsSeconds { get; init; }

    /// <summary>Bytes moved during each level split in this run (<see cref="LevelSeconds"/>' levels): written to and read
    /// from the store (block inputs and outputs, shard inputs, sorted runs, checkpoints) plus the shards' per-chunk
    /// partials in messages.</summary>
    [Id(33)]
    public IReadOnlyList<long> LevelBytes { get; init; } = [];

    /// <summary>Blocks of sharded multi-block levels taken from an earlier run's per-block checkpoint instead of being
    /// split again (a lost coordinator costs only the block it was splitting).</summary>
    [Id(34)]
    public int ResumedBlocks { get; init; }

    /// <summary>Whether the job is over (succeeded or failed).</summary>
    public bool IsFinished => State is HiRefJobState.Succeeded or HiRefJobState.Failed;
}
