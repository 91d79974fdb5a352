namespace Monge.Tools.Barycenters;

/// <summary>The result of <see cref="OneDimensionalBarycenter"/>: the barycenter's atoms (sorted) and masses, and the objective.</summary>
public sealed class OneDimensionalBarycenterResult
{
    private readonly double[] _points;
    private readonly double[] _weights;
    private readonly double[] _values;

    internal OneDimensionalBarycenterResult(double[] points, double[] weights, double[] values, double objective)
    {
        _points = points;
        _weights = weights;
        _values = values;
        Objective = objective;
    }

    /// <summary>The atoms, in increasing order.</summary>
    public ReadOnlySpan<double> Points => _points;

    /// <summary>Their masses (sum one).</summary>
    public ReadOnlySpan<double> Weights => _weights;

    /// <summary>The number of atoms.</summary>
    public int Size => _points.Length;

    /// <summary>Σ_s w_s W₂²(barycenter, μ_s), exact (inputs' weights normalized to one).</summary>
    public double Objective { get; }

    /// <summary>W₂²(barycenter, μ_s) for each input.</summary>
    public IReadOnlyList<double> Values => _values;
}
