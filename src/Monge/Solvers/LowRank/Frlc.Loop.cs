using System.Diagnostics;
using System.Numerics.Tensors;
using Monge.Numerics;

namespace Monge.Solvers.LowRank;

/// <content>The coordinate mirror-descent loop of FRLC (Halmos et al. 2024, Algorithm 1; reference FRLC_opt).</content>
public sealed partial record Frlc
{
    private FrlcResult Run(LowRankSetup setup, double[] a, double[] b, Problems.Relaxation relaxation, FrlcInitialState? initialState, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var cost = setup.Cost;
        var n = cost.Rows;
        var m = cost.Cols;
        var r1 = Rank;
        var r2 = LatentRank ?? Rank;
        var objective = new WassersteinObjective(cost.Products);

        double[] q, r, t;
        if (initialState is null)
        {
            (q, r, t) = Initialize(cost, a, b, r1, r2);
        }
        else
        {
            q = (double[])initialState.Q.Clone();
            r = (double[])initialState.R.Clone();
            t = (double[])initialState.T.Clone();
        }

        var logQ = new double[q.Length];
        var logR = new double[r.Length];
        var logT = new double[t.Length];
        DeterministicMath.Log<double>(q, logQ);
        DeterministicMath.Log<double>(r, logR);
        DeterministicMath.Log<double>(t, logT);
        var gq = DenseLinearAlgebra.ColumnSums(q, n, r1);
        var gr = DenseLinearAlgebra.ColumnSums(r, m, r2);
        var lambda = new double[r1 * r2];
        Latent(t, gq, gr, lambda);

        objective.OnTargetFactorChanged(r, m, r2);
        objective.OnSourceFactorChanged(q, n, r1);
        var gradLatent = new double[r1 * r2];
        objective.GradientLatent(q, n, r1, r2, gradLatent);
        var value = objective.Value(gradLatent, lambda);

        var trace = new List<double> { value };
        var feasibleTrace = new List<double> { value };
        var deltas = new List<double>();
        var (workQ, workR, workT, logTNew, gradT) = SharedFrlcStep.WorkBuffers(q.Length, r.Length, t.Length);
        var (fQ, hQ, fR, hR, fT, hT) = SharedFrlcStep.Duals(n, r1, m, r2);
        var projection = new SharedFrlcStep.ProjectionOptions(ProjectionIterations, ProjectionThreshold, ProjectionTolerance, ProjectionRelativeTolerance, ProjectionAndersonMemory);

        var status = SolverStatus.MaxIterations;
        var iterations = 0;
        long sweeps = 0;
        var delta = double.NaN;
        var best = new BestIterate(q, r, t, lambda, gq, gr, value, 0);
        var fallback = (InnerRelaxationFallback ?? false) && !(Inner.IsBalanced && InnerRelaxationGrowth == 1);
        var saved = fallback ? new SavedStep(logQ.Length, logR.Length, n, r1, m, r2) : null;
        var marginalError = fallback ? HardMarginalError(q, r, lambda, gq, gr, a, b, n, m, r1, r2, relaxation) : 0.0;
        for (var it = 0; it < IterationLimit; it++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            if (!WarmStart)
            {
                Array.Clear(hQ);
                Array.Clear(hR);
                Array.Clear(hT);
            }

            // A step with relaxed inner marginals that raises the objective is undone and redone with g_Q, g_R fixed
            // (InnerRelaxationFallback): save what the step overwrites in place.
            var fixedInner = it < Delay;
            var (gqPrev, grPrev) = (gq, gr);
            if (fallback && !fixedInner)
            {
                Array.Copy(logQ, saved!.LogQ, logQ.Length);
                Array.Copy(logR, saved.LogR, logR.Length);
                saved.SaveDuals(fQ, hQ, fR, hR, fT, hT);
            }

        Step:
            // Gradients at the current (Q, R, Λ), with the rank-one terms of g_Q = Qᵀ1 and g_R = Rᵀ1.
            objective.GradientSource(q, lambda, n, r1, r2, workQ);
            objective.GradientTarget(q, lambda, m, r1, r2, workR);
            if (FullGradient)
            {
                RankOneCorrection(workQ, q, gq, n, r1);
                RankOneCorrection(workR, r, gr, m, r2);
            }

            // One Jacobi step for both factors: γ_k = γ / max(‖∇Q‖∞, ‖∇R‖∞).
            var gammaK = EntropicProjection.StepSize(Gamma, EntropicProjection.StepNormalization.SupNorm, workQ, r1, workR, r2);
            var eps = 1.0 / gammaK;

            // Inner KL weight of this iteration, ρ_in·growth^k: read as τ = ρ_k/(ρ_k + ε) = ρ/(ρ + ε·growth^−k).
            var innerDecay = Math.Pow(InnerRelaxationGrowth, -it);
            var tauInQ = fixedInner ? 1.0 : Inner.TauA(eps * innerDecay);
            var tauInR = fixedInner ? 1.0 : Inner.TauB(eps * innerDecay);

            // Q ← Proj(Q ⊙ exp(−γ_k ∇Q)) (log Q − γ_k ∇Q written over log Q), R likewise; outer and inner relaxations read
            // at this projection's ε (τ = ρ/(ρ+ε) for a relaxation given as ρ).
            sweeps += SharedFrlcStep.MirrorProject(logQ, workQ, n, r1, a, gq, gammaK, relaxation.TauA(eps), tauInQ, projection, fQ, hQ);
            sweeps += SharedFrlcStep.MirrorProject(logR, workR, m, r2, b, gr, gammaK, relaxation.TauB(eps), tauInR, projection, fR, hR);

            var dQ = FrobeniusDistance(workQ, q);
            var dR = FrobeniusDistance(workR, r);
            if (!double.IsFinite(dQ) || !double.IsFinite(dR))
            {
                status = SolverStatus.Diverged;
                DeterministicMath.Log<double>(q, logQ);
                DeterministicMath.Log<double>(r, logR);
                break;
            }

            (q, workQ) = (workQ, q);
            (r, workR) = (workR, r);
            gq = DenseLinearAlgebra.ColumnSums(q, n, r1);
            gr = DenseLinearAlgebra.ColumnSums(r, m, r2);
            objective.OnTargetFactorChanged(r, m, r2);
            objective.OnSourceFactorChanged(q, n, r1);

            // T step on the new Q, R: ∇T = diag(1/g_Q) (Qᵀ C R) diag(1/g_R), its own normalised step.
            objective.GradientLatent(q, n, r1, r2, gradLatent);
            Latent(gradLatent, gq, gr, gradT);
            SharedFrlcStep.LatentStep(gradT, Gamma, logT, logTNew, workT, gq, gr, LatentIterations, ProjectionThreshold, fT, hT, newton: LatentNewtonProjection);
            var dT = FrobeniusDistance(workT, t);
            if (!double.IsFinite(dT))
            {
                status = SolverStatus.Diverged;
                Latent(t, gq, gr, lambda);
                iterations = it + 1;
                break;
            }

            (t, workT) = (workT, t);
            (logT, logTNew) = (logTNew, logT);
            Latent(t, gq, gr, lambda);
            var candidate = objective.Value(gradLatent, lambda);
            if (Exploded(candidate, gq, gr, relaxation.IsBalanced))
            {
                // A non-finite objective or factors that lost or gained mass (the model keeps mass one): overflow or
                // underflow, never a converged answer. Return the previous (finite) iterate as Diverged.
                (q, workQ) = (workQ, q);
                (r, workR) = (workR, r);
                (t, workT) = (workT, t);
                (gq, gr) = (gqPrev, grPrev);
                Latent(t, gq, gr, lambda);
                status = SolverStatus.Diverged;
                iterations = it + 1;
                break;
            }

            var candidateError = fallback ? HardMarginalError(q, r, lambda, gq, gr, a, b, n, m, r1, r2, relaxation) : 0.0;
            if (fallback && !fixedInner && (candidate > value + (1e-12 * Math.Abs(value)) || candidateError > Math.Max(FallbackMarginalError, 2 * marginalError)))
            {
                // Undo the step (the previous Q, R, T are in the work buffers) and redo it with fixed inner marginals.
                (q, workQ) = (workQ, q);
                (r, workR) = (workR, r);
                (t, workT) = (workT, t);
                (logT, logTNew) = (logTNew, logT);
                Array.Copy(saved!.LogQ, logQ, logQ.Length);
                Array.Copy(saved.LogR, logR, logR.Length);
                saved.RestoreDuals(fQ, hQ, fR, hR, fT, hT);
                (gq, gr) = (gqPrev, grPrev);
                Latent(t, gq, gr, lambda);
                objective.OnTargetFactorChanged(r, m, r2);
                objective.OnSourceFactorChanged(q, n, r1);
                fixedInner = true;
                goto Step;
            }

            value = candidate;
            marginalError = candidateError;
            trace.Add(value);

            // Δ on the scale of the cost (γ_k c̄ is unit-free: c̄ is the mean of the cost the loop sees, 1 after the
            // default mean scaling), so the stop does not depend on the units whatever ScaleCost is.
            var unitStep = gammaK * setup.CostMean;
            delta = (dQ + dR + dT) / (unitStep * unitStep);
            deltas.Add(delta);
            if (!double.IsFinite(delta))
            {
                status = SolverStatus.Diverged;
                iterations = it + 1;
                break;
            }

            iterations = it + 1;
            progress?.Report(new SolverProgress("frlc", iterations, IterationLimit, delta));
            if (StallTolerance > 0)
            {
                // The best iterate must be as feasible as a returned last iterate: only iterates whose hard marginal error
                // is within BestMarginalError compete (a lower objective bought with broken marginals is not better), and
                // the stall test compares feasible objectives only.
                var error = fallback ? marginalError : HardMarginalError(q, r, lambda, gq, gr, a, b, n, m, r1, r2, relaxation);
                var feasible = error <= BestMarginalError;
                feasibleTrace.Add(feasible ? value : double.PositiveInfinity);
                if (feasible && value < best.Value)
                {
                    best = new BestIterate(q, r, t, lambda, gq, gr, value, iterations);
                }
            }

            if (iterations >= Math.Max(MinIterations, Delay + StallWindow) && (delta < DeltaThreshold || Stalled(feasibleTrace, best.Value)))
            {
                status = SolverStatus.Converged;
                break;
            }
        }

        var lastFeasible = feasibleTrace.Count == 0 || double.IsFinite(feasibleTrace[^1]);
        if (StallTolerance > 0 && status != SolverStatus.Diverged && best.Iteration < iterations && (best.Value < trace[^1] || !lastFeasible))
        {
            // The objective is not monotone under mirror steps: return the best iterate seen (its objective is the
            // last entry of the trace, so that Cost and ObjectiveTrace[^1] agree).
            (q, r, t, lambda, gq, gr) = (best.Q, best.R, best.T, best.Lambda, best.Gq, best.Gr);
            trace.Add(best.Value);
        }

        var coupling = new LowRankCoupling(q, lambda, r, n, m, r1, r2);
        var rowSums = coupling.SourceMarginal();
        var colSums = coupling.TargetMarginal();
        status = LowRankSetup.FinalStatus(status, trace[^1], rowSums);
        var convergence = new Convergence(status, iterations, delta, DeltaThreshold, deltas, watch.Elapsed);
        var s = setup.Scale;
        var costs = trace.Select(v => v * s).ToArray();
        return new FrlcResult(setup.Coupling(q, lambda, r, r1, r2), t, gq, gr, costs[^1], costs, convergence, DenseLinearAlgebra.L1Distance(rowSums, a), DenseLinearAlgebra.L1Distance(colSums, b), objective.Products, sweeps, s, relaxation);
    }

    /// <summary>
    /// Whether an iterate blew up: a non-finite objective, or total masses Σ g_Q, Σ g_R off one by more than 1% (the
    /// latent-coupling model keeps mass one when both sides are hard; only overflow or underflow moves it; a relaxed
    /// side may move it, so the mass test is for balanced problems only). O(r).
    /// </summary>
    private static bool Exploded(double value, double[] gq, double[] gr, bool balanced)
    {
        var (massQ, massR) = (System.Numerics.Tensors.TensorPrimitives.Sum<double>(gq), System.Numerics.Tensors.TensorPrimitives.Sum<double>(gr));
        return !double.IsFinite(value) || !double.IsFinite(massQ) || !double.IsFinite(massR)
            || (balanced && (!(Math.Abs(massQ - 1) <= 1e-2) || !(Math.Abs(massR - 1) <= 1e-2)));
    }

    /// <summary>
    /// The hard marginal error ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ an iterate may have to be kept as the best one: the small-problem
    /// tests' tolerance for a returned coupling is 5e-3 per side.
    /// </summary>
    internal const double BestMarginalError = 2e-3;

    /// <summary>
    /// Whether the best objective improved by less than <see cref="ObjectiveTolerance"/> (relative) over the last
    /// <see cref="StallWindow"/> iterations.
    /// </summary>
    private bool Stalled(List<double> trace, double bestValue)
    {
        if (StallTolerance <= 0 || trace.Count <= StallWindow || !double.IsFinite(trace[^1]))
        {
            // Not while the current iterate is outside the marginal tolerance: relaxed steps may still be moving g
            // (the 30-D PCA-like pair needs them to pass through such iterates).
            return false;
        }

        var before = double.PositiveInfinity;
        for (var k = 0; k < trace.Count - StallWindow; k++)
        {
            before = Math.Min(before, trace[k]);
        }

        return before - bestValue <= StallTolerance * Math.Abs(bestValue);
    }

    /// <summary>
    /// ‖P1 − a‖₁ + ‖Pᵀ1 − b‖₁ over the hard sides of the outer relaxation, from the factors in O((n + m)·r):
    /// P1 = Q (Λ g_R), Pᵀ1 = R (Λᵀ g_Q).
    /// </summary>
    private static double HardMarginalError(double[] q, double[] r, double[] lambda, double[] gq, double[] gr, double[] a, double[] b, int n, int m, int r1, int r2, Problems.Relaxation relaxation)
    {
        var error = 0.0;
        if (relaxation.IsExactA)
        {
            var v = new double[r1];
            for (var k = 0; k < r1; k++)
            {
                v[k] = TensorPrimitives.Dot<double>(lambda.AsSpan(k * r2, r2), gr);
            }

            for (var i = 0; i < n; i++)
            {
                error += Math.Abs(TensorPrimitives.Dot<double>(q.AsSpan(i * r1, r1), v) - a[i]);
            }
        }

        if (relaxation.IsExactB)
        {
            var w = new double[r2];
            for (var k = 0; k < r1; k++)
            {
                TensorPrimitives.MultiplyAdd(lambda.AsSpan(k * r2, r2), gq[k], w, w);
            }

            for (var j = 0; j < m; j++)
            {
                error += Math.Abs(TensorPrimitives.Dot<double>(r.AsSpan(j * r2, r2), w) - b[j]);
            }
        }

        return double.IsFinite(error) ? error : double.PositiveInfinity;
    }

    /// <summary>What a Q/R/T step overwrites in place (log Q, log R and the warm-start duals), kept to undo it.</summary>
    private sealed class SavedStep(long qLength, long rLength, int n, int r1, int m, int r2)
    {
        private readonly double[][] _duals = [new double[n], new double[r1], new double[m], new double[r2], new double[r1], new double[r2]];

        public double[] LogQ { get; } = new double[qLength];

        public double[] LogR { get; } = new double[rLength];

        public void SaveDuals(params double[][] duals)
        {
            for (var k = 0; k < duals.Length; k++)
            {
                Array.Copy(duals[k], _duals[k], duals[k].Length);
            }
        }

        public void RestoreDuals(params double[][] duals)
        {
            for (var k = 0; k < duals.Length; k++)
            {
                Array.Copy(_duals[k], duals[k], duals[k].Length);
            }
        }
    }

    /// <summary>A copy of the iterate with the lowest objective so far.</summary>
    private sealed class BestIterate(double[] q, double[] r, double[] t, double[] lambda, double[] gq, double[] gr, double value, int iteration)
    {
        public double[] Q { get; } = (double[])q.Clone();

        public double[] R { get; } = (double[])r.Clone();

        public double[] T { get; } = (double[])t.Clone();

        public double[] Lambda { get; } = (double[])lambda.Clone();

        public double[] Gq { get; } = (double[])gq.Clone();

        public double[] Gr { get; } = (double[])gr.Clone();

        public double Value { get; } = value;

        public int Iteration { get; } = iteration;
    }

    /// <summary>∇ −= 1 wᵀ with w_k = Σ_i ∇_ik X_ik / g_k: the derivative through g = Xᵀ1 (reference full_grad).</summary>
    internal static void RankOneCorrection(double[] grad, double[] x, double[] g, int rows, int cols)
    {
        var w = new double[cols];
        var tmp = new double[cols];
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Multiply(grad.AsSpan(i * cols, cols), x.AsSpan(i * cols, cols), tmp);
            TensorPrimitives.Add(w, tmp, w);
        }

        for (var k = 0; k < cols; k++)
        {
            w[k] = g[k] > 0 ? w[k] / g[k] : 0.0;
        }

        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Subtract(grad.AsSpan(i * cols, cols), w, grad.AsSpan(i * cols, cols));
        }
    }

    /// <summary>dst = diag(1/g_Q) X diag(1/g_R) (zero rows/columns where g is zero).</summary>
    internal static void Latent(double[] x, double[] gq, double[] gr, double[] dst)
    {
        var r1 = gq.Length;
        var r2 = gr.Length;
        var inv = new double[r2];
        for (var l = 0; l < r2; l++)
        {
            inv[l] = gr[l] > 0 ? 1.0 / gr[l] : 0.0;
        }

        for (var k = 0; k < r1; k++)
        {
            var s = gq[k] > 0 ? 1.0 / gq[k] : 0.0;
            var row = dst.AsSpan(k * r2, r2);
            TensorPrimitives.Multiply(x.AsSpan(k * r2, r2), inv, row);
            TensorPrimitives.Multiply(row, s, row);
        }
    }

    private static double FrobeniusDistance(double[] x, double[] y)
    {
        var chunks = Math.Max(1, x.Length / (1 << 16));
        var total = 0.0;
        for (var c = 0; c < chunks; c++)
        {
            var start = (int)((long)x.Length * c / chunks);
            var end = (int)((long)x.Length * (c + 1) / chunks);
            var d = TensorPrimitives.Distance<double>(x.AsSpan(start, end - start), y.AsSpan(start, end - start));
            total += d * d;
        }

        return Math.Sqrt(total);
    }

    private (double[] Q, double[] R, double[] T) Initialize(LowRankCost cost, double[] a, double[] b, int r1, int r2)
    {
        var n = cost.Rows;
        var m = cost.Cols;
        var rng = new Random(Seed);
        var g1 = Problems.Marginals.Uniform<double>(r1);
        var g2 = Problems.Marginals.Uniform<double>(r2);
        var hard = new EntropicProjection.Settings(1, 1, LatentIterations, 1e-12);
        double[] q, r, t;
        switch (Initialization)
        {
            case LowRankInitialization.Rank2:
                {
                    var lambda = LowRankInitializer.Rank2Lambda(a, b, r1 == r2 ? g1 : [.. g1, .. g2]);
                    q = LowRankInitializer.Rank2Factor(a, g1, lambda);
                    r = LowRankInitializer.Rank2Factor(b, g2, lambda);
                    t = new double[r1 * r2];
                    if (r1 == r2)
                    {
                        for (var k = 0; k < r1; k++)
                        {
                            t[(k * r2) + k] = g1[k];
                        }

                        LowRankInitializer.MixWithIndependent(t, r1, r2, InitialMixing > 0 ? InitialMixing : 0.5);
                    }
                    else
                    {
                        for (var k = 0; k < r1; k++)
                        {
                            for (var l = 0; l < r2; l++)
                            {
                                t[(k * r2) + l] = g1[k] * g2[l];
                            }
                        }
                    }

                    break;
                }

            case LowRankInitialization.KMeans:
                {
                    var d = cost.Dimension;
                    (q, var cq) = LowRankInitializer.KMeansFactor(cost.SourcePoints!, n, d, a, g1, rng, LatentIterations);
                    (r, var cr) = LowRankInitializer.KMeansFactor(cost.TargetPoints!, m, d, b, g2, rng, LatentIterations);
                    var gq = DenseLinearAlgebra.ColumnSums(q, n, r1);
                    var gr = DenseLinearAlgebra.ColumnSums(r, m, r2);
                    var logK = KMeans.SquaredDistances(cq, r1, cr, r2, d);
                    var max = TensorPrimitives.Max<double>(logK);
                    TensorPrimitives.Multiply(logK, max > 0 ? -1.0 / (0.1 * max) : 0.0, logK);
                    t = new double[r1 * r2];
                    EntropicProjection.Run(logK, t, r1, r2, gq, gr, 1.0, hard, new double[r1], new double[r2]);
                    break;
                }

            default:
                {
                    // Reference util.initialize_couplings('Full'): uniform random "costs" projected with ε = 1/γ.
                    var eps = 1.0 / Gamma;
                    var lq = LowRankInitializer.Uniform(rng, (long)n * r1);
                    TensorPrimitives.Multiply(lq, -Gamma, lq);
                    q = new double[lq.Length];
                    EntropicProjection.Run(lq, q, n, r1, a, g1, eps, hard, new double[n], new double[r1]);
                    var lr = LowRankInitializer.Uniform(rng, (long)m * r2);
                    TensorPrimitives.Multiply(lr, -Gamma, lr);
                    r = new double[lr.Length];
                    EntropicProjection.Run(lr, r, m, r2, b, g2, eps, hard, new double[m], new double[r2]);
                    var gq = DenseLinearAlgebra.ColumnSums(q, n, r1);
                    var gr = DenseLinearAlgebra.ColumnSums(r, m, r2);
                    var lt = LowRankInitializer.Uniform(rng, (long)r1 * r2);
                    TensorPrimitives.Multiply(lt, -Gamma, lt);
                    t = new double[lt.Length];
                    EntropicProjection.Run(lt, t, r1, r2, gq, gr, eps, hard, new double[r1], new double[r2]);
                    LowRankInitializer.MixWithIndependent(q, n, r1, InitialMixing);
                    LowRankInitializer.MixWithIndependent(r, m, r2, InitialMixing);
                    LowRankInitializer.MixWithIndependent(t, r1, r2, InitialMixing);
                    break;
                }
        }

        return (q, r, t);
    }
}
