using System.Numerics;

namespace Monge.Geometry;

/// <summary>
/// h(c) = log c, the element-wise logarithm log C (the Kullback-Leibler loss of Gromov-Wasserstein). A zero cost gives
/// −∞ and a negative cost NaN: use it on positive costs.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct LogCost<T> : IElementwise<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Apply(T cost) => T.Log(cost);

    /// <inheritdoc />
    public void Apply(Span<T> costs) => Numerics.DeterministicMath.Log<T>(costs, costs);
}
