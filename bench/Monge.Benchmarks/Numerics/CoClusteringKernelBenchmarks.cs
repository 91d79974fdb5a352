using System.Numerics;
using BenchmarkDotNet.Attributes;
using Monge.Solvers.Hierarchical;

namespace Monge.Benchmarks.Numerics;

/// <summary>
/// The single-precision co-clustering's row kernels (<c>CompactCoClustering</c>, HiRef's levels at a million points) over
/// 65 536 rows at rank r = 16, with k = 4 factor columns (squared Euclidean in 2-D) and k = 32 (the Nyström factors of
/// every other cost): the gradient rows' range (<c>RowRangeRows</c>, F_S·M per row), the step and row softmax
/// (<c>StepAndSoftmaxRows</c>, the gradient again, step 0 so the logits stay put), one scaling sweep (<c>SweepRows</c>) and
/// the final column update with the contraction F_Oᵀ P (<c>FinalRows</c>). <see cref="RowRangePrevious"/> is the gradient
/// row as it was before stop 29 (one vector of z at a time: k dependent additions per vector), kept here so old and new
/// run side by side (the same values: the tests check the bits). Single thread; read the Min column on a shared machine.
/// </summary>
[BenchmarkCategory(Categories.Numerics)]
[MinColumn]
public class CoClusteringKernelBenchmarks
{
    private const int Rows = 65536;
    private const int R = 16;

    private double[] _factor = null!;
    private double[] _m = null!;
    private float[] _log = null!;
    private float[] _val = null!;
    private double[] _rowLog = null!;
    private float[] _v = null!;
    private float[] _previous = null!;
    private float[] _columnLog = null!;
    private double[] _acc = null!;
    private double[] _g = null!;

    /// <summary>Factor columns: 4 (squared Euclidean, 2-D) or 32 (Nyström, the Euclidean cost).</summary>
    [Params(4, 32)]
    public int K { get; set; }

    /// <summary>Seeded factors in [0, 1), a k×r contraction in [0, 1), logits in [−4, 0), the plan from one softmax.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(29);
        _factor = [.. Enumerable.Range(0, Rows * K).Select(_ => rng.NextDouble())];
        _m = [.. Enumerable.Range(0, K * R).Select(_ => rng.NextDouble())];
        _log = [.. Enumerable.Range(0, Rows * R).Select(_ => (float)(-4 * rng.NextDouble()))];
        _val = new float[Rows * R];
        _rowLog = new double[Rows];
        _v = [.. Enumerable.Repeat(1f, R)];
        _previous = [.. Enumerable.Repeat(1f, R)];
        _columnLog = new float[R];
        _acc = new double[K * R];
        _g = new double[R];
        CompactCoClustering.StepAndSoftmaxRows(_log, _val, _rowLog, 0, Rows, R, null, K, null, 0, _g, _acc);
    }

    /// <summary>The largest gradient row range, the gradient row as before stop 29.</summary>
    [Benchmark(Baseline = true)]
    public double RowRangePrevious()
    {
        var best = 0.0;
        Span<double> g = stackalloc double[R];
        for (var i = 0; i < Rows; i++)
        {
            PreviousGradient(_factor.AsSpan(i * K, K), _m, R, g);
            best = Math.Max(best, System.Numerics.Tensors.TensorPrimitives.Max<double>(g) - System.Numerics.Tensors.TensorPrimitives.Min<double>(g));
        }

        return best;
    }

    /// <summary>The largest gradient row range (the library's pass).</summary>
    [Benchmark]
    public double RowRange() => CompactCoClustering.RowRangeRows(_factor, _m, 0, Rows, K, R, _g);

    /// <summary>The mirror step (step 0) and the row softmax with the column sums.</summary>
    [Benchmark]
    public double StepAndSoftmax()
    {
        Array.Clear(_acc);
        CompactCoClustering.StepAndSoftmaxRows(_log, _val, _rowLog, 0, Rows, R, _factor, K, _m, 0, _g, _acc);
        return _acc[0];
    }

    /// <summary>One scaling sweep's column sums.</summary>
    [Benchmark]
    public double Sweep()
    {
        Array.Clear(_acc);
        CompactCoClustering.SweepRows(_val, _v, 0, Rows, R, _acc);
        return _acc[0];
    }

    /// <summary>The final column update with the contraction (v = v_prev = 1: the plan stays the softmax).</summary>
    [Benchmark]
    public double FinalAndContract()
    {
        Array.Clear(_acc);
        Array.Clear(_rowLog);
        CompactCoClustering.FinalRows(_log, _val, _rowLog, 0, Rows, R, _v, _previous, _columnLog, _factor, K, _acc);
        return _acc[0];
    }

    /// <summary>`cocluster-ab [reps]`: every kernel at k = 4 and 32, interleaved rep by rep, timed by process CPU (not
    /// wall: on a loaded machine waiting does not count); prints the least and the median CPU-ms per call.</summary>
    public static void RunAb(int reps)
    {
        foreach (var k in new[] { 4, 32 })
        {
            var b = new CoClusteringKernelBenchmarks { K = k };
            b.Setup();
            var kernels = new (string Name, Func<double> Run)[]
            {
                ("RowRangePrevious", b.RowRangePrevious), ("RowRange", b.RowRange), ("StepAndSoftmax", b.StepAndSoftmax),
                ("Sweep", b.Sweep), ("FinalAndContract", b.FinalAndContract),
            };
            var times = kernels.Select(_ => new List<double>()).ToArray();
            for (var rep = 0; rep < reps + 2; rep++)
            {
                for (var j = 0; j < kernels.Length; j++)
                {
                    var t0 = Monge.Tools.ProcessCpu.Now();
                    _ = kernels[j].Run();
                    var ms = (Monge.Tools.ProcessCpu.Now() - t0).TotalMilliseconds;
                    if (rep >= 2)
                    {
                        times[j].Add(ms);
                    }
                }
            }

            for (var j = 0; j < kernels.Length; j++)
            {
                times[j].Sort();
                Console.WriteLine(FormattableString.Invariant($"k={k,2} {kernels[j].Name,-18} min {times[j][0],8:F3} ms  median {times[j][times[j].Count / 2],8:F3} ms (CPU per call, {Rows} rows, r = {R})"));
            }
        }
    }

    // CompactCoClustering.Gradient before stop 29: one vector of z at a time, its k products added one after another.
    private static void PreviousGradient(ReadOnlySpan<double> f, ReadOnlySpan<double> m, int r, Span<double> g)
    {
        var k = f.Length;
        var z = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<double>.Count;
            for (; z <= r - w; z += w)
            {
                var acc = new Vector<double>(m.Slice(z, w)) * f[0];
                for (var kk = 1; kk < k; kk++)
                {
                    acc += new Vector<double>(m.Slice((kk * r) + z, w)) * f[kk];
                }

                acc.CopyTo(g.Slice(z, w));
            }
        }

        for (; z < r; z++)
        {
            var s = f[0] * m[z];
            for (var kk = 1; kk < k; kk++)
            {
                s += f[kk] * m[(kk * r) + z];
            }

            g[z] = s;
        }
    }
}
