using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers;
using Monge.Solvers.Entropic;

namespace Monge.Tools.Maps;

/// <summary>The Monge gap M(T) = <see cref="DisplacementCost"/> − <see cref="TransportCost"/> and its parts.</summary>
/// <param name="Value">M(T) (cost units).</param>
/// <param name="DisplacementCost">Σ_i a_i c(x_i, T(x_i)).</param>
/// <param name="TransportCost">W_{c,ε}(μ, T♯μ), the regularized primal value; the Sinkhorn divergence S_ε(μ, T♯μ) when <see cref="Debiased"/>.</param>
/// <param name="Epsilon">The ε used (cost units).</param>
/// <param name="Convergence">The Sinkhorn report.</param>
public sealed record MongeGapResult(double Value, double DisplacementCost, double TransportCost, double Epsilon, Convergence Convergence)
{
    /// <summary>Whether <see cref="TransportCost"/> is the Sinkhorn divergence (<see cref="MongeGap.ComputeDebiased(PointCloud{double}, PointCloud{double}, ICostFunction{double}?, Sinkhorn?, CancellationToken)"/>).</summary>
    public bool Debiased { get; init; }
}
