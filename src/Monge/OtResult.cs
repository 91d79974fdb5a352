using Monge.Solvers;

namespace Monge;

/// <summary>
/// What <see cref="Ot.Solve"/> returns: which solver ran and its result behind the one plan contract.
/// </summary>
/// <param name="Method"><c>"exact"</c>, <c>"sinkhorn"</c> or <c>"frlc"</c> (see <see cref="Ot.Solve"/>).</param>
/// <param name="Plan">
/// The solver's typed result, seen through <see cref="ITransportPlan{T}"/>: its runtime type is
/// <see cref="Solvers.Exact.NetworkSimplexResult"/> (exact), <see cref="Solvers.Entropic.SinkhornResult{T}"/> of
/// <see cref="double"/> (sinkhorn) or <see cref="Solvers.LowRank.FrlcResult"/> (frlc); pattern-match on it (or use
/// <see cref="Details{TResult}"/>) for the solver-specific members (potentials, factors, maps).
/// </param>
public sealed record OtResult(string Method, ITransportPlan<double> Plan)
{
    /// <summary>⟨C, P⟩ with the problem's masses (<see cref="ITransportPlan{T}.Cost"/>).</summary>
    public double Cost => Plan.Cost;

    /// <summary>The solver's convergence report.</summary>
    public Convergence Convergence => Plan.Convergence;

    /// <summary>The typed solver result, for example <c>result.Details&lt;SinkhornResult&lt;double&gt;&gt;().F</c>.</summary>
    /// <typeparam name="TResult">The result type of the solver that ran.</typeparam>
    /// <returns><see cref="Plan"/> as <typeparamref name="TResult"/>.</returns>
    /// <exception cref="InvalidOperationException">Another solver ran (the message names <see cref="Method"/>).</exception>
    public TResult Details<TResult>()
        where TResult : class =>
        Plan as TResult ?? throw new InvalidOperationException($"Method {Method} returned a {Plan.GetType().Name}, not a {typeof(TResult).Name}.");
}
