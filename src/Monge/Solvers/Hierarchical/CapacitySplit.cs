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
                marginScratch[i] = double.IsFinite(gap) ? -gap : double.NegativeInfinity;
            }
        });

        // Sort by (−margin, score row, index).
        var order = orderScratch.AsSpan(0, n);
        SortByKeyThenRow(marginScratch.AsSpan(0, n), order, scores, r, n >= ParallelMinPoints ? parallel : null, pairScratch);
        for (var t = 0; t < n; t++)
        {
            var i = order[t];
            var row = scores.AsSpan(i * r, r);
            var bestZ = -1;
            var best = T.NegativeInfinity;
            for (var z = 0; z < r; z++)
            {
                if (room[z] > 0 && (bestZ < 0 || row[z] > best))
                {
                    best = row[z];
                    bestZ = z;
                }
            }

            labels[i] = bestZ;
            room[bestZ]--;
        }
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
