using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Geometry;
using Monge.Solvers.LowRank;
using Monge.Solvers.Quadratic;
using Monge.Testing;
using Monge.Tools;

/// <summary>
/// One-shot runs of the low-rank GW solvers (too long for BenchmarkDotNet's repeated runs):
/// <c>gw-lowrank N D RANK [frlc|lowrank] [auto|kmeans|random] [MAX_ITERATIONS [OBJECTIVE_TOLERANCE]]</c>: GW between two N-point clouds of
/// dimension D (the source a Gaussian mixture, the target the same points rotated, shifted and shuffled, so GW* = 0 up
/// to rank); prints time, process CPU seconds, GW, the initial objective, iterations, status, marginal error, the
/// solver's state bytes per point and the peak working-set growth per point; for frlc also the CPU seconds per phase
/// (initialisation, cost products and gradients, Q/R projections, T step) and the projection sweeps per iteration.
/// <c>gw-align N FOLDER [RANK]</c>: writes the synthetic slice pair with N source cells as FOLDER/s1.h5ad and
/// FOLDER/s2.h5ad (for timing <c>monge align</c> end to end), and prints the ground truth's statistics.
/// <c>gw-align-trace N [maxit=500] [min=] [tol=] [init=random|kmeans] [rank=20] [trace=10]</c>: the slice alignment of
/// <c>monge align</c> (FRLC-GW, α = 0.5, affine) on the synthetic pair with N source cells, in process (no .h5ad), printing
/// every trace-th objective, the status, iterations, time, CPU seconds, the median error of the rigid map to the truth and
/// the label-transfer accuracy: the data behind the stopping rule (docs/align.md).
/// </summary>
internal static class GromovLowRankRun
{
    public static void Run(string[] args)
    {
        var n = int.Parse(args[0], CultureInfo.InvariantCulture);
        var d = int.Parse(args[1], CultureInfo.InvariantCulture);
        var rank = int.Parse(args[2], CultureInfo.InvariantCulture);
        var method = args.Length > 3 ? args[3] : "frlc";
        var init = args.Length > 4 ? args[4] : "auto";
        var budget = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : (int?)null;
        var x = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 1, d).Source;
        var y = RotatedCopy(x, 7);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var cpu0 = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var profile = new FrlcGromovProfile();
        LowRankInitialization? start = init switch { "kmeans" => LowRankInitialization.KMeans, "random" => LowRankInitialization.Random, _ => null };
        var frlc = new FrlcGromov { Rank = rank, Seed = 1, Initialization = start, Profile = profile };
        if (budget is int maxIterations)
        {
            frlc = frlc with { MaxIterations = maxIterations, MinIterations = maxIterations < 20 ? maxIterations : null };
        }

        if (args.Length > 6)
        {
            frlc = frlc with { ObjectiveTolerance = double.Parse(args[6], CultureInfo.InvariantCulture) };
        }

        var result = method == "frlc"
            ? frlc.Solve(x, y)
            : new LowRankGromov { Rank = rank, Seed = 1 }.Solve(x, y);
        var seconds = watch.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        process.Refresh();
        var peak = process.PeakWorkingSet64;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"method={method} n={n} d={d} rank={rank} seconds={seconds:F1} gw={result.Cost:G6} initial={result.ObjectiveTrace[0]:G6} iterations={result.Convergence.Iterations} status={result.Convergence.Status} marginal_error={result.MarginalError:E2} state_bytes_per_point={result.StateBytes / (2.0 * n):F0} peak_ws_growth_per_point={(peak - baseline) / (2.0 * n):F0} peak_ws_mb={peak / 1e6:F0} cpu_seconds={cpu:F1} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        if (method == "frlc")
        {
            var its = Math.Max(1, profile.Iterations);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu_seconds init={profile.Seconds(FrlcGromovProfile.Phase.Initialization):F2} per_iteration: products={profile.Seconds(FrlcGromovProfile.Phase.Products) / its:F4} projections={profile.Seconds(FrlcGromovProfile.Phase.Projections) / its:F4} latent={profile.Seconds(FrlcGromovProfile.Phase.Latent) / its:F4} sweeps={profile.Sweeps / (double)its:F1}"));
        }
    }

    public static void AlignTrace(string[] args)
    {
        var n = int.Parse(args[0], CultureInfo.InvariantCulture);
        var options = args.Skip(1).Select(a => a.Split('=')).ToDictionary(p => p[0], p => p[1]);
        string Get(string key, string fallback) => options.TryGetValue(key, out var v) ? v : fallback;
        var pair = SpatialSlices.Generate(n, n + (n / 10), 3);
        var source = new PointCloud<double>(pair.SourceCoordinates, pair.SourceCount, 2);
        var target = new PointCloud<double>(pair.TargetCoordinates, pair.TargetCount, 2);
        var fx = new PointCloud<double>(pair.SourceFeatures, pair.SourceCount, pair.FeatureDimension);
        var fy = new PointCloud<double>(pair.TargetFeatures, pair.TargetCount, pair.FeatureDimension);
        var solver = new FrlcGromov
        {
            Rank = int.Parse(Get("rank", "20"), CultureInfo.InvariantCulture),
            Seed = 1,
            MaxIterations = int.Parse(Get("maxit", "500"), CultureInfo.InvariantCulture),
            Initialization = Get("init", "random") == "kmeans" ? LowRankInitialization.KMeans : LowRankInitialization.Random,
        };
        if (options.TryGetValue("min", out var min))
        {
            solver = solver with { MinIterations = int.Parse(min, CultureInfo.InvariantCulture) };
        }

        if (options.TryGetValue("tol", out var tol))
        {
            solver = solver with { ObjectiveTolerance = double.Parse(tol, CultureInfo.InvariantCulture) };
        }

        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = SliceAlignment.Align(source, target, fx, fy, 0.5, solver, SliceAlignMode.Rigid);
        var seconds = watch.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        var lr = (LowRankGromovResult)result.Transport;
        var every = int.Parse(Get("trace", "10"), CultureInfo.InvariantCulture);
        var trace = lr.ObjectiveTrace;
        for (var k = 0; k < trace.Count; k += every)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"it={k} objective={trace[k]:R}"));
        }

        var truth = pair.ToTargetFrame();
        var errors = Enumerable.Range(0, pair.SourceCount).Select(i => Math.Sqrt(Square(result.Aligned[2 * i] - truth[2 * i]) + Square(result.Aligned[(2 * i) + 1] - truth[(2 * i) + 1]))).Order().ToArray();
        var labels = LabelTransfer.Predict(lr, pair.SourceTypes, SpatialSlices.CellTypes);
        var accuracy = Enumerable.Range(0, pair.TargetCount).Count(j => labels.Codes[j] == pair.TargetTypes[j]) / (double)pair.TargetCount;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"n={n} m={pair.TargetCount} status={lr.Convergence.Status} iterations={lr.Convergence.Iterations} final={trace[^1]:R} gw={lr.GromovCost:G6} lin={lr.LinearCost:G6} marginal_error={lr.MarginalError:E2} median_err={errors[errors.Length / 2]:F1} label_acc={accuracy:F3} rotation={result.RotationDegrees:F1} reflection={result.Fit.IsReflection} seconds={seconds:F1} cpu_seconds={cpu:F1} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
    }

    private static double Square(double x) => x * x;

    public static void WriteSlices(string[] args)
    {
        var n = int.Parse(args[0], CultureInfo.InvariantCulture);
        var folder = args[1];
        Directory.CreateDirectory(folder);
        var pair = SpatialSlices.Generate(n, n + (n / 10), 3);
        SpatialSliceFiles.Write(pair, Path.Combine(folder, "s1.h5ad"), Path.Combine(folder, "s2.h5ad"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"source={pair.SourceCount} target={pair.TargetCount} folder={folder}"));
    }

    /// <summary>y = (x R + t)[perm] with R a random rotation in the first two coordinates (an isometry).</summary>
    private static PointCloud<double> RotatedCopy(PointCloud<double> x, int seed)
    {
        var n = x.Count;
        var d = x.Dimension;
        var rng = new Random(seed);
        var perm = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(perm);
        var (c, s) = (Math.Cos(0.7), Math.Sin(0.7));
        var data = new double[n * d];
        for (var j = 0; j < n; j++)
        {
            var row = x.Row(perm[j]);
            for (var k = 0; k < d; k++)
            {
                data[(j * d) + k] = row[k] + 3;
            }

            data[j * d] = (c * row[0]) - (s * row[1]) + 3;
            data[(j * d) + 1] = (s * row[0]) + (c * row[1]) + 3;
        }

        return new PointCloud<double>(data, n, d);
    }
}
