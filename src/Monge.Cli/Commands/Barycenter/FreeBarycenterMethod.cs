using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Geometry;
using Monge.IO;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Tools.Barycenters;
using ScottPlot;

namespace Monge.Cli.Commands.Barycenter;

/// <summary>
/// <c>monge barycenter --method free</c>: the free-support barycenter of point clouds (Cuturi and Doucet 2014, POT's
/// <c>ot.lp.free_support_barycenter</c>). Each input is a point cloud n_s × d (FILE or FILE#KEY; sizes may differ), with
/// optional per-input weights (<c>--input-weights</c>, one vector per input, each of mass one, or rescaled to one by <c>--normalize-weights</c>); the output is
/// the K × d barycenter points (uniform weights 1/K). Solved by <see cref="FreeSupportBarycenter"/>; the JSON objective is
/// the exact Σ_k w_k W₂²(bary, μ_k) (network simplex) at the returned points.
/// </summary>
public sealed class FreeBarycenterMethod : IBarycenterMethod
{
    /// <summary>The <c>--size</c> option name.</summary>
    public const string SizeName = "--size";

    /// <summary>The <c>--inner</c> option name.</summary>
    public const string InnerName = "--inner";

    /// <summary>The <c>--input-weights</c> option name.</summary>
    public const string InputWeightsName = "--input-weights";

    /// <summary>The <c>--init</c> option name.</summary>
    public const string InitName = "--init";

    /// <summary>The <c>--seed</c> option name.</summary>
    public const string SeedName = "--seed";

    /// <inheritdoc/>
    public string Name => "free";

    /// <inheritdoc/>
    public string Description => "free-support barycenter of point clouds (Cuturi-Doucet fixed point, exact or entropic plans); --size K, output K × d points";

    /// <inheritdoc/>
    public IEnumerable<Option> CreateOptions()
    {
        var inner = new Option<string>(InnerName) { Description = "plans between the barycenter and each input: exact (network simplex; default) or entropic (Sinkhorn, --epsilon)", DefaultValueFactory = _ => "exact" };
        inner.AcceptOnlyFromAmong("exact", "entropic");
        return
        [
            new Option<int?>(SizeName) { Description = "K, the number of barycenter points (required)" },
            inner,
            new Option<string[]>(InputWeightsName) { Description = "one weight vector per input (FILE or FILE#KEY, n_s values each, in the order of --inputs), used as given: each must sum to one unless --normalize-weights; default uniform", AllowMultipleArgumentsPerToken = true },
            NormalizeInputs(),
            new Option<string?>(InitName) { Description = "the starting points, K × d (FILE or FILE#KEY); default: K atoms of the inputs drawn with --seed" },
            new Option<int>(SeedName) { Description = "seed of the default start", DefaultValueFactory = _ => 0 },
            new Option<double?>(HistogramBarycenterMethod.EpsilonName) { Description = "with --inner entropic, ε of every inner Sinkhorn (absolute unless --relative-epsilon); default 0.01 × the mean cost of each inner problem" },
            new Option<bool>(HistogramBarycenterMethod.RelativeName) { Description = "multiply --epsilon by the mean cost of each inner problem" },
            new Option<int>(HistogramBarycenterMethod.MaxIterationsName) { Description = "location updates at most, default 10000 (exact plans usually stop far earlier, when the points stop moving)", DefaultValueFactory = _ => 10_000 },
            new Option<double>(HistogramBarycenterMethod.ThresholdName) { Description = "stop when the relative change of the objective between two updates is at most this, default 1e-6 (0: run until the points repeat exactly)", DefaultValueFactory = _ => 1e-6 },
        ];
    }

    /// <summary>The <c>--normalize-weights</c> option of the point-cloud methods (free, quantile).</summary>
    internal static Option<bool> NormalizeInputs() => new(WeightOptions.NormalizeName)
    {
        Description = "rescale each input's --input-weights to mass one (default: used as given, and a total other than one is an error)",
    };

    /// <inheritdoc/>
    public BarycenterOutcome Run(BarycenterInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var size = input.Parse.GetValue<int?>(SizeName) ?? throw new UsageException($"--method free needs {SizeName} K (the number of barycenter points).");
        if (size < 1)
        {
            throw new UsageException($"{SizeName} must be at least 1 (got {size}).");
        }

        var clouds = input.LoadClouds();
        var d = clouds[0].Dimension;
        for (var k = 1; k < clouds.Count; k++)
        {
            if (clouds[k].Dimension != d)
            {
                throw new UsageException($"--inputs: input {k + 1} ({input.Inputs[k]}) has dimension {clouds[k].Dimension}, input 1 has {d}; every point cloud needs the same dimension.");
            }
        }

        var entropic = input.Get<string>(InnerName) == "entropic";
        var given = input.Parse.GetValue<double?>(HistogramBarycenterMethod.EpsilonName);
        var relativeFlag = input.Get<bool>(HistogramBarycenterMethod.RelativeName);
        if (!entropic && (given is not null || relativeFlag))
        {
            throw new UsageException($"{HistogramBarycenterMethod.EpsilonName} and {HistogramBarycenterMethod.RelativeName} apply to --inner entropic only.");
        }

        if (given is null && relativeFlag)
        {
            throw new UsageException($"{HistogramBarycenterMethod.RelativeName} needs {HistogramBarycenterMethod.EpsilonName}.");
        }

        var factor = given ?? HistogramBarycenterMethod.DefaultRelativeEpsilon;
        if (!(factor > 0) || !double.IsFinite(factor))
        {
            throw new UsageException($"{HistogramBarycenterMethod.EpsilonName} must be a positive number (got {factor.ToString(CultureInfo.InvariantCulture)}).");
        }

        var relative = given is null || relativeFlag;
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

        double[]? init = null;
        var initSpec = input.Parse.GetValue<string?>(InitName);
        if (initSpec is not null)
        {
            var start = DataFiles.LoadPoints(initSpec, null, DataLoadOptions.Default, InitName.TrimStart('-')).Cloud;
            if (start.Count != size || start.Dimension != d)
            {
                throw new UsageException($"{InitName} {initSpec}: {start.Count} × {start.Dimension} points, expected {size} × {d} ({SizeName} × the inputs' dimension).");
            }

            init = start.Data.ToArray();
        }

        var solver = new FreeSupportBarycenter
        {
            Inner = entropic ? FreeSupportInnerSolver.Entropic : FreeSupportInnerSolver.Exact,
            MaxIterations = iterations,
            Threshold = threshold,
            Seed = input.Get<int>(SeedName),
        };
        if (entropic)
        {
            solver = solver with { Entropic = solver.Entropic with { Epsilon = factor, EpsilonRelativeTo = relative ? EpsilonReference.MeanCost : EpsilonReference.Absolute } };
        }

        var result = solver.Solve(clouds, size, input.Weights, initialPoints: init, cancellationToken: input.Context.Cancellation);
        if (result.Convergence.Status == SolverStatus.Cancelled)
        {
            throw new OperationCanceledException(input.Context.Cancellation);
        }

        var points = result.Points.ToArray();
        var summary = new JsonObject
        {
            ["objective"] = JsonOutput.Number(result.Objective),
            ["objective_kind"] = "sum_k w_k W2^2(barycenter, input k), exact (network simplex) at the returned points",
            ["values"] = new JsonArray(result.Values.Select(v => JsonOutput.Number(v)).ToArray()),
            ["size"] = size,
            ["dimension"] = d,
            ["input_sizes"] = new JsonArray(clouds.Select(c => (JsonNode?)JsonValue.Create(c.Count)).ToArray()),
            ["inner"] = entropic ? "entropic" : "exact",
            ["epsilon"] = entropic ? JsonOutput.Number(factor) : null,
            ["epsilon_relative_to"] = entropic ? (relative ? "mean cost of each inner problem" : "absolute") : null,
            ["start"] = initSpec ?? $"K atoms of the inputs (seed {solver.Seed})",
            ["converged"] = result.Converged,
            ["status"] = result.Convergence.Status.ToString(),
            ["iterations"] = result.Convergence.Iterations,
            ["final_error"] = JsonOutput.Number(result.Convergence.FinalError),
            ["threshold"] = JsonOutput.Number(threshold),
        };
        return new BarycenterOutcome(summary, result.Convergence, new NumericArray(points, size, d))
        {
            Plot = () => Draw(clouds, points, d, $"free-support barycenter of {clouds.Count} inputs, K = {size}, objective {result.Objective.ToString("G4", CultureInfo.InvariantCulture)}"),
        };
    }

    /// <summary>The inputs (small, translucent, one color each) and the barycenter (large, black); d &gt; 2 on two principal axes.</summary>
    private static Plot Draw(IReadOnlyList<PointCloud<double>> clouds, double[] barycenter, int d, string title)
    {
        string[] palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"];
        var sets = clouds.Select(c => c.Data.ToArray()).Append(barycenter).ToArray();
        var projection = Projection.Fit(d, sets);
        var plot = PlotTheme.Create(title);
        for (var s = 0; s < clouds.Count; s++)
        {
            var (x, y) = projection.Apply(sets[s]);
            if (d == 1)
            {
                Array.Fill(y, s + 1.0);
            }

            var markers = plot.Add.Markers(x, y, MarkerShape.FilledCircle, clouds[s].Count > 2000 ? 3 : 5, Color.FromHex(palette[s % palette.Length]).WithAlpha(0.45));
            markers.LegendText = string.Create(CultureInfo.InvariantCulture, $"input {s + 1} ({clouds[s].Count} points)");
        }

        var (bx, by) = projection.Apply(barycenter);
        var bary = plot.Add.Markers(bx, by, MarkerShape.FilledDiamond, 9, Colors.Black);
        bary.LegendText = string.Create(CultureInfo.InvariantCulture, $"barycenter ({bx.Length} points)");
        plot.ShowLegend();
        plot.XLabel(projection.XLabel);
        plot.YLabel(d == 1 ? "input (barycenter at 0)" : projection.YLabel);
        return plot;
    }
}
