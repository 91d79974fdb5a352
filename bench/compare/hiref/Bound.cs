using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Solvers.Exact;
using Monge.Tools;

/// <summary>
/// bound mode: the certificate alone (DualBound with options) against the exact optimum, on a synthetic pair or on two
/// .npy files; CPU-seconds of each (the machine may be loaded).
/// Usage: -- bound DATASET D N [key=value…] | -- bound X.npy Y.npy ROWS [key=value…]; keys: cost (sqeuclidean),
/// eps, iter, coarse, refine, single (1/0), exactmax (ExactMaxPairs), tiles (1/0: float32 tiles on the cluster path),
/// exact (1/0: the network simplex optimum, default on up to 16 384), opt (a known optimum instead), ascent (AscentCandidates, 0: off), ascentrev, passes (AscentPasses), bids (AscentBids), warbids (AscentWarBids), ascentmax (AscentMaxPoints), exits (AscentExitPoints), exitpasses (AscentExitPasses), exitdim (AscentExitMaxDimension), coarseexact (CoarseExactMaxPairs), refinemax (RefineMaxPairs).
/// </summary>
internal static class Bound
{
    public static void Run(string[] args)
    {
        var options = args.Skip(4).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        string Get(string key, string fallback) => options.TryGetValue(key, out var v) ? v : fallback;
        var cost = CostFunction.Parse<double>(Get("cost", "sqeuclidean"));
        PointCloud<double> x, y;
        string name;
        if (args[1].EndsWith(".npy", StringComparison.Ordinal))
        {
            var rows = int.Parse(args[3], CultureInfo.InvariantCulture);
            x = First(NpyFormat.Read(args[1]).ToPointCloud(), rows);
            y = First(NpyFormat.Read(args[2]).ToPointCloud(), rows);
            name = $"{Path.GetFileName(args[1])}-{Path.GetFileName(args[2])}";
        }
        else
        {
            if (!SyntheticData.TryParse(args[1], out var ds))
            {
                throw new ArgumentException($"Unknown dataset {args[1]}.", nameof(args));
            }

            var sample = SyntheticData.Generate(ds, int.Parse(args[3], CultureInfo.InvariantCulture), 1, int.Parse(args[2], CultureInfo.InvariantCulture), withTarget: true);
            (x, y) = (sample.Source, sample.Target!);
            name = $"{args[1]}-{args[2]}";
        }

        var defaults = new DualBound();
        var bound = defaults with
        {
            Epsilon = double.Parse(Get("eps", defaults.Epsilon.ToString("R", CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            MaxIterations = int.Parse(Get("iter", defaults.MaxIterations.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            CoarseSize = int.Parse(Get("coarse", defaults.CoarseSize.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            RefineIterations = int.Parse(Get("refine", defaults.RefineIterations.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            SinglePrecision = Get("single", "1") == "1",
            ExactMaxPairs = long.Parse(Get("exactmax", defaults.ExactMaxPairs.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            SingleTransforms = Get("tiles", "1") == "1",
            CoarseExactMaxPairs = long.Parse(Get("coarseexact", defaults.CoarseExactMaxPairs.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            RefineMaxPairs = long.Parse(Get("refinemax", defaults.RefineMaxPairs.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            AscentCandidates = int.Parse(Get("ascent", defaults.AscentCandidates.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            AscentReverseCandidates = int.Parse(Get("ascentrev", defaults.AscentReverseCandidates.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            AscentBids = int.Parse(Get("bids", defaults.AscentBids.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            AscentMaxPoints = int.Parse(Get("ascentmax", defaults.AscentMaxPoints.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            AscentExitPoints = int.Parse(Get("exits", defaults.AscentExitPoints.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            AscentExitPasses = int.Parse(Get("exitpasses", defaults.AscentExitPasses.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            AscentExitMaxDimension = int.Parse(Get("exitdim", defaults.AscentExitMaxDimension.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            AscentWarBids = int.Parse(Get("warbids", defaults.AscentWarBids.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            AscentPasses = int.Parse(Get("passes", defaults.AscentPasses.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
        };
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var r = bound.Compute(x, y, cost);
        var boundCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var exact = double.NaN;
        var exactCpu = double.NaN;
        if (Get("exact", x.Count <= 16384 ? "1" : "0") == "1")
        {
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            exact = new NetworkSimplex().Solve(x, y, cost).Cost;
            exactCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        }

        var conv = r.SinkhornConvergence!;
        var exactValue = Get("opt", "");
        if (exactValue.Length > 0)
        {
            exact = double.Parse(exactValue, CultureInfo.InvariantCulture);
        }

        Console.WriteLine(FormattableString.Invariant($"ascent: {string.Join(' ', r.AscentBounds.Select(v => v.ToString("F6", CultureInfo.InvariantCulture)))} bids: {string.Join(' ', r.AscentBids)}"));
        Console.WriteLine(FormattableString.Invariant(
            $"{name},{cost.Name},n={x.Count},{string.Join(' ', args.Skip(4))},bound={r.LowerBound:F6},exact={exact:F6},below_exact={1 - (r.LowerBound / exact):P4},eps={r.Epsilon:G4},iters={conv.Iterations},{conv.Status},bound_cpu_s={boundCpu:F1},exact_cpu_s={exactCpu:F1},peak_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1048576}"));
    }

    internal static PointCloud<double> First(PointCloud<double> cloud, int rows)
    {
        rows = Math.Min(rows, cloud.Count);
        return new PointCloud<double>(cloud.Data[..(rows * cloud.Dimension)].ToArray(), rows, cloud.Dimension);
    }
}
