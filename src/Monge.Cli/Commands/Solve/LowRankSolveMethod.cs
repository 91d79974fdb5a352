using System.CommandLine;
using System.Text.Json.Nodes;

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
        ? "low-rank OT with latent coupling (FRLC; --rank, --relaxation, --tau, --tau-in, --clusters-out)"
        : "low-rank Sinkhorn (LOT, OTT defaults; --rank, --clusters-out)";

    /// <inheritdoc />
    public void AddOptions(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Add(command, new Option<int>("--rank") { Description = "Rank r of the low-rank coupling (frlc, lowrank-sinkhorn).", DefaultValueFactory = _ => 10 });
        Add(command, new Option<string>("--relaxation") { Description = "FRLC outer marginals: balanced, semi-left, semi-right or unbalanced.", DefaultValueFactory = _ => "balanced" });
        Add(command, new Option<double>("--tau") { Description = "FRLC: KL weight τ_out of the relaxed outer marginals.", DefaultValueFactory = _ => 50 });
        Add(command, new Option<double>("--tau-in") { Description = "FRLC: KL weight τ_in of the inner marginals.", DefaultValueFactory = _ => 50 });
        Add(command, new Option<int>("--seed") { Description = "Seed of the random initialisation (low-rank methods).", DefaultValueFactory = _ => 0 });
        Add(command, new Option<int?>("--lowrank-max-iterations") { Description = "Outer iteration budget of the low-rank methods (default: FRLC 200, LR-Sinkhorn 2000)." });
        Add(command, new Option<string?>("--clusters-out") { Description = "Low-rank methods: write co-cluster labels (columns side 0/1, cluster)." });
    }

    /// <inheritdoc />
    public JsonObject Run(SolveInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var options = new LowRankSolveOptions(
            Name,
            input.Get<int>("--rank"),
            input.Cost,
            input.Get<string>("--relaxation") ?? "balanced",
            input.Get<double>("--tau"),
            input.Get<double>("--tau-in"),
            input.Get<int>("--seed"),
            input.Get<int?>("--lowrank-max-iterations"),
            input.Get<string?>("--clusters-out"),
            input.Overwrite);
        return LowRankSolve.Summarize(options, input.Source, input.Target, input.Context, input.Progress, input.Details);
    }

    private static void Add(Command command, Option option)
    {
        if (!command.Options.Any(o => o.Name == option.Name))
        {
            command.Options.Add(option);
        }
    }
}
