using Monge.Geometry;
using Monge.Numerics;
using static Monge.Numerics.DenseLinearAlgebra;

namespace Monge.Gaussian;

/// <summary>
/// The Schrödinger bridge between two Gaussians for the reference process dX = σ dB on [0, 1], in closed form
/// (Bunne, Hsieh, Cuturi, Krause, "The Schrödinger bridge between Gaussian measures has a closed form", AISTATS 2023).
/// </summary>
/// <remarks>
/// <para>The static bridge is the entropic OT coupling for the cost ‖x − y‖² with ε = 2σ² (<see cref="Coupling"/>),
/// π = N([m₀; m₁], [[Σ₀, C], [Cᵀ, Σ₁]]). The bridge has Gaussian marginals with mean μ_t = (1 − t) m₀ + t m₁ and
/// covariance Σ_t = (1 − t)² Σ₀ + t² Σ₁ + t(1 − t)(C + Cᵀ + σ² I); it solves dX_t = [S_tᵀ Σ_t⁻¹ (X_t − μ_t) + m₁ − m₀] dt
/// + σ dB_t with S_t = t(Σ₁ − Cᵀ) − (1 − t)(Σ₀ − C) − σ² t I, and X_t = (1 − t) X₀ + t X₁ + σ √(t(1 − t)) Z for
/// (X₀, X₁) ~ π and Z ~ N(0, I) independent.</para>
/// <para>Cost: O(d³) to build; each marginal or drift O(d³); sampling O(n d²). Memory O(d²) plus the samples.</para>
/// </remarks>
public sealed class GaussianSchrodingerBridge
{
    private readonly double[] _conditionalRoot;

    /// <summary>Builds the bridge between <paramref name="source"/> (t = 0) and <paramref name="target"/> (t = 1).</summary>
    /// <param name="source">N(m₀, Σ₀).</param>
    /// <param name="target">N(m₁, Σ₁), same dimension.</param>
    /// <param name="sigma">σ &gt; 0, the diffusion coefficient of the reference Brownian motion.</param>
    /// <exception cref="InputValidationException">The dimensions differ or σ is not positive and finite.</exception>
    public GaussianSchrodingerBridge(GaussianMeasure source, GaussianMeasure target, double sigma)
    {
        GaussianTransport.CheckPair(source, target);
        if (!(sigma > 0) || !double.IsFinite(sigma) || !double.IsFinite(2 * sigma * sigma) || 2 * sigma * sigma == 0)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"σ must be positive and finite with 2σ² representable (got {sigma}).", nameof(sigma));
        }

        Source = source;
        Target = target;
        Sigma = sigma;
        Coupling = GaussianTransport.Entropic(source, target, 2 * sigma * sigma);
        var d = source.Dimension;

        // Cov(X₁ | X₀) = Σ₁ − Cᵀ Σ₀⁻¹ C (positive semi-definite); its square root drives the coupling sampler.
        var c = Coupling.CrossCovariance;
        var conditional = Multiply(Multiply(Transpose(c, d), source.Inverse, d), c, d);
        for (var k = 0; k < conditional.Length; k++)
        {
            conditional[k] = target.Covariance[k] - conditional[k];
        }

        Symmetrize(conditional, d);
        _conditionalRoot = Function(conditional, d, v => Math.Sqrt(Math.Max(v, 0)));
    }

    /// <summary>The marginal at t = 0.</summary>
    public GaussianMeasure Source { get; }

    /// <summary>The marginal at t = 1.</summary>
    public GaussianMeasure Target { get; }

    /// <summary>σ, the diffusion coefficient of the reference process.</summary>
    public double Sigma { get; }

    /// <summary>The static bridge: the entropic OT coupling with ε = 2σ².</summary>
    public GaussianEntropicCoupling Coupling { get; }

    /// <summary>The mean μ_t = (1 − t) m₀ + t m₁.</summary>
    /// <param name="t">Time in [0, 1].</param>
    /// <exception cref="InputValidationException">t outside [0, 1].</exception>
    public double[] MarginalMean(double t)
    {
        CheckTime(t);
        var d = Source.Dimension;
        var mean = new double[d];
        for (var k = 0; k < d; k++)
        {
            mean[k] = ((1 - t) * Source.Mean[k]) + (t * Target.Mean[k]);
        }

        return mean;
    }

    /// <summary>The covariance Σ_t = (1 − t)² Σ₀ + t² Σ₁ + t(1 − t)(C + Cᵀ + σ² I), row-major d × d.</summary>
    /// <param name="t">Time in [0, 1].</param>
    /// <exception cref="InputValidationException">t outside [0, 1].</exception>
    public double[] MarginalCovariance(double t)
    {
        CheckTime(t);
        var d = Source.Dimension;
        var c = Coupling.CrossCovariance;
        var s2 = Sigma * Sigma;
        var cov = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                var k = (i * d) + j;
                var mixed = c[k] + c[(j * d) + i] + (i == j ? s2 : 0);
                cov[k] = ((1 - t) * (1 - t) * Source.Covariance[k]) + (t * t * Target.Covariance[k]) + (t * (1 - t) * mixed);
            }
        }

        Symmetrize(cov, d);
        return cov;
    }

    /// <summary>The marginal N(μ_t, Σ_t) of the bridge at time t.</summary>
    /// <param name="t">Time in [0, 1].</param>
    /// <exception cref="InputValidationException">t outside [0, 1].</exception>
    public GaussianMeasure Marginal(double t) => new(MarginalMean(t), MarginalCovariance(t));

    /// <summary>
    /// The drift at time t as an affine map x ↦ (m₁ − m₀) + S_tᵀ Σ_t⁻¹ (x − μ_t): <see cref="GaussianMap.SourceMean"/> is
    /// μ_t, <see cref="GaussianMap.TargetMean"/> is m₁ − m₀ and <see cref="GaussianMap.Matrix"/> is S_tᵀ Σ_t⁻¹.
    /// </summary>
    /// <param name="t">Time in [0, 1].</param>
    /// <exception cref="InputValidationException">t outside [0, 1].</exception>
    public GaussianMap Drift(double t)
    {
        var d = Source.Dimension;
        var st = DriftGain(t);
        var inverse = Function(MarginalCovariance(t), d, v => 1 / v);
        var matrix = Multiply(Transpose(st, d), inverse, d);
        var shift = new double[d];
        for (var k = 0; k < d; k++)
        {
            shift[k] = Target.Mean[k] - Source.Mean[k];
        }

        return new GaussianMap(matrix, MarginalMean(t), shift);
    }

    /// <summary>S_t = t(Σ₁ − Cᵀ) − (1 − t)(Σ₀ − C) − σ² t I, row-major d × d; it satisfies dΣ_t/dt = S_t + S_tᵀ + σ² I.</summary>
    /// <param name="t">Time in [0, 1].</param>
    /// <exception cref="InputValidationException">t outside [0, 1].</exception>
    public double[] DriftGain(double t)
    {
        CheckTime(t);
        var d = Source.Dimension;
        var c = Coupling.CrossCovariance;
        var s = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                var k = (i * d) + j;
                s[k] = (t * (Target.Covariance[k] - c[(j * d) + i])) - ((1 - t) * (Source.Covariance[k] - c[k])) - (i == j ? Sigma * Sigma * t : 0);
            }
        }

        return s;
    }

    /// <summary>Draws (X₀, X₁) ~ π: X₀ ~ μ₀ and X₁ | X₀ ~ N(m₁ + Cᵀ Σ₀⁻¹ (X₀ − m₀), Σ₁ − Cᵀ Σ₀⁻¹ C) (seeded; O(n d²)).</summary>
    /// <param name="count">Number of pairs (≥ 1).</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <returns>Two n × d clouds whose rows are paired.</returns>
    public (PointCloud<double> Start, PointCloud<double> End) SampleCoupling(int count, int seed)
    {
        var start = Source.Sample(count, seed);
        var d = Source.Dimension;
        var end = Coupling.EntropicMap.Apply(start);
        var data = end.Data.ToArray();
        var random = new Random(unchecked((seed * 31) + 17));
        var z = new double[d];
        var noise = new double[d];
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < d; k++)
            {
                z[k] = random.NextGaussian();
            }

            DenseLinearAlgebra.Apply(_conditionalRoot, d, z, noise);
            for (var k = 0; k < d; k++)
            {
                data[(i * d) + k] += noise[k];
            }
        }

        return (start, new PointCloud<double>(data, count, d));
    }

    /// <summary>Draws X_t = (1 − t) X₀ + t X₁ + σ √(t(1 − t)) Z with (X₀, X₁) ~ π (seeded; O(n d²)).</summary>
    /// <param name="t">Time in [0, 1].</param>
    /// <param name="count">Number of samples (≥ 1).</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <exception cref="InputValidationException">t outside [0, 1] or count below 1.</exception>
    public PointCloud<double> SampleMarginal(double t, int count, int seed)
    {
        CheckTime(t);
        var (start, end) = SampleCoupling(count, seed);
        var d = Source.Dimension;
        var random = new Random(unchecked((seed * 131) + 71));
        var scale = Sigma * Math.Sqrt(t * (1 - t));
        var data = new double[count * (long)d];
        for (var k = 0; k < data.Length; k++)
        {
            data[k] = ((1 - t) * start.Data[k]) + (t * end.Data[k]) + (scale * random.NextGaussian());
        }

        return new PointCloud<double>(data, count, d);
    }

    private static void CheckTime(double t)
    {
        if (!(t >= 0 && t <= 1))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The time must lie in [0, 1] (got {t}).", nameof(t));
        }
    }
}
