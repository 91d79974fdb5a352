using Monge.Problems;
using Monge.Solvers;

namespace Monge.Tools.Barycenters;

/// <summary>The outcome of <see cref="FixedSupportBarycenter"/>: the barycenter's histogram and how it was reached.</summary>
public sealed class FixedSupportBarycenterResult
{
    private readonly double[] _barycenter;
    private readonly double[] _weights;
    private readonly double[] _costs;

    internal FixedSupportBarycenterResult(double[] barycenter, double[] weights, double[] costs, double cost, double epsilon, bool debiased, Relaxation relaxation, Convergence convergence)
    {
        _barycenter = barycenter;
        _weights = weights;
        _costs = costs;
        Cost = cost;
        Epsilon = epsilon;
        Debiased = debiased;
        Relaxation = relaxation;
        Convergence = convergence;
    }

    /// <summary>The barycenter q on the barycenter's support (length N); its mass is that of the inputs when balanced.</summary>
    public ReadOnlySpan<double> Barycenter => _barycenter;

    /// <summary>The weights w_k used (rescaled to sum one).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>⟨C_k, P_k⟩ of each input's final entropic plan (input marginal exact when balanced).</summary>
    public ReadOnlySpan<double> Costs => _costs;

    /// <summary>The objective Σ_k w_k ⟨C_k, P_k⟩: the transport part of the entropic objective (no entropy term).</summary>
    public double Cost { get; }

    /// <summary>The total mass of <see cref="Barycenter"/>.</summary>
    public double Mass => _barycenter.Sum();

    /// <summary>ε (plain-entropy convention, POT's <c>reg</c>).</summary>
    public double Epsilon { get; }

    /// <summary>Whether the barycenter was debiased.</summary>
    public bool Debiased { get; }

    /// <summary>The marginal relaxation (side a = inputs, side b = barycenter).</summary>
    public Relaxation Relaxation { get; }

    /// <summary>The report: iterations, the error trace (see <see cref="FixedSupportBarycenter"/>), status.</summary>
    public Convergence Convergence { get; }

    /// <summary>
    /// Whether the whole iteration ran in the kernel domain on a shared support (separable kernel or stabilized dense kernel,
    /// see <see cref="FixedSupportBarycenter.GridScaling"/>); false on the log-domain path, including a kernel run that
    /// switched to the log domain on underflow.
    /// </summary>
    public bool UsedKernelDomain { get; init; }

    /// <summary>How many times the stabilized dense path absorbed scalings into its log-potentials (0 on other paths).</summary>
    internal int Absorptions { get; init; }

    /// <summary>A copy of <see cref="Barycenter"/>.</summary>
    public double[] ToArray() => (double[])_barycenter.Clone();
}
