using System.Text.Json.Nodes;
using Monge.IO;
using Monge.Solvers;
using ScottPlot;

namespace Monge.Cli.Commands.Barycenter;

/// <summary>What a <c>monge barycenter</c> method returns.</summary>
/// <param name="Summary">At least objective, objective_kind, converged, status, iterations (merged into the command's JSON).</param>
/// <param name="Convergence">The solver's report (the exit policy reads it).</param>
/// <param name="Barycenter">What <c>--out</c> writes: a histogram (N,) on a support, an H × W image on a grid, or K × d points.</param>
public sealed record BarycenterOutcome(JsonObject Summary, Convergence Convergence, NumericArray Barycenter)
{
    /// <summary>Draws the result for <c>--plot</c>; null when the method cannot (then <c>--plot</c> is refused with exit 2).</summary>
    public Func<Plot>? Plot { get; init; }
}
