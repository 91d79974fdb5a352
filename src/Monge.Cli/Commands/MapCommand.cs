using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Commands.Map;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Cli.Reporting;
using Monge.IO;
using Monge.Solvers.Entropic;
using Monge.Tools.Maps;

namespace Monge.Cli.Commands;

/// <summary>
/// <c>monge map fit</c> (estimate a transport map from samples and save it as a versioned .npz), <c>monge map
/// apply</c> (map new points with a saved map) and <c>monge map gap</c> (the Monge gap of a saved map on samples,
/// Uscidda and Cuturi 2023). Methods: entropic (one Sinkhorn solve) and progot; costs: sqeuclidean and the elastic costs
/// (docs/maps.md).
/// </summary>
public static class MapCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var command = new Command("map", "Fit a transport map on samples and apply it to new points (docs/maps.md).");
        command.Subcommands.Add(CreateFit(context));
        command.Subcommands.Add(CreateApply(context));
        command.Subcommands.Add(CreateGap(context));
        return command;
    }

    private static Command CreateFit(CliContext context)
    {
        var source = new Option<string>("--source") { Description = "Source samples (FILE or FILE#KEY).", Required = true };
        var target = new Option<string>("--target") { Description = "Target samples, same dimension.", Required = true };
        var sourceWeights = new Option<string?>("--source-weights") { Description = "Source weights (default uniform)." };
        var targetWeights = new Option<string?>("--target-weights") { Description = "Target weights (default uniform; saved with the map)." };
        var method = new Option<string>("--method") { Description = "entropic (one Sinkhorn solve) or progot (Kassraie et al. 2024).", DefaultValueFactory = _ => EntropicMapMethod.Name };
        var cost = CostOptions.Create("Maps support sqeuclidean and the elastic costs elastic-l1:λ, elastic-stvs:λ, elastic-kovl:k[:λ].");
        var output = new Option<string>("--out") { Description = "The map file (.npz).", Required = true };
        var normalize = WeightOptions.Normalize();
        var overwrite = CommonOptions.Overwrite();
        var json = CommonOptions.Json();
        var strict = ConvergencePolicy.Strict();
        var o = new MapFitOptions();
        var methods = new MethodOptions([(EntropicMapMethod.Name, EntropicMapMethod.Options(o)), (ProgOTMapMethod.Name, ProgOTMapMethod.Options(o))]);
        var command = new Command("fit", "Fit a transport map from --source to --target and save it (.npz).") { source, target, sourceWeights, targetWeights, normalize, method, cost, output, overwrite, json, strict };
        methods.AddTo(command);
        command.SetAction(parse =>
        {
            var name = parse.GetValue(method)!;
            if (name is not (EntropicMapMethod.Name or ProgOTMapMethod.Name))
            {
                throw new UsageException($"--method '{name}': expected entropic or progot.");
            }

            methods.RejectForeign(parse, name);
            var outPath = parse.GetValue(output)!;
            if (!string.Equals(Path.GetExtension(outPath), ".npz", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--out {outPath}: a map is saved as .npz.");
            }

            DataFiles.CheckOutput(outPath, parse.GetValue(overwrite));
            var x = WeightOptions.Apply(SolveCommand.LoadCloud(parse.GetValue(source)!, parse.GetValue(sourceWeights), "--source"), parse.GetValue(normalize));
            var y = WeightOptions.Apply(SolveCommand.LoadCloud(parse.GetValue(target)!, parse.GetValue(targetWeights), "--target"), parse.GetValue(normalize));
            if (x.Dimension != y.Dimension)
            {
                throw new UsageException($"--source has dimension {x.Dimension} but --target has {y.Dimension}.");
            }

            if (!WeightOptions.SameMass(WeightOptions.Mass(x), WeightOptions.Mass(y)))
            {
                // A map is fitted from a balanced solve: name both masses and the flag, in command-line terms.
                throw WeightOptions.MassMismatch(x, y, null);
            }

            var groundCost = CostOptions.Parse(parse.GetValue(cost));
            var stopwatch = Stopwatch.StartNew();
            (ITransportMap Map, IReadOnlyList<Monge.Solvers.Convergence> Reports) fit;
            try
            {
                fit = name == EntropicMapMethod.Name
                    ? EntropicMapMethod.Fit(parse, o, x, y, groundCost, context.Cancellation)
                    : ProgOTMapMethod.Fit(parse, o, x, y, groundCost, context.Cancellation);
            }
            catch (UnsupportedCostException e)
            {
                throw new UsageException($"--cost {groundCost.Name}: the {name} map needs a translation-invariant cost ({e.Supported}).");
            }

            if (fit.Reports.Any(r => r.Status == Monge.Solvers.SolverStatus.Cancelled))
            {
                throw new OperationCanceledException(context.Cancellation);
            }

            TransportMapFile.Save(fit.Map, outPath, parse.GetValue(overwrite));
            var converged = fit.Reports.All(r => r.Converged);

            // The one exit policy of the solving verbs: the worst stage decides (a diverged solve exits 1, a budget stop
            // warns and exits 1 under --strict); the map is saved either way, and the summary says which solves stopped.
            var worst = ConvergencePolicy.Worst(fit.Reports.Select(r => r.Status));
            var worstReport = fit.Reports.FirstOrDefault(r => r.Status == worst);
            var stopped = fit.Reports.Count(r => !r.Converged);
            var what = string.Create(CultureInfo.InvariantCulture, $"{stopped} of {fit.Reports.Count} Sinkhorn solves of the {name} map fit (saved anyway)");
            var epsilons = fit.Map is ProgOTMap p ? p.Epsilons : [((EntropicMap)fit.Map).Epsilon];
            var isJson = parse.GetValue(json);
            var summary = new JsonObject
            {
                ["method"] = name,
                ["debiased"] = IsDebiased(fit.Map),
                ["ground_cost"] = groundCost.Name,
                ["epsilons"] = new JsonArray([.. epsilons.Select(e => (JsonNode?)JsonOutput.Number(e))]),
                ["iterations"] = new JsonArray([.. fit.Reports.Select(r => (JsonNode?)r.Iterations)]),
                ["statuses"] = new JsonArray([.. fit.Reports.Select(r => (JsonNode?)r.Status.ToString())]),
                ["converged"] = converged,
                ["n"] = x.Count,
                ["m"] = y.Count,
                ["dimension"] = x.Dimension,
                ["out"] = outPath,
                ["seconds"] = stopwatch.Elapsed.TotalSeconds,
            };
            var exitCode = ConvergencePolicy.Apply(context, summary, what, worst, worstReport, isJson, parse.GetValue(strict), "--max-iterations");
            if (isJson)
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} map ({groundCost.Name}, {epsilons.Count} stage(s), ε {string.Join(", ", epsilons.Select(e => e.ToString("G4", CultureInfo.InvariantCulture)))}) fitted on {x.Count} → {y.Count} points in {stopwatch.Elapsed.TotalSeconds:F2} s: {outPath}"));
            }

            return exitCode;
        });
        return command;
    }

    /// <summary>Whether the map's stages are debiased (Sinkhorn-divergence potentials).</summary>
    private static bool IsDebiased(ITransportMap map) => map switch
    {
        ProgOTMap p => p.Stages[0].IsDebiased,
        EntropicMap e => e.IsDebiased,
        _ => false,
    };

    private static Command CreateApply(CliContext context)
    {
        var mapPath = new Option<string>("--map") { Description = "A map file written by monge map fit (.npz).", Required = true };
        var points = new Option<string>("--points") { Description = "Points to map (FILE or FILE#KEY), same dimension as the map.", Required = true };
        var output = new Option<string>("--out") { Description = "Mapped points (.npy, .npz, .csv or .parquet).", Required = true };
        var plot = new Option<string?>("--plot") { Description = "Also draw the displacement field x → T(x) to this PNG." };
        var overwrite = CommonOptions.Overwrite();
        var json = CommonOptions.Json();
        var command = new Command("apply", "Map --points with a saved map and write the images.") { mapPath, points, output, plot, overwrite, json };
        command.SetAction(parse =>
        {
            var outPath = parse.GetValue(output)!;
            var force = parse.GetValue(overwrite);
            DataFiles.CheckOutput(outPath, force);
            var plotPath = parse.GetValue(plot);
            if (plotPath is not null && !string.Equals(Path.GetExtension(plotPath), ".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--plot {plotPath}: expected a .png file.");
            }

            var map = TransportMapFile.Load(parse.GetValue(mapPath)!);
            var z = SolveCommand.LoadCloud(parse.GetValue(points)!, null, "--points");
            if (z.Dimension != map.Dimension)
            {
                throw new UsageException($"--points has dimension {z.Dimension} but the map is of dimension {map.Dimension}.");
            }

            var stopwatch = Stopwatch.StartNew();
            var mapped = map.Apply(z);
            DataFiles.Save(outPath, new NumericArray(mapped.Data.ToArray(), mapped.Count, mapped.Dimension), force);
            if (plotPath is not null)
            {
                DisplacementPlot.Write(plotPath, z.Data.ToArray(), mapped.Data.ToArray(), z.Dimension, PlotSettings.Default with { Title = $"Displacement of the {(map is ProgOTMap ? "progot" : "entropic")} map ({map.Cost.Name})" }, force);
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, new JsonObject
                {
                    ["method"] = map is ProgOTMap ? "progot" : "entropic",
                    ["debiased"] = IsDebiased(map),
                    ["ground_cost"] = map.Cost.Name,
                    ["points"] = z.Count,
                    ["dimension"] = z.Dimension,
                    ["out"] = outPath,
                    ["seconds"] = stopwatch.Elapsed.TotalSeconds,
                });
            }
            else
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mapped {z.Count} points: {outPath}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateGap(CliContext context)
    {
        var mapPath = new Option<string>("--map") { Description = "A map file written by monge map fit (.npz).", Required = true };
        var points = new Option<string>("--points") { Description = "Samples x_i of the source measure (FILE or FILE#KEY), same dimension as the map.", Required = true };
        var weights = new Option<string?>("--weights") { Description = "Weights of --points (default uniform)." };
        var epsilon = new Option<double?>("--epsilon") { Description = "Absolute ε of the Sinkhorn solve between the points and their images (default 0.05·std C, OTT-JAX's)." };
        var threshold = new Option<double?>("--threshold") { Description = "L1 marginal threshold of the Sinkhorn solve (default the library's)." };
        var maxIterations = new Option<int?>("--max-iterations") { Description = "Iteration budget of the Sinkhorn solve (default the library's)." };
        var normalize = new Option<bool>(WeightOptions.NormalizeName) { Description = "Rescale --weights to total mass one (the gap is defined for a probability measure; other totals are refused)." };
        var debiased = new Option<bool>("--debiased") { Description = "Subtract the Sinkhorn divergence S_ε(μ, T♯μ) instead of W_ε(μ, T♯μ): the entropic bias cancels (a Monge map has a gap near 0 at any ε; the plain gap is off by about −W_ε(μ, μ))." };
        var strict = ConvergencePolicy.Strict();
        var json = CommonOptions.Json();
        var command = new Command("gap", "The Monge gap M(T) = Σ a_i c(x_i, T(x_i)) − W_ε(μ, T♯μ) of a saved map on --points (Uscidda and Cuturi 2023), in the map's cost; with --debiased, − S_ε(μ, T♯μ).") { mapPath, points, weights, normalize, epsilon, threshold, maxIterations, debiased, strict, json };
        command.SetAction(parse =>
        {
            var eps = parse.GetValue(epsilon);
            if (eps is { } e && !(e > 0 && double.IsFinite(e)))
            {
                throw new UsageException($"--epsilon {e.ToString(CultureInfo.InvariantCulture)}: expected a positive number.");
            }

            var thr = parse.GetValue(threshold);
            if (thr is { } t && !(t > 0 && double.IsFinite(t)))
            {
                throw new UsageException($"--threshold {t.ToString(CultureInfo.InvariantCulture)}: expected a positive number.");
            }

            var budget = parse.GetValue(maxIterations);
            if (budget is < 1)
            {
                throw new UsageException($"--max-iterations {budget}: expected at least 1.");
            }

            var map = TransportMapFile.Load(parse.GetValue(mapPath)!);
            var x = WeightOptions.Apply(SolveCommand.LoadCloud(parse.GetValue(points)!, parse.GetValue(weights), "--points"), parse.GetValue(normalize));
            if (!WeightOptions.SameMass(WeightOptions.Mass(x), 1))
            {
                // MongeGap works on a probability measure and would rescale the weights: refuse rather than rescale silently.
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--weights sum to {WeightOptions.Mass(x):G7}; the Monge gap is defined for weights of total mass one: pass {WeightOptions.NormalizeName} to rescale them."));
            }

            if (x.Dimension != map.Dimension)
            {
                throw new UsageException($"--points has dimension {x.Dimension} but the map is of dimension {map.Dimension}.");
            }

            var options = new Sinkhorn { Epsilon = eps };
            if (thr is { } threshold1)
            {
                options = options with { Threshold = threshold1 };
            }

            if (budget is { } iterations)
            {
                options = options with { MaxIterations = iterations };
            }

            var stopwatch = Stopwatch.StartNew();
            var gap = parse.GetValue(debiased)
                ? MongeGap.ComputeDebiased(map, x, null, options, context.Cancellation)
                : MongeGap.Compute(map, x, null, options, context.Cancellation);
            var jsonValue = parse.GetValue(json);
            var method = map is ProgOTMap ? "progot" : "entropic";
            var summary = new JsonObject
            {
                ["monge_gap"] = JsonOutput.Number(gap.Value),
                ["displacement_cost"] = JsonOutput.Number(gap.DisplacementCost),
                ["transport_cost"] = JsonOutput.Number(gap.TransportCost),
                ["debiased"] = gap.Debiased,
                ["epsilon"] = JsonOutput.Number(gap.Epsilon),
                ["iterations"] = gap.Convergence.Iterations,
                ["converged"] = gap.Convergence.Converged,
                ["method"] = method,
                ["ground_cost"] = map.Cost.Name,
                ["points"] = x.Count,
                ["dimension"] = x.Dimension,
                ["seconds"] = stopwatch.Elapsed.TotalSeconds,
            };
            var exitCode = ConvergencePolicy.Apply(context, summary, "sinkhorn (monge gap)", gap.Convergence.Status, gap.Convergence, jsonValue, parse.GetValue(strict), "--max-iterations");
            if (jsonValue)
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Monge gap {gap.Value:G6} ({method} map, {map.Cost.Name}; displacement {gap.DisplacementCost:G6} − {(gap.Debiased ? "Sinkhorn divergence" : "entropic transport")} {gap.TransportCost:G6}, ε {gap.Epsilon:G4}) on {x.Count} points"));
            }

            return exitCode;
        });
        return command;
    }
}
