using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;

namespace Monge.Cli.Commands;

/// <summary>
/// <c>monge plot pairs|trace|displacement|plan</c>: draws PNG pictures of inputs and results (matched pairs, a
/// convergence trace, a displacement field, a small plan as a heat map).
/// </summary>
public static class PlotCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("plot", "Draw PNG plots: matched pairs, convergence trace, displacement field, plan heat map.");
        command.Subcommands.Add(CreatePairs(context));
        command.Subcommands.Add(CreateTrace(context));
        command.Subcommands.Add(CreateDisplacement(context));
        command.Subcommands.Add(CreatePlan(context));
        command.Subcommands.Add(CreatePoints(context));
        return command;
    }

    private sealed class Shared
    {
        public Option<string> Out { get; } = new("--out", "-o") { Description = "The PNG file to write.", Required = true };

        public Option<int> Width { get; } = new("--width") { Description = "Image width in pixels.", DefaultValueFactory = _ => PlotSettings.Default.Width };

        public Option<int> Height { get; } = new("--height") { Description = "Image height in pixels.", DefaultValueFactory = _ => PlotSettings.Default.Height };

        public Option<string?> Title { get; } = new("--title") { Description = "Plot title (default: a summary of the data)." };

        public Option<int> Sample { get; } = new("--sample") { Description = "Most lines or arrows drawn (a seeded sample).", DefaultValueFactory = _ => PlotSettings.Default.MaxLines };

        public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the sample.", DefaultValueFactory = _ => 0 };

        public Option<bool> Overwrite { get; } = CommonOptions.Overwrite();

        public Option<bool> Json { get; } = CommonOptions.Json();

        private bool _sampled;

        public void AddTo(Command command, bool sampled)
        {
            _sampled = sampled;
            command.Options.Add(Out);
            command.Options.Add(Width);
            command.Options.Add(Height);
            command.Options.Add(Title);
            if (sampled)
            {
                command.Options.Add(Sample);
                command.Options.Add(Seed);
            }

            command.Options.Add(Overwrite);
            command.Options.Add(Json);
        }

        public PlotSettings Settings(ParseResult result)
        {
            var settings = new PlotSettings(result.GetValue(Width), result.GetValue(Height), result.GetValue(Title), _sampled ? result.GetValue(Sample) : PlotSettings.Default.MaxLines, _sampled ? result.GetValue(Seed) : 0);
            try
            {
                settings.Validate();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new UsageException(ex.Message.Split(" (Parameter", 2)[0]);
            }

            return settings;
        }

        public string CheckOut(ParseResult result)
        {
            var path = result.GetValue(Out)!;
            if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"{path}: plots are written as PNG; use a .png file name.");
            }

            DataFiles.CheckNewFile(path, result.GetValue(Overwrite));
            return path;
        }

        public int Done(CliContext context, ParseResult result, string kind, string path, PlotSettings settings, JsonObject details)
        {
            if (result.GetValue(Json))
            {
                details["plot"] = kind;
                details["out"] = path;
                details["width"] = settings.Width;
                details["height"] = settings.Height;
                details["bytes"] = new FileInfo(path).Length;
                JsonOutput.Write(context.Out, details);
            }
            else
            {
                context.Error.WriteLine($"wrote {kind} plot to {path} ({settings.Width} × {settings.Height})");
            }

            return ExitCodes.Ok;
        }
    }

    private static Command CreatePairs(CliContext context)
    {
        var shared = new Shared();
        var source = new Option<string>("--source", "-s") { Description = "Source points: FILE or FILE#KEY.", Required = true };
        var target = new Option<string>("--target", "-t") { Description = "Target points: FILE or FILE#KEY.", Required = true };
        var permutation = new Option<string?>("--permutation", "-p") { Description = "Vector: target row matched to each source row (negative = unmatched)." };
        var pairs = new Option<string?>("--pairs") { Description = "n × 2 array of (source row, target row) pairs (instead of --permutation)." };
        var command = new Command("pairs", "Source and target points with lines between a seeded sample of matched pairs (PCA for d > 2).")
        {
            source, target, permutation, pairs,
        };
        shared.AddTo(command, sampled: true);
        command.SetAction(result =>
        {
            var settings = shared.Settings(result);
            var path = shared.CheckOut(result);
            var (p, q) = (result.GetValue(permutation), result.GetValue(pairs));
            if ((p is null) == (q is null))
            {
                throw new UsageException("give exactly one of --permutation and --pairs.");
            }

            var x = DataFiles.LoadPoints(result.GetValue(source)!, null, DataLoadOptions.Default, "source");
            var y = DataFiles.LoadPoints(result.GetValue(target)!, null, DataLoadOptions.Default, "target");
            if (x.Dimension != y.Dimension)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"source has dimension {x.Dimension} but target {y.Dimension}.");
            }

            var list = p is not null
                ? MatchedPairsPlot.PairsFromAssignment(PlotInputs.LoadAssignment(p, x.Count, y.Count))
                : PlotInputs.LoadPairs(q!, x.Count, y.Count);
            MatchedPairsPlot.Write(path, x.Cloud.Data.ToArray(), y.Cloud.Data.ToArray(), x.Dimension, list, settings, result.GetValue(shared.Overwrite));
            return shared.Done(context, result, "pairs", path, settings, new JsonObject
            {
                ["pairs"] = list.Count,
                ["lines"] = Math.Min(list.Count, settings.MaxLines),
                ["dimension"] = x.Dimension,
                ["projection"] = x.Dimension > 2 ? "pca" : "none",
            });
        });
        return command;
    }

    private static Command CreateTrace(CliContext context)
    {
        var shared = new Shared();
        var trace = new Option<string>("--trace") { Description = "Vector of errors, one per check (FILE or FILE#KEY).", Required = true };
        var threshold = new Option<double>("--threshold") { Description = "Convergence threshold to draw (omit for none).", DefaultValueFactory = _ => double.NaN };
        var every = new Option<int>("--every") { Description = "Iterations between two trace entries.", DefaultValueFactory = _ => 1 };
        var label = new Option<string>("--label") { Description = "What the error measures (y axis).", DefaultValueFactory = _ => "error" };
        var command = new Command("trace", "Convergence trace: error against iteration on a log scale, with the threshold.")
        {
            trace, threshold, every, label,
        };
        shared.AddTo(command, sampled: false);
        command.SetAction(result =>
        {
            var settings = shared.Settings(result);
            var path = shared.CheckOut(result);
            if (result.GetValue(every) < 1)
            {
                throw new UsageException($"--every must be at least 1 (got {result.GetValue(every)}).");
            }

            var values = DataFiles.LoadVector(result.GetValue(trace)!, DataLoadOptions.Default, "trace");
            if (values.Length == 0)
            {
                throw new InputValidationException(InputProblem.Empty, $"trace {result.GetValue(trace)}: no values.");
            }

            ConvergencePlot.Write(path, values, result.GetValue(threshold), settings, result.GetValue(shared.Overwrite), result.GetValue(every), result.GetValue(label)!);
            return shared.Done(context, result, "trace", path, settings, new JsonObject
            {
                ["checks"] = values.Length,
                ["final_error"] = JsonOutput.Number(values[^1]),
            });
        });
        return command;
    }

    private static Command CreateDisplacement(CliContext context)
    {
        var shared = new Shared();
        var source = new Option<string>("--source", "-s") { Description = "Source points x: FILE or FILE#KEY.", Required = true };
        var mapped = new Option<string?>("--mapped") { Description = "Images T(x), one row per source point (for example a barycentric map)." };
        var target = new Option<string?>("--target", "-t") { Description = "Target points: drawn behind the arrows; with --permutation, the images are the matched targets." };
        var permutation = new Option<string?>("--permutation", "-p") { Description = "Vector: target row matched to each source row." };
        var command = new Command("displacement", "Displacement field: arrows from source points to their images, colored by length.")
        {
            source, mapped, target, permutation,
        };
        shared.AddTo(command, sampled: true);
        command.SetAction(result =>
        {
            var settings = shared.Settings(result);
            var path = shared.CheckOut(result);
            var x = DataFiles.LoadPoints(result.GetValue(source)!, null, DataLoadOptions.Default, "source");
            var xs = x.Cloud.Data.ToArray();
            double[] images;
            double[]? targetPoints = null;
            if (result.GetValue(mapped) is { } m)
            {
                if (result.GetValue(permutation) is not null)
                {
                    throw new UsageException("give either --mapped, or --target with --permutation, not both.");
                }

                if (result.GetValue(target) is { } shown)
                {
                    var y = DataFiles.LoadPoints(shown, null, DataLoadOptions.Default, "target");
                    if (y.Dimension != x.Dimension)
                    {
                        throw new InputValidationException(InputProblem.DimensionMismatch, $"source has dimension {x.Dimension} but target {y.Dimension}.");
                    }

                    targetPoints = y.Cloud.Data.ToArray();
                }

                var t = DataFiles.LoadPoints(m, null, DataLoadOptions.Default, "mapped");
                if (t.Count != x.Count || t.Dimension != x.Dimension)
                {
                    throw new InputValidationException(InputProblem.DimensionMismatch, $"mapped {m}: {t.Count} × {t.Dimension} points for {x.Count} × {x.Dimension} source points.");
                }

                images = t.Cloud.Data.ToArray();
            }
            else if (result.GetValue(target) is { } ts && result.GetValue(permutation) is { } ps)
            {
                var y = DataFiles.LoadPoints(ts, null, DataLoadOptions.Default, "target");
                if (y.Dimension != x.Dimension)
                {
                    throw new InputValidationException(InputProblem.DimensionMismatch, $"source has dimension {x.Dimension} but target {y.Dimension}.");
                }

                var assignment = PlotInputs.LoadAssignment(ps, x.Count, y.Count);
                if (Array.IndexOf(assignment, -1) is var k and >= 0)
                {
                    throw new InputValidationException(InputProblem.InvalidParameter, $"permutation {ps}: source row {k} is unmatched; a displacement needs an image for every point.", null, k);
                }

                var ys = y.Cloud.Data;
                targetPoints = ys.ToArray();
                images = new double[xs.Length];
                for (var i = 0; i < x.Count; i++)
                {
                    ys.Slice(assignment[i] * x.Dimension, x.Dimension).CopyTo(images.AsSpan(i * x.Dimension, x.Dimension));
                }
            }
            else
            {
                throw new UsageException("give --mapped, or --target with --permutation.");
            }

            DisplacementPlot.Write(path, xs, images, x.Dimension, settings, result.GetValue(shared.Overwrite), targetPoints);
            return shared.Done(context, result, "displacement", path, settings, new JsonObject
            {
                ["points"] = x.Count,
                ["targets"] = targetPoints is null ? 0 : targetPoints.Length / x.Dimension,
                ["arrows"] = Math.Min(x.Count, settings.MaxLines),
                ["dimension"] = x.Dimension,
            });
        });
        return command;
    }

    private static Command CreatePoints(CliContext context)
    {
        var shared = new Shared();
        var points = new Option<string>("--points") { Description = "Points: FILE or FILE#KEY (for example cells.h5ad#obsm/spatial; PCA for d > 2).", Required = true };
        var labels = new Option<string>("--labels") { Description = "One label per point, as for --transfer: FILE.h5ad#obs/COLUMN, FILE.csv#COLUMN, FILE.parquet#COLUMN or an integer .npy vector.", Required = true };
        var command = new Command("points", "Points colored by a label column (cell types, predicted labels), with a legend.") { points, labels };
        shared.AddTo(command, sampled: false);
        command.SetAction(result =>
        {
            var settings = shared.Settings(result);
            var path = shared.CheckOut(result);
            var x = DataFiles.LoadPoints(result.GetValue(points)!, null, DataLoadOptions.Default, "points");
            var values = Transfer.LabelSource.Read(result.GetValue(labels)!);
            if (values.Length != x.Count)
            {
                throw new UsageException($"--labels {result.GetValue(labels)}: {values.Length} labels for the {x.Count} points of {result.GetValue(points)}.");
            }

            var drawn = LabelledPointsPlot.Write(path, x.Cloud.Data.ToArray(), x.Dimension, values, settings, result.GetValue(shared.Overwrite));
            return shared.Done(context, result, "points", path, settings, new JsonObject
            {
                ["points"] = x.Count,
                ["labels"] = drawn.Labels,
                ["in_legend"] = drawn.InLegend,
                ["unlabelled"] = values.Count(v => v is null),
                ["projection"] = x.Dimension > 2 ? "pca" : "none",
            });
        });
        return command;
    }

    private static Command CreatePlan(CliContext context)
    {
        var shared = new Shared();
        var plan = new Option<string>("--plan") { Description = $"Dense plan n × m (at most {PlanHeatmapPlot.MaxSide} on a side): FILE or FILE#KEY; or a sparse plan of any size written by 'monge solve --plan-out FILE.npz --top-k K' (keys rows, cols, values, shape), drawn in bins.", Required = true };
        var log = new Option<bool>("--log") { Description = "Color by log10 of the mass (empty cells white); the default for a sparse .npz plan." };
        var linear = new Option<bool>("--linear") { Description = "Color by the mass itself (the default for a dense plan)." };
        var orderRows = new Option<bool>("--order-rows") { Description = "Order the rows by the column of their largest entry (argmax_j P[i, j]), so a map shows as a band." };
        var command = new Command("plan", "Heat map of a transport plan: a small dense plan cell by cell, a sparse top-k plan in bins.") { plan, log, linear, orderRows };
        shared.AddTo(command, sampled: false);
        command.SetAction(result =>
        {
            var settings = shared.Settings(result);
            var path = shared.CheckOut(result);
            var spec = result.GetValue(plan)!;
            if (result.GetValue(log) && result.GetValue(linear))
            {
                throw new UsageException("give at most one of --log and --linear.");
            }

            if (SparsePlanFile.TryLoad(spec) is { } sparse)
            {
                var useLog = !result.GetValue(linear);
                BinnedPlanHeatmap.Write(path, sparse.Entries, settings, useLog, result.GetValue(orderRows), sparse.What, result.GetValue(shared.Overwrite));
                return shared.Done(context, result, "plan", path, settings, new JsonObject
                {
                    ["rows"] = sparse.Entries.SourceCount,
                    ["columns"] = sparse.Entries.TargetCount,
                    ["entries"] = sparse.Entries.Values.Length,
                    ["scale"] = useLog ? "log10" : "linear",
                    ["ordered_rows"] = result.GetValue(orderRows),
                });
            }

            var array = DataFiles.Load(spec);
            if (array.Shape.Count != 2)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"plan {spec}: expected an n × m matrix, got shape {array.ShapeString()}.");
            }

            if (array.Rows > PlanHeatmapPlot.MaxSide || array.Columns > PlanHeatmapPlot.MaxSide)
            {
                throw new UsageException($"plan {spec}: a {array.Rows} × {array.Columns} plan is too large for a heat map (at most {PlanHeatmapPlot.MaxSide} on a side); use 'monge plot pairs' instead.");
            }

            var values = array.ToDoubleArray();
            var bad = Array.FindIndex(values, v => !double.IsFinite(v));
            if (bad >= 0)
            {
                throw new InputValidationException(InputProblem.NonFinite, $"plan {spec}: entry ({bad / array.Columns}, {bad % array.Columns}) is {values[bad]}.", null, bad / array.Columns);
            }

            if (result.GetValue(log) || result.GetValue(orderRows))
            {
                BinnedPlanHeatmap.Write(path, BinnedPlanHeatmap.FromDense(values, array.Rows, array.Columns), settings, result.GetValue(log), result.GetValue(orderRows), "Transport plan", result.GetValue(shared.Overwrite));
            }
            else
            {
                PlanHeatmapPlot.Write(path, values, array.Rows, array.Columns, settings, result.GetValue(shared.Overwrite));
            }

            return shared.Done(context, result, "plan", path, settings, new JsonObject
            {
                ["rows"] = array.Rows,
                ["columns"] = array.Columns,
                ["scale"] = result.GetValue(log) ? "log10" : "linear",
                ["ordered_rows"] = result.GetValue(orderRows),
            });
        });
        return command;
    }
}
