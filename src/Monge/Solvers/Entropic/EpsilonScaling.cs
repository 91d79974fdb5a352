namespace Monge.Solvers.Entropic;

/// <summary>
/// ε-scaling schedule (OTT-JAX <c>Epsilon(target, init, decay)</c>): at iteration t the solver uses
/// ε_t = max(<see cref="InitialMultiplier"/>·<see cref="Decay"/>^t, 1)·ε. Convergence is only checked once ε_t = ε.
/// Starting large and decaying geometrically makes small-ε solves much faster than a cold start (Schmitzer 2019;
/// Feydy et al. 2019). After a non-zero <see cref="Sinkhorn.Initializer"/> the solver starts the same decay lower
/// (<see cref="Sinkhorn.InitializedScalingStart"/>).
/// </summary>
/// <param name="InitialMultiplier">ε_0 / ε, at least 1.</param>
/// <param name="Decay">Factor per iteration, in (0, 1].</param>
public sealed record EpsilonScaling(double InitialMultiplier, double Decay)
{
    /// <summary>No scaling.</summary>
    public static EpsilonScaling None { get; } = new(1, 1);

    /// <summary>The multiplier at iteration <paramref name="iteration"/>.</summary>
    /// <param name="iteration">t ≥ 0.</param>
    public double MultiplierAt(int iteration) => Math.Max(InitialMultiplier * Math.Pow(Decay, iteration), 1);

    /// <summary>Number of iterations until ε_t reaches ε.</summary>
    public int WarmupIterations => InitialMultiplier <= 1 || Decay >= 1 ? 0 : (int)Math.Ceiling(Math.Log(InitialMultiplier) / -Math.Log(Decay));
}
