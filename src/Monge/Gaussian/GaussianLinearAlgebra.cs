using Monge.Numerics;

namespace Monge.Gaussian;

/// <summary>
/// Forwarder kept only for the Sinkhorn initializers (owned by another change): the linear algebra itself lives once in
/// <see cref="DenseLinearAlgebra"/>. Remove once <c>SinkhornInitializers</c> calls <see cref="DenseLinearAlgebra.Apply"/>.
/// </summary>
internal static class GaussianLinearAlgebra
{
    /// <summary>y = A x for a square d × d matrix (see <see cref="DenseLinearAlgebra.Apply"/>).</summary>
    public static void Apply(ReadOnlySpan<double> a, int d, ReadOnlySpan<double> x, Span<double> y) => DenseLinearAlgebra.Apply(a, d, x, y);
}
