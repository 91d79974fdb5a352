using System.Numerics;
using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Problems;

namespace Monge.Solvers.Entropic;

/// <summary>
/// Log-domain Sinkhorn for entropic optimal transport, balanced, unbalanced and semi-relaxed (Cuturi 2013;
/// Schmitzer 2019 for the log domain; Chizat et al. 2018 and Séjourné et al. 2019 for the unbalanced updates). An
/// immutable options record: set the properties, then call <see cref="Solve{T}(LinearProblem{T}, IProgress{SolverProgress}, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Each iteration performs the Gauss–Seidel updates g ← τ_b·(ε·ℓ^t_b + softmin_ε(f)) and f ← τ_a·(ε·ℓ^t_a + softmin_ε(g))
/// through <see cref="CostGeometry{T}.SoftMin"/>, so one Sinkhorn serves dense, online and low-rank costs. Time per
/// iteration: two soft-mins, O(n·m·d) on point clouds (O(n·m) dense); memory O(n + m) beyond the geometry. The marginal
/// error is measured every <see cref="InnerIterations"/> iterations at no extra cost (it reuses the next soft-min).
/// </para>
/// <para>
/// Defaults follow OTT-JAX: ε = 0.05·std(C) when <see cref="Epsilon"/> is null, threshold 1e-3 on the L1 marginal
/// error, check every 10 iterations, at most 2000 iterations, KL(P ‖ a⊗b) regularization.
/// </para>
/// </remarks>
public sealed partial record Sinkhorn
{
    /// <summary>The regularization ε; null means 0.05·std(C) (OTT-JAX's default). See <see cref="EpsilonRelativeTo"/>.</summary>
    public double? Epsilon { get; init; }

    /// <summary>Whether <see cref="Epsilon"/> is absolute or multiplied by a cost statistic (one O(n·m) pass).</summary>
    public EpsilonReference EpsilonRelativeTo { get; init; } = EpsilonReference.Absolute;

    /// <summary>ε-scaling schedule (default none).</summary>
    public EpsilonScaling EpsilonScaling { get; init; } = EpsilonScaling.None;

    /// <summary>Stop when the marginal error is at most this (default 1e-3).</summary>
    public double Threshold { get; init; } = 1e-3;

    /// <summary>The norm of the marginal error (default L1, as OTT-JAX; POT uses L2).</summary>
    public MarginalNorm Norm { get; init; } = MarginalNorm.L1;

    /// <summary>
    /// Check the error every this many iterations (default 10). With the adaptive ω (<see cref="Momentum"/> null, no
    /// Anderson), once the rate of the last interval predicts an error within 10 × <see cref="Threshold"/> at the next
    /// check, the error is also checked after every iteration, so the run stops at the first iteration that meets the
    /// threshold (these checks reuse both soft-mins of the iteration: O(n + m) each).
    /// </summary>
    public int InnerIterations { get; init; } = 10;

    /// <summary>Iteration budget (default 2000). One iteration updates both potentials.</summary>
    public int MaxIterations { get; init; } = 2000;

    /// <summary>Never stop before this many iterations (default 0).</summary>
    public int MinIterations { get; init; }

    /// <summary>Entropic regularizer (default KL(P ‖ a⊗b)).</summary>
    public EntropyConvention Convention { get; init; } = EntropyConvention.KullbackLeibler;

    /// <summary>
    /// Over-relaxation ω ∈ (0, 2) (Thibault et al. 2021; Lehmann et al. 2021): h ← (1 − ω)·h + ω·h_update for both
    /// potentials. Null (default): adaptive, starting at 1 (plain Sinkhorn) and raised at each error check towards the
    /// optimal ω* = 2 / (1 + √(1 − η)) estimated from the observed linear rate η (at most 1.95); typically 5–10× fewer
    /// iterations than plain Sinkhorn at small ε. 1 is plain Sinkhorn; a fixed value in (1, 2) is used from
    /// <see cref="MomentumStart"/> on. Either way <see cref="Safeguard"/> rolls back steps that make things worse.
    /// </summary>
    public double? Momentum { get; init; }

    /// <summary>
    /// Safeguard for over-relaxation and Anderson acceleration (default on): at an error check whose marginal error is more
    /// than 10× the best seen, or whose plan mass exceeds 10·max(|a|, |b|, |a|·|b|), or after a step with non-finite
    /// potentials, the run goes back to the iterate with the best error, halves ω − 1 (ω = 1 after three rollbacks) and
    /// turns Anderson off. Without it such a run stops as <see cref="SolverStatus.Diverged"/>.
    /// </summary>
    public bool Safeguard { get; init; } = true;

    /// <summary>Iteration from which <see cref="Momentum"/> applies (default 0).</summary>
    public int MomentumStart { get; init; }

    /// <summary>Anderson acceleration memory (0 = off; 2 to 5 typical). Extrapolates f from the last iterates (Chizat et al. 2020 style).</summary>
    public int AndersonMemory { get; init; }

    /// <summary>
    /// How the potentials start (default zero): <see cref="SinkhornInitializer.Gaussian"/> (squared Euclidean point clouds),
    /// <see cref="SinkhornInitializer.Sorting"/> (1-D point clouds) or <see cref="SinkhornInitializer.Subsample"/>. A good
    /// start cuts iterations at small ε; the converged solution does not depend on it.
    /// </summary>
    public SinkhornInitializer Initializer { get; init; } = SinkhornInitializer.Zero;

    /// <summary>Points per side for <see cref="SinkhornInitializer.Subsample"/> (default 1000).</summary>
    public int SubsampleSize { get; init; } = 1000;

    /// <summary>
    /// <see cref="SinkhornInitializer.Subsample"/>: solve the subsample at this multiple of ε (default 1, as OTT-JAX; larger
    /// values gave no clear gain in docs/benchmarks.md). At least 1.
    /// </summary>
    public double SubsampleEpsilonMultiplier { get; init; } = 1;

    /// <summary>
    /// With ε-scaling and a non-zero <see cref="Initializer"/>: the multiple of ε the schedule starts from instead of
    /// <see cref="EpsilonScaling.InitialMultiplier"/> (never above it; 1 skips the scaling). Null (default): max(level,
    /// 0.2·σ_f/ε), with level the multiple of ε the start was computed at (1 for Gaussian and Sorting,
    /// <see cref="SubsampleEpsilonMultiplier"/> for Subsample) and σ_f the a-weighted standard deviation of the initial f,
    /// so that the large-ε phase does not erase the start (a schedule from ×100 used to). A zero start runs the full
    /// schedule.
    /// </summary>
    public double? InitializedScalingStart { get; init; }

    /// <summary>
    /// How the iterations hold the costs (default <see cref="CostStorage.Auto"/>): a point-cloud geometry is stored as a
    /// dense matrix (built once with matrix products for squared Euclidean) when the matrix and its transposed copy,
    /// 2·n·m values, fit in <see cref="MaxCostMemory"/> and a stored pass is cheaper than recomputing (every cost but
    /// squared Euclidean, which from dimension 16 on); otherwise online. <see cref="CostStorage.Dense"/> forces the matrix
    /// (an error if it does not fit), <see cref="CostStorage.Online"/> keeps the geometry as given. The answer does not
    /// depend on it (up to rounding); the result reports the choice and its memory.
    /// </summary>
    public CostStorage CostStorage { get; init; } = CostStorage.Auto;

    /// <summary>Memory budget in bytes for a stored cost matrix; null: a quarter of the available memory, at most 2 GiB.</summary>
    public long? MaxCostMemory { get; init; }

    /// <summary>The budget used when <see cref="MaxCostMemory"/> is null: a quarter of the memory available to the process, at most 2 GiB.</summary>
    public static long DefaultMaxCostMemory => CostStoragePolicy.DefaultBudget;

    /// <summary>
    /// Kernel-domain iterations (default true): in double precision, when the costs are stored dense and the n·m kernel
    /// (float32 from <see cref="SingleKernelMinEntries"/> entries on) fits the cost-memory budget next to them, each soft-min is a
    /// product with a stored kernel K = exp((α ⊕ β − C)/ε) whose reference potentials absorb the iterates whenever they
    /// leave a safe range (<see cref="KernelSoftMin"/>); the same soft-min as the log domain up to rounding, without an
    /// exp per entry. It falls back to the log domain by itself when absorptions come too often (very small ε). False:
    /// log domain throughout (the tests' reference).
    /// </summary>
    internal bool KernelIterations { get; init; } = true;

    /// <summary>Kernel entries from which the stored kernel is float32 (2²²: 32 MiB as doubles, beyond the caches); below, double.</summary>
    internal const long SingleKernelMinEntries = 1L << 22;

    /// <summary>
    /// Single-precision early iterations (default true): a double-precision run on an online squared Euclidean point
    /// cloud with at least <see cref="SingleMinEntries"/> entries runs its soft-mins in float32 (<see cref="SingleSoftMin"/>)
    /// until the marginal error at a check is within <see cref="SingleSwitchFactor"/> × <see cref="Threshold"/> (or
    /// 1e-3 of the target marginal's norm, whichever is larger), then in double; every error check is in double.
    /// </summary>
    internal bool SingleEarlyIterations { get; init; } = true;

    /// <summary>Entries (n·m) from which the early iterations run in float32 (2²⁰; below, a soft-min is cheap anyway).</summary>
    internal const long SingleMinEntries = 1L << 20;

    /// <summary>The float32 phase ends at the first check whose error is at most this multiple of the threshold (default 10).</summary>
    internal double SingleSwitchFactor { get; init; } = 10;

    /// <summary>Forces the kernel's precision (true: float32, false: double); null (default): by size, <see cref="SingleKernelMinEntries"/>.</summary>
    internal bool? SingleKernel { get; init; }

    /// <summary>Seed for random choices (the subsample initializer).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Solves the problem from the <see cref="Initializer"/> start. To start from given potentials (a warm start), use
    /// <see cref="Solve{T}(LinearProblem{T}, SinkhornPotentials{T}, IProgress{SolverProgress}, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="problem">The problem. A relaxation given as ρ is converted to τ = ρ/(ρ+ε) at the resolved ε.</param>
    /// <param name="progress">Receives a report at every error check.</param>
    /// <param name="cancellationToken">Stops the loop at the next iteration (status <see cref="SolverStatus.Cancelled"/>).</param>
    /// <returns>The potentials, diagnostics and plan operations. Non-convergence is a status, not an exception.</returns>
    /// <exception cref="InputValidationException">Invalid options (ε ≤ 0, threshold ≤ 0, ...), checked before any work.</exception>
    public SinkhornResult<T> Solve<T>(LinearProblem<T> problem, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Solve(problem, initial: null, progress, cancellationToken);

    /// <summary>The absolute ε this solver would use on <paramref name="geometry"/>.</summary>
    /// <param name="geometry">The geometry.</param>
    /// <exception cref="InputValidationException">The resulting ε is not positive and finite.</exception>
    public double ResolveEpsilon<T>(CostGeometry<T> geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(geometry);
        double eps;
        if (Epsilon is null)
        {
            eps = 0.05 * CostScale.Compute(geometry, CostScaling.Std);
        }
        else
        {
            eps = EpsilonRelativeTo switch
            {
                EpsilonReference.Absolute => Epsilon.Value,
                EpsilonReference.MeanCost => Epsilon.Value * CostScale.Compute(geometry, CostScaling.Mean),
                EpsilonReference.StdCost => Epsilon.Value * CostScale.Compute(geometry, CostScaling.Std),
                _ => throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown ε reference {EpsilonRelativeTo}.", nameof(geometry)),
            };
        }

        if (!(eps > 0) || !double.IsFinite(eps))
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                Epsilon is null || EpsilonRelativeTo != EpsilonReference.Absolute
                    ? $"The relative ε resolved to {eps} (the cost statistic is zero or not finite); give an absolute ε."
                    : $"ε must be positive and finite (got {eps}).",
                nameof(geometry));
        }

        return eps;
    }

    /// <summary>Checks the options; called by <see cref="Solve{T}(LinearProblem{T}, IProgress{SolverProgress}, CancellationToken)"/> before any work.</summary>
    /// <exception cref="InputValidationException">An option is out of range.</exception>
    public void Validate()
    {
        static void Fail(string name, string message) => throw new InputValidationException(InputProblem.InvalidParameter, message, name);
        if (Epsilon is { } e && (!(e > 0) || !double.IsFinite(e)))
        {
            Fail(nameof(Epsilon), $"ε must be positive and finite (got {e}).");
        }

        if (!(Threshold > 0) || !double.IsFinite(Threshold))
        {
            Fail(nameof(Threshold), $"The threshold must be positive and finite (got {Threshold}).");
        }

        if (InnerIterations < 1)
        {
            Fail(nameof(InnerIterations), $"InnerIterations must be at least 1 (got {InnerIterations}).");
        }

        if (MaxIterations < 1 || MinIterations < 0 || MinIterations > MaxIterations)
        {
            Fail(nameof(MaxIterations), $"Need 0 ≤ MinIterations ≤ MaxIterations and MaxIterations ≥ 1 (got {MinIterations}, {MaxIterations}).");
        }

        if (Momentum is { } w && !(w > 0 && w < 2))
        {
            Fail(nameof(Momentum), $"Momentum must lie in (0, 2) (got {w}).");
        }

        if (AndersonMemory < 0 || AndersonMemory > 50)
        {
            Fail(nameof(AndersonMemory), $"AndersonMemory must lie in [0, 50] (got {AndersonMemory}).");
        }

        ArgumentNullException.ThrowIfNull(EpsilonScaling);
        if (!(EpsilonScaling.InitialMultiplier >= 1) || !(EpsilonScaling.Decay > 0 && EpsilonScaling.Decay <= 1) || !double.IsFinite(EpsilonScaling.InitialMultiplier))
        {
            Fail(nameof(EpsilonScaling), $"ε-scaling needs an initial multiplier ≥ 1 and a decay in (0, 1] (got {EpsilonScaling.InitialMultiplier}, {EpsilonScaling.Decay}).");
        }

        if (!(SubsampleEpsilonMultiplier >= 1) || !double.IsFinite(SubsampleEpsilonMultiplier))
        {
            Fail(nameof(SubsampleEpsilonMultiplier), $"SubsampleEpsilonMultiplier must be at least 1 and finite (got {SubsampleEpsilonMultiplier}).");
        }

        if (InitializedScalingStart is { } st && (!(st >= 1) || !double.IsFinite(st)))
        {
            Fail(nameof(InitializedScalingStart), $"InitializedScalingStart must be at least 1 and finite (got {st}).");
        }

        if (MaxCostMemory is { } budget && budget < 1)
        {
            Fail(nameof(MaxCostMemory), $"MaxCostMemory must be positive (got {budget}).");
        }

        if (SubsampleSize < 1)
        {
            Fail(nameof(SubsampleSize), $"SubsampleSize must be at least 1 (got {SubsampleSize}).");
        }
    }

    /// <summary>
    /// The ε-scaling schedule actually run: <see cref="EpsilonScaling"/> for a zero start; after an initializer computed
    /// at <paramref name="startLevel"/>·ε whose f has a-weighted standard deviation <paramref name="spread"/>·ε, the same
    /// decay from <see cref="InitializedScalingStart"/> or else max(level, 0.2·spread), never above
    /// <see cref="EpsilonScaling.InitialMultiplier"/>.
    /// </summary>
    internal EpsilonScaling StartingSchedule(double? startLevel, double spread)
    {
        if (startLevel is not { } level || EpsilonScaling.WarmupIterations == 0)
        {
            return EpsilonScaling;
        }

        var automatic = Math.Max(level, StartSpreadFraction * spread);
        var start = Math.Clamp(InitializedScalingStart ?? automatic, 1, EpsilonScaling.InitialMultiplier);
        return start == EpsilonScaling.InitialMultiplier ? EpsilonScaling : new EpsilonScaling(start, EpsilonScaling.Decay);
    }

    private static double Norm2(ReadOnlySpan<double> v, MarginalNorm norm)
    {
        double s = 0;
        foreach (var x in v)
        {
            s += norm == MarginalNorm.L1 ? Math.Abs(x) : x * x;
        }

        return norm == MarginalNorm.L1 ? s : Math.Sqrt(s);
    }

    private static bool AllFinite<T>(ReadOnlySpan<T> v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Sum of x·0 is NaN iff some x is NaN or infinite.
        foreach (var x in v)
        {
            if (!T.IsFinite(x))
            {
                return false;
            }
        }

        return true;
    }

    private static void Blend<T>(Span<T> current, ReadOnlySpan<T> update, double omega)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (omega == 1)
        {
            update.CopyTo(current);
            return;
        }

        var w = T.CreateTruncating(omega);
        var w1 = T.One - w;
        for (var i = 0; i < current.Length; i++)
        {
            current[i] = (w1 * current[i]) + (w * update[i]);
        }
    }

    private static void ApplyUpdate<T>(ReadOnlySpan<T> softMin, ReadOnlySpan<T> targetLogWeights, double tau, T eps, Span<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // update = τ·(ε·ℓ^t + softmin)
        var t = T.CreateTruncating(tau);
        if (targetLogWeights.IsEmpty)
        {
            if (tau == 1)
            {
                softMin.CopyTo(result);
            }
            else
            {
                TensorPrimitives.Multiply(softMin, t, result);
            }

            return;
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] = t * ((eps * targetLogWeights[i]) + softMin[i]);
        }
    }
}
