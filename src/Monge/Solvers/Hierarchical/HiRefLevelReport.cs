namespace Monge.Solvers.Hierarchical;

/// <summary>Diagnostics of one level of <see cref="HierarchicalRefinement"/> (the structure of a level is
/// <see cref="HiRefLevel"/>).</summary>
/// <param name="Rank">The rank r of this level (each block is split into r child pairs).</param>
/// <param name="BlocksSplit">How many blocks this level split.</param>
/// <param name="LargestBlock">The largest block size at the start of the level.</param>
/// <param name="Seconds">Wall-clock seconds spent on the level.</param>
/// <param name="BlockCost">The cost of the level's block coupling: every child pair coupled uniformly,
/// (1/n) Σ_pairs (1/m) Σ_{i∈X-part, j∈Y-part} c(xᵢ, yⱼ). It decreases towards the final matching cost level by level.
/// Exact for squared Euclidean (from block means and variances); for Euclidean it is estimated from at most 32×32
/// pairs per child.</param>
public sealed record HiRefLevelReport(int Rank, int BlocksSplit, int LargestBlock, double Seconds, double BlockCost);
