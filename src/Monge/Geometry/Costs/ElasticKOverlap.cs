using System.Globalization;
using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// The elastic squared-k-overlap cost c(x, y) = h(x − y), h(z) = ½‖z‖² + λ·½(‖z‖^ov_k)² with the k-overlap (k-support)
/// norm of Argyriou, Foygel and Srebro 2012 (Cuturi, Klein and Ablin 2023; OTT-JAX <c>RegTICost(SqKOverlap(k), lam)</c>).
/// k = 1 gives ½‖z‖₁², k ≥ d gives ½‖z‖₂²; in between the prox keeps about k coordinates of a displacement, so the
/// h-transform map moves points along few coordinates. Name <c>elastic-kovl:k:λ</c> (<c>elastic-kovl:k</c> means λ = 1).
/// Evaluating h, its gradient or its prox sorts |z|: O(d log d + k·d) time (the prox searches Algorithm 1's (r, l)
/// pairs), O(d) memory (stack for d ≤ 128).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct ElasticKOverlap<T> : ICostFunction<T>, IElasticCost
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the cost.</summary>
    /// <param name="k">The number of coordinates the norm favours, k ≥ 1.</param>
    /// <param name="lambda">λ ≥ 0, finite.</param>
    /// <exception cref="InputValidationException">k &lt; 1, or λ negative or not finite.</exception>
    public ElasticKOverlap(int k, double lambda = 1)
    {
        if (k < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The k-overlap cost needs k ≥ 1 (got {k}).", nameof(k));
        }

        K = k;
        Lambda = ElasticMath.CheckLambda(lambda);
    }

    /// <summary>k (values above the dimension act as k = d).</summary>
    public int K { get; }

    /// <inheritdoc />
    public double Lambda { get; }

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture, $"elastic-kovl:{Math.Max(K, 1)}:{Lambda:R}");

    /// <inheritdoc />
    public bool IsSymmetric => true;

    /// <inheritdoc />
    public T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        var d = x.Length;
        var z = d <= ElasticMath.StackLimit ? stackalloc double[d] : new double[d];
        for (var k = 0; k < d; k++)
        {
            z[k] = double.CreateTruncating(x[k] - y[k]);
        }

        return T.CreateTruncating(H(z));
    }

    /// <summary>R(z) = ½(‖z‖^ov_k)², by Prop. 2.1 of Argyriou et al. 2012.</summary>
    /// <inheritdoc />
    public double Regularizer(ReadOnlySpan<double> z)
    {
        var d = z.Length;
        if (d == 0)
        {
            return 0;
        }

        var sorted = d <= ElasticMath.StackLimit ? stackalloc double[d] : new double[d];
        var order = d <= ElasticMath.StackLimit ? stackalloc int[d] : new int[d];
        ElasticMath.SortAbsDescending(z, sorted, order);
        return 0.5 * ElasticMath.SquaredKOverlapSorted(sorted, Math.Max(K, 1), out _, out _);
    }

    /// <inheritdoc />
    public double H(ReadOnlySpan<double> z) => (0.5 * ElasticMath.SquaredNorm(z)) + (Lambda * Regularizer(z));

    /// <summary>
    /// ∇h(z) = z + λ·g with g_i = z_i on the k − r − 1 largest coordinates and sign(z_i)·(tail mean) on the others
    /// (0 where z_i = 0), the derivative of Prop. 2.1's expression.
    /// </summary>
    /// <inheritdoc />
    public void GradientH(ReadOnlySpan<double> z, Span<double> destination)
    {
        ElasticMath.CheckLengths(z, destination);
        var d = z.Length;
        if (d == 0)
        {
            return;
        }

        var sorted = d <= ElasticMath.StackLimit ? stackalloc double[d] : new double[d];
        var order = d <= ElasticMath.StackLimit ? stackalloc int[d] : new int[d];
        ElasticMath.SortAbsDescending(z, sorted, order);
        var k = Math.Min(Math.Max(K, 1), d);
        ElasticMath.SquaredKOverlapSorted(sorted, k, out var r, out var tailMean);
        for (var i = 0; i < d; i++)
        {
            var j = order[i];
            var g = i < k - r - 1 ? z[j] : Math.Sign(z[j]) * tailMean;
            destination[j] = z[j] + (Lambda * g);
        }
    }

    /// <summary>prox of (λ/2)(‖·‖^ov_k)², Algorithm 1 of Argyriou, Foygel and Srebro 2012 with β = 1/λ.</summary>
    /// <inheritdoc />
    public void Prox(ReadOnlySpan<double> v, Span<double> destination)
    {
        ElasticMath.CheckLengths(v, destination);
        var d = v.Length;
        if (d == 0)
        {
            return;
        }

        var sorted = d <= ElasticMath.StackLimit ? stackalloc double[d] : new double[d];
        var order = d <= ElasticMath.StackLimit ? stackalloc int[d] : new int[d];
        var q = d <= ElasticMath.StackLimit ? stackalloc double[d] : new double[d];
        ElasticMath.SortAbsDescending(v, sorted, order);
        ElasticMath.ProxSquaredKOverlapSorted(sorted, Math.Max(K, 1), Lambda, q);
        for (var i = 0; i < d; i++)
        {
            var j = order[i];
            destination[j] = Math.Sign(v[j]) * q[i];
        }
    }

    /// <inheritdoc />
    public double HConjugate(ReadOnlySpan<double> z) => ElasticMath.Conjugate(this, z);

    /// <inheritdoc />
    public void GradientHConjugate(ReadOnlySpan<double> z, Span<double> destination) => Prox(z, destination);
}
