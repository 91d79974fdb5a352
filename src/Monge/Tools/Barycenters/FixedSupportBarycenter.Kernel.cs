using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Solvers;

namespace Monge.Tools.Barycenters;

/// <summary>
/// How <see cref="FixedSupportBarycenter"/> iterates when every input shares one support: on a separable support
/// (<see cref="ISeparableGeometry{T}"/>, for example a <see cref="GridGeometry{T}"/>) the separable kernel; on any other
/// shared support a stabilized dense kernel per input (absorption into log-potentials, as POT's <c>barycenter_stabilized</c>).
/// </summary>
public enum GridScaling
{
    /// <summary>
    /// Separable: the kernel domain when the kernel's smallest entry is a normal double (Σ_d s·(extent of axis d)²/ε ≤
    /// <see cref="FixedSupportBarycenter.KernelRangeLimit"/>), the log domain otherwise. Other shared supports: the
    /// stabilized dense kernel (any ε) when one kernel per input (and the plain kernel when debiased) fits
    /// <see cref="FixedSupportBarycenter.DenseKernelEntries"/>, the log domain otherwise. The default.
    /// </summary>
    Auto,

    /// <summary>Always the log-domain soft-min (one exponential per cost entry and pass; any ε).</summary>
    LogDomain,

    /// <summary>
    /// The kernel domain whatever ε and size (scalings u, v and two dense products per input and axis); still switches to
    /// the log domain from the current potentials if a scaling or product underflows or overflows. Refused when the inputs
    /// do not share one support.
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
    /// On a support shared by every input (the one-geometry <c>Solve</c>), whether to iterate on scalings with a kernel (on
    /// a separable support, <see cref="ISeparableGeometry{T}"/> such as a <see cref="GridGeometry{T}"/>: two batched dense
    /// products per axis over all inputs, no exponential per entry, the fast path at POT's grid sizes; on any other support a
    /// stabilized dense kernel per input, two matrix-vector products per input) or on log-potentials (robust at any ε, one
    /// exponential per cost entry). Default <see cref="GridScaling.Auto"/>. Inputs on their own supports always use the log
    /// domain.
    /// </summary>
    public GridScaling GridScaling { get; init; } = GridScaling.Auto;

    /// <summary>The shared separable geometry when the kernel path applies (and is chosen), else null.</summary>
    private ISeparableGeometry<double>? KernelGrid(IReadOnlyList<CostGeometry<double>> geometries, CostGeometry<double>? barycenterGeometry)
    {
        if (GridScaling == GridScaling.LogDomain)
        {
            return null;
        }

        var support = SharedSupport(geometries, barycenterGeometry);
        if (support is null && GridScaling == GridScaling.KernelDomain)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "GridScaling.KernelDomain needs one geometry shared by every input (and the barycenter); use Auto or LogDomain when the inputs have their own supports.");
        }

        if (support is not ISeparableGeometry<double> shared)
        {
            return null;
        }

        return GridScaling == GridScaling.KernelDomain || SeparableKernel.Range(shared, Epsilon) <= KernelRangeLimit ? shared : null;
    }

    /// <summary>
    /// The same iteration as the log path on scalings u_k = e^{f_k/ε}, v_k = e^{g_k/ε}: u_k = (a_k / K v_k)^{τ_a},
    /// L_k = log Kᵀ u_k, log q as in the log path, then log v_k ← τ_b (log q − L_k) (over-relaxed: log v_k + ω(τ_b (log q −
    /// L_k) − log v_k), the log path's update divided by ε) and v_k = e^{log v_k}, with K applied axis by axis by dense
    /// products. The barycenter side is kept as log v_k, so an iteration takes one log and one exp per entry and input
    /// (<see cref="ElementwiseMath"/>) and no division or power; the update of v_k runs at the start of the next half step,
    /// in the same work item as input k's products. Returns 0 when finished, else the iteration from which the log path
    /// must continue (a scaling left the range of doubles; the potentials in <paramref name="state"/> are then those of the
    /// last good iterate).
    /// </summary>
    private int RunKernel(IterationState state, ISeparableGeometry<double> grid, IReadOnlyList<double[]> histograms, IProgress<SolverProgress>? progress, CancellationToken cancellationToken, out double[]? costs)
    {
        costs = null;
        var k = state.K;
        var n = state.N;
        var eps = Epsilon;
        var (tauA, tauB, balanced) = (state.TauA, state.TauB, state.Balanced);
        var (w, logQ, previousQ, c) = (state.W, state.LogQ, state.PreviousQ, state.C);
        var kernel = new SeparableKernel(grid, eps);
        var halfStep = new HalfStep(kernel, histograms, tauA, tauB, logQ, state.LogK, n);
        var (v, logV, ku, scratch) = (halfStep.V, halfStep.LogV, halfStep.Ku, halfStep.Scratch);
        Action<double[], double[]> plain = (x, y) => kernel.Apply(x, scratch[0], y);
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
            if (!halfStep.Run())
            {
                return FallBack(state, logV, iteration);
            }

            Array.Copy(logQ, previousQ, n);
            Combine(w, state.LogK, tauB, logQ, state.Scratch);
            if (c is not null && !DebiasStep(state, plain))
            {
                return FallBack(state, logV, iteration);
            }

            var error = balanced ? MarginalSpread(v, ku) : iteration == 1 ? double.PositiveInfinity : RelativeChange(logQ, previousQ, state.Scratch);
            state.Error = error;
            trace.Add(error);
            if (!double.IsFinite(MaxEntry(logQ)) || double.IsNaN(error))
            {
                state.Status = SolverStatus.Diverged;
                ToPotentials(state, logV);
                return 0;
            }

            progress?.Report(new SolverProgress("barycenter", iteration, MaxIterations, error));
            if (relaxer is not null && relaxer.Rollback(error, logV))
            {
                halfStep.Refresh();
                continue;
            }

            halfStep.Update(relaxer?.Omega ?? 1);
            if (c is not null)
            {
                Array.Copy(state.CNext!, c, n);
            }

            if (Stops(state, iteration, error))
            {
                state.Status = SolverStatus.Converged;
                break;
            }
        }

        // The last update (or refresh) is still pending: apply it, so that the plans are those of the final iterate.
        var finite = halfStep.ApplyPending();
        ToPotentials(state, logV);
        costs = finite ? KernelCosts(grid, kernel, histograms, tauA, v, eps, scratch, halfStep.Kv, halfStep.U) : null;
        return 0;
    }

    /// <summary>
    /// The input-side half of one iteration, after the pending barycenter-side update of log v_k and v_k = e^{log v_k}:
    /// kv_k = K v_k, u_k = (a_k / kv_k)^{τ_a} (0 where a_k = 0), ku_k = Kᵀ u_k, logK_k = log ku_k. Owns the scalings; built
    /// once per solve (no allocation per iteration). Three schedules with the same bits (each entry one fixed-order sum):
    /// on the calling thread when the whole step is small; one input per work item (the update, both products and the
    /// element-wise steps of an input on one thread: one parallel launch per iteration, the input's vectors stay in cache)
    /// when the inputs split evenly over the cores; else each product batched over all inputs as row blocks.
    /// </summary>
    private sealed class HalfStep
    {
        /// <summary>
        /// Below this many multiply-adds per half step (about 10 µs of products on one core) everything runs on the calling
        /// thread, where a parallel launch would cost as much as it saves. A round number, not tuned on a quiet machine: 32 × 32
        /// with 4 inputs is at the threshold (parallel), 16 × 16 below it.
        /// </summary>
        internal const long ParallelWork = 1L << 19;

        private const int NonePending = 0;
        private const int RefreshPending = 1;
        private const int UpdatePending = 2;

        private readonly SeparableKernel _kernel;
        private readonly IReadOnlyList<double[]> _histograms;
        private readonly double _tauA;
        private readonly double _tauB;
        private readonly double[] _logQ;
        private readonly double[][] _logK;
        private readonly Action<int> _one;
        private readonly int _schedule;
        private int _pending;
        private double _omega = 1;
        private int _failed;

        internal HalfStep(SeparableKernel kernel, IReadOnlyList<double[]> histograms, double tauA, double tauB, double[] logQ, double[][] logK, int n)
        {
            (_kernel, _histograms, _tauA, _tauB, _logQ, _logK) = (kernel, histograms, tauA, tauB, logQ, logK);
            var k = logK.Length;
            V = new double[k][];
            LogV = new double[k][];
            Kv = new double[k][];
            U = new double[k][];
            Ku = new double[k][];
            Scratch = new double[k][];
            for (var s = 0; s < k; s++)
            {
                V[s] = new double[n];
                Array.Fill(V[s], 1.0);
                LogV[s] = new double[n];
                Kv[s] = new double[n];
                U[s] = new double[n];
                Ku[s] = new double[n];
                Scratch[s] = new double[n];
            }

            _one = One;
            var work = 2 * k * kernel.WorkPerVector;
            var cores = Environment.ProcessorCount;
            _schedule = work < ParallelWork || cores == 1 ? 0 : k % cores == 0 || k >= 4 * cores ? 1 : 2;
        }

        /// <summary>v_k = e^{log v_k}, the barycenter-side scalings the products use.</summary>
        internal double[][] V { get; }

        /// <summary>log v_k = g_k / ε: the iterate (the over-relaxation's rollbacks and the hand-over to the log path use it).</summary>
        internal double[][] LogV { get; }

        /// <summary>K v_k (work space once the half step is done).</summary>
        internal double[][] Kv { get; }

        /// <summary>u_k (work space once the half step is done).</summary>
        internal double[][] U { get; }

        /// <summary>Kᵀ u_k of the last half step.</summary>
        internal double[][] Ku { get; }

        /// <summary>Work space.</summary>
        internal double[][] Scratch { get; }

        /// <summary>The next half step first recomputes v_k = e^{log v_k} (log v_k was rolled back).</summary>
        internal void Refresh() => _pending = RefreshPending;

        /// <summary>The next half step first applies the update of log v_k from the current log q and L_k, with over-relaxation ω.</summary>
        internal void Update(double omega) => (_pending, _omega) = (UpdatePending, omega);

        /// <summary>Applies a pending update or refresh on the calling thread; false when a scaling overflowed.</summary>
        internal bool ApplyPending()
        {
            var finite = true;
            for (var s = 0; s < LogV.Length; s++)
            {
                finite &= Pending(s);
            }

            _pending = NonePending;
            return finite;
        }

        /// <summary>Runs the half step (after the pending update); false when a scaling left the doubles.</summary>
        internal bool Run()
        {
            var k = LogV.Length;
            _failed = 0;
            if (_schedule == 0)
            {
                for (var s = 0; s < k; s++)
                {
                    One(s);
                }
            }
            else if (_schedule == 1)
            {
                Parallel.For(0, k, _one);
            }
            else
            {
                if (!ApplyPending())
                {
                    return false;
                }

                _kernel.Apply(V, Scratch, Kv, k);
                for (var s = 0; s < k; s++)
                {
                    if (!InputScaling(_histograms[s], _tauA, Kv[s], U[s]))
                    {
                        return false;
                    }
                }

                _kernel.Apply(U, Scratch, Ku, k, transpose: true);
                for (var s = 0; s < k; s++)
                {
                    if (!Log(Ku[s], _logK[s]))
                    {
                        return false;
                    }
                }
            }

            _pending = NonePending;
            return _failed == 0;
        }

        /// <summary>The pending update of input s, then its half step, on the calling thread.</summary>
        private void One(int s)
        {
            if (!Pending(s))
            {
                _failed = 1;
                return;
            }

            _kernel.ApplySerial(V[s], Scratch[s], Kv[s]);
            if (!InputScaling(_histograms[s], _tauA, Kv[s], U[s]))
            {
                _failed = 1;
                return;
            }

            _kernel.ApplySerial(U[s], Scratch[s], Ku[s], transpose: true);
            if (!Log(Ku[s], _logK[s]))
            {
                _failed = 1;
            }
        }

        /// <summary>Input s's pending update or refresh; false when v_s overflowed (an exponent above 709.78 or NaN).</summary>
        private bool Pending(int s) => _pending switch
        {
            UpdatePending => UpdateScalings(_logQ, _logK[s], _tauB, _omega, LogV[s], V[s]),
            RefreshPending => Exponentiate(LogV[s], V[s]),
            _ => true,
        };
    }

    /// <summary>
    /// u = (a / kv)^{τ_a} (0 where a = 0); false when kv is not positive where a is, or u is not finite. Vectorized when
    /// τ_a = 1 (balanced inputs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool InputScaling(double[] a, double tauA, double[] kv, double[] u)
    {
        var n = a.Length;
        if (kv.Length < n || u.Length < n)
        {
            throw new ArgumentException("Scalings of different lengths.", nameof(u));
        }

        var i = 0;
        if (tauA == 1)
        {
            ref var ar = ref MemoryMarshal.GetArrayDataReference(a);
            ref var kr = ref MemoryMarshal.GetArrayDataReference(kv);
            ref var ur = ref MemoryMarshal.GetArrayDataReference(u);
            var w = Vector<double>.Count;
            var (zero, infinity) = (Vector<double>.Zero, new Vector<double>(double.PositiveInfinity));
            var bad = Vector<long>.Zero;
            for (; i + w <= n; i += w)
            {
                var x = Vector.LoadUnsafe(ref ar, (nuint)i);
                var k = Vector.LoadUnsafe(ref kr, (nuint)i);
                var positive = Vector.GreaterThan(x, zero);
                var ratio = Vector.ConditionalSelect(positive, x / k, zero);

                // Where a > 0: kv > 0 and the ratio finite (|ratio| < ∞ is false for NaN).
                bad |= Vector.AndNot(positive, Vector.GreaterThan(k, zero) & Vector.LessThan(Vector.Abs(ratio), infinity));
                ratio.StoreUnsafe(ref ur, (nuint)i);
            }

            if (!Vector.EqualsAll(bad, Vector<long>.Zero))
            {
                return false;
            }
        }

        for (; i < n; i++)
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
        ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
        var n = x.Length;
        var w = Vector<double>.Count;
        var (zero, infinity) = (Vector<double>.Zero, new Vector<double>(double.PositiveInfinity));
        var bad = Vector<long>.Zero;
        var i = 0;
        for (; i + w <= n; i += w)
        {
            var value = Vector.LoadUnsafe(ref xr, (nuint)i);
            bad |= ~(Vector.GreaterThan(value, zero) & Vector.LessThan(value, infinity));
        }

        if (!Vector.EqualsAll(bad, Vector<long>.Zero))
        {
            return false;
        }

        for (; i < n; i++)
        {
            if (!(x[i] > 0) || !double.IsFinite(x[i]))
            {
                return false;
            }
        }

        ElementwiseMath.Log(x, y.AsSpan(0, n));
        return true;
    }

    /// <summary>
    /// The barycenter-side update of one input: log v ← τ_b (log q − L) (the log path's g = ε τ_b (log q − L) divided by ε),
    /// over-relaxed log v ← log v + ω(τ_b (log q − L) − log v) when ω ≠ 1 (the log path's form); then v = e^{log v}.
    /// Vectorized; false when an exponent is above 709.78 or NaN (v would not be finite).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool UpdateScalings(double[] logQ, double[] logK, double tauB, double omega, double[] logV, double[] v)
    {
        var n = logV.Length;
        if (logQ.Length < n || logK.Length < n || v.Length < n)
        {
            throw new ArgumentException("Scalings of different lengths.", nameof(v));
        }

        ref var lqr = ref MemoryMarshal.GetArrayDataReference(logQ);
        ref var lkr = ref MemoryMarshal.GetArrayDataReference(logK);
        ref var lvr = ref MemoryMarshal.GetArrayDataReference(logV);
        var width = Vector<double>.Count;
        var (tau, om) = (new Vector<double>(tauB), new Vector<double>(omega));
        var i = 0;
        for (; i + width <= n; i += width)
        {
            var update = tau * (Vector.LoadUnsafe(ref lqr, (nuint)i) - Vector.LoadUnsafe(ref lkr, (nuint)i));
            if (omega != 1)
            {
                var old = Vector.LoadUnsafe(ref lvr, (nuint)i);
                update = old + (om * (update - old));
            }

            update.StoreUnsafe(ref lvr, (nuint)i);
        }

        for (; i < n; i++)
        {
            var update = tauB * (logQ[i] - logK[i]);
            logV[i] = omega == 1 ? update : logV[i] + (omega * (update - logV[i]));
        }

        return Exponentiate(logV, v);
    }

    /// <summary>v = e^{log v}; false when an exponent is above 709.78 or NaN (v would not be finite).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Exponentiate(double[] logV, double[] v)
    {
        ref var lvr = ref MemoryMarshal.GetArrayDataReference(logV);
        var n = logV.Length;
        var width = Vector<double>.Count;
        var limit = new Vector<double>(709.78);
        var bad = Vector<long>.Zero;
        var i = 0;
        for (; i + width <= n; i += width)
        {
            bad |= ~Vector.LessThan(Vector.LoadUnsafe(ref lvr, (nuint)i), limit);
        }

        for (; i < n; i++)
        {
            if (!(logV[i] < 709.78))
            {
                return false;
            }
        }

        if (!Vector.EqualsAll(bad, Vector<long>.Zero))
        {
            return false;
        }

        ElementwiseMath.Exp(logV, v);
        return true;
    }

    /// <summary>max_j x_j, NaN when an entry is NaN (vectorized).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double MaxEntry(double[] x)
    {
        ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
        var n = x.Length;
        var w = Vector<double>.Count;
        var max = new Vector<double>(double.NegativeInfinity);
        var nan = Vector<long>.Zero;
        var i = 0;
        for (; i + w <= n; i += w)
        {
            var value = Vector.LoadUnsafe(ref xr, (nuint)i);
            nan |= ~Vector.Equals(value, value);
            max = Vector.Max(max, value);
        }

        var result = double.NegativeInfinity;
        for (var lane = 0; lane < w; lane++)
        {
            result = Math.Max(result, max[lane]);
        }

        for (; i < n; i++)
        {
            result = Math.Max(result, x[i]);
        }

        return Vector.EqualsAll(nan, Vector<long>.Zero) ? result : double.NaN;
    }

    /// <summary>
    /// The debiasing block of a kernel-domain iteration (dense and separable paths): log q += c, then the ten steps of
    /// <see cref="Debias"/> into <c>state.CNext</c> (accepted by the caller after the update). False when a product
    /// underflowed: log q is then restored to the previous iterate's and the caller hands over to the log path.
    /// </summary>
    private static bool DebiasStep(IterationState state, Action<double[], double[]> apply)
    {
        var (c, logQ) = (state.C!, state.LogQ);
        for (var j = 0; j < state.N; j++)
        {
            logQ[j] += c[j];
        }

        if (Debias(apply, c, logQ, state.DebiasWork![0], state.DebiasWork[1], state.CNext!))
        {
            return true;
        }

        Array.Copy(state.PreviousQ, logQ, state.N);
        return false;
    }

    /// <summary>
    /// Ten steps c ← ½(c + log q − log K e^c) into <paramref name="next"/> (shifted by max c; <paramref name="apply"/> is
    /// y = K x on the barycenter's support, separable or dense); false on underflow.
    /// </summary>
    private static bool Debias(Action<double[], double[]> apply, double[] c, double[] logQ, double[] ec, double[] kec, double[] next)
    {
        Array.Copy(c, next, c.Length);
        for (var step = 0; step < DebiasingSteps; step++)
        {
            var max = next.Max();
            for (var j = 0; j < next.Length; j++)
            {
                ec[j] = Math.Exp(next[j] - max);
            }

            apply(ec, kec);
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

    /// <summary>POT's error Σ_j std_k(v_kj·(K u_k)_j) (population std), vectorized over j (two passes over the inputs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double MarginalSpread(double[][] v, double[][] ku)
    {
        var k = v.Length;
        var n = v[0].Length;
        for (var s = 0; s < k; s++)
        {
            if (v[s].Length < n || ku[s].Length < n)
            {
                throw new ArgumentException("Scalings of different lengths.", nameof(ku));
            }
        }

        var w = Vector<double>.Count;
        var inverse = 1.0 / k;
        var sums = Vector<double>.Zero;
        var j = 0;
        for (; j + w <= n; j += w)
        {
            var mean = Vector<double>.Zero;
            for (var s = 0; s < k; s++)
            {
                mean += Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(v[s]), (nuint)j) * Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(ku[s]), (nuint)j);
            }

            mean *= inverse;
            var variance = Vector<double>.Zero;
            for (var s = 0; s < k; s++)
            {
                var d = (Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(v[s]), (nuint)j) * Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(ku[s]), (nuint)j)) - mean;
                variance += d * d;
            }

            sums += Vector.SquareRoot(variance * inverse);
        }

        var total = Vector.Sum(sums);
        for (; j < n; j++)
        {
            var mean = 0.0;
            for (var s = 0; s < k; s++)
            {
                mean += v[s][j] * ku[s][j];
            }

            mean *= inverse;
            var variance = 0.0;
            for (var s = 0; s < k; s++)
            {
                var d = (v[s][j] * ku[s][j]) - mean;
                variance += d * d;
            }

            total += Math.Sqrt(variance * inverse);
        }

        return total;
    }

    /// <summary>g_k = ε log v_k: hands the last good iterate to the log path; returns the iteration to redo there.</summary>
    private int FallBack(IterationState state, double[][] logV, int iteration)
    {
        state.Relaxer?.Forget();
        ToPotentials(state, logV);
        return iteration;
    }

    /// <summary>g_k = ε log v_k.</summary>
    private void ToPotentials(IterationState state, double[][] logV)
    {
        for (var s = 0; s < state.K; s++)
        {
            for (var j = 0; j < state.N; j++)
            {
                state.G[s][j] = Epsilon * logV[s][j];
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
                u[s][i] = a[i] > 0 ? tauA == 1 ? a[i] / kv[s][i] : Math.Pow(a[i] / kv[s][i], tauA) : 0;
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

            // h_k: f_k = h_k + ε ℓ_k with ℓ_k = τ_a log a_k (see LogA).
            _histograms = histograms;
            H = new double[K][];
            G = new double[K][];
            LogK = new double[K][];
            for (var s = 0; s < K; s++)
            {
                H[s] = new double[histograms[s].Length];
                G[s] = new double[n];
                LogK[s] = new double[n];
            }

            LogQ = new double[n];
            PreviousQ = new double[n];
            C = options.Debiased ? new double[n] : null;
            CNext = options.Debiased ? new double[n] : null;
            DebiasWork = options.Debiased ? [new double[n], new double[n]] : null;
            Scratch = [new double[n], new double[n]];
            Relaxer = options.CreateRelaxer(K, n, Balanced);
        }

        private readonly IReadOnlyList<double[]> _histograms;
        private double[][]? _logA;

        internal int K { get; }

        internal int N { get; }

        internal double[] W { get; }

        internal double TauA { get; }

        internal double TauB { get; }

        internal bool Balanced { get; }

        internal double[][] H { get; }

        /// <summary>
        /// ℓ_k = τ_a log a_k (−∞ on zero entries, which the soft-min skips), computed at the first use (the log path and the
        /// log-domain costs; a kernel run that needs neither never computes it).
        /// </summary>
        internal double[][] LogA => _logA ??= _histograms.Select(a => a.Select(x => x > 0 ? TauA * Math.Log(x) : double.NegativeInfinity).ToArray()).ToArray();

        internal double[][] G { get; }

        internal double[][] LogK { get; }

        internal double[] LogQ { get; }

        internal double[] PreviousQ { get; }

        internal double[]? C { get; }

        /// <summary>The debiasing potential after this iteration's ten steps (kernel paths; copied into <see cref="C"/> after the update).</summary>
        internal double[]? CNext { get; }

        /// <summary>Two work vectors of length N for the kernel paths' debiasing steps (e^c and K e^c).</summary>
        internal double[][]? DebiasWork { get; }

        /// <summary>Two work vectors of length N (the power mean of <c>Combine</c>, the relative change).</summary>
        internal double[][] Scratch { get; }

        /// <summary>The over-relaxation of the barycenter side (null: plain IBP), shared by the kernel and log paths.</summary>
        internal Relaxer? Relaxer { get; }

        internal List<double> Trace { get; } = [];

        internal SolverStatus Status { get; set; } = SolverStatus.MaxIterations;

        internal double Error { get; set; } = double.NaN;

        internal int Iterations { get; set; }

        internal bool UsedKernelDomain { get; set; }

        /// <summary>Absorptions of the stabilized dense path (0 elsewhere).</summary>
        internal int Absorptions { get; set; }
    }
}
