using Monge.Geometry.Costs;
using Monge.Solvers.Hierarchical;
using Monge.Testing;
using Monge.Tools;

namespace Monge.Tests.Solvers.Hierarchical;

public class ReducedCostSearchTests
{
    // The exact k-best search against brute force over every target with the same formula: the same targets in the same
    // order (value, then target index) and the same values, bit for bit. Integer coordinates on a few clusters and
    // integer potentials make many exact ties (equal distances, duplicate targets); the potentials are zero (pure k nearest),
    // integer noise, an affine trend plus integer noise (the affine majorant's case), and continuous noise as large as the
    // costs (bounds that prune little). A query's own partner (a random target, or none) is left out; every other query
    // first visits the 3 balls of smallest c(x, centre) − mean g (the order must not change the result).
    [Theory]
    [InlineData(2, "sqeuclidean", 400, 8, 7, 1)]
    [InlineData(2, "euclidean", 400, 8, 5, 2)]
    [InlineData(16, "sqeuclidean", 300, 16, 16, 3)]
    [InlineData(16, "euclidean", 300, 16, 13, 4)]
    [InlineData(64, "sqeuclidean", 200, 16, 9, 5)]
    [InlineData(64, "euclidean", 200, 32, 16, 6)]
    public void Search_MatchesBruteForce_WithTies(int d, string costName, int n, int ballPoints, int k, int seed)
    {
        var cost = CostFunction.Parse<double>(costName);
        var rng = Seeds.Create(seed);
        var targets = IntegerClusters(rng, n, d, duplicates: n / 10);
        var queries = IntegerClusters(rng, 60, d, duplicates: 0);
        var balls = DualBoundClusters.Build(targets, n, d, cost is Euclidean<double>, ballPoints);
        var search = new ReducedCostSearch(balls, d, cost);
        var scratch = search.CreateScratch();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        var slope = new double[d];
        for (var c = 0; c < d; c++)
        {
            slope[c] = rng.Next(-3, 4);
        }

        var potentials = new Func<int, double>[]
        {
            _ => 0,
            _ => rng.Next(0, 20),
            j => (2 * Dot(slope, targets.AsSpan(j * d, d))) + rng.Next(0, 5),
            _ => rng.NextDouble() * 40 * d,
        };
        var ids = new int[k];
        var values = new double[k];
        var evaluated = 0L;
        var ties = 0;
        foreach (var make in potentials)
        {
            var g = new double[n];
            for (var j = 0; j < n; j++)
            {
                g[j] = make(j);
            }

            search.SetPotential(g, parallel);
            for (var q = 0; q < 60 + 20; q++)
            {
                // Queries: other points, and targets themselves (the first pass's search around the partner).
                var query = q < 60 ? queries.AsSpan(q * d, d).ToArray() : targets.AsSpan(rng.Next(n) * d, d).ToArray();
                var exclude = q % 3 == 0 ? -1 : rng.Next(n);
                var before = scratch.Evaluated;
                var found = search.Search(query, exclude, k, scratch, ids, values, first: q % 2 == 0 ? 0 : 3);
                evaluated += scratch.Evaluated - before;

                var all = Enumerable.Range(0, n).Where(j => j != exclude)
                    .Select(j => (Value: ReducedCostSearch.Value(query, targets.AsSpan(j * d, d), cost) - g[j], Id: j))
                    .OrderBy(e => e.Value).ThenBy(e => e.Id).ToArray();
                Assert.Equal(k, found);
                for (var t = 0; t < k; t++)
                {
                    Assert.Equal(all[t].Id, ids[t]);
                    Assert.Equal(all[t].Value, values[t]);
                }

                ties += all[k - 1].Value == all[k].Value ? 1 : 0;
            }
        }

        // The data do make ties at the k-th place (where the index decides), and the bounds do skip balls (so the pruning is
        // what was checked, not only a full scan).
        Assert.True(ties > 0, "no tie at the k-th place: the test lost its point");
        Assert.True(evaluated < 4L * 80 * n, $"no ball was ever skipped ({evaluated} evaluations)");
    }

    // The float32-screened block search (SearchBlock) against brute force with the same formula: the same targets, order
    // and values bit for bit, on the data and potentials of the test above, in query blocks of `blockPoints` (balls over the
    // queries, which are other points and copies of targets, so ties and zero distances occur), with an offset far from the
    // origin on some runs (the screen's common shift) and a partner left out on most queries. The screen must also have
    // pruned: fewer float64 evaluations than float32 values.
    [Theory]
    [InlineData(2, "sqeuclidean", 400, 8, 7, 1, 0.0)]
    [InlineData(2, "euclidean", 400, 8, 5, 2, 1e4)]
    [InlineData(16, "sqeuclidean", 300, 16, 16, 3, 0.0)]
    [InlineData(16, "sqeuclidean", 300, 32, 16, 7, 3e3)]
    [InlineData(16, "euclidean", 300, 16, 13, 4, 0.0)]
    [InlineData(64, "sqeuclidean", 200, 16, 9, 5, 0.0)]
    [InlineData(64, "euclidean", 200, 32, 16, 6, 500.0)]
    public void SearchBlock_MatchesBruteForce_WithTies(int d, string costName, int n, int ballPoints, int k, int seed, double offset)
    {
        var cost = CostFunction.Parse<double>(costName);
        var rng = Seeds.Create(seed);
        var targets = IntegerClusters(rng, n, d, duplicates: n / 10);
        const int m = 90;
        var queries = new double[m * d];
        IntegerClusters(rng, 60, d, duplicates: 0).CopyTo(queries, 0);
        for (var q = 60; q < m; q++)
        {
            targets.AsSpan(rng.Next(n) * d, d).CopyTo(queries.AsSpan(q * d, d));
        }

        for (var t = 0; t < targets.Length; t++)
        {
            targets[t] += offset;
        }

        for (var t = 0; t < queries.Length; t++)
        {
            queries[t] += offset;
        }

        var euclidean = cost is Euclidean<double>;
        var search = new ReducedCostSearch(DualBoundClusters.Build(targets, n, d, euclidean, ballPoints), d, cost);
        var blocks = DualBoundClusters.Build(queries, m, d, euclidean, 12);
        Assert.True(search.PrepareBlocks(blocks));
        var scratch = search.CreateBlockScratch();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        var slope = new double[d];
        for (var c = 0; c < d; c++)
        {
            slope[c] = rng.Next(-3, 4);
        }

        var potentials = new Func<int, double>[]
        {
            _ => 0,
            _ => rng.Next(0, 20),
            j => (2 * Dot(slope, targets.AsSpan(j * d, d))) + rng.Next(0, 5),
            _ => rng.NextDouble() * 40 * d,
        };
        var exclude = new int[m];
        var ids = new int[m * k];
        var values = new double[m * k];
        var found = new int[m];
        var ties = 0;
        foreach (var make in potentials)
        {
            var g = new double[n];
            for (var j = 0; j < n; j++)
            {
                g[j] = make(j);
            }

            search.SetPotential(g, parallel);
            Assert.True(search.BlocksReady);
            for (var b = 0; b < blocks.Balls; b++)
            {
                var qs = blocks.BallStart(b);
                var qc = blocks.BallCount(b);
                for (var t = 0; t < qc; t++)
                {
                    exclude[t] = (qs + t) % 3 == 0 ? -1 : rng.Next(n);
                }

                search.SearchBlock(b, exclude.AsSpan(0, qc), k, scratch, ids, values, found);
                for (var t = 0; t < qc; t++)
                {
                    var query = queries.AsSpan(blocks.Order[qs + t] * d, d).ToArray();
                    var all = Enumerable.Range(0, n).Where(j => j != exclude[t])
                        .Select(j => (Value: ReducedCostSearch.Value(query, targets.AsSpan(j * d, d), cost) - g[j], Id: j))
                        .OrderBy(e => e.Value).ThenBy(e => e.Id).ToArray();
                    Assert.Equal(k, found[t]);
                    for (var e = 0; e < k; e++)
                    {
                        Assert.Equal(all[e].Id, ids[(t * k) + e]);
                        Assert.Equal(all[e].Value, values[(t * k) + e]);
                    }

                    ties += all[k - 1].Value == all[k].Value ? 1 : 0;
                }
            }
        }

        Assert.True(ties > 0, "no tie at the k-th place: the test lost its point");
        Assert.True(scratch.Evaluated < scratch.Screened, $"the screen kept every pair ({scratch.Evaluated} of {scratch.Screened})");
    }

    // Potentials beyond the float32 range: no block path (the caller keeps the double search).
    [Fact]
    public void SearchBlock_DeclinesHugePotentials()
    {
        const int n = 50, d = 4;
        var rng = Seeds.Create(11);
        var targets = IntegerClusters(rng, n, d, duplicates: 0);
        var search = new ReducedCostSearch(DualBoundClusters.Build(targets, n, d, false, 8), d, null);
        Assert.True(search.PrepareBlocks(DualBoundClusters.Build(targets, n, d, false, 8)));
        search.SetPotential(Enumerable.Range(0, n).Select(j => j * 1e31).ToArray(), new ParallelOptions());
        Assert.False(search.BlocksReady);
        search.SetPotential(new double[n], new ParallelOptions());
        Assert.True(search.BlocksReady);
    }

    // Fewer targets than k: all of them (the excluded one left out), in order; no bound for other costs: still exact.
    [Theory]
    [InlineData("sqeuclidean")]
    [InlineData("pnorm:1.5")]
    public void Search_FewTargetsAndOtherCosts_AreExact(string costName)
    {
        const int n = 40, d = 3, k = 50;
        var cost = CostFunction.Parse<double>(costName);
        var rng = Seeds.Create(9);
        var targets = IntegerClusters(rng, n, d, duplicates: 5);
        var search = new ReducedCostSearch(DualBoundClusters.Build(targets, n, d, false, 4), d, cost);
        var g = Enumerable.Range(0, n).Select(_ => (double)rng.Next(0, 10)).ToArray();
        search.SetPotential(g, new ParallelOptions());
        var ids = new int[k];
        var values = new double[k];
        double[] query = [1, 2, 3];
        var found = search.Search(query, 7, k, search.CreateScratch(), ids, values);
        var all = Enumerable.Range(0, n).Where(j => j != 7)
            .Select(j => (Value: ReducedCostSearch.Value(query, targets.AsSpan(j * d, d), cost) - g[j], Id: j))
            .OrderBy(e => e.Value).ThenBy(e => e.Id).ToArray();
        Assert.Equal(n - 1, found);
        Assert.Equal(all.Select(e => e.Id), ids.Take(found));
        Assert.Equal(all.Select(e => e.Value), values.Take(found));
    }

    // Points with integer coordinates around a few integer centres (spread ±3), the last `duplicates` copies of earlier ones.
    private static double[] IntegerClusters(Random rng, int n, int d, int duplicates)
    {
        var centres = new double[4 * d];
        for (var t = 0; t < centres.Length; t++)
        {
            centres[t] = 12 * rng.Next(-2, 3);
        }

        var data = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            if (i >= n - duplicates)
            {
                data.AsSpan(rng.Next(n - duplicates) * d, d).CopyTo(data.AsSpan(i * d, d));
                continue;
            }

            var c = rng.Next(4);
            for (var t = 0; t < d; t++)
            {
                data[(i * d) + t] = centres[(c * d) + t] + rng.Next(-3, 4);
            }
        }

        return data;
    }

    private static double Dot(double[] u, ReadOnlySpan<double> v)
    {
        var s = 0.0;
        for (var t = 0; t < u.Length; t++)
        {
            s += u[t] * v[t];
        }

        return s;
    }
}
