namespace Monge.Solvers.Entropic;

/// <summary>
/// The over-relaxation parameter ω of one Sinkhorn run: fixed (<see cref="Sinkhorn.Momentum"/> given) or adaptive
/// (null), with the safeguard's rollbacks. Adaptive ω starts at 1 (plain Sinkhorn) and is raised from the observed
/// linear rate: near the solution over-relaxed Sinkhorn behaves as successive over-relaxation of a consistently ordered
/// two-block system (Lehmann, von Renesse, Sambale &amp; Uschmajew 2021; Thibault, Chizat, Dossal &amp; Papadakis 2021),
/// so an error ratio λ per iteration observed at ω gives the plain rate η through Young's relation
/// (λ + ω − 1)² = λ·ω²·η, and the optimal ω* = 2 / (1 + √(1 − η)), whose rate is ω* − 1.
/// </summary>
internal sealed class OverRelaxation
{
    /// <summary>The largest ω the adaptive rule chooses (rate ω − 1 = 0.95 per iteration at worst).</summary>
    public const double MaxOmega = 1.95;

    /// <summary>A check whose marginal error exceeds this multiple of the best error seen is rolled back (safeguard).</summary>
    public const double GrowthFactor = 10;

    /// <summary>After this many rollbacks ω is 1 for the rest of the run.</summary>
    public const int MaxRollbacks = 3;

    private readonly bool _adaptive;
    private double _cap;
    private double? _previousError;
    private bool _changedSincePrevious;

    /// <summary>Creates the controller.</summary>
    /// <param name="momentum">A fixed ω, or null for the adaptive rule.</param>
    public OverRelaxation(double? momentum)
    {
        _adaptive = momentum is null;
        Omega = momentum ?? 1;
        _cap = _adaptive ? MaxOmega : Omega;
    }

    /// <summary>The ω of the next iterations.</summary>
    public double Omega { get; private set; }

    /// <summary>How many times the safeguard rolled the run back.</summary>
    public int Rollbacks { get; private set; }

    /// <summary>
    /// Records the error of an accepted check, <paramref name="interval"/> iterations after the previous one, and (adaptive
    /// rule) raises ω towards ω* when the last interval ran entirely at the current ω after an interval that did too.
    /// </summary>
    public void Observe(double error, int interval)
    {
        if (_adaptive && !_changedSincePrevious && _previousError is { } previous && previous > 0 && error > 0 && error < previous && interval > 0)
        {
            var lambda = Math.Pow(error / previous, 1.0 / interval);
            var w = Omega;

            // In the complex regime (ω ≥ ω*) the rate is ω − 1; a ratio within 10 % of it says ω is already about optimal.
            if (lambda > 1.1 * (w - 1))
            {
                var eta = (lambda + w - 1) * (lambda + w - 1) / (lambda * w * w);
                if (eta < 1)
                {
                    var optimal = Math.Min(_cap, 2 / (1 + Math.Sqrt(1 - eta)));
                    if (optimal > w + 0.01)
                    {
                        Omega = optimal;
                        _previousError = error;
                        _changedSincePrevious = true;
                        return;
                    }
                }
            }
        }

        _changedSincePrevious = false;
        _previousError = error;
    }

    /// <summary>
    /// The safeguard rolled back: restart from ω with ω − 1 halved. A fixed ω never goes above that again; the adaptive
    /// rule may climb back to 0.1 below the ω that failed. ω = 1 after <see cref="MaxRollbacks"/>.
    /// </summary>
    public void RolledBack()
    {
        Rollbacks++;
        var restart = 1 + ((Omega - 1) / 2);
        _cap = Rollbacks >= MaxRollbacks ? 1 : (_adaptive ? Math.Max(restart, Omega - 0.1) : restart);
        if (_cap < 1.05)
        {
            _cap = 1;
        }

        Omega = Math.Min(restart, _cap) < 1.05 ? 1 : Math.Min(restart, _cap);
        _previousError = null;
        _changedSincePrevious = false;
    }
}
