using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// Entropic Gromov-Wasserstein and fused Gromov-Wasserstein with the square loss, balanced, semi-relaxed and unbalanced
/// (Peyré, Cuturi, Solomon 2016; Vayer et al. 2019 for FGW; Séjourné, Vialard, Peyré 2021 for the unbalanced case).
/// Each outer iteration linearizes the objective at the current plan and solves the linear problem with the log-domain
/// <see cref="Sinkhorn"/> (<see cref="LinearSolver"/>), warm-started from the previous potentials. An immutable options
/// record.
/// </summary>
/// <remarks>
/// <para>
/// <b>Conventions (POT's).</b> GW(P) = ⟨L(C1, C2) ⊗ P, P⟩ with L(x, y) = (x − y)², no ½ and no root; FGW(P) =
/// (1 − α)⟨M, P⟩ + α·GW(P). Mirror descent iterates P ← Sinkhorn(∇FGW(P), ε) with ∇GW(P) = 2 L ⊗ P for symmetric
/// costs (L ⊗ P + Lᵀ ⊗ P otherwise), exactly <c>ot.gromov.entropic_gromov_wasserstein(..., epsilon)</c>. OTT-JAX
/// linearizes with L ⊗ P (no factor 2), so ε here = 2·ε of OTT-JAX for the same fixed point.
/// </para>
/// <para>
/// <b>Unbalanced and semi-relaxed.</b> With a relaxed side the objective is Séjourné et al.'s UGW in POT units:
/// GW(P) + (ε/2)·KL⊗(P ‖ a⊗b) + (ρ_a/2)·KL⊗(P1 ‖ a) + (ρ_b/2)·KL⊗(Pᵀ1 ‖ b), with KL⊗(μ ‖ ν) = KL(μ⊗μ ‖ ν⊗ν) and ρ the
/// KL weight of <see cref="Relaxation"/> (τ = ρ/(ρ + ε)); at mass one it is GW + ε·KL + ρ_a·KL + ρ_b·KL, the balanced
/// objective as ρ → ∞. Each outer step solves an unbalanced Sinkhorn on the linearization 2 L ⊗ Γ plus the mass
/// correction ε·KL-terms of Γ (a scalar), at ε·m(Γ), then rescales the plan by √(m(Γ)/m(P)) (Algorithm 1 of the paper).
/// One exact side is the semi-relaxed problem; a free marginal (Vincent-Cuaz et al. 2022) is the limit ρ → 0.
/// </para>
/// <para>
/// Time per outer iteration: one or two tensor products (O(n²m + nm²) dense, O(n·m·r) on factored costs such as squared
/// Euclidean point clouds) plus one Sinkhorn on a dense n × m cost. Memory: O(n·m) (the plan, the linearized cost and two
/// work arrays; about 5·n·m values).
/// </para>
/// </remarks>
public sealed partial record EntropicGromovWasserstein
{
    /// <summary>The entropic regularization ε in POT's convention (absolute, default 0.1 as POT ≥ 0.9). See the remarks for OTT-JAX's.</summary>
    public double Epsilon { get; init; } = 0.1;


    /// <summary>
    /// Whether <see cref="Epsilon"/> is absolute (default, POT's convention) or a multiple of a statistic of the first
    /// linearized cost ∇F(P₀) (its mean or standard deviation over the n × m entries, one extra O(n·m) pass), so that the
    /// answer does not depend on the units of the costs: coordinates in micrometres or millimetres give the same plan.
    /// The ε actually used is reported in <see cref="EntropicGromovWassersteinResult{T}.Epsilon"/>.
    /// </summary>
    public EpsilonReference EpsilonRelativeTo { get; init; } = EpsilonReference.Absolute;

    /// <summary>Mirror descent (default) or the proximal point method.</summary>
    public EntropicGromovMethod Method { get; init; } = EntropicGromovMethod.MirrorDescent;

    /// <summary>
    /// Decreasing-ε schedule over the outer iterations: iteration t uses ε·max(InitialMultiplier·Decay^t, 1). Default
    /// none. Convergence is only declared once ε is reached.
    /// </summary>
    public EpsilonScaling EpsilonSchedule { get; init; } = EpsilonScaling.None;

    /// <summary>
    /// Stop when the fixed-point residual ‖P_{t+1} − P_t‖₁ / m(P_t) is at most this (default 1e-9, POT's tolerance; POT
    /// measures the Frobenius norm every 10 iterations, which is never larger).
    /// </summary>
    public double Threshold { get; init; } = 1e-9;

    /// <summary>Outer iteration budget (default 1000, POT's).</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Never stop before this many outer iterations (default 0).</summary>
    public int MinIterations { get; init; }

    /// <summary>
    /// The inner solver (default: L1 marginal threshold 1e-10, at most 20 000 iterations, the error checked every iteration,
    /// adaptive over-relaxation). Its <see cref="Sinkhorn.Epsilon"/> is replaced by the outer iteration's ε, its threshold
    /// by the adaptive one (<see cref="AdaptiveInnerThreshold"/>). With <see cref="KernelInnerSolver"/> (default) balanced
    /// problems use it only for steps whose kernel scalings break down; its threshold, iteration budget, L1 norm and KL
    /// convention still apply.
    /// </summary>
    public Sinkhorn LinearSolver { get; init; } = new() { Threshold = 1e-10, MaxIterations = 20_000, InnerIterations = 1 };

    /// <summary>
    /// Whether the inner Sinkhorn tolerance follows the outer residual (default true): outer step t + 1 solves to
    /// max(<see cref="Sinkhorn.Threshold"/> of <see cref="LinearSolver"/>, min(<see cref="InnerResidualFraction"/> ×
    /// residual_t, <see cref="MaxInnerThreshold"/>)), so early steps, whose plans are discarded anyway, cost a few
    /// Sinkhorn iterations each. Convergence is declared only when the last Sinkhorn met the floor threshold, so the
    /// fixed point is the same as with exact inner solves.
    /// </summary>
    public bool AdaptiveInnerThreshold { get; init; } = true;

    /// <summary>The fraction of the last outer residual used as the inner tolerance (default 0.1), see <see cref="AdaptiveInnerThreshold"/>.</summary>
    public double InnerResidualFraction { get; init; } = 0.1;

    /// <summary>The loosest inner tolerance (default 1e-3), see <see cref="AdaptiveInnerThreshold"/>.</summary>
    public double MaxInnerThreshold { get; init; } = 1e-3;

    /// <summary>
    /// Whether balanced problems with positive weights run their inner Sinkhorn in the kernel domain around the previous
    /// step's potentials (default true; see the remarks): one exp per entry per outer step instead of one per entry per
    /// Sinkhorn iteration, the n × m buffers reused. A step whose scalings break down (non-finite) is redone by the
    /// log-domain <see cref="LinearSolver"/>. False: every step uses <see cref="LinearSolver"/>.
    /// </summary>
    public bool KernelInnerSolver { get; init; } = true;

    /// <summary>
    /// A cap on the Sinkhorn iterations of one outer step (default null: <see cref="Sinkhorn.MaxIterations"/> of
    /// <see cref="LinearSolver"/>). A step that hits it counts in <see cref="EntropicGromovWassersteinResult{T}.InnerFailures"/>;
    /// the run is reported converged only if the last step's Sinkhorn met its threshold.
    /// </summary>
    public int? MaxInnerIterations { get; init; }

    /// <summary>
    /// Depth of an optional Anderson acceleration of the outer mirror-descent loop (default 0: off; 4 is a reasonable
    /// depth): once the fixed-point residual is below 1e-4, the point fed to the next linearization is the combination of
    /// the last Sinkhorn outputs whose residuals best cancel (type II, Walker and Ni 2011). Balanced mirror descent only,
    /// at the final ε of a schedule; an extrapolated point need not be a plan (the linearized cost stays finite; every
    /// Sinkhorn output is a plan), and convergence is declared only on a plain step, so the reported residual is that of
    /// the unaccelerated map. The history restarts when the residual more than doubles over its best since the last
    /// restart. Measured (docs/gromov-entropic.md): 4× fewer outer steps on a 2-D cloud at n = 300, but more on 30-D
    /// clouds, and, engaged from the first step, a different (worse) fixed point on a 2-D cloud at n = 1000, hence off
    /// by default and gated. Memory: (2·depth + 3) extra n × m arrays, used only while they fit in 1 GiB.
    /// </summary>
    public int AndersonDepth { get; init; }

    /// <summary>The fixed-point residual below which <see cref="AndersonDepth"/> engages.</summary>
    private const double AndersonStart = 1e-4;

    /// <summary>Kernel-domain iterations of one step before it goes on in the log domain (see <see cref="KernelInnerSolver"/>).</summary>
    private const int KernelIterationBudget = 100;

    /// <summary>Whether each Sinkhorn starts from the previous potentials (default true). The inner threshold of the
    /// final steps is the smaller of <see cref="LinearSolver"/>'s and <see cref="Threshold"/>.</summary>
    public bool WarmStart { get; init; } = true;

    /// <summary>Checks the options.</summary>
    /// <exception cref="InputValidationException">An option is out of range.</exception>
    public void Validate()
    {
        static void Fail(string name, string message) => throw new InputValidationException(InputProblem.InvalidParameter, message, name);
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon))
        {
            Fail(nameof(Epsilon), $"ε must be positive and finite (got {Epsilon}).");
        }

        if (!(Threshold > 0) || !double.IsFinite(Threshold))
        {
            Fail(nameof(Threshold), $"The threshold must be positive and finite (got {Threshold}).");
        }

        if (MaxIterations < 1 || MinIterations < 0 || MinIterations > MaxIterations)
        {
            Fail(nameof(MaxIterations), $"Need 0 ≤ MinIterations ≤ MaxIterations and MaxIterations ≥ 1 (got {MinIterations}, {MaxIterations}).");
        }

        ArgumentNullException.ThrowIfNull(EpsilonSchedule);
        if (!(EpsilonSchedule.InitialMultiplier >= 1) || !(EpsilonSchedule.Decay > 0 && EpsilonSchedule.Decay <= 1) || !double.IsFinite(EpsilonSchedule.InitialMultiplier))
        {
            Fail(nameof(EpsilonSchedule), $"The ε schedule needs an initial multiplier ≥ 1 and a decay in (0, 1] (got {EpsilonSchedule.InitialMultiplier}, {EpsilonSchedule.Decay}).");
        }

        if (AndersonDepth is < 0 or > 50)
        {
            Fail(nameof(AndersonDepth), $"The Anderson depth must be between 0 and 50 (got {AndersonDepth}).");
        }

        if (MaxInnerIterations is < 1)
        {
            Fail(nameof(MaxInnerIterations), $"The inner iteration cap must be at least 1 (got {MaxInnerIterations}).");
        }

        if (!(InnerResidualFraction > 0) || !double.IsFinite(InnerResidualFraction) || !(MaxInnerThreshold > 0) || !double.IsFinite(MaxInnerThreshold))
        {
            Fail(nameof(InnerResidualFraction), $"The inner residual fraction and the loosest inner threshold must be positive and finite (got {InnerResidualFraction}, {MaxInnerThreshold}).");
        }

        ArgumentNullException.ThrowIfNull(LinearSolver);
        (LinearSolver with { Epsilon = Epsilon }).Validate();
    }

    /// <summary>Solves the problem from a⊗b (a⊗b/√(m(a)m(b)) when unbalanced) or from a given plan.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="problem">The (fused) GW problem; any <see cref="GromovLoss"/>, any relaxation.</param>
    /// <param name="initialPlan">A starting plan (n × m row-major, copied), or null.</param>
    /// <param name="progress">Receives the fixed-point residual after each outer iteration.</param>
    /// <param name="cancellationToken">Stops at the next outer iteration (status <see cref="SolverStatus.Cancelled"/>).</param>
    /// <returns>The plan, objective, residual and convergence report. Non-convergence is a status, not an exception.</returns>
    /// <exception cref="InputValidationException">Invalid options, a plan of the wrong length, or the proximal point method on a relaxed problem.</exception>
    /// <exception cref="InvalidOperationException">n·m above 10⁸ entries (the plan is dense).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // one long loop per call: skip tier-0 code and on-stack replacement
    public EntropicGromovWassersteinResult<T> Solve<T>(QuadraticProblem<T> problem, T[]? initialPlan = null, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(problem);
        Validate();
        var n = problem.Rows;
        var m = problem.Cols;
        var entries = Numerics.PlanSize.EnsureDense<T>(n, m, Numerics.PlanSize.DefaultMaxEntries, "entropic Gromov-Wasserstein plan");
        var unbalanced = !problem.Relaxation.IsBalanced;
        if (unbalanced && Method == EntropicGromovMethod.ProximalPoint)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "The proximal point method solves balanced problems only; use mirror descent for unbalanced or semi-relaxed ones.", nameof(problem));
        }

        var stopwatch = Stopwatch.StartNew();
        var a = problem.A.ToArray();
        var b = problem.B.ToArray();
        var plan = new T[entries];
        if (initialPlan is null)
        {
            var scale = unbalanced ? 1.0 / Math.Sqrt(problem.MassA * problem.MassB) : 1.0 / problem.MassA;
            for (var i = 0; i < n; i++)
            {
                var ai = double.CreateTruncating(a[i]) * scale;
                for (var j = 0; j < m; j++)
                {
                    plan[(i * m) + j] = T.CreateTruncating(ai * double.CreateTruncating(b[j]));
                }
            }
        }
        else
        {
            if (initialPlan.Length != entries)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"The initial plan has {initialPlan.Length} entries; the problem needs {n} × {m}.", nameof(initialPlan));
            }

            initialPlan.CopyTo(plan, 0);
        }

        T[]? proximal = null;
        SinkhornPotentials<T>? potentials = null;
        var trace = new List<double>();
        var status = SolverStatus.MaxIterations;
        var iterations = 0;
        long innerIterations = 0;
        var innerFailures = 0;
        var lastInnerConverged = true;
        var residual = double.NaN;
        var baseEpsilon = ResolveEpsilon(problem, plan);
        var previousEpsilon = baseEpsilon;
        var warmup = EpsilonSchedule.WarmupIterations;
        SinkhornPotentials<T>? lastPotentials = null;
        var kernel = !unbalanced && KernelInnerSolver && LinearSolver.Norm == MarginalNorm.L1 && LinearSolver.Convention == EntropyConvention.KullbackLeibler
            && KernelScaling<T>.Supports(a, b) ? new KernelScaling<T>(a, b) : null;
        var fWork = new T[n];

        // The inner accuracy of the final steps: the Sinkhorn threshold, or the outer one if that is finer (an inner error e
        // moves the plan by about e, so the outer residual cannot settle much below it).
        var innerFloor = Math.Min(LinearSolver.Threshold, Threshold);
        var gWork = new T[m];
        var next = new T[entries];

        // Buffers reused by every outer step: the linearized cost (and, for the proximal point method, the proximal term).
        var cost = new T[entries];
        var rowScratch = new T[m];
        var anderson = AndersonDepth > 0 && !unbalanced && Method == EntropicGromovMethod.MirrorDescent
            && entries * ((2L * AndersonDepth) + 3) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>() <= 1L << 30
            ? new OuterAnderson<T>(AndersonDepth, entries) : null;
        var extrapolated = false; // whether `plan` is an Anderson point rather than a Sinkhorn output
        var bestResidual = double.PositiveInfinity;
        for (var t = 0; t < MaxIterations; t++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            var epsilon = baseEpsilon * EpsilonSchedule.MultiplierAt(t);
            var massGamma = Sum(plan);
            if (!(massGamma > 0) || !double.IsFinite(massGamma))
            {
                status = SolverStatus.Diverged;
                break;
            }

            // The linearized cost: (1 − α)·M + α·∇GW(P) (+ the proximal term −ε log(P/ab), or the unbalanced correction).
            problem.GradientInto(plan, cost, rowScratch);
            if (proximal is not null)
            {
                TensorPrimitives.MultiplyAdd(proximal, T.CreateTruncating(epsilon / previousEpsilon), cost, cost);
            }

            var sinkhornEpsilon = epsilon;
            var relaxation = Relaxation.Balanced;
            if (unbalanced)
            {
                var shift = UnbalancedShift(problem, plan, epsilon);
                TensorPrimitives.Add(cost, T.CreateTruncating(shift), cost);
                sinkhornEpsilon = epsilon * massGamma;
                relaxation = Relaxation.FromTau(problem.Relaxation.TauA(epsilon), problem.Relaxation.TauB(epsilon));
            }

            // Inexact inner solves: far from the fixed point the Sinkhorn only has to be accurate to a fraction of the
            // outer residual; the floor LinearSolver.Threshold is always used once the residual is near Threshold.
            var innerThreshold = innerFloor;
            if (AdaptiveInnerThreshold && double.IsFinite(residual))
            {
                innerThreshold = Math.Clamp(InnerResidualFraction * residual, innerFloor, Math.Max(innerFloor, MaxInnerThreshold));
            }

            var innerMax = Math.Min(LinearSolver.MaxIterations, MaxInnerIterations ?? int.MaxValue);
            if (!WarmStart || potentials is null)
            {
                Array.Clear(fWork);
                Array.Clear(gWork);
            }

            bool innerConverged;
            double innerError;
            var solved = false;
            if (kernel is not null)
            {
                // Plain scaling iterations converge slowly at small ε: past KernelIterationBudget the step goes on in the
                // log domain (with over-relaxation) from the potentials reached.
                var (count, error, ok) = kernel.Solve(cost, sinkhornEpsilon, innerThreshold, Math.Min(innerMax, KernelIterationBudget), LinearSolver.Momentum, LinearSolver.Safeguard, fWork, gWork, next);
                innerIterations += count;
                solved = ok || (count >= innerMax && !double.IsNaN(error)); // converged, or the step's cap reached
                innerError = error;
                innerConverged = ok && error <= innerThreshold;
                if (double.IsNaN(error))
                {
                    // The scalings broke down (ε tiny against the change of cost): this step in the log domain, afresh.
                    Array.Clear(fWork);
                    Array.Clear(gWork);
                }

                innerMax -= count;
            }
            else
            {
                innerConverged = false;
                innerError = double.NaN;
            }

            if (!solved)
            {
                var linearProblem = new LinearProblem<T>(new DenseGeometry<T>(cost, n, m, T.One, trusted: true), a, b, relaxation);
                var solver = LinearSolver with { Epsilon = sinkhornEpsilon, EpsilonRelativeTo = EpsilonReference.Absolute, CostStorage = CostStorage.Dense, Threshold = innerThreshold, MaxIterations = innerMax };
                var result = solver.Solve(linearProblem, (WarmStart && potentials is not null) || kernel is not null ? new SinkhornPotentials<T>(fWork, gWork) : null, progress: null, cancellationToken);
                innerIterations += result.Convergence.Iterations;
                innerConverged = result.Converged;
                innerError = result.Convergence.FinalError;
                result.F.CopyTo(fWork, 0);
                result.G.CopyTo(gWork, 0);
                result.ToDense().CopyTo(next, 0);
            }

            lastInnerConverged = innerConverged && innerError <= innerFloor;
            if (!innerConverged)
            {
                innerFailures++;
            }

            if (!AllFinite<T>(next, m))
            {
                status = SolverStatus.Diverged;
                iterations = t + 1;
                break;
            }

            if (unbalanced)
            {
                var mass = Sum<T>(next);
                TensorPrimitives.Multiply(next, T.CreateTruncating(Math.Sqrt(massGamma / mass)), next);
            }

            residual = L1Distance<T>(next, plan, rowScratch) / massGamma;
            trace.Add(residual);
            if (Method == EntropicGromovMethod.ProximalPoint)
            {
                // −ε log(P_{t+1} / ab) = C_t − f ⊕ g: the proximal term of the next step, bounded whatever t.
                proximal ??= new T[entries];
                for (var i = 0; i < n; i++)
                {
                    var row = proximal.AsSpan(i * m, m);
                    TensorPrimitives.Subtract(cost.AsSpan(i * m, m), fWork[i], row);
                    TensorPrimitives.Subtract(row, gWork, row);
                }

                previousEpsilon = epsilon;
            }

            var done = t + 1 >= warmup && t + 1 >= MinIterations && residual <= Threshold && lastInnerConverged && !extrapolated;
            if (anderson is not null && t >= warmup && (residual <= AndersonStart || extrapolated))
            {
                // x_{t+1} from (x_t, y_t = next): plain once the residual is at the threshold (convergence is declared on
                // a plain step only), or after a restart when the residual grew.
                var plain = residual <= Threshold || done;
                if (residual > 2 * bestResidual)
                {
                    anderson.Reset();
                    bestResidual = double.PositiveInfinity;
                    plain = true;
                }

                bestResidual = Math.Min(bestResidual, residual);
                extrapolated = anderson.Next(plan, next, plain);
            }
            else
            {
                (plan, next) = (next, plan);
                extrapolated = false;
            }

            potentials = new SinkhornPotentials<T>(fWork, gWork);
            iterations = t + 1;
            progress?.Report(new SolverProgress("entropic gromov-wasserstein", iterations, MaxIterations, residual));
            if (done)
            {
                status = SolverStatus.Converged;
                break;
            }
        }

        if (extrapolated && status != SolverStatus.Diverged)
        {
            // The loop ended on an Anderson point: return the last Sinkhorn output (a plan).
            next.CopyTo(plan, 0);
        }

        if (status == SolverStatus.Converged && !lastInnerConverged)
        {
            status = SolverStatus.MaxIterations;
        }

        if (potentials is not null)
        {
            lastPotentials = new SinkhornPotentials<T>((T[])fWork.Clone(), (T[])gWork.Clone());
        }

        stopwatch.Stop();
        var convergence = new Convergence(status, iterations, residual, Threshold, trace, stopwatch.Elapsed);
        return EntropicGromovWassersteinResult<T>.Create(this with { Epsilon = baseEpsilon, EpsilonRelativeTo = EpsilonReference.Absolute }, problem, plan, lastPotentials, convergence, innerIterations, innerFailures);
    }

    /// <summary>The scalar correction of Séjourné et al.: ε·KL-part of Γ against ab plus ρ_a, ρ_b times those of its marginals.</summary>
    /// <summary>The absolute ε of the first outer iteration: <see cref="Epsilon"/>, or that multiple of the mean or standard
    /// deviation of ∇F(P₀) when <see cref="EpsilonRelativeTo"/> says so.</summary>
    private double ResolveEpsilon<T>(QuadraticProblem<T> problem, T[] plan)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (EpsilonRelativeTo == EpsilonReference.Absolute)
        {
            return Epsilon;
        }

        var gradient = problem.Gradient(plan);
        double sum = 0, sumSquares = 0;
        foreach (var value in gradient)
        {
            var v = double.CreateTruncating(value);
            sum += v;
            sumSquares += v * v;
        }

        var mean = sum / gradient.Length;
        var reference = EpsilonRelativeTo switch
        {
            EpsilonReference.MeanCost => mean,
            EpsilonReference.StdCost => Math.Sqrt(Math.Max(0, (sumSquares / gradient.Length) - (mean * mean))),
            _ => throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown ε reference {EpsilonRelativeTo}.", nameof(problem)),
        };
        if (!(reference > 0) || !double.IsFinite(reference))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"A relative ε needs a positive {(EpsilonRelativeTo == EpsilonReference.MeanCost ? "mean" : "standard deviation")} of the first linearized cost (got {reference}); give an absolute ε.", nameof(problem));
        }

        return Epsilon * reference;
    }

    private static double UnbalancedShift<T>(QuadraticProblem<T> input, T[] gamma, double epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = input.Rows;
        var m = input.Cols;
        var rows = new T[n];
        var cols = new T[m];
        RowColumnSums<T>(gamma, n, m, rows, cols);
        var shift = epsilon * XLogXOverProduct<T>(gamma, input.A, input.B);
        if (!input.Relaxation.IsExactA)
        {
            shift += input.Relaxation.RhoA(epsilon) * XLogXOver(rows, input.A);
        }

        if (!input.Relaxation.IsExactB)
        {
            shift += input.Relaxation.RhoB(epsilon) * XLogXOver(cols, input.B);
        }

        return shift;
    }

    /// <summary>Row and column sums of an n × m row-major plan.</summary>
    internal static void RowColumnSums<T>(ReadOnlySpan<T> plan, int n, int m, Span<T> rows, Span<T> cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var colAcc = new double[m];
        for (var i = 0; i < n; i++)
        {
            double s = 0;
            var row = plan.Slice(i * m, m);
            for (var j = 0; j < m; j++)
            {
                var p = double.CreateTruncating(row[j]);
                s += p;
                colAcc[j] += p;
            }

            rows[i] = T.CreateTruncating(s);
        }

        for (var j = 0; j < m; j++)
        {
            cols[j] = T.CreateTruncating(colAcc[j]);
        }
    }

    /// <summary>Σ_ij P_ij log(P_ij / (a_i b_j)) over the positive entries of an n × m row-major plan.</summary>
    internal static double XLogXOverProduct<T>(ReadOnlySpan<T> plan, ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = b.Length;
        double s = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var ai = double.CreateTruncating(a[i]);
            for (var j = 0; j < m; j++)
            {
                var p = double.CreateTruncating(plan[(i * m) + j]);
                if (p > 0)
                {
                    s += p * Math.Log(p / (ai * double.CreateTruncating(b[j])));
                }
            }
        }

        return s;
    }

    /// <summary>Σ x log(x / w) (0 where x = 0).</summary>
    internal static double XLogXOver<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = 0;
        for (var k = 0; k < x.Length; k++)
        {
            var v = double.CreateTruncating(x[k]);
            if (v > 0)
            {
                s += v * Math.Log(v / double.CreateTruncating(w[k]));
            }
        }

        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Sum<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Vectorized within chunks of 1024, the chunk sums accumulated in double.
        const int Chunk = 1024;
        double s = 0;
        for (var k = 0; k < x.Length; k += Chunk)
        {
            s += double.CreateTruncating(TensorPrimitives.Sum(x.Slice(k, Math.Min(Chunk, x.Length - k))));
        }

        return s;
    }

    /// <summary>‖x − y‖₁, one scratch-sized chunk at a time (vectorized, chunk sums in double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double L1Distance<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = 0;
        for (var k = 0; k < x.Length; k += scratch.Length)
        {
            var len = Math.Min(scratch.Length, x.Length - k);
            var d = scratch[..len];
            TensorPrimitives.Subtract(x.Slice(k, len), y.Slice(k, len), d);
            s += double.CreateTruncating(TensorPrimitives.SumOfMagnitudes<T>(d));
        }

        return s;
    }

    /// <summary>Whether every entry is finite: a row's sum of magnitudes is finite exactly when its entries are (plans are
    /// bounded by their mass, so the sum does not overflow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite<T>(ReadOnlySpan<T> x, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var k = 0; k < x.Length; k += chunk)
        {
            if (!T.IsFinite(TensorPrimitives.SumOfMagnitudes<T>(x.Slice(k, Math.Min(chunk, x.Length - k)))))
            {
                return false;
            }
        }

        return true;
    }
}
