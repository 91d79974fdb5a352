using System.Numerics;

namespace Monge.Geometry;

/// <summary>
/// A geometry that computes ⟨C, P⟩ of an entropic plan P_ij = exp(ℓ_i + (f_i + g_j − C_ij)/ε) faster than the tiled
/// pass over <see cref="CostGeometry{T}.FillCostBlock"/> (for example a separable grid, without forming C).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal interface IPlanCostGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>⟨C, P⟩ of the plan with row potential f, row log-weights ℓ (empty for zeros) and column potential g.</summary>
    double PlanCost(ReadOnlySpan<T> f, ReadOnlySpan<T> logA, ReadOnlySpan<T> g, T epsilon);
}
