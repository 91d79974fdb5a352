using System.Globalization;
using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// The elastic ℓ1 cost c(x, y) = h(x − y), h(z) = ½‖z‖² + λ‖z‖₁ (Cuturi, Klein and Ablin 2023; OTT-JAX
/// <c>RegTICost(L1(), lam)</c>). Its prox is soft thresholding, so the h-transform map moves a point only along the
/// coordinates where the averaged gradient exceeds λ: sparse displacements. Name <c>elastic-l1:λ</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct ElasticL1<T> : ICostFunction<T>, IElasticCost
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the cost.</summary>
    /// <param name="lambda">λ ≥ 0, finite.</param>
    /// <exception cref="InputValidationException">λ negative or not finite.</exception>
    public ElasticL1(double lambda) => Lambda = ElasticMath.CheckLambda(lambda);

    /// <inheritdoc />
    public double Lambda { get; }

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture, $"elastic-l1:{Lambda:R}");

    /// <inheritdoc />
    public bool IsSymmetric => true;

    /// <inheritdoc />
    public T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        var lambda = T.CreateTruncating(Lambda);
        var half = T.CreateTruncating(0.5);
        var s = T.Zero;
        for (var k = 0; k < x.Length; k++)
        {
            var t = x[k] - y[k];
            s += (half * t * t) + (lambda * T.Abs(t));
        }

        return s;
    }

    /// <inheritdoc />
    public double Regularizer(ReadOnlySpan<double> z)
    {
        var s = 0.0;
        foreach (var v in z)
        {
            s += Math.Abs(v);
        }

        return s;
    }

    /// <inheritdoc />
    public double H(ReadOnlySpan<double> z) => (0.5 * ElasticMath.SquaredNorm(z)) + (Lambda * Regularizer(z));

    /// <inheritdoc />
    public void GradientH(ReadOnlySpan<double> z, Span<double> destination)
    {
        ElasticMath.CheckLengths(z, destination);
        for (var k = 0; k < z.Length; k++)
        {
            destination[k] = z[k] + (Lambda * Math.Sign(z[k]));
        }
    }

    /// <summary>Soft thresholding: sign(v)·max(|v| − λ, 0).</summary>
    /// <inheritdoc />
    public void Prox(ReadOnlySpan<double> v, Span<double> destination)
    {
        ElasticMath.CheckLengths(v, destination);
        for (var k = 0; k < v.Length; k++)
        {
            destination[k] = Math.Sign(v[k]) * Math.Max(Math.Abs(v[k]) - Lambda, 0);
        }
    }

    /// <inheritdoc />
    public double HConjugate(ReadOnlySpan<double> z) => ElasticMath.Conjugate(this, z);

    /// <inheritdoc />
    public void GradientHConjugate(ReadOnlySpan<double> z, Span<double> destination) => Prox(z, destination);
}
