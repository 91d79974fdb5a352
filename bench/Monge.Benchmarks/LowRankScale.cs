using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.LowRank;

/// <summary>
/// One-shot scale run for the low-rank solvers (too long for BenchmarkDotNet's repeated runs):
/// <c>dotnet run -c Release --project bench/Monge.Benchmarks -- lowrank-scale N D RANK METHOD [INNER [REL [ABS]]]</c>,
/// METHOD = frlc or lot; for frlc, INNER is the cap of each Q/R projection and [REL [ABS]] its stopping tolerances
/// (<see cref="Frlc.ProjectionRelativeTolerance"/>, <see cref="Frlc.ProjectionTolerance"/>; 0 0 runs every projection to the cap,
/// the behaviour before those options existed). Prints time, cost, iterations, peak working set and bytes per point.
/// </summary>
internal static class LowRankScale
{
    public static void Run(string[] args)
    {
        var n = int.Parse(args[0], CultureInfo.InvariantCulture);
        var d = int.Parse(args[1], CultureInfo.InvariantCulture);
        var rank = int.Parse(args[2], CultureInfo.InvariantCulture);
        var method = args[3];
        var inner = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 500;
        var defaults = new Frlc();
        var relTol = args.Length > 5 ? double.Parse(args[5], CultureInfo.InvariantCulture) : defaults.ProjectionRelativeTolerance;
        var absTol = args.Length > 6 ? double.Parse(args[6], CultureInfo.InvariantCulture) : defaults.ProjectionTolerance;
        var anderson = args.Length > 7 ? int.Parse(args[7], CultureInfo.InvariantCulture) : defaults.ProjectionAndersonMemory;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 1, d, withTarget: true);
        var x = sample.Source;
        var y = sample.Target!;
        // Normalise the cost to max ≤ 1 (the FRLC demo's advice; the Δ criterion is not scale-free) with the cheap bound
        // max ‖x − y‖² ≤ (max ‖x‖ + max ‖y‖)².
        var scale = 1.0 / Math.Pow(MaxNorm(x) + MaxNorm(y), 2);
        var problem = new LinearProblem<double>(PointCloudGeometry.Create(x, y, default(SquaredEuclidean<double>), scale));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var watch = Stopwatch.StartNew();
        double value;
        int iterations;
        string status;
        double errors;
        long sweeps = 0;
        if (method == "frlc")
        {
            var result = new Frlc { Rank = rank, Seed = 1, ProjectionIterations = inner, ProjectionRelativeTolerance = relTol, ProjectionTolerance = absTol, ProjectionAndersonMemory = anderson }.Solve(problem);
            (value, iterations, status, errors) = (result.Cost, result.Convergence.Iterations, result.Convergence.Status.ToString(), result.SourceMarginalError + result.TargetMarginalError);
            sweeps = result.ProjectionSweeps;
        }
        else
        {
            var result = new LowRankSinkhorn { Rank = rank, Seed = 1 }.Solve(problem);
            (value, iterations, status, errors) = (result.Cost, result.Convergence.Iterations, result.Convergence.Status.ToString(), result.SourceMarginalError + result.TargetMarginalError);
        }

        watch.Stop();
        process.Refresh();
        var peak = process.PeakWorkingSet64;
        var gcInfo = GC.GetGCMemoryInfo();
        var perPoint = (peak - baseline) / (2.0 * n);
        Console.WriteLine(FormattableString.Invariant(
            $"method={method} n={n} d={d} rank={rank} inner={inner} inner_rel_tol={relTol} inner_abs_tol={absTol} inner_anderson={anderson} time_s={watch.Elapsed.TotalSeconds:F1} cost={value:G8} iterations={iterations} inner_sweeps={sweeps} status={status} marginal_l1={errors:E2} baseline_mb={baseline / 1048576.0:F0} peak_mb={peak / 1048576.0:F0} bytes_per_point_above_baseline={perPoint:F0} gc_heap_mb_at_last_gc={gcInfo.HeapSizeBytes / 1048576.0:F0} total_allocated_mb={GC.GetTotalAllocatedBytes() / 1048576.0:F0}"));
    }

    private static double MaxNorm(Monge.Geometry.PointCloud<double> cloud)
    {
        var max = 0.0;
        for (var i = 0; i < cloud.Count; i++)
        {
            var s = 0.0;
            foreach (var v in cloud.Row(i))
            {
                s += v * v;
            }

            max = Math.Max(max, s);
        }

        return Math.Sqrt(max);
    }
}
