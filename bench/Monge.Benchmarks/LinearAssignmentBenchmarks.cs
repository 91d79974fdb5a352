using BenchmarkDotNet.Attributes;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;

namespace Monge.Benchmarks;

/// <summary>
/// The linear-assignment leaf path: dense squared-Euclidean blocks of uniform points in the unit square, solved
/// through the allocation-free entry point with a reused workspace (as Hierarchical Refinement does), with and
/// without the multiscale warm start, plus the network simplex on the same block.
/// </summary>
[BenchmarkCategory(Categories.Solvers)]
[MemoryDiagnoser]
public class LinearAssignmentBenchmarks
{
    private double[] _cost = [];
    private double[] _a = [];
    private int[] _sigma = [];
    private readonly LinearAssignmentWorkspace<double> _warm = new();
    private readonly LinearAssignmentWorkspace<double> _cold = new() { MultiscaleWarmStart = false };

    /// <summary>Block size (an odd size included).</summary>
    [Params(127, 512, 1024)]
    public int N { get; set; }

    /// <summary>Builds the seeded block.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var x = new double[N * 2];
        var y = new double[N * 2];
        for (var k = 0; k < x.Length; k++)
        {
            x[k] = random.NextDouble();
            y[k] = random.NextDouble();
        }

        _cost = new double[N * N];
        LinearAssignment.FillCost<double>(x, y, 2, new SquaredEuclidean<double>(), _cost);
        _a = Monge.Problems.Marginals.Uniform<double>(N);
        _sigma = new int[N];
    }

    /// <summary>Jonker–Volgenant with the default (adaptive) warm start.</summary>
    [Benchmark(Baseline = true)]
    public double Lap() => LinearAssignment.SolveInto<double>(_cost, N, N, _sigma, _warm);

    /// <summary>Plain Jonker–Volgenant (column reduction start only).</summary>
    [Benchmark]
    public double LapNoWarmStart() => LinearAssignment.SolveInto<double>(_cost, N, N, _sigma, _cold);

    /// <summary>Network simplex on the same block with uniform weights.</summary>
    [Benchmark]
    public double NetworkSimplexUniform() => new NetworkSimplex().Solve(_cost, _a, _a).Cost;
}
