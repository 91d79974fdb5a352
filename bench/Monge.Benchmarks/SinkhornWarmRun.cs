using System.Globalization;
using Monge.Geometry;
using Monge.IO;
using Monge.Problems;
using Monge.Solvers.Entropic;

/// <summary>
/// First call and warm solves of Sinkhorn with its defaults in one process (issue 12: "first call in a fresh process and
/// warm"): <c>DOTNET_TC_QuickJitForLoops=0 dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll
/// sinkhorn-warm X.npy Y.npy EPSILON THRESHOLD [SOLVES [double]]</c> (the environment variable gives the CLI's JIT setting,
/// <c>TieredCompilationQuickJitForLoops=false</c>). Squared Euclidean cost, uniform weights, absolute ε, L2 marginal
/// threshold: the problem of <c>monge solve --epsilon EPSILON --threshold THRESHOLD --norm l2</c>. Each solve is timed
/// around <c>Solve</c> alone (the problem built before, as POT's call is timed after its arrays exist); solve 1 includes
/// the JIT of everything on its path. Prints one JSON object per solve.
/// </summary>
internal static class SinkhornWarmRun
{
    public static void Run(string[] args)
    {
        var x = Cloud(args[0]);
        var y = Cloud(args[1]);
        var epsilon = double.Parse(args[2], CultureInfo.InvariantCulture);
        var threshold = double.Parse(args[3], CultureInfo.InvariantCulture);
        var solves = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var solver = new Sinkhorn { Epsilon = epsilon, Threshold = threshold, Norm = MarginalNorm.L2, MaxIterations = 100_000 };
        if (args.Length > 5 && args[5] == "double")
        {
            // A/B: every soft-min in double (no float32 early iterations).
            solver = solver with { SingleEarlyIterations = false };
        }

        for (var k = 1; k <= solves; k++)
        {
            var (result, seconds, cpu) = Timing.Measure(() => solver.Solve(problem));
            var c = result.Convergence;
            Console.WriteLine(FormattableString.Invariant(
                $"{{\"solve\": {k}, \"seconds\": {seconds:F4}, \"cpu\": {cpu:F4}, \"iterations\": {c.Iterations}, \"status\": \"{c.Status}\", \"cost\": {result.Cost:R}, \"error\": {c.FinalError:R}, \"momentum\": {result.Momentum:R}, \"single_softmins\": {result.SingleSoftMins}}}"));
        }
    }

    private static PointCloud<double> Cloud(string path)
    {
        var array = NpyFormat.Read(path);
        return new PointCloud<double>(array.ToDoubleArray(), array.Rows, array.Columns);
    }
}
