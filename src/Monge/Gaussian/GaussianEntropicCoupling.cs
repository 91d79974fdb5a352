namespace Monge.Gaussian;

/// <summary>
/// The entropic optimal coupling between two Gaussians for the cost ‖x − y‖² and the regularizer
/// ε·KL(π ‖ μ₀ ⊗ μ₁): a Gaussian π = N([m₀; m₁], [[Σ₀, C], [Cᵀ, Σ₁]]). Computed by
/// <see cref="GaussianTransport.Entropic"/>.
/// </summary>
public sealed class GaussianEntropicCoupling
{
    private readonly double[] _crossCovariance;

    internal GaussianEntropicCoupling(double epsilon, double[] crossCovariance, double transportCost, double mutualInformation, GaussianMap entropicMap, GaussianMeasure source, GaussianMeasure target)
    {
        Epsilon = epsilon;
        _crossCovariance = crossCovariance;
        TransportCost = transportCost;
        MutualInformation = mutualInformation;
        EntropicMap = entropicMap;
        Source = source;
        Target = target;
    }

    /// <summary>ε, the regularization strength.</summary>
    public double Epsilon { get; }

    /// <summary>C = Cov(X₀, X₁), row-major d × d (not symmetric in general).</summary>
    public ReadOnlySpan<double> CrossCovariance => _crossCovariance;

    /// <summary>E_π ‖X₀ − X₁‖² = ‖m₀ − m₁‖² + tr Σ₀ + tr Σ₁ − 2 tr C.</summary>
    public double TransportCost { get; }

    /// <summary>KL(π ‖ μ₀ ⊗ μ₁) = ½ log(det Σ₀ det Σ₁ / det Γ), the mutual information of the coupling.</summary>
    public double MutualInformation { get; }

    /// <summary>The entropic OT value OT_ε = <see cref="TransportCost"/> + ε · <see cref="MutualInformation"/>.</summary>
    public double Cost => TransportCost + (Epsilon * MutualInformation);

    /// <summary>The entropic map x ↦ E_π[X₁ | X₀ = x] = m₁ + Cᵀ Σ₀⁻¹ (x − m₀).</summary>
    public GaussianMap EntropicMap { get; }

    /// <summary>The source Gaussian μ₀.</summary>
    public GaussianMeasure Source { get; }

    /// <summary>The target Gaussian μ₁.</summary>
    public GaussianMeasure Target { get; }

    /// <summary>The joint covariance Γ = [[Σ₀, C], [Cᵀ, Σ₁]], row-major 2d × 2d (allocates 4d² doubles).</summary>
    public double[] JointCovariance()
    {
        var d = Source.Dimension;
        var n = 2 * d;
        var gamma = new double[n * n];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                gamma[(i * n) + j] = Source.Covariance[(i * d) + j];
                gamma[((d + i) * n) + d + j] = Target.Covariance[(i * d) + j];
                gamma[(i * n) + d + j] = _crossCovariance[(i * d) + j];
                gamma[((d + j) * n) + i] = _crossCovariance[(i * d) + j];
            }
        }

        return gamma;
    }
}
