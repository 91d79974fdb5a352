namespace Monge.Solvers.Entropic;

/// <summary>
/// Which entropic regularizer Sinkhorn uses. Balanced problems give the same plan under both; unbalanced problems do
/// not (see docs/sinkhorn.md).
/// </summary>
public enum EntropyConvention
{
    /// <summary>
    /// ε·KL(P ‖ a⊗b): plan P_ij = a_i b_j exp((f_i + g_j − C_ij)/ε). OTT-JAX and current POT (<c>reg_type='kl'</c>). Default.
    /// </summary>
    KullbackLeibler,

    /// <summary>
    /// ε·Σ P_ij (log P_ij − 1) (plain entropy): plan P_ij = exp((f_i + g_j − C_ij)/ε), kernel exp(−C/ε). POT 0.8's
    /// <c>sinkhorn_unbalanced</c> and classic <c>ot.sinkhorn</c>.
    /// </summary>
    Entropy,
}
