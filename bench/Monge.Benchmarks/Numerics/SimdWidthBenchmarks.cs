using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Monge.Numerics;

namespace Monge.Benchmarks.Numerics;

/// <summary>
/// The width-generic SIMD kernels at each width: the fused soft-min (<see cref="SquaredEuclideanSoftMin"/>, squared
/// Euclidean, n = m = 4096, d = 3, ε = 0.01, both cores) forced to 256- and 512-bit vectors, and the vectorized 2^x
/// (<see cref="FastExp"/>) over 4096 values. Written against members that exist before and after the width twins were
/// folded into one generic body (issue 11), so <c>bench/quiet/seam11.sh</c> builds this file against the old library
/// too and prints old and new side by side. The 512-bit cases return at once (0) where AVX-512 is not accelerated:
/// its software fallback measures nothing of interest. The Min column is the figure to read on a shared machine
/// (preemption only ever adds time).
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
[BenchmarkCategory(Categories.Numerics)]
[MinColumn]
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class SimdWidthBenchmarks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int N = 4096;
    private const int D = 3;

    private T[] _x = null!;
    private T[] _y = null!;
    private T[] _xNorms = null!;
    private T[] _yNorms = null!;
    private T[] _potential = null!;
    private T[] _destination = null!;
    private T[] _exponents = null!;

    /// <summary>Two seeded clouds in [−½, ½)³ (centered), their squared norms, a potential in [0, 0.01), exponents in [−100, 100).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        T[] Cloud() => [.. Enumerable.Range(0, N * D).Select(_ => T.CreateTruncating(rng.NextDouble() - 0.5))];
        T[] Norms(T[] c) => [.. Enumerable.Range(0, N).Select(i => (c[i * D] * c[i * D]) + (c[(i * D) + 1] * c[(i * D) + 1]) + (c[(i * D) + 2] * c[(i * D) + 2]))];
        _x = Cloud();
        _y = Cloud();
        _xNorms = Norms(_x);
        _yNorms = Norms(_y);
        _potential = [.. Enumerable.Range(0, N).Select(_ => T.CreateTruncating(0.01 * rng.NextDouble()))];
        _destination = new T[N];
        _exponents = [.. Enumerable.Range(0, N).Select(_ => T.CreateTruncating((200 * rng.NextDouble()) - 100))];
    }

    /// <summary>One soft-min over all rows with 256-bit vectors.</summary>
    [Benchmark]
    public T SoftMin256() => SoftMin(256);

    /// <summary>One soft-min over all rows with 512-bit vectors (0 without AVX-512).</summary>
    [Benchmark]
    public T SoftMin512() => Vector512.IsHardwareAccelerated ? SoftMin(512) : T.Zero;

    /// <summary>Σ 2^x over the exponents, 256-bit vectors.</summary>
    [Benchmark]
    public T Exp2Vector256()
    {
        var values = MemoryMarshal.Cast<T, Vector256<T>>(_exponents);
        var acc = Vector256<T>.Zero;
        foreach (var v in values)
        {
            acc += FastExp.Exp2(v);
        }

        return Vector256.Sum(acc);
    }

    /// <summary>Σ 2^x over the exponents, 512-bit vectors (0 without AVX-512).</summary>
    [Benchmark]
    public T Exp2Vector512()
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            return T.Zero;
        }

        var values = MemoryMarshal.Cast<T, Vector512<T>>(_exponents);
        var acc = Vector512<T>.Zero;
        foreach (var v in values)
        {
            acc += FastExp.Exp2(v);
        }

        return Vector512.Sum(acc);
    }

    private T SoftMin(int bits)
    {
        SquaredEuclideanSoftMin.Run(_x, _xNorms, _y, _yNorms, D, T.One, _potential, [], T.CreateTruncating(0.01), _destination, bits);
        return _destination[0];
    }
}
