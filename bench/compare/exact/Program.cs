// Side-by-side timing helper for bench/compare/exact/compare.py: loads X and Y (.npy, n × d), runs one Monge exact
// solver on the squared Euclidean cost and prints "wallSeconds cost cpuSeconds" (best of the repeats) on stdout. The
// Python script times SciPy and POT on the same files. Methods: lap (dense double cost, default settings), lap-double
// (dense, no mixed precision), lap-points (point-cloud entry point: computes the costs itself), lap-otf (point clouds,
// rows always on the fly), emd (network simplex). Usage: ExactCompare METHOD X.npy Y.npy [repeats]
using System.Diagnostics;
using System.Globalization;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Solvers.Exact;

var method = args[0];
var x = NpyFormat.Read(args[1]).ToPointCloud();
var y = NpyFormat.Read(args[2]).ToPointCloud();
var repeats = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
var n = x.Count;
var m = y.Count;
var cost = new double[n * m];
LinearAssignment.FillCost(x.Data, y.Data, x.Dimension, new SquaredEuclidean<double>(), cost);
var best = double.PositiveInfinity;
var bestCpu = double.PositiveInfinity;
using var process = Process.GetCurrentProcess();
var value = double.NaN;
for (var r = 0; r < repeats; r++)
{
    process.Refresh();
    var cpu0 = process.TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    switch (method)
    {
        case "lap":
            value = LinearAssignment.Solve(cost, n, m).TotalCost;
            break;
        case "lap-double":
            value = LinearAssignment.Solve(cost, n, m, new LinearAssignmentWorkspace<double> { MixedPrecision = false }).TotalCost;
            break;
        case "lap-points":
            value = new LinearAssignment().Solve(x, y, new SquaredEuclidean<double>()).TotalCost;
            break;
        case "lap-otf":
            value = new LinearAssignment { MaxDenseEntries = 0 }.Solve(x, y, new SquaredEuclidean<double>()).TotalCost;
            break;
        case "emd":
            value = new NetworkSimplex().Solve(cost, Monge.Problems.Marginals.Uniform<double>(n), Monge.Problems.Marginals.Uniform<double>(m)).Cost * n;
            break;
        default:
            throw new ArgumentException($"unknown method {method}");
    }

    best = Math.Min(best, sw.Elapsed.TotalSeconds);
    process.Refresh();
    bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalSeconds);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{best:R} {value:R} {bestCpu:R}"));
