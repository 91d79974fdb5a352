using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Cli.Reporting;
using Monge.IO;
using Monge.Tools.Sorting;

namespace Monge.Cli.Commands;

/// <summary><c>monge softsort</c>: differentiable sort, ranks, quantiles, top-k mask or quantile normalization of a vector.</summary>
public static class SoftSortCommand
{
    /// <summary>The library's parameter names (<c>InputValidationException.ParamName</c>) and the flags that set them.</summary>
    private static readonly Dictionary<string, string> ParameterFlags = new(StringComparer.Ordinal)
    {
        ["values"] = "--input",
        ["k"] = "--k",
        ["levels"] = "--quantiles",
        ["width"] = "--quantile-width",
        ["targetValues"] = "--targets",
        ["targets"] = "--num-targets",
        ["weights"] = "--weights",
    };

    private static readonly string[] Operations = ["sort", "rank", "quantile", "topk", "normalize"];

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var input = new Option<string>("--input") { Description = "The values: a vector (n,) or (n, 1), FILE or FILE#KEY.", Required = true };
        var op = new Option<string>("--op") { Description = "sort | rank | quantile | topk | normalize.", Required = true }.AcceptOnlyFromAmongFluent(Operations);
        var output = new Option<string>("--out") { Description = "Output vector (.npy, .npz, .csv, .parquet).", Required = true };
        var epsilon = new Option<double?>("--epsilon") { Description = "ε on the squashed scale (inputs standardized, sigmoid into (0, 1), targets on [0, 1]); default 0.01." };
        var k = new Option<int?>("--k") { Description = "topk: the number of largest values the mask selects (1 ≤ k < n)." };
        var quantiles = new Option<double[]>("--quantiles") { Description = "quantile: levels in (0, 1), e.g. --quantiles 0.25 0.5 0.75.", AllowMultipleArgumentsPerToken = true };
        var width = new Option<double?>("--quantile-width") { Description = "quantile: the mass of each level's target (default min(gaps/2, 0.02, 1.5/n))." };
        var targets = new Option<string?>("--targets") { Description = "normalize: the target values, ascending (a vector file)." };
        var numTargets = new Option<int?>("--num-targets") { Description = "sort, rank: the number of transport targets m (default n); sort then returns m values." };
        var threshold = new Option<double?>("--threshold") { Description = "Sinkhorn's L1 marginal threshold (default 1e-6)." };
        var maxIterations = new Option<int?>("--max-iterations") { Description = "Sinkhorn's iteration budget (default 20000)." };
        var weightsOption = new Option<string?>("--weights") { Description = "sort, rank, quantile, normalize: positive input weights (a vector file, one per value, total mass one; other totals exit 2 unless --normalize-weights). Default uniform." };
        var normalizeWeights = new Option<bool>(WeightOptions.NormalizeName) { Description = "Rescale --weights to total mass one (the operators act on a probability measure)." };
        var plot = new Option<string?>("--plot") { Description = "rank, topk, normalize: also draw the outputs against the inputs at 10ε, ε and ε/10, with the hard answer for rank and topk (PNG)." };
        var json = CommonOptions.Json();
        var strict = ConvergencePolicy.Strict();
        var overwrite = CommonOptions.Overwrite();
        var command = new Command("softsort", "Differentiable sorting through 1-D entropic OT (Cuturi, Teboul and Vert 2019): soft sort, ranks, quantiles, top-k mask, quantile normalization.")
        {
            input, op, output, epsilon, k, quantiles, width, targets, numTargets, weightsOption, normalizeWeights, threshold, maxIterations, plot, json, strict, overwrite,
        };
        command.SetAction(parse =>
        {
            var operation = parse.GetValue(op)!;
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            foreach (var (option, flag, uses) in new (Option, string, string[])[]
            {
                (k, "--k", ["topk"]),
                (quantiles, "--quantiles", ["quantile"]),
                (width, "--quantile-width", ["quantile"]),
                (targets, "--targets", ["normalize"]),
                (numTargets, "--num-targets", ["sort", "rank"]),
                (plot, "--plot", ["rank", "topk", "normalize"]),
                (weightsOption, "--weights", ["sort", "rank", "quantile", "normalize"]),
                (normalizeWeights, WeightOptions.NormalizeName, ["sort", "rank", "quantile", "normalize"]),
            })
            {
                if (Given(option) && !uses.Contains(operation))
                {
                    throw new UsageException($"{flag} applies to --op {string.Join(" and ", uses)}, not {operation}.");
                }
            }

            var outPath = parse.GetValue(output)!;
            var over = parse.GetValue(overwrite);
            DataFiles.CheckOutput(outPath, over);
            var plotPath = parse.GetValue(plot);
            if (plotPath is not null && !over && File.Exists(plotPath))
            {
                throw new IOException($"{plotPath} exists; pass --overwrite to replace it.");
            }

            var values = DataFiles.LoadVector(parse.GetValue(input)!, DataLoadOptions.Default, "--input");
            var weights = LoadWeights(parse.GetValue(weightsOption), values.Length, parse.GetValue(normalizeWeights));
            var solver = SoftSortOptions.DefaultSolver;
            if (parse.GetValue(threshold) is { } t)
            {
                solver = solver with { Threshold = t };
            }

            if (parse.GetValue(maxIterations) is { } max)
            {
                solver = solver with { MaxIterations = max };
            }

            var options = new SoftSortOptions { Epsilon = parse.GetValue(epsilon) ?? 0.01, Solver = solver };
            var stopwatch = Stopwatch.StartNew();
            var normalizeTargets = operation == "normalize"
                ? DataFiles.LoadVector(parse.GetValue(targets) ?? throw new UsageException("--op normalize needs --targets (ascending target values)."), DataLoadOptions.Default, "--targets")
                : null;
            SoftSortResult Run(SoftSortOptions options) => operation switch
            {
                "sort" => SoftSort.Sort(values, parse.GetValue(numTargets), weights, options, context.Cancellation),
                "rank" => SoftSort.Rank(values, parse.GetValue(numTargets), weights, options, context.Cancellation),
                "topk" => SoftSort.TopKMask(values, parse.GetValue(k) ?? throw new UsageException("--op topk needs --k."), options, context.Cancellation),
                "quantile" => SoftSort.Quantiles(
                    values,
                    parse.GetValue(quantiles) is { Length: > 0 } levels ? levels : throw new UsageException("--op quantile needs --quantiles (levels in (0, 1))."),
                    parse.GetValue(width),
                    weights,
                    options,
                    context.Cancellation),
                _ => SoftSort.QuantileNormalize(values, normalizeTargets, default, weights, options, context.Cancellation),
            };
            SoftSortResult result;
            try
            {
                result = Run(options);
            }
            catch (InputValidationException ex) when (ex.ParamName is { } name && ParameterFlags.TryGetValue(name, out var flag))
            {
                // The library names its parameters (k, levels, values, ...); a user needs the flag that set them.
                var message = ex.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal);
                throw new UsageException($"{flag}: {message}", ex);
            }

            var seconds = stopwatch.Elapsed.TotalSeconds;
            DataFiles.Save(outPath, new NumericArray(result.Values, result.Values.Length), over);
            if (plotPath is not null)
            {
                var curves = new[] { 10.0, 1.0, 0.1 }.Select(f => f == 1.0 ? result : Run(options with { Epsilon = options.Epsilon * f })).Select(r => (r.Epsilon, r.Values)).ToList();
                double[]? hard = operation switch
                {
                    "rank" => HardRanks(values),
                    "topk" => HardRanks(values).Select(r => r >= values.Length - parse.GetValue(k)!.Value - 0.5 ? 1.0 : 0.0).ToArray(),
                    _ => null,
                };
                var what = operation switch { "rank" => "soft rank (0-based)", "topk" => $"soft top-{parse.GetValue(k)} mask", _ => "normalized value" };
                SoftSortPlot.Write(plotPath, values, curves, hard, what, PlotSettings.Default, over);
            }

            var summary = new JsonObject
            {
                ["op"] = operation,
                ["n"] = result.InputCount,
                ["targets"] = result.TargetCount,
                ["outputs"] = result.Values.Length,
                ["epsilon"] = JsonOutput.Number(result.Epsilon),
                ["converged"] = result.Converged,
                ["iterations"] = result.Convergence.Iterations,
                ["marginal_error"] = JsonOutput.Number(result.Convergence.FinalError),
                ["out"] = outPath,
                ["plot"] = plotPath,
                ["seconds"] = seconds,
            };
            var exitCode = ConvergencePolicy.Apply(context, summary, "sinkhorn", result.Convergence.Status, result.Convergence, parse.GetValue(json), parse.GetValue(strict), "--max-iterations");
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                context.Error.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"softsort {operation}: n = {result.InputCount}, {result.TargetCount} targets, ε = {result.Epsilon:G3}, {result.Convergence.Iterations} iterations ({result.Convergence.Status}); wrote {result.Values.Length} values to {outPath}"));
            }

            return exitCode;
        });
        return command;
    }

    /// <summary>
    /// The <c>--weights</c> vector, used as given: one positive entry per value and total mass one, or rescaled with
    /// <c>--normalize-weights</c> (empty when not given: uniform).
    /// </summary>
    private static double[] LoadWeights(string? path, int count, bool normalize)
    {
        if (path is null)
        {
            if (normalize)
            {
                throw new UsageException($"{WeightOptions.NormalizeName} needs --weights.");
            }

            return [];
        }

        var w = DataFiles.LoadVector(path, DataLoadOptions.Default, "--weights");
        if (w.Length != count)
        {
            throw new UsageException($"--weights {path}: {w.Length} entries for {count} values in --input.");
        }

        var total = 0.0;
        for (var i = 0; i < w.Length; i++)
        {
            if (!(w[i] > 0) || !double.IsFinite(w[i]))
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--weights {path}: entry {i} is {w[i]}; weights must be positive and finite (drop zero-weight values instead)."));
            }

            total += w[i];
        }

        if (normalize)
        {
            return Array.ConvertAll(w, v => v / total);
        }

        if (!WeightOptions.SameMass(total, 1))
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--weights {path} sum to {total:G7}; the soft operators act on weights of total mass one: pass {WeightOptions.NormalizeName} to rescale them."));
        }

        return w;
    }

    /// <summary>Zero-based ranks; tied values share their mean rank.</summary>
    private static double[] HardRanks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            for (var t = start; t <= end; t++)
            {
                ranks[order[t]] = (start + end) / 2.0;
            }

            start = end + 1;
        }

        return ranks;
    }
}
