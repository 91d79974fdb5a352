namespace Monge.Solvers.Quadratic;

/// <summary>The outer iteration of <see cref="EntropicGromovWasserstein"/>.</summary>
public enum EntropicGromovMethod
{
    /// <summary>
    /// Projected mirror descent (Peyré, Cuturi, Solomon 2016; POT's <c>solver='PGD'</c>): P ← Sinkhorn(∇F(P), ε). Its
    /// fixed points are the stationary points of the entropic objective F(P) + ε·KL(P ‖ a⊗b).
    /// </summary>
    MirrorDescent,

    /// <summary>
    /// Proximal point with a KL proximal term (Xu et al. 2019; POT's <c>solver='PPA'</c>):
    /// P ← argmin ⟨∇F(P_k), P⟩ + ε·KL(P ‖ P_k) over the couplings, a Sinkhorn on ∇F(P_k) − ε·log P_k. ε is a step size:
    /// the fixed points are stationary points of the unregularized objective F, so plans come out sharper than with
    /// <see cref="MirrorDescent"/> at the same ε. Balanced problems only.
    /// </summary>
    ProximalPoint,
}
