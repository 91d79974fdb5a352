using Monge.Numerics;

namespace Monge.Tests.Numerics;

/// <summary>WorkerScratch.For: every index once, at most one scratch per concurrent worker however often the loop's task
/// replicas restart (sparsemem, stop 28), and the finish callback once per scratch.</summary>
public class WorkerScratchTests
{
    private sealed class Counter
    {
        public int Id { get; init; }

        public long Items { get; set; }

        public bool InUse { get; set; }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void For_VisitsEachIndexOnce_AndAllocatesAtMostOneScratchPerWorker(int workers)
    {
        // Bodies that block ≈ 1 ms each: ≈ 0.6 s in all, several of the loop's ≈ 100 ms replica time slices, so that
        // replicas end and restart (each restart called the local init: a new scratch before WorkerScratch).
        const int count = 600;
        var visits = new int[count];
        var created = 0;
        var finished = new List<Counter>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers };
        WorkerScratch.For(0, count, options, () => new Counter { Id = Interlocked.Increment(ref created) }, (i, scratch) =>
        {
            // No two workers hold the same scratch at once.
            Assert.False(scratch.InUse);
            scratch.InUse = true;
            Interlocked.Increment(ref visits[i]);
            scratch.Items++;
            Thread.Sleep(1);
            scratch.InUse = false;
        }, finished.Add);

        Assert.All(visits, v => Assert.Equal(1, v));
        Assert.InRange(created, 1, workers);
        Assert.Equal(created, finished.Count);
        Assert.Equal(created, finished.Select(c => c.Id).Distinct().Count());
        Assert.Equal(count, finished.Sum(c => c.Items));
    }

    [Fact]
    public void For_EmptyRange_CallsNothing()
    {
        var created = 0;
        var finished = 0;
        WorkerScratch.For(5, 5, new ParallelOptions(), () => new Counter { Id = ++created }, (_, _) => Assert.Fail("no index"), _ => finished++);
        Assert.InRange(created, 0, 1);
        Assert.Equal(created, finished);
    }
}
