namespace Monge.Solvers.Entropic;

/// <summary>The norm of the marginal error used as Sinkhorn's stopping criterion.</summary>
public enum MarginalNorm
{
    /// <summary>‖P1 − a‖₁ (OTT-JAX <c>norm_error=1</c>). Default.</summary>
    L1,

    /// <summary>‖P1 − a‖₂ (POT <c>stopThr</c>).</summary>
    L2,
}
