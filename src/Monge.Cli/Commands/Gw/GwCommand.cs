using System.CommandLine;
using System.Diagnostics;
using Monge.Cli.Infrastructure;
using Monge.Cli.Reporting;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Problems;

namespace Monge.Cli.Commands.Gw;

/// <summary>
/// <c>monge gw</c>: Gromov–Wasserstein and fused GW between two point sets in (possibly) different spaces, with the
/// intra-space squared Euclidean costs computed from each cloud, optionally fused (POT's α) with the squared Euclidean
/// cost between per-point features. Each method is one file in this folder (<see cref="IGwMethod"/>); methods of other
/// parts of Monge that are not in this build (cg, entropic) are refused with exit 2.
/// </summary>
public static class GwCommand
{
    /// <summary>The methods of this build.</summary>
    public static IReadOnlyList<IGwMethod> Methods { get; } = [new FrlcGwMethod(), new LowRankGwMethod()];

    /// <summary>Methods the issue names that this build does not have yet.</summary>
    public static IReadOnlyList<string> Planned { get; } = ["cg", "entropic"];

    private static readonly Option<int> SeedOption = new("--seed") { Description = "Seed of the random initialisation.", DefaultValueFactory = _ => 0 };
    private static readonly Option<string> ScaleOption = new("--scale-cost") { Description = "Divide the intra-space costs by their common mean (default), max or std, by a fixed positive number, or not at all (none); the feature cost by its square. Values are reported in the input's units.", DefaultValueFactory = _ => "mean" };

    /// <summary>The <c>--seed</c> value.</summary>
    /// <param name="parse">The parse result.</param>
    public static int Seed(ParseResult parse) => parse?.GetValue(SeedOption) ?? 0;

    /// <summary>The <c>--scale-cost</c> value.</summary>
    /// <param name="parse">The parse result.</param>
    /// <exception cref="UsageException">Not a statistic name or a positive number.</exception>
    public static CostScale Scale(ParseResult parse)
    {
        var text = parse?.GetValue(ScaleOption) ?? "mean";
        return CostScale.TryParse(text, out var scale) ? scale : throw new UsageException($"--scale-cost {text}: expected mean, max, std, none or a positive number.");
    }

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and cancellation.</param>
    public static Command Create(CliContext context)
    {
        var source = new Option<string>("--source") { Description = $"Source points (FILE or FILE#KEY; {DataFiles.InputTypes}).", Required = true };
        var target = new Option<string>("--target") { Description = "Target points (any dimension).", Required = true };
        var sourceWeights = new Option<string?>("--source-weights") { Description = "Source weights (default uniform)." };
        var targetWeights = new Option<string?>("--target-weights") { Description = "Target weights (default uniform)." };
        var sourceFeatures = new Option<string?>("--source-features") { Description = "Source features (n × f) fused through the squared Euclidean feature cost (FGW)." };
        var targetFeatures = new Option<string?>("--target-features") { Description = "Target features (m × f)." };
        var alpha = new Option<double?>("--alpha") { Description = "Fusion weight α of POT: (1 − α)⟨M, P⟩ + α·GW (default 0.5 with features; 1 without)." };
        var method = new Option<string>("--method") { Description = "Method: " + string.Join("; ", Methods.Select(m => $"{m.Name}: {m.Description}")) + $" ({string.Join(", ", Planned)}: not in this build).", DefaultValueFactory = _ => Methods[0].Name };
        var planOut = new Option<string?>("--plan-out") { Description = "Write the dense plan (small problems: at most 10^7 entries)." };
        var json = CommonOptions.Json();
        var strict = ConvergencePolicy.Strict();
        var overwrite = CommonOptions.Overwrite();
        var command = new Command("gw", "Gromov–Wasserstein / fused GW between two point sets (low-rank solvers in linear memory).")
        {
            source, target, sourceWeights, targetWeights, sourceFeatures, targetFeatures, alpha, method, SeedOption, ScaleOption, planOut, json, strict, overwrite,
        };
        var methodOptions = new MethodOptions(Methods.Select(m => (m.Name, (IEnumerable<Option>)m.Options)));
        methodOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var name = parse.GetValue(method)!;
            if (Planned.Contains(name))
            {
                throw new UsageException($"--method {name} is not available in this build; available: {string.Join(", ", Methods.Select(m => m.Name))}.");
            }

            var chosen = Methods.FirstOrDefault(m => m.Name == name) ?? throw new UsageException($"--method {name}: unknown; available: {string.Join(", ", Methods.Select(m => m.Name))}.");
            methodOptions.RejectForeign(parse, chosen.Name);
            var over = parse.GetValue(overwrite);
            var plan = parse.GetValue(planOut);
            if (plan is not null)
            {
                DataFiles.CheckOutput(plan, over);
            }

            var (fxSpec, fySpec) = (parse.GetValue(sourceFeatures), parse.GetValue(targetFeatures));
            if ((fxSpec is null) != (fySpec is null))
            {
                throw new UsageException("--source-features and --target-features go together.");
            }

            var weight = parse.GetValue(alpha);
            if (weight is { } w && !(w >= 0 && w <= 1))
            {
                throw new UsageException($"--alpha {w}: must be in [0, 1].");
            }

            if (fxSpec is null && weight is { } w1 && w1 != 1)
            {
                throw new UsageException("--alpha below 1 fuses a feature cost: give --source-features and --target-features.");
            }

            var x = SolveCommand.LoadCloud(parse.GetValue(source)!, parse.GetValue(sourceWeights), "--source");
            var y = SolveCommand.LoadCloud(parse.GetValue(target)!, parse.GetValue(targetWeights), "--target");
            CostGeometry<double>? linear = null;
            if (fxSpec is not null)
            {
                var fx = SolveCommand.LoadCloud(fxSpec, null, "--source-features");
                var fy = SolveCommand.LoadCloud(fySpec!, null, "--target-features");
                if (fx.Count != x.Count || fy.Count != y.Count || fx.Dimension != fy.Dimension)
                {
                    throw new UsageException($"--source-features/--target-features are {fx.Count} × {fx.Dimension} and {fy.Count} × {fy.Dimension} for {x.Count} and {y.Count} points.");
                }

                linear = PointCloudGeometry.Create(fx, fy, default(SquaredEuclidean<double>));
            }

            var problem = new QuadraticProblem<double>(
                PointCloudGeometry.Create(x, x, default(SquaredEuclidean<double>)),
                PointCloudGeometry.Create(y, y, default(SquaredEuclidean<double>)),
                x.NormalizedWeights(),
                y.NormalizedWeights(),
                linearGeometry: linear,
                alpha: linear is null ? null : weight ?? 0.5,
                symmetric: true);
            var isJson = parse.GetValue(json);
            var watch = Stopwatch.StartNew();
            var (summary, convergence, result) = SolverProgressRenderer.Run(context, isJson, progress => chosen.Run(parse, problem, progress, context.Cancellation));
            summary["n"] = x.Count;
            summary["m"] = y.Count;
            summary["seconds"] = watch.Elapsed.TotalSeconds;
            if (plan is not null)
            {
                Solve.SolveOutputs.CheckDensePlan(x.Count, y.Count);
                DataFiles.Save(plan, new NumericArray(result.ToDense(), x.Count, y.Count), over);
                summary["plan_out"] = plan;
            }

            var exitCode = ConvergencePolicy.Apply(context, summary, $"{chosen.Name} GW", convergence.Status, convergence, isJson, parse.GetValue(strict), "--lowrank-max-iterations");
            if (isJson)
            {
                JsonOutput.Write(context.Out, summary);
            }
            else
            {
                TextTables.Write(context.Error, TextTables.Summary("monge gw", summary));
            }

            return exitCode;
        });
        return command;
    }
}
