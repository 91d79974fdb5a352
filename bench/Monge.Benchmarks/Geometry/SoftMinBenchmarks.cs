using System.Numerics;
using BenchmarkDotNet.Attributes;
using Monge.Geometry;

namespace Monge.Benchmarks.Geometry;

/// <summary>
/// One Sinkhorn half-iteration on a point-cloud geometry: the fused online soft-min, squared Euclidean, d = 3.
/// Throughput in entries/s = N² / mean time (one entry = one (i, j) pair with its cost and exp).
/// <see cref="Previous"/> runs the kernel as it was before the single-pass rewrite (the A/B baseline).
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
[BenchmarkCategory(Categories.Numerics)]
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class SoftMinBenchmarks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private SoftMinProblem<T> _problem = null!;

    /// <summary>Points per cloud.</summary>
    [Params(8192)]
    public int N { get; set; }

    /// <summary>Builds two seeded clouds in the unit cube and a random potential.</summary>
    [GlobalSetup]
    public void Setup() => _problem = new SoftMinProblem<T>(N, 3, 42);

    /// <summary>dst_i = −ε log Σ_j exp((g_j − C_ij)/ε), ε = 0.01, through <see cref="PointCloudGeometry{T}.SoftMin"/>.</summary>
    [Benchmark]
    public T SoftMinRows() => _problem.Current();

    /// <summary>The same with the previous kernel (<see cref="PreviousSoftMin"/>).</summary>
    [Benchmark(Baseline = true)]
    public T Previous() => _problem.Previous();
}
