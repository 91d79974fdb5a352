using System.Numerics;

namespace Monge.Geometry;

/// <summary>
/// An element-wise function h applied to every cost before a product, as in
/// <see cref="CostGeometry{T}.ApplyCost{TFunc}(TFunc, ReadOnlySpan{T}, int, Axis, Span{T})"/> (h(C)·V). Implement it
/// as a struct: the geometry methods are generic over it, so the JIT specialises and inlines the function per type.
/// Gromov-Wasserstein needs h(c) = c² (<see cref="SquaredCost{T}"/>) and h(c) = log c (<see cref="LogCost{T}"/>).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IElementwise<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>h(c) for one (scaled) cost.</summary>
    /// <param name="cost">c.</param>
    /// <returns>h(c).</returns>
    T Apply(T cost);

    /// <summary>Replaces every value of a tile of (scaled) costs by h(c), in place (vectorized where possible).</summary>
    /// <param name="costs">The tile.</param>
    void Apply(Span<T> costs);
}
