using Monge.Geometry.Costs;
using Monge.Solvers.Hierarchical;

namespace Monge.Distributed;

/// <summary>
/// What a distributed Hierarchical Refinement job solves and with which options: a serializable subset of
/// <see cref="HierarchicalRefinement"/> (every other option keeps its default). <see cref="ToSolver"/> builds the
/// single-machine solver with the same options, whose permutation the job reproduces bit for bit.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record HiRefJobSpec
{
    /// <summary>Points per cloud, n (set by <see cref="DistributedHierarchicalRefinement"/>).</summary>
    [Id(0)]
    public int Count { get; init; }

    /// <summary>The dimension d (set by <see cref="DistributedHierarchicalRefinement"/>).</summary>
    [Id(1)]
    public int Dimension { get; init; }

    /// <summary>The cost name, as <see cref="CostFunction.Parse{T}(string)"/> reads it (default "sqeuclidean").</summary>
    [Id(2)]
    public string Cost { get; init; } = "sqeuclidean";

    /// <summary>The time/quality budget (<see cref="HierarchicalRefinement.ForQuality"/>; default Balanced).</summary>
    [Id(3)]
    public string Quality { get; init; } = nameof(HiRefQuality.Balanced);

    /// <summary><see cref="HierarchicalRefinement.LeafSize"/> (default 256).</summary>
    [Id(4)]
    public int LeafSize { get; init; } = 256;

    /// <summary><see cref="HierarchicalRefinement.MaxRank"/> (default 16).</summary>
    [Id(5)]
    public int MaxRank { get; init; } = 16;

    /// <summary><see cref="HierarchicalRefinement.MaxDepth"/> (default 8).</summary>
    [Id(6)]
    public int MaxDepth { get; init; } = 8;

    /// <summary><see cref="HierarchicalRefinement.Seed"/> (default 0).</summary>
    [Id(7)]
    public int Seed { get; init; }

    /// <summary><see cref="HierarchicalRefinement.RankSchedule"/> (null: automatic).</summary>
    [Id(8)]
    public IReadOnlyList<int>? RankSchedule { get; init; }

    /// <summary><see cref="HierarchicalRefinement.Polish"/> (default on).</summary>
    [Id(9)]
    public bool Polish { get; init; } = true;

    /// <summary>Blocks of at most this many points go whole to a worker grain as a subtree: its remaining levels and its
    /// exact leaves in one call, checkpointed per subtree (default 131 072; the levels above are split block by block).
    /// 0 keeps every level on the coordinator's level executor and the leaves on the coordinator. Any value gives the same
    /// permutation; a worker holds its subtree's points (2·m·d doubles) and the splitter's scratch for m points.</summary>
    [Id(10)]
    public int SubtreeSize { get; init; } = DefaultSubtreeSize;

    /// <summary>How a trunk level with one block (level 0) of at least <see cref="HierarchicalRefinement.SinglePrecisionMinBlock"/>
    /// points and a squared-Euclidean cost is split: 0 (default) data-parallel over one shard grain per active silo, a
    /// positive number over that many shards (each a chunk-aligned row range, at most one per 1024 rows), −1 on one
    /// worker as one block. Any value gives the same permutation.</summary>
    [Id(11)]
    public int TrunkShards { get; init; }

    /// <summary><see cref="HierarchicalRefinement.SinglePrecisionMinBlock"/> (null: the solver's default, 524 288): blocks
    /// from this size on use the single-precision co-clustering, which a sharded trunk level needs.</summary>
    [Id(12)]
    public int? SinglePrecisionMinBlock { get; init; }

    /// <summary>The default <see cref="SubtreeSize"/>, 131 072 points.</summary>
    public const int DefaultSubtreeSize = 131072;

    /// <summary>The single-machine solver with these options (its <see cref="HierarchicalRefinement.Executor"/> is the
    /// local one; the job replaces it).</summary>
    /// <exception cref="ArgumentException">An unknown quality or cost name, or a negative <see cref="SubtreeSize"/>.</exception>
    public HierarchicalRefinement ToSolver()
    {
        if (SubtreeSize < 0)
        {
            throw new ArgumentException($"SubtreeSize must be 0 (off) or positive (got {SubtreeSize}).", nameof(SubtreeSize));
        }

        if (TrunkShards < -1)
        {
            throw new ArgumentException($"TrunkShards must be −1 (off), 0 (one per silo) or positive (got {TrunkShards}).", nameof(TrunkShards));
        }

        if (!Enum.TryParse<HiRefQuality>(Quality, ignoreCase: true, out var quality) || !Enum.IsDefined(quality))
        {
            throw new ArgumentException($"Unknown quality '{Quality}' (fast, balanced or best).", nameof(Quality));
        }

        var solver = HierarchicalRefinement.ForQuality(quality);
        return solver with
        {
            SinglePrecisionMinBlock = SinglePrecisionMinBlock ?? solver.SinglePrecisionMinBlock,
            Cost = CostFunction.Parse<double>(Cost),
            LeafSize = LeafSize,
            MaxRank = MaxRank,
            MaxDepth = MaxDepth,
            Seed = Seed,
            RankSchedule = RankSchedule?.ToArray(),
            Polish = Polish,

            // Every silo derives the job's schedule from n alone (ScheduleFor); the single-machine choice of level 1's
            // rank on a sample of the points would give the coordinator another schedule than the workers.
            FirstRankCandidates = [],
        };
    }

    /// <summary>Whether two specs describe the same job (the rank schedules compared by value).</summary>
    /// <param name="other">The other spec.</param>
    public bool SameJobAs(HiRefJobSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with { RankSchedule = null } == other with { RankSchedule = null }
            && (RankSchedule ?? []).SequenceEqual(other.RankSchedule ?? []) && (RankSchedule is null) == (other.RankSchedule is null);
    }
}
