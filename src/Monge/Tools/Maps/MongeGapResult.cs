using Monge.Solvers;

namespace Monge.Tools.Maps;

/// <summary>The Monge gap M(T) = <see cref="DisplacementCost"/> − <see cref="TransportCost"/> and its parts.</summary>
/// <param name="Value">M(T) (cost units).</param>
/// <param name="DisplacementCost">Σ_i a_i c(x_i, T(x_i)).</param>
/// <param name="TransportCost">W_{c,ε}(μ, T♯μ), the regularized primal value.</param>
/// <param name="Epsilon">The ε used (cost units).</param>
/// <param name="Convergence">The Sinkhorn report.</param>
public sealed record MongeGapResult(double Value, double DisplacementCost, double TransportCost, double Epsilon, Convergence Convergence);
