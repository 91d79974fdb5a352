using Monge.Solvers;

namespace Monge.Tools.Barycenters;

/// <summary>The result of <see cref="FreeSupportBarycenter"/>: the K barycenter points, their weights, the objective and the convergence report.</summary>
public sealed class FreeSupportBarycenterResult
{
    private readonly double[] _points;
    private readonly double[] _weights;
    private readonly double[] _values;
    private readonly Func<int, double[]> _plan;

    internal FreeSupportBarycenterResult(double[] points, double[] weights, int dimension, double[] values, double objective, bool objectiveIsExact, Func<int, double[]> plan, Convergence convergence)
    {
        _points = points;
        _weights = weights;
        Dimension = dimension;
        Size = weights.Length;
        _values = values;
        Objective = objective;
        ObjectiveIsExact = objectiveIsExact;
        _plan = plan;
        Convergence = convergence;
    }

    /// <summary>K, the number of barycenter points.</summary>
    public int Size { get; }

    /// <summary>d, the dimension of the points.</summary>
    public int Dimension { get; }

    /// <summary>The barycenter's points X (K × d, row-major).</summary>
    public ReadOnlySpan<double> Points => _points;

    /// <summary>The barycenter's weights b (length K, sum one; fixed, not optimized).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>
    /// The objective Σ_s w_s W₂²(b·δ_X, μ_s) at <see cref="Points"/>, with the inputs' weights w_s normalized to sum one.
    /// Exact (network simplex) unless <see cref="ObjectiveIsExact"/> is false (entropic inner solves with
    /// <see cref="FreeSupportBarycenter.ExactObjective"/> off: then Σ_s w_s ⟨C_s, P_s^ε⟩).
    /// </summary>
    public double Objective { get; }

    /// <summary>Whether <see cref="Objective"/> and <see cref="Values"/> are exact squared 2-Wasserstein distances.</summary>
    public bool ObjectiveIsExact { get; }

    /// <summary>The value of each input against the final barycenter (W₂², or ⟨C_s, P_s^ε⟩ when not exact).</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>
    /// The plan between the barycenter and input s at the final points, dense K × n_s row-major (barycenter first, as
    /// POT): the exact plan, or the entropic plan with entropic inner solves. Allocates K·n_s doubles.
    /// </summary>
    /// <param name="input">s.</param>
    /// <returns>A new array.</returns>
    public double[] DensePlan(int input)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input, _values.Length);
        return _plan(input);
    }

    /// <summary>
    /// Outer iterations (location updates), the trace of the relative objective change |F_t − F_{t+1}| / F_{t+1}, the
    /// threshold and the time.
    /// </summary>
    public Convergence Convergence { get; }

    /// <summary>Whether the outer loop met its threshold.</summary>
    public bool Converged => Convergence.Converged;
}
