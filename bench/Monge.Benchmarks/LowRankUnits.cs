using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Exact;
using Monge.Solvers.LowRank;
using Monge.Testing;

/// <summary>
/// Low-rank defaults on data in users' units (issue 12 item 4), one-shot:
/// <c>dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll lowrank-units DATA N RANK [SCALE [SEEDS [UNITS]]]</c>.
/// DATA = pca (30-D PCA-like pair, <see cref="UnitsData.PcaLike"/>), um (micrometre slices,
/// <see cref="UnitsData.Micrometres"/>) or moons (<see cref="SyntheticDataset.HalfMoonSCurve"/>); SCALE = mean, max,
/// none or a number (the solvers' <c>ScaleCost</c>); SEEDS = initialisation seeds 0..SEEDS−1; UNITS multiplies the
/// coordinates. Squared Euclidean cost, uniform weights. Prints the exact optimum (Jonker–Volgenant on the dense cost),
/// the independent coupling's cost (closed form over the factors), then FRLC and LR-Sinkhorn with their defaults:
/// cost, cost / exact, status, iterations, marginal error and seconds.
/// </summary>
internal static class LowRankUnits
{
    public static void Run(string[] args)
    {
        var data = args[0];
        var n = int.Parse(args[1], CultureInfo.InvariantCulture);
        var rank = int.Parse(args[2], CultureInfo.InvariantCulture);
        var scaleText = args.Length > 3 ? args[3] : "mean";
        var seeds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1;
        var units = args.Length > 5 ? double.Parse(args[5], CultureInfo.InvariantCulture) : 1.0;
        if (!CostScale.TryParse(scaleText, out var scale))
        {
            throw new ArgumentException($"Unknown scale '{scaleText}'.");
        }

        var (x, y) = data switch
        {
            "pca" => UnitsData.PcaLike(n, 1),
            "um" => UnitsData.Micrometres(n, 1),
            "moons" => Pair(SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, n, 1)),
            _ => throw new ArgumentException($"Unknown data '{data}'."),
        };
        x = UnitsData.Scaled(x, units);
        y = UnitsData.Scaled(y, units);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var watch = Stopwatch.StartNew();
        var exact = new LinearAssignment().Solve(x, y).Cost;
        var exactSeconds = watch.Elapsed.TotalSeconds;
        var independent = CostScale.Mean.Resolve(problem.Geometry);
        Console.WriteLine(FormattableString.Invariant($"{data} n={n} d={x.Dimension} units×{units} rank={rank} scale={scale}: exact {exact:G6} ({exactSeconds:F1} s), independent {independent:G6} ({independent / exact:F2}× exact)"));
        Console.WriteLine("method       seed  cost          /exact  status         iters  marg.err   seconds  cost_scale");
        var options = args.Skip(6).Select(a => a.Split('=')).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
        double? Opt(string key) => options.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : null;
        var only = options.GetValueOrDefault("only");
        for (var seed = 0; seed < seeds; seed++)
        {
            if (only is null or "frlc")
            {
                var frlc = new Frlc { Rank = rank, Seed = seed, ScaleCost = scale };
                frlc = frlc with
                {
                    MaxIterations = Opt("maxit") is { } maxit ? (int)maxit : frlc.MaxIterations,
                    MinIterations = (int)(Opt("minit") ?? frlc.MinIterations),
                    Threshold = Opt("thr") ?? frlc.Threshold,
                    ObjectiveTolerance = Opt("otol") ?? frlc.ObjectiveTolerance,
                    Gamma = Opt("gamma") ?? frlc.Gamma,
                    InnerRelaxationGrowth = Opt("grow") ?? frlc.InnerRelaxationGrowth,
                    InnerRelaxationDelay = Opt("delay") is { } delay ? (int)delay : frlc.InnerRelaxationDelay,
                    InnerRelaxationFallback = Opt("fallback") is { } fb ? fb != 0 : frlc.InnerRelaxationFallback,
                    InitialMixing = Opt("mix") ?? frlc.InitialMixing,
                    InnerRelaxation = Opt("rhoin") is { } rhoIn ? Relaxation.FromRho(rhoIn, rhoIn) : frlc.InnerRelaxation,
                    LatentRank = Opt("r2") is { } r2 ? (int)r2 : frlc.LatentRank,
                    Initialization = options.TryGetValue("init", out var init) ? Enum.Parse<LowRankInitialization>(init, true) : frlc.Initialization,
                };
                var result = frlc.Solve(problem);
                Report("frlc", seed, exact, result);
                if (options.ContainsKey("trace"))
                {
                    Console.WriteLine("  trace: " + string.Join(" ", result.ObjectiveTrace.Where((_, k) => k % 10 == 0).Select(v => v.ToString("G5", CultureInfo.InvariantCulture))));
                    Console.WriteLine("  delta: " + string.Join(" ", result.Convergence.ErrorTrace.Where((_, k) => k % 10 == 9).Select(v => v.ToString("G3", CultureInfo.InvariantCulture))));
                }
            }

            if (only is null or "lrs")
            {
                var lrs = new LowRankSinkhorn { Rank = rank, Seed = seed, ScaleCost = scale };
                lrs = lrs with
                {
                    MaxIterations = (int)(Opt("lmaxit") ?? lrs.MaxIterations),
                    Threshold = Opt("lthr") ?? lrs.Threshold,
                    Gamma = Opt("lgamma") ?? lrs.Gamma,
                    Initialization = options.TryGetValue("linit", out var linit) ? Enum.Parse<LowRankInitialization>(linit, true) : lrs.Initialization,
                };
                var result = lrs.Solve(problem);
                Report("lr-sinkhorn", seed, exact, result);
                if (options.ContainsKey("trace"))
                {
                    Console.WriteLine("  trace: " + string.Join(" ", result.CostTrace.Select(v => v.ToString("G5", CultureInfo.InvariantCulture))));
                }
            }
        }
    }

    private static (PointCloud<double>, PointCloud<double>) Pair(DatasetSample sample) => (sample.Source, sample.Target!);

    private static void Report(string method, int seed, double exact, LowRankResult result)
    {
        var c = result.Convergence;
        Console.WriteLine(FormattableString.Invariant($"{method,-12} {seed,4}  {result.Cost,-12:G6}  {result.Cost / exact,6:F3}  {c.Status,-13}  {c.Iterations,5}  {result.MarginalError,8:E1}  {c.Elapsed.TotalSeconds,7:F2}  {result.CostScale:G4}"));
    }
}
