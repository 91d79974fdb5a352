using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Geometry;

namespace Monge.Cli.Commands.Solve;

/// <summary>
/// <c>monge solve --method frlc</c> (FRLC, Halmos et al. 2024) and <c>--method lowrank-sinkhorn</c> (Scetbon et al.
/// 2021): low-rank couplings on any <c>--cost</c>: squared Euclidean and dot in factored form (linear memory), every
/// other cost online. The work is done by <see cref="LowRankSolve.Summarize"/>.
/// </summary>
public sealed class LowRankSolveMethod : ISolveMethod
{
    /// <summary>Creates the method for <paramref name="name"/> ("frlc" or "lowrank-sinkhorn").</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public LowRankSolveMethod(string name)
    {
        if (!LowRankSolve.Methods.Contains(name))
        {
            throw new ArgumentException($"Unknown low-rank method '{name}'.", nameof(name));
        }

        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Description => Name == "frlc"
        ? "low-rank OT with latent coupling (FRLC; --rank, --rho-a/--rho-b or --tau-a/--tau-b, --rho-in, --clusters-out)"
        : "low-rank Sinkhorn (LOT, OTT defaults; --rank, --clusters-out)";

    /// <inheritdoc />
    public IEnumerable<Option> CreateOptions()
    {
        var frlc = Name == "frlc";
        List<Option> options = [new Option<int>("--rank") { Description = "Rank r of the low-rank coupling.", DefaultValueFactory = _ => 10 }];
        if (frlc)
        {
            options.AddRange(RelaxationOptions.Create());
            options.Add(new Option<double?>("--rho-in") { Description = "KL weight ρ of the inner marginals g_Q, g_R on the cost divided by --scale-cost (default 50, the reference's tau_in; Infinity keeps them fixed)." });
        }

        options.Add(new Option<string>("--scale-cost") { Description = "Divide the cost by its mean (default), max or std, by a fixed positive number, or not at all (none) before solving; costs are reported in the input's units and the divisor as cost_scale.", DefaultValueFactory = _ => "mean" });
        options.Add(new Option<int>("--seed") { Description = "Seed of the random initialisation.", DefaultValueFactory = _ => 0 });
        options.Add(new Option<int?>("--lowrank-max-iterations") { Description = "Outer iteration budget (default: FRLC 200, LR-Sinkhorn 2000)." });
        options.Add(new Option<string?>("--clusters-out") { Description = "Write co-cluster labels (columns side 0/1, cluster)." });
        options.Add(SolveOutputs.PlanOut($"dense from the factors (at most 10^7 entries)"));
        options.Add(SolveOutputs.MapOut("from the factors, O((n + m)·r·d)"));
        return options;
    }

    /// <inheritdoc />
    public JsonObject Run(SolveInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var frlc = Name == "frlc";
        var relaxation = frlc ? RelaxationOptions.Read(input, Name, acceptsTau: true, acceptsRho: true) : null;
        var rhoIn = frlc ? input.Get<double?>("--rho-in") : null;
        var scaleText = input.Get<string>("--scale-cost");
        if (!CostScale.TryParse(scaleText, out var scaleCost))
        {
            throw new UsageException($"--scale-cost must be mean, max, std, none or a positive number (got '{scaleText}').");
        }

        var options = new LowRankSolveOptions(
            Name,
            input.Get<int>("--rank"),
            input.Cost,
            relaxation,
            rhoIn,
            input.Get<int>("--seed"),
            input.Get<int?>("--lowrank-max-iterations"),
            input.Get<string?>("--clusters-out"),
            input.Overwrite)
        {
            PlanOut = input.PlanOut,
            MapOut = input.Get<string?>(SolveOutputs.MapOutName),
            ScaleCost = scaleCost,
        };
        return LowRankSolve.Summarize(options, input.Source, input.Target, input.Context, input.Progress, input.Details);
    }
}
