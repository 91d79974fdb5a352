using System.Diagnostics;
using System.Globalization;
using Monge.Datasets;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Tools;

/// <summary>
/// One-shot run of the Sinkhorn divergence, printing each term's iterations and the symmetric solve's iterations from
/// three starts (zero, softmin(0), the cross problem's f):
/// <c>dotnet run -c Release --project bench/Monge.Benchmarks -- sinkhorn-div N D [EPS_REL] [THRESHOLD]</c>
/// (OTT-style Gaussian mixtures; ε = EPS_REL·mean(C), default 0.01; L1 threshold default 1e-6).
/// </summary>
internal static class SinkhornDivergenceRun
{
    public static void Run(string[] args)
    {
        var n = int.Parse(args[0], CultureInfo.InvariantCulture);
        var d = int.Parse(args[1], CultureInfo.InvariantCulture);
        var epsRel = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0.01;
        var threshold = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 1e-6;
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, 1, d, withTarget: true);
        var x = sample.Source;
        var y = sample.Target!;
        var options = new Sinkhorn { Epsilon = epsRel, EpsilonRelativeTo = EpsilonReference.MeanCost, Threshold = threshold, MaxIterations = 20_000 };
        var watch = Stopwatch.StartNew();
        var result = SinkhornDivergence.Compute(x, y, options);
        watch.Stop();
        Console.WriteLine(FormattableString.Invariant(
            $"n={n} d={d} eps={result.Epsilon:G4} divergence={result.Value:G10} seconds={watch.Elapsed.TotalSeconds:F2} iterations: cross={result.CrossConvergence!.Iterations} source={result.SourceConvergence!.Iterations} target={result.TargetConvergence!.Iterations}"));

        var shared = options with { Epsilon = result.Epsilon, EpsilonRelativeTo = EpsilonReference.Absolute };
        var self = LinearProblem<double>.FromPointClouds(x, x);
        var cross = shared.Solve(LinearProblem<double>.FromPointClouds(x, y));
        foreach (var (label, start) in new[] { ("zero", new double[n]), ("softmin(0)", null), ("cross f", cross.F) })
        {
            var o = SinkhornDivergence.SolveSymmetric(shared, self, CancellationToken.None, start);
            Console.WriteLine(FormattableString.Invariant($"  symmetric OT(α, α) from {label}: {o.Convergence.Iterations} iterations, {o.Convergence.Status}, value {o.RegularizedCost:G10}"));
        }
    }
}
