using System.Globalization;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;

/// <summary>
/// In-process A/B of the Sinkhorn iteration domain (issue 12):
/// <c>dotnet bench/Monge.Benchmarks/bin/Release/net10.0/Monge.Benchmarks.dll sinkhorn-kernel DATA N [REPS [MODES]]</c>.
/// DATA = 2d (x, y ~ U[0,1]², y shifted by 0.2, as bench/compare/sinkhorn) or pca30 (a 30-D PCA-like pair, N × 0.9 N,
/// same shape as compare.py's; not the same random numbers). Squared Euclidean, uniform weights, ε = 0.01·mean C,
/// L2 marginal threshold 1e-6, defaults otherwise. MODES (comma-separated, default single,double,log): the stored
/// kernel in float32, in double, or the log domain. Runs the modes alternately REPS times; prints wall and CPU seconds (user + sys of the process), iterations,
/// absorptions, kernel bytes, cost and marginal error, and the cost difference to the log domain.
/// </summary>
internal static class SinkhornKernelRun
{
    public static void Run(string[] args)
    {
        var data = args[0];
        var n = int.Parse(args[1], CultureInfo.InvariantCulture);
        var reps = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        var modes = (args.Length > 3 ? args[3] : "single,double,log").Split(',');
        var (x, y) = Data(data, n);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var options = new Sinkhorn { Epsilon = 0.01, EpsilonRelativeTo = EpsilonReference.MeanCost, Threshold = 1e-6, Norm = MarginalNorm.L2, MaxIterations = 100_000 };
        Console.WriteLine($"data {data}, {x.Count} x {y.Count}, d = {x.Dimension}; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine("| mode | seconds | CPU s | iterations | absorptions | kernel MiB | storage | cost | marginal L2 | rel. cost diff vs first |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        double? first = null;
        for (var r = 0; r < reps; r++)
        {
            foreach (var mode in modes)
            {
                var solver = mode switch
                {
                    "single" => options with { SingleKernel = true },
                    "double" => options with { SingleKernel = false },
                    "log" => options with { KernelIterations = false },
                    _ => throw new ArgumentException($"Unknown mode '{mode}'."),
                };
                var (result, seconds, cpu) = Timing.Measure(() => solver.Solve(problem));
                var cost = result.Cost;
                first ??= cost;
                Console.WriteLine(FormattableString.Invariant(
                    $"| {mode} | {seconds:F2} | {cpu:F2} | {result.Convergence.Iterations} | {result.KernelAbsorptions} | {result.KernelMemoryBytes / 1048576.0:F0} | {result.CostStorage} | {cost:R} | {result.Convergence.FinalError:E1} | {Math.Abs(cost - first.Value) / Math.Abs(first.Value):E1} |"));
            }
        }
    }

    internal static (PointCloud<double> X, PointCloud<double> Y) Data(string data, int n)
    {
        if (data == "2d")
        {
            var rng = new Random(0);
            var xs = new double[2 * n];
            var ys = new double[2 * n];
            for (var k = 0; k < xs.Length; k++)
            {
                xs[k] = rng.NextDouble();
            }

            for (var k = 0; k < ys.Length; k++)
            {
                ys[k] = rng.NextDouble() + 0.2;
            }

            return (new PointCloud<double>(xs, n, 2), new PointCloud<double>(ys, n, 2));
        }

        if (data == "pca30")
        {
            const int d = 30;
            var rng = new Random(1);
            var centers = new double[4 * d];
            for (var k = 0; k < centers.Length; k++)
            {
                centers[k] = Normal(rng) * 25 / Math.Sqrt(1 + (k % d)) * 1.5;
            }

            PointCloud<double> Pca(int count, double shift)
            {
                var v = new double[count * d];
                for (var i = 0; i < count; i++)
                {
                    var c = rng.Next(4);
                    for (var k = 0; k < d; k++)
                    {
                        v[(i * d) + k] = (Normal(rng) * 25 / Math.Sqrt(1 + k)) + centers[(c * d) + k] + shift;
                    }
                }

                return new PointCloud<double>(v, count, d);
            }

            return (Pca(n, 0), Pca((int)(0.9 * n), 3));
        }

        throw new ArgumentException($"Unknown data '{data}'.");
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
