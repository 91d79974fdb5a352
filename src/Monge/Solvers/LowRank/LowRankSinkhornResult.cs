namespace Monge.Solvers.LowRank;

/// <summary>
/// The output of <see cref="LowRankSinkhorn"/>: P = Q diag(1/g) Rᵀ in factored form, g, the primal cost, the cost
/// trace (every evaluation), the outer marginal errors and the convergence report.
/// </summary>
public sealed class LowRankSinkhornResult : LowRankResult
{
    private readonly double[] _g;
    private readonly double[] _costTrace;

    internal LowRankSinkhornResult(LowRankCoupling coupling, double[] g, double cost, double[] costTrace, Convergence convergence, double sourceError, double targetError, int costProducts, double costScale)
        : base(coupling, cost, convergence, sourceError, targetError, costProducts, costScale)
    {
        _g = g;
        _costTrace = costTrace;
    }

    /// <summary>The inner marginal g (length r).</summary>
    public ReadOnlySpan<double> G => _g;

    /// <summary>⟨C, P⟩ at every evaluation (every InnerIterations iterations) and at the end (in the units of C).</summary>
    public IReadOnlyList<double> CostTrace => _costTrace;
}
