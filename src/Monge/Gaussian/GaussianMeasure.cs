using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Gaussian;

/// <summary>
/// A Gaussian measure N(m, Σ) on ℝᵈ with a symmetric positive definite covariance, validated on construction.
/// The input to the closed forms of <see cref="GaussianTransport"/> and <see cref="GaussianSchrodingerBridge"/>.
/// </summary>
/// <remarks>Construction does one Jacobi eigen-decomposition of Σ (O(d³) time, O(d²) memory) and keeps Σ^{1/2} and Σ^{-1/2}.</remarks>
public sealed class GaussianMeasure
{
    private readonly double[] _mean;
    private readonly double[] _covariance;

    /// <summary>Creates N(mean, covariance).</summary>
    /// <param name="mean">The mean, length d ≥ 1, finite.</param>
    /// <param name="covariance">Row-major d × d covariance: finite, symmetric (to 1e-9 relative) and positive definite (smallest eigenvalue above 1e-13 times the largest).</param>
    /// <exception cref="InputValidationException">Empty mean, wrong covariance length, non-finite entries, an asymmetric or a non positive definite covariance.</exception>
    public GaussianMeasure(ReadOnlySpan<double> mean, ReadOnlySpan<double> covariance)
    {
        var d = mean.Length;
        if (d == 0)
        {
            throw new InputValidationException(InputProblem.Empty, "The mean of a Gaussian needs at least one coordinate.", nameof(mean));
        }

        if (covariance.Length != (long)d * d)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The covariance has {covariance.Length} entries but a {d} × {d} matrix ({d * d} entries) is needed for a mean of length {d}.", nameof(covariance));
        }

        for (var i = 0; i < d; i++)
        {
            if (!double.IsFinite(mean[i]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Mean entry {i} is {mean[i]}.", nameof(mean), i);
            }
        }

        var scale = 0.0;
        for (var k = 0; k < covariance.Length; k++)
        {
            if (!double.IsFinite(covariance[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Covariance entry ({k / d}, {k % d}) is {covariance[k]}.", nameof(covariance), k);
            }

            scale = Math.Max(scale, Math.Abs(covariance[k]));
        }

        for (var i = 0; i < d; i++)
        {
            for (var j = i + 1; j < d; j++)
            {
                if (Math.Abs(covariance[(i * d) + j] - covariance[(j * d) + i]) > 1e-9 * scale)
                {
                    throw new InputValidationException(InputProblem.InvalidParameter, $"The covariance is not symmetric: entry ({i}, {j}) is {covariance[(i * d) + j]} but ({j}, {i}) is {covariance[(j * d) + i]}.", nameof(covariance), (i * d) + j);
                }
            }
        }

        _mean = mean.ToArray();
        _covariance = covariance.ToArray();
        DenseLinearAlgebra.Symmetrize(_covariance, d);
        var values = new double[d];
        var vectors = new double[d * d];
        DenseLinearAlgebra.SymmetricEigen(_covariance, d, values, vectors);
        var max = values.Max();
        var min = values.Min();
        if (!(max > 0) || min <= 1e-13 * max)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The covariance is not positive definite (eigenvalues from {min:G6} to {max:G6}).", nameof(covariance));
        }

        Dimension = d;
        EigenValues = values;
        SquareRoot = DenseLinearAlgebra.Compose(values, vectors, d, Math.Sqrt);
        InverseSquareRoot = DenseLinearAlgebra.Compose(values, vectors, d, v => 1 / Math.Sqrt(v));
        Inverse = DenseLinearAlgebra.Compose(values, vectors, d, v => 1 / v);
    }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The mean m.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>The covariance Σ, row-major d × d (exactly symmetric).</summary>
    public ReadOnlySpan<double> Covariance => _covariance;

    /// <summary>Σ^{1/2}, row-major.</summary>
    internal double[] SquareRoot { get; }

    /// <summary>Σ^{-1/2}, row-major.</summary>
    internal double[] InverseSquareRoot { get; }

    /// <summary>Σ^{-1}, row-major.</summary>
    internal double[] Inverse { get; }

    /// <summary>The eigenvalues of Σ.</summary>
    internal double[] EigenValues { get; }

    /// <summary>The standard normal N(0, I) in dimension <paramref name="dimension"/>.</summary>
    /// <param name="dimension">d ≥ 1.</param>
    public static GaussianMeasure Standard(int dimension)
    {
        if (dimension < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The dimension must be at least 1 (got {dimension}).", nameof(dimension));
        }

        var covariance = new double[dimension * dimension];
        for (var i = 0; i < dimension; i++)
        {
            covariance[(i * dimension) + i] = 1;
        }

        return new GaussianMeasure(new double[dimension], covariance);
    }

    /// <summary>Draws <paramref name="count"/> independent samples m + Σ^{1/2} z, z ~ N(0, I) (seeded).</summary>
    /// <param name="count">Number of samples (≥ 1).</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <returns>An unweighted point cloud of <paramref name="count"/> rows.</returns>
    public PointCloud<double> Sample(int count, int seed)
    {
        if (count < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The sample count must be at least 1 (got {count}).", nameof(count));
        }

        var d = Dimension;
        var random = new Random(seed);
        var data = new double[count * (long)d];
        var zBuffer = new double[d];
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < d; k++)
            {
                zBuffer[k] = random.NextGaussian();
            }

            var row = data.AsSpan(i * d, d);
            DenseLinearAlgebra.Apply(SquareRoot, d, zBuffer, row);
            for (var k = 0; k < d; k++)
            {
                row[k] += _mean[k];
            }
        }

        return new PointCloud<double>(data, count, d);
    }
}
