namespace Monge.Geometry;

/// <summary>How a solver holds the costs it iterates on (Sinkhorn's <c>CostStorage</c> option and result).</summary>
public enum CostStorage
{
    /// <summary>Choose from n, m, d, the cost and the memory budget (options only; a result never reports it).</summary>
    Auto,

    /// <summary>Costs recomputed in tiles from the points at every pass: memory O((n + m)·d), time O(n·m·d) per pass.</summary>
    Online,

    /// <summary>The n × m matrix stored (with a transposed copy for column reductions): memory 2·n·m values, time O(n·m) per pass.</summary>
    Dense,

    /// <summary>Factors C = A Bᵀ of rank r (a low-rank geometry given by the caller): memory O((n + m)·r).</summary>
    Factored,
}
