using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Hierarchical;

public class CapacitySplitTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(7, 7)]
    [InlineData(1009, 16)]
    [InlineData(5, 2)]
    public void ChildSizes_DifferByAtMostOne_AndSumToSize(int size, int r)
    {
        var sizes = new int[r];
        CapacitySplit.ChildSizes(size, r, sizes);
        Assert.Equal(size, sizes.Sum());
        Assert.True(sizes.Max() - sizes.Min() <= 1);
        Assert.Equal((size + r - 1) / r, sizes.Max());
    }

    [Fact]
    public void MarginGreedy_RankTwo_MatchesBruteForceOptimum()
    {
        var rng = Seeds.Create(3);
        for (var trial = 0; trial < 30; trial++)
        {
            var n = 2 + rng.Next(9);
            var scores = new double[n * 2];
            for (var t = 0; t < scores.Length; t++)
            {
                scores[t] = rng.NextDouble();
            }

            int[] caps = [(n + 1) / 2, n / 2];
            var labels = new int[n];
            CapacitySplit.MarginGreedy(scores, n, 2, caps, labels, new double[n], new int[n]);
            Assert.Equal(caps[0], labels.Count(l => l == 0));
            var greedy = Enumerable.Range(0, n).Sum(i => scores[(i * 2) + labels[i]]);

            var best = double.NegativeInfinity;
            for (var mask = 0; mask < 1 << n; mask++)
            {
                if (System.Numerics.BitOperations.PopCount((uint)mask) != caps[1])
                {
                    continue;
                }

                var total = 0.0;
                for (var i = 0; i < n; i++)
                {
                    total += scores[(i * 2) + ((mask >> i) & 1)];
                }

                best = Math.Max(best, total);
            }

            NumericAssert.Close(best, greedy, rtol: 1e-12, what: $"trial {trial}");
        }
    }

    [Fact]
    public void MarginGreedy_ManyClusters_MeetsCapacitiesExactly()
    {
        var rng = Seeds.Create(4);
        const int n = 503;
        const int r = 7;
        var scores = new double[n * r];
        for (var t = 0; t < scores.Length; t++)
        {
            scores[t] = rng.NextDouble() < 0.5 ? 0.0 : rng.NextDouble(); // many ties
        }

        var caps = new int[r];
        CapacitySplit.ChildSizes(n, r, caps);
        var labels = new int[n];
        CapacitySplit.MarginGreedy(scores, n, r, caps, labels, new double[n], new int[n]);
        for (var z = 0; z < r; z++)
        {
            Assert.Equal(caps[z], labels.Count(l => l == z));
        }

        var indices = Enumerable.Range(100, n).ToArray();
        CapacitySplit.GroupByLabel(indices, labels, caps, new int[n]);
        var offset = 0;
        for (var z = 0; z < r; z++)
        {
            for (var t = offset; t < offset + caps[z]; t++)
            {
                Assert.Equal(z, labels[indices[t] - 100]);
            }

            offset += caps[z];
        }
    }

    // From ParallelMinPoints points on, the margins and the sort run in parts on the given threads and the parts are merged;
    // the order sorted by (margin, score row, index) is total, so the labels are those of the one-thread run, exact ties
    // (rows repeated across points, as in a planted permutation) included.
    [Fact]
    public void MarginGreedy_Parallel_SameLabelsAsOneThread()
    {
        var rng = Seeds.Create(6);
        const int r = 5;
        var n = CapacitySplit.ParallelMinPoints + 4321;
        var distinct = new float[97 * r];
        for (var t = 0; t < distinct.Length; t++)
        {
            distinct[t] = (float)rng.NextDouble();
        }

        var scores = new float[n * r];
        for (var i = 0; i < n; i++)
        {
            distinct.AsSpan(rng.Next(97) * r, r).CopyTo(scores.AsSpan(i * r, r));
        }

        var caps = new int[r];
        CapacitySplit.ChildSizes(n, r, caps);
        var expected = new int[n];
        CapacitySplit.MarginGreedy(scores, n, r, caps, expected, new double[n], new int[n]);
        for (var z = 0; z < r; z++)
        {
            Assert.Equal(caps[z], expected.Count(l => l == z));
        }

        foreach (var threads in new[] { 1, 2, 3, 8 })
        {
            var labels = new int[n];
            CapacitySplit.MarginGreedy(scores, n, r, caps, labels, new double[n], new int[n], new ParallelOptions { MaxDegreeOfParallelism = threads });
            Assert.Equal(expected, labels);
        }
    }

    // The hard split of a sharded level (issue 15): each shard sorts its rows (CapacitySplit.SortedRun) and the
    // coordinator merges the runs page by page. Scores on a coarse grid, so that many margins tie and many rows are
    // equal (the tie-breaks by row, then by index, decide), some rows with an infinite gap; runs given in any order and
    // cut in pages of any size: the labels are the whole block's MarginGreedy labels.
    [Theory]
    [InlineData(new[] { 0 }, 5000)]
    [InlineData(new[] { 0, 1024, 3072 }, 700)]
    [InlineData(new[] { 0, 2048, 4096 }, 1)]
    [InlineData(new[] { 0, 1, 2, 4999 }, 3)]
    public void MergedGreedy_SortedRunsOfShards_SameLabelsAsWholeBlock(int[] starts, int pageRows)
    {
        const int n = 5000;
        const int r = 6;
        var rng = Seeds.Create(11);
        var scores = new float[n * r];
        for (var t = 0; t < scores.Length; t++)
        {
            scores[t] = rng.Next(4) * 0.5f;
        }

        for (var i = 0; i < n; i += 97)
        {
            scores[(i * r) + rng.Next(r)] = float.NegativeInfinity;
        }

        var caps = new int[r];
        CapacitySplit.ChildSizes(n, r, caps);
        var expected = new int[n];
        CapacitySplit.MarginGreedy(scores, n, r, caps, expected, new double[n], new int[n]);

        var runs = new List<IMarginRun>();
        for (var s = starts.Length - 1; s >= 0; s--)
        {
            var (start, end) = (starts[s], s + 1 < starts.Length ? starts[s + 1] : n);
            var run = CapacitySplit.SortedRun(scores[(start * r)..(end * r)], end - start, r, start, new ParallelOptions { MaxDegreeOfParallelism = 2 });
            runs.Add(new PagedRun(run, r, pageRows));
        }

        var labels = new int[n];
        CapacitySplit.MergedGreedy(runs, r, caps, labels);
        Assert.Equal(expected, labels);
        Assert.Equal(caps, Enumerable.Range(0, r).Select(z => labels.Count(l => l == z)));
    }

    [Fact]
    public void MergedGreedy_RunsMissingARow_Throws()
    {
        const int r = 2;
        var scores = new float[] { 1, 0, 0, 1, 1, 1 };
        var run = CapacitySplit.SortedRun(scores[..4], 2, r, 0);
        Assert.Throws<InvalidOperationException>(() => CapacitySplit.MergedGreedy([new MemoryMarginRun(run)], r, [2, 1], new int[3]));
    }

    // A run cut in pages of a given size (as the store serves a shard's run).
    private sealed class PagedRun(MarginPage run, int r, int pageRows) : IMarginRun
    {
        private int _next;

        public MarginPage? NextPage()
        {
            if (_next >= run.Keys.Length)
            {
                return null;
            }

            var count = Math.Min(pageRows, run.Keys.Length - _next);
            var page = new MarginPage(run.Keys[_next..(_next + count)], run.Indices[_next..(_next + count)], run.Rows[(_next * r)..((_next + count) * r)]);
            _next += count;
            return page;
        }
    }
}
