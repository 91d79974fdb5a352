namespace Monge.Solvers.LowRank;

/// <summary>
/// The output of <see cref="Frlc"/>: the factors Q, R, T and the inner marginals, the coupling
/// P = Q diag(1/g_Q) T diag(1/g_R) Rᵀ in factored form (with its products), the primal cost, the objective trace,
/// the outer marginal errors and the convergence report (error = Δ of each iteration).
/// </summary>
public sealed class FrlcResult : LowRankResult
{
    private readonly double[] _t;
    private readonly double[] _gq;
    private readonly double[] _gr;
    private readonly double[] _objectiveTrace;

    internal FrlcResult(LowRankCoupling coupling, double[] t, double[] gq, double[] gr, double cost, double[] objectiveTrace, Convergence convergence, double sourceError, double targetError, int costProducts, long projectionSweeps, double costScale, Problems.Relaxation relaxation)
        : base(coupling, cost, convergence, sourceError, targetError, costProducts, costScale)
    {
        SourceSideHard = relaxation.IsExactA;
        TargetSideHard = relaxation.IsExactB;
        ProjectionSweeps = projectionSweeps;
        _t = t;
        _gq = gq;
        _gr = gr;
        _objectiveTrace = objectiveTrace;
    }

    /// <summary>The latent coupling T (r × r₂, row-major).</summary>
    public ReadOnlySpan<double> T => _t;

    /// <summary>The inner source marginal g_Q = Qᵀ1 (length r).</summary>
    public ReadOnlySpan<double> SourceInnerMarginal => _gq;

    /// <summary>The inner target marginal g_R = Rᵀ1 (length r₂).</summary>
    public ReadOnlySpan<double> TargetInnerMarginal => _gr;

    /// <summary>⟨C, P⟩ at the initial factors and after each outer iteration (in the units of C).</summary>
    public IReadOnlyList<double> ObjectiveTrace => _objectiveTrace;

    /// <summary>Total Sinkhorn sweeps of the Q and R projections over all outer iterations (the inner work).</summary>
    public long ProjectionSweeps { get; }

    /// <summary>The diagonal form P = Q′ diag(1/g_R) Rᵀ with Q′ = Q diag(1/g_Q) T (see <see cref="LowRankCoupling.Diagonalize"/>).</summary>
    public LowRankCoupling Diagonalize() => Coupling.Diagonalize();
}
