using System.Numerics;

namespace Monge.Solvers.Entropic;

/// <summary>
/// Dual potentials f (source, length n) and g (target, length m) in cost units: the warm start of
/// <see cref="Sinkhorn.Solve{T}(Problems.LinearProblem{T}, SinkhornPotentials{T}, IProgress{SolverProgress}, CancellationToken)"/>,
/// typically <see cref="SinkhornResult{T}.Potentials"/> of an earlier solve (a previous ε, a nearby problem, an outer
/// iteration of Gromov-Wasserstein).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="F">The source potential f (length n).</param>
/// <param name="G">The target potential g (length m).</param>
public sealed record SinkhornPotentials<T>(T[] F, T[] G)
    where T : unmanaged, IFloatingPointIeee754<T>;
