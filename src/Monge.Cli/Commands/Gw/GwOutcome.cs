using System.Text.Json.Nodes;
using Monge.Solvers;

namespace Monge.Cli.Commands.Gw;

/// <summary>
/// What a <c>monge gw</c> method returns: its JSON summary, its convergence report, and the plan products the command
/// writes on request (each null when the method cannot produce it).
/// </summary>
/// <param name="Summary">At least cost, gw_cost, linear_cost, converged, status, iterations (and fw_gap for cg).</param>
/// <param name="Convergence">The solver's report.</param>
public sealed record GwOutcome(JsonObject Summary, Convergence Convergence)
{
    /// <summary>The dense row-major n × m plan (small problems).</summary>
    public Func<double[]>? DensePlan { get; init; }

    /// <summary>The plan's entries as (rows, columns, masses) (large problems).</summary>
    public Func<(int[] Rows, int[] Columns, double[] Mass)>? SparsePlan { get; init; }

    /// <summary>A hard matching: the target index of each source point.</summary>
    public Func<int[]>? Matching { get; init; }
}
