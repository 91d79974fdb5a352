using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Quadratic;

namespace Monge;

/// <content>Low-rank Gromov–Wasserstein entries of the facade.</content>
public static partial class Ot
{
    /// <summary>
    /// Low-rank (fused) Gromov–Wasserstein between two point clouds in linear memory: GW on the squared Euclidean
    /// distances within each cloud (the clouds may have different dimensions), optionally fused with the squared
    /// Euclidean cost between per-point features (POT's α: (1 − α)⟨M, P⟩ + α·GW), solved by <see cref="FrlcGromov"/>
    /// (balanced, semi-relaxed or unbalanced through <paramref name="relaxation"/>). Costs are scaled by their mean by
    /// default and values reported in the input's units.
    /// </summary>
    /// <param name="x">Source points and weights.</param>
    /// <param name="y">Target points and weights (any dimension).</param>
    /// <param name="rank">Rank of the coupling.</param>
    /// <param name="alpha">Fusion weight of GW (1 = pure GW; below 1 needs features).</param>
    /// <param name="xFeatures">Source features (same count as <paramref name="x"/>), or null.</param>
    /// <param name="yFeatures">Target features (same dimension as <paramref name="xFeatures"/>), or null.</param>
    /// <param name="relaxation">Outer relaxation; null is balanced.</param>
    /// <param name="seed">Seed of the random initialisation.</param>
    /// <param name="progress">Solver progress.</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <returns>The factored coupling, GW and linear terms, marginal errors and convergence.</returns>
    /// <remarks>Time O((n + m)·r·(d + L) + (n + m)·d²) per iteration and memory O((n + m)·(r + d)); never n × n or n × m.</remarks>
    /// <exception cref="InputValidationException">Invalid inputs (features on one side only, α &lt; 1 without features, ranks).</exception>
    public static LowRankGromovResult SolveGromovLowRank(
        PointCloud<double> x,
        PointCloud<double> y,
        int rank = 10,
        double alpha = 1.0,
        PointCloud<double>? xFeatures = null,
        PointCloud<double>? yFeatures = null,
        Relaxation? relaxation = null,
        int seed = 0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if ((xFeatures is null) != (yFeatures is null))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "Give features for both clouds or for neither.", nameof(xFeatures));
        }

        CostGeometry<double>? linear = xFeatures is null ? null : PointCloudGeometry.Create(xFeatures, yFeatures!, default(SquaredEuclidean<double>));
        var solver = new FrlcGromov { Rank = rank, Seed = seed };
        var problem = new QuadraticProblem<double>(GromovGeometry.SquaredEuclidean(x), GromovGeometry.SquaredEuclidean(y), x.NormalizedWeights(), y.NormalizedWeights(), linearGeometry: linear, alpha: linear is null ? (alpha == 1 ? null : alpha) : alpha, relaxation: relaxation);
        return solver.Solve(problem, progress, cancellationToken);
    }
}
