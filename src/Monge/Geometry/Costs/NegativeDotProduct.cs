using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// c(x, y) = −⟨x, y⟩ (OTT-JAX <c>NegDotProduct</c>). Can be negative; it has an exact rank-d factorization. For
/// balanced problems it gives the same plan as <see cref="SquaredEuclidean{T}"/> with half the cost (up to terms in x
/// or y alone).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct NegativeDotProduct<T> : ICostFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "dot";

    /// <inheritdoc />
    public bool IsSymmetric => true;

    /// <inheritdoc />
    public T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        var s = T.Zero;
        for (var k = 0; k < x.Length; k++)
        {
            s += x[k] * y[k];
        }

        return -s;
    }
}
