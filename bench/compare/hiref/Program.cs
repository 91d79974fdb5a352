// HiRef scale and quality comparison: n, cost, seconds, peak memory, cost ratio to the exact optimum where computable.
// Usage: dotnet run -c Release --project bench/compare/hiref -- [halfmoon|mixture64|quality] [maxN] [exactMaxN] [dumpDir]
// With dumpDir (quality mode), each case's points are written as DIR/<dataset>-<d>-<n>-{x,y}.npy for compare.py.
// certify mode: -- certify N1,N2,... [exactMaxN] [epsilon] [maxIterations] [only] [coarseSize] [refineIterations] [nohiref]: HiRef cost, the certified lower bound of
// Monge.Tools.DualBound (ε relative to the mean cost) and the certified gap HiRef / bound − 1, with the exact optimum
// (network simplex) up to exactMaxN. "only" restricts to cases whose "dataset-d-cost" name contains it.
using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Solvers.Hierarchical;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var mode = args.Length > 0 ? args[0] : "halfmoon";
if (mode == "options")
{
    Certify.Options(args);
    return;
}

if (mode == "tune")
{
    Tune.Run(args);
    return;
}

if (mode == "bound")
{
    Bound.Run(args);
    return;
}

if (mode == "certify")
{
    Certify.Run(args);
    return;
}


var maxN = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1 << 20;
var exactMaxN = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8192;
var dump = args.Length > 3 ? args[3] : null;
Console.WriteLine("dataset,d,cost,n,hiref_cost,seconds,peak_scratch_mb,process_peak_mb,schedule,cost_before_polish,polish_rounds,exact_cost,exact_seconds,ratio");
if (mode == "quality")
{
    foreach (var cost in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
    {
        foreach (var (ds, d) in QualityCases.Pairs)
        {
            foreach (var n in new[] { 4096, 10007, 16384 })
            {
                if (n <= maxN)
                {
                    Run(ds, d, cost, n);
                }
            }
        }
    }
}
else
{
    var (ds, d, top) = mode == "mixture64" ? (SyntheticDataset.GaussianMixture, 64, Math.Min(maxN, 262144)) : (SyntheticDataset.HalfMoonSCurve, 2, maxN);
    for (var n = 1024; n <= top; n *= 4)
    {
        Run(ds, d, new SquaredEuclidean<double>(), n);
    }
}

void Run(SyntheticDataset ds, int d, ICostFunction<double> cost, int n)
{
    var sample = SyntheticData.Generate(ds, n, 1, d, withTarget: true);
    if (dump is not null)
    {
        Directory.CreateDirectory(dump);
        var stem = Path.Combine(dump, $"{SyntheticData.CliName(ds)}-{d}-{n}");
        NpyFormat.Write(stem + "-x.npy", NumericArray.FromPointCloud(sample.Source));
        NpyFormat.Write(stem + "-y.npy", NumericArray.FromPointCloud(sample.Target!));
    }

    var clock = Stopwatch.StartNew();
    var result = new HierarchicalRefinement { Cost = cost }.Solve(sample.Source, sample.Target!);
    var seconds = clock.Elapsed.TotalSeconds;
    var (exact, exactSeconds) = QualityCases.ExactOptimum(sample, cost, exactMaxN);

    var processPeak = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
    Console.WriteLine(string.Join(",", SyntheticData.CliName(ds), d, cost.Name, n, result.Cost.ToString("F6"), seconds.ToString("F2"),
        (result.PeakScratchBytes / 1e6).ToString("F1"), processPeak.ToString("F0"), "[" + string.Join(" ", result.RankSchedule) + "]",
        result.CostBeforePolish.ToString("F6"), result.PolishRounds, exact.ToString("F6"), exactSeconds.ToString("F2"), (result.Cost / exact).ToString("F5")));
}
