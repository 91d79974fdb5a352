using Monge.Gaussian;
using Monge.Geometry;
using Monge.Tools.Barycenters;

namespace Monge;

/// <content>Free-support, Gaussian (Bures) and one-dimensional Wasserstein barycenters.</content>
public static partial class Ot
{
    /// <summary>
    /// The free-support W₂ barycenter with <paramref name="size"/> uniformly weighted points of weighted point clouds of
    /// any sizes (Cuturi and Doucet 2014; POT's <c>ot.lp.free_support_barycenter</c>), with exact inner solves and the
    /// defaults of <see cref="Tools.Barycenters.FreeSupportBarycenter"/>.
    /// </summary>
    /// <param name="measures">The inputs (one dimension d).</param>
    /// <param name="size">K.</param>
    /// <param name="lambdas">The inputs' weights (null: uniform).</param>
    /// <param name="seed">Seed of the start (K atoms drawn from the inputs).</param>
    /// <param name="cancellationToken">Checked before every iteration.</param>
    /// <returns>The K points, the exact objective Σ_s w_s W₂² and the convergence report.</returns>
    /// <remarks>Time per iteration: S network simplex solves on K × n_s; memory: the S dense K × n_s costs.</remarks>
    /// <exception cref="InputValidationException">Inconsistent inputs.</exception>
    public static FreeSupportBarycenterResult FreeSupportBarycenter(IReadOnlyList<PointCloud<double>> measures, int size, IReadOnlyList<double>? lambdas = null, int seed = 0, CancellationToken cancellationToken = default)
        => new FreeSupportBarycenter { Seed = seed }.Solve(measures, size, lambdas, cancellationToken: cancellationToken);

    /// <summary>
    /// The Bures–Wasserstein barycenter of Gaussians by the fixed point of Álvarez-Esteban et al. (2016), with the
    /// defaults of <see cref="Tools.Barycenters.GaussianBarycenter"/>.
    /// </summary>
    /// <param name="measures">The Gaussians.</param>
    /// <param name="lambdas">Their weights (null: uniform).</param>
    /// <returns>The barycenter N(Σ w_s m_s, S), the objective and the convergence report.</returns>
    /// <remarks>Time O(S·d³) per iteration, memory O(S·d²).</remarks>
    /// <exception cref="InputValidationException">Inconsistent inputs.</exception>
    public static GaussianBarycenterResult GaussianBarycenter(IReadOnlyList<GaussianMeasure> measures, IReadOnlyList<double>? lambdas = null)
        => new GaussianBarycenter().Solve(measures, lambdas);

    /// <summary>The exact W₂ barycenter of one-dimensional measures (quantile functions averaged; <see cref="Tools.Barycenters.OneDimensionalBarycenter.Solve"/>).</summary>
    /// <param name="measures">The inputs (dimension 1).</param>
    /// <param name="lambdas">Their weights (null: uniform).</param>
    /// <returns>The atoms, their masses and the objective.</returns>
    /// <remarks>Time O(N log N + N·S), memory O(N), N = Σ_s n_s.</remarks>
    /// <exception cref="InputValidationException">Inconsistent inputs.</exception>
    public static OneDimensionalBarycenterResult OneDimensionalBarycenter(IReadOnlyList<PointCloud<double>> measures, IReadOnlyList<double>? lambdas = null)
        => Tools.Barycenters.OneDimensionalBarycenter.Solve(measures, lambdas);
}
