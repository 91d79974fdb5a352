using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Problems;
using Monge.Solvers;
using Monge.Tools.Barycenters;

namespace Monge.Cli.Commands.Barycenter;

/// <summary>
/// The fixed-support methods of <c>monge barycenter</c> (<c>fixed</c>, <c>debiased</c>, <c>unbalanced</c>): each input is a
/// histogram over one shared support, given as points (<c>--support FILE</c>, N × d, cost <c>--cost</c>) or as a grid
/// (<c>--grid HxW</c>, axes <c>linspace(0, 1, n)</c> as POT's <c>convolutional_barycenter2d</c>, squared Euclidean,
/// applied axis by axis); the output is the barycenter's histogram ((N,) on a support, the grid's shape on a grid).
/// Solved by <see cref="FixedSupportBarycenter"/>.
/// </summary>
public abstract class HistogramBarycenterMethod : IBarycenterMethod
{
    /// <summary>The <c>--support</c> option name.</summary>
    public const string SupportName = "--support";

    /// <summary>The <c>--grid</c> option name.</summary>
    public const string GridName = "--grid";

    /// <summary>The <c>--epsilon</c> option name.</summary>
    public const string EpsilonName = "--epsilon";

    /// <summary>The <c>--relative-epsilon</c> option name.</summary>
    public const string RelativeName = "--relative-epsilon";

    /// <summary>The <c>--max-iterations</c> option name.</summary>
    public const string MaxIterationsName = "--max-iterations";

    /// <summary>The <c>--threshold</c> option name.</summary>
    public const string ThresholdName = "--threshold";

    /// <summary>The <c>--grid-scaling</c> option name.</summary>
    public const string GridScalingName = "--grid-scaling";

    /// <summary>The <c>--grid-scaling</c> values and the <see cref="GridScaling"/> each selects.</summary>
    public static readonly IReadOnlyList<(string Name, GridScaling Scaling)> GridScalings =
    [
        ("auto", GridScaling.Auto), ("log", GridScaling.LogDomain), ("kernel", GridScaling.KernelDomain),
    ];

    /// <summary>ε relative to the mean cost on the support when <c>--epsilon</c> is absent.</summary>
    public const double DefaultRelativeEpsilon = 0.01;

    /// <summary>The largest support size with a dense (precomputed) N × N cost; above it costs are recomputed per pass.</summary>
    public const long MaxDenseEntries = 25_000_000;

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract string Description { get; }

    /// <summary>Whether this method debiases.</summary>
    protected virtual bool Debiased => false;

    /// <inheritdoc/>
    public virtual IEnumerable<Option> CreateOptions() =>
    [
        new Option<string?>(SupportName) { Description = "the shared support: points N × d (FILE or FILE#KEY); each input is then a histogram of N entries" },
        new Option<string?>(GridName) { Description = "instead of --support, a grid HxW (or N, or AxBxC): axes linspace(0, 1, n) as POT's convolutional_barycenter2d, squared Euclidean cost applied axis by axis (never an N × N matrix); each input is an array of that shape (or a vector of its size)" },
        CostOptions.Create("With --support only (the grid is squared Euclidean)."),
        WeightOptions.Normalize(),
        new Option<double?>(EpsilonName) { Description = "entropic regularization ε (plain entropy, POT's reg; absolute, in cost units, unless --relative-epsilon); default 0.01 × the mean cost on the support" },
        new Option<bool>(RelativeName) { Description = "multiply --epsilon by the mean cost on the support (unit-free)" },
        new Option<int>(MaxIterationsName) { Description = "iteration budget, default 10000", DefaultValueFactory = _ => 10_000 },
        new Option<double>(ThresholdName) { Description = "stop when POT's error falls below this (balanced: Σ_j std_k of the plans' barycenter marginals; unbalanced: relative change of the barycenter), default 1e-6", DefaultValueFactory = _ => 1e-6 },
        GridScalingOption(),
    ];

    /// <summary>
    /// The <c>--grid-scaling</c> value: auto (absent) on a grid, refused with <c>--support</c> (the points path always takes the
    /// library's automatic choice: the stabilized dense kernel while one kernel per input fits, else the log domain).
    /// </summary>
    /// <exception cref="UsageException">Given with <c>--support</c>.</exception>
    private static GridScaling GetGridScaling(BarycenterInput input, bool onGrid)
    {
        var text = input.Parse.GetValue<string?>(GridScalingName);
        if (text is null)
        {
            return GridScaling.Auto;
        }

        if (!onGrid)
        {
            throw new UsageException($"{GridScalingName} applies to {GridName} only (with {SupportName} the domain is always chosen automatically: the stabilized dense kernel while one kernel per input fits, else the log domain).");
        }

        return GridScalings.First(s => s.Name == text).Scaling;
    }

    private static Option<string?> GridScalingOption()
    {
        var option = new Option<string?>(GridScalingName)
        {
            Description = "with --grid: auto (default: scalings with the separable kernel while its smallest entry is a normal double, else log domain), log (log-domain soft-min at any ε), kernel (scalings whatever ε; switches to the log domain if a scaling underflows)",
        };
        option.AcceptOnlyFromAmong(GridScalings.Select(s => s.Name).ToArray());
        return option;
    }

    /// <inheritdoc/>
    public BarycenterOutcome Run(BarycenterInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var support = HistogramSupport.Load(input.Parse.GetValue<string?>(SupportName), input.Parse.GetValue<string?>(GridName), input.Parse.GetValue<string>(CostOptions.Name) ?? CostOptions.Default);
        var normalize = input.Get<bool>(WeightOptions.NormalizeName);
        var histograms = input.Inputs.Select(spec => support.LoadHistogram(spec, normalize)).ToArray();
        var given = input.Parse.GetValue<double?>(EpsilonName);
        var relative = given is null || input.Get<bool>(RelativeName);
        if (given is null && input.Get<bool>(RelativeName))
        {
            throw new UsageException($"{RelativeName} needs {EpsilonName}.");
        }

        var factor = given ?? DefaultRelativeEpsilon;
        if (!(factor > 0) || !double.IsFinite(factor))
        {
            throw new UsageException($"{EpsilonName} must be a positive number (got {factor.ToString(CultureInfo.InvariantCulture)}).");
        }

        var meanCost = relative ? support.MeanCost() : double.NaN;
        var epsilon = relative ? factor * meanCost : factor;
        if (!(epsilon > 0))
        {
            throw new UsageException($"the mean cost on the support is {meanCost.ToString(CultureInfo.InvariantCulture)}, so a relative ε is 0; give an absolute {EpsilonName}.");
        }

        var iterations = input.Get<int>(MaxIterationsName);
        var threshold = input.Get<double>(ThresholdName);
        if (iterations < 1)
        {
            throw new UsageException($"{MaxIterationsName} must be at least 1 (got {iterations}).");
        }

        if (!(threshold >= 0) || !double.IsFinite(threshold))
        {
            throw new UsageException($"{ThresholdName} must be a non-negative number (got {threshold.ToString(CultureInfo.InvariantCulture)}).");
        }

        var relaxation = GetRelaxation(input);
        var scaling = GetGridScaling(input, support.IsGrid);
        var solver = new FixedSupportBarycenter
        {
            Epsilon = epsilon,
            MaxIterations = iterations,
            Threshold = threshold,
            Debiased = Debiased,
            Relaxation = relaxation,
            GridScaling = scaling,
        };
        FixedSupportBarycenterResult result;
        try
        {
            result = solver.Solve(support.Geometry, histograms, input.Weights, input.Progress, input.Context.Cancellation);
        }
        catch (InputValidationException ex) when (ex.Problem == InputProblem.MassMismatch)
        {
            // The library's message speaks of histograms; a user needs the flags (as monge solve's refusal does).
            var masses = string.Join(", ", histograms.Select(h => h.Sum().ToString("G6", CultureInfo.InvariantCulture)));
            throw new UsageException($"the inputs' masses differ ({masses}) and a balanced barycenter needs equal masses: give {WeightOptions.NormalizeName} to rescale each input to mass one, or --method unbalanced with --tau or --rho to relax the marginals.");
        }

        if (result.Convergence.Status == SolverStatus.Cancelled)
        {
            throw new OperationCanceledException(input.Context.Cancellation);
        }

        var barycenter = result.ToArray();
        var summary = new JsonObject
        {
            ["objective"] = JsonOutput.Number(result.Cost),
            ["objective_kind"] = "sum_k w_k <C, P_k> of the final entropic plans (transport part of the entropic objective, no entropy term)",
            ["costs"] = new JsonArray(result.Costs.ToArray().Select(c => JsonOutput.Number(c)).ToArray()),
            ["support"] = support.Describe(),
            ["n"] = barycenter.Length,
            ["epsilon"] = JsonOutput.Number(epsilon),
            ["relative_epsilon"] = relative ? JsonOutput.Number(factor) : null,
            ["mean_cost"] = relative ? JsonOutput.Number(meanCost) : null,
            ["entropy"] = "plain (POT's reg = epsilon)",
            ["debiased"] = Debiased,
            ["relaxation"] = relaxation.IsBalanced ? "balanced" : relaxation.ToString(),
            ["mass"] = JsonOutput.Number(result.Mass),
            ["normalized_inputs"] = normalize,
            ["converged"] = result.Convergence.Converged,
            ["status"] = result.Convergence.Status.ToString(),
            ["iterations"] = result.Convergence.Iterations,
            ["final_error"] = JsonOutput.Number(result.Convergence.FinalError),
            ["grid_scaling"] = support.IsGrid ? GridScalings.First(s => s.Scaling == scaling).Name : null,
            ["domain"] = result.UsedKernelDomain ? "kernel" : "log",
            ["threshold"] = JsonOutput.Number(threshold),
        };
        return new BarycenterOutcome(summary, result.Convergence, support.ToArray(barycenter))
        {
            Plot = support.CanPlot ? () => support.Plot(histograms, barycenter, $"{Name} barycenter of {histograms.Length} inputs, ε = {epsilon.ToString("G3", CultureInfo.InvariantCulture)}") : null,
        };
    }

    /// <summary>The relaxation this method's options ask for (balanced by default).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The relaxation.</returns>
    protected virtual Relaxation GetRelaxation(BarycenterInput input) => Relaxation.Balanced;
}
