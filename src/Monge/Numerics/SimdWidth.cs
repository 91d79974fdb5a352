using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Monge.Numerics;

/// <summary>
/// The vector operations the width-generic SIMD kernels use (<see cref="FastExp"/>, <see cref="SquaredEuclideanSoftMin"/>),
/// as static abstract members of an empty struct per width, so that one kernel body serves every width: the JIT compiles
/// a kernel once per struct type argument and inlines these members, so the code is what a kernel written directly
/// against <see cref="Vector256{T}"/> or <see cref="Vector512{T}"/> would be.
/// </summary>
/// <remarks>
/// .NET 10 keeps its own <c>ISimdVector&lt;TSelf, T&gt;</c> internal, hence this small interface. Members exist for
/// float and double element types only (the kernels' types); other element types throw <see cref="NotSupportedException"/>.
/// </remarks>
/// <typeparam name="TV">The vector type (<see cref="Vector256{T}"/> or <see cref="Vector512{T}"/>).</typeparam>
/// <typeparam name="T">The element type, float or double.</typeparam>
internal interface ISimdWidth<TV, T>
    where TV : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes equal to <paramref name="value"/>.</summary>
    static abstract TV Create(T value);

    /// <summary>Loads a vector at <paramref name="source"/> + <paramref name="offset"/> elements.</summary>
    static abstract TV Load(ref T source, nuint offset);

    /// <summary>Lane-wise a + b.</summary>
    static abstract TV Add(TV a, TV b);

    /// <summary>Lane-wise a − b.</summary>
    static abstract TV Subtract(TV a, TV b);

    /// <summary>Lane-wise minimum (IEEE semantics, as <see cref="Vector256.Min{T}(Vector256{T}, Vector256{T})"/>).</summary>
    static abstract TV Min(TV a, TV b);

    /// <summary>Lane-wise maximum, the platform's native instruction (NaN handling unspecified).</summary>
    static abstract TV MaxNative(TV a, TV b);

    /// <summary>a·b + c, fused where the CPU has FMA.</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);

    /// <summary>The sum of the lanes.</summary>
    static abstract T Sum(TV v);

    /// <summary>Lane <paramref name="index"/> of <paramref name="v"/>.</summary>
    static abstract T GetElement(TV v, int index);

    /// <summary>
    /// Adds the low integer bits of <paramref name="t"/>, shifted to the exponent field (23 bits for float, 52 for double),
    /// to the bits of <paramref name="p"/>: multiplies p by 2^k where t's low mantissa bits hold k (see <see cref="FastExp"/>).
    /// </summary>
    static abstract TV AddToExponent(TV p, TV t);
}

/// <summary>256-bit vectors (AVX2) for the width-generic kernels.</summary>
/// <typeparam name="T">float or double.</typeparam>
internal readonly struct Simd256<T> : ISimdWidth<Vector256<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static int Count => Vector256<T>.Count;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Create(T value) => Vector256.Create(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(ref T source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Subtract(Vector256<T> a, Vector256<T> b) => a - b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Min(Vector256<T> a, Vector256<T> b) => Vector256.Min(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MaxNative(Vector256<T> a, Vector256<T> b) => Vector256.MaxNative(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        => typeof(T) == typeof(float) ? Vector256.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : typeof(T) == typeof(double) ? Vector256.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : throw new NotSupportedException();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector256<T> v) => Vector256.Sum(v);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GetElement(Vector256<T> v, int index) => v.GetElement(index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> AddToExponent(Vector256<T> p, Vector256<T> t)
        => typeof(T) == typeof(float) ? (p.AsInt32() + Vector256.ShiftLeft(t.AsInt32(), 23)).As<int, T>()
        : typeof(T) == typeof(double) ? (p.AsInt64() + Vector256.ShiftLeft(t.AsInt64(), 52)).As<long, T>()
        : throw new NotSupportedException();
}

/// <summary>512-bit vectors (AVX-512) for the width-generic kernels.</summary>
/// <typeparam name="T">float or double.</typeparam>
internal readonly struct Simd512<T> : ISimdWidth<Vector512<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public static int Count => Vector512<T>.Count;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Create(T value) => Vector512.Create(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ref T source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Subtract(Vector512<T> a, Vector512<T> b) => a - b;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Min(Vector512<T> a, Vector512<T> b) => Vector512.Min(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MaxNative(Vector512<T> a, Vector512<T> b) => Vector512.MaxNative(a, b);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        => typeof(T) == typeof(float) ? Vector512.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
        : typeof(T) == typeof(double) ? Vector512.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>()
        : throw new NotSupportedException();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sum(Vector512<T> v) => Vector512.Sum(v);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GetElement(Vector512<T> v, int index) => v.GetElement(index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> AddToExponent(Vector512<T> p, Vector512<T> t)
        => typeof(T) == typeof(float) ? (p.AsInt32() + Vector512.ShiftLeft(t.AsInt32(), 23)).As<int, T>()
        : typeof(T) == typeof(double) ? (p.AsInt64() + Vector512.ShiftLeft(t.AsInt64(), 52)).As<long, T>()
        : throw new NotSupportedException();
}
