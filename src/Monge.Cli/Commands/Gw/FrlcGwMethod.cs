using System.CommandLine;
using Monge.Cli.Infrastructure;
using Monge.Problems;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Commands.Gw;

/// <summary><c>monge gw --method frlc</c>: FRLC-GW/FGW (latent coupling) on factored costs, balanced or relaxed.</summary>
public sealed class FrlcGwMethod : IGwMethod
{
    private const string TauAName = "--tau-a";
    private const string TauBName = "--tau-b";
    private const string RhoAName = "--rho-a";
    private const string RhoBName = "--rho-b";

    /// <inheritdoc/>
    public string Name => "frlc";

    /// <inheritdoc/>
    public string Description => "FRLC-GW/FGW (latent low-rank coupling in linear memory; --rank, --tau-a/--tau-b or --rho-a/--rho-b)";

    /// <inheritdoc/>
    public IEnumerable<Option> CreateOptions() =>
    [
        new Option<double?>(TauAName) { Description = "source relaxation τ_a in (0, 1]; 1 = exact (default)" },
        new Option<double?>(TauBName) { Description = "target relaxation τ_b in (0, 1]; 1 = exact (default)" },
        new Option<double?>(RhoAName) { Description = "source KL weight ρ_a in (0, ∞] on the scaled objective, instead of --tau-a" },
        new Option<double?>(RhoBName) { Description = "target KL weight ρ_b in (0, ∞], instead of --tau-b" },
        .. GwLowRankSummary.CreateSharedOptions(new FrlcGromov().MaxIterations),
    ];

    /// <inheritdoc/>
    public Relaxation? GetRelaxation(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var (tauA, tauB) = (parse.GetValue<double?>(TauAName), parse.GetValue<double?>(TauBName));
        var (rhoA, rhoB) = (parse.GetValue<double?>(RhoAName), parse.GetValue<double?>(RhoBName));
        if ((tauA is not null || tauB is not null) && (rhoA is not null || rhoB is not null))
        {
            throw new UsageException("Give the relaxation either as τ (--tau-a/--tau-b) or as KL weights (--rho-a/--rho-b), not both.");
        }

        if (tauA is null && tauB is null && rhoA is null && rhoB is null)
        {
            return null;
        }

        return rhoA is not null || rhoB is not null
            ? Relaxation.FromRho(rhoA ?? double.PositiveInfinity, rhoB ?? double.PositiveInfinity)
            : Relaxation.FromTau(tauA ?? 1, tauB ?? 1);
    }

    /// <inheritdoc/>
    public GwOutcome Run(GwInput input) => GwLowRankSummary.Run(Name, input, new FrlcGromov().MaxIterations, s =>
        new FrlcGromov { Rank = s.Rank, Seed = s.Seed, ScaleCost = s.Scale, MaxIterations = s.MaxIterations }.Solve(input.Problem, input.Progress, input.Context.Cancellation));
}
