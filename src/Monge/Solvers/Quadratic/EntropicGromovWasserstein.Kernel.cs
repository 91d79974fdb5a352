using System.Numerics;
using System.Numerics.Tensors;

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
        /// Solves to an L1 column-marginal error of at most <paramref name="threshold"/> or <paramref name="maxIterations"/>
        /// iterations, updating <paramref name="f"/> and <paramref name="g"/> in place and writing the plan.
        /// </summary>
        /// <returns>The iterations, the last error, and whether it met the threshold. Error NaN: the scalings broke down,
        /// the plan is not written and the potentials may be unusable; otherwise the plan and potentials are those of the
        /// last iterate (a warm start for the log-domain solver when the budget ran out).</returns>
        public (int Iterations, double Error, bool Ok) Solve(ReadOnlySpan<T> cost, double epsilon, double threshold, int maxIterations, T[] f, T[] g, Span<T> plan)
        {
            var eps = T.CreateTruncating(epsilon);
            if (!Build(cost, eps, f, g))
            {
                return (0, double.NaN, false);
            }

            _v.AsSpan().Fill(T.One);
            if (!UpdateU())
            {
                return (0, double.NaN, false);
            }

            var error = double.NaN;
            var iteration = 0;
            while (true)
            {
                ColumnSums();
                error = ColumnError();
                if (double.IsNaN(error))
                {
                    return (iteration, error, false);
                }

                if (error <= threshold || iteration >= maxIterations)
                {
                    break;
                }

                iteration++;
                TensorPrimitives.Divide(_b, _colSum, _v);
                if (!UpdateU())
                {
                    return (iteration, double.NaN, false);
                }

                if (NeedsAbsorption())
                {
                    Absorb(eps, f, g);
                    if (!Build(cost, eps, f, g))
                    {
                        return (iteration, double.NaN, false);
                    }

                    _v.AsSpan().Fill(T.One);
                    if (!UpdateU())
                    {
                        return (iteration, double.NaN, false);
                    }
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

        /// <summary>K_ij = exp((f_i + ε log a_i + g_j + ε log b_j − C_ij)/ε), each row re-centred (f_i shifted) when its
        /// largest exponent is above <see cref="MaxExponent"/> or below its negative. False if a row has no finite maximum.</summary>
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

        /// <summary>u = a / (K v); false if a row sum is zero or not finite.</summary>
        private bool UpdateU()
        {
            for (var i = 0; i < _n; i++)
            {
                var s = TensorPrimitives.Dot(_kernel.AsSpan(i * _m, _m), _v);
                if (!(s > T.Zero) || !T.IsFinite(s))
                {
                    return false;
                }

                _u[i] = _a[i] / s;
            }

            return true;
        }

        /// <summary>colSum = Kᵀ u.</summary>
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
