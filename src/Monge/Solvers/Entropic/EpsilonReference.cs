namespace Monge.Solvers.Entropic;

/// <summary>What a relative ε is multiplied by (OTT-JAX <c>relative_epsilon</c>).</summary>
public enum EpsilonReference
{
    /// <summary>ε is absolute.</summary>
    Absolute,

    /// <summary>ε is multiplied by the mean cost.</summary>
    MeanCost,

    /// <summary>ε is multiplied by the standard deviation of the costs.</summary>
    StdCost,
}
