using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Monge.Numerics;

/// <summary>
/// A fast vectorized 2^x for the log-sum-exp kernels, which work in log2 units (the kernel folds log2(e) into its
/// precomputed operands, so no range-reduction multiply is needed).
/// </summary>
/// <remarks>
/// <para>
/// For a shift S (an integer) known before the loop, <see cref="Pow2Shifted(Vector256{float}, Vector256{float}, Vector256{float})"/>
/// returns 2^(max(v, lo) − S) with four cheap steps: t = v + (M − S) rounds v − S to the nearest integer k (M = 1.5·2^23,
/// resp. 1.5·2^52, the round-to-integer magic number; t − (M − S) = k + S is exact), r = v − (k + S) ∈ [−½, ½] is exact,
/// a minimax polynomial gives 2^r, and k is added to the exponent field (t's low mantissa bits hold k, so (t ≪ 23) is
/// k ≪ 23; the integer add is exact while the result stays normal). The shift is folded into the magic number, so the
/// kernel pays no separate subtraction. Requirements, which the caller guarantees: S is an integer, |S| &lt; 2^21
/// (2^50 for double), lo = S − 125 (S − 1021) keeps every result a normal number (smaller terms are returned as
/// 2^−125 / 2^−1021 relative to the shift: harmless in a sum whose largest term is at least 1), and v − S ≤ 127 (1023);
/// the kernel checks the last one with its running maximum and recomputes a block whenever it could be exceeded.
/// </para>
/// <para>
/// Polynomials (relative minimax on [−½, ½], Remez, coefficients rounded to the working precision): degree 5 in float32,
/// max relative error of 2^r about 2.3·10⁻⁷ as evaluated in float32 (2 ulp); degree 11 in float64, about 2·10⁻¹⁶.
/// NaN inputs give unspecified results; callers check for NaN separately.
/// </para>
/// </remarks>
internal static class FastExp
{
    private const float MagicF = 12582912f; // 1.5·2^23
    private const double MagicD = 6755399441055744.0; // 1.5·2^52

    // 2^r ≈ Σ c_k r^k on [−½, ½], relative minimax (Remez, tools: mpmath at 40 digits).
    private const float F0 = 1.0000001192092896f;
    private const float F1 = 0.6931469440460205f;
    private const float F2 = 0.24022120237350464f;
    private const float F3 = 0.05550713092088699f;
    private const float F4 = 0.009675540961325169f;
    private const float F5 = 0.0013276472454890609f;

    private const double D0 = 1.0;
    private const double D1 = 0.6931471805599453;
    private const double D2 = 0.24022650695910155;
    private const double D3 = 0.055504108664819925;
    private const double D4 = 0.009618129107588335;
    private const double D5 = 0.001333355814678995;
    private const double D6 = 0.00015403530462514614;
    private const double D7 = 1.5252733489960805e-05;
    private const double D8 = 1.321543308959463e-06;
    private const double D9 = 1.0178198033328528e-07;
    private const double D10 = 7.074105626245659e-09;
    private const double D11 = 4.4352809446103363e-10;

    /// <summary>The smallest exponent (relative to the shift) that still yields a normal result.</summary>
    public static T MinExponent<T>()
        where T : unmanaged
        => typeof(T) == typeof(float) ? (T)(object)(-125f) : (T)(object)(-1021.0);

    /// <summary>The round-to-integer magic number 1.5·2^(p−1) (p = mantissa bits).</summary>
    public static T Magic<T>()
        where T : unmanaged
        => typeof(T) == typeof(float) ? (T)(object)MagicF : (T)(object)MagicD;

    /// <summary>The largest |S| the folded shift supports exactly (2^21 for float, 2^50 for double).</summary>
    public static double MaxShift<T>()
        where T : unmanaged
        => typeof(T) == typeof(float) ? 2097152.0 : 1125899906842624.0;

    /// <summary>a·b + c for float or double vectors, fused where the CPU has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector256.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }

        throw new NotSupportedException();
    }

    /// <summary>a·b + c for float or double vectors, fused where the CPU has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Vector512.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }

        throw new NotSupportedException();
    }

    /// <summary>2^x for a vector of float or double (x clamped to the normal range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp2<T>(Vector256<T> x)
        where T : unmanaged
    {
        var hi = typeof(T) == typeof(float) ? Vector256.Create(127f).As<float, T>() : Vector256.Create(1023.0).As<double, T>();
        return Pow2Shifted(Vector256.Min(x, hi), Vector256.Create(MinExponent<T>()), Vector256.Create(Magic<T>()));
    }

    /// <summary>2^x for a vector of float or double (x clamped to the normal range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp2<T>(Vector512<T> x)
        where T : unmanaged
    {
        var hi = typeof(T) == typeof(float) ? Vector512.Create(127f).As<float, T>() : Vector512.Create(1023.0).As<double, T>();
        return Pow2Shifted(Vector512.Min(x, hi), Vector512.Create(MinExponent<T>()), Vector512.Create(Magic<T>()));
    }

    /// <summary>2^(max(v, lo) − S) with <paramref name="magicMinusShift"/> = M − S (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Pow2Shifted<T>(Vector256<T> v, Vector256<T> lo, Vector256<T> magicMinusShift)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Pow2Shifted(v.AsSingle(), lo.AsSingle(), magicMinusShift.AsSingle()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Pow2Shifted(v.AsDouble(), lo.AsDouble(), magicMinusShift.AsDouble()).As<double, T>();
        }

        throw new NotSupportedException();
    }

    /// <summary>2^(max(v, lo) − S) with <paramref name="magicMinusShift"/> = M − S (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Pow2Shifted<T>(Vector512<T> v, Vector512<T> lo, Vector512<T> magicMinusShift)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Pow2Shifted(v.AsSingle(), lo.AsSingle(), magicMinusShift.AsSingle()).As<float, T>();
        }

        if (typeof(T) == typeof(double))
        {
            return Pow2Shifted(v.AsDouble(), lo.AsDouble(), magicMinusShift.AsDouble()).As<double, T>();
        }

        throw new NotSupportedException();
    }

    /// <summary>8 floats: 2^(max(v, lo) − S).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Pow2Shifted(Vector256<float> v, Vector256<float> lo, Vector256<float> magicMinusShift)
    {
        v = Vector256.MaxNative(v, lo);
        var t = v + magicMinusShift;
        var r = v - (t - magicMinusShift);
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(F5), r, Vector256.Create(F4));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(F3));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(F2));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(F1));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(F0));
        return (p.AsInt32() + Vector256.ShiftLeft(t.AsInt32(), 23)).AsSingle();
    }

    /// <summary>16 floats: 2^(max(v, lo) − S).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Pow2Shifted(Vector512<float> v, Vector512<float> lo, Vector512<float> magicMinusShift)
    {
        v = Vector512.MaxNative(v, lo);
        var t = v + magicMinusShift;
        var r = v - (t - magicMinusShift);
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(F5), r, Vector512.Create(F4));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(F3));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(F2));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(F1));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(F0));
        return (p.AsInt32() + Vector512.ShiftLeft(t.AsInt32(), 23)).AsSingle();
    }

    /// <summary>4 doubles: 2^(max(v, lo) − S).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Pow2Shifted(Vector256<double> v, Vector256<double> lo, Vector256<double> magicMinusShift)
    {
        v = Vector256.MaxNative(v, lo);
        var t = v + magicMinusShift;
        var r = v - (t - magicMinusShift);
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(D11), r, Vector256.Create(D10));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D9));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D8));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D7));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D6));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D5));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D4));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D3));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D2));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D1));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(D0));
        return (p.AsInt64() + Vector256.ShiftLeft(t.AsInt64(), 52)).AsDouble();
    }

    /// <summary>8 doubles: 2^(max(v, lo) − S).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Pow2Shifted(Vector512<double> v, Vector512<double> lo, Vector512<double> magicMinusShift)
    {
        v = Vector512.MaxNative(v, lo);
        var t = v + magicMinusShift;
        var r = v - (t - magicMinusShift);
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(D11), r, Vector512.Create(D10));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D9));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D8));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D7));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D6));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D5));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D4));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D3));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D2));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D1));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(D0));
        return (p.AsInt64() + Vector512.ShiftLeft(t.AsInt64(), 52)).AsDouble();
    }
}
