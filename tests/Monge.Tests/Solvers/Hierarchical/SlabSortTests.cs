using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>The slab rounds' sort (<see cref="SlabPolish.SortByKey"/>, parallel above
/// <see cref="CapacitySplit.ParallelMinPoints"/> since stop 23): the positions in (key, position) order, the keys sorted
/// along, whatever the thread count (independent oracle: LINQ's stable OrderBy on the same keys).</summary>
public class SlabSortTests
{
    [Theory]
    [InlineData(70001, 1, false)]
    [InlineData(70001, 2, false)]
    [InlineData(131072, 3, true)]
    [InlineData(70001, -1, true)]
    public void SortByKey_KeyThenPositionOrder(int n, int threads, bool ties)
    {
        var rng = new Random(n + threads);
        // With ties: keys from 1000 values, so every key repeats ~n/1000 times (the parts must put ties in position order).
        var keys = Enumerable.Range(0, n).Select(_ => ties ? rng.Next(1000) * 0.5 : rng.NextDouble()).ToArray();
        var expected = Enumerable.Range(0, n).OrderBy(p => keys[p]).ToArray(); // stable: ties by position
        var order = Enumerable.Range(0, n).ToArray();
        var sorted = (double[])keys.Clone();
        SlabPolish.SortByKey(sorted, order, new double[n], new int[n], new ParallelOptions { MaxDegreeOfParallelism = threads });
        Assert.Equal(expected, order);
        Assert.Equal(expected.Select(p => keys[p]), sorted);
    }

    [Fact]
    public void SortByKey_SmallInput_SameAsArraySort()
    {
        var rng = new Random(3);
        var keys = Enumerable.Range(0, 5000).Select(_ => rng.NextDouble()).ToArray();
        var (k1, o1) = ((double[])keys.Clone(), Enumerable.Range(0, keys.Length).ToArray());
        Array.Sort(k1, o1);
        var (k2, o2) = ((double[])keys.Clone(), Enumerable.Range(0, keys.Length).ToArray());
        SlabPolish.SortByKey(k2, o2, [], new int[keys.Length], new ParallelOptions());
        Assert.Equal(o1, o2);
        Assert.Equal(k1, k2);
    }
}
