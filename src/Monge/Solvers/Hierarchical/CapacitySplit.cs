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
    public static void MarginGreedy<T>(T[] scores, int n, int r, ReadOnlySpan<int> capacities, Span<int> labels, Span<double> marginScratch, Span<int> orderScratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<int> room = r <= 1024 ? stackalloc int[r] : new int[r];
        capacities.CopyTo(room);
        var margin = marginScratch[..n];
        var order = orderScratch[..n];
        for (var i = 0; i < n; i++)
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
            margin[i] = double.IsFinite(gap) ? -gap : double.NegativeInfinity;
            order[i] = i;
        }

        // Sort by (−margin, score row, index).
        SortByKeyThenRow(margin, order, scores, r);
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

    private static void SortByKeyThenRow<T>(Span<double> keys, Span<int> items, T[] scores, int r)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Index is unique, so sorting (key, row, index) lexicographically is a total order: the result does not depend
        // on the sort algorithm's stability.
        var n = keys.Length;
        var pairs = new (double Key, int Index)[n];
        for (var i = 0; i < n; i++)
        {
            pairs[i] = (keys[i], items[i]);
        }

        Array.Sort(pairs, (p, q) =>
        {
            var c = p.Key.CompareTo(q.Key);
            if (c != 0)
            {
                return c;
            }

            c = scores.AsSpan(p.Index * r, r).SequenceCompareTo(scores.AsSpan(q.Index * r, r));
            return c != 0 ? c : p.Index.CompareTo(q.Index);
        });
        for (var i = 0; i < n; i++)
        {
            items[i] = pairs[i].Index;
        }
    }
}
