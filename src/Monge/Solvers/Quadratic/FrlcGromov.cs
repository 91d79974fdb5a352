using System.Diagnostics;
using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers.LowRank;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// FRLC for Gromov–Wasserstein and fused Gromov–Wasserstein (Halmos, Liu, Gold and Raphael, NeurIPS 2024,
/// arXiv 2411.10555): the coupling is P = Q diag(1/g_Q) T diag(1/g_R) Rᵀ with Q ∈ Π(a, g_Q) (n × r),
/// R ∈ Π(b, g_R) (m × r₂) and the latent coupling T ∈ Π(g_Q, g_R); the inner marginals are free (KL-relaxed by
/// <see cref="InnerRelaxation"/>). Minimises (1 − α)⟨M, P⟩ + α·GW(P) (square loss, POT's convention) by coordinate
/// mirror descent on (Q, R) and then T, each step a log-domain Sinkhorn projection warm-started from the previous duals
/// (the FRLC loop of <see cref="Frlc"/> with the quadratic objective's gradients).
/// </summary>
/// <remarks>
/// <para>Gradients (G = ∂F/∂P is never formed): ∂F/∂Q = G R Λᵀ, ∂F/∂R = Gᵀ Q Λ, ∂F/∂Λ = Qᵀ G R with the square-loss
/// terms (C₁∘C₁)P1, (C₂∘C₂)Pᵀ1 and −2(C₁ P C₂ᵀ + C₁ᵀ P C₂), plus the rank-one terms from g = Qᵀ1 (the reference's
/// full_grad). For symmetric costs and hard marginals this is the paper's ∇Q = −4 C₁ Q Λ (RᵀC₂R) Λᵀ up to terms constant
/// along rows. Row-constant parts of the gradient are removed before the step is normalised when the row marginal is
/// hard (the projection absorbs them exactly; otherwise the large marginal terms of the square loss dominate ‖∇‖∞ and
/// the step vanishes), and T's gradient is centred on both sides (T's projection is balanced).</para>
/// <para>Cost per outer iteration with factored costs (C₁ = A₁B₁ᵀ, C₂ = A₂B₂ᵀ of width k; squared Euclidean point
/// clouds have k = d + 2): O((n + m)·r·(k + L) + (n + m)·k² + r³) time, with L the Sinkhorn sweeps of the projections;
/// memory O((n + m)·(r + k)): never n × n or n × m. Dense costs (n ≤ 8192) cost O(n²·r) per product.</para>
/// <para>Relaxation: the outer marginals follow the problem's relaxation, read at the ε = 1/γ_k of each
/// projection exactly as <see cref="Frlc"/> does (semi-relaxed: one side soft; unbalanced: both).</para>
/// <para>Costs are divided by a common divisor s (<see cref="ScaleCost"/>, mean by default) of C₁ and C₂, and M by s², so
/// the iterations minimise the user's objective divided by s² (POT's α keeps its meaning) and the plan does not depend on
/// the units of the coordinates when all costs scale together. Values are reported in the user's units.</para>
/// </remarks>
public sealed record FrlcGromov
{
    /// <summary>Rank r of Q. Between 1 and n.</summary>
    public int Rank { get; init; } = 10;

    /// <summary>Rank r₂ of R; <see langword="null"/> means r₂ = r.</summary>
    public int? LatentRank { get; init; }

    /// <summary>
    /// Mirror-descent step scale γ; the step is γ/‖∇‖∞ of the (row-centred) gradients. 20 by default (the linear FRLC's
    /// 70 overshoots on GW; measurements in docs/gromov.md).
    /// </summary>
    public double Gamma { get; init; } = 20;

    /// <summary>
    /// Relaxation of the inner marginals g_Q, g_R. Default <see cref="Relaxation.Balanced"/>: g stays at its initial
    /// uniform value (the HiRef copy's and LR_mini's choice). A KL-relaxed g (the FRLC reference's tau_in, for example
    /// <c>Relaxation.FromRho(50, 50)</c>) is available, but on GW its objective drifts upward after a few iterations in our
    /// measurements (docs/gromov.md), so only the best iterate would be kept.
    /// </summary>
    public Relaxation InnerRelaxation { get; init; } = Relaxation.Balanced;

    /// <summary>Maximum outer iterations.</summary>
    public int MaxIterations { get; init; } = 500;

    /// <summary>
    /// Minimum outer iterations before any stopping test; <see langword="null"/> (default): 20 after the k-means start, 100
    /// after the random start (whose iterates cross long plateaus next to the independent coupling first).
    /// </summary>
    public int? MinIterations { get; init; }

    /// <summary>
    /// Stop when Δ = γ_k⁻²(‖Q − Q_prev‖_F + ‖R − R_prev‖_F + ‖T − T_prev‖_F) falls below this. Default 0 (off): on GW the
    /// iterates cross long plateaus (saddles) where Δ is small before the objective drops again, so the stopping rule is
    /// the objective stall (<see cref="ObjectiveTolerance"/>) after <see cref="MinIterations"/>.
    /// </summary>
    public double Threshold { get; init; }

    /// <summary>
    /// Also stop once the best objective improved by less than this fraction over the last 10 iterations, and return the
    /// best iterate (mirror steps are not monotone). 0 disables the test. Default 1e-3 (was 1e-5, which the fused slice
    /// alignment never met: after its fast descent the objective creeps down by 0.02–0.06% per 10 iterations for hundreds
    /// of iterations, faster on larger slices, without changing the alignment: 20 000 cells, 117 iterations at 1e-3 against
    /// 500 unconverged at 1e-5, median error 154.5 µm against 154.4, labels 0.904 against 0.901; docs/align.md).
    /// </summary>
    public double ObjectiveTolerance { get; init; } = 1e-3;

    /// <summary>Maximum Sinkhorn sweeps of each Q and R projection.</summary>
    public int ProjectionIterations { get; init; } = 500;

    /// <summary>Maximum Sinkhorn sweeps of each T projection and of the initial projections.</summary>
    public int LatentIterations { get; init; } = 500;

    /// <summary>A projection stops once the largest change of a log column scaling is below this.</summary>
    public double ProjectionThreshold { get; init; } = 1e-9;

    /// <summary>A Q or R projection stops once its row marginal error is below this (0: off).</summary>
    public double ProjectionTolerance { get; init; } = 1e-6;

    /// <summary>A Q or R projection stops once its row error is below this fraction of its first sweep's (0: off).</summary>
    public double ProjectionRelativeTolerance { get; init; } = 1e-2;

    /// <summary>Anderson memory of the Q and R projections (0: plain sweeps).</summary>
    public int ProjectionAndersonMemory { get; init; } = 5;

    /// <summary>Weight of the independent coupling in the initial mix (the reference's stabilize_Q_init uses 0.9).</summary>
    public double InitialMixing { get; init; } = 0.9;

    /// <summary>Seed of the initialisation (random factors, or the k-means seeding and the random starts of the cluster matching).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// How the factors start. <see langword="null"/> (default): <see cref="LowRankInitialization.KMeans"/> for pure GW when
    /// both intra-space costs are costs of a point cloud with itself (coordinates are available), else
    /// <see cref="LowRankInitialization.Random"/> (fused problems: the spatial k-means start found a lower objective on the
    /// slice-alignment test pair but transferred labels worse, 0.71 against 0.84; docs/align.md). KMeans clusters each cloud into r₁ and r₂ groups (k-means++, Lloyd),
    /// takes Q and R as the soft assignments and T as the best conditional-gradient fused GW matching of the clusters
    /// (several starts, on the costs averaged over pairs of clusters): the descent starts next to a matching instead of at
    /// the independent coupling (a stationary point), which saves most outer iterations (measured in docs/align.md).
    /// Random: the FRLC reference's random factors mixed with the independent coupling (<see cref="InitialMixing"/>).
    /// Rank2 is refused (it starts at a stationary point of GW).
    /// </summary>
    public LowRankInitialization? Initialization { get; init; }

    /// <summary>Random starts (besides the independent coupling) of the cluster matching of the k-means initialisation.</summary>
    internal const int ClusterStarts = 8;

    /// <summary>Weight of the independent coupling mixed into the cluster matching T of the k-means initialisation.</summary>
    internal const double ClusteredMixing = 0.1;

    /// <summary>When set, CPU seconds per phase are accumulated there (benchmarks).</summary>
    internal FrlcGromovProfile? Profile { get; init; }

    /// <summary>How C₁ and C₂ are scaled (common divisor; M is divided by its square). Default: the mean cost.</summary>
    public CostScale ScaleCost { get; init; } = CostScale.Mean;

    /// <summary>
    /// Solves a quadratic problem: GW or fused GW (POT's α) with the square loss, balanced, semi-relaxed or unbalanced
    /// (the problem's relaxation). The weights are normalised to mass one (the latent-coupling model has total mass one;
    /// a relaxed problem keeps mass one and relaxes the shape of the marginals, as <see cref="Frlc"/> does).
    /// </summary>
    /// <param name="problem">C₁, C₂ (squared Euclidean point clouds are read through their exact factors), weights, optional M and α, relaxation.</param>
    /// <param name="progress">One report per outer iteration (stage "frlc-gw").</param>
    /// <param name="cancellationToken">Checked once per outer iteration.</param>
    /// <returns>The factored coupling, objective terms in the user's units, marginal errors and convergence.</returns>
    /// <exception cref="InputValidationException">Invalid options or ranks.</exception>
    /// <exception cref="UnsupportedCostException">The KL loss, or a cost without exact factors above the dense limit.</exception>
    public LowRankGromovResult Solve(QuadraticProblem<double> problem, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ValidateOptions();
        return Run(LowRankGromovSetup.FromProblem(problem, ScaleCost, "FRLC-GW"), problem.Relaxation, progress, cancellationToken);
    }

    /// <summary>Pure GW between two point clouds with squared Euclidean intra-space costs (exact rank d + 2 factors).</summary>
    /// <param name="source">Source points and weights.</param>
    /// <param name="target">Target points and weights (any dimension).</param>
    /// <param name="progress">One report per outer iteration.</param>
    /// <param name="cancellationToken">Checked once per outer iteration.</param>
    public LowRankGromovResult Solve(PointCloud<double> source, PointCloud<double> target, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        => Solve(QuadraticProblem<double>.FromPointClouds(source, target), progress, cancellationToken);

    internal LowRankGromovResult Run(LowRankGromovSetup setup, Relaxation relaxation, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(relaxation);
        ValidateOptions();
        var watch = Stopwatch.StartNew();
        var clock = Profile;
        clock?.Start();
        int n = setup.Rows, m = setup.Cols, r1 = Rank, r2 = LatentRank ?? Rank;
        LowRankValidation.Rank(r1, n, nameof(Rank), setup.RowsRestricted ? "the number of source points with positive weight" : "n");
        LowRankValidation.Rank(r2, m, nameof(LatentRank), setup.ColsRestricted ? "the number of target points with positive weight" : "m");
        var a = setup.A;
        var b = setup.B;
        var objective = new LowRankGromovObjective(setup.Source, setup.Target, setup.Linear, setup.Alpha, r1, r2, relaxation.IsExactA, relaxation.IsExactB);
        var clustered = (Initialization ?? (setup.SourcePoints is not null && setup.TargetPoints is not null && setup.Linear is null ? LowRankInitialization.KMeans : LowRankInitialization.Random)) == LowRankInitialization.KMeans;
        var (q, r, t) = clustered
            ? LowRankGromovCore.Clustered(setup, Seed, r1, r2, ClusterStarts, ClusteredMixing, LatentIterations)
            : LowRankGromovCore.Random(Seed, Gamma, InitialMixing, LatentIterations, a, b, r1, r2);
        clock?.Lap(FrlcGromovProfile.Phase.Initialization);
        var minIterations = MinIterations ?? (clustered ? 20 : 100);

        var logQ = new double[q.Length];
        var logR = new double[r.Length];
        var logT = new double[t.Length];
        DeterministicMath.Log<double>(q, logQ);
        DeterministicMath.Log<double>(r, logR);
        DeterministicMath.Log<double>(t, logT);
        var gq = DenseLinearAlgebra.ColumnSums(q, n, r1);
        var gr = DenseLinearAlgebra.ColumnSums(r, m, r2);
        var lambda = new double[r1 * r2];
        Frlc.Latent(t, gq, gr, lambda);
        objective.Update(q, lambda, r);
        clock?.Lap(FrlcGromovProfile.Phase.Products);

        var s2 = setup.Scale * setup.Scale;
        var trace = new List<double> { objective.Value * s2 };
        var deltas = new List<double>();
        var (workQ, workR, workT, logTNew, gradT) = SharedFrlcStep.WorkBuffers(q.Length, r.Length, t.Length);
        var gradLatent = new double[t.Length];
        var (fQ, hQ, fR, hR, fT, hT) = SharedFrlcStep.Duals(n, r1, m, r2);
        var projection = new SharedFrlcStep.ProjectionOptions(ProjectionIterations, ProjectionThreshold, ProjectionTolerance, ProjectionRelativeTolerance, ProjectionAndersonMemory);

        // Scratch of the three projections, reused every iteration (no per-iteration buffers of size n or n × r).
        var spaceQ = new EntropicProjection.Workspace();
        var spaceR = new EntropicProjection.Workspace();
        var spaceT = new EntropicProjection.Workspace();
        var status = SolverStatus.MaxIterations;
        var iterations = 0;
        var delta = double.NaN;
        var best = new BestIterate(q.Length, r.Length, t.Length);
        best.Save(q, r, t, lambda, objective.Value, objective.GwValue, objective.LinearValue, 0);
        for (var it = 0; it < MaxIterations; it++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            objective.GradientSource(workQ);
            objective.GradientTarget(workR);
            Frlc.RankOneCorrection(workQ, q, gq, n, r1);
            Frlc.RankOneCorrection(workR, r, gr, m, r2);
            clock?.Lap(FrlcGromovProfile.Phase.Products);

            // Row-constant parts: removed where the row marginal is hard (absorbed exactly); on a relaxed side they move
            // mass and stay in the step, but the step is normalised by the row-centred gradients in both cases, since the
            // marginal terms of the square loss would otherwise set ‖∇‖∞ and the step would vanish.
            var gammaK = StepSize(relaxation, workQ, workR, n, m, r1, r2);
            var eps = 1.0 / gammaK;
            var sweeps = SharedFrlcStep.MirrorProject(logQ, workQ, n, r1, a, gq, gammaK, relaxation.TauA(eps), InnerRelaxation.TauA(eps), projection, fQ, hQ, spaceQ);
            sweeps += SharedFrlcStep.MirrorProject(logR, workR, m, r2, b, gr, gammaK, relaxation.TauB(eps), InnerRelaxation.TauB(eps), projection, fR, hR, spaceR);
            clock?.Lap(FrlcGromovProfile.Phase.Projections, sweeps);

            var dQ = TensorPrimitives.Distance<double>(workQ, q);
            var dR = TensorPrimitives.Distance<double>(workR, r);
            iterations = it + 1;
            if (!double.IsFinite(dQ) || !double.IsFinite(dR))
            {
                status = SolverStatus.Diverged;
                break;
            }

            (q, workQ) = (workQ, q);
            (r, workR) = (workR, r);
            gq = DenseLinearAlgebra.ColumnSums(q, n, r1);
            gr = DenseLinearAlgebra.ColumnSums(r, m, r2);
            Frlc.Latent(t, gq, gr, lambda);
            objective.Update(q, lambda, r);

            // T step on the new Q, R: ∇T = diag(1/g_Q) (∂F/∂Λ) diag(1/g_R), centred on both sides.
            objective.GradientLatent(gradLatent);
            Frlc.Latent(gradLatent, gq, gr, gradT);
            LowRankGromovCore.CentreRows(gradT, r1, r2);
            LowRankGromovCore.CentreColumns(gradT, r1, r2);
            clock?.Lap(FrlcGromovProfile.Phase.Products);
            SharedFrlcStep.LatentStep(gradT, Gamma, logT, logTNew, workT, gq, gr, LatentIterations, ProjectionThreshold, fT, hT, spaceT);
            var dT = TensorPrimitives.Distance<double>(workT, t);
            if (!double.IsFinite(dT))
            {
                status = SolverStatus.Diverged;
                break;
            }

            (t, workT) = (workT, t);
            (logT, logTNew) = (logTNew, logT);
            Frlc.Latent(t, gq, gr, lambda);
            clock?.Lap(FrlcGromovProfile.Phase.Latent);
            objective.UpdateLatent(lambda);
            trace.Add(objective.Value * s2);
            delta = (dQ + dR + dT) / (gammaK * gammaK);
            deltas.Add(delta);
            progress?.Report(new SolverProgress("frlc-gw", iterations, MaxIterations, delta));
            if (objective.Value < best.Value)
            {
                best.Save(q, r, t, lambda, objective.Value, objective.GwValue, objective.LinearValue, iterations);
            }

            clock?.Lap(FrlcGromovProfile.Phase.Products);
            clock?.EndIteration();
            if (iterations >= minIterations && (delta < Threshold || LowRankGromovCore.Stalled(trace, ObjectiveTolerance)))
            {
                status = SolverStatus.Converged;
                break;
            }
        }

        double gw = objective.GwValue, lin = objective.LinearValue;
        if (ObjectiveTolerance > 0 && status != SolverStatus.Diverged && best.Value < objective.Value)
        {
            (q, r, t, lambda, gw, lin) = (best.Q, best.R, best.T, best.Lambda, best.Gw, best.Linear);
            trace.Add(best.Value * s2);
        }

        return LowRankGromovCore.Result(setup, q, lambda, r, t, r1, r2, gw, lin, trace, status, iterations, delta, Threshold, deltas, watch.Elapsed, objective, relaxation);
    }

    private double StepSize(Relaxation relaxation, double[] gradQ, double[] gradR, int n, int m, int r1, int r2)
    {
        if (relaxation.IsExactA)
        {
            LowRankGromovCore.CentreRows(gradQ, n, r1);
        }

        if (relaxation.IsExactB)
        {
            LowRankGromovCore.CentreRows(gradR, m, r2);
        }

        var nq = relaxation.IsExactA ? TensorPrimitives.MaxMagnitude<double>(gradQ) : LowRankGromovCore.CentredSupNorm(gradQ, n, r1);
        var nr = relaxation.IsExactB ? TensorPrimitives.MaxMagnitude<double>(gradR) : LowRankGromovCore.CentredSupNorm(gradR, m, r2);
        var norm = Math.Max(nq, nr);
        return norm > 0 && double.IsFinite(norm) ? Gamma / norm : Gamma;
    }

    private void ValidateOptions()
    {
        LowRankValidation.Positive(Gamma, nameof(Gamma));
        if (InnerRelaxation is null)
        {
            throw LowRankValidation.Invalid("InnerRelaxation must not be null (Relaxation.Balanced keeps the inner marginals fixed).", nameof(InnerRelaxation));
        }

        LowRankValidation.NonNegative(Threshold, nameof(Threshold));
        LowRankValidation.NonNegative(ObjectiveTolerance, nameof(ObjectiveTolerance));
        LowRankValidation.NonNegative(ProjectionThreshold, nameof(ProjectionThreshold));
        LowRankValidation.NonNegative(ProjectionTolerance, nameof(ProjectionTolerance));
        LowRankValidation.NonNegative(ProjectionRelativeTolerance, nameof(ProjectionRelativeTolerance));
        LowRankValidation.Count(MaxIterations, 1, nameof(MaxIterations));
        LowRankValidation.Count(MinIterations ?? 0, 0, nameof(MinIterations));
        LowRankValidation.Count(ProjectionIterations, 1, nameof(ProjectionIterations));
        LowRankValidation.Count(ProjectionAndersonMemory, 0, nameof(ProjectionAndersonMemory));
        LowRankValidation.Count(LatentIterations, 1, nameof(LatentIterations));
        if (Initialization == LowRankInitialization.Rank2)
        {
            throw LowRankValidation.Invalid("FRLC-GW does not take the rank-2 initialisation (it starts at a stationary point of GW); use KMeans or Random.", nameof(Initialization));
        }

        if (!(InitialMixing >= 0 && InitialMixing < 1))
        {
            throw LowRankValidation.Invalid($"InitialMixing must be in [0, 1) (got {InitialMixing}).", nameof(InitialMixing));
        }
    }

    /// <summary>The iterate with the lowest objective so far, in buffers allocated once (copied into, not cloned).</summary>
    private sealed class BestIterate(long qLength, long rLength, int tLength)
    {
        public double[] Q { get; } = new double[qLength];

        public double[] R { get; } = new double[rLength];

        public double[] T { get; } = new double[tLength];

        public double[] Lambda { get; } = new double[tLength];

        public double Value { get; private set; } = double.PositiveInfinity;

        public double Gw { get; private set; }

        public double Linear { get; private set; }

        public int Iteration { get; private set; }

        public void Save(double[] q, double[] r, double[] t, double[] lambda, double value, double gw, double linear, int iteration)
        {
            Array.Copy(q, Q, q.Length);
            Array.Copy(r, R, r.Length);
            Array.Copy(t, T, t.Length);
            Array.Copy(lambda, Lambda, lambda.Length);
            (Value, Gw, Linear, Iteration) = (value, gw, linear, iteration);
        }
    }
}
