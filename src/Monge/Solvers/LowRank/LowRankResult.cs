namespace Monge.Solvers.LowRank;

/// <summary>
/// What every low-rank solver returns (<see cref="FrlcResult"/>, <see cref="LowRankSinkhornResult"/>): the coupling in
/// factored form with its products, the primal cost, the outer marginal errors and the convergence report.
/// </summary>
public abstract class LowRankResult
{
    private protected LowRankResult(LowRankCoupling coupling, double cost, Convergence convergence, double sourceError, double targetError, int costProducts)
    {
        Coupling = coupling;
        Cost = cost;
        Convergence = convergence;
        SourceMarginalError = sourceError;
        TargetMarginalError = targetError;
        CostProducts = costProducts;
    }

    /// <summary>The coupling in factored form, with its products.</summary>
    public LowRankCoupling Coupling { get; }

    /// <summary>Q (n × r, row-major).</summary>
    public ReadOnlySpan<double> Q => Coupling.Q;

    /// <summary>R (m × r₂, row-major).</summary>
    public ReadOnlySpan<double> R => Coupling.R;

    /// <summary>The primal cost ⟨C, P⟩ of the returned coupling (computed in factored form).</summary>
    public double Cost { get; }

    /// <summary>Status, iterations, the criterion trace and the threshold.</summary>
    public Convergence Convergence { get; }

    /// <summary>‖P1 − a‖₁ (a normalised to mass one).</summary>
    public double SourceMarginalError { get; }

    /// <summary>‖Pᵀ1 − b‖₁ (b normalised to mass one).</summary>
    public double TargetMarginalError { get; }

    /// <summary>Number of products with the cost (C·X or Cᵀ·Y) performed.</summary>
    public int CostProducts { get; }

    /// <summary>Source cluster labels argmax_k Q_ik.</summary>
    public int[] SourceClusters() => Coupling.SourceClusters();

    /// <summary>Target cluster labels argmax_l R_jl.</summary>
    public int[] TargetClusters() => Coupling.TargetClusters();
}
