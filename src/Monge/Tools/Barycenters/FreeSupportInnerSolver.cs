namespace Monge.Tools.Barycenters;

/// <summary>How <see cref="FreeSupportBarycenter"/> computes the plan between the barycenter and each input.</summary>
public enum FreeSupportInnerSolver
{
    /// <summary>Exact optimal transport (network simplex; the monotone plan when d = 1; an assignment for uniform weights and equal sizes). The default.</summary>
    Exact,

    /// <summary>Entropic optimal transport (Sinkhorn), as the smoothed variant of Cuturi and Doucet (2014).</summary>
    Entropic,
}
