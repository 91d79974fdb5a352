using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;

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
    public void AddOptions(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        Add(command, new Option<int>("--rank") { Description = "Rank r of the low-rank coupling (frlc, lowrank-sinkhorn).", DefaultValueFactory = _ => 10 });
        RelaxationOptions.AddOptions(command);
        Add(command, new Option<double?>("--rho-in") { Description = "FRLC: KL weight ρ of the inner marginals g_Q, g_R (default 50, the reference's tau_in; Infinity keeps them fixed)." });
        Add(command, new Option<int>("--seed") { Description = "Seed of the random initialisation (low-rank methods).", DefaultValueFactory = _ => 0 });
        Add(command, new Option<int?>("--lowrank-max-iterations") { Description = "Outer iteration budget of the low-rank methods (default: FRLC 200, LR-Sinkhorn 2000)." });
        Add(command, new Option<string?>("--clusters-out") { Description = "Low-rank methods: write co-cluster labels (columns side 0/1, cluster)." });
    }

    /// <inheritdoc />
    public JsonObject Run(SolveInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var frlc = Name == "frlc";
        var relaxation = RelaxationOptions.Read(input, Name, acceptsTau: frlc, acceptsRho: frlc);
        var rhoIn = input.Get<double?>("--rho-in");
        if (rhoIn is not null && !frlc)
        {
            throw new UsageException($"--method {Name} does not use --rho-in.");
        }

        var options = new LowRankSolveOptions(
            Name,
            input.Get<int>("--rank"),
            input.Cost,
            relaxation,
            rhoIn ?? 50,
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
