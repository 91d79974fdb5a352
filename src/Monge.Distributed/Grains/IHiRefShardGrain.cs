namespace Monge.Distributed.Grains;

/// <summary>
/// One shard of a data-parallel trunk level: a chunk-aligned row range of the level's block, held in memory between
/// calls (its points, factors, logits and plan), running the co-clustering's data-parallel phases for the coordinator.
/// Its points come from the store once (<see cref="LoadAsync"/>); every phase call carries a few k×r numbers and returns
/// the shard's per-chunk partial sums as bytes; after the last step the shard's rows, sorted in the hard split's order,
/// go back through the store in pages (<see cref="WriteRunsAsync"/>), which the coordinator merges a page at a time. Keys are (job, level, shard,
/// attempt): a lost shard is not retried alone, the level starts again with new keys.
/// </summary>
public interface IHiRefShardGrain : IGrainWithStringKey
{
    /// <summary>Reads the shard's points from the store and fills its factors.</summary>
    /// <param name="load">Where the points are and the shard's rows.</param>
    /// <returns>The silo, or the store error that stopped it.</returns>
    [ResponseTimeout("00:30:00")]
    Task<HiRefBlockReply> LoadAsync(HiRefShardLoad load);

    /// <summary>Runs one phase on the shard's rows.</summary>
    /// <param name="call">The phase and its small inputs.</param>
    /// <returns>The partials of the shard's chunks (float64, little-endian), or <see cref="HiRefShardReply.Lost"/> when
    /// this activation does not hold the shard (it was deactivated or re-activated elsewhere).</returns>
    [ResponseTimeout("00:30:00")]
    Task<HiRefShardReply> RunAsync(HiRefShardCall call);

    /// <summary>Writes the shard's rows of each side sorted in the hard split's order (keys, block row indices and
    /// logits: <c>CapacitySplit.SortedRun</c>) to the store, in pages of <see cref="ShardRuns.PageRows"/> rows: keys
    /// <c>{key}{side}.{page}</c> (<see cref="ShardRuns"/>).</summary>
    /// <param name="key">The store key prefix.</param>
    /// <returns>Whether this activation held the shard.</returns>
    [ResponseTimeout("00:30:00")]
    Task<HiRefShardReply> WriteRunsAsync(string key);

    /// <summary>Drops the shard's memory (the level is done or abandoned).</summary>
    /// <returns>A task.</returns>
    Task ReleaseAsync();
}

/// <summary>What a shard loads.</summary>
[GenerateSerializer]
[Immutable]
public sealed record HiRefShardLoad
{
    /// <summary>The store key of the shard's points: its X rows then its Y rows, row-major float64.</summary>
    [Id(0)]
    public required string InputKey { get; init; }

    /// <summary>First row of the block (a multiple of 1024).</summary>
    [Id(1)]
    public int Start { get; init; }

    /// <summary>One past the last row.</summary>
    [Id(2)]
    public int End { get; init; }

    /// <summary>Rows of the block.</summary>
    [Id(3)]
    public int Count { get; init; }

    /// <summary>Dimension.</summary>
    [Id(4)]
    public int Dimension { get; init; }

    /// <summary>Clusters of the level.</summary>
    [Id(5)]
    public int Rank { get; init; }

    /// <summary>The block's mean of both point sets (the factors' centre).</summary>
    [Id(6)]
    public required double[] Mean { get; init; }
}

/// <summary>One phase call (see the core's sharded co-clustering).</summary>
[GenerateSerializer]
[Immutable]
public sealed record HiRefShardCall
{
    /// <summary>0 row ranges, 1 step and softmax, 2 sweep, 3 final with the contraction, 4 final without, 5 distances,
    /// 6 weighted centres.</summary>
    [Id(0)]
    public int Phase { get; init; }

    /// <summary>0: Q (source), 1: R (target).</summary>
    [Id(1)]
    public int Side { get; init; }

    /// <summary>The k×r matrix of the phase (the step's contraction, the row ranges' mQ, or the centres).</summary>
    [Id(2)]
    public double[]? Matrix { get; init; }

    /// <summary>The row ranges' mR.</summary>
    [Id(3)]
    public double[]? Other { get; init; }

    /// <summary>The mirror step.</summary>
    [Id(4)]
    public double Step { get; init; }

    /// <summary>Whether <see cref="Scale"/> applies.</summary>
    [Id(5)]
    public bool HasScale { get; init; }

    /// <summary>The factor the logits are multiplied by first.</summary>
    [Id(6)]
    public float Scale { get; init; }

    /// <summary>The column scalings v.</summary>
    [Id(7)]
    public float[]? V { get; init; }

    /// <summary>The previous column scalings.</summary>
    [Id(8)]
    public float[]? Previous { get; init; }
}

/// <summary>A shard's answer.</summary>
[GenerateSerializer]
[Immutable]
public sealed record HiRefShardReply
{
    /// <summary>The partials of the shard's chunks, float64 little-endian.</summary>
    [Id(0)]
    public byte[] Partials { get; init; } = [];

    /// <summary>This activation does not hold the shard.</summary>
    [Id(1)]
    public bool Lost { get; init; }

    /// <summary>Seconds the shard computed for this call (on its silo's threads, not counting the queue for a core).</summary>
    [Id(2)]
    public double Seconds { get; init; }
}
