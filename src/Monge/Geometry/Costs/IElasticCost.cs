namespace Monge.Geometry.Costs;

/// <summary>
/// An elastic cost c(x, y) = h(x − y) with h = ½‖·‖² + λ·R (Cuturi, Klein and Ablin 2023, "Monge, Bregman and Occam:
/// Interpretable Optimal Transport in High-Dimensions with Feature-Sparse Maps"): the regularizer R pushes the
/// displacements T(x) − x of the h-transform map towards the sparsity pattern R favours. Then ∇h* = prox_{λR} and
/// h*(z) = ⟨q, z⟩ − h(q) with q = prox_{λR}(z).
/// </summary>
public interface IElasticCost : ITranslationInvariantCost
{
    /// <summary>The regularization strength λ ≥ 0.</summary>
    double Lambda { get; }

    /// <summary>The regularizer R(z) (without λ).</summary>
    /// <param name="z">A vector, length d.</param>
    /// <returns>R(z) ≥ 0.</returns>
    double Regularizer(ReadOnlySpan<double> z);

    /// <summary>The proximal operator prox_{λR}(v) = argmin_q ½‖q − v‖² + λ R(q).</summary>
    /// <param name="v">A vector, length d.</param>
    /// <param name="destination">Receives the minimizer, length d (may not overlap <paramref name="v"/>).</param>
    void Prox(ReadOnlySpan<double> v, Span<double> destination);
}
