namespace Monge.Solvers.LowRank;

/// <summary>
/// Caller-given initial factors for <see cref="Frlc"/>: a warm start from a previous <see cref="FrlcResult"/>'s Q, R and
/// T, or the start of another implementation's run (parity checks). Q is n × r, R is m × r₂ and T is r × r₂, all row-major with positive entries; their marginals need not be
/// exact (the first mirror step projects them).
/// </summary>
/// <param name="Q">Q, row-major n × r.</param>
/// <param name="R">R, row-major m × r₂.</param>
/// <param name="T">T, row-major r × r₂.</param>
public sealed record FrlcInitialState(double[] Q, double[] R, double[] T);
