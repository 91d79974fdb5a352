using Monge.Solvers;

namespace Monge.Cli.Commands.Solve;

/// <summary>
/// What a solve method hands back besides its JSON summary, for <c>--plot</c>, <c>--plot-trace</c> and <c>--report</c>:
/// the convergence report and, computed only when a plot asks for it, the barycentric map of the source points.
/// </summary>
public sealed class SolveDetails
{
    /// <summary>The solver's convergence report, or <see langword="null"/> for a method without one.</summary>
    public Convergence? Convergence { get; set; }

    /// <summary>Iterations between two entries of <see cref="Monge.Solvers.Convergence.ErrorTrace"/>.</summary>
    public int IterationsPerCheck { get; set; } = 1;

    /// <summary>What the traced error measures, for the plot's axis.</summary>
    public string ErrorLabel { get; set; } = "marginal error";

    /// <summary>
    /// Computes T(x_i) = Σ_j P_ij y_j / Σ_j P_ij for every source point (row-major n × d), or <see langword="null"/> when
    /// the method cannot. Called at most once, after the solve, only when a plot needs it.
    /// </summary>
    public Func<double[]>? SourceMap { get; set; }

    /// <summary>
    /// Builds the dense n × m plan (row-major), or <see langword="null"/> when the method cannot. Called only for
    /// <c>--plot-plan</c>, which is refused before solving when a side exceeds the heat map's limit.
    /// </summary>
    public Func<double[]>? DensePlan { get; set; }

    /// <summary>The solver's plan through the plan contract (for <c>--transfer</c>, <c>--h5ad-out</c>), or <see langword="null"/>.</summary>
    public Monge.Solvers.ITransportPlan<double>? Plan { get; set; }

    /// <summary>Barycentric map of a plan given as a function that applies it to a column vector (P v, length n).</summary>
    /// <param name="n">Number of source points.</param>
    /// <param name="target">Target points, row-major m × d.</param>
    /// <param name="m">Number of target points.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="apply">Writes P v into the second span.</param>
    /// <returns>T(x), row-major n × d; rows with no mass map to NaN.</returns>
    public static double[] BarycentricMap(int n, ReadOnlySpan<double> target, int m, int d, Action<double[], double[]> apply)
    {
        ArgumentNullException.ThrowIfNull(apply);
        var column = new double[m];
        var result = new double[n];
        var mass = new double[n];
        Array.Fill(column, 1.0);
        apply(column, mass);
        var map = new double[n * d];
        for (var k = 0; k < d; k++)
        {
            for (var j = 0; j < m; j++)
            {
                column[j] = target[(j * d) + k];
            }

            apply(column, result);
            for (var i = 0; i < n; i++)
            {
                map[(i * d) + k] = mass[i] > 0 ? result[i] / mass[i] : double.NaN;
            }
        }

        return map;
    }
}
