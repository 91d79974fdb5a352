using System.CommandLine;
using Monge.Cli.Infrastructure;
using Monge.Problems;

namespace Monge.Cli.Commands.Solve;

/// <summary>
/// The marginal relaxation flags of <c>monge solve</c>, with one meaning for every method: <c>--tau-a/--tau-b</c> are
/// τ = ρ/(ρ+ε) ∈ (0, 1] (methods with an ε: sinkhorn, frlc), <c>--rho-a/--rho-b</c> are KL weights ρ ∈ (0, ∞]
/// (every method that relaxes marginals). Both read into one <see cref="Relaxation"/>; a flag a method cannot use, or
/// τ and ρ together, is a usage error (exit 2).
/// </summary>
public static class RelaxationOptions
{
    /// <summary>τ of the source marginal.</summary>
    public const string TauA = "--tau-a";

    /// <summary>τ of the target marginal.</summary>
    public const string TauB = "--tau-b";

    /// <summary>KL weight ρ of the source marginal.</summary>
    public const string RhoA = "--rho-a";

    /// <summary>KL weight ρ of the target marginal.</summary>
    public const string RhoB = "--rho-b";

    /// <summary>Creates the four flags for a method that declares them (sinkhorn, frlc).</summary>
    /// <returns>--tau-a, --tau-b, --rho-a, --rho-b.</returns>
    public static IEnumerable<Option> Create() =>
    [
        new Option<double?>(TauA) { Description = "Source relaxation τ_a = ρ/(ρ+ε) in (0, 1]; 1 = exact. Default: exact." },
        new Option<double?>(TauB) { Description = "Target relaxation τ_b in (0, 1]. Default: exact." },
        new Option<double?>(RhoA) { Description = "Source KL weight ρ_a in (0, ∞] (POT's reg_m); Infinity = exact. Default: exact." },
        new Option<double?>(RhoB) { Description = "Target KL weight ρ_b in (0, ∞]. Default: exact." },
    ];

    /// <summary>Reads the relaxation for <paramref name="method"/>; rejects flags it cannot use.</summary>
    /// <param name="input">The parsed input.</param>
    /// <param name="method">The method name (for messages).</param>
    /// <param name="acceptsTau">Whether the method has an ε (τ is meaningful).</param>
    /// <param name="acceptsRho">Whether the method relaxes marginals at all.</param>
    /// <returns>The relaxation (balanced when no flag is given).</returns>
    /// <exception cref="UsageException">A flag the method cannot use, or τ and ρ mixed.</exception>
    /// <exception cref="InputValidationException">τ or ρ out of range.</exception>
    public static Relaxation Read(SolveInput input, string method, bool acceptsTau, bool acceptsRho)
    {
        ArgumentNullException.ThrowIfNull(input);
        var tauA = input.Get<double?>(TauA);
        var tauB = input.Get<double?>(TauB);
        var rhoA = input.Get<double?>(RhoA);
        var rhoB = input.Get<double?>(RhoB);
        var hasTau = tauA is not null || tauB is not null;
        var hasRho = rhoA is not null || rhoB is not null;
        if (hasTau && !acceptsTau)
        {
            throw new UsageException($"--method {method} does not use {TauA}/{TauB} (τ needs an entropic ε){(acceptsRho ? $"; give the KL weights {RhoA}/{RhoB}" : string.Empty)}.");
        }

        if (hasRho && !acceptsRho)
        {
            throw new UsageException($"--method {method} solves balanced problems only; it does not use {RhoA}/{RhoB}.");
        }

        if (hasTau && hasRho)
        {
            throw new UsageException($"Give the relaxation either as τ ({TauA}/{TauB}) or as KL weights ({RhoA}/{RhoB}), not both.");
        }

        return hasRho
            ? Relaxation.FromRho(rhoA ?? double.PositiveInfinity, rhoB ?? double.PositiveInfinity)
            : Relaxation.FromTau(tauA ?? 1, tauB ?? 1);
    }
}
