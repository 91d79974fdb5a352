using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Quadratic;

namespace Monge;

/// <content>Entropic, unbalanced and barycentric Gromov-Wasserstein entry points.</content>
public static partial class Ot
{
    /// <summary>
    /// Entropic (fused) Gromov-Wasserstein between two point clouds, each compared only with itself: the intra-space
    /// costs are squared Euclidean distances divided by their max (so ε is relative to costs of order one), the square
    /// loss, POT's ε convention (ε_POT = 2·ε_OTT). Relax a marginal with <paramref name="relaxation"/> (KL weights ρ or
    /// τ; one exact side is semi-relaxed).
    /// </summary>
    /// <param name="source">The source cloud (weights as given, uniform where absent).</param>
    /// <param name="target">The target cloud (any dimension).</param>
    /// <param name="epsilon">ε (default 0.01).</param>
    /// <param name="relaxation">Null for balanced.</param>
    /// <param name="method">Mirror descent (default) or the proximal point method (balanced only).</param>
    /// <param name="cancellationToken">Stops at the next outer iteration.</param>
    /// <returns>The plan, POT-convention value, residual and convergence.</returns>
    /// <remarks>O(n·m) memory (dense plan); O(n·m·d) per outer iteration for the tensor product plus one Sinkhorn.</remarks>
    /// <exception cref="InputValidationException">Invalid weights or options.</exception>
    public static EntropicGromovWassersteinResult<double> SolveGromovEntropic(
        PointCloud<double> source,
        PointCloud<double> target,
        double epsilon = 0.01,
        Relaxation? relaxation = null,
        EntropicGromovMethod method = EntropicGromovMethod.MirrorDescent,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var problem = new QuadraticProblem<double>(
            NormalizedSquaredEuclidean(source),
            NormalizedSquaredEuclidean(target),
            source.HasWeights ? source.Weights.ToArray() : null,
            target.HasWeights ? target.Weights.ToArray() : null,
            relaxation: relaxation);
        return new EntropicGromovWasserstein { Epsilon = epsilon, Method = method }.Solve(problem, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Entropic (fused) Gromov-Wasserstein on a prepared <see cref="QuadraticProblem{T}"/> (any geometries, loss, fusion
    /// weight α and relaxation), with the defaults of <see cref="EntropicGromovWasserstein"/> and the given ε.
    /// </summary>
    /// <param name="problem">The problem.</param>
    /// <param name="epsilon">ε in POT's convention.</param>
    /// <param name="cancellationToken">Stops at the next outer iteration.</param>
    /// <returns>The result.</returns>
    /// <exception cref="InputValidationException">Invalid options.</exception>
    public static EntropicGromovWassersteinResult<double> SolveGromovEntropic(QuadraticProblem<double> problem, double epsilon, CancellationToken cancellationToken = default)
        => new EntropicGromovWasserstein { Epsilon = epsilon }.Solve(problem, cancellationToken: cancellationToken);

    /// <summary>
    /// The GW barycenter with <paramref name="size"/> points of structure matrices given as geometries (POT's
    /// <c>gromov_barycenters</c>, square loss), uniform λ and weights unless given.
    /// </summary>
    /// <param name="costs">The inputs' intra-space costs.</param>
    /// <param name="size">N.</param>
    /// <param name="weights">Per-input weights (null: uniform).</param>
    /// <param name="lambdas">Input weights λ (null: uniform).</param>
    /// <param name="seed">Seed of the random initial structure.</param>
    /// <returns>The barycenter.</returns>
    /// <exception cref="InputValidationException">Inconsistent inputs.</exception>
    public static GromovBarycenterResult GromovBarycenter(IReadOnlyList<CostGeometry<double>> costs, int size, IReadOnlyList<double[]?>? weights = null, IReadOnlyList<double>? lambdas = null, int seed = 0)
        => new GromovBarycenter { Seed = seed }.Solve(costs, weights, size, lambdas);

    private static CostGeometry<double> NormalizedSquaredEuclidean(PointCloud<double> cloud)
    {
        var geometry = LowRankGeometry<double>.SquaredEuclidean(cloud, cloud);
        var max = geometry.ComputeStatistics().Max;
        if (!(max > 0))
        {
            return geometry;
        }

        return geometry.WithScaleFactor(1 / max);
    }
}
