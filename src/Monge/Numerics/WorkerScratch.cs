using System.Collections.Concurrent;

namespace Monge.Numerics;

/// <summary>
/// <c>Parallel.For</c> with thread-local state, one scratch per worker that outlives the loop's task replicas: the loop's tasks give their thread back after a
/// time slice of ≈ 100–150 ms of wall time and a new replica calls the local-init delegate again, so a scratch allocated
/// there is allocated once per time slice, not once per worker. On a loaded machine (time slices of little CPU) a loop
/// with a scratch of tens of MB allocated several GB of large-object garbage per CPU-minute and the process grew while the
/// background collector lagged (sparsemem, stop 28: the certificate's 16-D sparse level at 1M, > 8.59 GB). Here a scratch
/// a replica ends with goes back to a bag and the next replica takes it, so at most one scratch per concurrent worker is
/// ever allocated. The body must not depend on a scratch's history (as with any Parallel.For local state, which serves
/// an arbitrary share of the indices).
/// </summary>
internal static class WorkerScratch
{
    /// <summary>Local-init calls of the loops run here (one per task replica; a diagnostic for benchmarks).</summary>
    internal static long Replicas;

    /// <summary>Scratches allocated by the loops run here (a diagnostic for benchmarks).</summary>
    internal static long Created;

    /// <summary>Runs <paramref name="body"/> for each index in [<paramref name="from"/>, <paramref name="to"/>) in parallel,
    /// each worker with a scratch from <paramref name="create"/>, reused across the loop's replicas; then
    /// <paramref name="finish"/> once for each scratch allocated (for counters kept in a scratch).</summary>
    public static void For<TScratch>(int from, int to, ParallelOptions options, Func<TScratch> create, Action<int, TScratch> body, Action<TScratch>? finish = null)
        where TScratch : class
    {
        var bag = new ConcurrentBag<TScratch>();
        TScratch Take()
        {
            Interlocked.Increment(ref Replicas);
            if (bag.TryTake(out var scratch))
            {
                return scratch;
            }

            Interlocked.Increment(ref Created);
            return create();
        }

        Parallel.For(from, to, options, Take, (i, _, scratch) =>
        {
            body(i, scratch);
            return scratch;
        }, bag.Add);
        if (finish is not null)
        {
            foreach (var scratch in bag)
            {
                finish(scratch);
            }
        }
    }
}
