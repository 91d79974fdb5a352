using System.Diagnostics;
using System.Globalization;
using Monge.Problems;
using Monge.Solvers.LowRank;
using Monge.Testing;

/// <summary>
/// FRLC unit invariance and schedule check (frlc branch), one-shot:
/// <c>dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll frlc-units DATA N RANK [SCHEDULE [SEED]]</c>.
/// DATA = pca, um, moons or gauss (eight Gaussians → moons); SCHEDULE = default (the options' nulls, resolved by size),
/// large (the large-problem schedule at any size) or reference (the reference schedule at any size). Solves the same
/// pair with the coordinates multiplied by 1e-3, 1 and 1e3 (mean cost scaling) and prints per unit: iterations,
/// status, cost / units², the largest plan difference to units ×1 relative to the plan's peak (dense plans up to
/// 2²² entries, else "-"), the first iteration whose objective differs from units ×1 by more than 1e-9 (relative), and
/// seconds; then LR-Sinkhorn (defaults) at the same rank.
/// </summary>
internal static class FrlcUnits
{
    public static void Run(string[] args)
    {
        var data = args[0];
        var n = int.Parse(args[1], CultureInfo.InvariantCulture);
        var rank = int.Parse(args[2], CultureInfo.InvariantCulture);
        var schedule = args.Length > 3 ? args[3] : "default";
        var seed = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        var (x, y) = FrlcAnderson.Data(data, n);
        var frlc = new Frlc { Rank = rank, Seed = seed };
        frlc = schedule switch
        {
            "default" => frlc,
            "large" => frlc.ForSize(Frlc.LargeProblemMinPoints, Frlc.LargeProblemMinPoints),
            "reference" => frlc.ForSize(1, 1),
            _ => throw new ArgumentException($"Unknown schedule '{schedule}'."),
        };
        foreach (var option in args.Skip(5))
        {
            var kv = option.Split('=');
            var v = double.Parse(kv[1], CultureInfo.InvariantCulture);
            frlc = kv[0] switch
            {
                "anderson" => frlc with { ProjectionAndersonMemory = (int)v },
                "rtol" => frlc with { ProjectionRelativeTolerance = v },
                "ptol" => frlc with { ProjectionTolerance = v },
                "pthr" => frlc with { ProjectionThreshold = v },
                "gamma" => frlc with { Gamma = v },
                "maxit" => frlc with { MaxIterations = (int)v },
                _ => throw new ArgumentException($"Unknown option '{option}'."),
            };
        }

        Console.WriteLine(FormattableString.Invariant($"{data} n={n} d={x.Dimension} rank={rank} seed={seed} schedule={schedule} {string.Join(' ', args.Skip(5))}"));
        Console.WriteLine("method       units  iters  status         cost/units^2  marg.err  plan diff/peak  first trace diff  seconds");
        double[]? plan = null;
        IReadOnlyList<double>? trace = null;
        foreach (var units in new[] { 1.0, 1e-3, 1e3 })
        {
            var problem = LinearProblem<double>.FromPointClouds(UnitsData.Scaled(x, units), UnitsData.Scaled(y, units));
            var watch = Stopwatch.StartNew();
            var result = frlc.Solve(problem);
            var seconds = watch.Elapsed.TotalSeconds;
            var dense = (long)n * n <= (1 << 22) ? result.Coupling.ToDense() : null;
            var diff = "-";
            var first = "-";
            if (plan is null)
            {
                (plan, trace) = (dense, result.ObjectiveTrace);
            }
            else
            {
                if (dense is not null)
                {
                    var peak = plan.Max();
                    diff = (plan.Zip(dense, (p, q) => Math.Abs(p - q)).Max() / peak).ToString("E1", CultureInfo.InvariantCulture);
                }

                var k = 0;
                while (k < Math.Min(trace!.Count, result.ObjectiveTrace.Count) && Math.Abs((result.ObjectiveTrace[k] / (units * units)) - trace[k]) <= 1e-9 * Math.Abs(trace[k]))
                {
                    k++;
                }

                if (Environment.GetEnvironmentVariable("FRLC_UNITS_TRACE") is not null)
                {
                    Console.WriteLine("  trace rel. diff: " + string.Join(" ", Enumerable.Range(0, Math.Min(40, Math.Min(trace.Count, result.ObjectiveTrace.Count))).Select(j => (Math.Abs((result.ObjectiveTrace[j] / (units * units)) - trace[j]) / trace[j]).ToString("E0", CultureInfo.InvariantCulture))));
                }

                first = k == trace.Count && k == result.ObjectiveTrace.Count ? "none" : k.ToString(CultureInfo.InvariantCulture);
            }

            var c = result.Convergence;
            Console.WriteLine(FormattableString.Invariant($"frlc         {units,5:G3}  {c.Iterations,5}  {c.Status,-13}  {result.Cost / (units * units),-12:G10}  {result.MarginalError,8:E1}  {diff,14}  {first,16}  {seconds,7:F2}"));
        }

        var watchL = Stopwatch.StartNew();
        var lrs = new LowRankSinkhorn { Rank = rank, Seed = seed }.Solve(LinearProblem<double>.FromPointClouds(x, y));
        Console.WriteLine(FormattableString.Invariant($"lr-sinkhorn  {1,5:G3}  {lrs.Convergence.Iterations,5}  {lrs.Convergence.Status,-13}  {lrs.Cost,-12:G10}  {lrs.MarginalError,8:E1}  {"-",14}  {"-",16}  {watchL.Elapsed.TotalSeconds,7:F2}"));
    }
}
