using System.Numerics;

namespace Monge.Geometry;

/// <summary>
/// Capability of a geometry whose points form a Cartesian product of axes and whose cost is a sum of one cost per axis:
/// C(i, j) = Σ_d C_d(i_d, j_d), points flattened in row-major order (the last axis fastest). Its Gibbs kernel exp(−C/ε)
/// is then the tensor product of the per-axis kernels exp(−C_d/ε), so kernel products and soft-mins run axis by axis in
/// O(N·Σ_d n_d) time and O(Σ_d n_d²) memory without forming the N × N matrix (Solomon et al. 2015, "Convolutional
/// Wasserstein distances"). Solvers test for this interface rather than for a concrete geometry
/// (<see cref="GridGeometry{T}"/> implements it).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface ISeparableGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The number of points n_d along each axis (N = Π_d n_d for rows and for columns).</summary>
    IReadOnlyList<int> Shape { get; }

    /// <summary>
    /// The n_d × n_d cost C_d of axis <paramref name="axis"/> (the geometry's scale factor included), row-major, in a new
    /// array: C_d[i, j] is the cost between coordinate i of the rows and coordinate j of the columns along that axis.
    /// O(n_d²) time and memory.
    /// </summary>
    /// <param name="axis">0 ≤ axis &lt; the number of axes.</param>
    /// <returns>The axis cost matrix.</returns>
    T[] AxisCosts(int axis);
}
