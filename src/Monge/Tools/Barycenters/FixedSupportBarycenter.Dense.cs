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
    /// The stabilized kernels, potentials and scalings of every input on one dense n × N cost. Memory: C/ε once and one
    /// kernel per input (n·N doubles each), plus O(n + N) per input.
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
        private readonly double[]? _plain;
        private readonly double[] _base;
        private readonly bool[] _own;
        private int[] _sharedInputs;
        private readonly bool _symmetric;
        private readonly double[][]? _logA;
        private int _absorptions;

        /// <summary>
        /// Builds e^{−C/ε} once (entries below e^{−700} set to 0): every input's kernel until its first absorption (α = β = 0;
        /// an input gets its own kernel then), and the plain kernel of the debiasing steps when <paramref name="debiased"/>
        /// (square supports only).
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

            _base = GC.AllocateUninitializedArray<double>(_cost.Length);
            Build(_base, null, null);
            for (var s = 0; s < k; s++)
            {
                _kernel[s] = _base;
            }

            _plain = debiased ? _base : null;
            _symmetric = _rows == _cols && IsSymmetric(_cost, _rows);
            _logA = tauA == 1 ? null : histograms.Select(a => a.Select(x => x > 0 ? tauA * Math.Log(x) : 0).ToArray()).ToArray();
        }

        /// <summary>y = e^{−C/ε} x (rows; the debiasing steps on the barycenter's own square support).</summary>
        internal void ApplyPlain(double[] x, double[] y)
        {
            for (var i = 0; i < _rows; i++)
            {
                y[i] = Dot(_plain!, i * _cols, x, _cols);
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

            for (var i = 0; i < _rows; i++)
            {
                for (var s = 0; s < k; s++)
                {
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
            for (var i = 0; i < _rows; i++)
            {
                kv[i] = Dot(kernel, i * _cols, V[s], _cols);
            }

            if (!InputScalings(s, _histograms[s], kv, u))
            {
                return false;
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
        /// row by row (each row read once for all of them: one pass over the kernel per product instead of one per input),
        /// two inputs per row load. K̃ṽ: the same operations in the same order per input as <see cref="Step"/> (the same
        /// bits). K̃ᵀũ on a symmetric cost (checked exactly once per solve) is K̃ũ, row dot products as the first product
        /// (two loads per multiply-add instead of three for the column update; other bits than <see cref="Step"/>, still one
        /// fixed order per entry); otherwise the column updates of <see cref="Step"/>.
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

                Array.Clear(Ku[s]);
            }

            shared = _sharedInputs;
            if (_symmetric)
            {
                SharedProduct(shared, _u, Ku);
            }
            else
            {
                for (var i = 0; i < _rows; i++)
                {
                    foreach (var s in shared)
                    {
                        if (_u[s][i] != 0)
                        {
                            Axpy(_u[s][i], _base, i * _cols, Ku[s], _cols);
                        }
                    }
                }
            }

            for (var s = 0; s < k; s++)
            {
                if (_own[s])
                {
                    var (kernel, u, ku) = (_kernel[s], _u[s], Ku[s]);
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

        /// <summary>y_s = K x_s on the plain kernel for the inputs in <paramref name="shared"/>, row by row, two inputs per row load.</summary>
        private void SharedProduct(int[] shared, double[][] x, double[][] y)
        {
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

        /// <summary>Whether the square n × n matrix equals its transpose exactly (blocks of 64 × 64; stops at the first difference).</summary>
        private static bool IsSymmetric(double[] m, int n)
        {
            const int block = 64;
            for (var i0 = 0; i0 < n; i0 += block)
            {
                for (var j0 = i0; j0 < n; j0 += block)
                {
                    for (var i = i0; i < Math.Min(i0 + block, n); i++)
                    {
                        for (var j = Math.Max(j0, i + 1); j < Math.Min(j0 + block, n); j++)
                        {
                            if (m[((long)i * n) + j] != m[((long)j * n) + i])
                            {
                                return false;
                            }
                        }
                    }
                }
            }

            return true;
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
