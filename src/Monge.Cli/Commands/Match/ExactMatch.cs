using Monge.Geometry;
using Monge.Solvers;
using Monge.Solvers.Exact;

namespace Monge.Cli.Commands.Match;

/// <summary>The <c>exact</c> method of <c>monge match</c>: certified-optimal linear assignment. It has no options of its own.</summary>
public static class ExactMatch
{
    /// <summary>The method.</summary>
    public static MatchMethod Method { get; } = new("exact", "Jonker–Volgenant shortest augmenting paths, certified optimal (O(n³) worst case)", Solve);

    /// <summary>Solves the assignment with <see cref="LinearAssignment"/>.</summary>
    /// <param name="x">Source points.</param>
    /// <param name="y">Target points, as many.</param>
    /// <param name="settings">The cost (the other settings are HiRef's).</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    public static MatchOutcome Solve(PointCloud<double> x, PointCloud<double> y, MatchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var result = new LinearAssignment().Solve(x, y, settings.Cost, cancellationToken: cancellationToken);
        return new MatchOutcome(result.RowToColumn, result.TotalCost, result.Convergence.Status == SolverStatus.Converged, result.Convergence, "exact") { Plan = result };
    }
}
