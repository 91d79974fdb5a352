using Monge.Geometry;
using Monge.Problems;
using Monge.Tools.Barycenters;

namespace Monge;

/// <content>Wasserstein barycenters on a fixed support.</content>
public static partial class Ot
{
    /// <summary>
    /// The entropic Wasserstein barycenter of histograms on one shared support (iterative Bregman projections in the log
    /// domain, Benamou et al. 2015), optionally debiased (Janati et al. 2020) or unbalanced (<paramref name="relaxation"/>:
    /// side a = the inputs, side b = the barycenter). ε is absolute, in the plain-entropy convention (POT's <c>reg</c>).
    /// Use a <see cref="GridGeometry{T}"/> for images (separable, never forms the N × N kernel).
    /// </summary>
    /// <param name="geometry">The N × N cost on the support.</param>
    /// <param name="histograms">The inputs, each of length N.</param>
    /// <param name="weights">Weights (null: uniform), rescaled to sum one.</param>
    /// <param name="epsilon">ε (default 0.01).</param>
    /// <param name="debiased">Debias the barycenter (balanced only).</param>
    /// <param name="relaxation">Null for balanced.</param>
    /// <param name="cancellationToken">Stops at the next iteration.</param>
    /// <returns>The barycenter and its convergence report.</returns>
    /// <remarks>Time per iteration: two soft-mins per input (O(K·N²) dense, O(K·N·Σ_d n_d) on a grid); memory O(K·N).</remarks>
    /// <exception cref="InputValidationException">Inconsistent inputs or options.</exception>
    public static FixedSupportBarycenterResult Barycenter(
        CostGeometry<double> geometry,
        IReadOnlyList<double[]> histograms,
        IReadOnlyList<double>? weights = null,
        double epsilon = 0.01,
        bool debiased = false,
        Relaxation? relaxation = null,
        CancellationToken cancellationToken = default)
        => new FixedSupportBarycenter { Epsilon = epsilon, Debiased = debiased, Relaxation = relaxation ?? Relaxation.Balanced }
            .Solve(geometry, histograms, weights, cancellationToken: cancellationToken);
}
