// Side-by-side helper for bench/compare/gromov/compare_entropic.py: loads X (n × d) and Y (m × d') as .npy, builds the
// squared Euclidean intra-space costs divided by their max (the factored rank-(d + 2) geometries: C1·P costs O(n·m·d)),
// runs Monge's entropic GW (mirror descent, POT's ε convention) and prints one JSON line: seconds (solver only, first-call
// JIT included), gw (POT's gw_dist convention), iterations, inner (Sinkhorn iterations), residual, converged.
// Usage: EntropicCompare X.npy Y.npy EPSILON [threshold] [method: md|ppa]
using System.Diagnostics;
using System.Globalization;
using Monge.Geometry;
using Monge.IO;
using Monge.Problems;
using Monge.Solvers.Quadratic;

if (args[0] == "blob")
{
    // blob X.npy Y.npy PERM.npy RELEPS MULT DECAY INIT(product|cg) [maxInner]: the issue-13 micrometre case.
    var bx = NpyFormat.Read(args[1]).ToPointCloud();
    var by = NpyFormat.Read(args[2]).ToPointCloud();
    var perm = NpyFormat.Read(args[3]).ToDoubleArray();
    var relEps = double.Parse(args[4], CultureInfo.InvariantCulture);
    var schedule = new Monge.Solvers.Entropic.EpsilonScaling(double.Parse(args[5], CultureInfo.InvariantCulture), double.Parse(args[6], CultureInfo.InvariantCulture));
    var watch = Stopwatch.StartNew();
    var bp = QuadraticProblem<double>.FromPointClouds(bx, by);
    double[]? init = null;
    if (args[7] == "cg")
    {
        init = new GromovWasserstein().Solve(bp).ToDense();
    }

    var cgSeconds = watch.Elapsed.TotalSeconds;
    var solverB = new EntropicGromovWasserstein
    {
        Epsilon = relEps,
        EpsilonRelativeTo = Monge.Solvers.Entropic.EpsilonReference.MeanCost,
        EpsilonSchedule = schedule,
        MaxInnerIterations = args.Length > 8 ? int.Parse(args[8], CultureInfo.InvariantCulture) : null,
        MaxIterations = args.Length > 9 ? int.Parse(args[9], CultureInfo.InvariantCulture) : 1000,
    };
    var rb = solverB.Solve(bp, init);
    var nb = bx.Count;
    var planB = rb.Plan.ToArray();
    var hits = 0;
    for (var k = 0; k < nb; k++)
    {
        var row = planB.AsSpan(k * nb, nb);
        var best = 0;
        for (var j = 1; j < nb; j++)
        {
            best = row[j] > row[best] ? j : best;
        }

        hits += (int)perm[best] == k ? 1 : 0;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds {watch.Elapsed.TotalSeconds:F2} (cg {cgSeconds:F2}) eps {rb.Epsilon:G4} status {rb.Convergence.Status} outer {rb.Iterations} inner {rb.InnerIterations} failures {rb.InnerFailures} residual {rb.FixedPointResidual:G3} gw {rb.GwCost:G6} argmax-hits {hits}/{nb}"));
    return;
}

var x = NpyFormat.Read(args[0]).ToPointCloud();
var y = NpyFormat.Read(args[1]).ToPointCloud();
var epsilon = double.Parse(args[2], CultureInfo.InvariantCulture);
var threshold = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 1e-9;
var method = args.Length > 4 && args[4] == "ppa" ? EntropicGromovMethod.ProximalPoint : EntropicGromovMethod.MirrorDescent;
if (args.Length > 5 && args[5] == "profile")
{
    var pr = new QuadraticProblem<double>(Normalized(x), Normalized(y));
    var plan0 = new double[x.Count * y.Count];
    Array.Fill(plan0, 1.0 / plan0.Length);
    var sw0 = Stopwatch.StartNew();
    for (var r = 0; r < 5; r++)
    {
        _ = pr.Gradient(plan0);
    }

    Console.WriteLine($"gradient {sw0.Elapsed.TotalSeconds / 5:F4} s");
    var grad = pr.Gradient(plan0);
    var lp = new LinearProblem<double>(new DenseGeometry<double>(grad, x.Count, y.Count), null, null);
    sw0.Restart();
    var sk = new Monge.Solvers.Entropic.Sinkhorn { Epsilon = epsilon, Threshold = 1e-10, MaxIterations = 20000, CostStorage = CostStorage.Dense }.Solve(lp);
    Console.WriteLine($"sinkhorn {sw0.Elapsed.TotalSeconds:F4} s, {sk.Convergence.Iterations} it");
    sw0.Restart();
    _ = sk.ToDense();
    Console.WriteLine($"todense {sw0.Elapsed.TotalSeconds:F4} s");
    sw0.Restart();
    _ = new Monge.Solvers.Entropic.Sinkhorn { Epsilon = epsilon, Threshold = 1e-10, MaxIterations = 20000, CostStorage = CostStorage.Dense }.Solve(lp, sk.Potentials);
    Console.WriteLine($"warm sinkhorn {sw0.Elapsed.TotalSeconds:F4} s");
    return;
}

// The first solve pays the JIT (what a one-shot CLI user pays); the second, in the same process, is what a library user
// solving many problems pays. Both build the problem (the normalization included) and solve it.
using var jitLog = Environment.GetEnvironmentVariable("GW_JITLOG") is null ? null : new JitLog();
var seconds = new double[2];
var cpu = new double[2];
var jitMethods = new long[2];
var jitSeconds = new double[2];
EntropicGromovWassersteinResult<double>? result = null;
for (var run = 0; run < 2; run++)
{
    if (jitLog is not null)
    {
        Thread.Sleep(500);
        jitLog.Enabled = run == 0;
    }

    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var jit0 = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
    var stopwatch = Stopwatch.StartNew();
    var problem = new QuadraticProblem<double>(Normalized(x), Normalized(y));
    result = new EntropicGromovWasserstein { Epsilon = epsilon, Threshold = threshold, Method = method, AndersonDepth = int.Parse(Environment.GetEnvironmentVariable("GW_ANDERSON") ?? "0", CultureInfo.InvariantCulture) }.Solve(problem);
    seconds[run] = stopwatch.Elapsed.TotalSeconds;
    cpu[run] = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    jitMethods[run] = System.Runtime.JitInfo.GetCompiledMethodCount() - jit0.Item1;
    jitSeconds[run] = (System.Runtime.JitInfo.GetCompilationTime() - jit0.Item2).TotalSeconds;
}

if (jitLog is not null)
{
    jitLog.Enabled = false;
    lock (jitLog.Methods)
    {
        foreach (var line in jitLog.Methods)
        {
            Console.Error.WriteLine(line);
        }
    }
}

Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"{{\"seconds\": {seconds[0]:R}, \"warm_seconds\": {seconds[1]:R}, \"cpu_seconds\": {cpu[0]:R}, \"warm_cpu_seconds\": {cpu[1]:R}, \"jit_methods\": {jitMethods[0]}, \"jit_seconds\": {jitSeconds[0]:R}, \"warm_jit_methods\": {jitMethods[1]}, \"gw\": {result!.GwCost:R}, \"iterations\": {result.Iterations}, \"inner\": {result.InnerIterations}, \"residual\": {result.FixedPointResidual:R}, \"converged\": {(result.Converged ? "true" : "false")}}}"));

static LowRankGeometry<double> Normalized(PointCloud<double> cloud)
{
    var geometry = LowRankGeometry<double>.SquaredEuclidean(cloud, cloud);
    var n = cloud.Count;
    var d = cloud.Dimension;
    var data = cloud.Data;
    var max = 0.0;
    for (var i = 0; i < n; i++)
    {
        for (var j = i + 1; j < n; j++)
        {
            double s = 0;
            for (var k = 0; k < d; k++)
            {
                var t = data[(i * d) + k] - data[(j * d) + k];
                s += t * t;
            }

            max = Math.Max(max, s);
        }
    }

    return (LowRankGeometry<double>)geometry.WithScaleFactor(1 / max);
}

/// <summary>Lists the methods the JIT compiles (GW_JITLOG=1, for finding what the first call compiles).</summary>
internal sealed class JitLog : System.Diagnostics.Tracing.EventListener
{
    public bool Enabled { get; set; }

    public List<string> Methods { get; } = [];

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x10);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (Enabled && e.EventName is not null && e.EventName.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) && e.Payload is not null)
        {
            var names = e.PayloadNames!;
            string Get(string name) => e.Payload[names.IndexOf(name)]?.ToString() ?? "";
            lock (Methods)
            {
                Methods.Add($"{Get("MethodFlags")} {Get("MethodNamespace")}::{Get("MethodName")} {Get("MethodSignature")}");
            }
        }
    }
}
