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
using Monge.Solvers;
using Monge.Solvers.LowRank;
using Monge.Solvers.Quadratic;
using Monge.Tools;

namespace Monge.Cli.Commands.Align;

/// <summary>
/// <c>monge align</c>: aligns two spatial slices (.h5ad) by fused Gromov–Wasserstein (low-rank frlc or lowrank; dense
/// conditional-gradient fgw or entropic up to <see cref="SliceAlignment.MaxDensePlanEntries"/>) on the cells' spatial
/// coordinates and feature embeddings (<see cref="SliceAlignment"/>), then writes the source cells in the target's frame
/// (<c>--aligned-out</c>, warp or rigid Procrustes allowing reflections), transferred labels (<c>--transfer</c>, reusing
/// the label-transfer options of <c>monge solve</c>), a copy of the target .h5ad with the results (<c>--h5ad-out</c>) and
/// an overlay PNG (<c>--plot</c>).
/// </summary>
public static class AlignCommand
{
    /// <summary>Methods this build can run.</summary>
    public static IReadOnlyList<string> Available { get; } = ["frlc", "lowrank", "fgw", "entropic"];

    private static readonly string[] LowRankMethods = ["frlc", "lowrank"];

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var source = new Option<string>("--source") { Description = "Source slice (.h5ad).", Required = true };
        var target = new Option<string>("--target") { Description = "Target slice (.h5ad), aligned onto.", Required = true };
        var spatial = new Option<string>("--spatial") { Description = "Key of the spatial coordinates in both files.", DefaultValueFactory = _ => "obsm/spatial" };
        var features = new Option<string>("--features") { Description = "Key of the feature embedding fused with the spatial GW (for example an expression PCA), or 'none' for spatial GW only (then --alpha must be 1).", DefaultValueFactory = _ => "obsm/X_pca" };
        var alpha = new Option<double?>("--alpha") { Description = "Weight of the spatial GW term in (1 − α)·features + α·GW (POT's α, in [0, 1]; default 0.5 with features, 1 without). The feature cost is rescaled to the spatial cost's mean first." };
        var method = new Option<string>("--method") { Description = "Solver: frlc (FRLC-GW, default; any size), lowrank (Scetbon et al. 2022), fgw (conditional-gradient FGW, dense n × m plan) or entropic (entropic FGW, dense plan); fgw and entropic refuse n·m above 2.5e7.", DefaultValueFactory = _ => "frlc" };
        var rank = new Option<int?>("--rank") { Description = "frlc, lowrank: rank of the low-rank coupling (number of co-clusters), default 20." };
        var seed = new Option<int?>("--seed") { Description = "frlc, lowrank: seed of the random initialisation, default 0." };
        var init = new Option<string>("--init") { Description = "frlc: initialisation: random (default; the FRLC reference's random factors) or kmeans (each slice clustered on its coordinates into --rank groups, the groups matched by a small fused GW: fewer iterations and a lower objective, but worse label transfer on the synthetic pair)." }.AcceptOnlyFromAmongFluent("kmeans", "random");
        var epsilon = new Option<double?>("--epsilon") { Description = "entropic: regularization ε relative to the unit-mean costs (the spatial cost divided by its mean, the feature cost by its square), default 0.01." };
        var maxIterations = new Option<int?>("--max-iterations") { Description = "Outer iteration budget (default: the solver's)." };
        var alignedOut = new Option<string?>("--aligned-out") { Description = "Write the source coordinates mapped into the target's frame (n × d; .npy, .npz, .csv or .parquet)." };
        var alignMode = new Option<string>("--align-mode") { Description = "warp: each source cell goes to its barycentric projection Σ_j P_ij y_j / Σ_j P_ij; affine: one rigid map (rotation or reflection plus translation) fitted to it by weighted Procrustes.", DefaultValueFactory = _ => "warp" }.AcceptOnlyFromAmongFluent("warp", "affine");
        var refine = new Option<bool>("--refine") { Description = "affine: refine the rigid fit by trimmed iterative closest points (each mapped source cell paired with its nearest target cell, the farthest 20% of pairs dropped, Procrustes refitted until it settles); a low-rank coupling's fit is off by a fraction of the co-cluster size, the refined one by about the cell spacing." };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG of the aligned source cells over the target cells." };
        var transfer = new TransferOptions(matching: false);
        var json = CommonOptions.Json();
        var strict = ConvergencePolicy.Strict();
        var overwrite = CommonOptions.Overwrite();
        var command = new Command("align", "Align two spatial slices (.h5ad) by fused Gromov–Wasserstein (low-rank or dense); map the source cells into the target's frame, transfer labels, plot the overlay.")
        {
            source, target, spatial, features, alpha, method, rank, seed, init, epsilon, maxIterations, alignedOut, alignMode, refine, plot, json, strict, overwrite,
        };
        transfer.AddTo(command);
        command.SetAction(parse =>
        {
            var methodName = parse.GetValue(method)!.ToLowerInvariant();
            if (!Available.Contains(methodName))
            {
                throw new UsageException($"--method {methodName}: unknown; available: {string.Join(", ", Available)}.");
            }

            var lowRank = LowRankMethods.Contains(methodName);
            foreach (var (flag, given) in new[] { ("--rank", parse.GetResult(rank) is { Implicit: false }), ("--seed", parse.GetResult(seed) is { Implicit: false }) })
            {
                if (given && !lowRank)
                {
                    throw new UsageException($"{flag} applies to --method frlc and lowrank, not {methodName}.");
                }
            }

            if (parse.GetResult(init) is { Implicit: false } && methodName != "frlc")
            {
                throw new UsageException($"--init applies to --method frlc, not {methodName}.");
            }

            if (parse.GetResult(epsilon) is { Implicit: false } && methodName != "entropic")
            {
                throw new UsageException($"--epsilon applies to --method entropic, not {methodName}.");
            }

            var eps = parse.GetValue(epsilon) ?? 0.01;
            if (!(eps > 0) || !double.IsFinite(eps))
            {
                throw new UsageException($"--epsilon {eps.ToString(CultureInfo.InvariantCulture)}: must be a positive number.");
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

            var r = parse.GetValue(rank) ?? 20;
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

            if (!lowRank && (long)x.Count * y.Count > SliceAlignment.MaxDensePlanEntries)
            {
                throw new UsageException($"--method {methodName} keeps a dense {x.Count} × {y.Count} plan ({(long)x.Count * y.Count:N0} entries, above the limit of {SliceAlignment.MaxDensePlanEntries:N0}); use --method frlc for slices this large.");
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
            var refined = parse.GetValue(refine);
            if (refined && mode != SliceAlignMode.Rigid)
            {
                throw new UsageException("--refine refines the rigid fit: it applies to --align-mode affine.");
            }

            if (refined && x.Dimension is < 2 or > 3)
            {
                throw new UsageException($"--refine: the coordinates under --spatial {spatialKey} have {x.Dimension} dimensions; the refinement takes 2 or 3.");
            }
            var budget = parse.GetValue(maxIterations);
            var isJson = parse.GetValue(json);
            var stopwatch = Stopwatch.StartNew();
            var seedValue = parse.GetValue(seed) ?? 0;
            var start = parse.GetValue(init) == "kmeans" ? LowRankInitialization.KMeans : LowRankInitialization.Random;
            var result = SolverProgressRenderer.Run(context, isJson, progress => methodName switch
            {
                "frlc" => SliceAlignment.Align(x.Cloud, y.Cloud, fx, fy, weight, new FrlcGromov { Rank = r, Seed = seedValue, Initialization = start, MaxIterations = budget ?? new FrlcGromov().MaxIterations }, mode, progress, context.Cancellation),
                "lowrank" => SliceAlignment.Align(x.Cloud, y.Cloud, fx, fy, weight, new LowRankGromov { Rank = r, Seed = seedValue, MaxIterations = budget ?? new LowRankGromov().MaxIterations }, mode, progress, context.Cancellation),
                "fgw" => SliceAlignment.Align(x.Cloud, y.Cloud, fx, fy, weight, new GromovWasserstein { MaxIterations = budget ?? new GromovWasserstein().MaxIterations }, mode, progress, context.Cancellation),
                _ => SliceAlignment.Align(x.Cloud, y.Cloud, fx, fy, weight, new EntropicGromovWasserstein { Epsilon = eps, MaxIterations = budget ?? new EntropicGromovWasserstein().MaxIterations }, mode, progress, context.Cancellation),
            });
            if (refined)
            {
                result = SliceAlignment.RefineRigid(result, x.Cloud, y.Cloud, cancellationToken: context.Cancellation);
            }

            var transport = result.Transport;
            var lowRankResult = transport as LowRankGromovResult;
            var summary = new JsonObject
            {
                ["method"] = methodName,
                ["n"] = x.Count,
                ["m"] = y.Count,
                ["rank"] = lowRank ? r : null,
                ["epsilon"] = methodName == "entropic" ? eps : null,
                ["alpha"] = weight,
                ["features"] = fx is null ? null : featureKey,
                ["cost"] = JsonOutput.Number(result.Cost),
                ["gw_cost"] = JsonOutput.Number(result.GromovCost),
                ["linear_cost"] = JsonOutput.Number(result.LinearCost),
                ["cost_scale"] = lowRankResult is null ? null : JsonOutput.Number(lowRankResult.CostScale),
                ["feature_scale"] = JsonOutput.Number(result.FeatureScale),
                ["converged"] = result.Convergence.Converged,
                ["iterations"] = result.Convergence.Iterations,
                ["marginal_error"] = JsonOutput.Number(lowRankResult?.MarginalError ?? MarginalError(transport, x.Cloud, y.Cloud)),
                ["align_mode"] = mode == SliceAlignMode.Rigid ? "affine" : "warp",
                ["refined"] = refined,
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
            var exitCode = ConvergencePolicy.Apply(context, summary, $"{methodName} on the slice pair", result.Convergence.Status, result.Convergence, isJson, parse.GetValue(strict), "--max-iterations");
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

    private static double MarginalError(ITransportPlan<double> plan, PointCloud<double> source, PointCloud<double> target)
    {
        var a = source.NormalizedWeights();
        var b = target.NormalizedWeights();
        var rows = plan.SourceMarginal;
        var cols = plan.TargetMarginal;
        return Enumerable.Range(0, a.Length).Sum(i => Math.Abs(rows[i] - a[i])) + Enumerable.Range(0, b.Length).Sum(j => Math.Abs(cols[j] - b[j]));
    }
}
