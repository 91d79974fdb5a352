using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Monge.Geometry;
using Monge.Solvers;

namespace Monge.Tools.Barycenters;

/// <summary>How <see cref="FixedSupportBarycenter"/> iterates on a separable support (<see cref="ISeparableGeometry{T}"/>, for example a <see cref="GridGeometry{T}"/>).</summary>
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
    /// On a separable support (<see cref="ISeparableGeometry{T}"/>, for example a <see cref="GridGeometry{T}"/>) shared by
    /// every input (the one-geometry <c>Solve</c>), whether to iterate on scalings with the separable kernel (two batched
    /// dense products per axis over all inputs, no exponential per entry: the fast path at POT's grid sizes) or on
    /// log-potentials (robust at any ε). Default <see cref="GridScaling.Auto"/>. Other geometries always use the log domain.
    /// </summary>
    public GridScaling GridScaling { get; init; } = GridScaling.Auto;

    /// <summary>The shared separable geometry when the kernel path applies (and is chosen), else null.</summary>
    private ISeparableGeometry<double>? KernelGrid(IReadOnlyList<CostGeometry<double>> geometries, CostGeometry<double>? barycenterGeometry)
    {
        if (GridScaling == GridScaling.LogDomain)
        {
            return null;
        }

        var shared = geometries[0] as ISeparableGeometry<double>;
        var applies = shared is not null && geometries.All(x => ReferenceEquals(x, shared)) && (barycenterGeometry is null || ReferenceEquals(barycenterGeometry, shared));
        if (!applies)
        {
            if (GridScaling == GridScaling.KernelDomain)
            {
                throw new InputValidationException(InputProblem.InvalidParameter, "GridScaling.KernelDomain needs one separable geometry (ISeparableGeometry, for example a GridGeometry) shared by every input (and the barycenter); use Auto or LogDomain on other geometries.");
            }

            return null;
        }

        return GridScaling == GridScaling.KernelDomain || SeparableKernel.Range(shared!, Epsilon) <= KernelRangeLimit ? shared : null;
    }

    /// <summary>
    /// The same iteration as the log path on scalings u_k = e^{f_k/ε}, v_k = e^{g_k/ε}: u_k = (a_k / K v_k)^{τ_a},
    /// L_k = log K u_k, log q as in the log path, v_k = (q / K u_k)^{τ_b}, with K applied axis by axis by dense products.
    /// Returns 0 when finished, else the iteration from which the log path must continue (a scaling left the range of
    /// doubles; the potentials in <paramref name="state"/> are then those of the last good iterate).
    /// </summary>
    private int RunKernel(IterationState state, ISeparableGeometry<double> grid, IReadOnlyList<double[]> histograms, IProgress<SolverProgress>? progress, CancellationToken cancellationToken, out double[]? costs)
    {
        costs = null;
        var k = state.K;
        var n = state.N;
        var eps = Epsilon;
        var (tauA, tauB, balanced) = (state.TauA, state.TauB, state.Balanced);
        var (w, logK, logQ, previousQ, c) = (state.W, state.LogK, state.LogQ, state.PreviousQ, state.C);
        var kernel = new SeparableKernel(grid, eps);
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
            if (!HalfStep(kernel, histograms, tauA, v, kv, u, scratch, ku, logK))
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

                if (!Debias(kernel, c, logQ, ec!, scratch[0], kec!, cNext!))
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

            Exp(logQ, q);
            UpdateScalings(q, logQ, ku, logK, tauB, relaxer?.Omega ?? 1, v);
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
        costs = KernelCosts(grid, kernel, histograms, tauA, v, eps, scratch, kv, u);
        return 0;
    }

    /// <summary>
    /// kv_k = K v_k (all inputs in one batched product), u_k = (a_k / kv_k)^{τ_a} (0 where a_k = 0), ku_k = Kᵀ u_k,
    /// logK_k = log ku_k; false when a scaling leaves the doubles.
    /// </summary>
    private static bool HalfStep(SeparableKernel kernel, IReadOnlyList<double[]> histograms, double tauA, double[][] v, double[][] kv, double[][] u, double[][] scratch, double[][] ku, double[][] logK)
    {
        var k = v.Length;
        kernel.Apply(v, scratch, kv, k);
        for (var s = 0; s < k; s++)
        {
            if (!InputScaling(histograms[s], tauA, kv[s], u[s]))
            {
                return false;
            }
        }

        kernel.Apply(u, scratch, ku, k, transpose: true);
        for (var s = 0; s < k; s++)
        {
            if (!Log(ku[s], logK[s]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>u = (a / kv)^{τ_a} (0 where a = 0); false when kv is not positive where a is, or u is not finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool InputScaling(double[] a, double tauA, double[] kv, double[] u)
    {
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

        return true;
    }

    /// <summary>y = log x (vectorized); false when an entry of x is not positive and finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Log(double[] x, double[] y)
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("The destination is shorter than the source.", nameof(y));
        }

        ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref var yr = ref MemoryMarshal.GetArrayDataReference(y);
        var n = x.Length;
        var w = Vector<double>.Count;
        var (zero, infinity) = (Vector<double>.Zero, new Vector<double>(double.PositiveInfinity));
        var i = 0;
        for (; i + w <= n; i += w)
        {
            var value = Vector.LoadUnsafe(ref xr, (nuint)i);
            if (!Vector.GreaterThanAll(value, zero) || !Vector.LessThanAll(value, infinity))
            {
                return false;
            }

            Vector.Log(value).StoreUnsafe(ref yr, (nuint)i);
        }

        for (; i < n; i++)
        {
            var value = x[i];
            if (!(value > 0) || !double.IsFinite(value))
            {
                return false;
            }

            y[i] = Math.Log(value);
        }

        return true;
    }

    /// <summary>y = e^x (vectorized).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Exp(double[] x, double[] y)
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("The destination is shorter than the source.", nameof(y));
        }

        ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref var yr = ref MemoryMarshal.GetArrayDataReference(y);
        var n = x.Length;
        var w = Vector<double>.Count;
        var i = 0;
        for (; i + w <= n; i += w)
        {
            Vector.Exp(Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }

        for (; i < n; i++)
        {
            y[i] = Math.Exp(x[i]);
        }
    }

    /// <summary>
    /// The barycenter-side update of every input: v = q / K u (balanced), over-relaxed v ← v^{1−ω}·(q / K u)^ω =
    /// v·e^{ω log(q / K u / v)}, or v = e^{τ_b (log q − L)} (unbalanced). Vectorized.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateScalings(double[] q, double[] logQ, double[][] ku, double[][] logK, double tauB, double omega, double[][] v)
    {
        var n = q.Length;
        var w = Vector<double>.Count;
        ref var qr = ref MemoryMarshal.GetArrayDataReference(q);
        ref var lqr = ref MemoryMarshal.GetArrayDataReference(logQ);
        for (var s = 0; s < v.Length; s++)
        {
            if (ku[s].Length < n || logK[s].Length < n || v[s].Length < n || logQ.Length < n)
            {
                throw new ArgumentException("Scalings of different lengths.", nameof(v));
            }

            ref var kr = ref MemoryMarshal.GetArrayDataReference(ku[s]);
            ref var lkr = ref MemoryMarshal.GetArrayDataReference(logK[s]);
            ref var vr = ref MemoryMarshal.GetArrayDataReference(v[s]);
            var i = 0;
            if (tauB != 1)
            {
                var tau = new Vector<double>(tauB);
                for (; i + w <= n; i += w)
                {
                    var x = tau * (Vector.LoadUnsafe(ref lqr, (nuint)i) - Vector.LoadUnsafe(ref lkr, (nuint)i));
                    Vector.Exp(x).StoreUnsafe(ref vr, (nuint)i);
                }

                for (; i < n; i++)
                {
                    v[s][i] = Math.Exp(tauB * (logQ[i] - logK[s][i]));
                }
            }
            else if (omega != 1)
            {
                var om = new Vector<double>(omega);
                for (; i + w <= n; i += w)
                {
                    var old = Vector.LoadUnsafe(ref vr, (nuint)i);
                    var ratio = Vector.LoadUnsafe(ref qr, (nuint)i) / Vector.LoadUnsafe(ref kr, (nuint)i) / old;
                    (old * Vector.Exp(om * Vector.Log(ratio))).StoreUnsafe(ref vr, (nuint)i);
                }

                for (; i < n; i++)
                {
                    v[s][i] *= Math.Pow(q[i] / ku[s][i] / v[s][i], omega);
                }
            }
            else
            {
                for (; i + w <= n; i += w)
                {
                    (Vector.LoadUnsafe(ref qr, (nuint)i) / Vector.LoadUnsafe(ref kr, (nuint)i)).StoreUnsafe(ref vr, (nuint)i);
                }

                for (; i < n; i++)
                {
                    v[s][i] = q[i] / ku[s][i];
                }
            }
        }
    }

    /// <summary>Ten steps c ← ½(c + log q − log K e^c) into <paramref name="next"/> (shifted by max c); false on underflow.</summary>
    private static bool Debias(SeparableKernel kernel, double[] c, double[] logQ, double[] ec, double[] scratch, double[] kec, double[] next)
    {
        Array.Copy(c, next, c.Length);
        for (var step = 0; step < DebiasingSteps; step++)
        {
            var max = next.Max();
            for (var j = 0; j < next.Length; j++)
            {
                ec[j] = Math.Exp(next[j] - max);
            }

            kernel.Apply(ec, scratch, kec);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    /// ⟨C, P⟩ for P_k = diag(u_k) K diag(v_k) with u_k = (a_k / K v_k)^{τ_a}: Σ_d u_kᵀ (K_0 ⊗ … ⊗ (C_d∘K_d) ⊗ …) v_k, each
    /// product batched over the inputs. Null when a value is not finite (the caller then measures in the log domain).
    /// </summary>
    private static double[]? KernelCosts(ISeparableGeometry<double> grid, SeparableKernel kernel, IReadOnlyList<double[]> histograms, double tauA, double[][] v, double eps, double[][] scratch, double[][] kv, double[][] u)
    {
        var k = v.Length;
        var costs = new double[k];
        kernel.Apply(v, scratch, kv, k);
        for (var s = 0; s < k; s++)
        {
            var a = histograms[s];
            for (var i = 0; i < a.Length; i++)
            {
                u[s][i] = a[i] > 0 ? Math.Pow(a[i] / kv[s][i], tauA) : 0;
            }
        }

        for (var d = 0; d < grid.Shape.Count; d++)
        {
            new SeparableKernel(grid, eps, costAxis: d).Apply(v, scratch, kv, k);
            for (var s = 0; s < k; s++)
            {
                for (var i = 0; i < u[s].Length; i++)
                {
                    if (u[s][i] != 0)
                    {
                        costs[s] += u[s][i] * kv[s][i];
                    }
                }
            }
        }

        return costs.All(double.IsFinite) ? costs : null;
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
