using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Gaussian;

/// <summary>
/// An affine map x ↦ m₁ + A (x − m₀) between Gaussians: the Monge map of <see cref="GaussianTransport.MongeMap"/>
/// (A symmetric positive definite) or the entropic map (conditional mean) of <see cref="GaussianEntropicCoupling"/>.
/// </summary>
public sealed class GaussianMap
{
    private readonly double[] _matrix;
    private readonly double[] _sourceMean;
    private readonly double[] _targetMean;

    internal GaussianMap(double[] matrix, double[] sourceMean, double[] targetMean)
    {
        _matrix = matrix;
        _sourceMean = sourceMean;
        _targetMean = targetMean;
        Dimension = sourceMean.Length;
    }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The linear part A, row-major d × d.</summary>
    public ReadOnlySpan<double> Matrix => _matrix;

    /// <summary>m₀, the mean of the source Gaussian.</summary>
    public ReadOnlySpan<double> SourceMean => _sourceMean;

    /// <summary>m₁, the mean of the target Gaussian.</summary>
    public ReadOnlySpan<double> TargetMean => _targetMean;

    /// <summary>Writes T(x) = m₁ + A (x − m₀) into <paramref name="destination"/> (O(d²) time, no allocation beyond d doubles).</summary>
    /// <param name="point">x, length d.</param>
    /// <param name="destination">Receives T(x), length d.</param>
    /// <exception cref="InputValidationException">A length differs from d.</exception>
    public void Apply(ReadOnlySpan<double> point, Span<double> destination)
    {
        var d = Dimension;
        if (point.Length != d || destination.Length != d)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The map works in dimension {d} but got a point of length {point.Length} and a destination of length {destination.Length}.", nameof(point));
        }

        Span<double> centered = d <= 256 ? stackalloc double[d] : new double[d];
        for (var k = 0; k < d; k++)
        {
            centered[k] = point[k] - _sourceMean[k];
        }

        DenseLinearAlgebra.Apply(_matrix, d, centered, destination);
        for (var k = 0; k < d; k++)
        {
            destination[k] += _targetMean[k];
        }
    }

    /// <summary>Maps every point of a cloud (O(n d²) time; a new n × d cloud with the same weights).</summary>
    /// <param name="points">Points of dimension d.</param>
    /// <exception cref="InputValidationException">The cloud's dimension differs from d.</exception>
    public PointCloud<double> Apply(PointCloud<double> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Dimension != Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The map works in dimension {Dimension} but the points have dimension {points.Dimension}.", nameof(points));
        }

        var d = Dimension;
        var data = new double[points.Count * (long)d];
        for (var i = 0; i < points.Count; i++)
        {
            Apply(points.Row(i), data.AsSpan(i * d, d));
        }

        return new PointCloud<double>(data, points.Count, d, points.HasWeights ? points.Weights.ToArray() : null);
    }
}
