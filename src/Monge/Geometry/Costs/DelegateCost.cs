using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// A cost given as a delegate. Convenient, but each pair costs a delegate call; for speed write a
/// <c>readonly struct</c> implementing <see cref="ICostFunction{T}"/> instead. The delegate must be thread-safe
/// (tiles are evaluated in parallel).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct DelegateCost<T> : ICostFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CostDelegate<T> _cost;

    /// <summary>Wraps a delegate.</summary>
    /// <param name="cost">The cost function.</param>
    /// <param name="name">A name for reports.</param>
    /// <param name="isSymmetric">Whether c(x, y) = c(y, x).</param>
    public DelegateCost(CostDelegate<T> cost, string name = "custom", bool isSymmetric = false)
    {
        ArgumentNullException.ThrowIfNull(cost);
        _cost = cost;
        Name = name;
        IsSymmetric = isSymmetric;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsSymmetric { get; }

    /// <inheritdoc />
    public T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        => _cost is null ? throw new InvalidOperationException("DelegateCost was default-constructed without a delegate.") : _cost(x, y);
}
