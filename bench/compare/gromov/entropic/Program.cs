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

var stopwatch = Stopwatch.StartNew();
var problem = new QuadraticProblem<double>(Normalized(x), Normalized(y));
var result = new EntropicGromovWasserstein { Epsilon = epsilon, Threshold = threshold, Method = method }.Solve(problem);
stopwatch.Stop();
Console.WriteLine(string.Create(
    CultureInfo.InvariantCulture,
    $"{{\"seconds\": {stopwatch.Elapsed.TotalSeconds:R}, \"gw\": {result.GwCost:R}, \"iterations\": {result.Iterations}, \"inner\": {result.InnerIterations}, \"residual\": {result.FixedPointResidual:R}, \"converged\": {(result.Converged ? "true" : "false")}}}"));

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
