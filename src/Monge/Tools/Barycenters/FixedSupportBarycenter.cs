using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;

namespace Monge.Tools.Barycenters;

/// <summary>
/// The entropic Wasserstein barycenter of histograms on a fixed support, by iterative Bregman projections in the log
/// domain (Benamou, Carlier, Cuturi, Nenna, Peyré 2015, "Iterative Bregman projections for regularized transportation
/// problems"); optionally debiased (Janati, Cuturi, Gramfort 2020, "Debiased Sinkhorn barycenters") or unbalanced (KL
/// relaxation of the marginals, Chizat, Peyré, Schmitzer, Vialard 2018). An immutable options record.
/// </summary>
/// <remarks>
/// <para>
/// Problem: min over histograms q on the barycenter's support of Σ_k w_k OT_ε(a_k, q), where OT_ε(a, q) = min ⟨C, P⟩ −
/// ε·H(P) with the plain entropy H(P) = −Σ P_ij (log P_ij − 1) (kernel exp(−C/ε): POT's <c>reg</c> is this ε, see
/// docs/barycenters.md) over plans with P1 = a and Pᵀ1 = q. The weights w_k are rescaled to sum one. Unbalanced
/// (<see cref="Relaxation"/> not balanced): the marginal constraints become ρ_a·KL(P1 ‖ a_k) and ρ_b·KL(Pᵀ1 ‖ q) with
/// τ = ρ/(ρ + ε) (side a = the inputs, side b = the barycenter), POT's <c>barycenter_unbalanced</c> when τ_a = τ_b =
/// reg_m/(reg_m + reg).
/// </para>
/// <para>
/// Iteration (per input k, potentials f_k on the input's support and g_k on the barycenter's):
/// f_k = τ_a(ε log a_k + softmin_ε(g_k − C)), L_k = log Kᵀe^{f_k/ε}, log q = Σ_k w_k L_k (+ c when debiased; for τ_b &lt; 1 the
/// power mean (1 − τ_b)⁻¹ log Σ_k w_k e^{(1 − τ_b) L_k}), g_k = ε τ_b (log q − L_k). Debiasing updates c ← ½(c + log q −
/// log K e^c) ten times per iteration on the barycenter's own geometry, as POT. Stopping rule (POT's): balanced and
/// debiased, Σ_j std_k(m_kj) ≤ <see cref="Threshold"/> where m_k = e^{g_k/ε + L_k} is the barycenter-side marginal of
/// plan k before the update (population std over the inputs); debiased, after more than 20 iterations as POT, and with one
/// input (whose spread is 0 from the start) also ‖q_t − q_{t−1}‖₁ ≤ <see cref="Threshold"/> (docs/barycenters.md: the
/// debiased iteration drifts without a fixed point on POT's 1-D example, so no change rule bounds the distance to a limit); unbalanced,
/// max_j |q_j − q'_j| / max(‖q‖∞, ‖q'‖∞, 1) ≤ <see cref="Threshold"/> between consecutive iterates after at least 10
/// iterations. The error is measured at every iteration (POT: every tenth), so Monge may stop up to nine iterations
/// earlier on the same rule.
/// </para>
/// <para>
/// Time per iteration: two soft-mins per input, O(Σ_k n_k·N·d) on point clouds, O(Σ_k n_k·N) on dense costs,
/// O(K·N·Σ_d n_d) on a separable geometry (<see cref="ISeparableGeometry{T}"/>, for example a <see cref="GridGeometry{T}"/>;
/// never forming the N × N kernel: Solomon et al. 2015's convolutional barycenter). Memory: O(Σ_k n_k + K·N) for the potentials plus what the geometry's soft-min allocates.
/// </para>
/// </remarks>
public sealed partial record FixedSupportBarycenter
{
    /// <summary>Number of debiasing fixed-point steps per iteration (POT's 10).</summary>
    public const int DebiasingSteps = 10;

    /// <summary>The entropic regularization ε (absolute, in cost units; POT's <c>reg</c>). Default 0.01.</summary>
    public double Epsilon { get; init; } = 0.01;

    /// <summary>Iteration budget (default 10000, POT's <c>numItermax</c> of <c>ot.bregman.barycenter</c>).</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>Stopping threshold on the error described in the remarks (default 1e-6).</summary>
    public double Threshold { get; init; } = 1e-6;

    /// <summary>Whether to debias (Janati et al. 2020); balanced only, and needs the barycenter's own geometry.</summary>
    public bool Debiased { get; init; }

    /// <summary>Marginal relaxation: side a = the inputs, side b = the barycenter (default balanced).</summary>
    public Relaxation Relaxation { get; init; } = Relaxation.Balanced;

    /// <summary>
    /// The barycenter of histograms that share one support: <paramref name="geometry"/> is the N × N cost on it (for
    /// example a <see cref="GridGeometry{T}"/> for images), every histogram has length N.
    /// </summary>
    /// <param name="geometry">The cost between the support and itself.</param>
    /// <param name="histograms">The inputs (non-negative, positive mass; equal masses when balanced).</param>
    /// <param name="weights">Weights w_k (positive; null: uniform); rescaled to sum one.</param>
    /// <param name="progress">Receives the error at each iteration.</param>
    /// <param name="cancellationToken">Stops at the next iteration with status <see cref="SolverStatus.Cancelled"/>.</param>
    /// <returns>The barycenter and its report.</returns>
    /// <exception cref="InputValidationException">Inconsistent inputs or options.</exception>
    public FixedSupportBarycenterResult Solve(
        CostGeometry<double> geometry,
        IReadOnlyList<double[]> histograms,
        IReadOnlyList<double>? weights = null,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(histograms);
        if (geometry.Rows != geometry.Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"A shared support needs a square geometry (got {geometry.Rows} × {geometry.Cols}).", nameof(geometry));
        }

        return Solve(Enumerable.Repeat(geometry, histograms.Count).ToArray(), histograms, weights, geometry, progress, cancellationToken);
    }

    /// <summary>
    /// The barycenter on a support of N points of histograms on their own supports: geometry k is the n_k × N cost
    /// between input k's support and the barycenter's.
    /// </summary>
    /// <param name="geometries">One geometry per input (same column count N).</param>
    /// <param name="histograms">Histogram k has length n_k (non-negative, positive mass; equal masses when balanced).</param>
    /// <param name="weights">Weights w_k (positive; null: uniform); rescaled to sum one.</param>
    /// <param name="barycenterGeometry">The N × N cost on the barycenter's support (needed only when <see cref="Debiased"/>).</param>
    /// <param name="progress">Receives the error at each iteration.</param>
    /// <param name="cancellationToken">Stops at the next iteration with status <see cref="SolverStatus.Cancelled"/>.</param>
    /// <returns>The barycenter and its report.</returns>
    /// <exception cref="InputValidationException">Inconsistent inputs or options.</exception>
    public FixedSupportBarycenterResult Solve(
        IReadOnlyList<CostGeometry<double>> geometries,
        IReadOnlyList<double[]> histograms,
        IReadOnlyList<double>? weights,
        CostGeometry<double>? barycenterGeometry,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(geometries);
        ArgumentNullException.ThrowIfNull(histograms);
        var w = Validate(geometries, histograms, weights, barycenterGeometry);
        var grid = KernelGrid(geometries, barycenterGeometry);
        var watch = Stopwatch.StartNew();
        var state = new IterationState(this, histograms, w, geometries[0].Cols);
        var resume = 1;
        double[]? costs = null;
        if (grid is not null)
        {
            resume = RunKernel(state, grid, histograms, progress, cancellationToken, out costs);
            state.UsedKernelDomain = true;
        }
        else if (UsesDenseKernel(geometries, barycenterGeometry))
        {
            resume = RunDense(state, geometries[0], histograms, progress, cancellationToken, out costs);
            state.UsedKernelDomain = true;
        }

        if (resume > 0)
        {
            RunLog(state, geometries, barycenterGeometry, resume, progress, cancellationToken);
        }

        var barycenter = state.LogQ.Select(Math.Exp).ToArray();
        costs ??= LogCosts(state, geometries);
        var cost = 0.0;
        for (var s = 0; s < state.K; s++)
        {
            cost += w[s] * costs[s];
        }

        watch.Stop();
        var convergence = new Convergence(state.Status, state.Iterations, state.Error, Threshold, state.Trace, watch.Elapsed);
        return new FixedSupportBarycenterResult(barycenter, w, costs, cost, Epsilon, Debiased, Relaxation, convergence)
        {
            UsedKernelDomain = state.UsedKernelDomain && resume == 0,
            Absorptions = state.Absorptions,
        };
    }

    /// <summary>The log-domain iteration from <paramref name="firstIteration"/> on, from the potentials in <paramref name="state"/>.</summary>
    private void RunLog(IterationState state, IReadOnlyList<CostGeometry<double>> geometries, CostGeometry<double>? barycenterGeometry, int firstIteration, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        var k = state.K;
        var n = state.N;
        var eps = Epsilon;
        var (tauA, tauB, balanced) = (state.TauA, state.TauB, state.Balanced);
        var (w, h, logA, g, logK, logQ, previousQ, c) = (state.W, state.H, state.LogA, state.G, state.LogK, state.LogQ, state.PreviousQ, state.C);
        var trace = state.Trace;
        var buffer = new double[n];
        var softMin = new double[n];
        var relaxer = state.Relaxer;
        for (var iteration = firstIteration; iteration <= MaxIterations; iteration++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                state.Status = SolverStatus.Cancelled;
                break;
            }

            state.Iterations = iteration;
            for (var s = 0; s < k; s++)
            {
                geometries[s].SoftMin(g[s], ReadOnlySpan<double>.Empty, eps, Axis.Rows, h[s]);
                if (tauA != 1)
                {
                    for (var i = 0; i < h[s].Length; i++)
                    {
                        h[s][i] *= tauA;
                    }
                }

                geometries[s].SoftMin(h[s], logA[s], eps, Axis.Columns, logK[s]);
                for (var j = 0; j < n; j++)
                {
                    logK[s][j] /= -eps;
                }
            }

            Array.Copy(logQ, previousQ, n);
            Combine(w, logK, tauB, logQ, state.Scratch);
            if (c is not null)
            {
                for (var j = 0; j < n; j++)
                {
                    logQ[j] += c[j];
                }
            }

            var error = balanced ? MarginalSpread(g, logK, eps) : iteration == 1 ? double.PositiveInfinity : RelativeChange(logQ, previousQ, state.Scratch);
            state.Error = error;
            trace.Add(error);
            if (!double.IsFinite(logQ.Max()) || double.IsNaN(error) || logQ.Any(double.IsNaN))
            {
                state.Status = SolverStatus.Diverged;
                break;
            }

            progress?.Report(new SolverProgress("barycenter", iteration, MaxIterations, error));
            if (relaxer is not null && relaxer.Rollback(error, g))
            {
                continue;
            }

            var omega = relaxer?.Omega ?? 1;
            for (var s = 0; s < k; s++)
            {
                for (var j = 0; j < n; j++)
                {
                    var update = eps * tauB * (logQ[j] - logK[s][j]);
                    g[s][j] = omega == 1 ? update : g[s][j] + (omega * (update - g[s][j]));
                }
            }

            if (c is not null)
            {
                for (var step = 0; step < DebiasingSteps; step++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        buffer[j] = eps * c[j];
                    }

                    barycenterGeometry!.SoftMin(buffer, ReadOnlySpan<double>.Empty, eps, Axis.Rows, softMin);
                    for (var j = 0; j < n; j++)
                    {
                        c[j] = 0.5 * (c[j] + logQ[j] + (softMin[j] / eps));
                    }
                }
            }

            if (Stops(state, iteration, error))
            {
                state.Status = SolverStatus.Converged;
                break;
            }
        }
    }

    /// <summary>
    /// POT's rules: the unbalanced error is a change, so at least 10 iterations; debiased at least 20 (POT's
    /// <c>ii &gt; 20</c>). A debiased run with one input also needs the barycenter itself to have settled (‖q_t − q_t−1‖₁ ≤
    /// threshold): its spread is 0 from the first iteration while the debiasing potential c is still moving. With two or
    /// more inputs the debiased rule is POT's alone (stop 21, ubdeb): the iteration has no fixed point to converge to on
    /// POT's 1-D example (the debiasing potential drifts to −∞ on the far tail, the barycenter keeps moving by about 2e-3
    /// in L1 per doubling of the iterations up to 200 000), so the extra change condition bought iterations, not accuracy.
    /// </summary>
    private bool Stops(IterationState state, int iteration, double error)
    {
        var settled = state.C is null || (iteration > 20 && (state.K > 1 || L1Change(state.LogQ, state.PreviousQ) <= Threshold));
        return error <= Threshold && settled && (state.Balanced || iteration > 10);
    }

    /// <summary>
    /// ⟨C_k, P_k⟩ of the final plans, f_k from the last g_k, so that the costs are those of plans whose input marginals are
    /// exact (balanced) or as relaxed.
    /// </summary>
    private double[] LogCosts(IterationState state, IReadOnlyList<CostGeometry<double>> geometries)
    {
        var costs = new double[state.K];
        for (var s = 0; s < state.K; s++)
        {
            var h = state.H[s];
            geometries[s].SoftMin(state.G[s], ReadOnlySpan<double>.Empty, Epsilon, Axis.Rows, h);
            if (state.TauA != 1)
            {
                for (var i = 0; i < h.Length; i++)
                {
                    h[i] *= state.TauA;
                }
            }

            costs[s] = PlanCost(geometries[s], h, state.LogA[s], state.G[s], Epsilon);
        }

        return costs;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Combine(double[] w, double[][] logK, double tauB, double[] logQ, double[][] scratch)
    {
        var n = logQ.Length;
        if (tauB == 1)
        {
            // Vectorized; each entry the same products and sums in the same order as a scalar loop (no fused multiply-add).
            Array.Clear(logQ);
            ref var qr = ref MemoryMarshal.GetArrayDataReference(logQ);
            var width = Vector<double>.Count;
            for (var s = 0; s < w.Length; s++)
            {
                var (weight, log) = (w[s], logK[s]);
                if (log.Length < n)
                {
                    throw new ArgumentException("Scalings of different lengths.", nameof(logK));
                }

                ref var lr = ref MemoryMarshal.GetArrayDataReference(log);
                var wv = new Vector<double>(weight);
                var j = 0;
                for (; j + width <= n; j += width)
                {
                    (Vector.LoadUnsafe(ref qr, (nuint)j) + (wv * Vector.LoadUnsafe(ref lr, (nuint)j))).StoreUnsafe(ref qr, (nuint)j);
                }

                for (; j < n; j++)
                {
                    logQ[j] += weight * log[j];
                }
            }

            return;
        }

        // The power mean (1 − τ_b)⁻¹ log Σ_k w_k e^{(1 − τ_b) L_k}, shifted by the largest term of each entry; the
        // exponentials and the logarithm on whole vectors (ElementwiseMath), the other passes vectorized (a NaN in L_k
        // reaches log q through the sum).
        var power = 1 - tauB;
        var max = scratch[0].AsSpan(0, n);
        var sum = scratch[1].AsSpan(0, n);
        var term = logQ.AsSpan(0, n);
        var lanes = Vector<double>.Count;
        var pv = new Vector<double>(power);
        max.Fill(double.NegativeInfinity);
        for (var s = 0; s < w.Length; s++)
        {
            var logWeight = Math.Log(w[s]);
            var log = logK[s].AsSpan(0, n);
            var lw = new Vector<double>(logWeight);
            var j = 0;
            for (; j + lanes <= n; j += lanes)
            {
                Vector.Max(new Vector<double>(max[j..]), lw + (pv * new Vector<double>(log[j..]))).CopyTo(max[j..]);
            }

            for (; j < n; j++)
            {
                max[j] = Math.Max(max[j], logWeight + (power * log[j]));
            }
        }

        sum.Clear();
        for (var s = 0; s < w.Length; s++)
        {
            var logWeight = Math.Log(w[s]);
            var log = logK[s].AsSpan(0, n);
            var lw = new Vector<double>(logWeight);
            var j = 0;
            for (; j + lanes <= n; j += lanes)
            {
                (lw + (pv * new Vector<double>(log[j..])) - new Vector<double>(max[j..])).CopyTo(term[j..]);
            }

            for (; j < n; j++)
            {
                term[j] = logWeight + (power * log[j]) - max[j];
            }

            ElementwiseMath.Exp(term, term);
            j = 0;
            for (; j + lanes <= n; j += lanes)
            {
                (new Vector<double>(sum[j..]) + new Vector<double>(term[j..])).CopyTo(sum[j..]);
            }

            for (; j < n; j++)
            {
                sum[j] += term[j];
            }
        }

        ElementwiseMath.Log(sum, sum);
        var i = 0;
        for (; i + lanes <= n; i += lanes)
        {
            ((new Vector<double>(max[i..]) + new Vector<double>(sum[i..])) / new Vector<double>(power)).CopyTo(term[i..]);
        }

        for (; i < n; i++)
        {
            logQ[i] = (max[i] + sum[i]) / power;
        }
    }

    /// <summary>POT's error: Σ_j std_k(m_kj), m_k = e^{g_k/ε + L_k} (population std).</summary>
    private static double MarginalSpread(double[][] g, double[][] logK, double eps)
    {
        var k = g.Length;
        var n = logK[0].Length;
        var total = 0.0;
        for (var j = 0; j < n; j++)
        {
            var mean = 0.0;
            for (var s = 0; s < k; s++)
            {
                mean += Math.Exp((g[s][j] / eps) + logK[s][j]);
            }

            mean /= k;
            var variance = 0.0;
            for (var s = 0; s < k; s++)
            {
                var d = Math.Exp((g[s][j] / eps) + logK[s][j]) - mean;
                variance += d * d;
            }

            total += Math.Sqrt(variance / k);
        }

        return total;
    }

    private static double L1Change(double[] logQ, double[] previous)
    {
        var total = 0.0;
        for (var j = 0; j < logQ.Length; j++)
        {
            total += Math.Abs(Math.Exp(logQ[j]) - Math.Exp(previous[j]));
        }

        return total;
    }

    /// <summary>max_j |q_j − q'_j| / max(‖q‖∞, ‖q'‖∞, 1) from log q and log q' (exponentials into the two scratch vectors).</summary>
    private static double RelativeChange(double[] logQ, double[] previous, double[][] scratch)
    {
        var n = logQ.Length;
        var q = scratch[0].AsSpan(0, n);
        var p = scratch[1].AsSpan(0, n);
        ElementwiseMath.Exp(logQ, q);
        ElementwiseMath.Exp(previous, p);
        double diff = 0, a = 0, b = 0;
        for (var j = 0; j < n; j++)
        {
            diff = Math.Max(diff, Math.Abs(q[j] - p[j]));
            a = Math.Max(a, Math.Abs(q[j]));
            b = Math.Max(b, Math.Abs(p[j]));
        }

        return diff / Math.Max(Math.Max(a, b), 1);
    }

    private static double PlanCost(CostGeometry<double> geometry, double[] f, double[] logA, double[] g, double eps)
    {
        if (geometry is IPlanCostGeometry<double> fast)
        {
            return fast.PlanCost(f, logA, g, eps);
        }

        var total = 0.0;
        PlanTiles.ForEachTile(
            geometry,
            f,
            g,
            logA,
            [],
            eps,
            () => new double[1],
            (i0, rows, j0, cols, cost, plan, acc) =>
            {
                for (var t = 0; t < rows * cols; t++)
                {
                    if (plan[t] != 0)
                    {
                        acc[0] += plan[t] * cost[t];
                    }
                }
            },
            acc => total += acc[0]);
        return total;
    }

    private double[] Validate(IReadOnlyList<CostGeometry<double>> geometries, IReadOnlyList<double[]> histograms, IReadOnlyList<double>? weights, CostGeometry<double>? barycenterGeometry)
    {
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ε must be positive and finite (got {Epsilon}).");
        }

        if (Momentum is { } momentum && !(momentum > 0 && momentum < 2))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Momentum must lie in (0, 2) (got {momentum}).");
        }

        if (MaxIterations < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"MaxIterations must be at least 1 (got {MaxIterations}).");
        }

        if (!(Threshold >= 0) || !double.IsFinite(Threshold))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Threshold must be non-negative and finite (got {Threshold}).");
        }

        ArgumentNullException.ThrowIfNull(Relaxation);
        if (Debiased && !Relaxation.IsBalanced)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "The debiased barycenter is balanced only; drop the relaxation or the debiasing.");
        }

        var k = histograms.Count;
        if (k == 0)
        {
            throw new InputValidationException(InputProblem.Empty, "A barycenter needs at least one histogram.", nameof(histograms));
        }

        if (geometries.Count != k)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"{geometries.Count} geometries for {k} histograms.", nameof(geometries));
        }

        var n = geometries[0].Cols;
        var masses = new double[k];
        for (var s = 0; s < k; s++)
        {
            ArgumentNullException.ThrowIfNull(geometries[s]);
            ArgumentNullException.ThrowIfNull(histograms[s]);
            if (geometries[s].Cols != n)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"Geometry {s} has {geometries[s].Cols} barycenter points; geometry 0 has {n}.", nameof(geometries), s);
            }

            if (histograms[s].Length != geometries[s].Rows)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"Histogram {s} has {histograms[s].Length} entries; its support has {geometries[s].Rows} points.", nameof(histograms), s);
            }

            for (var i = 0; i < histograms[s].Length; i++)
            {
                var x = histograms[s][i];
                if (!double.IsFinite(x))
                {
                    throw new InputValidationException(InputProblem.NonFinite, $"Histogram {s} entry {i} is {x}.", nameof(histograms), i);
                }

                if (x < 0)
                {
                    throw new InputValidationException(InputProblem.NegativeWeight, $"Histogram {s} entry {i} is negative ({x}).", nameof(histograms), i);
                }

                masses[s] += x;
            }

            if (!(masses[s] > 0))
            {
                throw new InputValidationException(InputProblem.ZeroMass, $"Histogram {s} has zero mass.", nameof(histograms), s);
            }

            if (Relaxation.IsBalanced && Math.Abs(masses[s] - masses[0]) > 1e-6 * Math.Max(masses[s], masses[0]))
            {
                throw new InputValidationException(InputProblem.MassMismatch, $"Histogram {s} has mass {masses[s]} but histogram 0 has {masses[0]}; a balanced barycenter needs equal masses (normalize them, or relax the marginals).", nameof(histograms), s);
            }
        }

        if (Debiased)
        {
            if (barycenterGeometry is null)
            {
                throw new InputValidationException(InputProblem.InvalidParameter, "The debiased barycenter needs the barycenter's own geometry (N × N).", nameof(barycenterGeometry));
            }

            if (barycenterGeometry.Rows != n || barycenterGeometry.Cols != n)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"The barycenter geometry is {barycenterGeometry.Rows} × {barycenterGeometry.Cols}; it must be {n} × {n}.", nameof(barycenterGeometry));
            }
        }

        if (weights is not null && weights.Count != k)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"{weights.Count} weights for {k} histograms.", nameof(weights));
        }

        var w = new double[k];
        var total = 0.0;
        for (var s = 0; s < k; s++)
        {
            w[s] = weights is null ? 1.0 / k : weights[s];
            if (!(w[s] > 0) || !double.IsFinite(w[s]))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Weight {s} is {w[s]}; weights must be positive and finite.", nameof(weights), s);
            }

            total += w[s];
        }

        for (var s = 0; s < k; s++)
        {
            w[s] /= total;
        }

        return w;
    }
}
