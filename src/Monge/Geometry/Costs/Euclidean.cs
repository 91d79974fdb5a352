using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>c(x, y) = ‖x − y‖₂ (OTT-JAX <c>Euclidean</c>, POT <c>'euclidean'</c>).</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct Euclidean<T> : ICostFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "euclidean";

    /// <inheritdoc />
    public bool IsSymmetric => true;

    /// <inheritdoc />
    public T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y) => T.Sqrt(SquaredEuclidean<T>.Distance(x, y));
}
