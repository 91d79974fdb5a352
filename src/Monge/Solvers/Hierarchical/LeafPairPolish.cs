namespace Monge.Solvers.Hierarchical;

/// <summary>
/// The leaf-pair rounds of the polish: each round describes every leaf by its (source centroid, target centroid),
/// pairs each leaf with a near leaf (greedy, disjoint, never a pair from an earlier round) and re-solves each pair's
/// union exactly (2·LeafSize points, in parallel). The X-parts stay; their partners move. Never raises the cost; stops
/// after a round that gains at most <c>tolerance</c> (relative). Counts its rounds in
/// <see cref="HiRefMatching.PolishRounds"/>.
/// </summary>
internal sealed class LeafPairPolish(int rounds, double tolerance) : IHiRefPolishStep
{
    public string Name => "leaf pairs";

    public int RoundsRun { get; private set; }

    public void Apply(HiRefMatching matching, CancellationToken cancellationToken)
    {
        RoundsRun = 0;
        var used = new HashSet<long>();
        for (var round = 0; round < rounds; round++)
        {
            var pairs = PairNeighbouringLeaves(matching.X.Span, matching.Y.Span, matching.Dimension, matching.IndicesX, matching.IndicesY, matching.Leaves, used);
            if (pairs.Count == 0)
            {
                break;
            }

            matching.SolveExactly(pairs, $"polish {round + 1}", cancellationToken);
            var previous = matching.Value;
            var cost = matching.Recompute();
            matching.PolishRounds++;
            RoundsRun++;
            if (previous - cost <= tolerance * previous)
            {
                break;
            }
        }
    }

    // Pairs of leaves for one polish round: candidate pairs are each leaf's nearest leaves by the distance between
    // their (source centroid, target centroid) descriptors; a greedy matching in order of distance takes disjoint pairs
    // not used in earlier rounds. O(B²·d) for B leaves (B ≤ PolishMaxPoints / 2).
    private static List<(int StartA, int SizeA, int StartB, int SizeB)> PairNeighbouringLeaves(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, int[] idxX, int[] idxY, List<(int Start, int Size)> blocks, HashSet<long> used)
    {
        var count = blocks.Count;
        var centres = new double[count * 2 * d];
        for (var b = 0; b < count; b++)
        {
            var (start, m) = blocks[b];
            var c = centres.AsSpan(b * 2 * d, 2 * d);
            for (var t = start; t < start + m; t++)
            {
                var xr = x.Slice(idxX[t] * d, d);
                var yr = y.Slice(idxY[t] * d, d);
                for (var j = 0; j < d; j++)
                {
                    c[j] += xr[j];
                    c[d + j] += yr[j];
                }
            }

            for (var j = 0; j < 2 * d; j++)
            {
                c[j] /= Math.Max(m, 1);
            }
        }

        const int neighbours = 8;
        var edges = new List<(double Distance, int A, int B)>();
        var candidates = new (double Distance, int B)[count];
        for (var a = 0; a < count; a++)
        {
            var ca = centres.AsSpan(a * 2 * d, 2 * d);
            var found = 0;
            for (var b = 0; b < count; b++)
            {
                if (b != a && !used.Contains(PairKey(a, b, count)))
                {
                    candidates[found++] = (BlockFactors.SquaredDistance(ca, centres.AsSpan(b * 2 * d, 2 * d)), b);
                }
            }

            Array.Sort(candidates, 0, found);
            for (var t = 0; t < Math.Min(neighbours, found); t++)
            {
                var b = candidates[t].B;
                edges.Add((candidates[t].Distance, Math.Min(a, b), Math.Max(a, b)));
            }
        }

        edges.Sort();
        var taken = new bool[count];
        var pairs = new List<(int StartA, int SizeA, int StartB, int SizeB)>();
        foreach (var (_, a, b) in edges)
        {
            if (taken[a] || taken[b])
            {
                continue;
            }

            taken[a] = true;
            taken[b] = true;
            used.Add(PairKey(a, b, count));
            pairs.Add((blocks[a].Start, blocks[a].Size, blocks[b].Start, blocks[b].Size));
        }

        return pairs;
    }

    private static long PairKey(int a, int b, int count) => ((long)Math.Min(a, b) * count) + Math.Max(a, b);
}
