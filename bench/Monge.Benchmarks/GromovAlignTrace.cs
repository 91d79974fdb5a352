using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Geometry;
using Monge.Solvers.LowRank;
using Monge.Solvers.Quadratic;
using Monge.Tools;

/// <summary>
/// <c>gw-align-trace N [maxit=500] [min=] [tol=] [init=random|kmeans] [rank=20] [trace=10]</c>: the slice alignment of
/// <c>monge align</c> (FRLC-GW, α = 0.5, affine) on the synthetic pair with N source cells, in process (no .h5ad), printing
/// every trace-th objective, the status, iterations, time, CPU seconds, the median error of the rigid map to the truth
/// and the label-transfer accuracy: the data behind the stopping rule (docs/align.md).
/// </summary>
internal static class GromovAlignTrace
{
    public static void Run(string[] args)
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
}
