using System.Numerics;
using System.Numerics.Tensors;

namespace Monge.Geometry;

/// <summary>
/// h(c) = c², the element-wise square C∘C (the quadratic-loss term of Gromov-Wasserstein). A factored geometry
/// C = A Bᵀ of rank r has the exact factorization C∘C = (A ⊙ A)(B ⊙ B)ᵀ of rank r² (row-wise Kronecker products), which
/// <see cref="LowRankGeometry{T}"/> uses.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public readonly struct SquaredCost<T> : IElementwise<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public T Apply(T cost) => cost * cost;

    /// <inheritdoc />
    public void Apply(Span<T> costs) => TensorPrimitives.Multiply(costs, costs, costs);
}
