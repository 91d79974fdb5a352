using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.LowRank;
using Monge.Testing;

/// <summary>
/// Cost of Anderson acceleration in FRLC's Q/R projections (stop 21, frlcinv), one-shot:
/// <c>dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll frlc-anderson DATA N RANK SEED [UNITS [MEMORY[/CAP[/LATENT[/T]]]...]]</c>.
/// DATA = pca (30-D PCA-like pair), um (micrometre slices), moons (half-moon → S-curve) or gauss (eight Gaussians →
/// moons); the coordinates are multiplied by UNITS (default 1). Solves the pair with FRLC's defaults at each Anderson
/// memory given (default 0 and 5), one after the other in this process after a small warm-up solve (JIT), and prints
/// per memory (MEMORY/CAP/LATENT/T also sets the Q/R sweep cap <c>ProjectionIterations</c>, <c>LatentIterations</c>, the cap of the initial projections and of sweep T projections, and T = sweeps (default) or newton, the T projection: <c>Frlc.LatentNewtonProjection</c>, stop 23): outer iterations, status, cost, marginal error, total Q/R projection sweeps and the process CPU seconds
/// (user + sys) of the solve.
/// </summary>
internal static class FrlcAnderson
{
    public static void Run(string[] args)
    {
        var data = args[0];
        var n = int.Parse(args[1], CultureInfo.InvariantCulture);
        var rank = int.Parse(args[2], CultureInfo.InvariantCulture);
        var seed = int.Parse(args[3], CultureInfo.InvariantCulture);
        var units = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 1.0;
        var memories = args.Length > 5 ? args.Skip(5).ToArray() : ["0", "5"];
        var (x, y) = Data(data, n);
        var problem = LinearProblem<double>.FromPointClouds(UnitsData.Scaled(x, units), UnitsData.Scaled(y, units));
        var (wx, wy) = Data(data, 60);
        _ = new Frlc { Rank = 4, Seed = 0 }.Solve(LinearProblem<double>.FromPointClouds(wx, wy));
        Console.WriteLine(FormattableString.Invariant($"{data} n={n} d={x.Dimension} rank={rank} seed={seed} units×{units}"));
        Console.WriteLine("memory/cap/latent  iters  status         cost           marg.err  sweeps   cpu_s");
        var process = Process.GetCurrentProcess();
        foreach (var spec in memories)
        {
            // MEMORY[/CAP[/LATENT[/T]]]: Anderson memory, optionally the Q/R sweep cap (ProjectionIterations), LatentIterations (the
            // initial projections' cap, and the T projections' with T = sweeps) and the T projection (newton or sweeps).
            var parts = spec.Split('/');
            var memory = int.Parse(parts[0], CultureInfo.InvariantCulture);
            var cap = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : new Frlc().ProjectionIterations;
            var latent = parts.Length > 2 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : new Frlc().LatentIterations;
            var newton = parts.Length > 3 && parts[3] == "newton";
            process.Refresh();
            var before = process.TotalProcessorTime;
            var result = new Frlc { Rank = rank, Seed = seed, ProjectionAndersonMemory = memory, ProjectionIterations = cap, LatentIterations = latent, LatentNewtonProjection = newton }.Solve(problem);
            process.Refresh();
            var cpu = (process.TotalProcessorTime - before).TotalSeconds;
            var c = result.Convergence;
            Console.WriteLine(FormattableString.Invariant($"{spec,-12}  {c.Iterations,5}  {c.Status,-13}  {result.Cost,-13:G10}  {result.MarginalError,8:E1}  {result.ProjectionSweeps,7}  {cpu,6:F2}"));
        }
    }

    /// <summary>The named pair of <c>frlc-anderson</c> and <c>frlc-units</c> (pca, um, moons, gauss) at n points.</summary>
    internal static (PointCloud<double> X, PointCloud<double> Y) Data(string data, int n) => data switch
    {
        "pca" => UnitsData.PcaLike(n, 1),
        "um" => UnitsData.Micrometres(n, 1),
        "moons" => Pair(SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, n, 1)),
        "gauss" => Pair(SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 1)),
        _ => throw new ArgumentException($"Unknown data '{data}'."),
    };

    private static (PointCloud<double>, PointCloud<double>) Pair(DatasetSample sample) => (sample.Source, sample.Target!);
}
