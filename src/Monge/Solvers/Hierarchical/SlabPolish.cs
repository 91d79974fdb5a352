using Monge.Numerics;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The slab rounds of the polish: each round projects every matched pair (x, y_σ(x)) on a seeded random direction of
/// the joint 2d-dimensional space, sorts the pairs by it, reorders both index arrays by it (the pairing is what matters,
/// not the positions; the leaf ranges are not used after this step) and re-solves consecutive slabs of about
/// <c>slabSize</c> pairs exactly, in parallel. Slabs cut across leaves and upper-level blocks. Never raises the cost.
/// Stops after <c>patience</c> consecutive rounds that each gain at most <c>tolerance</c> (relative; 0 runs every round;
/// patience 1 stops at the first such round). The gain of a round depends on its direction (checkerboard, n = 131 072:
/// 2.8·10⁻⁵ in round 11, then 3.6·10⁻⁴ and 6.4·10⁻⁴), so one poor round does not mean the rounds are done. Directions come from
/// SplitMix64(seed, directionOffset + round, 0) (offset 1000; the first large rounds use 2000), so the result is deterministic whatever the thread count, and a run with more
/// rounds continues the run with fewer. For n ≤ slabSize one round is the exact solve of the whole problem.
/// </summary>
/// <remarks>Measured and not kept (docs/hiref.md): compact cells of a random-projection tree of the joint space instead
/// of thin slabs (8 Gaussians → moons, n = 131 072, four rounds of 1024: 7.1846 against 7.1740 for slabs); rounds after
/// the first restricted to the pairs whose partner moved by more than half the mean cost in the round before (8 Gaussians
/// → moons, n = 1 048 576, slabs of 128: the active set shrinks from 0.6% of the pairs to none in five rounds and the cost
/// stalls at 2.43% above the bound, against 1.45% for four full rounds).</remarks>
internal sealed class SlabPolish(int rounds, int slabSize, int seed, double tolerance = 0, int patience = 1, int directionOffset = 1000) : IHiRefPolishStep
{
    public string Name => "slabs";

    /// <summary>Rounds run by the last <see cref="Apply"/>.</summary>
    public int RoundsRun { get; private set; }

    /// <summary>Called after every round with (round, pairs whose partner changed, cost): the bench harness's per-round
    /// accounting (<c>hiref tune … slabfrom=</c>); null in the solver.</summary>
    public Action<int, int, double>? OnRound { get; init; }

    public void Apply(HiRefMatching matching, CancellationToken cancellationToken)
    {
        var idxX = matching.IndicesX;
        var idxY = matching.IndicesY;
        var d = matching.Dimension;
        var n = idxX.Length;
        var keys = new double[n];
        var order = new int[n];
        var bufferX = new int[n];
        var bufferY = new int[n];
        double[] keyBuffer = n < CapacitySplit.ParallelMinPoints ? [] : new double[n];
        var direction = new double[2 * d];
        var count = (n + slabSize - 1) / slabSize;
        var slabs = new List<(int StartA, int SizeA, int StartB, int SizeB)>();
        for (var b = 0; b < count; b++)
        {
            var start = (int)((long)n * b / count);
            slabs.Add((start, (int)((long)n * (b + 1) / count) - start, 0, 0));
        }

        // The coordinates by position (row p: x[idxX[p]], y[idxY[p]]), permuted along with the indices: the projection,
        // the slabs' cost fill and the recompute then read them in order (at 1M points each of those passes gathered 2n
        // scattered rows, most of a slab of 32's fill); the same bits (stop 30).
        double[]? rowsX = null, rowsY = null, rowBuffer = null;
        if (count > 1 && n <= matching.PositionalRowsMaxPoints)
        {
            rowsX = new double[(long)n * d];
            rowsY = new double[(long)n * d];
            rowBuffer = new double[(long)n * d];
            GatherRows(matching, n, rowsX, rowsY);
        }

        var total = count == 1 ? 1 : rounds;
        RoundsRun = 0;
        var poor = 0;
        for (var round = 0; round < total; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Direction(seed, directionOffset + round, direction);
            var t0 = HiRefProfile.Start();
            Project(matching, n, direction, keys, order, rowsX, rowsY);
            HiRefProfile.Stop(HiRefProfile.Phase.SlabProject, t0);
            t0 = HiRefProfile.Start();
            SortByKey(keys, order, keyBuffer, bufferX, matching.Parallel);
            HiRefProfile.Stop(HiRefProfile.Phase.SlabSort, t0);
            t0 = HiRefProfile.Start();
            Permute(idxX, idxY, order, bufferX, bufferY, n, matching.Parallel);
            if (rowsX is not null && rowsY is not null && rowBuffer is not null)
            {
                PermuteRows(rowsX, order, rowBuffer, n, d, matching.Parallel);
                PermuteRows(rowsY, order, rowBuffer, n, d, matching.Parallel);
            }

            HiRefProfile.Stop(HiRefProfile.Phase.SlabPermute, t0);

            var bytes = matching.SolveRanges(slabs, $"slab {round + 1}", cancellationToken, fromCurrent: true, rowsX, rowsY);
            matching.RecordScratch(bytes + (4L * n * sizeof(int)) + ((n + keyBuffer.Length) * sizeof(double)) + (3L * (rowsX is null ? 0 : n) * d * sizeof(double)));
            var previous = matching.Value;
            t0 = HiRefProfile.Start();
            var cost = rowsX is not null && rowsY is not null
                ? matching.Value = HierarchicalRefinement.MatchingCostRows(rowsX, rowsY, d, n, matching.Cost)
                : matching.Recompute();
            HiRefProfile.Stop(HiRefProfile.Phase.SlabRecompute, t0);
            RoundsRun++;
            if (OnRound is { } onRound)
            {
                // bufferY still holds the partners before the solve (Permute copied them into place).
                var moved = 0;
                for (var p = 0; p < n; p++)
                {
                    moved += idxY[p] != bufferY[p] ? 1 : 0;
                }

                onRound(round, moved, cost);
            }

            matching.Progress?.Report(new SolverProgress($"slab {round + 1}", slabs.Count, slabs.Count, (previous - cost) / previous));
            poor = tolerance > 0 && previous - cost <= tolerance * previous ? poor + 1 : 0;
            if (poor >= patience)
            {
                break;
            }
        }
    }

    private static void Direction(int seed, int stream, double[] direction)
    {
        var rng = new Random((int)(HiRefBlockSplitter.BlockSeed(seed, stream, 0) & 0x7FFFFFFF));
        for (var k = 0; k < direction.Length; k++)
        {
            direction[k] = (2 * rng.NextDouble()) - 1;
        }
    }

    // keys[p] = ⟨direction, (x_p, y_p)⟩ and order[p] = p for every position p; in parallel over fixed ranges of positions
    // (each key is computed alone, so the keys are the same whatever the thread count; at 10⁷ points the pass gathers 2·10⁷
    // scattered rows).
    private static void Project(HiRefMatching matching, int n, double[] direction, double[] keys, int[] order, double[]? rowsX, double[]? rowsY)
    {
        if (rowsX is not null && rowsY is not null)
        {
            ProjectRows(matching, n, direction, keys, order, rowsX, rowsY);
            return;
        }

        const int chunk = 1 << 16;
        var chunks = (n + chunk - 1) / chunk;
        var options = new ParallelOptions { MaxDegreeOfParallelism = matching.Parallel.MaxDegreeOfParallelism, CancellationToken = matching.Parallel.CancellationToken };
        Parallel.For(0, chunks, options, c =>
        {
            var xs = matching.X.Span;
            var ys = matching.Y.Span;
            var d = matching.Dimension;
            var idxX = matching.IndicesX;
            var idxY = matching.IndicesY;
            var end = Math.Min(n, (c + 1) * chunk);
            for (var p = c * chunk; p < end; p++)
            {
                var xr = xs.Slice(idxX[p] * d, d);
                var yr = ys.Slice(idxY[p] * d, d);
                double key = 0;
                for (var k = 0; k < d; k++)
                {
                    key += (direction[k] * xr[k]) + (direction[d + k] * yr[k]);
                }

                keys[p] = key;
                order[p] = p;
            }
        });
    }

    // Project over the coordinates by position: the same sum per key, so the same keys bit for bit.
    private static void ProjectRows(HiRefMatching matching, int n, double[] direction, double[] keys, int[] order, double[] rowsX, double[] rowsY)
    {
        var d = matching.Dimension;
        FixedChunks.ForRanges(n, RowChunk, Options(matching.Parallel, n), (start, end) =>
        {
            for (var p = start; p < end; p++)
            {
                double key = 0;
                for (var k = 0; k < d; k++)
                {
                    key += (direction[k] * rowsX[(p * d) + k]) + (direction[d + k] * rowsY[(p * d) + k]);
                }

                keys[p] = key;
                order[p] = p;
            }
        });
    }

    // rowsX[p] = x[idxX[p]], rowsY[p] = y[idxY[p]] for every position p, in parallel over fixed ranges.
    private static void GatherRows(HiRefMatching matching, int n, double[] rowsX, double[] rowsY)
    {
        var d = matching.Dimension;
        FixedChunks.ForRanges(n, RowChunk, Options(matching.Parallel, n), (start, end) =>
        {
            var xs = matching.X.Span;
            var ys = matching.Y.Span;
            for (var p = start; p < end; p++)
            {
                xs.Slice(matching.IndicesX[p] * d, d).CopyTo(rowsX.AsSpan(p * d, d));
                ys.Slice(matching.IndicesY[p] * d, d).CopyTo(rowsY.AsSpan(p * d, d));
            }
        });
    }

    // Reorders the rows of d doubles by order through buffer (as Permute does the indices).
    private static void PermuteRows(double[] rows, int[] order, double[] buffer, int n, int d, ParallelOptions parallel)
    {
        FixedChunks.ForRanges(n, RowChunk, Options(parallel, n), (start, end) =>
        {
            if (d == 2)
            {
                for (var p = start; p < end; p++)
                {
                    var q = order[p];
                    buffer[2 * p] = rows[2 * q];
                    buffer[(2 * p) + 1] = rows[(2 * q) + 1];
                }
            }
            else
            {
                for (var p = start; p < end; p++)
                {
                    rows.AsSpan(order[p] * d, d).CopyTo(buffer.AsSpan(p * d, d));
                }
            }
        });

        buffer.AsSpan(0, n * d).CopyTo(rows);
    }

    // Positions per chunk of the loops over the coordinates by position.
    private const int RowChunk = 1 << 16;

    private static ParallelOptions Options(ParallelOptions parallel, int n) =>
        new() { MaxDegreeOfParallelism = n < CapacitySplit.ParallelMinPoints ? 1 : parallel.MaxDegreeOfParallelism, CancellationToken = parallel.CancellationToken };

    /// <summary>Sorts <paramref name="order"/> (the positions 0 … n − 1) by <paramref name="keys"/> (sorted along). Below
    /// <see cref="CapacitySplit.ParallelMinPoints"/> one <see cref="Array.Sort{TKey, TValue}(TKey[], TValue[])"/>, as before
    /// stop 23; above it (the rounds at a million points, where the serial sort held one core idle) the total order
    /// (key, position), whatever the thread count: fixed parts sorted on the workers (ties inside a part put back in
    /// position order), then merged by (key, position) through <paramref name="keyBuffer"/> and <paramref name="buffer"/>
    /// (n entries each). With distinct keys both give the same order.</summary>
    internal static void SortByKey(double[] keys, int[] order, double[] keyBuffer, int[] buffer, ParallelOptions parallel)
    {
        var n = keys.Length;
        if (n < CapacitySplit.ParallelMinPoints)
        {
            Array.Sort(keys, order);
            return;
        }

        const int parts = 4;
        var bounds = new int[parts + 1];
        for (var p = 0; p <= parts; p++)
        {
            bounds[p] = (int)((long)n * p / parts);
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = parallel.MaxDegreeOfParallelism, CancellationToken = parallel.CancellationToken };
        Parallel.For(0, parts, options, p =>
        {
            var (lo, length) = (bounds[p], bounds[p + 1] - bounds[p]);
            Array.Sort(keys, order, lo, length);
            for (var i = lo; i < lo + length;)
            {
                var j = i + 1;
                while (j < lo + length && keys[j] == keys[i])
                {
                    j++;
                }

                if (j - i > 1)
                {
                    Array.Sort(order, i, j - i);
                }

                i = j;
            }
        });

        // Merge the parts pairwise in a fixed order: (0, 1) and (2, 3) into buffer on two threads, then both halves back.
        Parallel.For(0, 2, options, h => Merge(keys, order, bounds[2 * h], bounds[(2 * h) + 1], bounds[(2 * h) + 2], keyBuffer, buffer));
        Merge(keyBuffer, buffer, 0, bounds[2], n, keys, order);
    }

    // Merges the sorted runs [lo, mid) and [mid, hi) of (keys, items) by (key, item) into the same range of the outputs.
    private static void Merge(double[] keys, int[] items, int lo, int mid, int hi, double[] keysOut, int[] itemsOut)
    {
        var (a, b, t) = (lo, mid, lo);
        while (a < mid && b < hi)
        {
            var takeA = keys[a] < keys[b] || (keys[a] == keys[b] && items[a] < items[b]);
            if (takeA)
            {
                (keysOut[t], itemsOut[t]) = (keys[a], items[a]);
                a++;
            }
            else
            {
                (keysOut[t], itemsOut[t]) = (keys[b], items[b]);
                b++;
            }

            t++;
        }

        Array.Copy(keys, a, keysOut, t, mid - a);
        Array.Copy(items, a, itemsOut, t, mid - a);
        t += mid - a;
        Array.Copy(keys, b, keysOut, t, hi - b);
        Array.Copy(items, b, itemsOut, t, hi - b);
    }

    // Reorders the pairs by order (in parallel over fixed ranges above CapacitySplit.ParallelMinPoints).
    private static void Permute(int[] idxX, int[] idxY, int[] order, int[] bufferX, int[] bufferY, int n, ParallelOptions parallel)
    {
        const int chunk = 1 << 16;
        var options = new ParallelOptions { MaxDegreeOfParallelism = n < CapacitySplit.ParallelMinPoints ? 1 : parallel.MaxDegreeOfParallelism, CancellationToken = parallel.CancellationToken };
        Parallel.For(0, (n + chunk - 1) / chunk, options, c =>
        {
            var end = Math.Min(n, (c + 1) * chunk);
            for (var p = c * chunk; p < end; p++)
            {
                bufferX[p] = idxX[order[p]];
                bufferY[p] = idxY[order[p]];
            }
        });

        bufferX.CopyTo(idxX, 0);
        bufferY.CopyTo(idxY, 0);
    }
}
