using Monge.Distributed.Storage;

namespace Monge.Distributed;

/// <summary>
/// What a silo needs to run Hierarchical Refinement grains: the block store and a core budget. CPU-bound work (block
/// splits, leaves) runs on the thread pool (<see cref="Task.Run(Action)"/>), never on the grain scheduler, and at most
/// <see cref="Cores"/> block splits run at once on the silo, so the silo keeps answering liveness probes.
/// </summary>
public sealed class HiRefSiloOptions
{
    private SemaphoreSlim? _budget;

    /// <summary>The store every silo and the client share.</summary>
    public required IBlockStore Store { get; init; }

    /// <summary>Block splits running at once on this silo, and the threads of one large split or of the leaves
    /// (default: the processor count minus one, at least 1).</summary>
    public int Cores { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Test hook: a pause after each level checkpoint and each finished subtree, so that a test can kill a silo
    /// while the job runs.</summary>
    internal TimeSpan PauseAfterCheckpoint { get; init; }

    /// <summary>Test hook: a pause before each shard phase call, so that a test can kill a silo while a sharded level
    /// runs.</summary>
    internal TimeSpan ShardCallDelay { get; init; }

    internal SemaphoreSlim Budget => _budget ??= new SemaphoreSlim(Math.Max(1, Cores));
}
