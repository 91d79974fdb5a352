using Monge.Solvers;
using Monge.Testing;
using Monge.Tools.Sorting;

namespace Monge.Tests.Tools.Sorting;

public class SoftSortTests
{
    private static readonly SoftSortOptions Tight = new()
    {
        Solver = SoftSortOptions.DefaultSolver with { Threshold = 1e-12, MaxIterations = 200_000 },
        GradientTolerance = 1e-12,
    };

    private static double[] Uniform(int n, int seed)
    {
        var rng = Seeds.Create(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
    }

    private static SoftSortOptions Sharp(double epsilon) => new()
    {
        Epsilon = epsilon,
        Solver = SoftSortOptions.DefaultSolver with { Threshold = 1e-10, MaxIterations = 100_000 },
    };

    private static double[] Shuffled(int n, int seed)
    {
        var x = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        Seeds.Create(seed).Shuffle(x);
        return x;
    }

    private static double[] HardRanks(double[] x)
    {
        // Zero-based ranks, ties get their mean rank.
        var ranks = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            double below = 0, equal = 0;
            foreach (var v in x)
            {
                below += v < x[i] ? 1 : 0;
                equal += v == x[i] ? 1 : 0;
            }

            ranks[i] = below + ((equal - 1) / 2);
        }

        return ranks;
    }

    [Fact]
    public void Sort_DefaultEpsilon_IsIncreasingAndKeepsTheMean()
    {
        // OTT-JAX test_sort_one_array: same shape, non-decreasing; and Σ_j out_j / m = mean(z) (column marginals).
        var x = Uniform(20, 1);
        var r = SoftSort.Sort(x);
        Assert.True(r.Converged, r.Convergence.ToString());
        Assert.Equal(20, r.Values.Length);
        for (var j = 1; j < r.Values.Length; j++)
        {
            Assert.True(r.Values[j] >= r.Values[j - 1], $"not increasing at {j}");
        }

        NumericAssert.Close(x.Average(), r.Values.Average(), rtol: 1e-6);
    }

    [Theory]
    [InlineData(1e-3, 0.01)]
    public void Sort_SmallEpsilon_ApproachesTheHardSort(double epsilon, double atol)
    {
        // OTT-JAX test_topk_one_array (ε 1e-3, atol 0.01). Smaller ε on 20 points needs > 20000 Sinkhorn iterations (docs/softsort.md).
        var x = Uniform(20, 2);
        var r = SoftSort.Sort(x, options: new SoftSortOptions { Epsilon = epsilon });
        Assert.True(r.Converged, r.Convergence.ToString());
        NumericAssert.Close(x.Order().ToArray(), r.Values, rtol: 0, atol: atol);
    }

    [Fact]
    public void Sort_FewerTargets_ApproachesTheQuantilesOfTheBins()
    {
        // m = 4 targets of mass ¼ on 20 inputs: target j collects the sorted inputs 5j..5j+4, so out_j → their mean.
        var x = Uniform(20, 3);
        var r = SoftSort.Sort(x, targets: 4, options: new SoftSortOptions { Epsilon = 1e-4 });
        var sorted = x.Order().ToArray();
        var expected = Enumerable.Range(0, 4).Select(j => sorted.Skip(5 * j).Take(5).Average()).ToArray();
        NumericAssert.Close(expected, r.Values, rtol: 0, atol: 2e-3);
        Assert.Equal(4, r.TargetCount);
    }

    [Fact]
    public void Rank_SmallEpsilon_ApproachesTheHardRanks()
    {
        // OTT-JAX test_rank_one_array (atol 0.9 / rtol 0.1) at ε 1e-3: at OTT's ε 0.005 this draw, with three inputs
        // within 0.02 of each other in the lower tail (0.083, 0.094, 0.101), misses by 1.05 at rank 1: the blur is real.
        var x = Uniform(20, 4);
        var expected = HardRanks(x);
        NumericAssert.Close(expected, SoftSort.Rank(x, options: new SoftSortOptions { Epsilon = 1e-3 }).Values, rtol: 0.1, atol: 0.9);

        // Well-separated inputs (a shuffled grid): the worst error shrinks with ε and is below 0.1 at ε 5e-4 (the sigmoid
        // squashing packs the extremes closest, so they sharpen last). Threshold 1e-10: 1e-12 stalls at rounding there.
        var grid = Shuffled(20, 41);
        var previous = double.PositiveInfinity;
        foreach (var epsilon in new[] { 1e-2, 1e-3, 5e-4 })
        {
            var r = SoftSort.Rank(grid, options: Sharp(epsilon));
            Assert.True(r.Converged, r.Convergence.ToString());
            var error = r.Values.Zip(grid, (soft, hard) => Math.Abs(soft - hard)).Max();
            Assert.True(error < previous, $"ε {epsilon}: error {error} not below {previous}");
            previous = error;
        }

        Assert.True(previous < 0.1, $"error {previous} at ε 5e-4");
    }

    [Fact]
    public void Rank_Ties_ShareTheirMeanRankAndSumIsFixed()
    {
        double[] x = [3, 1, 3, 2, 5, 3, 0];
        var r = SoftSort.Rank(x, options: Tight with { Epsilon = 1e-4 });
        NumericAssert.Close(HardRanks(x), r.Values, rtol: 0, atol: 0.02);
        NumericAssert.Close(r.Values[0], r.Values[2], rtol: 1e-9);
        NumericAssert.Close(r.Values[0], r.Values[5], rtol: 1e-9);

        // Σ_i rank_i = n·Σ_j b_j t_j = n(n − 1)/2 at any ε (the column marginals).
        NumericAssert.Close(21.0, SoftSort.Rank(x, options: Tight with { Epsilon = 0.3 }).Values.Sum(), rtol: 1e-9);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Quantiles_Linspace_ApproachTheLevel(double level)
    {
        // OTT-JAX test_quantile: x = linspace(0, 1, 100), weight 0.05, ε 1e-3, equal to one decimal place.
        var x = Enumerable.Range(0, 100).Select(i => i / 99.0).ToArray();
        var r = SoftSort.Quantiles(x, [level], width: 0.05, options: new SoftSortOptions { Epsilon = 1e-3 });
        Assert.True(Math.Abs(r.Values[0] - level) < 0.05, $"{r.Values[0]} vs {level}");
        Assert.Equal(3, r.TargetCount);
    }

    [Fact]
    public void Quantiles_SmallEpsilon_ApproachTheMeanOfTheLevelsWindow()
    {
        // Levels in any order; width 0.1 on 40 inputs: the level's target holds the 4 inputs of ranks in (q − 0.05, q + 0.05)·40.
        var x = Uniform(40, 5);
        var sorted = x.Order().ToArray();
        double[] levels = [0.75, 0.25, 0.5];
        var r = SoftSort.Quantiles(x, levels, width: 0.1, options: new SoftSortOptions { Epsilon = 1e-5 });
        var expected = levels.Select(q => sorted.Skip((int)Math.Round((q - 0.05) * 40)).Take(4).Average()).ToArray();
        NumericAssert.Close(expected, r.Values, rtol: 0, atol: 3e-3);
        Assert.Equal(7, r.TargetCount);
    }

    [Fact]
    public void TopKMask_SmallEpsilon_IsTheHardMaskAndSumsToK()
    {
        var x = Uniform(30, 6);
        const int k = 7;
        var threshold = x.OrderDescending().ElementAt(k - 1);
        var hard = x.Select(v => v >= threshold ? 1.0 : 0.0).ToArray();
        var r = SoftSort.TopKMask(x, k, new SoftSortOptions { Epsilon = 1e-4 });
        NumericAssert.Close(hard, r.Values, rtol: 0, atol: 0.02);
        Assert.Equal(2, r.TargetCount);
        var blurred = SoftSort.TopKMask(x, k, Tight with { Epsilon = 0.1 });
        NumericAssert.Close(k, blurred.Values.Sum(), rtol: 1e-9);
        Assert.All(blurred.Values, v => NumericAssert.InRange(v, 0, 1));
    }

    [Fact]
    public void QuantileNormalize_GaussianTargets_MatchesTheirMeanAndSpread()
    {
        // OTT-JAX test_soft_quantile_normalization: 100 uniform inputs to 48 sorted N(2, 1.2²) targets, ε 1e-4, rtol 0.05.
        var x = Uniform(100, 7);
        var rng = Seeds.Create(8);
        var y = Enumerable.Range(0, 48).Select(_ => 2 + (1.2 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).Order().ToArray();
        var r = SoftSort.QuantileNormalize(x, y, options: new SoftSortOptions { Epsilon = 1e-4 });
        NumericAssert.Close(y.Average(), r.Values.Average(), rtol: 0.05);
        NumericAssert.Close(Std(y), Std(r.Values), rtol: 0.05);

        // Order is kept.
        var byInput = Enumerable.Range(0, 100).OrderBy(i => x[i]).Select(i => r.Values[i]).ToArray();
        for (var i = 1; i < byInput.Length; i++)
        {
            Assert.True(byInput[i] >= byInput[i - 1] - 1e-9, $"order broken at {i}");
        }
    }

    [Fact]
    public void Operators_ShiftAndScale_AreUnitFree()
    {
        var x = Uniform(25, 9);
        var big = x.Select(v => (1000 * v) + 7).ToArray();
        var o = Tight with { Epsilon = 0.02 };
        NumericAssert.Close(SoftSort.Sort(x, options: o).Values.Select(v => (1000 * v) + 7).ToArray(), SoftSort.Sort(big, options: o).Values, rtol: 1e-9);
        NumericAssert.Close(SoftSort.Rank(x, options: o).Values, SoftSort.Rank(big, options: o).Values, rtol: 1e-9, atol: 1e-9);
        NumericAssert.Close(SoftSort.TopKMask(x, 5, o).Values, SoftSort.TopKMask(big, 5, o).Values, rtol: 1e-9, atol: 1e-12);
        NumericAssert.Close(SoftSort.Quantiles(x, [0.3], options: o).Values[0] * 1000 + 7, SoftSort.Quantiles(big, [0.3], options: o).Values[0], rtol: 1e-9);

        // Gradients scale as 1/1000 for values that scale as 1000 · and for unit-free outputs.
        var c = Uniform(25, 10);
        NumericAssert.Close(SoftSort.Sort(x, options: o).Vjp(c), SoftSort.Sort(big, options: o).Vjp(c), rtol: 1e-6, atol: 1e-9);
        NumericAssert.Close(SoftSort.Rank(x, options: o).Vjp(c).Select(g => g / 1000).ToArray(), SoftSort.Rank(big, options: o).Vjp(c), rtol: 1e-6, atol: 1e-9);
    }

    [Fact]
    public void Values_MatchAnIndependentDenseSinkhorn()
    {
        // Oracle: the definitions evaluated on a dense plan from a plain log-domain Sinkhorn written here (no Monge code).
        var x = Uniform(11, 11);
        double[] a = [1, 2, 1, 3, 1, 1, 2, 1, 1, 2, 1];
        var eps = 0.03;
        var o = Tight with { Epsilon = eps };

        var sort = SoftSort.Sort(x, targets: 6, weights: a, options: o).Values;
        var plan = DensePlan(x, a, Enumerable.Repeat(1.0 / 6, 6).ToArray(), eps);
        var expectedSort = Enumerable.Range(0, 6).Select(j => Enumerable.Range(0, 11).Sum(i => plan[i, j] * x[i]) * 6).ToArray();
        NumericAssert.Close(expectedSort, sort, rtol: 1e-7);

        var rank = SoftSort.Rank(x, targets: 6, weights: a, options: o).Values;
        var aNorm = a.Select(v => v / a.Sum()).ToArray();
        var expectedRank = Enumerable.Range(0, 11).Select(i => Enumerable.Range(0, 6).Sum(j => plan[i, j] * j * 10.0 / 5.0) / aNorm[i]).ToArray();
        NumericAssert.Close(expectedRank, rank, rtol: 1e-7);
    }

    public static TheoryData<string, double, bool> GradientCases() => new()
    {
        { "sort", 0.05, true }, { "sort", 0.01, false }, { "rank", 0.05, false }, { "rank", 0.01, true },
        { "topk", 0.02, true }, { "quantiles", 0.02, false }, { "normalize", 0.05, true }, { "sort-few", 0.01, false },
    };

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Vjp_MatchesCentralFiniteDifferences(string op, double epsilon, bool densePlan)
    {
        var x = Uniform(9, 12).Select(v => 3 * v).ToArray();
        double[] weights = op is "sort" or "rank" ? [1, 2, 1, 1, 3, 1, 1, 2, 1] : [];
        var o = Tight with { Epsilon = epsilon, DensePlanLimit = densePlan ? 4_000_000 : 0 };
        SoftSortResult Apply(double[] z) => op switch
        {
            "sort" => SoftSort.Sort(z, weights: weights, options: o),
            "sort-few" => SoftSort.Sort(z, targets: 4, options: o),
            "rank" => SoftSort.Rank(z, targets: 5, weights: weights, options: o),
            "topk" => SoftSort.TopKMask(z, 3, o),
            "quantiles" => SoftSort.Quantiles(z, [0.5, 0.2], width: 0.1, options: o),
            _ => SoftSort.QuantileNormalize(z, [-1.0, 0.5, 0.7, 4.0], [1.0, 2.0, 1.0, 1.0], options: o),
        };

        var result = Apply(x);
        Assert.True(result.Converged, result.Convergence.ToString());
        var rng = Seeds.Create(13);
        var cotangent = result.Values.Select(_ => rng.NextDouble() - 0.5).ToArray();
        var gradient = result.Vjp(cotangent);
        var h = 1e-5;
        var fd = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[i] += h;
            minus[i] -= h;
            var vp = Apply(plus).Values;
            var vm = Apply(minus).Values;
            fd[i] = Enumerable.Range(0, cotangent.Length).Sum(k => cotangent[k] * (vp[k] - vm[k])) / (2 * h);
        }

        var scale = fd.Max(Math.Abs);
        NumericAssert.Close(fd, gradient, rtol: 1e-4, atol: 1e-5 * scale, what: $"{op} ε={epsilon}");
    }

    [Fact]
    public void Vjp_RandomDirection_MatchesFiniteDifferenceOnALargerInput()
    {
        // OTT-JAX test_soft_sort_jacobian (a directional derivative of mean ranks[:, 5]) on one row of 200 inputs, streamed plan.
        var x = Uniform(200, 14);
        var o = new SoftSortOptions { Solver = SoftSortOptions.DefaultSolver with { Threshold = 1e-10 }, DensePlanLimit = 0 };
        var cotangent = new double[200];
        cotangent[5] = 1;
        var gradient = SoftSort.Rank(x, options: o).Vjp(cotangent);
        var rng = Seeds.Create(15);
        var delta = x.Select(_ => rng.NextDouble() - 0.5).ToArray();
        const double h = 1e-4;
        var plus = SoftSort.Rank(x.Zip(delta, (v, d) => v + (h * d)).ToArray(), options: o).Values[5];
        var minus = SoftSort.Rank(x.Zip(delta, (v, d) => v - (h * d)).ToArray(), options: o).Values[5];
        NumericAssert.Close((plus - minus) / (2 * h), gradient.Zip(delta, (g, d) => g * d).Sum(), rtol: 1e-3, atol: 1e-4);
    }

    [Fact]
    public void Vjp_HardLimitOfSort_IsThePermutation()
    {
        // As ε → 0 the Jacobian of the sort tends to the permutation matrix: the gradient of out_j is the indicator of argsort[j].
        // Well-separated inputs (close pairs keep an O(1) sensitivity until ε is far below their gap): the worst entry of
        // J − permutation shrinks with ε and is below 0.1 at ε 3e-4.
        var x = Shuffled(20, 16);
        var order = Enumerable.Range(0, 20).OrderBy(i => x[i]).ToArray();
        var previous = double.PositiveInfinity;
        foreach (var epsilon in new[] { 1e-2, 1e-3, 3e-4 })
        {
            var r = SoftSort.Sort(x, options: Sharp(epsilon));
            Assert.True(r.Converged, r.Convergence.ToString());
            var error = 0.0;
            for (var j = 0; j < 20; j++)
            {
                var c = new double[20];
                c[j] = 1;
                var row = r.Vjp(c);
                for (var i = 0; i < 20; i++)
                {
                    error = Math.Max(error, Math.Abs(row[i] - (i == order[j] ? 1 : 0)));
                }
            }

            Assert.True(error < previous, $"ε {epsilon}: error {error} not below {previous}");
            previous = error;
        }

        Assert.True(previous < 0.1, $"error {previous} at ε 3e-4");
    }

    [Fact]
    public void Sort_SingleAndConstantInputs_AreHandled()
    {
        NumericAssert.Close([4.5], SoftSort.Sort([4.5]).Values);
        NumericAssert.Close([0.0], SoftSort.Rank([4.5]).Values);
        var constant = SoftSort.Sort([2.0, 2.0, 2.0]);
        NumericAssert.Close([2.0, 2.0, 2.0], constant.Values, rtol: 1e-12);
        NumericAssert.Close([1.0, 1.0, 1.0], SoftSort.Rank([2.0, 2.0, 2.0]).Values, rtol: 1e-9);
        NumericAssert.AllFinite(constant.Vjp([1.0, 0.0, 0.0]));
    }

    [Fact]
    public void NotConverged_IsReportedNotHidden()
    {
        var o = new SoftSortOptions { Epsilon = 1e-4, Solver = SoftSortOptions.DefaultSolver with { MaxIterations = 3, Initializer = Monge.Solvers.Entropic.SinkhornInitializer.Zero } };
        var r = SoftSort.Sort(Uniform(50, 17), options: o);
        Assert.False(r.Converged);
        Assert.Equal(SolverStatus.MaxIterations, r.Convergence.Status);
    }

    [Fact]
    public void InvalidInputs_Throw()
    {
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => SoftSort.Sort([])).Problem);
        var nonFinite = Assert.Throws<InputValidationException>(() => SoftSort.Rank([1.0, double.NaN]));
        Assert.Equal((InputProblem.NonFinite, 1L), (nonFinite.Problem, nonFinite.Index));
        Assert.Throws<InputValidationException>(() => SoftSort.TopKMask([1.0, 2.0], 2));
        Assert.Throws<InputValidationException>(() => SoftSort.Quantiles([1.0, 2.0], [0.5, 0.5]));
        Assert.Throws<InputValidationException>(() => SoftSort.Quantiles([1.0, 2.0], [1.0]));
        Assert.Throws<InputValidationException>(() => SoftSort.QuantileNormalize([1.0, 2.0], [2.0, 1.0]));
        Assert.Throws<InputValidationException>(() => SoftSort.Sort([1.0, 2.0], weights: [1.0, 0.0]));
        Assert.Throws<InputValidationException>(() => SoftSort.Sort([1.0, 2.0], weights: [1.0]));
        Assert.Throws<InputValidationException>(() => SoftSort.Sort([1.0, 2.0], options: new SoftSortOptions { Solver = SoftSortOptions.DefaultSolver with { Epsilon = 0.1 } }));
        Assert.Throws<InputValidationException>(() => SoftSort.Sort([1.0, 2.0], options: new SoftSortOptions { Epsilon = 0 }));
        Assert.Throws<ArgumentException>(() => SoftSort.Sort([1.0, 2.0]).Vjp([1.0]));
    }

    private static double Std(double[] v)
    {
        var mean = v.Average();
        return Math.Sqrt(v.Sum(t => (t - mean) * (t - mean)) / v.Length);
    }

    /// <summary>Plain log-domain Sinkhorn on the squashed inputs (the definition in SoftSortOptions), dense, to 1e-14.</summary>
    private static double[,] DensePlan(double[] z, double[] weights, double[] b, double eps)
    {
        var n = z.Length;
        var m = b.Length;
        var a = weights.Select(w => w / weights.Sum()).ToArray();
        var mean = Enumerable.Range(0, n).Sum(i => a[i] * z[i]);
        var std = Math.Sqrt(Enumerable.Range(0, n).Sum(i => a[i] * (z[i] - mean) * (z[i] - mean)));
        var s = z.Select(v => 1 / (1 + Math.Exp(-(v - mean) / std))).ToArray();
        var y = Enumerable.Range(0, m).Select(j => (double)j / (m - 1)).ToArray();
        var f = new double[n];
        var g = new double[m];
        double C(int i, int j) => (s[i] - y[j]) * (s[i] - y[j]);
        for (var it = 0; it < 100_000; it++)
        {
            for (var j = 0; j < m; j++)
            {
                g[j] = -eps * LogSumExp(Enumerable.Range(0, n).Select(i => Math.Log(a[i]) + ((f[i] - C(i, j)) / eps)));
            }

            var change = 0.0;
            for (var i = 0; i < n; i++)
            {
                var fi = -eps * LogSumExp(Enumerable.Range(0, m).Select(j => Math.Log(b[j]) + ((g[j] - C(i, j)) / eps)));
                change = Math.Max(change, Math.Abs(fi - f[i]));
                f[i] = fi;
            }

            if (change < 1e-15)
            {
                break;
            }
        }

        var plan = new double[n, m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                plan[i, j] = a[i] * b[j] * Math.Exp((f[i] + g[j] - C(i, j)) / eps);
            }
        }

        return plan;
    }

    private static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        var max = v.Max();
        return max + Math.Log(v.Sum(t => Math.Exp(t - max)));
    }
}
