using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>A user-supplied cost c(x, y) between two points of the same dimension (see <see cref="DelegateCost{T}"/>).</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="x">A source point, length d.</param>
/// <param name="y">A target point, length d.</param>
/// <returns>The cost, finite for finite inputs.</returns>
public delegate T CostDelegate<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    where T : unmanaged, IFloatingPointIeee754<T>;
