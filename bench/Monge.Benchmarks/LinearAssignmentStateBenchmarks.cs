using BenchmarkDotNet.Attributes;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;

namespace Monge.Benchmarks;

/// <summary>
/// The Jonker–Volgenant core at n = 1000 and 4000 (uniform points in the unit square, squared Euclidean, seeded),
/// in float, in double through the default route (float solve + double repair where AVX2 is there) and in double only
/// (<see cref="LinearAssignmentWorkspace{T}.MixedPrecision"/> off), through the allocation-free entry point with a
/// reused workspace. Written against members that exist before and after the phase state got one type (issue 11),
/// so <c>bench/quiet/seam11.sh</c> builds this file against the old library too and prints old and new side by side.
/// The Min column is the figure to read on a shared machine (preemption only ever adds time).
/// </summary>
[BenchmarkCategory(Categories.Solvers)]
[MinColumn]
public class LinearAssignmentStateBenchmarks
{
    private double[] _cost = [];
    private float[] _costF = [];
    private int[] _sigma = [];
    private readonly LinearAssignmentWorkspace<double> _double = new();
    private readonly LinearAssignmentWorkspace<double> _doubleOnly = new() { MixedPrecision = false };
    private readonly LinearAssignmentWorkspace<float> _single = new();

    /// <summary>Problem size n (n × n).</summary>
    [Params(1000, 4000)]
    public int N { get; set; }

    /// <summary>Builds the seeded cost in double and in float.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        var x = new double[N * 2];
        var y = new double[N * 2];
        for (var k = 0; k < x.Length; k++)
        {
            x[k] = random.NextDouble();
            y[k] = random.NextDouble();
        }

        _cost = new double[N * N];
        LinearAssignment.FillCost<double>(x, y, 2, new SquaredEuclidean<double>(), _cost);
        _costF = Array.ConvertAll(_cost, c => (float)c);
        _sigma = new int[N];
    }

    /// <summary>float costs, float core.</summary>
    [Benchmark]
    public double Single() => LinearAssignment.SolveInto<float>(_costF, N, N, _sigma, _single);

    /// <summary>double costs, default route (mixed precision where it pays).</summary>
    [Benchmark(Baseline = true)]
    public double Double() => LinearAssignment.SolveInto<double>(_cost, N, N, _sigma, _double);

    /// <summary>double costs, double core only.</summary>
    [Benchmark]
    public double DoubleOnly() => LinearAssignment.SolveInto<double>(_cost, N, N, _sigma, _doubleOnly);
}
