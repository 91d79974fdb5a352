using Monge.Geometry;
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
    /// get −1 (the library solver handles both).
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
        var result = solver.Solve(x.WithWeights(null), y.WithWeights(null), settings.Cost, settings.Progress, cancellationToken);
        return new MatchOutcome(result.RowToColumn, result.TotalCost, result.Convergence.Status == SolverStatus.Converged, result.Convergence, "exact")
        {
            Plan = result,
        };
    }
}
