using System.Globalization;
using Monge.Problems;
using Monge.Solvers.Entropic;

/// <summary>
/// Error traces and iteration counts of Sinkhorn's over-relaxation rules (issue 12, ω rule):
/// <c>dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll sinkhorn-trace DATA N [VARIANTS [INNER]]</c>.
/// DATA and the problem as <see cref="SinkhornKernelRun"/> (ε = 0.01·mean C, L2 threshold 1e-6). VARIANTS (comma-separated,
/// default "defaults,plain"): defaults, plain (ω = 1), or a fixed ω such as 1.8. INNER: the check interval (default 10; 1
/// prints the error of every iteration). Prints iterations, ω, seconds, CPU seconds, cost and the error trace.
/// </summary>
internal static class SinkhornTraceRun
{
    public static void Run(string[] args)
    {
        var data = args[0];
        var n = int.Parse(args[1], CultureInfo.InvariantCulture);
        var variants = (args.Length > 2 ? args[2] : "defaults,plain").Split(',');
        var inner = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10;
        var (x, y) = SinkhornKernelRun.Data(data, n);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var options = new Sinkhorn { Epsilon = 0.01, EpsilonRelativeTo = EpsilonReference.MeanCost, Threshold = 1e-6, Norm = MarginalNorm.L2, MaxIterations = 100_000, InnerIterations = inner };
        Console.WriteLine($"data {data}, {x.Count} x {y.Count}, d = {x.Dimension}; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        foreach (var variant in variants)
        {
            var solver = variant switch
            {
                "defaults" => options,
                "plain" => options with { Momentum = 1 },
                "double" => options with { SingleEarlyIterations = false },
                _ when variant.StartsWith('f') => options with { SingleSwitchFactor = double.Parse(variant[1..], CultureInfo.InvariantCulture) },
                _ when variant.StartsWith('s') => Scaled(options, variant),
                _ when variant.StartsWith('m') => options with { Momentum = double.Parse(variant[1..variant.IndexOf('@')], CultureInfo.InvariantCulture), MomentumStart = int.Parse(variant[(variant.IndexOf('@') + 1)..], CultureInfo.InvariantCulture) },
                _ => options with { Momentum = double.Parse(variant, CultureInfo.InvariantCulture) },
            };
            var (result, seconds, cpu) = Timing.Measure(() => solver.Solve(problem));
            var c = result.Convergence;
            Console.WriteLine(FormattableString.Invariant(
                $"{variant}: {c.Status}, {c.Iterations} it, ω {result.Momentum:F3}, {seconds:F3} s, {cpu:F3} CPU s, cost {result.Cost:R}, error {c.FinalError:E2}, float32 soft-mins {result.SingleSoftMins}"));
            Console.WriteLine("  errors: " + string.Join(' ', c.ErrorTrace.Select(e => e.ToString("E2", CultureInfo.InvariantCulture))));
        }
    }

    /// <summary>"sSTART:DECAY:OMEGA" (OMEGA "a" = adaptive): ε-scaling from START·ε with DECAY per iteration, then ω.</summary>
    private static Sinkhorn Scaled(Sinkhorn options, string variant)
    {
        var p = variant[1..].Split(':');
        var scaling = new EpsilonScaling(double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture));
        return options with { EpsilonScaling = scaling, Momentum = p[2] == "a" ? null : double.Parse(p[2], CultureInfo.InvariantCulture) };
    }
}
