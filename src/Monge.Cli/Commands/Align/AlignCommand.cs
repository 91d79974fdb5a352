using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Commands.Transfer;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Cli.Reporting;
using Monge.Geometry;
using Monge.IO;
using Monge.Solvers.Quadratic;
using Monge.Tools;

namespace Monge.Cli.Commands.Align;

/// <summary>
/// <c>monge align</c>: aligns two spatial slices (.h5ad) by low-rank fused Gromov–Wasserstein on the cells' spatial
/// coordinates and feature embeddings (<see cref="SliceAlignment"/>), then writes the source cells in the target's frame
/// (<c>--aligned-out</c>, warp or rigid Procrustes allowing reflections), transferred labels (<c>--transfer</c>, reusing
/// the label-transfer options of <c>monge solve</c>), a copy of the target .h5ad with the results (<c>--h5ad-out</c>) and
/// an overlay PNG (<c>--plot</c>).
/// </summary>
public static class AlignCommand
{
    /// <summary>Methods this build can run.</summary>
    public static IReadOnlyList<string> Available { get; } = ["frlc", "lowrank"];

    /// <summary>Methods the issue names that other parts of Monge will provide (refused with exit 2 until then).</summary>
    public static IReadOnlyList<string> Planned { get; } = ["fgw", "entropic"];

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var source = new Option<string>("--source") { Description = "Source slice (.h5ad).", Required = true };
        var target = new Option<string>("--target") { Description = "Target slice (.h5ad), aligned onto.", Required = true };
        var spatial = new Option<string>("--spatial") { Description = "Key of the spatial coordinates in both files.", DefaultValueFactory = _ => "obsm/spatial" };
        var features = new Option<string>("--features") { Description = "Key of the feature embedding fused with the spatial GW (for example an expression PCA), or 'none' for spatial GW only (then --alpha must be 1).", DefaultValueFactory = _ => "obsm/X_pca" };
        var alpha = new Option<double?>("--alpha") { Description = "Weight of the spatial GW term in (1 − α)·features + α·GW (POT's α, in [0, 1]; default 0.5 with features, 1 without). The feature cost is rescaled to the spatial cost's mean first." };
        var method = new Option<string>("--method") { Description = $"Solver: frlc (FRLC-GW, default) or lowrank (Scetbon et al. 2022); {string.Join(" and ", Planned)} are not in this build.", DefaultValueFactory = _ => "frlc" };
        var rank = new Option<int>("--rank") { Description = "Rank of the low-rank coupling (number of co-clusters).", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random initialisation.", DefaultValueFactory = _ => 0 };
        var maxIterations = new Option<int?>("--max-iterations") { Description = "Outer iteration budget (default: the solver's)." };
        var alignedOut = new Option<string?>("--aligned-out") { Description = "Write the source coordinates mapped into the target's frame (n × d; .npy, .npz, .csv or .parquet)." };
        var alignMode = new Option<string>("--align-mode") { Description = "warp: each source cell goes to its barycentric projection Σ_j P_ij y_j / Σ_j P_ij; affine: one rigid map (rotation or reflection plus translation) fitted to it by weighted Procrustes.", DefaultValueFactory = _ => "warp" }.AcceptOnlyFromAmongFluent("warp", "affine");
        var plot = new Option<string?>("--plot") { Description = "Write a PNG of the aligned source cells over the target cells." };
        var transfer = new TransferOptions(matching: false);
        var json = CommonOptions.Json();
        var strict = ConvergencePolicy.Strict();
        var overwrite = CommonOptions.Overwrite();
        var command = new Command("align", "Align two spatial slices (.h5ad) by low-rank fused Gromov–Wasserstein; map the source cells into the target's frame, transfer labels, plot the overlay.")
        {
            source, target, spatial, features, alpha, method, rank, seed, maxIterations, alignedOut, alignMode, plot, json, strict, overwrite,
        };
        transfer.AddTo(command);
        command.SetAction(parse =>
        {
            var methodName = parse.GetValue(method)!.ToLowerInvariant();
            if (Planned.Contains(methodName))
            {
                throw new UsageException($"--method {methodName} is not available in this build; available: {string.Join(", ", Available)}.");
            }

            if (!Available.Contains(methodName))
            {
                throw new UsageException($"--method {methodName}: unknown; available: {string.Join(", ", Available)}.");
            }

            var over = parse.GetValue(overwrite);
            var sourceSpec = parse.GetValue(source)!;
            var targetSpec = parse.GetValue(target)!;
            foreach (var (flag, path) in new[] { ("--source", sourceSpec), ("--target", targetSpec) })
            {
                if (!string.Equals(Path.GetExtension(DataFiles.SplitSpec(path).Path), ".h5ad", StringComparison.OrdinalIgnoreCase) || DataFiles.SplitSpec(path).Key is not null)
                {
                    throw new UsageException($"{flag} {path}: expected an .h5ad file (name the keys with --spatial and --features).");
                }
            }

            var featureKey = parse.GetValue(features)!;
            var useFeatures = !string.Equals(featureKey, "none", StringComparison.OrdinalIgnoreCase);
            var weight = parse.GetValue(alpha) ?? (useFeatures ? 0.5 : 1.0);
            if (!(weight >= 0 && weight <= 1))
            {
                throw new UsageException($"--alpha {weight.ToString(CultureInfo.InvariantCulture)}: must be in [0, 1].");
            }

            if (!useFeatures && weight < 1)
            {
                throw new UsageException("--alpha below 1 fuses a feature cost: give --features KEY (for example obsm/X_pca), or --alpha 1 with --features none.");
            }

            var r = parse.GetValue(rank);
            if (r < 1)
            {
                throw new UsageException($"--rank {r}: must be at least 1.");
            }

            var aligned = parse.GetValue(alignedOut);
            if (aligned is not null)
            {
                DataFiles.CheckOutput(aligned, over);
            }

            var plotPath = parse.GetValue(plot);
            if (plotPath is not null)
            {
                if (!string.Equals(Path.GetExtension(plotPath), ".png", StringComparison.OrdinalIgnoreCase))
                {
                    throw new UsageException($"--plot {plotPath}: expected a .png file.");
                }

                DataFiles.CheckNewFile(plotPath, over);
            }

            var transferRequest = transfer.Get(parse, targetSpec, over);
            var spatialKey = parse.GetValue(spatial)!;
            var x = DataFiles.LoadPoints($"{sourceSpec}#{spatialKey}", null, DataLoadOptions.Default, "--source");
            var y = DataFiles.LoadPoints($"{targetSpec}#{spatialKey}", null, DataLoadOptions.Default, "--target");
            if (x.Dimension != y.Dimension)
            {
                throw new UsageException($"--spatial {spatialKey}: the source has {x.Dimension} coordinates per cell but the target {y.Dimension}.");
            }

            PointCloud<double>? fx = null;
            PointCloud<double>? fy = null;
            if (useFeatures && weight < 1)
            {
                fx = DataFiles.LoadPoints($"{sourceSpec}#{featureKey}", null, DataLoadOptions.Default, "--source features").Cloud;
                fy = DataFiles.LoadPoints($"{targetSpec}#{featureKey}", null, DataLoadOptions.Default, "--target features").Cloud;
                if (fx.Count != x.Count || fy.Count != y.Count)
                {
                    throw new UsageException($"--features {featureKey}: {fx.Count} and {fy.Count} rows for {x.Count} and {y.Count} cells.");
                }

                if (fx.Dimension != fy.Dimension)
                {
                    throw new UsageException($"--features {featureKey}: dimension {fx.Dimension} in the source but {fy.Dimension} in the target.");
                }
            }

            transferRequest.Prepare(x);
            var mode = parse.GetValue(alignMode) == "affine" ? SliceAlignMode.Rigid : SliceAlignMode.Warp;
            var budget = parse.GetValue(maxIterations);
            var isJson = parse.GetValue(json);
            var stopwatch = Stopwatch.StartNew();
            var result = SolverProgressRenderer.Run(context, isJson, progress => methodName == "frlc"
                ? SliceAlignment.Align(x.Cloud, y.Cloud, fx, fy, weight, new FrlcGromov { Rank = r, Seed = parse.GetValue(seed), MaxIterations = budget ?? new FrlcGromov().MaxIterations }, mode, progress, context.Cancellation)
                : SliceAlignment.Align(x.Cloud, y.Cloud, fx, fy, weight, new LowRankGromov { Rank = r, Seed = parse.GetValue(seed), MaxIterations = budget ?? new LowRankGromov().MaxIterations }, mode, progress, context.Cancellation));
            var transport = result.Transport;
            var summary = new JsonObject
            {
                ["method"] = methodName,
                ["n"] = x.Count,
                ["m"] = y.Count,
                ["rank"] = r,
                ["alpha"] = weight,
                ["features"] = fx is null ? null : featureKey,
                ["cost"] = JsonOutput.Number(transport.Cost),
                ["gw_cost"] = JsonOutput.Number(transport.GromovCost),
                ["linear_cost"] = JsonOutput.Number(transport.LinearCost),
                ["cost_scale"] = JsonOutput.Number(transport.CostScale),
                ["feature_scale"] = JsonOutput.Number(result.FeatureScale),
                ["converged"] = transport.Convergence.Converged,
                ["iterations"] = transport.Convergence.Iterations,
                ["marginal_error"] = JsonOutput.Number(transport.MarginalError),
                ["align_mode"] = mode == SliceAlignMode.Rigid ? "affine" : "warp",
                ["rotation_degrees"] = JsonOutput.Number(result.RotationDegrees),
                ["reflection"] = result.Fit.IsReflection,
                ["procrustes_residual"] = JsonOutput.Number(result.Fit.Residual),
            };
            if (aligned is not null)
            {
                DataFiles.Save(aligned, new NumericArray(result.Aligned, x.Count, x.Dimension), over);
                summary["aligned_out"] = aligned;
            }

            transferRequest.Write(transport, x, y, null, summary, context, isJson);
            if (plotPath is not null)
            {
                SliceOverlayPlot.Write(plotPath, result.Aligned, y.Cloud.Data.ToArray(), PlotSettings.Default, over);
                summary["plot"] = plotPath;
            }

            summary["seconds"] = stopwatch.Elapsed.TotalSeconds;
            var exitCode = ConvergencePolicy.Apply(context, summary, $"{methodName} on the slice pair", transport.Convergence.Status, transport.Convergence, isJson, parse.GetValue(strict), "--max-iterations");
            if (isJson)
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                TextTables.Write(context.Error, TextTables.Summary("monge align", summary));
            }

            return exitCode;
        });
        return command;
    }
}
