namespace Monge.Solvers.LowRank;

/// <summary>Which outer marginals of a low-rank coupling are enforced exactly and which are relaxed by a KL penalty.</summary>
public enum LowRankRelaxation
{
    /// <summary>Both P1 = a and Pᵀ1 = b (up to the inner Sinkhorn tolerance).</summary>
    Balanced,

    /// <summary>The source marginal P1 is relaxed (KL penalty with weight τ_out); the target marginal is exact.</summary>
    SemiRelaxedLeft,

    /// <summary>The target marginal Pᵀ1 is relaxed (KL penalty with weight τ_out); the source marginal is exact.</summary>
    SemiRelaxedRight,

    /// <summary>Both outer marginals are relaxed (KL penalties with weight τ_out).</summary>
    Unbalanced,
}
