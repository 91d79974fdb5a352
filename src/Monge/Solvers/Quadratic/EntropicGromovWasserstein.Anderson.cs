using System.Numerics;
using System.Numerics.Tensors;

namespace Monge.Solvers.Quadratic;

/// <content>Anderson acceleration of the outer mirror-descent iteration.</content>
public sealed partial record EntropicGromovWasserstein
{
    /// <summary>
    /// Anderson acceleration (type II, Walker and Ni 2011) of the fixed-point map x ↦ G(x) = Sinkhorn(∇F(x), ε) on the plan:
    /// the next point fed to the gradient is y_t − ΔY γ with γ the least-squares combination of the last residual
    /// differences ΔF that best cancels f_t = y_t − x_t. The gradient is linear in the plan, so an extrapolated point
    /// (which may have negative entries) still gives a finite linearized cost, and every Sinkhorn output is a plan.
    /// Memory: (2·depth + 3) n × m arrays.
    /// </summary>
    private sealed class OuterAnderson<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private const int Chunk = 1024;
        private readonly int _depth;
        private readonly T[][] _dF;
        private readonly T[][] _dY;
        private readonly double[] _gram;
        private T[] _fPrev;
        private T[] _fCur;
        private readonly T[] _yPrev;
        private int _count;
        private int _head;
        private bool _hasPrev;

        public OuterAnderson(int depth, long entries)
        {
            _depth = depth;
            _dF = new T[depth][];
            _dY = new T[depth][];
            for (var k = 0; k < depth; k++)
            {
                _dF[k] = new T[entries];
                _dY[k] = new T[entries];
            }

            _gram = new double[depth * depth];
            _fPrev = new T[entries];
            _fCur = new T[entries];
            _yPrev = new T[entries];
        }

        /// <summary>Forgets the history (the next call takes a plain step).</summary>
        public void Reset()
        {
            _count = 0;
            _head = 0;
            _hasPrev = false;
        }

        /// <summary>
        /// Records the evaluation y = G(x) and overwrites <paramref name="x"/> with the next point: the extrapolated one, or
        /// y itself when <paramref name="plain"/> or the history is empty.
        /// </summary>
        /// <returns>Whether the next point is extrapolated (not a Sinkhorn output).</returns>
        public bool Next(Span<T> x, ReadOnlySpan<T> y, bool plain)
        {
            TensorPrimitives.Subtract(y, x, _fCur);
            if (_hasPrev)
            {
                var slot = _head;
                TensorPrimitives.Subtract(_fCur, _fPrev, _dF[slot]);
                TensorPrimitives.Subtract(y, _yPrev, _dY[slot]);
                _head = (_head + 1) % _depth;
                _count = Math.Min(_count + 1, _depth);
                for (var k = 0; k < _count; k++)
                {
                    var g = Dot(_dF[slot], _dF[k]);
                    _gram[(slot * _depth) + k] = g;
                    _gram[(k * _depth) + slot] = g;
                }
            }

            (_fPrev, _fCur) = (_fCur, _fPrev);
            y.CopyTo(_yPrev);
            _hasPrev = true;
            if (plain || _count == 0)
            {
                y.CopyTo(x);
                return false;
            }

            // γ = argmin ‖f − ΔF γ‖₂ by the (Tikhonov-regularized) normal equations, solved with partial pivoting.
            var c = _count;
            var system = new double[c * (c + 1)];
            double trace = 0;
            for (var k = 0; k < c; k++)
            {
                trace += _gram[(k * _depth) + k];
            }

            var ridge = 1e-10 * trace / c;
            for (var r = 0; r < c; r++)
            {
                for (var k = 0; k < c; k++)
                {
                    system[(r * (c + 1)) + k] = _gram[(r * _depth) + k] + (r == k ? ridge : 0);
                }

                system[(r * (c + 1)) + c] = Dot(_dF[r], _fPrev);
            }

            if (!(trace > 0) || !double.IsFinite(trace) || !SolveInPlace(system, c))
            {
                Reset();
                y.CopyTo(x);
                return false;
            }

            y.CopyTo(x);
            for (var k = 0; k < c; k++)
            {
                var gamma = system[(k * (c + 1)) + c];
                TensorPrimitives.MultiplyAdd(_dY[k], T.CreateTruncating(-gamma), x, x);
            }

            return true;
        }

        /// <summary>Gaussian elimination with partial pivoting on a c × (c + 1) augmented system; the solution in the last column.</summary>
        private static bool SolveInPlace(double[] s, int c)
        {
            var w = c + 1;
            for (var col = 0; col < c; col++)
            {
                var pivot = col;
                for (var r = col + 1; r < c; r++)
                {
                    if (Math.Abs(s[(r * w) + col]) > Math.Abs(s[(pivot * w) + col]))
                    {
                        pivot = r;
                    }
                }

                if (!(Math.Abs(s[(pivot * w) + col]) > 0))
                {
                    return false;
                }

                if (pivot != col)
                {
                    for (var k = 0; k < w; k++)
                    {
                        (s[(col * w) + k], s[(pivot * w) + k]) = (s[(pivot * w) + k], s[(col * w) + k]);
                    }
                }

                for (var r = 0; r < c; r++)
                {
                    if (r == col)
                    {
                        continue;
                    }

                    var factor = s[(r * w) + col] / s[(col * w) + col];
                    for (var k = col; k < w; k++)
                    {
                        s[(r * w) + k] -= factor * s[(col * w) + k];
                    }
                }
            }

            for (var r = 0; r < c; r++)
            {
                s[(r * w) + c] /= s[(r * w) + r];
                if (!double.IsFinite(s[(r * w) + c]))
                {
                    return false;
                }
            }

            return true;
        }

        private static double Dot(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        {
            double s = 0;
            for (var k = 0; k < x.Length; k += Chunk)
            {
                var len = Math.Min(Chunk, x.Length - k);
                s += double.CreateTruncating(TensorPrimitives.Dot(x.Slice(k, len), y.Slice(k, len)));
            }

            return s;
        }
    }
}
