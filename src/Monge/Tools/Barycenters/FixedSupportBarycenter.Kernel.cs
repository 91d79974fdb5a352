using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Solvers;

namespace Monge.Tools.Barycenters;

/// <summary>How <see cref="FixedSupportBarycenter"/> iterates on a <see cref="GridGeometry{T}"/> support.</summary>
public enum GridScaling
{
    /// <summary>
    /// The kernel domain when the kernel's smallest entry is a normal double (Σ_d s·(extent of axis d)²/ε ≤
    /// <see cref="FixedSupportBarycenter.KernelRangeLimit"/>), the log domain otherwise. The default.
    /// </summary>
    Auto,

    /// <summary>Always the separable log-domain soft-min (one exponential per entry and axis pass; any ε).</summary>
    LogDomain,

    /// <summary>
    /// The kernel domain whatever ε (scalings u, v and two small dense products per input and axis); still switches to the
    /// log domain from the current potentials if a scaling underflows or overflows.
    /// </summary>
    KernelDomain,
}

/// <content>The kernel-domain path on a shared grid support (Solomon et al. 2015, POT's <c>convolutional_barycenter2d</c>).</content>
public sealed partial record FixedSupportBarycenter
{
    /// <summary>
    /// The largest kernel range (nats) for which <see cref="GridScaling.Auto"/> picks the kernel domain: e^{−650} ≈ 5e-283
    /// leaves the scalings about 25 decades above the smallest normal double.
    /// </summary>
    public const double KernelRangeLimit = 650;

    /// <summary>
    /// On a <see cref="GridGeometry{T}"/> support shared by every input (the one-geometry <c>Solve</c>), whether to iterate
    /// on scalings with the separable kernel (two small dense products per input and axis, no exponential per entry: the
    /// fast path at POT's grid sizes) or on log-potentials (robust at any ε). Default <see cref="GridScaling.Auto"/>. Other
    /// geometries always use the log domain.
    /// </summary>
    public GridScaling GridScaling { get; init; } = GridScaling.Auto;

    /// <summary>The shared grid when the kernel path applies (and is chosen), else null.</summary>
    private GridGeometry<double>? KernelGrid(IReadOnlyList<CostGeometry<double>> geometries, CostGeometry<double>? barycenterGeometry)
    {
        if (GridScaling == GridScaling.LogDomain)
        {
            return null;
        }

        var shared = geometries[0] as GridGeometry<double>;
        var applies = shared is not null && geometries.All(x => ReferenceEquals(x, shared)) && (barycenterGeometry is null || ReferenceEquals(barycenterGeometry, shared));
        if (!applies)
        {
            if (GridScaling == GridScaling.KernelDomain)
            {
                throw new InputValidationException(InputProblem.InvalidParameter, "GridScaling.KernelDomain needs one GridGeometry shared by every input (and the barycenter); use Auto or LogDomain on other geometries.");
            }

            return null;
        }

        return GridScaling == GridScaling.KernelDomain || shared!.KernelRange(Epsilon) <= KernelRangeLimit ? shared : null;
    }

    /// <summary>
    /// The same iteration as the log path on scalings u_k = e^{f_k/ε}, v_k = e^{g_k/ε}: u_k = (a_k / K v_k)^{τ_a},
    /// L_k = log K u_k, log q as in the log path, v_k = (q / K u_k)^{τ_b}, with K applied axis by axis by dense products.
    /// Returns 0 when finished, else the iteration from which the log path must continue (a scaling left the range of
    /// doubles; the potentials in <paramref name="state"/> are then those of the last good iterate).
    /// </summary>
    private int RunKernel(IterationState state, GridGeometry<double> grid, IReadOnlyList<double[]> histograms, IProgress<SolverProgress>? progress, CancellationToken cancellationToken, out double[]? costs)
    {
        costs = null;
        var k = state.K;
        var n = state.N;
        var eps = Epsilon;
        var (tauA, tauB, balanced) = (state.TauA, state.TauB, state.Balanced);
        var (w, logK, logQ, previousQ, c) = (state.W, state.LogK, state.LogQ, state.PreviousQ, state.C);
        var kernels = new double[grid.Dimensions][];
        for (var d = 0; d < kernels.Length; d++)
        {
            kernels[d] = grid.AxisKernel(d, eps, withCost: false);
        }

        var v = new double[k][];
        var u = new double[k][];
        var kv = new double[k][];
        var ku = new double[k][];
        var scratch = new double[k][];
        for (var s = 0; s < k; s++)
        {
            v[s] = new double[n];
            Array.Fill(v[s], 1.0);
            u[s] = new double[n];
            kv[s] = new double[n];
            ku[s] = new double[n];
            scratch[s] = new double[n];
        }

        var bad = new bool[k];
        var q = new double[n];
        var cNext = c is null ? null : new double[n];
        var ec = c is null ? null : new double[n];
        var kec = c is null ? null : new double[n];
        var trace = state.Trace;
        var relaxer = state.Relaxer;
        for (var iteration = 1; iteration <= MaxIterations; iteration++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                state.Status = SolverStatus.Cancelled;
                break;
            }

            state.Iterations = iteration;
            Parallel.For(0, k, s => bad[s] = !HalfStep(grid, kernels, histograms[s], tauA, v[s], kv[s], u[s], scratch[s], ku[s], logK[s]));
            if (bad.Any(x => x))
            {
                return FallBack(state, v, iteration);
            }

            Array.Copy(logQ, previousQ, n);
            Combine(w, logK, tauB, logQ);
            if (c is not null)
            {
                for (var j = 0; j < n; j++)
                {
                    logQ[j] += c[j];
                }

                if (!Debias(grid, kernels, c, logQ, ec!, scratch[0], kec!, cNext!))
                {
                    Array.Copy(previousQ, logQ, n);
                    return FallBack(state, v, iteration);
                }
            }

            var error = balanced ? MarginalSpread(v, ku) : iteration == 1 ? double.PositiveInfinity : RelativeChange(logQ, previousQ);
            state.Error = error;
            trace.Add(error);
            if (!double.IsFinite(logQ.Max()) || double.IsNaN(error) || logQ.Any(double.IsNaN))
            {
                state.Status = SolverStatus.Diverged;
                ToPotentials(state, v);
                return 0;
            }

            progress?.Report(new SolverProgress("barycenter", iteration, MaxIterations, error));
            if (relaxer is not null && relaxer.Rollback(error, v))
            {
                continue;
            }

            var omega = relaxer?.Omega ?? 1;
            TensorPrimitives.Exp(logQ, q);
            for (var s = 0; s < k; s++)
            {
                if (tauB == 1 && omega != 1)
                {
                    // v ← v^{1−ω}·(q / K u)^ω = v·(q / (K u · v))^ω.
                    TensorPrimitives.Divide(q, ku[s], scratch[s]);
                    TensorPrimitives.Divide(scratch[s], v[s], scratch[s]);
                    TensorPrimitives.Pow(scratch[s], omega, scratch[s]);
                    TensorPrimitives.Multiply(v[s], scratch[s], v[s]);
                }
                else if (tauB == 1)
                {
                    TensorPrimitives.Divide(q, ku[s], v[s]);
                }
                else
                {
                    TensorPrimitives.Subtract(logQ, logK[s], v[s]);
                    TensorPrimitives.Multiply(v[s], tauB, v[s]);
                    TensorPrimitives.Exp(v[s], v[s]);
                }
            }

            if (c is not null)
            {
                Array.Copy(cNext!, c, n);
            }

            if (Stops(state, iteration, error))
            {
                state.Status = SolverStatus.Converged;
                break;
            }
        }

        ToPotentials(state, v);
        costs = KernelCosts(grid, kernels, histograms, tauA, v, eps, scratch, kv, u);
        return 0;
    }

    /// <summary>kv = K v, u = (a / kv)^{τ_a} (0 where a = 0), ku = K u, logK = log ku; false when a scaling leaves the doubles.</summary>
    private static bool HalfStep(GridGeometry<double> grid, double[][] kernels, double[] a, double tauA, double[] v, double[] kv, double[] u, double[] scratch, double[] ku, double[] logK)
    {
        grid.ApplyKernel(kernels, v, scratch, kv);
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] > 0)
            {
                var ratio = a[i] / kv[i];
                u[i] = tauA == 1 ? ratio : Math.Pow(ratio, tauA);
                if (!(kv[i] > 0) || !double.IsFinite(u[i]))
                {
                    return false;
                }
            }
            else
            {
                u[i] = 0;
            }
        }

        grid.ApplyKernel(kernels, u, scratch, ku);
        for (var j = 0; j < ku.Length; j++)
        {
            var x = ku[j];
            if (!(x > 0) || !double.IsFinite(x))
            {
                return false;
            }
        }

        TensorPrimitives.Log(ku, logK);
        return true;
    }

    /// <summary>Ten steps c ← ½(c + log q − log K e^c) into <paramref name="next"/> (shifted by max c); false on underflow.</summary>
    private static bool Debias(GridGeometry<double> grid, double[][] kernels, double[] c, double[] logQ, double[] ec, double[] scratch, double[] kec, double[] next)
    {
        Array.Copy(c, next, c.Length);
        for (var step = 0; step < DebiasingSteps; step++)
        {
            var max = next.Max();
            for (var j = 0; j < next.Length; j++)
            {
                ec[j] = Math.Exp(next[j] - max);
            }

            grid.ApplyKernel(kernels, ec, scratch, kec);
            for (var j = 0; j < next.Length; j++)
            {
                if (!(kec[j] > 0) || !double.IsFinite(kec[j]))
                {
                    return false;
                }

                next[j] = 0.5 * (next[j] + logQ[j] - (Math.Log(kec[j]) + max));
            }
        }

        return true;
    }

    /// <summary>POT's error Σ_j std_k(v_kj·(K u_k)_j) (population std).</summary>
    private static double MarginalSpread(double[][] v, double[][] ku)
    {
        var k = v.Length;
        var n = v[0].Length;
        var total = 0.0;
        for (var j = 0; j < n; j++)
        {
            var mean = 0.0;
            for (var s = 0; s < k; s++)
            {
                mean += v[s][j] * ku[s][j];
            }

            mean /= k;
            var variance = 0.0;
            for (var s = 0; s < k; s++)
            {
                var d = (v[s][j] * ku[s][j]) - mean;
                variance += d * d;
            }

            total += Math.Sqrt(variance / k);
        }

        return total;
    }

    /// <summary>g_k = ε log v_k: hands the last good iterate to the log path; returns the iteration to redo there.</summary>
    private int FallBack(IterationState state, double[][] v, int iteration)
    {
        state.Relaxer?.Forget();
        ToPotentials(state, v);
        return iteration;
    }

    private void ToPotentials(IterationState state, double[][] v)
    {
        for (var s = 0; s < state.K; s++)
        {
            for (var j = 0; j < state.N; j++)
            {
                state.G[s][j] = Epsilon * Math.Log(v[s][j]);
            }
        }
    }

    /// <summary>
    /// ⟨C, P_k⟩ for P_k = diag(u_k) K diag(v_k) with u_k = (a_k / K v_k)^{τ_a}: Σ_d u_kᵀ (K_0 ⊗ … ⊗ (C_d∘K_d) ⊗ …) v_k.
    /// Null when a value is not finite (the caller then measures in the log domain).
    /// </summary>
    private static double[]? KernelCosts(GridGeometry<double> grid, double[][] kernels, IReadOnlyList<double[]> histograms, double tauA, double[][] v, double eps, double[][] scratch, double[][] kv, double[][] u)
    {
        var k = v.Length;
        var costs = new double[k];
        var withCost = new double[kernels.Length][];
        for (var d = 0; d < kernels.Length; d++)
        {
            withCost[d] = grid.AxisKernel(d, eps, withCost: true);
        }

        var product = new double[kernels.Length];
        var replaced = (double[][])kernels.Clone();
        for (var s = 0; s < k; s++)
        {
            grid.ApplyKernel(kernels, v[s], scratch[s], kv[s]);
            var a = histograms[s];
            for (var i = 0; i < a.Length; i++)
            {
                u[s][i] = a[i] > 0 ? Math.Pow(a[i] / kv[s][i], tauA) : 0;
            }

            var total = 0.0;
            for (var d = 0; d < kernels.Length; d++)
            {
                replaced[d] = withCost[d];
                grid.ApplyKernel(replaced, v[s], scratch[s], kv[s]);
                replaced[d] = kernels[d];
                for (var i = 0; i < a.Length; i++)
                {
                    if (u[s][i] != 0)
                    {
                        total += u[s][i] * kv[s][i];
                    }
                }
            }

            if (!double.IsFinite(total))
            {
                return null;
            }

            costs[s] = total;
        }

        return costs;
    }

    /// <summary>The iterate shared by the log and kernel paths (log-potentials g_k, log q, debiasing c, the report).</summary>
    private sealed class IterationState
    {
        internal IterationState(FixedSupportBarycenter options, IReadOnlyList<double[]> histograms, double[] w, int n)
        {
            K = histograms.Count;
            N = n;
            W = w;
            TauA = options.Relaxation.TauA(options.Epsilon);
            TauB = options.Relaxation.TauB(options.Epsilon);
            Balanced = options.Relaxation.IsBalanced;

            // h_k and ℓ_k: f_k = h_k + ε ℓ_k with ℓ_k = τ_a log a_k (−∞ on zero entries, which the soft-min skips).
            H = new double[K][];
            LogA = new double[K][];
            G = new double[K][];
            LogK = new double[K][];
            for (var s = 0; s < K; s++)
            {
                var tauA = TauA;
                H[s] = new double[histograms[s].Length];
                LogA[s] = histograms[s].Select(x => x > 0 ? tauA * Math.Log(x) : double.NegativeInfinity).ToArray();
                G[s] = new double[n];
                LogK[s] = new double[n];
            }

            LogQ = new double[n];
            PreviousQ = new double[n];
            C = options.Debiased ? new double[n] : null;
            Relaxer = options.CreateRelaxer(K, n, Balanced);
        }

        internal int K { get; }

        internal int N { get; }

        internal double[] W { get; }

        internal double TauA { get; }

        internal double TauB { get; }

        internal bool Balanced { get; }

        internal double[][] H { get; }

        internal double[][] LogA { get; }

        internal double[][] G { get; }

        internal double[][] LogK { get; }

        internal double[] LogQ { get; }

        internal double[] PreviousQ { get; }

        internal double[]? C { get; }

        /// <summary>The over-relaxation of the barycenter side (null: plain IBP), shared by the kernel and log paths.</summary>
        internal Relaxer? Relaxer { get; }

        internal List<double> Trace { get; } = [];

        internal SolverStatus Status { get; set; } = SolverStatus.MaxIterations;

        internal double Error { get; set; } = double.NaN;

        internal int Iterations { get; set; }

        internal bool UsedKernelDomain { get; set; }
    }
}
