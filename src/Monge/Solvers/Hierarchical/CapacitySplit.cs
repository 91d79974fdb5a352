using System.Numerics;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Hard assignment of n points to r clusters with exact capacities, from scores s (n×r, larger is better):
/// an approximate solution of the transportation problem max Σᵢ s(i, c(i)) subject to |c⁻¹(z)| = cap(z).
/// </summary>
/// <remarks>
/// Margin greedy: points are taken in decreasing order of the margin between their best and second-best score and
/// go to their best cluster that still has room. For r = 2 this is exact (it is the sort by s(i,0) − s(i,1)). Unlike
/// the reference's column-by-column top-k (HiRef, ICML 2025), no cluster is served first, so later clusters are not
/// left with what the earlier ones rejected. O(n·r + n log n) time, O(n) scratch. Ties are broken by the score rows
/// themselves (lexicographically) and only then by point index, and a point's best cluster with room is the first
/// largest score: so the labels depend on the rows' values, not on the order in which the points are listed. Two
/// sides with the same multiset of score rows (a planted permutation) are therefore split alike.
/// </remarks>
internal static class CapacitySplit
{
    /// <summary>Assigns labels; <paramref name="capacities"/> must sum to n.</summary>
    /// <remarks>With <paramref name="parallel"/> the margins and the sort run on its threads (the sort in parts merged
    /// afterwards); the order sorted by is total, so the labels are the same whatever the thread count.</remarks>
    public static void MarginGreedy<T>(T[] scores, int n, int r, ReadOnlySpan<int> capacities, Span<int> labels, double[] marginScratch, int[] orderScratch, ParallelOptions? parallel = null, (double Key, int Index)[]? pairScratch = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<int> room = r <= 1024 ? stackalloc int[r] : new int[r];
        capacities.CopyTo(room);
        Margins(scores, n, r, marginScratch, parallel);

        // Sort by (−margin, score row, index).
        var order = orderScratch.AsSpan(0, n);
        SortByKeyThenRow(marginScratch.AsSpan(0, n), order, scores, r, n >= ParallelMinPoints ? parallel : null, pairScratch);
        for (var t = 0; t < n; t++)
        {
            var i = order[t];
            labels[i] = TakeBest<T>(scores.AsSpan(i * r, r), room);
        }
    }

    // The margin key of each row: −(best − second best), −∞ where that is not finite.
    private static void Margins<T>(T[] scores, int n, int r, double[] margins, ParallelOptions? parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CoClustering.For(CoClustering.Chunks(n), n >= ParallelMinPoints ? parallel : null, c =>
        {
            var (start, end) = CoClustering.Range(c, n);
            for (var i = start; i < end; i++)
            {
                var row = scores.AsSpan(i * r, r);
                var best = T.NegativeInfinity;
                var second = T.NegativeInfinity;
                for (var z = 0; z < r; z++)
                {
                    var s = row[z];
                    if (s > best)
                    {
                        second = best;
                        best = s;
                    }
                    else if (s > second)
                    {
                        second = s;
                    }
                }

                var gap = double.CreateTruncating(best - second);
                margins[i] = double.IsFinite(gap) ? -gap : double.NegativeInfinity;
            }
        });
    }

    // The row's first largest score among the clusters with room; takes one place there.
    private static int TakeBest<T>(ReadOnlySpan<T> row, Span<int> room)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bestZ = -1;
        var best = T.NegativeInfinity;
        for (var z = 0; z < row.Length; z++)
        {
            if (room[z] > 0 && (bestZ < 0 || row[z] > best))
            {
                best = row[z];
                bestZ = z;
            }
        }

        room[bestZ]--;
        return bestZ;
    }

    /// <summary>Rows [<paramref name="offset"/>, <paramref name="offset"/> + n) of a block in the margin greedy's order
    /// (−margin, score row, row index): one sorted run for <see cref="MergedGreedy"/>, made where the rows' scores are
    /// (a shard). Allocates n·(r·4 + 28) bytes (the run and the sort's pairs).</summary>
    /// <param name="scores">The rows' scores, n×r.</param>
    /// <param name="n">Rows.</param>
    /// <param name="r">Clusters.</param>
    /// <param name="offset">The block row index of the first row.</param>
    /// <param name="parallel">Threads for the margins and the sort (the same run whatever the count).</param>
    public static MarginPage SortedRun(float[] scores, int n, int r, int offset, ParallelOptions? parallel = null)
    {
        var margins = new double[n];
        var order = new int[n];
        Margins(scores, n, r, margins, parallel);
        SortByKeyThenRow(margins.AsSpan(0, n), order, scores, r, n >= ParallelMinPoints ? parallel : null, null);
        var page = new MarginPage(new double[n], new int[n], new float[(long)n * r > int.MaxValue ? throw new ArgumentOutOfRangeException(nameof(n)) : n * r]);
        for (var t = 0; t < n; t++)
        {
            var i = order[t];
            page.Keys[t] = margins[i];
            page.Indices[t] = offset + i;
            scores.AsSpan(i * r, r).CopyTo(page.Rows.AsSpan(t * r, r));
        }

        return page;
    }

    /// <summary>The margin greedy of <see cref="MarginGreedy{T}"/> (single precision) over a block whose rows come as
    /// sorted runs (<see cref="SortedRun"/> of disjoint row ranges, read page by page): the runs are merged in the same
    /// total order (−margin, score row, block row index), so the labels are <see cref="MarginGreedy{T}"/>'s on the
    /// whole block, bit for bit, while only one page per run is held.</summary>
    /// <param name="runs">The runs; together they cover every row of the block once.</param>
    /// <param name="r">Clusters.</param>
    /// <param name="capacities">Cluster capacities (summing to the block's rows).</param>
    /// <param name="labels">The block's labels, one per row.</param>
    public static void MergedGreedy(IReadOnlyList<IMarginRun> runs, int r, ReadOnlySpan<int> capacities, Span<int> labels)
    {
        ArgumentNullException.ThrowIfNull(runs);
        Span<int> room = r <= 1024 ? stackalloc int[r] : new int[r];
        capacities.CopyTo(room);
        var pages = new MarginPage?[runs.Count];
        var pos = new int[runs.Count];
        for (var p = 0; p < pages.Length; p++)
        {
            pages[p] = NextPage(runs[p], r);
        }

        var taken = 0;
        while (true)
        {
            var best = -1;
            for (var p = 0; p < pages.Length; p++)
            {
                if (pages[p] is { } page && (best < 0 || Compare(page, pos[p], pages[best]!, pos[best], r) < 0))
                {
                    best = p;
                }
            }

            if (best < 0)
            {
                break;
            }

            var head = pages[best]!;
            var t = pos[best];
            var index = head.Indices[t];
            if ((uint)index >= (uint)labels.Length || taken == labels.Length)
            {
                throw new InvalidOperationException($"A sorted run names row {index} of a block of {labels.Length} rows.");
            }

            labels[index] = TakeBest<float>(head.Rows.AsSpan(t * r, r), room);
            taken++;
            if (++pos[best] == head.Keys.Length)
            {
                pages[best] = NextPage(runs[best], r);
                pos[best] = 0;
            }
        }

        if (taken != labels.Length)
        {
            throw new InvalidOperationException($"The sorted runs hold {taken} rows; the block has {labels.Length}.");
        }
    }

    private static MarginPage? NextPage(IMarginRun run, int r)
    {
        while (run.NextPage() is { } page)
        {
            if (page.Indices.Length != page.Keys.Length || page.Rows.Length != page.Keys.Length * r)
            {
                throw new InvalidOperationException($"A sorted run's page has {page.Keys.Length} keys, {page.Indices.Length} indices and {page.Rows.Length} scores (r = {r}).");
            }

            if (page.Keys.Length > 0)
            {
                return page;
            }
        }

        return null;
    }

    // The order of KeyRowIndexOrder between two run heads.
    private static int Compare(MarginPage a, int i, MarginPage b, int j, int r)
    {
        var c = a.Keys[i].CompareTo(b.Keys[j]);
        if (c != 0)
        {
            return c;
        }

        c = a.Rows.AsSpan(i * r, r).SequenceCompareTo(b.Rows.AsSpan(j * r, r));
        return c != 0 ? c : a.Indices[i].CompareTo(b.Indices[j]);
    }

    /// <summary>Child sizes of a block of <paramref name="size"/> points split in <paramref name="r"/>: ⌈size/r⌉ for the first size mod r, ⌊size/r⌋ after.</summary>
    public static void ChildSizes(int size, int r, Span<int> sizes)
    {
        var q = size / r;
        var extra = size % r;
        for (var z = 0; z < r; z++)
        {
            sizes[z] = q + (z < extra ? 1 : 0);
        }
    }

    /// <summary>Reorders <paramref name="indices"/> so that label 0 comes first, then 1, …, keeping order within a label.</summary>
    public static void GroupByLabel(Span<int> indices, ReadOnlySpan<int> labels, ReadOnlySpan<int> capacities, Span<int> buffer)
    {
        var r = capacities.Length;
        Span<int> offset = r <= 1024 ? stackalloc int[r] : new int[r];
        var running = 0;
        for (var z = 0; z < r; z++)
        {
            offset[z] = running;
            running += capacities[z];
        }

        for (var i = 0; i < indices.Length; i++)
        {
            buffer[offset[labels[i]]++] = indices[i];
        }

        buffer[..indices.Length].CopyTo(indices);
    }

    /// <summary>Blocks below this many points are split on the calling thread.</summary>
    internal const int ParallelMinPoints = 65536;

    // The total order (key, score row, index) of the margin greedy.
    private readonly struct KeyRowIndexOrder<T>(T[] scores, int r) : IComparer<(double Key, int Index)>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int Compare((double Key, int Index) p, (double Key, int Index) q)
        {
            var c = p.Key.CompareTo(q.Key);
            if (c != 0)
            {
                return c;
            }

            c = scores.AsSpan(p.Index * r, r).SequenceCompareTo(scores.AsSpan(q.Index * r, r));
            return c != 0 ? c : p.Index.CompareTo(q.Index);
        }
    }

    private static void SortByKeyThenRow<T>(Span<double> keys, Span<int> items, T[] scores, int r, ParallelOptions? parallel, (double Key, int Index)[]? pairScratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Index is unique, so sorting (key, row, index) lexicographically is a total order: the result does not depend
        // on the sort algorithm's stability nor on how the work is cut into parts.
        var n = keys.Length;
        // The caller's buffer when it has one (at 10⁷ points a fresh array is 160 MB of garbage per side).
        var pairs = pairScratch is not null && pairScratch.Length >= n ? pairScratch : new (double Key, int Index)[n];
        for (var i = 0; i < n; i++)
        {
            pairs[i] = (keys[i], i);
        }

        var comparer = new KeyRowIndexOrder<T>(scores, r);
        var workers = parallel is null ? 1 : parallel.MaxDegreeOfParallelism > 0 ? parallel.MaxDegreeOfParallelism : Environment.ProcessorCount;
        var parts = Math.Clamp(workers, 1, 8);
        if (parts == 1)
        {
            pairs.AsSpan(0, n).Sort(comparer);
            for (var i = 0; i < n; i++)
            {
                items[i] = pairs[i].Index;
            }

            return;
        }

        // Sort `parts` contiguous parts on the workers, then merge them (a linear scan of the part heads: parts ≤ 8).
        var bounds = new int[parts + 1];
        for (var p = 0; p <= parts; p++)
        {
            bounds[p] = (int)((long)n * p / parts);
        }

        Parallel.For(0, parts, parallel!, p => pairs.AsSpan(bounds[p], bounds[p + 1] - bounds[p]).Sort(comparer));
        var heads = bounds[..parts];
        for (var t = 0; t < n; t++)
        {
            var best = -1;
            for (var p = 0; p < parts; p++)
            {
                if (heads[p] < bounds[p + 1] && (best < 0 || comparer.Compare(pairs[heads[p]], pairs[heads[best]]) < 0))
                {
                    best = p;
                }
            }

            items[t] = pairs[heads[best]++].Index;
        }
    }
}

/// <summary>Rows of a block in the margin greedy's order: keys (−margin), block row indices and score rows (count×r,
/// single precision).</summary>
/// <param name="Keys">The rows' keys, ascending with ties broken by <paramref name="Rows"/> then <paramref name="Indices"/>.</param>
/// <param name="Indices">The rows' block row indices.</param>
/// <param name="Rows">The rows' scores, row after row.</param>
internal sealed record MarginPage(double[] Keys, int[] Indices, float[] Rows);

/// <summary>A sorted run of a block's rows (<see cref="CapacitySplit.SortedRun"/>), read page by page. A page is valid
/// until the run's next <see cref="NextPage"/> call (a run may decode every page into the same arrays);
/// <see cref="CapacitySplit.MergedGreedy"/> is done with a run's page when it asks for the next.</summary>
internal interface IMarginRun
{
    /// <summary>The run's next page, or null after the last.</summary>
    MarginPage? NextPage();
}

/// <summary>A run held whole in memory: one page.</summary>
internal sealed class MemoryMarginRun(MarginPage page) : IMarginRun
{
    private MarginPage? _page = page;

    /// <inheritdoc/>
    public MarginPage? NextPage()
    {
        var page = _page;
        _page = null;
        return page;
    }
}
