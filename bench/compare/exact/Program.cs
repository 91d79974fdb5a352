// Side-by-side timing helper for bench/compare/exact/compare.py: loads X and Y (.npy, n × d), runs one Monge exact
// solver on the squared Euclidean cost and prints "wallSeconds cost cpuSeconds" (best of the repeats) on stdout. The
// Python script times SciPy and POT on the same files. Methods: lap (dense double cost, default settings), lap-double
// (dense, no mixed precision), lap-points (point-cloud entry point: computes the costs itself, default memory budget),
// lap-points@BYTES (the same with MaxDenseBytes = BYTES; @67108864 = 64 MiB of float32 is the old fixed limit of
// 2^24 entries), lap-otf (point clouds, rows always on the fly), emd (network simplex), fill-products / fill-differences
// (only the float32 n × m cost of the mixed route: blocked products vs the coordinate-difference rows it replaced).
// Usage: ExactCompare METHOD X.npy Y.npy [repeats]
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
var needsCost = method is "lap" or "lap-double" or "emd";
var cost = needsCost ? new double[n * m] : [];
if (needsCost)
{
    LinearAssignment.FillCost(x.Data, y.Data, x.Dimension, new SquaredEuclidean<double>(), cost);
}

var budget = method.StartsWith("lap-points@", StringComparison.Ordinal) ? long.Parse(method["lap-points@".Length..], CultureInfo.InvariantCulture) : -1;
// The fill methods write into one buffer touched before the clock starts (first-touch page faults of a fresh
// 256 MB array cost more than the arithmetic on a loaded machine and would hide the difference between the kernels).
float[]? fillBuffer = null;
float[] FillTarget(int length)
{
    if (fillBuffer is null)
    {
        fillBuffer = new float[length];
        Array.Fill(fillBuffer, 1f);
    }

    return fillBuffer;
}

if (method.StartsWith("fill-", StringComparison.Ordinal))
{
    FillTarget(n * m);
}

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
        case not null when budget >= 0:
            value = new LinearAssignment { MaxDenseBytes = budget }.Solve(x, y, new SquaredEuclidean<double>()).TotalCost;
            break;
        case "fill-products":
            {
                var products = Monge.Numerics.SquaredDistanceProducts<float>.Create(x.Data, y.Data, x.Dimension);
                var dst = FillTarget(n * m);
                products.FillRows(0, n, euclidean: false, 1f, dst, parallel: Environment.GetEnvironmentVariable("MONGE_SEQUENTIAL") is null);
                value = dst[n * m / 2];
                break;
            }

        case "fill-differences":
            {
                var d = x.Dimension;
                var xf = Array.ConvertAll(x.Data.ToArray(), v => (float)v);
                var yT = new float[d * m];
                for (var j = 0; j < m; j++)
                {
                    for (var k = 0; k < d; k++)
                    {
                        yT[(k * m) + j] = (float)y.Data[(j * d) + k];
                    }
                }

                var dst = FillTarget(n * m);
                for (var i = 0; i < n; i++)
                {
                    Monge.Numerics.PointDifferenceKernel.Row<float>(xf.AsSpan(i * d, d), yT, m, 0, euclidean: false, 1f, dst.AsSpan(i * m, m));
                }

                value = dst[n * m / 2];
                break;
            }

        case "lap-otf":
            value = new LinearAssignment { MaxDenseBytes = 0 }.Solve(x, y, new SquaredEuclidean<double>()).TotalCost;
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
