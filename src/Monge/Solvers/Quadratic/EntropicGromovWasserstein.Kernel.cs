using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Monge.Solvers.Quadratic;

/// <content>The balanced inner solver in the kernel domain, reusing its buffers across outer iterations.</content>
public sealed partial record EntropicGromovWasserstein
{
    /// <summary>
    /// Balanced Sinkhorn on a dense cost in the kernel domain, with the kernel K_ij = a_i b_j exp((f_i + g_j − C_ij)/ε)
    /// built around the previous outer step's potentials (f, g), so that the scalings u, v stay near one: one exp per
    /// entry per outer step, then two O(n·m) multiply-add passes per Sinkhorn iteration, and the plan u_i K_ij v_j with no
    /// further exp. The potentials follow <see cref="Entropic.Sinkhorn"/>'s KL convention (P = a⊗b·exp((f ⊕ g − C)/ε)),
    /// so they can be handed to it (and back) unchanged. The error is the L1 column-marginal error after a row update,
    /// as in <see cref="Entropic.Sinkhorn"/> with <see cref="Entropic.MarginalNorm.L1"/>. Memory: one n × m array (the kernel)
    /// and O(n + m), allocated once per solve of the outer problem.
    /// </summary>
    private sealed class KernelScaling<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Scalings whose log leaves ±this are absorbed into the potentials (and the kernel rebuilt).</summary>
        private const double AbsorbLog = 50;

        /// <summary>The largest n and m for which a stalled step is finished by <see cref="NewtonPolish"/> (O(m²) memory).</summary>
        private const int NewtonMaxSize = 512;

        /// <summary>Newton steps of one <see cref="NewtonPolish"/> at most.</summary>
        private const int NewtonSteps = 4;

        /// <summary>Row exponents above this (or all below its negative) are re-centred before the exp.</summary>
        private const double MaxExponent = 30;

        private readonly int _n;
        private readonly int _m;
        private readonly T[] _logA;
        private readonly T[] _logB;
        private readonly T[] _a;
        private readonly T[] _b;
        private readonly T[] _kernel;
        private readonly T[] _u;
        private readonly T[] _v;
        private readonly T[] _colSum;
        private readonly T[] _uBest;
        private readonly T[] _vBest;
        private double _rowErrorBest;
        private bool _acceleratedBest;

        public KernelScaling(T[] a, T[] b)
        {
            _n = a.Length;
            _m = b.Length;
            _a = a;
            _b = b;
            _logA = new T[_n];
            _logB = new T[_m];
            TensorPrimitives.Log(a, _logA);
            TensorPrimitives.Log(b, _logB);
            _kernel = new T[(long)_n * _m];
            _u = new T[_n];
            _v = new T[_m];
            _colSum = new T[_m];
            _uBest = new T[_n];
            _vBest = new T[_m];
        }

        /// <summary>Whether the weights allow this solver (all positive: a zero weight gives a zero row of K).</summary>
        public static bool Supports(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        {
            foreach (var x in a)
            {
                if (!(x > T.Zero))
                {
                    return false;
                }
            }

            foreach (var x in b)
            {
                if (!(x > T.Zero))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Solves to an L1 marginal error of at most <paramref name="threshold"/> or <paramref name="maxIterations"/>
        /// iterations, updating <paramref name="f"/> and <paramref name="g"/> in place and writing the plan. The scalings
        /// are over-relaxed as in <see cref="Entropic.Sinkhorn"/> (v ← v·(b / (v ∘ Kᵀu))^ω, then u ← u·(a / (u ∘ Kv))^ω,
        /// the same <see cref="Entropic.OverRelaxation"/> rule, ω = 1 first): in the kernel domain ω costs O(n + m) per
        /// iteration. While ω ≠ 1 the error is the column error plus the row error (the rows are exact only at ω = 1); a
        /// check more than 10× above the best error seen (or a breakdown) rolls back to the best scalings with ω − 1
        /// halved (<paramref name="safeguard"/>).
        /// </summary>
        /// <returns>The iterations, the last error, and whether it met the threshold. Error NaN: the scalings broke down,
        /// the plan is not written and the potentials may be unusable; otherwise the plan and potentials are those of the
        /// last iterate (a warm start for the log-domain solver when the budget ran out).</returns>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public (int Iterations, double Error, bool Ok) Solve(ReadOnlySpan<T> cost, double epsilon, double threshold, int maxIterations, double? momentum, bool safeguard, T[] f, T[] g, Span<T> plan)
        {
            var eps = T.CreateTruncating(epsilon);
            if (!Build(cost, eps, f, g))
            {
                return (0, double.NaN, false);
            }

            _v.AsSpan().Fill(T.One);
            var rowError = UpdateU(1);
            if (double.IsNaN(rowError))
            {
                return (0, double.NaN, false);
            }

            var relaxation = new Entropic.OverRelaxation(momentum);
            var best = double.PositiveInfinity;
            var accelerated = false;
            var lastCheck = -1;
            var error = double.NaN;
            var iteration = 0;
            while (true)
            {
                ColumnSums();
                error = ColumnError() + rowError; // the row error is 0 after a plain (ω = 1) update
                var broke = double.IsNaN(error) || double.IsNaN(rowError);
                if ((broke || error > Entropic.OverRelaxation.GrowthFactor * best) && safeguard && accelerated && double.IsFinite(best))
                {
                    // An over-relaxed step made things worse: back to the best scalings, relax less.
                    _uBest.CopyTo(_u, 0);
                    _vBest.CopyTo(_v, 0);
                    rowError = _rowErrorBest;
                    relaxation.RolledBack();
                    accelerated = _acceleratedBest || relaxation.Omega != 1;
                    lastCheck = -1;
                    continue;
                }

                if (broke)
                {
                    return (iteration, double.NaN, false);
                }

                if (error <= threshold)
                {
                    break;
                }

                if (iteration >= maxIterations)
                {
                    // Budget spent: on small problems a few Newton steps on the dual finish what the scaling iterations
                    // cannot when the kernel is nearly decomposable (see NewtonPolish).
                    if (_n <= NewtonMaxSize && _m <= NewtonMaxSize)
                    {
                        error = NewtonPolish(threshold, error);
                    }

                    break;
                }

                if (error < best)
                {
                    best = error;
                    _u.CopyTo(_uBest, 0);
                    _v.CopyTo(_vBest, 0);
                    _rowErrorBest = rowError;
                    _acceleratedBest = accelerated;
                }

                relaxation.Observe(error, lastCheck < 0 ? 0 : iteration - lastCheck);
                lastCheck = iteration;
                iteration++;
                var omega = relaxation.Omega;
                accelerated |= omega != 1;
                UpdateV(omega);
                rowError = UpdateU(omega);
                if (double.IsNaN(rowError) && !(safeguard && accelerated && double.IsFinite(best)))
                {
                    return (iteration, double.NaN, false);
                }

                if (!double.IsNaN(rowError) && NeedsAbsorption())
                {
                    Absorb(eps, f, g);
                    if (!Build(cost, eps, f, g))
                    {
                        return (iteration, double.NaN, false);
                    }

                    _v.AsSpan().Fill(T.One);
                    rowError = UpdateU(1);
                    if (double.IsNaN(rowError))
                    {
                        return (iteration, double.NaN, false);
                    }

                    // The saved scalings belong to the old kernel: start the safeguard afresh.
                    best = double.PositiveInfinity;
                    accelerated = false;
                    lastCheck = -1;
                }
            }

            // The plan u_i K_ij v_j, and the potentials absorb the scalings.
            for (var i = 0; i < _n; i++)
            {
                var row = plan.Slice(i * _m, _m);
                TensorPrimitives.Multiply(_kernel.AsSpan(i * _m, _m), _v, row);
                TensorPrimitives.Multiply(row, _u[i], row);
            }

            Absorb(eps, f, g);
            return (iteration, error, error <= threshold);
        }

        /// <summary>
        /// Newton steps on the dual when the scaling iterations stall: with P = diag(u) K diag(v), r = P1, c = Pᵀ1, the step
        /// (x, y) solves r ∘ x + P y = a − r, Pᵀx + c ∘ y = b − c (the linearization of the marginals of
        /// P_ij·exp(x_i + y_j)); eliminating x leaves (diag(c) − Pᵀ diag(r)⁻¹ P) y = b − c − Pᵀ((a − r)/r), a weighted graph
        /// Laplacian over the columns whose entries are sums of positive terms (no cancellation), solved by Cholesky with
        /// y_m = 0 (its null vector is 1). Then u ← u·exp(x), v ← v·exp(y), kept only while the L1 marginal error drops.
        /// Why: at small ε the plan can be a near-permutation whose off-permutation mass (~1e-9) is all that couples the n
        /// splits u_i·v_σ(i); Sinkhorn's error then decays at a rate 1 − O(that mass) and over-relaxation cannot help,
        /// while Newton converges quadratically. O(n·m² + m³) time and O(m²) memory per step, hence small problems only.
        /// </summary>
        /// <returns>The L1 marginal error (column + row) after the accepted steps.</returns>
        private double NewtonPolish(double threshold, double error)
        {
            var n = _n;
            var m = _m;
            var laplacian = new double[m * m];
            var row = new double[m];
            var r = new double[n];
            var c = new double[m];
            var rhsX = new double[n];
            var rhsY = new double[m];
            var y = new double[m];
            var uSaved = (T[])_u.Clone();
            var vSaved = (T[])_v.Clone();
            for (var step = 0; step < NewtonSteps && error > threshold; step++)
            {
                // Marginals of the current plan.
                Array.Clear(c);
                for (var i = 0; i < n; i++)
                {
                    var ui = double.CreateTruncating(_u[i]);
                    var kRow = _kernel.AsSpan(i * m, m);
                    double s = 0;
                    for (var j = 0; j < m; j++)
                    {
                        var p = ui * double.CreateTruncating(kRow[j]) * double.CreateTruncating(_v[j]);
                        s += p;
                        c[j] += p;
                    }

                    r[i] = s;
                }

                for (var i = 0; i < n; i++)
                {
                    rhsX[i] = double.CreateTruncating(_a[i]) - r[i];
                }

                for (var j = 0; j < m; j++)
                {
                    rhsY[j] = double.CreateTruncating(_b[j]) - c[j];
                }

                // L = −Σ_i P_i· P_i·ᵀ / r_i off the diagonal (diagonal: minus the sum of the row's other entries);
                // rhs = (b − c) − Pᵀ((a − r)/r).
                Array.Clear(laplacian);
                for (var i = 0; i < n; i++)
                {
                    var ui = double.CreateTruncating(_u[i]);
                    var kRow = _kernel.AsSpan(i * m, m);
                    for (var j = 0; j < m; j++)
                    {
                        row[j] = ui * double.CreateTruncating(kRow[j]) * double.CreateTruncating(_v[j]);
                    }

                    var inv = 1 / r[i];
                    var xi = rhsX[i] * inv;
                    for (var j = 0; j < m; j++)
                    {
                        rhsY[j] -= row[j] * xi;
                        TensorPrimitives.MultiplyAdd<double>(row, -row[j] * inv, laplacian.AsSpan(j * m, m), laplacian.AsSpan(j * m, m));
                    }
                }

                for (var j = 0; j < m; j++)
                {
                    var lRow = laplacian.AsSpan(j * m, m);
                    lRow[j] = 0;
                    lRow[j] = -TensorPrimitives.Sum<double>(lRow);
                }

                if (!CholeskySolvePinned(laplacian, m, rhsY, y))
                {
                    break;
                }

                // x = (a − r − P y) / r, then the multiplicative update.
                for (var i = 0; i < n; i++)
                {
                    var ui = double.CreateTruncating(_u[i]);
                    var kRow = _kernel.AsSpan(i * m, m);
                    double py = 0;
                    for (var j = 0; j < m; j++)
                    {
                        py += ui * double.CreateTruncating(kRow[j]) * double.CreateTruncating(_v[j]) * y[j];
                    }

                    _u[i] *= T.CreateTruncating(Math.Exp((rhsX[i] - py) / r[i]));
                }

                for (var j = 0; j < m; j++)
                {
                    _v[j] *= T.CreateTruncating(Math.Exp(y[j]));
                }

                var next = MarginalError();
                if (!(next < error))
                {
                    uSaved.CopyTo(_u, 0);
                    vSaved.CopyTo(_v, 0);
                    break;
                }

                error = next;
                _u.CopyTo(uSaved, 0);
                _v.CopyTo(vSaved, 0);
            }

            ColumnSums();
            return error;
        }

        /// <summary>Σ_i |u_i (K v)_i − a_i| + Σ_j |v_j (Kᵀu)_j − b_j| (NaN if not finite).</summary>
        private double MarginalError()
        {
            double error = 0;
            for (var i = 0; i < _n; i++)
            {
                var s = TensorPrimitives.Dot(_kernel.AsSpan(i * _m, _m), _v);
                error += Math.Abs(double.CreateTruncating((_u[i] * s) - _a[i]));
            }

            ColumnSums();
            var columns = ColumnError();
            return double.IsFinite(error) ? error + columns : double.NaN;
        }

        /// <summary>Solves L y = rhs for a graph Laplacian L (m × m, row-major) with y_{m−1} = 0: Cholesky of the leading
        /// (m − 1) block. False if that block is not numerically positive definite.</summary>
        private static bool CholeskySolvePinned(double[] l, int m, double[] rhs, double[] y)
        {
            var k = m - 1;
            Array.Clear(y);
            if (k == 0)
            {
                return true;
            }

            // In place: the lower triangle of the leading k × k block becomes its Cholesky factor.
            for (var j = 0; j < k; j++)
            {
                var d = l[(j * m) + j];
                for (var p = 0; p < j; p++)
                {
                    d -= l[(j * m) + p] * l[(j * m) + p];
                }

                if (!(d > 0) || !double.IsFinite(d))
                {
                    return false;
                }

                d = Math.Sqrt(d);
                l[(j * m) + j] = d;
                for (var i = j + 1; i < k; i++)
                {
                    var s = l[(i * m) + j];
                    for (var p = 0; p < j; p++)
                    {
                        s -= l[(i * m) + p] * l[(j * m) + p];
                    }

                    l[(i * m) + j] = s / d;
                }
            }

            for (var i = 0; i < k; i++)
            {
                var s = rhs[i];
                for (var p = 0; p < i; p++)
                {
                    s -= l[(i * m) + p] * y[p];
                }

                y[i] = s / l[(i * m) + i];
            }

            for (var i = k - 1; i >= 0; i--)
            {
                var s = y[i];
                for (var p = i + 1; p < k; p++)
                {
                    s -= l[(p * m) + i] * y[p];
                }

                y[i] = s / l[(i * m) + i];
            }

            return true;
        }

        /// <summary>K_ij = exp((f_i + ε log a_i + g_j + ε log b_j − C_ij)/ε), each row re-centred (f_i shifted) when its
        /// largest exponent is above <see cref="MaxExponent"/> or below its negative. False if a row has no finite maximum.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool Build(ReadOnlySpan<T> cost, T eps, T[] f, T[] g)
        {
            var shiftedG = _colSum; // scratch: g_j + ε log b_j
            TensorPrimitives.MultiplyAdd(_logB, eps, g, shiftedG);
            var inv = T.One / eps;
            var limit = T.CreateTruncating(MaxExponent);
            for (var i = 0; i < _n; i++)
            {
                var row = _kernel.AsSpan(i * _m, _m);
                TensorPrimitives.Subtract(shiftedG, cost.Slice(i * _m, _m), row);
                var fi = f[i] + (eps * _logA[i]);
                TensorPrimitives.Add(row, fi, row);
                TensorPrimitives.Multiply(row, inv, row);
                var max = TensorPrimitives.Max(row);
                if (!T.IsFinite(max))
                {
                    return false;
                }

                if (max > limit || max < -limit)
                {
                    TensorPrimitives.Subtract(row, max, row);
                    f[i] -= max * eps;
                }

                TensorPrimitives.Exp(row, row);
            }

            return true;
        }

        /// <summary>u ← u·(a / (u ∘ K v))^ω (u = a / (K v) at ω = 1); returns the L1 row error Σ|u_i (K v)_i − a_i| after the
        /// update (0 at ω = 1), or NaN if a row sum is zero or not finite.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double UpdateU(double omega)
        {
            double error = 0;
            for (var i = 0; i < _n; i++)
            {
                var s = TensorPrimitives.Dot(_kernel.AsSpan(i * _m, _m), _v);
                if (!(s > T.Zero) || !T.IsFinite(s))
                {
                    return double.NaN;
                }

                if (omega == 1)
                {
                    _u[i] = _a[i] / s;
                    continue;
                }

                var ratio = double.CreateTruncating(_a[i] / (_u[i] * s));
                _u[i] *= T.CreateTruncating(Math.Pow(ratio, omega));
                error += Math.Abs(double.CreateTruncating((_u[i] * s) - _a[i]));
            }

            return error;
        }

        /// <summary>v ← v·(b / (v ∘ Kᵀu))^ω from the column sums Kᵀu (v = b / Kᵀu at ω = 1).</summary>
        private void UpdateV(double omega)
        {
            if (omega == 1)
            {
                TensorPrimitives.Divide(_b, _colSum, _v);
                return;
            }

            for (var j = 0; j < _m; j++)
            {
                var ratio = double.CreateTruncating(_b[j] / (_v[j] * _colSum[j]));
                _v[j] *= T.CreateTruncating(Math.Pow(ratio, omega));
            }
        }

        /// <summary>colSum = Kᵀ u.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ColumnSums()
        {
            var acc = _colSum.AsSpan();
            acc.Clear();
            for (var i = 0; i < _n; i++)
            {
                TensorPrimitives.MultiplyAdd(_kernel.AsSpan(i * _m, _m), _u[i], acc, acc);
            }
        }

        /// <summary>Σ_j |v_j (Kᵀu)_j − b_j|, the column-marginal error of the current plan (NaN if a column sum vanished).</summary>
        private double ColumnError()
        {
            double error = 0;
            for (var j = 0; j < _m; j++)
            {
                var c = _colSum[j];
                if (!(c > T.Zero) || !T.IsFinite(c))
                {
                    return double.NaN;
                }

                error += Math.Abs(double.CreateTruncating((_v[j] * c) - _b[j]));
            }

            return error;
        }

        private bool NeedsAbsorption()
        {
            var high = T.Exp(T.CreateTruncating(AbsorbLog));
            var low = T.One / high;
            return TensorPrimitives.Max(_u) > high * T.One || TensorPrimitives.Min(_u) < low
                || TensorPrimitives.Max(_v) > high || TensorPrimitives.Min(_v) < low;
        }

        /// <summary>f += ε log u, g += ε log v; u = v = 1.</summary>
        private void Absorb(T eps, T[] f, T[] g)
        {
            for (var i = 0; i < _n; i++)
            {
                f[i] += eps * T.Log(_u[i]);
            }

            for (var j = 0; j < _m; j++)
            {
                g[j] += eps * T.Log(_v[j]);
            }

            _u.AsSpan().Fill(T.One);
            _v.AsSpan().Fill(T.One);
        }
    }
}
