using System.CommandLine;
using System.Globalization;
using Monge.Cli.Infrastructure;
using Monge.Problems;

namespace Monge.Cli.Commands.Barycenter;

/// <summary><c>monge barycenter --method unbalanced</c>: the entropic barycenter with KL-relaxed marginals (POT's
/// <c>barycenter_unbalanced</c>): inputs of different masses are allowed, and mass is created or destroyed where moving it
/// costs more than ρ·KL.</summary>
public sealed class UnbalancedBarycenterMethod : HistogramBarycenterMethod
{
    /// <summary>The <c>--rho</c> option name.</summary>
    public const string RhoName = "--rho";

    /// <summary>The <c>--tau</c> option name.</summary>
    public const string TauName = "--tau";

    /// <inheritdoc/>
    public override string Name => "unbalanced";

    /// <inheritdoc/>
    public override string Description => "as fixed, with both marginals of every plan relaxed by ρ·KL (POT's barycenter_unbalanced, reg_m = ρ): --rho or --tau";

    /// <inheritdoc/>
    public override IEnumerable<Option> CreateOptions() =>
    [
        .. base.CreateOptions(),
        new Option<double?>(RhoName) { Description = "KL weight ρ of the marginal penalties ρ·KL(P_k1 ‖ a_k) + ρ·KL(P_kᵀ1 ‖ q) (POT's reg_m, in cost units); give this or --tau" },
        new Option<double?>(TauName) { Description = "the same relaxation as τ = ρ/(ρ + ε) in (0, 1); give this or --rho" },
    ];

    /// <inheritdoc/>
    protected override Relaxation GetRelaxation(BarycenterInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rho = input.Parse.GetValue<double?>(RhoName);
        var tau = input.Parse.GetValue<double?>(TauName);
        if ((rho is null) == (tau is null))
        {
            throw new UsageException($"--method unbalanced needs exactly one of {RhoName} (KL weight, POT's reg_m) and {TauName} (ρ/(ρ + ε)).");
        }

        if (rho is { } r)
        {
            if (!(r > 0) || double.IsNaN(r))
            {
                throw new UsageException($"{RhoName} must be positive (got {r.ToString(CultureInfo.InvariantCulture)}).");
            }

            return Relaxation.FromRho(r, r);
        }

        var t = tau!.Value;
        if (!(t > 0 && t < 1))
        {
            throw new UsageException($"{TauName} must lie in (0, 1) (got {t.ToString(CultureInfo.InvariantCulture)}); 1 is the balanced barycenter, --method fixed.");
        }

        return Relaxation.FromTau(t, t);
    }
}
