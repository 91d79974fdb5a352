using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Gaussian;
using Monge.Geometry;
using Monge.IO;
using Monge.Solvers;
using Monge.Tools.Barycenters;
using ScottPlot;

namespace Monge.Cli.Commands.Barycenter;

/// <summary>
/// <c>monge barycenter --method gaussian</c>: the Bures–Wasserstein barycenter of Gaussians (fixed point of
/// Álvarez-Esteban et al. 2016). Each input is either samples (a point cloud n_s × d, FILE or FILE#KEY, optional
/// <c>--input-weights</c>) to which a Gaussian is fitted (weighted mean and weighted covariance Σ_i a_i (x_i − m)(x_i − m)ᵀ,
/// weights rescaled to one: the maximum-likelihood fit), or an .npz without #KEY holding arrays <c>mean</c> (d) and
/// <c>cov</c> (d × d). The output is a (d + 1) × d array: row 0 the barycenter's mean, rows 1..d its covariance.
/// </summary>
public sealed class GaussianBarycenterMethod : IBarycenterMethod
{
    /// <inheritdoc/>
    public string Name => "gaussian";

    /// <inheritdoc/>
    public string Description => "Bures barycenter of Gaussians fitted to point clouds (or given as .npz with mean and cov); output (d + 1) × d: mean, then covariance";

    /// <inheritdoc/>
    public IEnumerable<Option> CreateOptions() =>
    [
        new Option<string[]>(FreeBarycenterMethod.InputWeightsName) { Description = "one weight vector per sample input (FILE or FILE#KEY), each rescaled to mass one, for the weighted fit; default uniform", AllowMultipleArgumentsPerToken = true },
        new Option<int>(HistogramBarycenterMethod.MaxIterationsName) { Description = "fixed-point iterations at most, default 10000", DefaultValueFactory = _ => 10_000 },
        new Option<double>(HistogramBarycenterMethod.ThresholdName) { Description = "stop when the relative Frobenius change of the covariance is at most this, default 1e-6", DefaultValueFactory = _ => 1e-6 },
    ];

    /// <inheritdoc/>
    public BarycenterOutcome Run(BarycenterInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var weightSpecs = input.InputWeightSpecs();

        var iterations = input.Get<int>(HistogramBarycenterMethod.MaxIterationsName);
        var threshold = input.Get<double>(HistogramBarycenterMethod.ThresholdName);
        if (iterations < 1)
        {
            throw new UsageException($"{HistogramBarycenterMethod.MaxIterationsName} must be at least 1 (got {iterations}).");
        }

        if (!(threshold >= 0) || !double.IsFinite(threshold))
        {
            throw new UsageException($"{HistogramBarycenterMethod.ThresholdName} must be a non-negative number (got {threshold.ToString(CultureInfo.InvariantCulture)}).");
        }

        var sources = new List<string>();
        var measures = new List<GaussianMeasure>();
        for (var k = 0; k < input.Inputs.Count; k++)
        {
            var (measure, source) = Load(input.Inputs[k], weightSpecs.Count == 0 ? null : weightSpecs[k], k);
            measures.Add(measure);
            sources.Add(source);
        }

        var d = measures[0].Dimension;
        for (var k = 1; k < measures.Count; k++)
        {
            if (measures[k].Dimension != d)
            {
                throw new UsageException($"--inputs: input {k + 1} ({input.Inputs[k]}) has dimension {measures[k].Dimension}, input 1 has {d}.");
            }
        }

        var result = new GaussianBarycenter { MaxIterations = iterations, Threshold = threshold }.Solve(measures, input.Weights, cancellationToken: input.Context.Cancellation);
        if (result.Convergence.Status == SolverStatus.Cancelled)
        {
            throw new OperationCanceledException(input.Context.Cancellation);
        }

        var mean = result.Barycenter.Mean.ToArray();
        var cov = result.Barycenter.Covariance.ToArray();
        var output = new double[(d + 1) * d];
        mean.CopyTo(output, 0);
        cov.CopyTo(output, d);
        var summary = new JsonObject
        {
            ["objective"] = JsonOutput.Number(result.Objective),
            ["objective_kind"] = "sum_k w_k W2^2(barycenter, Gaussian k), Bures-Wasserstein closed form",
            ["values"] = new JsonArray(result.Values.Select(v => JsonOutput.Number(v)).ToArray()),
            ["dimension"] = d,
            ["input_kinds"] = new JsonArray(sources.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            ["mean"] = new JsonArray(mean.Select(v => JsonOutput.Number(v)).ToArray()),
            ["covariance"] = d <= 16 ? new JsonArray(cov.Select(v => JsonOutput.Number(v)).ToArray()) : null,
            ["residual"] = JsonOutput.Number(result.Residual),
            ["converged"] = result.Converged,
            ["status"] = result.Convergence.Status.ToString(),
            ["iterations"] = result.Convergence.Iterations,
            ["final_error"] = JsonOutput.Number(result.Convergence.FinalError),
            ["threshold"] = JsonOutput.Number(threshold),
        };
        var barycenter = result.Barycenter;
        return new BarycenterOutcome(summary, result.Convergence, new NumericArray(output, d + 1, d))
        {
            Plot = () => Draw(measures, barycenter, $"Gaussian (Bures) barycenter of {measures.Count} inputs, objective {result.Objective.ToString("G4", CultureInfo.InvariantCulture)}"),
        };
    }

    /// <summary>
    /// d = 1: the densities of the inputs and of the barycenter. d ≥ 2: their 1σ and 2σ ellipses and means on the first two
    /// coordinates (the exact marginal Gaussians there: mean (m₀, m₁), covariance the leading 2 × 2 block).
    /// </summary>
    private static Plot Draw(IReadOnlyList<GaussianMeasure> measures, GaussianMeasure barycenter, string title)
    {
        string[] palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"];
        var d = barycenter.Dimension;
        var plot = PlotTheme.Create(d == 1 ? title : title + (d > 2 ? $" (coordinates 1–2 of {d})" : string.Empty));
        var all = measures.Append(barycenter).ToArray();
        for (var s = 0; s < all.Length; s++)
        {
            var isBarycenter = s == all.Length - 1;
            var color = isBarycenter ? PlotTheme.Trace : Color.FromHex(palette[s % palette.Length]);
            var label = isBarycenter ? "barycenter" : string.Create(CultureInfo.InvariantCulture, $"input {s + 1}");
            var m = all[s].Mean.ToArray();
            var c = all[s].Covariance.ToArray();
            if (d == 1)
            {
                var sd = Math.Sqrt(c[0]);
                var xs = Enumerable.Range(0, 241).Select(i => m[0] + (sd * ((i / 30.0) - 4))).ToArray();
                var ys = xs.Select(x => Math.Exp(-0.5 * ((x - m[0]) / sd) * ((x - m[0]) / sd)) / (sd * Math.Sqrt(2 * Math.PI))).ToArray();
                var line = plot.Add.Scatter(xs, ys, color);
                line.MarkerSize = 0;
                line.LineWidth = isBarycenter ? 3 : 1.5f;
                line.LegendText = label;
                continue;
            }

            // Cholesky of the leading 2 × 2 block: the ellipse m + k·L(cos θ, sin θ) holds the points k σ away.
            var (a, b, e) = (c[0], c[1], c[d + 1]);
            var l00 = Math.Sqrt(a);
            var l10 = b / l00;
            var l11 = Math.Sqrt(Math.Max(e - (l10 * l10), 0));
            foreach (var k in new[] { 1.0, 2.0 })
            {
                var theta = Enumerable.Range(0, 121).Select(i => 2 * Math.PI * i / 120).ToArray();
                var ex = theta.Select(t => m[0] + (k * l00 * Math.Cos(t))).ToArray();
                var ey = theta.Select(t => m[1] + (k * ((l10 * Math.Cos(t)) + (l11 * Math.Sin(t))))).ToArray();
                var ellipse = plot.Add.Scatter(ex, ey, color);
                ellipse.MarkerSize = 0;
                ellipse.LineWidth = isBarycenter ? 3 : 1.5f;
                if (k == 1)
                {
                    ellipse.LegendText = label;
                }
            }

            plot.Add.Markers(new[] { m[0] }, new[] { m[1] }, MarkerShape.FilledCircle, isBarycenter ? 9 : 6, color);
        }

        plot.ShowLegend();
        plot.XLabel(d == 1 ? "x" : "coordinate 1");
        plot.YLabel(d == 1 ? "density" : "coordinate 2");
        return plot;
    }

    private static (GaussianMeasure Measure, string Source) Load(string spec, string? weightsSpec, int k)
    {
        var (path, key) = DataFiles.SplitSpec(spec);
        if (key is null && path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) && File.Exists(path))
        {
            var arrays = DataFiles.LoadAll(spec).ToDictionary(a => a.Name, a => a.Array, StringComparer.Ordinal);
            if (arrays.TryGetValue("mean", out var meanArray) && arrays.TryGetValue("cov", out var covArray))
            {
                if (weightsSpec is not null)
                {
                    throw new UsageException($"{FreeBarycenterMethod.InputWeightsName}: input {k + 1} ({spec}) is a Gaussian (mean, cov), not samples; weights do not apply.");
                }

                return (new GaussianMeasure(meanArray.ToDoubleArray(), covArray.ToDoubleArray()), "mean/cov");
            }
        }

        var cloud = DataFiles.LoadPoints(spec, weightsSpec, DataLoadOptions.Default, $"input {k + 1}").Cloud;
        return (Fit(cloud, spec), "samples");
    }

    /// <summary>The weighted maximum-likelihood Gaussian of a point cloud (weights rescaled to one).</summary>
    private static GaussianMeasure Fit(PointCloud<double> cloud, string spec)
    {
        var d = cloud.Dimension;
        var a = cloud.NormalizedWeights();
        var mean = new double[d];
        for (var i = 0; i < cloud.Count; i++)
        {
            var row = cloud.Row(i);
            for (var c = 0; c < d; c++)
            {
                mean[c] += a[i] * row[c];
            }
        }

        var cov = new double[d * d];
        for (var i = 0; i < cloud.Count; i++)
        {
            var row = cloud.Row(i);
            for (var r = 0; r < d; r++)
            {
                for (var c = 0; c < d; c++)
                {
                    cov[(r * d) + c] += a[i] * (row[r] - mean[r]) * (row[c] - mean[c]);
                }
            }
        }

        try
        {
            return new GaussianMeasure(mean, cov);
        }
        catch (InputValidationException ex)
        {
            throw new UsageException($"--inputs {spec}: the fitted covariance of {cloud.Count} points in dimension {d} is not positive definite (too few or degenerate points): {ex.Message}", ex);
        }
    }
}
