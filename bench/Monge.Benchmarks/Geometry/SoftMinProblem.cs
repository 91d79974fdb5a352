using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Monge.Geometry;

namespace Monge.Benchmarks.Geometry;

/// <summary>A seeded soft-min problem (two clouds in the unit cube, a potential in [0, 0.01), ε = 0.01) run by both kernels.</summary>
/// <typeparam name="T">float or double.</typeparam>
internal sealed class SoftMinProblem<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PointCloudGeometry<T> _geometry;
    private readonly T[] _potential;
    private readonly T[] _destination;
    private readonly T[] _xc;
    private readonly T[] _yc;
    private readonly T[] _xn;
    private readonly T[] _yn;
    private readonly int _d;

    public SoftMinProblem(int n, int d, int seed)
    {
        var rng = new Random(seed);
        T[] Cloud() => Enumerable.Range(0, n * d).Select(_ => T.CreateTruncating(rng.NextDouble())).ToArray();
        var x = Cloud();
        var y = Cloud();
        _geometry = new PointCloudGeometry<T>(new PointCloud<T>(x, n, d), new PointCloud<T>(y, n, d));
        _potential = Enumerable.Range(0, n).Select(_ => T.CreateTruncating(0.01 * rng.NextDouble())).ToArray();
        _destination = new T[n];
        _d = d;

        // The previous kernel takes centered coordinates and their squared norms, as the geometry prepares them.
        var center = new double[d];
        for (var k = 0; k < n * d; k++)
        {
            center[k % d] += (double.CreateTruncating(x[k]) + double.CreateTruncating(y[k])) / (2.0 * n);
        }

        (_xc, _xn) = Centered(x, center, d);
        (_yc, _yn) = Centered(y, center, d);
    }

    public T[] Destination => _destination;

    public T Current()
    {
        _geometry.SoftMin(_potential, default, T.CreateTruncating(0.01), Axis.Rows, _destination);
        return _destination[0];
    }

    public T Previous()
    {
        PreviousSoftMin.Run(_xc, _xn, _yc, _yn, _d, T.One, _potential, default, T.CreateTruncating(0.01), _destination);
        return _destination[0];
    }

    /// <summary>
    /// One-shot A/B loop (for a shared machine): alternates the two kernels <paramref name="reps"/> times and prints the
    /// minimum and median time of each and their ratio. Interleaving exposes both to the same background load.
    /// </summary>
    public static void RunAb(int n, int d, int reps)
    {
        var p = new SoftMinProblem<T>(n, d, 42);
        p.Current();
        var cur = p.Destination.ToArray();
        p.Previous();
        var maxDiff = 0.0;
        for (var i = 0; i < n; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(double.CreateTruncating(cur[i]) - double.CreateTruncating(p.Destination[i])));
        }

        var tc = new List<double>();
        var tp = new List<double>();
        for (var r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            p.Current();
            tc.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            p.Previous();
            tp.Add(sw.Elapsed.TotalSeconds);
        }

        tc.Sort();
        tp.Sort();
        var entries = (double)n * n;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{typeof(T).Name} n=m={n} d={d} reps={reps}: new min {tc[0] * 1e3:F1} ms ({entries / tc[0]:E2} entries/s), median {tc[reps / 2] * 1e3:F1} ms; previous min {tp[0] * 1e3:F1} ms ({entries / tp[0]:E2}), median {tp[reps / 2] * 1e3:F1} ms; speed-up min {tp[0] / tc[0]:F2}, median {tp[reps / 2] / tc[reps / 2]:F2}; max |new − previous| {maxDiff:E1}"));
    }

    private static (T[] Centered, T[] Norms) Centered(T[] data, double[] center, int d)
    {
        var c = new T[data.Length];
        var norms = new T[data.Length / d];
        for (var k = 0; k < data.Length; k++)
        {
            c[k] = data[k] - T.CreateTruncating(center[k % d]);
            norms[k / d] += c[k] * c[k];
        }

        return (c, norms);
    }
}
