using Monge.Geometry;
using Monge.Problems;

namespace Monge.Solvers.LowRank;

/// <summary>
/// FRLC: low-rank optimal transport through factor relaxation with latent coupling (Halmos, Liu, Gold and Raphael,
/// NeurIPS 2024, arXiv 2411.10555). The coupling is P = Q diag(1/g_Q) T diag(1/g_R) Rᵀ with Q ∈ Π(a, g_Q) (n × r),
/// R ∈ Π(b, g_R) (m × r₂) and the latent coupling T ∈ Π(g_Q, g_R) (r × r₂); the inner marginals g_Q = Qᵀ1 and
/// g_R = Rᵀ1 are free (relaxed by a KL penalty, <see cref="InnerRelaxation"/>). Minimises ⟨C, P⟩ by coordinate mirror descent: KL steps on Q and
/// R with the step γ/‖∇‖∞ (gradients include the rank-one terms from g = Qᵀ1), then on T, each followed by a
/// log-domain Sinkhorn projection warm-started from the previous duals.
/// </summary>
/// <remarks>
/// <para>Cost per outer iteration: two products with C (C·R and Cᵀ·Q) plus O((n+m)·r·L) for the inner projections
/// (L ≤ <see cref="ProjectionIterations"/>) and O(r·r₂·L) for T. With a factored cost C = A Bᵀ (k columns) this is
/// O((n+m)·r·(k+L)) time and O((n+m)·(r+k)) memory, never n × m; with a dense cost the products cost O(n·m·r);
/// with an online point-cloud cost O(n·m·(d+r)) time and linear memory.</para>
/// <para>Allocations: about 4·(n·r + m·r₂) doubles for Q, R, their logs and two work buffers, n·r₂ + m·r for C·R
/// and Cᵀ·Q, plus O(r·r₂ + n + m).</para>
/// <para>Defaults are the reference FRLC_opt's (γ = 70, outer KL weight 50, inner iterations 500) on the cost divided by its mean (<see cref="ScaleCost"/>; the reference divides by the max). The inner-marginal
/// schedule and the stop are chosen by problem size when left null (<see cref="LargeProblemMinPoints"/>): below 1000
/// points on the smaller side, the reference's (ρ_in = 50 from the start, Δ test 1e-5); from 1000 points on, the inner
/// marginals are fixed for the first <see cref="LargeProblemRelaxationDelay"/> iterations, then relaxed with ρ_in = 2,
/// a relaxed step that raises the objective or the marginal error is redone with fixed marginals, and the run stops
/// when the best objective stalls (1e-4 over 10 iterations, best iterate returned), which beats LR-Sinkhorn at equal
/// rank on the half-moon, 30-D PCA-like and micrometre pairs of docs/lowrank.md, "FRLC defaults". The Q and R projections stop once
/// their row marginal error is below 1% of the error the mirror step left (<see cref="ProjectionRelativeTolerance"/>,
/// <see cref="ProjectionTolerance"/>), are Anderson-accelerated on the r column duals
/// (<see cref="ProjectionAndersonMemory"/>; 0 runs plain sweeps, whose answer does not depend on the units), and that log Q, log R and log T
/// are carried exactly in the log domain (the reference takes log of the possibly underflowed factors). See
/// docs/lowrank.md.</para>
/// <para>Relaxation: the outer marginals follow the problem's <see cref="LinearProblem{T}.Relaxation"/>, read at the ε of
/// each Q or R projection, ε_k = 1/γ_k = ‖∇‖∞/γ: a relaxation given as the KL weight ρ uses τ_k = ρ/(ρ + ε_k) (the
/// reference's tau_out = ρ), one given as τ uses τ at every step (ρ_k = ε_k τ/(1 − τ)).
/// <c>Relaxation.FromRho(50, double.PositiveInfinity)</c> is the reference's semi-relaxed left problem with tau_out = 50.</para>
/// <para>Costs are read only through the problem's geometry: exact factors (<see cref="IFactoredGeometry{T}"/> or
/// <see cref="CostGeometry{T}.TryGetFactors"/>) give factored products in O((n+m)·k·r); any other geometry is read
/// through its <c>ApplyCost</c> (dense: O(n·m·r); online point clouds: O(n·m·(d+r)) time, linear memory).</para>
/// </remarks>
public sealed partial record Frlc
{
    /// <summary>Rank r of Q (number of source clusters). Must be between 1 and n.</summary>
    public int Rank { get; init; } = 10;

    /// <summary>Rank r₂ of R (number of target clusters); <see langword="null"/> means r₂ = r. Must be between 1 and m.</summary>
    public int? LatentRank { get; init; }

    /// <summary>Mirror-descent step scale γ; the actual step is γ/‖∇‖∞ (so the scale of C does not matter).</summary>
    public double Gamma { get; init; } = 70;

    /// <summary>
    /// Relaxation of the inner marginals g_Q (side a) and g_R (side b), in the same convention as the problem's
    /// relaxation (read at ε_k of each projection, on the scaled cost). Null (default): by problem size, KL weights
    /// ρ = 50 (the reference's tau_in, there on C / max C) below <see cref="LargeProblemMinPoints"/> points, ρ = 2 after
    /// <see cref="InnerRelaxationDelay"/> from there on (docs/lowrank.md, "FRLC defaults");
    /// <see cref="Relaxation.Balanced"/> keeps them fixed at their initial value.
    /// </summary>
    public Relaxation? InnerRelaxation { get; init; }

    /// <summary>
    /// Growth factor of the inner KL weight per outer iteration: iteration k uses ρ_in·growth^k (for an
    /// <see cref="InnerRelaxation"/> given as ρ; one given as τ is not scheduled). 1 keeps ρ_in fixed.
    /// </summary>
    public double InnerRelaxationGrowth { get; init; } = 1;

    /// <summary>
    /// When an outer step with relaxed inner marginals raises the objective, undo it and take the step again with
    /// g_Q and g_R fixed (balanced inner projections). The mirror steps with free inner marginals are not descent steps
    /// (the gradient is taken at fixed T, which is then projected on the new g_Q, g_R): without this the objective
    /// drifts upwards after its minimum on 2-D data. A rejected step costs one more cost product and a second step.
    /// </summary>
    /// <remarks>Null (default): on from <see cref="LargeProblemMinPoints"/> points, off below (the reference).</remarks>
    public bool? InnerRelaxationFallback { get; init; }

    /// <summary>
    /// A relaxed step is also redone with g fixed when it leaves a marginal error ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ (hard sides)
    /// above max(this, twice the previous step's): large changes of g_Q, g_R leave the latent projection T unconverged.
    /// </summary>
    internal const double FallbackMarginalError = 1e-2;

    /// <summary>
    /// Number of first outer iterations taken with the inner marginals g_Q, g_R fixed (balanced inner projections)
    /// before <see cref="InnerRelaxation"/> applies. 0 relaxes them from the start (the reference). Null (default):
    /// <see cref="LargeProblemRelaxationDelay"/> from <see cref="LargeProblemMinPoints"/> points on, 0 below.
    /// </summary>
    public int? InnerRelaxationDelay { get; init; }

    /// <summary>
    /// Points on the smaller side (with positive weight) from which the null schedule options take the large-problem
    /// values (delay, ρ_in = 2, fallback, stall stop, no Δ test); below, the reference's (docs/lowrank.md, "FRLC defaults").
    /// </summary>
    public const int LargeProblemMinPoints = 1000;

    /// <summary>The <see cref="InnerRelaxationDelay"/> of the large-problem schedule.</summary>
    public const int LargeProblemRelaxationDelay = 80;

    /// <summary>Maximum number of outer iterations.</summary>
    /// <remarks>Null (default): 200 below <see cref="LargeProblemMinPoints"/> points (the reference), 300 from there on
    /// (the relaxed phase starts after <see cref="LargeProblemRelaxationDelay"/> iterations).</remarks>
    public int? MaxIterations { get; init; }

    /// <summary>Minimum number of outer iterations before the Δ criterion is checked.</summary>
    public int MinIterations { get; init; } = 25;

    /// <summary>
    /// Stop when Δ = (γ_k c̄)⁻² (‖Q − Q_prev‖_F + ‖R − R_prev‖_F + ‖T − T_prev‖_F) falls below this (γ_k is the normalised
    /// step of the iteration, c̄ the mean of the cost the solver sees: 1 after the default mean scaling, so Δ is the
    /// reference's; with another <see cref="ScaleCost"/> Δ is still unit-free). A non-finite Δ, objective or total mass,
    /// or on a balanced problem a total mass of Q or R off one by more than 1%, ends the run as <see cref="SolverStatus.Diverged"/> (the last finite iterate is
    /// returned). The reference's 1e-5 (the default); note that Δ shrinks with the entries of Q and R
    /// (about 1/n), so on large n it fires as soon as <see cref="MinIterations"/> is reached (docs/lowrank.md,
    /// "Units and defaults"); 0 turns it off. Checked after max(<see cref="MinIterations"/>, <see cref="InnerRelaxationDelay"/> + 10)
    /// iterations. Null (default): 1e-5 below <see cref="LargeProblemMinPoints"/> points, 0 from there on.
    /// </summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// When positive, also stop (Converged) once the best objective has improved by less than this fraction of itself
    /// over the last 10 outer iterations (after max(<see cref="MinIterations"/>, <see cref="InnerRelaxationDelay"/> + 10)
    /// iterations), and return the iterate with the lowest objective seen among those whose hard marginal error
    /// ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ is at most 2·10⁻³ (mirror steps do not decrease the objective monotonically, and relaxed
    /// steps can lower it by breaking the marginals; a last iterate above that error is replaced by the best one within
    /// it). 0: off (the last iterate is returned). Null (default): 1e-4 from <see cref="LargeProblemMinPoints"/>
    /// points on, 0 below (docs/lowrank.md, "FRLC defaults").
    /// </summary>
    public double? ObjectiveTolerance { get; init; }

    /// <summary>Window of <see cref="ObjectiveTolerance"/>.</summary>
    internal const int StallWindow = 10;

    /// <summary>Maximum Sinkhorn iterations of each Q and R projection (the reference's max_inneriters).</summary>
    public int ProjectionIterations { get; init; } = 500;

    /// <summary>Maximum Sinkhorn iterations of the initial projections (and of a T projection that Newton does not finish).</summary>
    public int LatentIterations { get; init; } = 500;

    /// <summary>
    /// The loop's T projections by Newton on the column duals (<see cref="LatentNewton"/>, converged to ‖Tᵀ1 − g_R‖₁ ≤ 1e-12);
    /// false (default): Sinkhorn sweeps capped at <see cref="LatentIterations"/>, which can stall near a row error of 5e-3.
    /// Not the default yet: with it eight low-rank tests fail (docs/lowrank.md, "Stop 23 (frlc)").
    /// </summary>
    internal bool LatentNewtonProjection { get; init; }

    /// <summary>A projection (Q, R or T) stops once the largest change of a log column scaling is below this.</summary>
    public double ProjectionThreshold { get; init; } = 1e-9;

    /// <summary>
    /// A Q or R projection stops once its row marginal error ‖Q1 − a‖₁ (masses normalised to one; for a relaxed row
    /// marginal, the L1 change the next row update would make) is below this. 0 disables the test.
    /// </summary>
    public double ProjectionTolerance { get; init; } = 1e-6;

    /// <summary>
    /// A Q or R projection also stops once its row marginal error is below this fraction of the error left after its
    /// first Sinkhorn sweep (the size of the mirror step). 0 disables the test.
    /// </summary>
    public double ProjectionRelativeTolerance { get; init; } = 1e-2;

    /// <summary>
    /// Anderson acceleration memory of the Q and R projections (extrapolates the r column log duals between Sinkhorn
    /// sweeps, restarting when the row error grows); 0 runs plain sweeps.
    /// </summary>
    /// <remarks>
    /// Known defect of the default (5): it can make the answer depend on the units of the coordinates: its least squares (ridge
    /// 1e-10 of the largest residual norm², condition number up to 1e10) amplify the round-off of a change of units
    /// into differences of 1e-8 within one projection, and later threshold decisions then branch (30-D PCA-like pair,
    /// 150 points: costs 284.35 / 284.59 / 310.67 at units ×1 / ×1e-3 / ×1e3). Plain sweeps are a fixed composition of
    /// smooth maps and give the same answer in any units (plans 1e-10 apart): set 0 where the answer must not depend on
    /// the units. Price: 3–10× the projection CPU on 2-D and 30-D pairs, and one marginal-accuracy test case moves from
    /// 4.9e-3 to 5.08e-3, so plain sweeps are not the default yet (docs/lowrank.md, "Stop 21 (frlcinv)").
    /// </remarks>
    public int ProjectionAndersonMemory { get; init; } = 5;

    /// <summary>Warm-start each projection from the duals of the previous outer iteration (the FRLC repository does).</summary>
    public bool WarmStart { get; init; } = true;

    /// <summary>Include the rank-one gradient terms that come from g_Q = Qᵀ1 and g_R = Rᵀ1 (the reference's full_grad).</summary>
    public bool FullGradient { get; init; } = true;

    /// <summary>How Q, R and T are initialised.</summary>
    public LowRankInitialization Initialization { get; init; } = LowRankInitialization.Random;

    /// <summary>
    /// Weight w of the independent coupling in the initial mix X ← (1 − w) X + w (X1)(Xᵀ1)ᵀ (the reference's
    /// stabilize_Q_init uses 0.9). Applied to Q, R and T for the random initialisation and to T for rank-2.
    /// </summary>
    public double InitialMixing { get; init; } = 0.9;

    /// <summary>Seed of every random choice (initialisation).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// How the cost is rescaled before solving (OTT-JAX <c>scale_cost</c>): the solver works on C / s with s the mean
    /// cost by default, so that the answer does not depend on the units of the coordinates (the relaxations, the
    /// Δ threshold and the initial step are read on the scaled cost). <see cref="FrlcResult"/> reports every cost in
    /// the units of C and s as <see cref="LowRankResult.CostScale"/>. s is computed in linear memory
    /// (<see cref="CostScale.Resolve{T}"/>) over the points with positive weight.
    /// </summary>
    public CostScale ScaleCost { get; init; } = CostScale.Mean;

    /// <summary>
    /// Solves the low-rank problem. The marginals are normalised to mass one (the latent-coupling model has total mass
    /// one; a relaxed problem keeps mass one and relaxes only the shape of the marginals).
    /// </summary>
    /// <param name="problem">Geometry, marginals and relaxation.</param>
    /// <param name="initialState">Caller-given initial factors (warm start, or parity with another implementation);
    /// <see langword="null"/> uses <see cref="Initialization"/>.</param>
    /// <param name="progress">Receives one report per outer iteration (stage "frlc", error Δ).</param>
    /// <param name="cancellationToken">Checked once per outer iteration; a cancelled run returns its last iterate with status Cancelled.</param>
    /// <returns>The factors, the coupling, the objective trace and the convergence report.</returns>
    /// <exception cref="InputValidationException">Invalid options, ranks or initial factors (thrown before any work).</exception>
    public FrlcResult Solve(LinearProblem<double> problem, FrlcInitialState? initialState = null, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ValidateOptions();
        var setup = LowRankSetup.FromProblem(problem, ScaleCost, withCostMean: true);
        return SolveCost(setup, problem.Relaxation, initialState, progress, cancellationToken);
    }

    /// <summary>Solves the balanced problem between two point clouds (their weights, squared Euclidean cost in exact factors).</summary>
    /// <param name="source">Source points (and weights).</param>
    /// <param name="target">Target points (and weights).</param>
    /// <param name="progress">Receives one report per outer iteration.</param>
    /// <param name="cancellationToken">Checked once per outer iteration.</param>
    public FrlcResult Solve(PointCloud<double> source, PointCloud<double> target, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        => Solve(LinearProblem<double>.FromPointClouds(source, target), null, progress, cancellationToken);

    /// <summary>Internal entry on a resolved cost operator (tests: dense, index-subset factors; no rescaling).</summary>
    internal FrlcResult Solve(LowRankCost cost, double[]? a = null, double[]? b = null, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        => SolveCost(LowRankSetup.FromCost(cost, a, b), Relaxation.Balanced, null, progress, cancellationToken);

    /// <summary>Internal entry on a resolved cost operator with caller-given initial factors (no rescaling).</summary>
    internal FrlcResult Solve(LowRankCost cost, double[]? a, double[]? b, FrlcInitialState? initialState, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        => SolveCost(LowRankSetup.FromCost(cost, a, b), Relaxation.Balanced, initialState, progress, cancellationToken);

    /// <summary>Internal entry on a resolved cost operator with a relaxation (tests; no rescaling).</summary>
    internal FrlcResult SolveCost(LowRankCost cost, double[]? a, double[]? b, Relaxation relaxation, FrlcInitialState? initialState, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
        => SolveCost(LowRankSetup.FromCost(cost, a, b), relaxation, initialState, progress, cancellationToken);

    private FrlcResult SolveCost(LowRankSetup setup, Relaxation relaxation, FrlcInitialState? initialState, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(relaxation);
        var cost = setup.Cost;
        var (an, bn) = LowRankValidation.Marginals(cost, setup.A, setup.B, relaxation.IsBalanced);
        ValidateOptions();
        Validate(setup);
        var r2 = LatentRank ?? Rank;
        if (initialState is not null)
        {
            LowRankValidation.Factor(initialState.Q, setup.FullRows, Rank, "Q");
            LowRankValidation.Factor(initialState.R, setup.FullCols, r2, "R");
            LowRankValidation.Factor(initialState.T, Rank, r2, "T");
            initialState = new FrlcInitialState(setup.RestrictSource(initialState.Q, Rank), setup.RestrictTarget(initialState.R, r2), initialState.T);
        }

        return ForSize(cost.Rows, cost.Cols).Run(setup, an, bn, relaxation, initialState, progress, cancellationToken);
    }

    /// <summary>These options with every null schedule option set for an n × m problem (see <see cref="LargeProblemMinPoints"/>).</summary>
    internal Frlc ForSize(int n, int m)
    {
        var large = Math.Min(n, m) >= LargeProblemMinPoints;
        return this with
        {
            InnerRelaxation = InnerRelaxation ?? (large ? Relaxation.FromRho(2, 2) : Relaxation.FromRho(50, 50)),
            InnerRelaxationDelay = InnerRelaxationDelay ?? (large ? LargeProblemRelaxationDelay : 0),
            InnerRelaxationFallback = InnerRelaxationFallback ?? large,
            ObjectiveTolerance = ObjectiveTolerance ?? (large ? 1e-4 : 0),
            Threshold = Threshold ?? (large ? 0 : 1e-5),
            MaxIterations = MaxIterations ?? (large ? 300 : 200),
        };
    }

    private Relaxation Inner => InnerRelaxation ?? Relaxation.FromRho(50, 50);

    private int Delay => InnerRelaxationDelay ?? 0;

    private int IterationLimit => MaxIterations ?? 200;

    private double StallTolerance => ObjectiveTolerance ?? 0;

    private double DeltaThreshold => Threshold ?? 1e-5;

    private void Validate(LowRankSetup setup)
    {
        var cost = setup.Cost;
        var r2 = LatentRank ?? Rank;
        LowRankValidation.Rank(Rank, cost.Rows, nameof(Rank), setup.RowsRestricted ? "the number of source points with positive weight" : "n");
        LowRankValidation.Rank(r2, cost.Cols, nameof(LatentRank), setup.ColsRestricted ? "the number of target points with positive weight" : "m");
        if (Initialization == LowRankInitialization.KMeans && !cost.HasPoints)
        {
            throw LowRankValidation.Invalid("k-means initialisation needs point coordinates: use a geometry with points (IPointCloudGeometry).", nameof(Initialization));
        }
    }

    private void ValidateOptions()
    {
        LowRankValidation.Positive(Gamma, nameof(Gamma));
        if (!(InnerRelaxationGrowth >= 1) || !double.IsFinite(InnerRelaxationGrowth))
        {
            throw LowRankValidation.Invalid($"InnerRelaxationGrowth must be finite and at least 1 (got {InnerRelaxationGrowth}).", nameof(InnerRelaxationGrowth));
        }

        LowRankValidation.NonNegative(DeltaThreshold, nameof(Threshold));
        LowRankValidation.NonNegative(StallTolerance, nameof(ObjectiveTolerance));
        LowRankValidation.NonNegative(ProjectionThreshold, nameof(ProjectionThreshold));
        LowRankValidation.NonNegative(ProjectionTolerance, nameof(ProjectionTolerance));
        LowRankValidation.NonNegative(ProjectionRelativeTolerance, nameof(ProjectionRelativeTolerance));
        LowRankValidation.Count(IterationLimit, 1, nameof(MaxIterations));
        LowRankValidation.Count(MinIterations, 0, nameof(MinIterations));
        LowRankValidation.Count(Delay, 0, nameof(InnerRelaxationDelay));
        LowRankValidation.Count(ProjectionIterations, 1, nameof(ProjectionIterations));
        LowRankValidation.Count(ProjectionAndersonMemory, 0, nameof(ProjectionAndersonMemory));
        LowRankValidation.Count(LatentIterations, 1, nameof(LatentIterations));
        if (!(InitialMixing >= 0 && InitialMixing < 1))
        {
            throw LowRankValidation.Invalid($"InitialMixing must be in [0, 1) (got {InitialMixing}).", nameof(InitialMixing));
        }
    }
}
