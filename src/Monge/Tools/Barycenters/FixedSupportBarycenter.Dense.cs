using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Solvers;

namespace Monge.Tools.Barycenters;

/// <content>
/// The stabilized kernel-domain path on a shared dense support (Schmitzer 2019's absorption, as POT's
/// <c>barycenter_stabilized</c>): per input a kernel K̃_k = diag(e^{α_k}) e^{−C/ε} diag(e^{β_k}) and scalings ũ_k, ṽ_k
/// whose large or small values are absorbed into the log-potentials α_k, β_k.
/// </content>
public sealed partial record FixedSupportBarycenter
{
    /// <summary>
    /// The most kernel entries (inputs × rows × columns, plus one copy of C/ε) for which <see cref="GridScaling.Auto"/> picks
    /// the stabilized dense kernel path on a shared support that is not separable: 2^22 doubles (32 MiB) per copy, for
    /// example two inputs on 1000 points or sixteen on 500.
    /// </summary>
    public const long DenseKernelEntries = 1L << 22;

    /// <summary>
    /// log ũ or log ṽ above this many nats triggers an absorption (e^{100} keeps every product far from overflow while
    /// absorptions, O(n·N) exponentials and a private kernel each, stay rare).
    /// </summary>
    internal const double AbsorptionLimit = 100;

    /// <summary>
    /// log ũ or log ṽ below minus this many nats triggers an absorption. Small scalings only shrink the terms of a product
    /// (a sum of positive terms keeps its relative accuracy while it stays a normal double), so the low side is wider than
    /// the high one: e^{−400} times a kernel entry of e^{−300} is still normal. At 100 (stop 21) the far tails of POT's
    /// unbalanced 1-D example (a ≈ e^{−128}) absorbed at the first iteration, which gave that input its own kernel and
    /// doubled the memory traffic of every later iteration (stop 22).
    /// </summary>
    internal const double LowAbsorptionLimit = 400;

    /// <summary>e^{−<see cref="LowAbsorptionLimit"/>}.</summary>
    private static readonly double LowScaling = Math.Exp(-LowAbsorptionLimit);

    /// <summary>e^{<see cref="AbsorptionLimit"/>}.</summary>
    private static readonly double HighScaling = Math.Exp(AbsorptionLimit);

    /// <summary>Below this many multiply-adds per iteration (all inputs) the dense path runs on the calling thread.</summary>
    private const long DenseParallelWork = 1L << 18;

    /// <summary>
    /// The shared geometry when every input (and the barycenter) uses the same one, else null (the one-geometry
    /// <c>Solve</c> passes it K times).
    /// </summary>
    private static CostGeometry<double>? SharedSupport(IReadOnlyList<CostGeometry<double>> geometries, CostGeometry<double>? barycenterGeometry)
    {
        var shared = geometries[0];
        return geometries.All(x => ReferenceEquals(x, shared)) && (barycenterGeometry is null || ReferenceEquals(barycenterGeometry, shared)) ? shared : null;
    }

    /// <summary>
    /// Whether the stabilized dense kernel path applies: one shared geometry that is not separable and (for
    /// <see cref="GridScaling.Auto"/>) small enough for one kernel per input, plus the plain kernel when debiased
    /// (<see cref="DenseKernelEntries"/>).
    /// </summary>
    private bool UsesDenseKernel(IReadOnlyList<CostGeometry<double>> geometries, CostGeometry<double>? barycenterGeometry)
    {
        if (GridScaling == GridScaling.LogDomain)
        {
            return false;
        }

        var shared = SharedSupport(geometries, barycenterGeometry);
        if (shared is null || shared is ISeparableGeometry<double>)
        {
            return false;
        }

        return GridScaling == GridScaling.KernelDomain || (long)(geometries.Count + (Debiased ? 2 : 1)) * shared.Rows * shared.Cols <= DenseKernelEntries;
    }

    /// <summary>
    /// The iteration of the log path on stabilized scalings: ṽ_k = e^{log v_k − β_k} (log v_k = g_k/ε, the iterate),
    /// ũ_k = (a_k e^{α_k} / K̃_k ṽ_k)^{τ_a} e^{−α_k}, L_k = log K̃_kᵀ ũ_k − β_k = log Kᵀ u_k, log q as in the log path and
    /// log v_k ← τ_b(log q − L_k) (over-relaxed as the log path). A scaling above e^{<see cref="AbsorptionLimit"/>} or below e^{−<see cref="LowAbsorptionLimit"/>} is
    /// absorbed into α_k or β_k and K̃_k rebuilt. Two dense products per input and iteration (no exponential per entry).
    /// Returns 0 when finished, else the iteration from which the log path must continue (a product underflowed; the
    /// potentials in <paramref name="state"/> are then those of the last good iterate). Debiased: c as the log path, its
    /// ten steps on the plain kernel e^{−C/ε} (shifted by max c; a product that underflows hands over to the log path). The
    /// plan costs ⟨C, P_k⟩ come from one more half step on the final iterate (no exponential per entry), null when it
    /// fails (the log path then measures them).
    /// </summary>
    private int RunDense(IterationState state, CostGeometry<double> geometry, IReadOnlyList<double[]> histograms, IProgress<SolverProgress>? progress, CancellationToken cancellationToken, out double[]? costs)
    {
        costs = null;
        var k = state.K;
        var n = state.N;
        var (tauA, tauB, balanced) = (state.TauA, state.TauB, state.Balanced);
        var (w, logQ, previousQ, c) = (state.W, state.LogQ, state.PreviousQ, state.C);
        var kernel = new DenseKernel(geometry, Epsilon, histograms, tauA, c is not null);
        Action<double[], double[]> plain = kernel.ApplyPlain;
        var logV = new double[k][];
        for (var s = 0; s < k; s++)
        {
            logV[s] = new double[n];
        }

        var trace = state.Trace;
        var relaxer = state.Relaxer;
        var parallel = k > 1 && Environment.ProcessorCount > 1 && 2L * k * geometry.Rows * n >= DenseParallelWork;
        var failed = 0;
        Action<int> step = s =>
        {
            if (!kernel.Step(s, logV[s], state.LogK[s]))
            {
                failed = 1;
            }
        };

        for (var iteration = 1; iteration <= MaxIterations; iteration++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                state.Status = SolverStatus.Cancelled;
                break;
            }

            state.Iterations = iteration;
            failed = 0;
            if (kernel.Shared >= 2)
            {
                failed = kernel.StepAll(logV, state.LogK) ? 0 : 1;
            }
            else if (parallel)
            {
                Parallel.For(0, k, step);
            }
            else
            {
                for (var s = 0; s < k; s++)
                {
                    step(s);
                }
            }

            if (failed != 0)
            {
                state.Absorptions = kernel.Absorptions;
                return FallBack(state, logV, iteration);
            }

            Array.Copy(logQ, previousQ, n);
            Combine(w, state.LogK, tauB, logQ, state.Scratch);
            if (c is not null && !DebiasStep(state, plain))
            {
                state.Absorptions = kernel.Absorptions;
                return FallBack(state, logV, iteration);
            }

            var error = balanced ? MarginalSpread(kernel.V, kernel.Ku) : iteration == 1 ? double.PositiveInfinity : RelativeChange(logQ, previousQ, state.Scratch);
            state.Error = error;
            trace.Add(error);
            if (!double.IsFinite(MaxEntry(logQ)) || double.IsNaN(error))
            {
                state.Status = SolverStatus.Diverged;
                state.Absorptions = kernel.Absorptions;
                ToPotentials(state, logV);
                return 0;
            }

            progress?.Report(new SolverProgress("barycenter", iteration, MaxIterations, error));
            if (relaxer is not null && relaxer.Rollback(error, logV))
            {
                continue;
            }

            var omega = relaxer?.Omega ?? 1;
            for (var s = 0; s < k; s++)
            {
                var (lv, lk) = (logV[s], state.LogK[s]);
                for (var j = 0; j < n; j++)
                {
                    var update = tauB * (logQ[j] - lk[j]);
                    lv[j] = omega == 1 ? update : lv[j] + (omega * (update - lv[j]));
                }
            }

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

        ToPotentials(state, logV);
        costs = kernel.Costs(logV);
        state.Absorptions = kernel.Absorptions;
        return 0;
    }

    /// <summary>
    /// The stabilized kernels, potentials and scalings of every input on one dense n × N cost. Memory: the plain kernel
    /// e^{−C/ε} once (n·N doubles, n(n + 1)/2 on a symmetric cost), one more n·N kernel per input from its first absorption,
    /// plus O(n + N) per input; the cost itself is read in place when dense.
    /// </summary>
    private sealed class DenseKernel
    {
        private readonly int _rows;
        private readonly int _cols;
        private readonly double[] _cost;
        private readonly double _costScale;
        private readonly double _toNats;
        private readonly IReadOnlyList<double[]> _histograms;
        private readonly double _tauA;
        private readonly double[][] _kernel;
        private readonly double[][] _alpha;
        private readonly double[][] _beta;
        private readonly double[][] _kv;
        private readonly double[][] _u;
        private readonly bool[] _stale;
        private readonly bool _debiased;

        /// <summary>
        /// The plain kernel e^{−C/ε}: n × N row-major, or (<see cref="_symmetric"/>) its upper triangle packed row by row
        /// (row i holds j = i … n − 1 from <see cref="PackedRow"/>(i)).
        /// </summary>
        private readonly double[] _base;
        private readonly bool[] _own;
        private int[] _sharedInputs;
        private readonly bool _symmetric;
        private readonly double[][]? _logA;
        private int _absorptions;

        /// <summary>
        /// Builds e^{−C/ε} once (entries below e^{−700} set to 0): every input's kernel until its first absorption (α = β = 0;
        /// an input gets its own kernel then), and the plain kernel of the debiasing steps when <paramref name="debiased"/>
        /// (square supports only). A symmetric cost keeps the upper triangle only (n(n + 1)/2 entries).
        /// </summary>
        internal DenseKernel(CostGeometry<double> geometry, double epsilon, IReadOnlyList<double[]> histograms, double tauA, bool debiased)
        {
            (_rows, _cols, _histograms, _tauA) = (geometry.Rows, geometry.Cols, histograms, tauA);
            // A dense geometry's own matrix is read in place (no n·N copy); any other geometry is materialized once.
            (_cost, _costScale) = geometry is DenseGeometry<double> dense ? (dense.RawArray, dense.ScaleFactor) : (geometry.ToDense(), 1.0);
            _toNats = _costScale / epsilon;

            var k = histograms.Count;
            _kernel = new double[k][];
            _alpha = new double[k][];
            _beta = new double[k][];
            _kv = new double[k][];
            _u = new double[k][];
            V = new double[k][];
            Ku = new double[k][];
            _stale = new bool[k];
            _own = new bool[k];
            _sharedInputs = Enumerable.Range(0, k).ToArray();
            for (var s = 0; s < k; s++)
            {
                _alpha[s] = new double[_rows];
                _beta[s] = new double[_cols];
                _kv[s] = new double[_rows];
                _u[s] = new double[_rows];
                V[s] = new double[_cols];
                Ku[s] = new double[_cols];
            }

            // A symmetric square cost (checked exactly, block by block, inside the exponential pass) keeps only the upper
            // triangle: half the exponentials and half the memory, and every product reads half the entries.
            var packed = _rows == _cols ? BuildSymmetric() : null;
            _symmetric = packed is not null;
            if (packed is null)
            {
                _base = GC.AllocateUninitializedArray<double>(_cost.Length);
                Build(_base, null, null);
            }
            else
            {
                _base = packed;
            }

            for (var s = 0; s < k; s++)
            {
                _kernel[s] = _base;
            }

            _debiased = debiased;
            _logA = tauA == 1 ? null : histograms.Select(a => a.Select(x => x > 0 ? tauA * Math.Log(x) : 0).ToArray()).ToArray();
        }

        /// <summary>y = e^{−C/ε} x (rows; the debiasing steps on the barycenter's own square support).</summary>
        internal void ApplyPlain(double[] x, double[] y)
        {
            if (!_debiased)
            {
                throw new InvalidOperationException("The plain kernel applies to debiased runs only.");
            }

            if (_symmetric)
            {
                HalfProduct(_base, _rows, x, x, y, y, pair: false);
                return;
            }

            for (var i = 0; i < _rows; i++)
            {
                y[i] = Dot(_base, i * _cols, x, _cols);
            }
        }

        /// <summary>
        /// ⟨C, P_s⟩ of every input's plan P_s = diag(ũ_s) K̃_s diag(ṽ_s) at the iterate <paramref name="logV"/>: one fused
        /// pass per input over its kernel and the costs gives K̃ṽ and (K̃∘C)ṽ row by row, ũ_i comes from the first (as in
        /// a half step, without absorbing) and ⟨C, P_s⟩ = Σ_i ũ_i ((K̃∘C)ṽ)_i. Inputs that share the plain kernel read each
        /// row while it is in cache. Null when a product or a cost is not finite (the log path then measures them).
        /// </summary>
        internal double[]? Costs(double[][] logV)
        {
            var k = logV.Length;
            var costs = new double[k];
            for (var s = 0; s < k; s++)
            {
                if (!PrepareV(s, logV[s]))
                {
                    return null;
                }
            }

            if (_symmetric && !SymmetricCosts(costs))
            {
                return null;
            }

            for (var i = 0; i < _rows; i++)
            {
                for (var s = 0; s < k; s++)
                {
                    if (_symmetric && !_own[s])
                    {
                        continue;
                    }

                    var a = _histograms[s][i];
                    if (!(a > 0))
                    {
                        continue;
                    }

                    var kv = DotPair(_kernel[s], _cost, i * _cols, V[s], _cols, out var kcv);
                    if (!(kv > 0) || !double.IsFinite(kv))
                    {
                        return null;
                    }

                    var u = _tauA == 1 ? a / kv : Math.Exp(_logA![s][i] - (_tauA * Math.Log(kv)) + ((_tauA - 1) * _alpha[s][i]));
                    costs[s] += u * kcv;
                }
            }

            for (var s = 0; s < k; s++)
            {
                costs[s] *= _costScale;
            }

            return costs.All(double.IsFinite) ? costs : null;
        }

        /// <summary>
        /// The symmetric plain kernel's share of <see cref="Costs"/> (inputs without their own kernel): K̃ṽ by the half
        /// product, ũ as in a half step, then ⟨C, P_s⟩ = Σ_i K̃_ii C_ii ũ_i ṽ_i + Σ_{i&lt;j} K̃_ij C_ij (ũ_i ṽ_j + ũ_j ṽ_i) over
        /// the upper triangle (each entry and cost read once for two inputs). False when a product is not finite and positive.
        /// </summary>
        private bool SymmetricCosts(double[] costs)
        {
            var shared = _sharedInputs;
            SharedProduct(shared, V, _kv);
            foreach (var s in shared)
            {
                var (a, kv, u) = (_histograms[s], _kv[s], _u[s]);
                for (var i = 0; i < _rows; i++)
                {
                    if (!(a[i] > 0))
                    {
                        u[i] = 0;
                        continue;
                    }

                    if (!(kv[i] > 0) || !double.IsFinite(kv[i]))
                    {
                        return false;
                    }

                    u[i] = _tauA == 1 ? a[i] / kv[i] : Math.Exp(_logA![s][i] - (_tauA * Math.Log(kv[i])) + ((_tauA - 1) * _alpha[s][i]));
                }
            }

            for (var p = 0; p < shared.Length; p += 2)
            {
                var (s0, s1) = (shared[p], shared[Math.Min(p + 1, shared.Length - 1)]);
                var first = HalfCost(_base, _cost, _rows, _u[s0], V[s0], _u[s1], V[s1], p + 1 < shared.Length, out var second);
                costs[s0] = first;
                if (p + 1 < shared.Length)
                {
                    costs[s1] = second;
                }
            }

            return true;
        }

        /// <summary>ṽ_k of the last step.</summary>
        internal double[][] V { get; }

        /// <summary>K̃_kᵀ ũ_k of the last step (ṽ_k ∘ K̃_kᵀ ũ_k is plan k's barycenter-side marginal).</summary>
        internal double[][] Ku { get; }

        /// <summary>Absorptions so far (all inputs; the first kernel build not counted).</summary>
        internal int Absorptions => Volatile.Read(ref _absorptions);

        /// <summary>
        /// Input s's half step from the true log v (<paramref name="logV"/>) to L_s (<paramref name="logK"/>); false when a
        /// product underflowed or a value is not finite.
        /// </summary>
        internal bool Step(int s, double[] logV, double[] logK)
        {
            if (!PrepareV(s, logV))
            {
                return false;
            }

            var (kernel, kv, u) = (_kernel[s], _kv[s], _u[s]);
            if (_own[s])
            {
                for (var i = 0; i < _rows; i++)
                {
                    kv[i] = Dot(kernel, i * _cols, V[s], _cols);
                }
            }
            else
            {
                SharedProduct([s], V, _kv);
            }

            if (!InputScalings(s, _histograms[s], kv, u))
            {
                return false;
            }

            if (!_own[s])
            {
                SharedTransposed([s], _u, Ku);
                return Finish(s, logK);
            }

            kernel = _kernel[s];
            var ku = Ku[s];
            Array.Clear(ku);
            for (var i = 0; i < _rows; i++)
            {
                if (u[i] != 0)
                {
                    Axpy(u[i], kernel, i * _cols, ku, _cols);
                }
            }

            return Finish(s, logK);
        }

        /// <summary>How many inputs still use the plain kernel (no absorption yet).</summary>
        internal int Shared => _sharedInputs.Length;

        /// <summary>
        /// <see cref="Step"/> for every input on the calling thread, the inputs that still share the plain kernel batched
        /// (each kernel entry read once for two of them: one pass over the kernel per product and pair instead of one per
        /// input). On a symmetric cost (the packed upper triangle) both products are half products (K̃ᵀũ = K̃ũ), n(n + 1)/2
        /// entries a pass; otherwise K̃ṽ as row dot products and K̃ᵀũ as column updates. The same operations in the same
        /// order per input as <see cref="Step"/> (the same bits).
        /// </summary>
        internal bool StepAll(double[][] logV, double[][] logK)
        {
            var k = logV.Length;
            for (var s = 0; s < k; s++)
            {
                if (!PrepareV(s, logV[s]))
                {
                    return false;
                }
            }

            var shared = _sharedInputs;
            SharedProduct(shared, V, _kv);

            for (var s = 0; s < k; s++)
            {
                if (_own[s] && Array.IndexOf(shared, s) < 0)
                {
                    for (var i = 0; i < _rows; i++)
                    {
                        _kv[s][i] = Dot(_kernel[s], i * _cols, V[s], _cols);
                    }
                }

                if (!InputScalings(s, _histograms[s], _kv[s], _u[s]))
                {
                    return false;
                }
            }

            SharedTransposed(_sharedInputs, _u, Ku);
            for (var s = 0; s < k; s++)
            {
                if (_own[s])
                {
                    var (kernel, u, ku) = (_kernel[s], _u[s], Ku[s]);
                    Array.Clear(ku);
                    for (var i = 0; i < _rows; i++)
                    {
                        if (u[i] != 0)
                        {
                            Axpy(u[i], kernel, i * _cols, ku, _cols);
                        }
                    }
                }

                if (!Finish(s, logK[s]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>ṽ_s = e^{log v − β_s}, absorbing into β_s (and rebuilding the kernel) beyond the limit; false on NaN.</summary>
        private bool PrepareV(int s, double[] logV)
        {
            var (v, beta) = (V[s], _beta[s]);
            var far = false;
            for (var j = 0; j < _cols; j++)
            {
                var x = logV[j] - beta[j];
                if (double.IsNaN(x))
                {
                    return false;
                }

                far |= x > AbsorptionLimit || x < -LowAbsorptionLimit;
                v[j] = x;
            }

            if (far)
            {
                Array.Copy(logV, beta, _cols);
                Array.Fill(v, 1.0);
                _stale[s] = true;
                Interlocked.Increment(ref _absorptions);
            }
            else
            {
                ElementwiseMath.Exp(v, v);
            }

            if (_stale[s])
            {
                Rebuild(s);
            }

            return true;
        }

        /// <summary>L_s = log K̃ᵀũ − β_s from Ku[s]; false when an entry is not positive and finite.</summary>
        private bool Finish(int s, double[] logK)
        {
            var (ku, beta) = (Ku[s], _beta[s]);
            for (var j = 0; j < _cols; j++)
            {
                if (!(ku[j] > 0) || !double.IsFinite(ku[j]))
                {
                    return false;
                }
            }

            ElementwiseMath.Log(ku, logK);
            for (var j = 0; j < _cols; j++)
            {
                logK[j] -= beta[j];
            }

            return true;
        }

        /// <summary>
        /// ũ = (a e^{α} / K̃ṽ)^{τ_a} e^{−α} (0 where a = 0) from kv = K̃ṽ; when an entry lies above e^{<see
        /// cref="AbsorptionLimit"/>} or below e^{−<see cref="LowAbsorptionLimit"/>}, α += log ũ where a &gt; 0 and the kernel is rebuilt (ũ is then 1 there: K̃ṽ grows by ũ,
        /// the power's α term shrinks by it). Balanced inputs (τ_a = 1): one vectorized division and a range check, no
        /// logarithm unless absorbing. False when kv is not positive where a is, or a value is not finite.
        /// </summary>
        private bool InputScalings(int s, double[] a, double[] kv, double[] u)
        {
            var alpha = _alpha[s];
            bool far;
            if (_tauA == 1)
            {
                if (!InputScaling(a, 1, kv, u))
                {
                    return false;
                }

                far = OutOfRange(a, u);
                if (far)
                {
                    for (var i = 0; i < _rows; i++)
                    {
                        u[i] = a[i] > 0 ? Math.Log(u[i]) : 0;
                    }
                }
            }
            else
            {
                // log ũ = τ_a (log a − log K̃ṽ) + (τ_a − 1) α, the logarithm and the exponential on whole vectors.
                var logA = _logA![s];
                for (var i = 0; i < _rows; i++)
                {
                    if (a[i] > 0 && (!(kv[i] > 0) || !double.IsFinite(kv[i])))
                    {
                        return false;
                    }
                }

                ElementwiseMath.Log(kv, u);
                far = false;
                for (var i = 0; i < _rows; i++)
                {
                    var logU = a[i] > 0 ? logA[i] - (_tauA * u[i]) + ((_tauA - 1) * alpha[i]) : 0;
                    far |= logU > AbsorptionLimit || logU < -LowAbsorptionLimit;
                    u[i] = logU;
                }

                if (!double.IsFinite(u.Sum()))
                {
                    return false;
                }

                if (!far)
                {
                    ElementwiseMath.Exp(u, u);
                    for (var i = 0; i < _rows; i++)
                    {
                        if (!(a[i] > 0))
                        {
                            u[i] = 0;
                        }
                    }
                }
            }

            if (far)
            {
                for (var i = 0; i < _rows; i++)
                {
                    if (a[i] > 0)
                    {
                        alpha[i] += u[i];
                        u[i] = 1;
                    }
                }

                Rebuild(s);
                Interlocked.Increment(ref _absorptions);
            }

            return true;
        }

        /// <summary>Whether some u_i with a_i &gt; 0 lies outside [e^{−limit}, e^{limit}] (vectorized).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool OutOfRange(double[] a, double[] u)
        {
            var n = a.Length;
            if (u.Length < n)
            {
                throw new ArgumentException("Scalings of different lengths.", nameof(u));
            }

            ref var ar = ref MemoryMarshal.GetArrayDataReference(a);
            ref var ur = ref MemoryMarshal.GetArrayDataReference(u);
            var w = Vector<double>.Count;
            var (low, high, zero) = (new Vector<double>(LowScaling), new Vector<double>(HighScaling), Vector<double>.Zero);
            var bad = Vector<long>.Zero;
            var i = 0;
            for (; i + w <= n; i += w)
            {
                var x = Vector.LoadUnsafe(ref ur, (nuint)i);
                var positive = Vector.GreaterThan(Vector.LoadUnsafe(ref ar, (nuint)i), zero);
                bad |= positive & (Vector.LessThan(x, low) | Vector.GreaterThan(x, high));
            }

            var far = !Vector.EqualsAll(bad, Vector<long>.Zero);
            for (; i < n; i++)
            {
                far |= a[i] > 0 && (u[i] < LowScaling || u[i] > HighScaling);
            }

            return far;
        }

        /// <summary>
        /// K̃_s = e^{α_i + β_j − C_ij/ε}, entries below e^{−700} set to 0 (no subnormal products), in the input's own kernel
        /// (allocated at its first absorption; until then it shares the plain one).
        /// </summary>
        private void Rebuild(int s)
        {
            if (!_own[s])
            {
                _kernel[s] = GC.AllocateUninitializedArray<double>(_cost.Length);
                _own[s] = true;
                _sharedInputs = Enumerable.Range(0, _own.Length).Where(x => !_own[x]).ToArray();
            }

            Build(_kernel[s], _alpha[s], _beta[s]);
            _stale[s] = false;
        }

        /// <summary>kernel = e^{α_i + β_j − C_ij/ε} (α, β null: 0), entries below e^{−700} set to 0.</summary>
        private void Build(double[] kernel, double[]? alpha, double[]? beta)
        {
            for (var i = 0; i < _rows; i++)
            {
                var row = kernel.AsSpan(i * _cols, _cols);
                var cost = _cost.AsSpan(i * _cols, _cols);
                var a = alpha is null ? 0 : alpha[i];
                for (var j = 0; j < _cols; j++)
                {
                    var x = a + (beta is null ? 0 : beta[j]) - (_toNats * cost[j]);
                    row[j] = x < -700 ? double.NegativeInfinity : x;
                }

                ElementwiseMath.Exp(row, row);
            }
        }

        /// <summary>
        /// y_s = K x_s on the plain kernel for the inputs in <paramref name="shared"/>: row dot products, two inputs per row
        /// load; on the packed symmetric kernel the half product (<see cref="HalfProduct"/>), two inputs per pass.
        /// </summary>
        private void SharedProduct(int[] shared, double[][] x, double[][] y)
        {
            if (_symmetric)
            {
                for (var p = 0; p < shared.Length; p += 2)
                {
                    var (s0, s1) = (shared[p], shared[Math.Min(p + 1, shared.Length - 1)]);
                    HalfProduct(_base, _rows, x[s0], x[s1], y[s0], y[s1], pair: p + 1 < shared.Length);
                }

                return;
            }

            for (var i = 0; i < _rows; i++)
            {
                var p = 0;
                for (; p + 1 < shared.Length; p += 2)
                {
                    var (s0, s1) = (shared[p], shared[p + 1]);
                    y[s0][i] = Dot2(_base, i * _cols, x[s0], x[s1], _cols, out y[s1][i]);
                }

                if (p < shared.Length)
                {
                    y[shared[p]][i] = Dot(_base, i * _cols, x[shared[p]], _cols);
                }
            }
        }

        /// <summary>
        /// y_s = Kᵀ x_s on the plain kernel for the inputs in <paramref name="shared"/>: the column updates (rows with x_i = 0
        /// skipped); on the packed symmetric kernel Kᵀ = K, <see cref="SharedProduct"/>.
        /// </summary>
        private void SharedTransposed(int[] shared, double[][] x, double[][] y)
        {
            if (_symmetric)
            {
                SharedProduct(shared, x, y);
                return;
            }

            foreach (var s in shared)
            {
                Array.Clear(y[s]);
            }

            for (var i = 0; i < _rows; i++)
            {
                foreach (var s in shared)
                {
                    if (x[s][i] != 0)
                    {
                        Axpy(x[s][i], _base, i * _cols, y[s], _cols);
                    }
                }
            }
        }

        /// <summary>Where row i of the packed upper triangle of an n × n matrix starts (row i holds columns i … n − 1).</summary>
        private static long PackedRow(long i, long n) => (i * n) - (i * (i - 1) / 2);

        /// <summary>
        /// The upper triangle of e^{−C/ε} packed by rows when the square cost is symmetric, else null. One pass over the cost in
        /// blocks of 32 rows: the block's mirror entries C_ji (j &gt; i) are compared exactly with C_ij while the block's rows
        /// are in cache (stops at the first difference), then the block's rows are exponentiated from the diagonal on (entries
        /// below e^{−700} set to 0, as <see cref="Build"/>). n(n + 1)/2 exponentials instead of n², no separate symmetry pass.
        /// </summary>
        private double[]? BuildSymmetric()
        {
            const int block = 32;
            var n = _rows;
            var packed = GC.AllocateUninitializedArray<double>(checked((int)PackedRow(n, n)));
            var cost = _cost;
            for (var i0 = 0; i0 < n; i0 += block)
            {
                var i1 = Math.Min(i0 + block, n);
                for (var j = i0 + 1; j < n; j++)
                {
                    var mirror = (long)j * n;
                    var top = Math.Min(i1, j);
                    for (var i = i0; i < top; i++)
                    {
                        if (cost[mirror + i] != cost[((long)i * n) + j])
                        {
                            return null;
                        }
                    }
                }

                for (var i = i0; i < i1; i++)
                {
                    var row = packed.AsSpan((int)PackedRow(i, n), n - i);
                    var source = cost.AsSpan((i * n) + i, n - i);
                    for (var j = 0; j < row.Length; j++)
                    {
                        var x = -(_toNats * source[j]);
                        row[j] = x < -700 ? double.NegativeInfinity : x;
                    }

                    ElementwiseMath.Exp(row, row);
                }
            }

            return packed;
        }

        /// <summary>
        /// y0 = K x0 (and y1 = K x1 when <paramref name="pair"/>) for the symmetric n × n matrix K whose upper triangle is
        /// <paramref name="packed"/>: row i's entries K_ij (j &gt; i) are read once for the dot product Σ_j K_ij x_j (into y_i)
        /// and the update y_j += K_ij x_i (the lower triangle's share), so each product reads n(n + 1)/2 entries, not n².
        /// Rows four at a time (each load and store of x_j, y_j serves four rows; at stop 23 one row at a time ran
        /// at about a third of the multiply-add rate, bound by the loads and stores of y), the last n mod 4 rows one by one. One
        /// fixed order per entry (deterministic); other bits than a row dot product. Vectorized. <paramref name="y0"/> (and <paramref name="y1"/> when a pair) is overwritten; outputs must not alias the
        /// inputs or, when a pair, each other.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void HalfProduct(double[] packed, int n, double[] x0, double[] x1, double[] y0, double[] y1, bool pair)
        {
            if (packed.Length < PackedRow(n, n) || x0.Length < n || x1.Length < n || y0.Length < n || y1.Length < n)
            {
                throw new ArgumentOutOfRangeException(nameof(n), "The product exceeds its arrays.");
            }

            Array.Clear(y0, 0, n);
            if (pair)
            {
                Array.Clear(y1, 0, n);
            }

            ref var pr = ref MemoryMarshal.GetArrayDataReference(packed);
            ref var x0r = ref MemoryMarshal.GetArrayDataReference(x0);
            ref var x1r = ref MemoryMarshal.GetArrayDataReference(x1);
            ref var y0r = ref MemoryMarshal.GetArrayDataReference(y0);
            ref var y1r = ref MemoryMarshal.GetArrayDataReference(y1);
            var w = Vector<double>.Count;
            var i = 0;

            // Four rows at a time: each x_j, y_j load and y_j store serves four kernel rows (four dot products and four
            // updates of y_j per load), one accumulator per row and input.
            for (; i + 4 <= n; i += 4)
            {
                ref var r0 = ref Unsafe.Add(ref pr, (nint)(PackedRow(i, n) - i));
                ref var r1 = ref Unsafe.Add(ref pr, (nint)(PackedRow(i + 1, n) - (i + 1)));
                ref var r2 = ref Unsafe.Add(ref pr, (nint)(PackedRow(i + 2, n) - (i + 2)));
                ref var r3 = ref Unsafe.Add(ref pr, (nint)(PackedRow(i + 3, n) - (i + 3)));
                var (a0, a1, a2, a3) = (x0[i], x0[i + 1], x0[i + 2], x0[i + 3]);
                var (b0, b1, b2, b3) = (x1[i], x1[i + 1], x1[i + 2], x1[i + 3]);
                var (av0, av1, av2, av3) = (new Vector<double>(a0), new Vector<double>(a1), new Vector<double>(a2), new Vector<double>(a3));
                var (bv0, bv1, bv2, bv3) = (new Vector<double>(b0), new Vector<double>(b1), new Vector<double>(b2), new Vector<double>(b3));
                var (s0, s1, s2, s3) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
                var (t0, t1, t2, t3) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
                var j = i + 4;
                for (; j + w <= n; j += w)
                {
                    var k0 = Vector.LoadUnsafe(ref r0, (nuint)j);
                    var k1 = Vector.LoadUnsafe(ref r1, (nuint)j);
                    var k2 = Vector.LoadUnsafe(ref r2, (nuint)j);
                    var k3 = Vector.LoadUnsafe(ref r3, (nuint)j);
                    var x = Vector.LoadUnsafe(ref x0r, (nuint)j);
                    s0 = Vector.FusedMultiplyAdd(k0, x, s0);
                    s1 = Vector.FusedMultiplyAdd(k1, x, s1);
                    s2 = Vector.FusedMultiplyAdd(k2, x, s2);
                    s3 = Vector.FusedMultiplyAdd(k3, x, s3);
                    var y = Vector.LoadUnsafe(ref y0r, (nuint)j);
                    y = Vector.FusedMultiplyAdd(k0, av0, y);
                    y = Vector.FusedMultiplyAdd(k1, av1, y);
                    y = Vector.FusedMultiplyAdd(k2, av2, y);
                    Vector.FusedMultiplyAdd(k3, av3, y).StoreUnsafe(ref y0r, (nuint)j);
                    if (pair)
                    {
                        var z = Vector.LoadUnsafe(ref x1r, (nuint)j);
                        t0 = Vector.FusedMultiplyAdd(k0, z, t0);
                        t1 = Vector.FusedMultiplyAdd(k1, z, t1);
                        t2 = Vector.FusedMultiplyAdd(k2, z, t2);
                        t3 = Vector.FusedMultiplyAdd(k3, z, t3);
                        var v = Vector.LoadUnsafe(ref y1r, (nuint)j);
                        v = Vector.FusedMultiplyAdd(k0, bv0, v);
                        v = Vector.FusedMultiplyAdd(k1, bv1, v);
                        v = Vector.FusedMultiplyAdd(k2, bv2, v);
                        Vector.FusedMultiplyAdd(k3, bv3, v).StoreUnsafe(ref y1r, (nuint)j);
                    }
                }

                var (d0, d1, d2, d3) = (Vector.Sum(s0), Vector.Sum(s1), Vector.Sum(s2), Vector.Sum(s3));
                var (e0, e1, e2, e3) = (Vector.Sum(t0), Vector.Sum(t1), Vector.Sum(t2), Vector.Sum(t3));
                for (; j < n; j++)
                {
                    var (k0, k1, k2, k3) = (Unsafe.Add(ref r0, j), Unsafe.Add(ref r1, j), Unsafe.Add(ref r2, j), Unsafe.Add(ref r3, j));
                    var x = x0[j];
                    (d0, d1, d2, d3) = (Math.FusedMultiplyAdd(k0, x, d0), Math.FusedMultiplyAdd(k1, x, d1), Math.FusedMultiplyAdd(k2, x, d2), Math.FusedMultiplyAdd(k3, x, d3));
                    y0[j] = Math.FusedMultiplyAdd(k3, a3, Math.FusedMultiplyAdd(k2, a2, Math.FusedMultiplyAdd(k1, a1, Math.FusedMultiplyAdd(k0, a0, y0[j]))));
                    if (pair)
                    {
                        var z = x1[j];
                        (e0, e1, e2, e3) = (Math.FusedMultiplyAdd(k0, z, e0), Math.FusedMultiplyAdd(k1, z, e1), Math.FusedMultiplyAdd(k2, z, e2), Math.FusedMultiplyAdd(k3, z, e3));
                        y1[j] = Math.FusedMultiplyAdd(k3, b3, Math.FusedMultiplyAdd(k2, b2, Math.FusedMultiplyAdd(k1, b1, Math.FusedMultiplyAdd(k0, b0, y1[j]))));
                    }
                }

                // The block's own upper triangle (rows and columns i … i + 3: row r's reference indexed by the column), then
                // each row's sum into y_r.
                var (k00, k01, k02, k03) = (Unsafe.Add(ref r0, i), Unsafe.Add(ref r0, i + 1), Unsafe.Add(ref r0, i + 2), Unsafe.Add(ref r0, i + 3));
                var (k11, k12, k13) = (Unsafe.Add(ref r1, i + 1), Unsafe.Add(ref r1, i + 2), Unsafe.Add(ref r1, i + 3));
                var (k22, k23, k33) = (Unsafe.Add(ref r2, i + 2), Unsafe.Add(ref r2, i + 3), Unsafe.Add(ref r3, i + 3));
                y0[i] += Math.FusedMultiplyAdd(k03, a3, Math.FusedMultiplyAdd(k02, a2, Math.FusedMultiplyAdd(k01, a1, Math.FusedMultiplyAdd(k00, a0, d0))));
                y0[i + 1] += Math.FusedMultiplyAdd(k01, a0, Math.FusedMultiplyAdd(k13, a3, Math.FusedMultiplyAdd(k12, a2, Math.FusedMultiplyAdd(k11, a1, d1))));
                y0[i + 2] += Math.FusedMultiplyAdd(k12, a1, Math.FusedMultiplyAdd(k02, a0, Math.FusedMultiplyAdd(k23, a3, Math.FusedMultiplyAdd(k22, a2, d2))));
                y0[i + 3] += Math.FusedMultiplyAdd(k23, a2, Math.FusedMultiplyAdd(k13, a1, Math.FusedMultiplyAdd(k03, a0, Math.FusedMultiplyAdd(k33, a3, d3))));
                if (pair)
                {
                    y1[i] += Math.FusedMultiplyAdd(k03, b3, Math.FusedMultiplyAdd(k02, b2, Math.FusedMultiplyAdd(k01, b1, Math.FusedMultiplyAdd(k00, b0, e0))));
                    y1[i + 1] += Math.FusedMultiplyAdd(k01, b0, Math.FusedMultiplyAdd(k13, b3, Math.FusedMultiplyAdd(k12, b2, Math.FusedMultiplyAdd(k11, b1, e1))));
                    y1[i + 2] += Math.FusedMultiplyAdd(k12, b1, Math.FusedMultiplyAdd(k02, b0, Math.FusedMultiplyAdd(k23, b3, Math.FusedMultiplyAdd(k22, b2, e2))));
                    y1[i + 3] += Math.FusedMultiplyAdd(k23, b2, Math.FusedMultiplyAdd(k13, b1, Math.FusedMultiplyAdd(k03, b0, Math.FusedMultiplyAdd(k33, b3, e3))));
                }
            }

            // The last n mod 4 rows one by one.
            for (; i < n; i++)
            {
                // Row i: K_ij at PackedRow(i) + (j − i), so the row's reference is PackedRow(i) − i and j indexes it.
                ref var row = ref Unsafe.Add(ref pr, (nint)(PackedRow(i, n) - i));
                var (a, b) = (x0[i], x1[i]);
                var (av, bv) = (new Vector<double>(a), new Vector<double>(b));
                var (s0, s1, t0, t1) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
                var j = i + 1;
                for (; j + (2 * w) <= n; j += 2 * w)
                {
                    var k0 = Vector.LoadUnsafe(ref row, (nuint)j);
                    var k1 = Vector.LoadUnsafe(ref row, (nuint)(j + w));
                    s0 = Vector.FusedMultiplyAdd(k0, Vector.LoadUnsafe(ref x0r, (nuint)j), s0);
                    s1 = Vector.FusedMultiplyAdd(k1, Vector.LoadUnsafe(ref x0r, (nuint)(j + w)), s1);
                    Vector.FusedMultiplyAdd(k0, av, Vector.LoadUnsafe(ref y0r, (nuint)j)).StoreUnsafe(ref y0r, (nuint)j);
                    Vector.FusedMultiplyAdd(k1, av, Vector.LoadUnsafe(ref y0r, (nuint)(j + w))).StoreUnsafe(ref y0r, (nuint)(j + w));
                    if (pair)
                    {
                        t0 = Vector.FusedMultiplyAdd(k0, Vector.LoadUnsafe(ref x1r, (nuint)j), t0);
                        t1 = Vector.FusedMultiplyAdd(k1, Vector.LoadUnsafe(ref x1r, (nuint)(j + w)), t1);
                        Vector.FusedMultiplyAdd(k0, bv, Vector.LoadUnsafe(ref y1r, (nuint)j)).StoreUnsafe(ref y1r, (nuint)j);
                        Vector.FusedMultiplyAdd(k1, bv, Vector.LoadUnsafe(ref y1r, (nuint)(j + w))).StoreUnsafe(ref y1r, (nuint)(j + w));
                    }
                }

                var (sum, other) = (Vector.Sum(s0 + s1), Vector.Sum(t0 + t1));
                for (; j < n; j++)
                {
                    var entry = Unsafe.Add(ref row, j);
                    sum = Math.FusedMultiplyAdd(entry, x0[j], sum);
                    y0[j] = Math.FusedMultiplyAdd(entry, a, y0[j]);
                    if (pair)
                    {
                        other = Math.FusedMultiplyAdd(entry, x1[j], other);
                        y1[j] = Math.FusedMultiplyAdd(entry, b, y1[j]);
                    }
                }

                var diagonal = Unsafe.Add(ref row, i);
                y0[i] += Math.FusedMultiplyAdd(diagonal, a, sum);
                if (pair)
                {
                    y1[i] += Math.FusedMultiplyAdd(diagonal, b, other);
                }
            }
        }

        /// <summary>
        /// ⟨C, diag(u0) K diag(v0)⟩ (and into <paramref name="second"/> the same for u1, v1 when <paramref name="pair"/>) for
        /// the symmetric K packed as in <see cref="HalfProduct"/> and the symmetric n × n cost C (row-major, read on its upper
        /// triangle): Σ_i K_ii C_ii u_i v_i + Σ_{i&lt;j} K_ij C_ij (u_i v_j + u_j v_i), one pass.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double HalfCost(double[] packed, double[] cost, int n, double[] u0, double[] v0, double[] u1, double[] v1, bool pair, out double second)
        {
            if (packed.Length < PackedRow(n, n) || cost.Length < (long)n * n || u0.Length < n || v0.Length < n || u1.Length < n || v1.Length < n)
            {
                throw new ArgumentOutOfRangeException(nameof(n), "The product exceeds its arrays.");
            }

            ref var pr = ref MemoryMarshal.GetArrayDataReference(packed);
            ref var cr = ref MemoryMarshal.GetArrayDataReference(cost);
            ref var u0r = ref MemoryMarshal.GetArrayDataReference(u0);
            ref var v0r = ref MemoryMarshal.GetArrayDataReference(v0);
            ref var u1r = ref MemoryMarshal.GetArrayDataReference(u1);
            ref var v1r = ref MemoryMarshal.GetArrayDataReference(v1);
            var w = Vector<double>.Count;
            var (total, otherTotal) = (0.0, 0.0);
            nint offset = 0;
            for (var i = 0; i < n; i++)
            {
                ref var row = ref Unsafe.Add(ref pr, offset - i);
                ref var costRow = ref Unsafe.Add(ref cr, (nint)i * n);
                var (s0, s1, t0, t1) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
                var j = i + 1;
                for (; j + w <= n; j += w)
                {
                    var kc = Vector.LoadUnsafe(ref row, (nuint)j) * Vector.LoadUnsafe(ref costRow, (nuint)j);
                    s0 = Vector.FusedMultiplyAdd(kc, Vector.LoadUnsafe(ref v0r, (nuint)j), s0);
                    s1 = Vector.FusedMultiplyAdd(kc, Vector.LoadUnsafe(ref u0r, (nuint)j), s1);
                    if (pair)
                    {
                        t0 = Vector.FusedMultiplyAdd(kc, Vector.LoadUnsafe(ref v1r, (nuint)j), t0);
                        t1 = Vector.FusedMultiplyAdd(kc, Vector.LoadUnsafe(ref u1r, (nuint)j), t1);
                    }
                }

                var (a0, b0, a1, b1) = (Vector.Sum(s0), Vector.Sum(s1), Vector.Sum(t0), Vector.Sum(t1));
                for (; j < n; j++)
                {
                    var kc = Unsafe.Add(ref row, j) * Unsafe.Add(ref costRow, j);
                    a0 += kc * v0[j];
                    b0 += kc * u0[j];
                    if (pair)
                    {
                        a1 += kc * v1[j];
                        b1 += kc * u1[j];
                    }
                }

                var diagonal = Unsafe.Add(ref row, i) * Unsafe.Add(ref costRow, i);
                total += (u0[i] * (a0 + (diagonal * v0[i]))) + (v0[i] * b0);
                if (pair)
                {
                    otherTotal += (u1[i] * (a1 + (diagonal * v1[i]))) + (v1[i] * b1);
                }

                offset += n - i;
            }

            second = otherTotal;
            return total;
        }

        /// <summary>
        /// <see cref="Dot"/> of one row with two vectors in one pass (each sum with the same four accumulators and order as
        /// <see cref="Dot"/>, so the same bits); the second sum into <paramref name="second"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double Dot2(double[] m, int offset, double[] x, double[] z, int n, out double second)
        {
            if (offset < 0 || (long)offset + n > m.Length || x.Length < n || z.Length < n)
            {
                throw new ArgumentOutOfRangeException(nameof(n), "The product exceeds its arrays.");
            }

            ref var mr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(m), offset);
            ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
            ref var zr = ref MemoryMarshal.GetArrayDataReference(z);
            var w = Vector<double>.Count;
            var (s0, s1, s2, s3) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
            var (t0, t1, t2, t3) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
            var j = 0;
            for (; j + (4 * w) <= n; j += 4 * w)
            {
                var m0 = Vector.LoadUnsafe(ref mr, (nuint)j);
                var m1 = Vector.LoadUnsafe(ref mr, (nuint)(j + w));
                var m2 = Vector.LoadUnsafe(ref mr, (nuint)(j + (2 * w)));
                var m3 = Vector.LoadUnsafe(ref mr, (nuint)(j + (3 * w)));
                s0 = Vector.FusedMultiplyAdd(m0, Vector.LoadUnsafe(ref xr, (nuint)j), s0);
                t0 = Vector.FusedMultiplyAdd(m0, Vector.LoadUnsafe(ref zr, (nuint)j), t0);
                s1 = Vector.FusedMultiplyAdd(m1, Vector.LoadUnsafe(ref xr, (nuint)(j + w)), s1);
                t1 = Vector.FusedMultiplyAdd(m1, Vector.LoadUnsafe(ref zr, (nuint)(j + w)), t1);
                s2 = Vector.FusedMultiplyAdd(m2, Vector.LoadUnsafe(ref xr, (nuint)(j + (2 * w))), s2);
                t2 = Vector.FusedMultiplyAdd(m2, Vector.LoadUnsafe(ref zr, (nuint)(j + (2 * w))), t2);
                s3 = Vector.FusedMultiplyAdd(m3, Vector.LoadUnsafe(ref xr, (nuint)(j + (3 * w))), s3);
                t3 = Vector.FusedMultiplyAdd(m3, Vector.LoadUnsafe(ref zr, (nuint)(j + (3 * w))), t3);
            }

            for (; j + w <= n; j += w)
            {
                var m0 = Vector.LoadUnsafe(ref mr, (nuint)j);
                s0 = Vector.FusedMultiplyAdd(m0, Vector.LoadUnsafe(ref xr, (nuint)j), s0);
                t0 = Vector.FusedMultiplyAdd(m0, Vector.LoadUnsafe(ref zr, (nuint)j), t0);
            }

            var (sum, other) = (Vector.Sum((s0 + s1) + (s2 + s3)), Vector.Sum((t0 + t1) + (t2 + t3)));
            for (; j < n; j++)
            {
                var entry = Unsafe.Add(ref mr, j);
                sum = Math.FusedMultiplyAdd(entry, x[j], sum);
                other = Math.FusedMultiplyAdd(entry, z[j], other);
            }

            second = other;
            return sum;
        }

        /// <summary>Σ_j m[offset + j]·x_j (vectorized, four accumulators).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double Dot(double[] m, int offset, double[] x, int n)
        {
            if (offset < 0 || (long)offset + n > m.Length || x.Length < n)
            {
                throw new ArgumentOutOfRangeException(nameof(n), "The product exceeds its arrays.");
            }

            ref var mr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(m), offset);
            ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
            var w = Vector<double>.Count;
            var (s0, s1, s2, s3) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
            var j = 0;
            for (; j + (4 * w) <= n; j += 4 * w)
            {
                s0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref mr, (nuint)j), Vector.LoadUnsafe(ref xr, (nuint)j), s0);
                s1 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref mr, (nuint)(j + w)), Vector.LoadUnsafe(ref xr, (nuint)(j + w)), s1);
                s2 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref mr, (nuint)(j + (2 * w))), Vector.LoadUnsafe(ref xr, (nuint)(j + (2 * w))), s2);
                s3 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref mr, (nuint)(j + (3 * w))), Vector.LoadUnsafe(ref xr, (nuint)(j + (3 * w))), s3);
            }

            for (; j + w <= n; j += w)
            {
                s0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref mr, (nuint)j), Vector.LoadUnsafe(ref xr, (nuint)j), s0);
            }

            var sum = Vector.Sum((s0 + s1) + (s2 + s3));
            for (; j < n; j++)
            {
                sum = Math.FusedMultiplyAdd(Unsafe.Add(ref mr, j), x[j], sum);
            }

            return sum;
        }

        /// <summary>Σ_j m[offset + j]·x_j, and Σ_j m[offset + j]·c[offset + j]·x_j into <paramref name="weighted"/> (one pass, vectorized).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double DotPair(double[] m, double[] c, int offset, double[] x, int n, out double weighted)
        {
            if (offset < 0 || (long)offset + n > m.Length || (long)offset + n > c.Length || x.Length < n)
            {
                throw new ArgumentOutOfRangeException(nameof(n), "The product exceeds its arrays.");
            }

            ref var mr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(m), offset);
            ref var cr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(c), offset);
            ref var xr = ref MemoryMarshal.GetArrayDataReference(x);
            var w = Vector<double>.Count;
            var (sum, weightedSum) = (Vector<double>.Zero, Vector<double>.Zero);
            var j = 0;
            for (; j + w <= n; j += w)
            {
                var mx = Vector.LoadUnsafe(ref mr, (nuint)j) * Vector.LoadUnsafe(ref xr, (nuint)j);
                sum += mx;
                weightedSum = Vector.FusedMultiplyAdd(mx, Vector.LoadUnsafe(ref cr, (nuint)j), weightedSum);
            }

            var (total, weightedTotal) = (Vector.Sum(sum), Vector.Sum(weightedSum));
            for (; j < n; j++)
            {
                var mx = Unsafe.Add(ref mr, j) * x[j];
                total += mx;
                weightedTotal += mx * Unsafe.Add(ref cr, j);
            }

            weighted = weightedTotal;
            return total;
        }

        /// <summary>y += a·m[offset .. offset + n) (vectorized; each entry one fused multiply-add).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Axpy(double a, double[] m, int offset, double[] y, int n)
        {
            if (offset < 0 || (long)offset + n > m.Length || y.Length < n)
            {
                throw new ArgumentOutOfRangeException(nameof(n), "The product exceeds its arrays.");
            }

            ref var mr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(m), offset);
            ref var yr = ref MemoryMarshal.GetArrayDataReference(y);
            var w = Vector<double>.Count;
            var av = new Vector<double>(a);
            var j = 0;
            for (; j + w <= n; j += w)
            {
                Vector.FusedMultiplyAdd(av, Vector.LoadUnsafe(ref mr, (nuint)j), Vector.LoadUnsafe(ref yr, (nuint)j)).StoreUnsafe(ref yr, (nuint)j);
            }

            for (; j < n; j++)
            {
                y[j] = Math.FusedMultiplyAdd(a, Unsafe.Add(ref mr, j), y[j]);
            }
        }
    }
}
