namespace Monge.Tools.Maps;

/// <summary>ProgOT's step-size schedules α_k (Kassraie et al. 2024, Section 4; OTT-JAX <c>get_alpha_schedule</c>).</summary>
public enum ProgOTSchedule
{
    /// <summary>Constant speed ("lin"): α_k = 1/(K − k) for k = 0, …, K − 1, so every stage covers 1/K of the way and the last α is 1.</summary>
    ConstantSpeed,

    /// <summary>Decelerating ("exp"): α_k = 1/e at every stage; the last stage leaves a fraction (1 − 1/e)^K of the way.</summary>
    Decelerating,

    /// <summary>Accelerating ("quad"): α_k = (2k + 3)/((K + 1)² − (k + 1)²), the last α is 1.</summary>
    Accelerating,
}
