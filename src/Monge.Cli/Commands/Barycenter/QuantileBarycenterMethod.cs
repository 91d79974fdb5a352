using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Geometry;
using Monge.IO;
using Monge.Solvers;
using Monge.Tools.Barycenters;
using ScottPlot;

namespace Monge.Cli.Commands.Barycenter;

/// <summary>
/// <c>monge barycenter --method quantile</c>: the exact W₂ barycenter of one-dimensional measures by averaging quantile
/// functions (<see cref="OneDimensionalBarycenter"/>). Each input is a vector (or n × 1) of values, FILE or FILE#KEY, with
/// optional <c>--input-weights</c>. Without <c>--size</c> the output is the barycenter itself as an N × 2 array (column 0
/// the sorted atoms, column 1 their masses, N ≤ Σ n_s − S + 1); with <c>--size K</c> the exact best K points with
/// weights 1/K (K × 1).
/// </summary>
public sealed class QuantileBarycenterMethod : IBarycenterMethod
{
    /// <inheritdoc/>
    public string Name => "quantile";

    /// <inheritdoc/>
    public string Description => "exact barycenter of 1-D measures (quantile functions averaged); output N × 2 (atom, mass), or K × 1 points with --size K";

    /// <inheritdoc/>
    public IEnumerable<Option> CreateOptions() =>
    [
        new Option<int?>(FreeBarycenterMethod.SizeName) { Description = "K: return the exact best K points with weights 1/K instead of the whole barycenter" },
        new Option<string[]>(FreeBarycenterMethod.InputWeightsName) { Description = "one weight vector per input (FILE or FILE#KEY), used as given: each must sum to one unless --normalize-weights; default uniform", AllowMultipleArgumentsPerToken = true },
        FreeBarycenterMethod.NormalizeInputs(),
    ];

    /// <inheritdoc/>
    public BarycenterOutcome Run(BarycenterInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clouds = input.LoadClouds();
        for (var k = 0; k < clouds.Count; k++)
        {
            if (clouds[k].Dimension != 1)
            {
                throw new UsageException($"--inputs: input {k + 1} ({input.Inputs[k]}) has dimension {clouds[k].Dimension}; --method quantile needs one-dimensional inputs (use --method free for point clouds).");
            }
        }

        var size = input.Parse.GetValue<int?>(FreeBarycenterMethod.SizeName);
        if (size is < 1)
        {
            throw new UsageException($"{FreeBarycenterMethod.SizeName} must be at least 1 (got {size}).");
        }

        var result = size is null ? OneDimensionalBarycenter.Solve(clouds, input.Weights) : OneDimensionalBarycenter.SolveFixedSize(clouds, size.Value, input.Weights);
        var n = result.Size;
        NumericArray output;
        if (size is null)
        {
            var table = new double[n * 2];
            for (var i = 0; i < n; i++)
            {
                table[2 * i] = result.Points[i];
                table[(2 * i) + 1] = result.Weights[i];
            }

            output = new NumericArray(table, n, 2);
        }
        else
        {
            output = new NumericArray(result.Points.ToArray(), n, 1);
        }

        var convergence = new Convergence(SolverStatus.Converged, 0, 0, 0, [], TimeSpan.Zero);
        var summary = new JsonObject
        {
            ["objective"] = JsonOutput.Number(result.Objective),
            ["objective_kind"] = "sum_k w_k W2^2(barycenter, input k), exact (closed form in 1-D)",
            ["values"] = new JsonArray(result.Values.Select(v => JsonOutput.Number(v)).ToArray()),
            ["atoms"] = n,
            ["fixed_size"] = size is not null,
            ["converged"] = true,
            ["status"] = "Converged",
            ["iterations"] = 0,
        };
        var points = result.Points.ToArray();
        var weights = result.Weights.ToArray();
        return new BarycenterOutcome(summary, convergence, output)
        {
            Plot = () => Draw(clouds, points, weights, $"1-D barycenter of {clouds.Count} inputs (quantile functions), objective {result.Objective.ToString("G4", CultureInfo.InvariantCulture)}"),
        };
    }

    /// <summary>
    /// The quantile functions t ↦ F⁻¹(t) of the inputs (thin, one color each) and of the barycenter (thick, dark blue), as
    /// steps over the cumulative mass: the barycenter's is the weighted average of the inputs'.
    /// </summary>
    private static Plot Draw(IReadOnlyList<PointCloud<double>> clouds, double[] points, double[] weights, string title)
    {
        string[] palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"];
        var plot = PlotTheme.Create(title);
        for (var s = 0; s < clouds.Count; s++)
        {
            var (t, v) = Steps(clouds[s].Data.ToArray(), clouds[s].NormalizedWeights());
            var line = plot.Add.Scatter(t, v, Color.FromHex(palette[s % palette.Length]));
            line.MarkerSize = 0;
            line.LineWidth = 1.5f;
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"input {s + 1} ({clouds[s].Count} points)");
        }

        var (bt, bv) = Steps(points, weights);
        var bary = plot.Add.Scatter(bt, bv, PlotTheme.Trace);
        bary.MarkerSize = 0;
        bary.LineWidth = 3;
        bary.LegendText = string.Create(CultureInfo.InvariantCulture, $"barycenter ({points.Length} atoms)");
        plot.ShowLegend();
        plot.XLabel("cumulative mass t");
        plot.YLabel("quantile F⁻¹(t)");
        return plot;
    }

    /// <summary>The step function of a 1-D measure's quantile function: sorted atoms over their cumulative mass.</summary>
    private static (double[] T, double[] V) Steps(double[] values, double[] weights)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var total = weights.Sum();
        var t = new double[2 * values.Length];
        var v = new double[2 * values.Length];
        var cumulative = 0.0;
        for (var k = 0; k < order.Length; k++)
        {
            t[2 * k] = cumulative / total;
            cumulative += weights[order[k]];
            t[(2 * k) + 1] = cumulative / total;
            v[2 * k] = v[(2 * k) + 1] = values[order[k]];
        }

        return (t, v);
    }
}
