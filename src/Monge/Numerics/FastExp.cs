using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Monge.Numerics;

/// <summary>
/// A fast vectorized 2^x for the log-sum-exp kernels, which work in log2 units (the kernel folds log2(e) into its
/// precomputed operands, so no range-reduction multiply is needed).
/// </summary>
/// <remarks>
/// <para>
/// For a shift S (an integer) known before the loop, <see cref="Pow2Shifted{TW, TV, T}(TV, TV, TV)"/>
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

    internal const double D0 = 1.0;
    internal const double D1 = 0.6931471805599453;
    internal const double D2 = 0.24022650695910155;
    internal const double D3 = 0.055504108664819925;
    internal const double D4 = 0.009618129107588335;
    internal const double D5 = 0.001333355814678995;
    internal const double D6 = 0.00015403530462514614;
    internal const double D7 = 1.5252733489960805e-05;
    internal const double D8 = 1.321543308959463e-06;
    internal const double D9 = 1.0178198033328528e-07;
    internal const double D10 = 7.074105626245659e-09;
    internal const double D11 = 4.4352809446103363e-10;

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

    /// <summary>2^x for a vector of float or double (x clamped to the normal range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp2<T>(Vector256<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Exp2<Simd256<T>, Vector256<T>, T>(x);

    /// <summary>2^x for a vector of float or double (x clamped to the normal range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp2<T>(Vector512<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Exp2<Simd512<T>, Vector512<T>, T>(x);

    /// <summary>2^x for a vector of float or double (x clamped to the normal range), at the width <typeparamref name="TW"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp2<TW, TV, T>(TV x)
        where TW : struct, ISimdWidth<TV, T>
        where TV : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var hi = TW.Create(T.CreateTruncating(typeof(T) == typeof(float) ? 127 : 1023));
        return Pow2Shifted<TW, TV, T>(TW.Min(x, hi), TW.Create(MinExponent<T>()), TW.Create(Magic<T>()));
    }

    /// <summary>2^(max(v, lo) − S) with <paramref name="magicMinusShift"/> = M − S (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Pow2Shifted<T>(Vector256<T> v, Vector256<T> lo, Vector256<T> magicMinusShift)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Pow2Shifted<Simd256<T>, Vector256<T>, T>(v, lo, magicMinusShift);

    /// <summary>2^(max(v, lo) − S) with <paramref name="magicMinusShift"/> = M − S (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Pow2Shifted<T>(Vector512<T> v, Vector512<T> lo, Vector512<T> magicMinusShift)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Pow2Shifted<Simd512<T>, Vector512<T>, T>(v, lo, magicMinusShift);

    /// <summary>
    /// 2^(max(v, lo) − S) with <paramref name="magicMinusShift"/> = M − S (see the class remarks), at the width
    /// <typeparamref name="TW"/>: the one body for every width and both precisions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Pow2Shifted<TW, TV, T>(TV v, TV lo, TV magicMinusShift)
        where TW : struct, ISimdWidth<TV, T>
        where TV : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        v = TW.MaxNative(v, lo);
        var t = TW.Add(v, magicMinusShift);
        var r = TW.Subtract(v, TW.Subtract(t, magicMinusShift));
        TV p;
        if (typeof(T) == typeof(float))
        {
            p = TW.MultiplyAdd(TW.Create((T)(object)F5), r, TW.Create((T)(object)F4));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)F3));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)F2));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)F1));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)F0));
        }
        else
        {
            p = TW.MultiplyAdd(TW.Create((T)(object)D11), r, TW.Create((T)(object)D10));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D9));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D8));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D7));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D6));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D5));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D4));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D3));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D2));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D1));
            p = TW.MultiplyAdd(p, r, TW.Create((T)(object)D0));
        }

        return TW.AddToExponent(p, t);
    }
}
