namespace Monge.Solvers.Entropic;

/// <summary>
/// How Sinkhorn's potentials start (Thornton and Cuturi 2022). Every initializer sets f; the first iteration computes g
/// from it. With ε-scaling, a non-zero start makes the schedule begin lower (see <see cref="Sinkhorn.InitializedScalingStart"/>)
/// so that the large-ε phase does not erase it.
/// </summary>
public enum SinkhornInitializer
{
    /// <summary>f = g = 0.</summary>
    Zero,

    /// <summary>
    /// Solve the problem on a random subsample (<see cref="Sinkhorn.SubsampleSize"/> points per side, seeded by
    /// <see cref="Sinkhorn.Seed"/>) whose points carry the mass of their Voronoi cells in the full clouds (so every region
    /// keeps its exact mass), at ε·<see cref="Sinkhorn.SubsampleEpsilonMultiplier"/>, then extend its target potential to
    /// all source points with one soft-min at that ε. Needs a point-cloud geometry; other geometries fall back to
    /// <see cref="Zero"/>.
    /// </summary>
    Subsample,

    /// <summary>
    /// Fit a Gaussian to each weighted cloud (mean and covariance) and start from the Brenier potential of the closed-form
    /// Monge map between the two Gaussians: f(x) = s·(|x|² − 2φ(x)) with ∇φ the affine Gaussian map and s the cost scale
    /// (OTT-JAX <c>GaussianInitializer</c>). Needs a <see cref="Geometry.PointCloudGeometry{T}"/> with the squared Euclidean
    /// cost (else <see cref="InputValidationException"/>). Cost O((n + m)·d² + d³).
    /// </summary>
    Gaussian,

    /// <summary>
    /// One-dimensional problems: the exact unregularized dual potentials of the monotone (sorted, north-west corner)
    /// coupling, which is optimal for costs that are convex functions of x − y (squared Euclidean, Euclidean, p-norm^p
    /// with p ≥ 1). Plays the role of OTT-JAX's <c>SortingInitializer</c> but solves the 1-D dual directly in
    /// O(n log n + m log m) instead of iterating on a dense matrix. Needs a <see cref="Geometry.PointCloudGeometry{T}"/>
    /// of dimension 1 (else <see cref="InputValidationException"/>).
    /// </summary>
    Sorting,
}
