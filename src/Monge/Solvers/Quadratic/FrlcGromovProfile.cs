using Monge.Tools;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// CPU seconds of the process (all threads) spent in each phase of <see cref="FrlcGromov"/>, for the benchmarks
/// (<c>gw-lowrank</c>): set <see cref="FrlcGromov.Profile"/>; one process-time read per phase change.
/// </summary>
internal sealed class FrlcGromovProfile
{
    private readonly double[] _seconds = new double[4];
    private TimeSpan _last;

    /// <summary>The phases.</summary>
    internal enum Phase
    {
        /// <summary>k-means or random factors, cluster matching.</summary>
        Initialization,

        /// <summary>Cost products, gradients, values, the best-iterate copy.</summary>
        Products,

        /// <summary>The Q and R projections (the mirror steps).</summary>
        Projections,

        /// <summary>The T step.</summary>
        Latent,
    }

    /// <summary>Outer iterations completed.</summary>
    public int Iterations { get; private set; }

    /// <summary>Sinkhorn sweeps of the Q and R projections.</summary>
    public long Sweeps { get; private set; }

    /// <summary>CPU seconds of a phase.</summary>
    public double Seconds(Phase phase) => _seconds[(int)phase];

    internal void Start() => _last = ProcessCpu.Now();

    internal void Lap(Phase phase, long sweeps = 0)
    {
        var now = ProcessCpu.Now();
        _seconds[(int)phase] += (now - _last).TotalSeconds;
        _last = now;
        Sweeps += sweeps;
    }

    internal void EndIteration() => Iterations++;
}
