using System.Collections.Concurrent;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The scratches of one solve, kept across its levels: a worker of level t + 1 takes a scratch of level t instead of
/// allocating beside it. Before each level the solver drops the scratches sized for much larger blocks (<see cref="TrimFor"/>):
/// at 10⁷ points level 1's scratch is ~2.7 GB while a level-2 block needs ~0.2 GB, and keeping it would hold level 1's
/// memory through every later level. Thread-safe.
/// </summary>
internal sealed class HiRefScratchPool
{
    /// <summary>Dropping at least this many bytes runs a full blocking collection, so that the next level's buffers
    /// reuse the memory instead of growing the process while the dropped arrays wait for the GC's own schedule.</summary>
    internal const long CollectBytes = 256L << 20;

    private readonly ConcurrentBag<HiRefScratch> _bag = [];

    /// <summary>Scratches in the pool.</summary>
    public int Count => _bag.Count;

    /// <summary>Bytes held by the scratches in the pool.</summary>
    public long Bytes => _bag.Sum(s => s.Bytes);

    /// <summary>A pooled scratch, or a new one when the pool is empty.</summary>
    public HiRefScratch Take() => _bag.TryTake(out var scratch) ? scratch : new HiRefScratch();

    /// <summary>Puts a scratch back.</summary>
    public void Return(HiRefScratch scratch) => _bag.Add(scratch);

    /// <summary>Drops the scratches that served a block of more than twice <paramref name="largestBlock"/> points (the
    /// largest block of the level about to run); returns the bytes dropped. Not to be called while a level runs.</summary>
    public long TrimFor(int largestBlock)
    {
        var kept = new List<HiRefScratch>();
        var dropped = 0L;
        while (_bag.TryTake(out var scratch))
        {
            if (scratch.LargestBlock > 2L * largestBlock)
            {
                dropped += scratch.Bytes;
            }
            else
            {
                kept.Add(scratch);
            }
        }

        foreach (var scratch in kept)
        {
            _bag.Add(scratch);
        }

        Collect(dropped);
        return dropped;
    }

    /// <summary>Drops every scratch (after the last level); returns the bytes dropped.</summary>
    public long Clear()
    {
        var dropped = Bytes;
        _bag.Clear();
        Collect(dropped);
        return dropped;
    }

    private static void Collect(long dropped)
    {
        if (dropped >= CollectBytes)
        {
            // Hundreds of megabytes of large-object arrays just became garbage: reclaim them now, before the next
            // stage allocates, and give the pages back (an aggressive collection decommits the freed regions; a forced
            // one kept them committed, so the process stayed at level 1's size through the later levels: 2.5M points,
            // docs/hiref.md). Blocking; the live heap is the points and the index arrays.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }
}
