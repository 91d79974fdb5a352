using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// c(x, y) = ‖x − y‖² (no ½ factor, as in OTT-JAX <c>SqEuclidean</c> and POT <c>'sqeuclidean'</c>). On point clouds it is
/// computed as |x|² + |y|² − 2⟨x, y⟩ with precomputed norms (clamped at 0), and it has an exact rank-(d+2) factorization.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct SquaredEuclidean<T> : ICostFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "sqeuclidean";

    /// <inheritdoc />
    public bool IsSymmetric => true;

    /// <inheritdoc />
    public T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y) => Distance(x, y);

    /// <summary>‖x − y‖², summed in coordinate order (also the radicand of <see cref="Euclidean{T}"/>).</summary>
    internal static T Distance(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        var s = T.Zero;
        for (var k = 0; k < x.Length; k++)
        {
            var t = x[k] - y[k];
            s += t * t;
        }

        return s;
    }
}
