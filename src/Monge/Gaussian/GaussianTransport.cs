using static Monge.Numerics.DenseLinearAlgebra;

namespace Monge.Gaussian;

/// <summary>
/// Closed-form optimal transport between Gaussian measures for the squared Euclidean cost: the 2-Wasserstein
/// (Bures–Wasserstein) distance, the Monge map, the entropic OT coupling and value, and the Sinkhorn divergence.
/// </summary>
/// <remarks>
/// <para>W₂²(N(m₀,Σ₀), N(m₁,Σ₁)) = ‖m₀ − m₁‖² + tr Σ₀ + tr Σ₁ − 2 tr (Σ₀^{1/2} Σ₁ Σ₀^{1/2})^{1/2} and the Monge map
/// T(x) = m₁ + A (x − m₀), A = Σ₀^{-1/2} (Σ₀^{1/2} Σ₁ Σ₀^{1/2})^{1/2} Σ₀^{-1/2} (Dowson and Landau 1982; Olkin and
/// Pukelsheim 1982; Takatsu 2011).</para>
/// <para>Entropic OT with regularizer ε·KL(π ‖ μ₀ ⊗ μ₁) (Janati, Muzellec, Peyré, Cuturi, "Entropic optimal transport
/// between unbalanced Gaussian measures has a closed form", NeurIPS 2020; Mallasto, Gerolin, Minh, "Entropy-regularized
/// 2-Wasserstein distance between Gaussian measures", 2021; Bunne et al., AISTATS 2023): with σ² = ε/2,
/// D = (4 Σ₀^{1/2} Σ₁ Σ₀^{1/2} + σ⁴ I)^{1/2} and C = ½ (Σ₀^{1/2} D Σ₀^{-1/2} − σ² I). In terms of the eigenvalues μₖ
/// of Σ₀^{1/2} Σ₁ Σ₀^{1/2} the value is OT_ε = ‖m₀ − m₁‖² + tr Σ₀ + tr Σ₁ − Σₖ (√(4μₖ + σ⁴) − σ²)
/// + (ε/2) Σₖ log((√(4μₖ + σ⁴) + σ²) / (2σ²)), which this class evaluates directly (stable as ε → 0, where
/// OT_ε → W₂²).</para>
/// <para>Cost: a few d × d Jacobi eigen-decompositions and products, O(d³) time and O(d²) memory.</para>
/// </remarks>
public static class GaussianTransport
{
    /// <summary>W₂², the squared 2-Wasserstein (Bures–Wasserstein) distance between two Gaussians.</summary>
    /// <param name="source">N(m₀, Σ₀).</param>
    /// <param name="target">N(m₁, Σ₁), same dimension.</param>
    /// <exception cref="InputValidationException">The dimensions differ.</exception>
    public static double WassersteinSquared(GaussianMeasure source, GaussianMeasure target)
    {
        var (meanTerm, traces, values) = Spectrum(source, target);
        var cross = 0.0;
        foreach (var mu in values)
        {
            cross += Math.Sqrt(Math.Max(mu, 0));
        }

        return Math.Max(meanTerm + traces - (2 * cross), 0);
    }

    /// <summary>W₂, the 2-Wasserstein (Bures–Wasserstein) distance between two Gaussians.</summary>
    /// <param name="source">N(m₀, Σ₀).</param>
    /// <param name="target">N(m₁, Σ₁), same dimension.</param>
    /// <exception cref="InputValidationException">The dimensions differ.</exception>
    public static double Wasserstein(GaussianMeasure source, GaussianMeasure target) => Math.Sqrt(WassersteinSquared(source, target));

    /// <summary>The Monge (Brenier) map T(x) = m₁ + A (x − m₀), A = Σ₀^{-1/2} (Σ₀^{1/2} Σ₁ Σ₀^{1/2})^{1/2} Σ₀^{-1/2}.</summary>
    /// <param name="source">N(m₀, Σ₀).</param>
    /// <param name="target">N(m₁, Σ₁), same dimension.</param>
    /// <returns>The map; A is symmetric positive definite and A Σ₀ A = Σ₁.</returns>
    /// <exception cref="InputValidationException">The dimensions differ.</exception>
    public static GaussianMap MongeMap(GaussianMeasure source, GaussianMeasure target)
    {
        CheckPair(source, target);
        var d = source.Dimension;
        var middle = Function(Inner(source, target), d, v => Math.Sqrt(Math.Max(v, 0)));
        var a = Multiply(Multiply(source.InverseSquareRoot, middle, d), source.InverseSquareRoot, d);
        Symmetrize(a, d);
        return new GaussianMap(a, source.Mean.ToArray(), target.Mean.ToArray());
    }

    /// <summary>The entropic OT value OT_ε for the cost ‖x − y‖² and the regularizer ε·KL(π ‖ μ₀ ⊗ μ₁).</summary>
    /// <param name="source">N(m₀, Σ₀).</param>
    /// <param name="target">N(m₁, Σ₁), same dimension.</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <exception cref="InputValidationException">The dimensions differ or ε is not positive and finite.</exception>
    public static double EntropicCost(GaussianMeasure source, GaussianMeasure target, double epsilon)
    {
        CheckEpsilon(epsilon);
        var (meanTerm, traces, values) = Spectrum(source, target);
        var s2 = epsilon / 2;
        var s4 = s2 * s2;
        var cost = meanTerm + traces;
        foreach (var mu in values)
        {
            var root = Math.Sqrt((4 * Math.Max(mu, 0)) + s4);
            cost -= root - s2;
            cost += epsilon / 2 * Math.Log((root + s2) / (2 * s2));
        }

        return cost;
    }

    /// <summary>
    /// The debiased Sinkhorn divergence S_ε = OT_ε(μ₀, μ₁) − ½ OT_ε(μ₀, μ₀) − ½ OT_ε(μ₁, μ₁) (Janati et al. 2020);
    /// zero for equal Gaussians and W₂² in the limit ε → 0.
    /// </summary>
    /// <param name="source">N(m₀, Σ₀).</param>
    /// <param name="target">N(m₁, Σ₁), same dimension.</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <exception cref="InputValidationException">The dimensions differ or ε is not positive and finite.</exception>
    public static double SinkhornDivergence(GaussianMeasure source, GaussianMeasure target, double epsilon) =>
        EntropicCost(source, target, epsilon) - (0.5 * EntropicCost(source, source, epsilon)) - (0.5 * EntropicCost(target, target, epsilon));

    /// <summary>The entropic optimal coupling, its value and the entropic map (see <see cref="GaussianEntropicCoupling"/>).</summary>
    /// <param name="source">N(m₀, Σ₀).</param>
    /// <param name="target">N(m₁, Σ₁), same dimension.</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    /// <exception cref="InputValidationException">The dimensions differ or ε is not positive and finite.</exception>
    public static GaussianEntropicCoupling Entropic(GaussianMeasure source, GaussianMeasure target, double epsilon)
    {
        CheckEpsilon(epsilon);
        CheckPair(source, target);
        var d = source.Dimension;
        var s2 = epsilon / 2;
        var dSigma = Function(Inner(source, target), d, mu => Math.Sqrt((4 * Math.Max(mu, 0)) + (s2 * s2)));
        var c = Multiply(Multiply(source.SquareRoot, dSigma, d), source.InverseSquareRoot, d);
        for (var k = 0; k < c.Length; k++)
        {
            c[k] *= 0.5;
        }

        for (var i = 0; i < d; i++)
        {
            c[(i * d) + i] -= s2 / 2;
        }

        var (meanTerm, traces, values) = Spectrum(source, target);
        var mutual = 0.0;
        foreach (var mu in values)
        {
            var root = Math.Sqrt((4 * Math.Max(mu, 0)) + (s2 * s2));
            mutual += 0.5 * Math.Log((root + s2) / (2 * s2));
        }

        var transport = meanTerm + traces - (2 * Trace(c, d));
        var mapMatrix = Multiply(Transpose(c, d), source.Inverse, d);
        var map = new GaussianMap(mapMatrix, source.Mean.ToArray(), target.Mean.ToArray());
        return new GaussianEntropicCoupling(epsilon, c, transport, mutual, map, source, target);
    }

    internal static void CheckPair(GaussianMeasure source, GaussianMeasure target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Dimension != target.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The Gaussians have dimensions {source.Dimension} and {target.Dimension}.", nameof(target));
        }
    }

    internal static void CheckEpsilon(double epsilon)
    {
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ε must be positive and finite (got {epsilon}).", nameof(epsilon));
        }
    }

    /// <summary>Σ₀^{1/2} Σ₁ Σ₀^{1/2}, symmetrized.</summary>
    private static double[] Inner(GaussianMeasure source, GaussianMeasure target)
    {
        var d = source.Dimension;
        var inner = Multiply(Multiply(source.SquareRoot, target.Covariance, d), source.SquareRoot, d);
        Symmetrize(inner, d);
        return inner;
    }

    /// <summary>‖m₀ − m₁‖², tr Σ₀ + tr Σ₁ and the eigenvalues of Σ₀^{1/2} Σ₁ Σ₀^{1/2}.</summary>
    private static (double MeanTerm, double Traces, double[] Values) Spectrum(GaussianMeasure source, GaussianMeasure target)
    {
        CheckPair(source, target);
        var d = source.Dimension;
        var meanTerm = 0.0;
        for (var k = 0; k < d; k++)
        {
            var diff = source.Mean[k] - target.Mean[k];
            meanTerm += diff * diff;
        }

        var values = new double[d];
        var vectors = new double[d * d];
        SymmetricEigen(Inner(source, target), d, values, vectors);
        return (meanTerm, Trace(source.Covariance, d) + Trace(target.Covariance, d), values);
    }
}
