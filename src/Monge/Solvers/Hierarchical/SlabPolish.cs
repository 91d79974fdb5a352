namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The slab rounds of the polish: each round projects every matched pair (x, y_σ(x)) on a seeded random direction of
/// the joint 2d-dimensional space, sorts the pairs by it, reorders both index arrays by it (the pairing is what matters,
/// not the positions; the leaf ranges are not used after this step) and re-solves consecutive slabs of about
/// <c>slabSize</c> pairs exactly. Slabs cut across leaves and upper-level blocks. Never raises the cost. Directions
/// come from SplitMix64(seed, 1000 + round, 0), so the result is deterministic. For n ≤ slabSize one round is the
/// exact solve of the whole problem.
/// </summary>
internal sealed class SlabPolish(int rounds, int slabSize, int seed) : IHiRefPolishStep
{
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
        var slabs = new List<(int StartA, int SizeA, int StartB, int SizeB)>();
        var count = (n + slabSize - 1) / slabSize;
        for (var b = 0; b < count; b++)
        {
            var start = (int)((long)n * b / count);
            slabs.Add((start, (int)((long)n * (b + 1) / count) - start, 0, 0));
        }

        var total = count == 1 ? 1 : rounds;
        for (var round = 0; round < total; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rng = new Random((int)(HiRefBlockSplitter.BlockSeed(seed, 1000 + round, 0) & 0x7FFFFFFF));
            for (var k = 0; k < direction.Length; k++)
            {
                direction[k] = (2 * rng.NextDouble()) - 1;
            }

            var xs = matching.X.Span;
            var ys = matching.Y.Span;
            for (var p = 0; p < n; p++)
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

            Array.Sort(keys, order);
            for (var p = 0; p < n; p++)
            {
                bufferX[p] = idxX[order[p]];
                bufferY[p] = idxY[order[p]];
            }

            bufferX.CopyTo(idxX, 0);
            bufferY.CopyTo(idxY, 0);
            var bytes = matching.SolveRanges(slabs, $"slab {round + 1}", cancellationToken);
            matching.RecordScratch(bytes + (4L * n * sizeof(int)) + (n * sizeof(double)));
            matching.Recompute();
        }
    }
}
