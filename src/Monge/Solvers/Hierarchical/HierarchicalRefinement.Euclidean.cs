using Monge.Geometry.Costs;

namespace Monge.Solvers.Hierarchical;

/// <summary>The budget choices specific to the Euclidean cost c(x, y) = ‖x − y‖ (docs/hiref.md, "Stop 23 (e1m)").</summary>
public sealed partial record HierarchicalRefinement
{
    /// <summary>With the Euclidean cost the <see cref="HugeSlabRounds"/> stop after a round that lowers the cost by at
    /// most <see cref="HugeSlabTolerance"/> times this factor (default 0.25, so 2.5·10⁻⁴ with the default tolerance; 1: the
    /// squared cost's rule). On 8 Gaussians → moons at n = 1 048 576 the Euclidean rounds' gains vary with the direction
    /// (2.6, 1.1, 0.99, then 2.5, 2.2, 0.9, 2.3, 0.6 ×10⁻³ from the same matching): the 1e-3 rule stopped after the third
    /// round at 1.447% certified, while further rounds of about 1 quiet CPU-s each kept gaining (0.593% after five more).</summary>
    internal double EuclideanHugeSlabToleranceScale { get; init; } = 0.25;

    // The stop of the huge slab rounds for this solver's cost.
    private double HugeSlabStop() => Cost is Euclidean<double> ? HugeSlabTolerance * EuclideanHugeSlabToleranceScale : HugeSlabTolerance;

    private void ValidateEuclidean() =>
        Require(EuclideanHugeSlabToleranceScale >= 0 && double.IsFinite(EuclideanHugeSlabToleranceScale), $"EuclideanHugeSlabToleranceScale must be non-negative and finite (got {EuclideanHugeSlabToleranceScale}).", nameof(EuclideanHugeSlabToleranceScale));
}
