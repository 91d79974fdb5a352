using System.CommandLine;
using Monge.Cli.Infrastructure;
using Monge.Cli.Reporting;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers;

namespace Monge.Cli.Commands.Solve;

/// <summary>What every solve method receives: validated point clouds (with weights), the parse result and the context.</summary>
/// <param name="Source">Source points (weights attached when given).</param>
/// <param name="Target">Target points.</param>
/// <param name="Parse">The parse result, to read method-specific options.</param>
/// <param name="Context">Output writers and cancellation.</param>
/// <param name="Overwrite">Whether output files may be replaced.</param>
public sealed record SolveInput(PointCloud<double> Source, PointCloud<double> Target, ParseResult Parse, CliContext Context, bool Overwrite)
{
    /// <summary>The ground cost, parsed once from <c>--cost</c> by <see cref="CostOptions.Parse"/> (default squared Euclidean).</summary>
    public ICostFunction<double> Cost { get; init; } = new SquaredEuclidean<double>();

    /// <summary>Where the method reports progress (Spectre bars on a terminal; dropped under --json or when redirected).</summary>
    public IProgress<SolverProgress> Progress { get; init; } = SolverProgressRenderer.NullProgress.Instance;

    /// <summary>Filled by the method: convergence report and the source map, for plots and the report.</summary>
    public SolveDetails Details { get; init; } = new();

    /// <summary>Reads an option added by the method (looked up by name on the command).</summary>
    /// <typeparam name="TValue">The option type.</typeparam>
    /// <param name="name">The option name, for example "--epsilon".</param>
    public TValue? Get<TValue>(string name) => Parse.GetValue<TValue>(name);

    /// <summary>With <c>--top-k</c>, K: the command then writes <c>--plan-out</c> itself as top-k rows.</summary>
    public int? TopK { get; init; }

    /// <summary>The dense or method-specific <c>--plan-out</c> the method writes: null with <c>--top-k</c>.</summary>
    public string? PlanOut => TopK is null ? Get<string?>(SolveOutputs.PlanOutName) : null;
}
