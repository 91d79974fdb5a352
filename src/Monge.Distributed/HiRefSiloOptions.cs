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

    /// <summary>Whether the silo runs a full compacting garbage collection (the large-object heap included) when a
    /// large piece of work ends: a shard loaded or released, a block split or subtree done on a worker, a level done on
    /// the coordinator (default true). Those leave hundreds of megabytes of large arrays behind at 10 M points, which the
    /// GC otherwise keeps until its gen-2 budget, sized by the live heap, runs out: the silo's peak memory then holds the
    /// next piece of work besides the last one's garbage (measured: docs/distributed.md, "Memory per process and GC
    /// settings"). One collection costs about a second per GB live, a few dozen per job.</summary>
    public bool CompactAfterWork { get; init; } = true;

    /// <summary>Test hook: a pause after each level checkpoint and each finished subtree, so that a test can kill a silo
    /// while the job runs.</summary>
    internal TimeSpan PauseAfterCheckpoint { get; init; }

    /// <summary>Test hook: a pause before each shard phase call, so that a test can kill a silo while a sharded level
    /// runs.</summary>
    internal TimeSpan ShardCallDelay { get; init; }

    /// <summary>The collection of <see cref="CompactAfterWork"/>, if set.</summary>
    internal void Compact()
    {
        if (CompactAfterWork)
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
    }

    internal SemaphoreSlim Budget => _budget ??= new SemaphoreSlim(Math.Max(1, Cores));
}
