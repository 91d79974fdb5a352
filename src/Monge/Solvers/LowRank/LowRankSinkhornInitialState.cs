namespace Monge.Solvers.LowRank;

/// <summary>
/// Caller-given initial factors for <see cref="LowRankSinkhorn"/> (a warm start, for example the
/// <see cref="LowRankResult.Q"/>, <see cref="LowRankResult.R"/> and <see cref="LowRankSinkhornResult.G"/> of a previous
/// run). Q is n × r and R is m × r, row-major, and g has length r, all non-negative; their marginals need not be exact
/// (the first step projects them), but g must be positive.
/// </summary>
/// <param name="Q">Q, row-major n × r.</param>
/// <param name="R">R, row-major m × r.</param>
/// <param name="G">The inner marginal g, length r.</param>
public sealed record LowRankSinkhornInitialState(double[] Q, double[] R, double[] G);
