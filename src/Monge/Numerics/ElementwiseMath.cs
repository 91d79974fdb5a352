using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Monge.Numerics;

/// <summary>
/// e^x and log x over spans of doubles, vectorized with <see cref="Vector{T}"/>, accurate over the whole range (inputs
/// of any size, subnormals, zeros, infinities and NaN as <see cref="Math.Exp"/> and <see cref="Math.Log(double)"/> treat them).
/// For hot loops that also care about the first call: the two bodies are small, one instantiation each, compiled
/// optimized at their first call, where <c>TensorPrimitives.Exp</c>/<c>Log</c> compile a generic operator stack twice
/// (tier 0, then tier 1) and <c>TensorPrimitives.Exp</c> of double took about 4 ns per entry here.
/// </summary>
/// <remarks>
/// <para>
/// Exp: k = round(x·log₂e), r = x − k·ln2 in two parts (Cody–Waite, ln2 = hi + lo, k·hi exact), then 2^(r·log₂e) by
/// <see cref="FastExp"/>'s degree-11 minimax polynomial on [−½, ½] (relative error about 2·10⁻¹⁶; the product r·log₂e
/// adds at most 4·10⁻¹⁷) and k added to the exponent field. Max relative error about 3·10⁻¹⁶ (≈ 1.5 ulp), measured against
/// <see cref="Math.Exp"/> in the tests; results below the normal range (x &lt; −708.4) are scaled in two steps, so
/// subnormals come out rounded once, and x &lt; −745.2 gives 0, x &gt; 709.78 gives +∞.
/// </para>
/// <para>
/// Log: fdlibm's <c>e_log.c</c> scheme (x = 2^k·m with m ∈ [√½, √2), f = m − 1, s = f / (2 + f), log(1 + f) = f −
/// f²/2 + s·(f²/2 + R(s²)) with fdlibm's degree-7 minimax R, k·ln2 in two parts), error below 1 ulp; subnormal inputs
/// are scaled by 2^54 first; log 0 = −∞, log of a negative number or NaN = NaN, log +∞ = +∞.
/// </para>
/// <para>
/// Every lane runs the same operations, and a tail shorter than a vector is padded and run as one vector, so an entry's
/// result does not depend on its position, the span's length or (given fused multiply-adds, which
/// <see cref="Vector.FusedMultiplyAdd(Vector{double}, Vector{double}, Vector{double})"/> emulates exactly without hardware
/// support) the vector width.
/// </para>
/// </remarks>
internal static class ElementwiseMath
{
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 6.93147180369123816490e-01; // fdlibm: 32 significant bits, so k·Ln2Hi is exact for |k| < 2^20
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double Magic = 6755399441055744.0; // 1.5·2^52: x + Magic − Magic rounds x to an integer
    private const double ExpOverflow = 709.782712893384; // above: +∞
    private const double ExpUnderflow = -745.1332191019412; // below: 0
    private const double ExpTwoStep = -708.0; // below: scale by 2^(k + 600), then by 2^−600
    private const double MinNormal = 2.2250738585072014e-308;
    private const double TwoToMinus600 = 2.409919865102884e-181;
    private const double TwoTo54 = 18014398509481984.0;

    // fdlibm e_log.c: log(1 + f) = f − hfsq + s·(hfsq + R), R = Lg1·z + … + Lg7·z⁷, z = s².
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;

    /// <summary>y_i = e^{x_i}. <paramref name="y"/> may be <paramref name="x"/> itself (not a partial overlap).</summary>
    /// <param name="x">The exponents.</param>
    /// <param name="y">The destination, at least as long as <paramref name="x"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Exp(ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("The destination is shorter than the source.", nameof(y));
        }

        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var w = Vector<double>.Count;
        var i = 0;
        for (; i + w <= x.Length; i += w)
        {
            Exp(Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }

        if (i < x.Length)
        {
            Span<double> tail = stackalloc double[w];
            tail.Clear();
            x[i..].CopyTo(tail);
            Exp(Vector.LoadUnsafe(ref MemoryMarshal.GetReference(tail))).StoreUnsafe(ref MemoryMarshal.GetReference(tail));
            tail[..(x.Length - i)].CopyTo(y[i..]);
        }
    }

    /// <summary>y_i = log x_i. <paramref name="y"/> may be <paramref name="x"/> itself (not a partial overlap).</summary>
    /// <param name="x">The arguments.</param>
    /// <param name="y">The destination, at least as long as <paramref name="x"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Log(ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("The destination is shorter than the source.", nameof(y));
        }

        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var w = Vector<double>.Count;
        var i = 0;
        for (; i + w <= x.Length; i += w)
        {
            Log(Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }

        if (i < x.Length)
        {
            Span<double> tail = stackalloc double[w];
            tail.Fill(1);
            x[i..].CopyTo(tail);
            Log(Vector.LoadUnsafe(ref MemoryMarshal.GetReference(tail))).StoreUnsafe(ref MemoryMarshal.GetReference(tail));
            tail[..(x.Length - i)].CopyTo(y[i..]);
        }
    }

    /// <summary>e^x lane by lane (see the class remarks).</summary>
    /// <param name="x">The exponents.</param>
    /// <returns>e^x.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> x)
    {
        // Clamp first so that k stays small (the result is overridden below outside the range); NaN is restored at the end.
        var c = Vector.MinNative(Vector.MaxNative(x, new Vector<double>(ExpUnderflow - 1)), new Vector<double>(ExpOverflow + 1));
        var magic = new Vector<double>(Magic);
        var t = Vector.FusedMultiplyAdd(c, new Vector<double>(Log2E), magic);
        var k = t - magic;
        var r = Vector.FusedMultiplyAdd(k, new Vector<double>(-Ln2Hi), c);
        r = Vector.FusedMultiplyAdd(k, new Vector<double>(-Ln2Lo), r);
        var p = Pow2Reduced(r * new Vector<double>(Log2E));

        // p·2^k by adding k (held in t's low bits) to the exponent field; below the normal range in two steps.
        var bits = Vector.AsVectorInt64(t);
        var normal = Vector.AsVectorDouble(Vector.AsVectorInt64(p) + Vector.ShiftLeft(bits, 52));
        var small = Vector.AsVectorDouble(Vector.AsVectorInt64(p) + Vector.ShiftLeft(bits + new Vector<long>(600), 52)) * new Vector<double>(TwoToMinus600);
        var result = Vector.ConditionalSelect(Vector.LessThan(c, new Vector<double>(ExpTwoStep)), small, normal);
        result = Vector.ConditionalSelect(Vector.LessThan(x, new Vector<double>(ExpUnderflow)), Vector<double>.Zero, result);
        result = Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<double>(ExpOverflow)), new Vector<double>(double.PositiveInfinity), result);
        return Vector.ConditionalSelect(Vector.Equals(x, x), result, x);
    }

    /// <summary>log x lane by lane (see the class remarks).</summary>
    /// <param name="x">The arguments.</param>
    /// <returns>log x.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log(Vector<double> x)
    {
        // Subnormal inputs: scale by 2^54 (exact) and take 54 off the exponent.
        var subnormal = Vector.LessThan(x, new Vector<double>(MinNormal));
        var scaled = Vector.ConditionalSelect(subnormal, x * new Vector<double>(TwoTo54), x);
        var offset = Vector.ConditionalSelect(subnormal, new Vector<double>(-54), Vector<double>.Zero);

        // fdlibm: add 0x3ff00000 − 0x3fe6a09e to the high word, so that the exponent field steps up at m = √2; then m keeps
        // the mantissa with exponent 0x3fe6a09e…, m ∈ [√½, √2).
        var ix = Vector.AsVectorInt64(scaled) + new Vector<long>(0x0009_5f62_0000_0000L);
        var exponent = Vector.ShiftRightLogical(ix, 52);
        var m = Vector.AsVectorDouble((ix & new Vector<long>(0x000f_ffff_ffff_ffffL)) + new Vector<long>(0x3fe6_a09e_0000_0000L));

        // k = exponent − 1023 as a double, exactly: the bits 2^52 + exponent minus (2^52 + 1023).
        var k = Vector.AsVectorDouble(exponent | new Vector<long>(0x4330_0000_0000_0000L)) - new Vector<double>(4503599627371519.0) + offset;
        var f = m - Vector<double>.One;
        var hfsq = new Vector<double>(0.5) * f * f;
        var s = f / (new Vector<double>(2.0) + f);
        var z = s * s;
        var w = z * z;
        var t1 = w * Vector.FusedMultiplyAdd(w, Vector.FusedMultiplyAdd(w, new Vector<double>(Lg6), new Vector<double>(Lg4)), new Vector<double>(Lg2));
        var t2 = z * Vector.FusedMultiplyAdd(w, Vector.FusedMultiplyAdd(w, Vector.FusedMultiplyAdd(w, new Vector<double>(Lg7), new Vector<double>(Lg5)), new Vector<double>(Lg3)), new Vector<double>(Lg1));
        var rr = t2 + t1;
        var result = (Vector.FusedMultiplyAdd(s, hfsq + rr, k * new Vector<double>(Ln2Lo)) - hfsq + f) + (k * new Vector<double>(Ln2Hi));

        // log 0 = −∞, log(negative or NaN) = NaN, log(+∞) = +∞.
        result = Vector.ConditionalSelect(Vector.Equals(x, Vector<double>.Zero), new Vector<double>(double.NegativeInfinity), result);
        result = Vector.ConditionalSelect(Vector.Equals(x, new Vector<double>(double.PositiveInfinity)), x, result);
        return Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<double>.Zero), result, new Vector<double>(double.NaN));
    }

    /// <summary>2^r for r ∈ [−½, ½] (a little beyond is fine), <see cref="FastExp"/>'s degree-11 minimax polynomial.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Pow2Reduced(Vector<double> r)
    {
        var p = Vector.FusedMultiplyAdd(new Vector<double>(FastExp.D11), r, new Vector<double>(FastExp.D10));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D9));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D8));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D7));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D6));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D5));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D4));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D3));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D2));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D1));
        return Vector.FusedMultiplyAdd(p, r, new Vector<double>(FastExp.D0));
    }
}
