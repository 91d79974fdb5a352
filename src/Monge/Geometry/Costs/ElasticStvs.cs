using System.Globalization;
using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// The elastic STVS cost c(x, y) = h(x − y), h(z) = ½‖z‖² + λ·R(z) with the soft-thresholding-with-vanishing-shrinkage
/// regularizer (Schreck et al. 2015; Cuturi, Klein and Ablin 2023; OTT-JAX <c>RegTICost(STVS(γ = λ))</c>):
/// λ·R(z) = λ² Σ_k (σ_k − ½ e^{−2σ_k} + ½), σ_k = asinh(|z_k| / (2λ)). Its prox zeroes |v_k| ≤ λ and maps larger ones to
/// v_k − λ²/v_k, so, unlike ℓ1, large displacements are barely shrunk. Name <c>elastic-stvs:λ</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct ElasticStvs<T> : ICostFunction<T>, IElasticCost
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the cost.</summary>
    /// <param name="lambda">λ ≥ 0, finite (the threshold of the prox).</param>
    /// <exception cref="InputValidationException">λ negative or not finite.</exception>
    public ElasticStvs(double lambda) => Lambda = ElasticMath.CheckLambda(lambda);

    /// <inheritdoc />
    public double Lambda { get; }

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture, $"elastic-stvs:{Lambda:R}");

    /// <inheritdoc />
    public bool IsSymmetric => true;

    /// <inheritdoc />
    public T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        var s = 0.0;
        for (var k = 0; k < x.Length; k++)
        {
            var t = double.CreateTruncating(x[k] - y[k]);
            s += (0.5 * t * t) + Penalty(t);
        }

        return T.CreateTruncating(s);
    }

    /// <summary>R(z) = λ Σ_k (σ_k − ½ e^{−2σ_k} + ½), so that λ·R is the STVS penalty with γ = λ (0 when λ = 0).</summary>
    /// <inheritdoc />
    public double Regularizer(ReadOnlySpan<double> z)
    {
        if (Lambda == 0)
        {
            return 0;
        }

        var s = 0.0;
        foreach (var v in z)
        {
            s += Penalty(v);
        }

        return s / Lambda;
    }

    /// <inheritdoc />
    public double H(ReadOnlySpan<double> z) => (0.5 * ElasticMath.SquaredNorm(z)) + (Lambda * Regularizer(z));

    /// <inheritdoc />
    public void GradientH(ReadOnlySpan<double> z, Span<double> destination)
    {
        ElasticMath.CheckLengths(z, destination);
        var l = Lambda;
        for (var k = 0; k < z.Length; k++)
        {
            var v = z[k];
            if (l == 0 || v == 0)
            {
                destination[k] = v;
                continue;
            }

            // d/dv λ²(σ − ½e^{−2σ}) = λ²(1 + e^{−2σ})·σ'(v), σ' = sign(v)/√(4λ² + v²); e^{−σ} = √(1 + s²) − s, s = |v|/(2λ).
            var s = Math.Abs(v) / (2 * l);
            var em = Math.Sqrt(1 + (s * s)) - s;
            destination[k] = v + (l * l * (1 + (em * em)) * Math.Sign(v) / Math.Sqrt((4 * l * l) + (v * v)));
        }
    }

    /// <summary>prox_{λR}(v)_k = 0 when v_k² ≤ λ², else v_k − λ²/v_k.</summary>
    /// <inheritdoc />
    public void Prox(ReadOnlySpan<double> v, Span<double> destination)
    {
        ElasticMath.CheckLengths(v, destination);
        var s = Lambda * Lambda;
        for (var k = 0; k < v.Length; k++)
        {
            var t = v[k];
            destination[k] = t * t <= s ? 0 : t - (s / t);
        }
    }

    /// <inheritdoc />
    public double HConjugate(ReadOnlySpan<double> z) => ElasticMath.Conjugate(this, z);

    /// <inheritdoc />
    public void GradientHConjugate(ReadOnlySpan<double> z, Span<double> destination) => Prox(z, destination);

    private double Penalty(double v)
    {
        var l = Lambda;
        if (l == 0)
        {
            return 0;
        }

        var sigma = Math.Asinh(Math.Abs(v) / (2 * l));
        return l * l * (sigma - (0.5 * Math.Exp(-2 * sigma)) + 0.5);
    }
}
