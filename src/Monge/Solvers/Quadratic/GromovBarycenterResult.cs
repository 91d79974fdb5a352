namespace Monge.Solvers.Quadratic;

/// <summary>The result of <see cref="GromovBarycenter"/>: the barycenter's structure (and features), the plans and the objective.</summary>
public sealed class GromovBarycenterResult
{
    private readonly double[] _cost;
    private readonly double[]? _features;
    private readonly double[][] _plans;
    private readonly double[] _values;

    internal GromovBarycenterResult(int size, double[] cost, double[]? features, int dimension, double[][] plans, double[] values, double objective, Convergence convergence)
    {
        Size = size;
        _cost = cost;
        _features = features;
        FeatureDimension = features is null ? 0 : dimension;
        _plans = plans;
        _values = values;
        Objective = objective;
        Convergence = convergence;
    }

    /// <summary>N, the number of barycenter points.</summary>
    public int Size { get; }

    /// <summary>The structure matrix C (N × N, row-major).</summary>
    public ReadOnlySpan<double> Cost => _cost;

    /// <summary>The features X (N × d, row-major) of an FGW barycenter; empty for GW.</summary>
    public ReadOnlySpan<double> Features => _features;

    /// <summary>d, the feature dimension (0 for GW).</summary>
    public int FeatureDimension { get; }

    /// <summary>Σ_s λ_s (F)GW of the final plans (POT's convention, unregularized).</summary>
    public double Objective { get; }

    /// <summary>The (F)GW value of each input against the final barycenter.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>
    /// The plan of input s (dense, row-major): n_s × N for a GW barycenter (input first, as POT's
    /// <c>gromov_barycenters</c>), N × n_s for an FGW barycenter (barycenter first, as POT's <c>fgw_barycenters</c>).
    /// </summary>
    /// <param name="input">s.</param>
    /// <returns>The plan (shared, not copied).</returns>
    public ReadOnlySpan<double> Plan(int input) => _plans[input];

    /// <summary>Outer iterations, the trace of ‖C_{t+1} − C_t‖_F (max with the feature change for FGW), time.</summary>
    public Convergence Convergence { get; }

    /// <summary>Whether the outer loop met its threshold.</summary>
    public bool Converged => Convergence.Converged;
}
