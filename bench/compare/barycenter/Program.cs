// Side-by-side helper for bench/compare/barycenter/compare.py. Loads the inputs A (K × N, or K × H × W images) as .npy,
// runs Monge's fixed-support barycenter and writes the barycenter to OUT.npy; prints one JSON line: seconds (solver only,
// first-call JIT included), iterations, error, status.
// Usage: BarycenterCompare A.npy OUT.npy EPSILON THRESHOLD WEIGHTS(comma) MODE [X.npy] [debiased]
//   MODE grid: A is K × H × W, the grid linspace(0, 1)² (POT's convolutional_barycenter2d), separable soft-min.
//   MODE dense: X.npy holds the N × d support; M = sqeuclidean(X, X) / max, a dense N × N geometry.
using System.Diagnostics;
using System.Globalization;
using Monge.Geometry;
using Monge.IO;
using Monge.Tools.Barycenters;

var a = NpyFormat.Read(args[0]);
var epsilon = double.Parse(args[2], CultureInfo.InvariantCulture);
var threshold = double.Parse(args[3], CultureInfo.InvariantCulture);
var weights = args[4].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var mode = args[5];
var debiased = args.Contains("debiased");
var values = a.ToDoubleArray();
var k = a.Shape[0];
var n = values.Length / k;
var histograms = Enumerable.Range(0, k).Select(s => values.AsSpan(s * n, n).ToArray()).ToArray();
var stopwatch = Stopwatch.StartNew();
CostGeometry<double> geometry;
if (mode == "grid")
{
    geometry = GridGeometry<double>.UnitImage(a.Shape[1], a.Shape[2]);
}
else
{
    var x = NpyFormat.Read(args[6]).ToPointCloud();
    var cloud = PointCloudGeometry.SquaredEuclidean(x, x);
    var cost = cloud.ToDense();
    var max = cost.Max();
    for (var i = 0; i < cost.Length; i++)
    {
        cost[i] /= max;
    }

    geometry = new DenseGeometry<double>(cost, n, n);
}

var result = new FixedSupportBarycenter { Epsilon = epsilon, Threshold = threshold, MaxIterations = 20_000, Debiased = debiased }.Solve(geometry, histograms, weights);
stopwatch.Stop();
NpyFormat.Write(args[1], new NumericArray(result.ToArray(), a.Shape.Skip(1).ToArray()));
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"{{\"seconds\": {stopwatch.Elapsed.TotalSeconds:R}, \"iterations\": {result.Convergence.Iterations}, \"error\": {result.Convergence.FinalError:R}, \"status\": \"{result.Convergence.Status}\"}}"));
