// Side-by-side helper for bench/compare/barycenter/compare.py. Loads the inputs A (K × N, or K × H × W images) as .npy,
// runs Monge's fixed-support barycenter and writes the barycenter to OUT.npy; prints one JSON line: first_seconds and
// first_cpu (the first solve in this process: JIT included, process start excluded), seconds and cpu (the same, or with
// "warm" the best of three further solves), iterations, error, status, kernel (whether the grid ran in the kernel domain).
// Usage: BarycenterCompare A.npy OUT.npy EPSILON THRESHOLD WEIGHTS(comma) MODE [X.npy] [debiased] [warm] [log|kernel]
//   [momentum=W] [rho=R] [iterations=N] [repeat=S] [trace]
//   warm: after the first solve, warm up to steady state (twice ≤ 200 calls or 1 s, then 0.5 s for tier-1 compiles), then time three more and report the fastest as seconds / cpu.  log / kernel: force that domain on grids.
//   repeat=S (implies warm): after the warm-up, three batches of back-to-back solves, each batch at least S seconds of
//     process CPU (at least one solve); seconds / cpu are the per-solve means of the batch with the least CPU per solve, and
//     "repeats" the number of solves in that batch (a 1.5 ms solve is then timed over many calls, not one timer reading).
//   momentum=W: a fixed over-relaxation ω (1 = plain IBP, POT's iteration); default adaptive.  trace: errors to stderr.
//   rho=R: unbalanced, Relaxation.FromRho(R, R) (POT's barycenter_unbalanced reg_m = R).
//   iterations=N: the iteration budget (default 20000); with THRESHOLD 0 exactly N iterations (a fixed-iterate comparison).
//   MODE grid: A is K × H × W, the grid linspace(0, 1)² (POT's convolutional_barycenter2d), separable soft-min.
//   MODE dense: X.npy holds the N × d support; M = sqeuclidean(X, X) / max, a dense N × N geometry.
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Monge.Geometry;
using Monge.IO;
using Monge.Problems;
using Monge.Tools.Barycenters;

var a = NpyFormat.Read(args[0]);
var epsilon = double.Parse(args[2], CultureInfo.InvariantCulture);
var threshold = double.Parse(args[3], CultureInfo.InvariantCulture);
var weights = args[4].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var mode = args[5];
var debiased = args.Contains("debiased");
var repeatArg = args.FirstOrDefault(x => x.StartsWith("repeat=", StringComparison.Ordinal));
double? repeatSeconds = repeatArg is null ? null : double.Parse(repeatArg["repeat=".Length..], CultureInfo.InvariantCulture);
var warm = args.Contains("warm") || repeatSeconds is not null;
var scaling = args.Contains("log") ? GridScaling.LogDomain : args.Contains("kernel") ? GridScaling.KernelDomain : GridScaling.Auto;
var momentumArg = args.FirstOrDefault(x => x.StartsWith("momentum=", StringComparison.Ordinal));
double? momentum = momentumArg is null ? null : double.Parse(momentumArg["momentum=".Length..], CultureInfo.InvariantCulture);
var iterationsArg = args.FirstOrDefault(x => x.StartsWith("iterations=", StringComparison.Ordinal));
var maxIterations = iterationsArg is null ? 20_000 : int.Parse(iterationsArg["iterations=".Length..], CultureInfo.InvariantCulture);
var rhoArg = args.FirstOrDefault(x => x.StartsWith("rho=", StringComparison.Ordinal));
var relaxation = rhoArg is null ? Relaxation.Balanced : Relaxation.FromRho(double.Parse(rhoArg["rho=".Length..], CultureInfo.InvariantCulture), double.Parse(rhoArg["rho=".Length..], CultureInfo.InvariantCulture));
var values = a.ToDoubleArray();
var k = a.Shape[0];
var n = values.Length / k;
var histograms = Enumerable.Range(0, k).Select(s => values.AsSpan(s * n, n).ToArray()).ToArray();
CostGeometry<double> geometry;
if (mode == "grid")
{
    geometry = GridGeometry<double>.UnitImage(a.Shape[1], a.Shape[2]);
}
else
{
    var x = NpyFormat.Read(args[6]).ToPointCloud();
    var build = Stopwatch.StartNew();
    var cloud = PointCloudGeometry.SquaredEuclidean(x, x);
    var cost = cloud.ToDense();
    var max = cost.Max();
    for (var i = 0; i < cost.Length; i++)
    {
        cost[i] /= max;
    }

    geometry = new DenseGeometry<double>(cost, n, n);
    Console.Error.WriteLine($"dense cost built in {build.Elapsed.TotalSeconds:F3} s (not timed)");
}

var solver = new FixedSupportBarycenter { Epsilon = epsilon, Threshold = threshold, MaxIterations = maxIterations, Debiased = debiased, GridScaling = scaling, Momentum = momentum, Relaxation = relaxation };

// The first call in this process (JIT included, process start excluded); with "warm", then the best of three more calls.
(FixedSupportBarycenterResult Result, double Seconds, double Cpu) Timed()
{
    var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    var solved = solver.Solve(geometry, histograms, weights);
    watch.Stop();
    return (solved, watch.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds);
}

var (jitMs, jitMethods) = (JitInfo.GetCompilationTime().TotalMilliseconds, JitInfo.GetCompiledMethodCount());
var (result, firstSeconds, firstCpu) = Timed();
// The JIT's share of the first call, on stderr (bench/quiet/first21.sh): compile milliseconds and methods compiled, all threads.
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first_jit_ms={JitInfo.GetCompilationTime().TotalMilliseconds - jitMs:F1} first_jit_methods={JitInfo.GetCompiledMethodCount() - jitMethods}"));
var (seconds, cpuSeconds) = (firstSeconds, firstCpu);
var repeats = 1;
if (warm)
{
    // Steady state first, as the free-support harness does: twice up to 200 calls or 1 s of solving, each followed by a
    // pause for the background tier-1 compiles. Three repeats right after the first call measured partly tier-0 code on
    // small problems (the unbalanced n = 100 row: 0.052 s, against 0.015 s once warmed up; stop 20).
    for (var round = 0; round < 2; round++)
    {
        var warmUp = Stopwatch.StartNew();
        for (var call = 0; call < 200 && warmUp.Elapsed.TotalSeconds < 1; call++)
        {
            solver.Solve(geometry, histograms, weights);
        }

        Thread.Sleep(500);
    }

    (seconds, cpuSeconds) = (double.PositiveInfinity, double.PositiveInfinity);
    for (var repeat = 0; repeat < 3 && repeatSeconds is { } budget; repeat++)
    {
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var calls = 0;
        do
        {
            result = solver.Solve(geometry, histograms, weights);
            calls++;
        }
        while ((Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds < budget);

        watch.Stop();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds / calls;
        if (cpu < cpuSeconds)
        {
            (seconds, cpuSeconds, repeats) = (watch.Elapsed.TotalSeconds / calls, cpu, calls);
        }
    }

    for (var repeat = 0; repeat < 3 && repeatSeconds is null; repeat++)
    {
        var (again, s, c) = Timed();
        result = again;
        if (s < seconds)
        {
            (seconds, cpuSeconds) = (s, c);
        }
    }
}

if (args.Contains("trace"))
{
    Console.Error.WriteLine(string.Join(" ", result.Convergence.ErrorTrace.Select(e => e.ToString("E1", CultureInfo.InvariantCulture))));
}

NpyFormat.Write(args[1], new NumericArray(result.ToArray(), a.Shape.Skip(1).ToArray()));
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"{{\"seconds\": {seconds:R}, \"cpu\": {cpuSeconds:R}, \"first_seconds\": {firstSeconds:R}, \"first_cpu\": {firstCpu:R}, \"kernel\": {(result.UsedKernelDomain ? "true" : "false")}, \"absorptions\": {typeof(FixedSupportBarycenterResult).GetProperty("Absorptions", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(result)}, \"repeats\": {repeats}, \"iterations\": {result.Convergence.Iterations}, \"error\": {result.Convergence.FinalError:R}, \"status\": \"{result.Convergence.Status}\"}}"));
