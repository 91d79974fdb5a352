// Side-by-side timing helper for bench/compare/barycenter_free/compare.py: loads one free-support barycenter problem
// (an .npz with sizes, points, weights, lambdas, b, x_init), runs Monge's FreeSupportBarycenter from x_init once to
// (first call timed, JIT included), warms up (twice 2 000 calls or 1 s, each followed by a pause for tier-1 compiles) and then runs
// REPEATS times, and writes OUT.npz with the points x, the exact objective, the iterations, the first call's wall time
// and the best warm wall time and process CPU time (seconds, solver only: loading excluded).
// Usage: BaryFreeCompare IN.npz OUT.npz [repeats] [exact|entropic] [threshold]
using System.Diagnostics;
using System.Globalization;
using Monge.Geometry;
using Monge.IO;
using Monge.Tools.Barycenters;

var input = NpzFormat.Read(args[0]);
var repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var inner = args.Length > 3 && args[3] == "entropic" ? FreeSupportInnerSolver.Entropic : FreeSupportInnerSolver.Exact;
var threshold = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 0;
double[] Get(string key) => input[key].ToDoubleArray();
var sizes = Get("sizes");
var points = Get("points");
var weights = Get("weights");
var b = Get("b");
var xInit = Get("x_init");
var lambdas = Get("lambdas");
var d = xInit.Length / b.Length;
var clouds = new List<PointCloud<double>>();
var offset = 0;
foreach (var size in sizes)
{
    var n = (int)size;
    clouds.Add(new PointCloud<double>(points[(offset * d)..((offset + n) * d)], n, d, weights[offset..(offset + n)]));
    offset += n;
}

// Threshold 0 by default: stop when the objective repeats exactly (the plans repeat), the same fixed point POT reaches
// with stopThr ~ 0 (its displacement is then exactly 0).
var solver = new FreeSupportBarycenter { Inner = inner, Threshold = threshold, MaxIterations = 1000 };
FreeSupportBarycenterResult? result = null;
var process = Process.GetCurrentProcess();

// First call: JIT included (what a one-shot CLI run pays).
var first = Stopwatch.StartNew();
result = solver.Solve(clouds, b.Length, lambdas, b, xInit);
var firstSeconds = first.Elapsed.TotalSeconds;

// Warm-up until the tiered JIT has had its chance (2 000 calls or 1 s of solving, whichever comes first, then a pause for
// the background tier-1 compiles, then as many calls again), so the timed repeats measure steady-state code. 200 calls
// and one 300 ms pause were not enough on a loaded machine: the K = 10 calls were still partly tier-0 code (2–3× slower).
var warm = Stopwatch.StartNew();
var calls = 0;
for (var round = 0; round < 2; round++)
{
    warm.Restart();
    calls = 0;
    for (; calls < 2000 && warm.Elapsed.TotalSeconds < 1; calls++)
    {
        solver.Solve(clouds, b.Length, lambdas, b, xInit);
    }

    Thread.Sleep(500);
}

var perCall = warm.Elapsed.TotalSeconds / Math.Max(1, calls);

// Sub-millisecond solves are timed in batches of about 20 ms (the time per call is reported).
var batch = (int)Math.Clamp(0.02 / Math.Max(perCall, 1e-7), 1, 1000);
var best = double.PositiveInfinity;
var bestCpu = double.PositiveInfinity;
for (var r = 0; r < Math.Max(1, repeats); r++)
{
    process.Refresh();
    var cpu = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    for (var c = 0; c < batch; c++)
    {
        result = solver.Solve(clouds, b.Length, lambdas, b, xInit);
    }

    var seconds = watch.Elapsed.TotalSeconds / batch;
    process.Refresh();
    var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds / batch;
    best = Math.Min(best, seconds);
    bestCpu = Math.Min(bestCpu, cpuSeconds);
}

NpzFormat.Write(args[1], new Dictionary<string, NumericArray>
{
    ["x"] = new(result!.Points.ToArray(), b.Length, d),
    ["objective"] = new(new[] { result.Objective }, 1),
    ["iterations"] = new(new[] { (double)result.Convergence.Iterations }, 1),
    ["seconds"] = new(new[] { best }, 1),
    ["first_seconds"] = new(new[] { firstSeconds }, 1),
    ["cpu_seconds"] = new(new[] { bestCpu }, 1),
    ["converged"] = new(new[] { result.Converged ? 1.0 : 0.0 }, 1),
});
