namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The slab rounds of the polish. Each round groups the matched pairs (x, y_σ(x)) — points of the joint 2d-dimensional
/// space — into groups of about <c>slabSize</c> pairs, reorders both index arrays so that every group is a contiguous
/// range (the pairing is what matters, not the positions; the leaf ranges are not used after this step) and re-solves
/// every group exactly, in parallel. Two ways to group:
/// <list type="bullet">
/// <item><b>slabs</b> (<c>cells</c> false): sort by the projection on one seeded random direction and cut consecutive
/// slabs — thin layers that cut across the leaves and the upper-level blocks;</item>
/// <item><b>cells</b> (<c>cells</c> true): a random-projection tree — halve every group at the median of its projection on
/// a seeded random direction (a new direction per depth) until groups hold at most <c>slabSize</c> pairs. Cells are
/// compact in the joint space, so every group holds pairs that are close in both x and y, which is where cheap
/// exchanges are; at large n a thin slab spreads its pairs over the whole other 2d − 1 directions.</item>
/// </list>
/// Block-coordinate descent on the exact assignment problem: never raises the cost. Stops after a round that gains at
/// most <c>tolerance</c> (relative; 0 runs every round). Directions come from SplitMix64(seed, 1000 + round, depth), so
/// the result is deterministic whatever the thread count. For n ≤ slabSize one round is the exact solve of the whole
/// problem.
/// </summary>
internal sealed class SlabPolish(int rounds, int slabSize, int seed, bool cells = false, double tolerance = 0) : IHiRefPolishStep
{
    public string Name => cells ? "cells" : "slabs";

    /// <summary>Rounds run by the last <see cref="Apply"/>.</summary>
    public int RoundsRun { get; private set; }

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
        var direction = new double[2 * d];
        var count = (n + slabSize - 1) / slabSize;
        var slabs = new List<(int StartA, int SizeA, int StartB, int SizeB)>();
        for (var b = 0; b < count; b++)
        {
            var start = (int)((long)n * b / count);
            slabs.Add((start, (int)((long)n * (b + 1) / count) - start, 0, 0));
        }

        var total = count == 1 ? 1 : rounds;
        RoundsRun = 0;
        for (var round = 0; round < total; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (cells && count > 1)
            {
                slabs = Cells(matching, round, keys, order, bufferX, bufferY, direction);
            }
            else
            {
                Direction(seed, round, 0, direction);
                Project(matching, 0, n, direction, keys, order);
                Array.Sort(keys, order);
                Permute(idxX, idxY, order, bufferX, bufferY, 0, n);
            }

            var bytes = matching.SolveRanges(slabs, $"slab {round + 1}", cancellationToken);
            matching.RecordScratch(bytes + (4L * n * sizeof(int)) + (n * sizeof(double)));
            var previous = matching.Value;
            var cost = matching.Recompute();
            RoundsRun++;
            matching.Progress?.Report(new SolverProgress($"slab {round + 1}", slabs.Count, slabs.Count, (previous - cost) / previous));
            if (tolerance > 0 && previous - cost <= tolerance * previous)
            {
                break;
            }
        }
    }

    // The random-projection tree: a breadth-first list of ranges, each halved at the median of its projection on the
    // depth's direction (sizes proportional to the number of cells on each side, so cells differ by at most one pair
    // from ⌊n / count⌋), until every range holds at most slabSize pairs.
    private List<(int StartA, int SizeA, int StartB, int SizeB)> Cells(HiRefMatching matching, int round, double[] keys, int[] order, int[] bufferX, int[] bufferY, double[] direction)
    {
        var n = matching.IndicesX.Length;
        var current = new List<(int Start, int Size, int Cells)> { (0, n, (n + slabSize - 1) / slabSize) };
        var depth = 0;
        while (current.Exists(c => c.Cells > 1))
        {
            Direction(seed, round, depth, direction);
            var next = new List<(int Start, int Size, int Cells)>(current.Count * 2);
            foreach (var (start, size, parts) in current)
            {
                if (parts <= 1)
                {
                    next.Add((start, size, parts));
                    continue;
                }

                Project(matching, start, size, direction, keys, order);
                Array.Sort(keys, order, start, size);
                Permute(matching.IndicesX, matching.IndicesY, order, bufferX, bufferY, start, size);
                var left = parts / 2;
                var cut = (int)((long)size * left / parts);
                next.Add((start, cut, left));
                next.Add((start + cut, size - cut, parts - left));
            }

            current = next;
            depth++;
        }

        return current.ConvertAll(c => (c.Start, c.Size, 0, 0));
    }

    private static void Direction(int seed, int round, int depth, double[] direction)
    {
        var rng = new Random((int)(HiRefBlockSplitter.BlockSeed(seed, 1000 + round, depth) & 0x7FFFFFFF));
        for (var k = 0; k < direction.Length; k++)
        {
            direction[k] = (2 * rng.NextDouble()) - 1;
        }
    }

    // keys[p] = ⟨direction, (x_p, y_p)⟩ and order[p] = p for the positions start … start + size − 1.
    private static void Project(HiRefMatching matching, int start, int size, double[] direction, double[] keys, int[] order)
    {
        var xs = matching.X.Span;
        var ys = matching.Y.Span;
        var d = matching.Dimension;
        var idxX = matching.IndicesX;
        var idxY = matching.IndicesY;
        for (var p = start; p < start + size; p++)
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
    }

    // Reorders the pairs of positions start … start + size − 1 by order (positions into the same range).
    private static void Permute(int[] idxX, int[] idxY, int[] order, int[] bufferX, int[] bufferY, int start, int size)
    {
        for (var p = start; p < start + size; p++)
        {
            bufferX[p] = idxX[order[p]];
            bufferY[p] = idxY[order[p]];
        }

        Array.Copy(bufferX, start, idxX, start, size);
        Array.Copy(bufferY, start, idxY, start, size);
    }
}
