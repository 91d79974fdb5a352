using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Monge.Tools.Sorting;

namespace Monge.Benchmarks;

/// <summary>
/// Soft sorting (issue #16): n inputs (a seeded two-component Gaussian mixture) transported to m = 100 targets at the
/// default ε = 0.01, forward only and forward plus one vector-Jacobian product; the top-k mask (m = 2). No peer baseline
/// runs here (OTT-JAX needs JAX); the 1-D Sinkhorn is the library's own.
/// </summary>
[BenchmarkCategory(Categories.Solvers)]
[MemoryDiagnoser]
public class SoftSortBenchmarks
{
    private double[] _values = [];
    private double[] _cotangent = [];

    /// <summary>Number of inputs (odd sizes).</summary>
    [Params(10_007, 100_003)]
    public int N { get; set; }

    /// <summary>Number of targets.</summary>
    [Params(100)]
    public int M { get; set; }

    /// <summary>Builds the seeded inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _values = Mixture(N, 16);
        _cotangent = Mixture(M, 17);
    }

    /// <summary>Soft sort into m values (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public double[] Sort() => SoftSort.Sort(_values, M).Values;

    /// <summary>Soft sort and the gradient of ⟨c, sort⟩.</summary>
    [Benchmark]
    public double[] SortAndVjp() => SoftSort.Sort(_values, M).Vjp(_cotangent);

    /// <summary>Soft top-k mask, k = n/10 (two targets).</summary>
    [Benchmark]
    public double[] TopKMask() => SoftSort.TopKMask(_values, N / 10).Values;

    /// <summary>
    /// <c>softsort [reps]</c>: wall times of the same operations for n = 10⁴, 3·10⁴, 10⁵ (m = 100), the best of
    /// <paramref name="args"/>[0] runs (default 3), with Sinkhorn's iteration count.
    /// </summary>
    public static void Run(string[] args)
    {
        var reps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        Console.WriteLine("| n | m | op | Sinkhorn iterations | forward (s) | forward + VJP (s) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var n in new[] { 10_007, 30_011, 100_003 })
        {
            var values = Mixture(n, 16);
            foreach (var (name, m, op) in new (string, int, Func<SoftSortResult>)[]
            {
                ("sort", 100, () => SoftSort.Sort(values, 100)),
                ("rank", 100, () => SoftSort.Rank(values, 100)),
                ("topk", 2, () => SoftSort.TopKMask(values, n / 10)),
            })
            {
                double forward = double.PositiveInfinity, both = double.PositiveInfinity;
                var iterations = 0;
                for (var r = 0; r < reps; r++)
                {
                    var watch = Stopwatch.StartNew();
                    var result = op();
                    forward = Math.Min(forward, watch.Elapsed.TotalSeconds);
                    iterations = result.Convergence.Iterations;
                    var cotangent = Mixture(result.Values.Length, 17);
                    result.Vjp(cotangent);
                    both = Math.Min(both, watch.Elapsed.TotalSeconds);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {n} | {m} | {name} | {iterations} | {forward:F3} | {both:F3} |"));
            }
        }
    }

    private static double[] Mixture(int n, int seed)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = i % 3 == 0 ? 4 + (0.5 * gaussian) : gaussian;
        }

        return values;
    }
}
