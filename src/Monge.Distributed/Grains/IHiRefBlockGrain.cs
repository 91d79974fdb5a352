namespace Monge.Distributed.Grains;

/// <summary>
/// A worker that splits one block of one level: it reads the block's points from the store, runs the single-machine
/// block split (<see cref="Monge.Solvers.Hierarchical.HiRefBlockSplitter"/>) off the grain scheduler within the silo's
/// core budget, and writes the permuted local index ranges back to the store. Each call uses a fresh key (job, level,
/// block, attempt), so a retry after a failure lands on a new activation, placed on a surviving silo.
/// </summary>
public interface IHiRefBlockGrain : IGrainWithStringKey
{
    /// <summary>Splits the block (idempotent: the output is a pure function of the input block and the spec).</summary>
    /// <param name="request">The block and where its input and output live.</param>
    /// <returns>The child sizes, or the store error that stopped it.</returns>
    [ResponseTimeout("02:00:00")]
    Task<HiRefBlockReply> SplitAsync(HiRefBlockRequest request);

    /// <summary>Solves the subtree under the block: its remaining levels and its exact leaves, the single-machine code
    /// on the block's points (idempotent, like <see cref="SplitAsync"/>). The output holds the permuted local ranges and
    /// the leaf sizes; <see cref="HiRefBlockRequest.Rank"/> is not used.</summary>
    /// <param name="request">The root block and where its input and output live.</param>
    /// <returns>The leaf sizes, or the store error that stopped it.</returns>
    [ResponseTimeout("04:00:00")]
    Task<HiRefBlockReply> SolveSubtreeAsync(HiRefBlockRequest request);
}

/// <summary>One block split (or one subtree), as the coordinator asks a worker for it.</summary>
[GenerateSerializer]
[Immutable]
public sealed record HiRefBlockRequest
{
    /// <summary>The job's options.</summary>
    [Id(0)]
    public required HiRefJobSpec Spec { get; init; }

    /// <summary>The level number (0 splits the whole problem).</summary>
    [Id(1)]
    public int Level { get; init; }

    /// <summary>The block's index among all blocks of its level (with the level, it fixes the block's seed).</summary>
    [Id(2)]
    public int BlockIndex { get; init; }

    /// <summary>The level's rank.</summary>
    [Id(3)]
    public int Rank { get; init; }

    /// <summary>Points in each part of the block.</summary>
    [Id(4)]
    public int Size { get; init; }

    /// <summary>The store key of the block's points (its X-part then its Y-part, row-major float64).</summary>
    [Id(5)]
    public required string InputKey { get; init; }

    /// <summary>The store key the worker writes the permuted local ranges to.</summary>
    [Id(6)]
    public required string OutputKey { get; init; }
}

/// <summary>A worker's answer.</summary>
[GenerateSerializer]
[Immutable]
public sealed record HiRefBlockReply
{
    /// <summary>The child sizes (a subtree: the leaf sizes), in index-array order (empty on error).</summary>
    [Id(0)]
    public IReadOnlyList<int> ChildSizes { get; init; } = [];

    /// <summary>The silo that split the block.</summary>
    [Id(1)]
    public string Silo { get; init; } = "";

    /// <summary>A store error, if the block's input was missing or corrupt.</summary>
    [Id(2)]
    public HiRefJobErrorKind ErrorKind { get; init; }

    /// <summary>The error message.</summary>
    [Id(3)]
    public string? Error { get; init; }

    /// <summary>The key of the block the error names.</summary>
    [Id(4)]
    public string? ErrorKey { get; init; }
}
