using System.Numerics;

namespace Monge.Geometry.Costs;

/// <summary>
/// A ground cost c(x, y) between two points of the same dimension. Implement it on a <c>readonly struct</c> and pass it
/// through <see cref="PointCloudGeometry.Create{T, TCost}(PointCloud{T}, PointCloud{T}, TCost, T?)"/> so that the JIT
/// specializes the tile loops for it (no interface call per pair).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ICostFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A short name for reports (for example "sqeuclidean").</summary>
    string Name { get; }

    /// <summary>Whether c(x, y) = c(y, x) for all x, y (lets a transposed geometry reuse the same cost).</summary>
    bool IsSymmetric { get; }

    /// <summary>Evaluates c(x, y). Both spans have the same length d.</summary>
    /// <param name="x">A source point, length d.</param>
    /// <param name="y">A target point, length d.</param>
    /// <returns>The cost; it must be finite for finite inputs.</returns>
    T Evaluate(ReadOnlySpan<T> x, ReadOnlySpan<T> y);
}
