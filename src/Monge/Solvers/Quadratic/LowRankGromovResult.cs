using Monge.Solvers.LowRank;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// The output of the low-rank Gromov–Wasserstein solvers (<see cref="FrlcGromov"/>, <see cref="LowRankGromov"/>): the
/// coupling in factored form (P = Q Λ Rᵀ, never formed unless <see cref="LowRankResult.ToDense"/> is called), the
/// objective in POT's convention and in the user's units, its two terms, the marginal errors and the convergence report.
/// </summary>
/// <remarks>
/// <see cref="LowRankResult.Cost"/> is the fused objective (1 − α)⟨M, P⟩ + α·GW(P) with GW(P) = ⟨L(C₁, C₂) ⊗ P, P⟩ (square
/// loss, no ½, no root) evaluated at the returned plan on the unscaled costs, whatever <c>ScaleCost</c> the solver used.
/// </remarks>
public sealed class LowRankGromovResult : LowRankResult
{
    private readonly double[] _objectiveTrace;
    private readonly double[] _t;

    internal LowRankGromovResult(LowRankCoupling coupling, double[] t, double cost, double gwCost, double linearCost, double alpha, double[] objectiveTrace, Convergence convergence, double sourceError, double targetError, int costProducts, double costScale, double linearCostScale, long stateBytes, Problems.Relaxation relaxation)
        : base(coupling, cost, convergence, sourceError, targetError, costProducts, costScale)
    {
        SourceSideHard = relaxation.IsExactA;
        TargetSideHard = relaxation.IsExactB;
        GromovCost = gwCost;
        LinearCost = linearCost;
        Alpha = alpha;
        LinearCostScale = linearCostScale;
        StateBytes = stateBytes;
        Relaxation = relaxation;
        _objectiveTrace = objectiveTrace;
        _t = t;
    }

    /// <summary>GW(P) = ⟨L(C₁, C₂) ⊗ P, P⟩ (square loss, POT's convention) in the units of the costs (their square).</summary>
    public double GromovCost { get; }

    /// <summary>⟨M, P⟩ in the units of M (0 when the problem has no linear term).</summary>
    public double LinearCost { get; }

    /// <summary>The fusion weight α (1 for pure Gromov–Wasserstein).</summary>
    public double Alpha { get; }

    /// <summary>The divisor of the linear cost M (1 without M); <see cref="LowRankResult.CostScale"/> is the common divisor of C₁ and C₂.</summary>
    public double LinearCostScale { get; }

    /// <summary>Bytes of the solver's state: factors, their logs and work buffers, cost products (not the costs themselves).</summary>
    public long StateBytes { get; }

    /// <summary>The outer relaxation the problem was solved with.</summary>
    public Problems.Relaxation Relaxation { get; }

    /// <summary>The objective (user units) at the initial factors and after each outer iteration.</summary>
    public IReadOnlyList<double> ObjectiveTrace => _objectiveTrace;

    /// <summary>The latent coupling T (r × r₂) for FRLC; the diagonal diag(g) for <see cref="LowRankGromov"/>.</summary>
    public ReadOnlySpan<double> T => _t;
}
