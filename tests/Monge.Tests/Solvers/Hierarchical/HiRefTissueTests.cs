using Monge.Geometry;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>
/// HiRef on single-cell-like spatial slices (issue #14, stop 23 realhr): the shape of bench/audit30/make_pairs.py's
/// <c>obsm/spatial</c> generated in C#: 14 overlapping Gaussian tissue regions (spread 400–1600 µm) with unequal type
/// proportions that differ between the two slices, the second slice rotated 4° and shifted, clipped to [0, 10 000] µm.
/// The exact assignment optimum (Jonker–Volgenant) is the oracle.
/// </summary>
public class HiRefTissueTests
{
    private static readonly double[] ProportionsA = [0.16, 0.12, 0.11, 0.09, 0.05, 0.04, 0.03, 0.10, 0.14, 0.04, 0.04, 0.04, 0.02, 0.02];
    private static readonly double[] ProportionsB = [0.12, 0.14, 0.09, 0.11, 0.06, 0.03, 0.02, 0.13, 0.10, 0.05, 0.06, 0.05, 0.02, 0.02];

    // Default options at n = 2048: measured 0.000–0.056% above the optimum over data seeds 0–5 (the levels alone are
    // 8–21% above it; docs/hiref.md "Stop 23 (realhr)"). The bound, 0.2%, is 3.5× the worst measured and below the
    // issue's 0.5%.
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Solve_TissueSlices_NearExactOptimum(int dataSeed)
    {
        const int n = 2048;
        var (x, y) = Slices(n, dataSeed, 1.0);
        var optimum = LinearAssignment.Solve(SquaredCosts(x, y), n, n).TotalCost / n;
        var result = new HierarchicalRefinement().Solve(x, y);

        Assert.Equal(n, result.Permutation.Distinct().Count());
        var recomputed = 0.0;
        for (var i = 0; i < n; i++)
        {
            recomputed += SquaredDistance(x, i, y, result.Permutation[i]);
        }

        NumericAssert.Close(recomputed / n, result.Cost, rtol: 1e-12, what: "cost");
        Assert.True(result.Cost >= optimum * (1 - 1e-12), $"HiRef {result.Cost} below the optimum {optimum}");
        Assert.True(result.Cost <= optimum * 1.002, $"data seed {dataSeed}: HiRef {result.Cost} vs optimum {optimum} (ratio {result.Cost / optimum:F5})");
    }

    // The opt-in neighbourhood step repairs the boundary pairs the leaf pairs and slabs leave (docs/hiref.md "Stop 23
    // (realhr)"): measured 0.000% above the optimum at n = 2048 (data seed 0), 0.000–0.013% at 4096 (HiRef seeds 0–3)
    // and 0.008–0.012% at 16 384, against 0.02–1.02% without it. The bound, 0.05%, is 3.8× the worst measured.
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Solve_TissueSlices_NeighbourhoodStepWithinFiveHundredthsOfAPercent(int dataSeed)
    {
        const int n = 2048;
        var (x, y) = Slices(n, dataSeed, 1.0);
        var optimum = LinearAssignment.Solve(SquaredCosts(x, y), n, n).TotalCost / n;
        var plain = new HierarchicalRefinement().Solve(x, y);
        var result = new HierarchicalRefinement { NeighbourhoodCandidates = 16 }.Solve(x, y);

        Assert.Equal(n, result.Permutation.Distinct().Count());
        Assert.True(result.Cost >= optimum * (1 - 1e-12), $"HiRef {result.Cost} below the optimum {optimum}");
        Assert.True(result.Cost <= optimum * 1.0005, $"data seed {dataSeed}: HiRef {result.Cost} vs optimum {optimum} (ratio {result.Cost / optimum:F6})");
        Assert.Equal(plain.CostBeforePolish, result.CostBeforePolish);
    }

    // The neighbourhood step without leaves (stop 24, realnb): what runs above PolishMaxPoints and after the random
    // parts' union, forced here at n = 2048 by PolishMaxPoints = 0 (no leaf pairs, so the leaf-free graph step runs
    // after the levels, then the slab rounds). Measured (lead, stop 24): data seed 0 at the optimum with and without the
    // step (ratio 1.000000), seed 2 1.000023 with it against 1.000514 without; the bound is the leaf step's 0.05%.
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Solve_TissueSlices_LeafFreeNeighbourhoodStepNearExactOptimum(int dataSeed)
    {
        const int n = 2048;
        var (x, y) = Slices(n, dataSeed, 1.0);
        var optimum = LinearAssignment.Solve(SquaredCosts(x, y), n, n).TotalCost / n;
        var without = new HierarchicalRefinement { PolishMaxPoints = 0 }.Solve(x, y);
        var result = new HierarchicalRefinement { PolishMaxPoints = 0, NeighbourhoodCandidates = 16 }.Solve(x, y);

        Assert.Equal(n, result.Permutation.Distinct().Count());
        var recomputed = 0.0;
        for (var i = 0; i < n; i++)
        {
            recomputed += SquaredDistance(x, i, y, result.Permutation[i]);
        }

        NumericAssert.Close(recomputed / n, result.Cost, rtol: 1e-12, what: "cost");
        Assert.DoesNotContain(result.PolishSteps, s => s.Step == "leaf pairs");
        var step = Assert.Single(result.PolishSteps, s => s.Step == "neighbourhood");
        Assert.InRange(step.Rounds, 1, new HierarchicalRefinement().NeighbourhoodPasses);
        Assert.DoesNotContain(without.PolishSteps, s => s.Step == "neighbourhood");
        Assert.True(result.Cost >= optimum * (1 - 1e-12), $"HiRef {result.Cost} below the optimum {optimum}");
        Assert.True(result.Cost <= optimum * 1.0005, $"data seed {dataSeed}: HiRef {result.Cost} vs optimum {optimum} (ratio {result.Cost / optimum:F6}; without the step {without.Cost / optimum:F6})");
    }

    // The leaf-free step is deterministic whatever the thread count: its candidate search is per row and exact, its auction
    // single-threaded in a fixed order.
    [Fact]
    public void Solve_TissueSlices_LeafFreeNeighbourhoodStepSameAtEveryThreadCount()
    {
        const int n = 2048;
        var (x, y) = Slices(n, 1, 1.0);
        var solver = new HierarchicalRefinement { PolishMaxPoints = 0, NeighbourhoodCandidates = 16 };
        var one = solver with { MaxDegreeOfParallelism = 1 };
        var reference = one.Solve(x, y);
        Assert.Contains(reference.PolishSteps, s => s.Step == "neighbourhood");
        foreach (var threads in new[] { 2, 3 })
        {
            var result = (solver with { MaxDegreeOfParallelism = threads }).Solve(x, y);
            Assert.Equal(reference.Permutation, result.Permutation);
            Assert.Equal(reference.Cost, result.Cost);
        }
    }

    // Units never change an answer: micrometres and the same coordinates times 2⁻¹⁰ (exact in binary floating point,
    // so any absolute tolerance or step would show) give the same permutation, and costs that scale by 2⁻²⁰.
    [Fact]
    public void Solve_TissueSlices_UnitsDoNotChangeThePermutation()
    {
        const int n = 2048;
        var (x, y) = Slices(n, 0, 1.0);
        var (xs, ys) = Slices(n, 0, 1.0 / 1024);
        var um = new HierarchicalRefinement().Solve(x, y);
        var scaled = new HierarchicalRefinement().Solve(xs, ys);

        Assert.Equal(um.Permutation, scaled.Permutation);
        NumericAssert.Close(um.Cost / (1024.0 * 1024.0), scaled.Cost, rtol: 1e-12, what: "scaled cost");
        NumericAssert.Close(um.CostBeforePolish / (1024.0 * 1024.0), scaled.CostBeforePolish, rtol: 1e-12, what: "scaled cost before polish");
    }

    internal static (PointCloud<double> X, PointCloud<double> Y) Slices(int n, int seed, double unit)
    {
        var rng = new Random(23_000 + seed);
        const int k = 14;
        var cx = new double[k];
        var cy = new double[k];
        var spread = new double[k];
        for (var t = 0; t < k; t++)
        {
            cx[t] = 1500 + (7000 * rng.NextDouble());
            cy[t] = 1500 + (7000 * rng.NextDouble());
            spread[t] = 400 + (1200 * rng.NextDouble());
        }

        var rotation = 4.0 * Math.PI / 180;
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        PointCloud<double> Slice(double[] proportions, bool shifted)
        {
            var points = new double[2 * n];
            var total = proportions.Sum();
            for (var i = 0; i < n; i++)
            {
                var u = rng.NextDouble() * total;
                var t = 0;
                while (t < k - 1 && u > proportions[t])
                {
                    u -= proportions[t];
                    t++;
                }

                var a = cx[t] + (spread[t] * Normal());
                var b = cy[t] + (spread[t] * Normal());
                if (shifted)
                {
                    var (a0, b0) = (a - 5000, b - 5000);
                    a = (Math.Cos(rotation) * a0) - (Math.Sin(rotation) * b0) + 5000 + 180;
                    b = (Math.Sin(rotation) * a0) + (Math.Cos(rotation) * b0) + 5000 - 120;
                }

                points[2 * i] = Math.Clamp(a, 0, 10_000) * unit;
                points[(2 * i) + 1] = Math.Clamp(b, 0, 10_000) * unit;
            }

            return new PointCloud<double>(points, n, 2);
        }

        var x = Slice(ProportionsA, false);
        return (x, Slice(ProportionsB, true));
    }

    private static double[] SquaredCosts(PointCloud<double> x, PointCloud<double> y)
    {
        var n = x.Count;
        var costs = new double[n * y.Count];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < y.Count; j++)
            {
                costs[(i * y.Count) + j] = SquaredDistance(x, i, y, j);
            }
        }

        return costs;
    }

    private static double SquaredDistance(PointCloud<double> x, int i, PointCloud<double> y, int j)
    {
        var a = x.Row(i);
        var b = y.Row(j);
        var s = 0.0;
        for (var c = 0; c < a.Length; c++)
        {
            s += (a[c] - b[c]) * (a[c] - b[c]);
        }

        return s;
    }
}
