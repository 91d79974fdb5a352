namespace Monge.Geometry.Costs;

/// <summary>
/// A translation-invariant cost c(x, y) = h(x − y) with h strictly convex, and the pieces of h that the h-transform map
/// T(x) = x − ∇h*(∇f(x)) needs (Gangbo and McCann 1996; Cuturi, Klein and Ablin 2023, "Monge, Bregman and Occam").
/// Implemented by the elastic costs (<see cref="ElasticL1{T}"/>, <see cref="ElasticStvs{T}"/>,
/// <see cref="ElasticKOverlap{T}"/>). Every method works on one vector z of length d in O(d) time (O(d log d + k·d)
/// for the k-overlap cost) and allocates nothing for d ≤ 128.
/// </summary>
public interface ITranslationInvariantCost
{
    /// <summary>h(z).</summary>
    /// <param name="z">A displacement x − y, length d.</param>
    /// <returns>The value.</returns>
    double H(ReadOnlySpan<double> z);

    /// <summary>∇h(z) (a subgradient where h is not differentiable: 0 is chosen for coordinates at 0).</summary>
    /// <param name="z">A displacement, length d.</param>
    /// <param name="destination">Receives ∇h(z), length d.</param>
    void GradientH(ReadOnlySpan<double> z, Span<double> destination);

    /// <summary>The Legendre transform h*(z) = sup_q ⟨q, z⟩ − h(q).</summary>
    /// <param name="z">A dual vector, length d.</param>
    /// <returns>The value.</returns>
    double HConjugate(ReadOnlySpan<double> z);

    /// <summary>∇h*(z) = argmax_q ⟨q, z⟩ − h(q) = (∇h)⁻¹(z).</summary>
    /// <param name="z">A dual vector, length d.</param>
    /// <param name="destination">Receives ∇h*(z), length d.</param>
    void GradientHConjugate(ReadOnlySpan<double> z, Span<double> destination);
}
