using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.LowRank;

/// <summary>
/// What every low-rank solver returns (<see cref="FrlcResult"/>, <see cref="LowRankSinkhornResult"/>): the coupling in
/// factored form with its products, the primal cost, the outer marginal errors and the convergence report. The plan
/// contract (<see cref="ITransportPlan{T}"/>) works on the factors: products in O((n + m)·r·r₂) time, never forming P
/// unless <see cref="ToDense"/> is called.
/// </summary>
/// <remarks>The solvers normalise the marginals to mass one, so P has mass one (Σ P = 1) and <see cref="Cost"/> is ⟨C, P⟩
/// for that plan.</remarks>
public abstract class LowRankResult : ITransportPlan<double>
{
    private protected LowRankResult(LowRankCoupling coupling, double cost, Convergence convergence, double sourceError, double targetError, int costProducts, double costScale)
    {
        CostScale = costScale;
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

    /// <summary>The primal cost ⟨C, P⟩ of the returned coupling (computed in factored form), in the units of the problem's cost.</summary>
    public double Cost { get; }

    /// <summary>
    /// The divisor s the solver divided the cost by (its <c>ScaleCost</c>, OTT-JAX <c>scale_cost</c>; 1 for none):
    /// the iterations ran on C / s, and <see cref="Cost"/> and the cost traces are multiplied back by s.
    /// </summary>
    public double CostScale { get; }

    /// <summary>Status, iterations, the criterion trace and the threshold.</summary>
    public Convergence Convergence { get; }

    /// <summary>‖P1 − a‖₁ (a normalised to mass one).</summary>
    public double SourceMarginalError { get; }

    /// <summary>‖Pᵀ1 − b‖₁ (b normalised to mass one).</summary>
    public double TargetMarginalError { get; }

    /// <summary>
    /// The L1 marginal error of the constraints the problem imposes: ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ over the sides that are
    /// hard (balanced; a relaxed side is a penalty, not a constraint, and is not counted), the sum Sinkhorn's L1 error
    /// reports for a plan that is off on both sides.
    /// </summary>
    public double MarginalError => (SourceSideHard ? SourceMarginalError : 0) + (TargetSideHard ? TargetMarginalError : 0);

    private protected bool SourceSideHard { get; init; } = true;

    private protected bool TargetSideHard { get; init; } = true;

    /// <summary>Number of products with the cost (C·X or Cᵀ·Y) performed.</summary>
    public int CostProducts { get; }

    /// <summary>n, the number of source points (rows of P).</summary>
    public int SourceCount => Coupling.Rows;

    /// <summary>m, the number of target points (columns of P).</summary>
    public int TargetCount => Coupling.Cols;

    /// <summary>The row marginal P1 (length n, a fresh array).</summary>
    public double[] SourceMarginal => Coupling.SourceMarginal();

    /// <summary>The column marginal Pᵀ1 (length m, a fresh array).</summary>
    public double[] TargetMarginal => Coupling.TargetMarginal();

    /// <inheritdoc />
    /// <remarks>O((n + m)·r·r₂) time.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => Coupling.ApplyPlan(vector, 1, axis);

    /// <inheritdoc />
    /// <remarks>O((n + m)·(r + r₂)·k + r·r₂·k) time.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis) => Coupling.ApplyPlan(block, columns, axis);

    /// <summary>The dense plan Q M Rᵀ, row-major n × m, guarded by <see cref="PlanSize.EnsureDense{T}"/>.</summary>
    /// <param name="maxEntries">Refuse above this many entries (default <see cref="PlanSize.DefaultMaxEntries"/>).</param>
    /// <returns>The plan.</returns>
    /// <exception cref="InvalidOperationException">n·m exceeds <paramref name="maxEntries"/>.</exception>
    public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries) => Coupling.ToDense(maxEntries);

    /// <summary>Source cluster labels argmax_k Q_ik.</summary>
    public int[] SourceClusters() => Coupling.SourceClusters();

    /// <summary>Target cluster labels argmax_l R_jl.</summary>
    public int[] TargetClusters() => Coupling.TargetClusters();
}
