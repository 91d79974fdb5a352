using System.Diagnostics;
using System.Globalization;
using Monge.Gaussian;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tools.Maps;

/// <summary>
/// The out-of-sample table of docs/maps.md: <c>dotnet run -c Release --project bench/Monge.Benchmarks -- maps-error
/// [d,...] [n,...]</c>. A Gaussian pair with a closed-form Monge map (GaussianTransport.MongeMap): source N(0, Σ₀),
/// Σ₀ = diag(1 … 1.5), target N(m, Σ₁) with a tridiagonal Σ₁; the entropic map (ε = ε_rel · 0.05·std(C) for several
/// ε_rel) and ProgOT (8 stages, the paper's schedules) are fitted on n samples of each and applied to 1000 fresh
/// source samples; the error is the RMS distance to the closed form, relative to the RMS displacement.
/// <c>maps-sparse</c> prints the fraction of exactly-zero off-support displacements on a planted sparse shift.
/// </summary>
internal static class MapsRun
{
    public static void Run(string[] args)
    {
        var dims = args.Length > 0 ? args[0].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [2, 30];
        var sizes = args.Length > 1 ? args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [1000, 4000];

        // Optional third argument: the ε multipliers to sweep (of 0.05·std C); given, ProgOT is skipped.
        var multipliers = args.Length > 2 ? args[2].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [1.0, 0.3, 0.1];
        var progot = args.Length <= 2;
        Console.WriteLine("| d | n | method | ε | relative RMS error | fit s | apply s |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var d in dims)
        {
            var (mu, nu) = GaussianMapPair.Create(d);
            var truth = GaussianTransport.MongeMap(mu, nu);
            var test = mu.Sample(1000, 3);
            var expected = truth.Apply(test);
            var scale = GaussianMapPair.Rms(expected, test);
            foreach (var n in sizes)
            {
                var x = mu.Sample(n, 1);
                var y = nu.Sample(n, 2);
                foreach (var rel in multipliers)
                {
                    var watch = Stopwatch.StartNew();
                    var options = new Sinkhorn { Epsilon = rel * 0.05, EpsilonRelativeTo = EpsilonReference.StdCost, Threshold = 1e-4, MaxIterations = 20000 };
                    var map = EntropicMap.Fit(x, y, null, options);
                    var fit = watch.Elapsed.TotalSeconds;
                    watch.Restart();
                    var mapped = map.Apply(test);
                    var apply = watch.Elapsed.TotalSeconds;
                    Console.WriteLine(FormattableString.Invariant($"| {d} | {n} | entropic | {rel:G2}·0.05·std C = {map.Epsilon:G3} | {GaussianMapPair.Rms(expected, mapped) / scale:F4} | {fit:F1} | {apply:F1} |"));
                }

                if (progot)
                {
                    var watch = Stopwatch.StartNew();
                    var result = new ProgOT { Sinkhorn = new Sinkhorn { Threshold = 1e-4, MaxIterations = 20000 } }.Fit(x, y);
                    var fit = watch.Elapsed.TotalSeconds;
                    watch.Restart();
                    var mapped = result.Map.Apply(test);
                    var apply = watch.Elapsed.TotalSeconds;
                    var eps = result.Map.Epsilons;
                    Console.WriteLine(FormattableString.Invariant($"| {d} | {n} | progot (K = 8, constant speed) | {eps[0]:G3} → {eps[^1]:G3} | {GaussianMapPair.Rms(expected, mapped) / scale:F4} | {fit:F1} | {apply:F1} |"));
                }
            }
        }
    }

    /// <summary>
    /// <c>progot-gauss [n,...] [steps]</c>: ProgOT on a far-apart d = 2 Gaussian pair against the closed-form map, with and without the stage warm start and with debiased stages, next to the one-shot entropic map (plain and debiased) at ProgOT's first and last ε. Sinkhorn iterations of debiased rows count the (source, target) solves only.
    /// </summary>
    public static void ProgOTGaussian(string[] args)
    {
        var sizes = args.Length > 0 ? args[0].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [250, 1000];
        var steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
        // Far apart, as in the paper's motivation: x ~ N(0, I₂), y ~ N((4, 2), [[3, 1], [1, 1]]); T(x) = m + Σ^{1/2} x.
        var mu = GaussianMeasure.Standard(2);
        var nu = new GaussianMeasure([4, 2], [3, 1, 1, 1]);
        var truth = GaussianTransport.MongeMap(mu, nu);
        var test = mu.Sample(1000, 3);
        var expected = truth.Apply(test);
        var scale = GaussianMapPair.Rms(expected, test);
        var sinkhorn = new Sinkhorn { Threshold = 1e-4, MaxIterations = 20000 };
        Console.WriteLine("| n | method | ε | relative RMS error | Sinkhorn iterations | fit s |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var n in sizes)
        {
            var x = mu.Sample(n, 1);
            var y = nu.Sample(n, 2);
            double[] eps = [];
            foreach (var (warm, debiased) in new[] { (true, false), (false, false), (true, true) })
            {
                var watch = Stopwatch.StartNew();
                var result = new ProgOT { Steps = steps, WarmStart = warm, Debiased = debiased, Sinkhorn = sinkhorn }.Fit(x, y);
                var fit = watch.Elapsed.TotalSeconds;
                eps = [.. result.Map.Epsilons];
                var error = GaussianMapPair.Rms(expected, result.Map.Apply(test)) / scale;
                var label = $"progot K = {steps}, {(warm ? "warm" : "cold")} stages{(debiased ? ", debiased" : string.Empty)}";
                Console.WriteLine(FormattableString.Invariant($"| {n} | {label} | {eps[0]:G3} → {eps[^1]:G3} | {error:F4} | {result.StageConvergence.Sum(c => c.Iterations)} | {fit:F2} |"));
            }

            foreach (var (label, e, debiased) in new[] { ("entropic at ε_start", eps[0], false), ("entropic at ε_end", eps[^1], false), ("debiased entropic at ε_start", eps[0], true), ("debiased entropic at ε_end", eps[^1], true) })
            {
                var watch = Stopwatch.StartNew();
                var options = sinkhorn with { Epsilon = e };
                var map = debiased ? EntropicMap.FitDebiased(x, y, null, options) : EntropicMap.Fit(x, y, null, options);
                var fit = watch.Elapsed.TotalSeconds;
                var error = GaussianMapPair.Rms(expected, map.Apply(test)) / scale;
                Console.WriteLine(FormattableString.Invariant($"| {n} | {label} | {e:G3} | {error:F4} | {map.Convergence!.Iterations} | {fit:F2} |"));
            }
        }
    }

    public static void Sparse(string[] args)
    {
        const int D = 8;
        int[] support = [1, 4];
        var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
        var x = GaussianMeasure.Standard(D).Sample(n, 1);
        var y0 = GaussianMeasure.Standard(D).Sample(n, 2).Data.ToArray();
        for (var i = 0; i < n; i++)
        {
            foreach (var k in support)
            {
                y0[(i * D) + k] += 2;
            }
        }

        var y = new PointCloud<double>(y0, n, D);
        var test = GaussianMeasure.Standard(D).Sample(100, 3);
        foreach (var name in new[] { "elastic-l1:0.5", "elastic-l1:1", "elastic-stvs:1", "elastic-stvs:2", "elastic-kovl:2:1", "elastic-kovl:2:4", "sqeuclidean" })
        {
            foreach (var eps in new[] { 0.5, 1, 2, 4 })
            {
                var moved = EntropicMap.Fit(x, y, CostFunction.Parse<double>(name), new Sinkhorn { Epsilon = eps, Threshold = 1e-6, MaxIterations = 5000 }).Apply(test);
                int zeros = 0, off = 0;
                var on = 0.0;
                for (var i = 0; i < test.Count; i++)
                {
                    for (var k = 0; k < D; k++)
                    {
                        var disp = moved.Row(i)[k] - test.Row(i)[k];
                        if (support.Contains(k))
                        {
                            on += disp / (2.0 * test.Count);
                        }
                        else
                        {
                            off++;
                            zeros += disp == 0 ? 1 : 0;
                        }
                    }
                }

                Console.WriteLine(FormattableString.Invariant($"{name} eps={eps}: mean support displacement {on:F3}, zero off-support {zeros}/{off}"));
            }
        }
    }
}
