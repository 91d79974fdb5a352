using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Exact;

namespace Monge.Cli.Commands.Match;

/// <summary>The <c>exact</c> method of <c>monge match</c>: certified-optimal linear assignment. It has no options of its own.</summary>
public static class ExactMatch
{
    /// <summary>The method.</summary>
    public static MatchMethod Method { get; } = new("exact", "Jonker–Volgenant shortest augmenting paths, certified optimal (O(n³) worst case)", Solve);

    /// <summary>
    /// Solves the assignment with <see cref="LinearAssignment"/>. Unequal sizes are allowed: with n ≤ m every source
    /// gets a distinct target (m − n targets stay unused); with n &gt; m every target is used once and n − m sources
    /// get −1 (the solver runs on the transposed problem, targets as rows).
    /// </summary>
    /// <param name="x">Source points.</param>
    /// <param name="y">Target points (any count, same dimension).</param>
    /// <param name="settings">The cost and the memory budget of the stored cost (the other settings are HiRef's).</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    public static MatchOutcome Solve(PointCloud<double> x, PointCloud<double> y, MatchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(settings);
        var solver = settings.MaxMemoryBytes > 0 ? new LinearAssignment { MaxDenseBytes = settings.MaxMemoryBytes } : new LinearAssignment();
        var transposed = x.Count > y.Count;
        var geometry = LinearProblem<double>.FromPointClouds(x.WithWeights(null), y.WithWeights(null), settings.Cost).Geometry;
        var result = solver.Solve(new LinearProblem<double>(transposed ? geometry.Transpose() : geometry), settings.Progress, cancellationToken);
        var targetOf = result.RowToColumn;
        if (transposed)
        {
            targetOf = new int[x.Count];
            Array.Fill(targetOf, -1);
            for (var j = 0; j < y.Count; j++)
            {
                if (result.RowToColumn[j] >= 0)
                {
                    targetOf[result.RowToColumn[j]] = j;
                }
            }
        }

        return new MatchOutcome(targetOf, result.TotalCost, result.Convergence.Status == SolverStatus.Converged, result.Convergence, "exact")
        {
            Plan = transposed ? new Transfer.TransposedPlan(result) : result,
        };
    }
}
