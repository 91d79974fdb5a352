using System.Numerics;

namespace Monge.Numerics;

/// <summary>
/// Type-II Anderson acceleration of the fixed-point map f ↦ Sinkhorn(f) (Anderson 1965; Walker and Ni 2011; used for
/// Sinkhorn by OTT-JAX's <c>AndersonAcceleration</c>). Keeps the last <c>memory</c> iterates and residuals and replaces
/// the new iterate by the affine combination of past map values that minimizes the combined residual, with a small
/// ridge. Memory O(n·memory); time O(n·memory²) per step.
/// </summary>
internal sealed class AndersonAccelerator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double _ridge;
    private readonly int _memory;
    private readonly double[][] _mapValues;
    private readonly double[][] _residuals;
    private readonly double[] _previous;
    private bool _hasPrevious;
    private int _count;
    private int _next;

    /// <param name="n">Length of the fixed-point variable.</param>
    /// <param name="memory">Number of past residuals combined.</param>
    /// <param name="ridge">Ridge λ added to the residual Gram matrix relative to its largest diagonal entry (its condition
    /// number is at most about 1/λ, which bounds how much round-off in the residuals moves the extrapolation).</param>
    public AndersonAccelerator(int n, int memory, double ridge = 1e-10)
    {
        _ridge = ridge;
        _memory = memory + 1;
        _mapValues = new double[_memory][];
        _residuals = new double[_memory][];
        for (var k = 0; k < _memory; k++)
        {
            _mapValues[k] = new double[n];
            _residuals[k] = new double[n];
        }

        _previous = new double[n];
    }

    /// <summary>Given G(x_k) in <paramref name="f"/> (x_k is the previous output), writes x_{k+1} into <paramref name="f"/>.</summary>
    public void Step(T[] f)
    {
        var n = f.Length;
        if (!_hasPrevious)
        {
            Save(f);
            return;
        }

        var slot = _next;
        for (var i = 0; i < n; i++)
        {
            var gx = double.CreateTruncating(f[i]);
            _mapValues[slot][i] = gx;
            _residuals[slot][i] = gx - _previous[i];
        }

        _next = (_next + 1) % _memory;
        _count = Math.Min(_count + 1, _memory);
        if (_count < 2)
        {
            Save(f);
            return;
        }

        // min ‖Σ α_k r_k‖² s.t. Σ α_k = 1  ⇔  (RᵀR + λI) z = 1, α = z / Σz.
        var k = _count;
        var gram = new double[k, k];
        double scale = 0;
        for (var p = 0; p < k; p++)
        {
            for (var q = 0; q <= p; q++)
            {
                double dot = 0;
                var rp = _residuals[p];
                var rq = _residuals[q];
                for (var i = 0; i < n; i++)
                {
                    dot += rp[i] * rq[i];
                }

                gram[p, q] = dot;
                gram[q, p] = dot;
            }

            scale = Math.Max(scale, gram[p, p]);
        }

        for (var p = 0; p < k; p++)
        {
            gram[p, p] += (_ridge * scale) + 1e-300;
        }

        var z = SolveSpd(gram, k);
        var sum = z?.Sum() ?? 0;
        if (z is null || !(Math.Abs(sum) > 1e-300) || !double.IsFinite(sum))
        {
            Save(f);
            return;
        }

        for (var i = 0; i < n; i++)
        {
            double x = 0;
            for (var p = 0; p < k; p++)
            {
                x += z[p] / sum * _mapValues[p][i];
            }

            if (!double.IsFinite(x))
            {
                Save(f);
                return;
            }

            _previous[i] = x;
        }

        for (var i = 0; i < n; i++)
        {
            f[i] = T.CreateTruncating(_previous[i]);
        }
    }

    private static double[]? SolveSpd(double[,] a, int k)
    {
        // Gaussian elimination with partial pivoting on a copy (k ≤ 51).
        var m = (double[,])a.Clone();
        var rhs = Enumerable.Repeat(1.0, k).ToArray();
        for (var c = 0; c < k; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < k; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c]))
                {
                    pivot = r;
                }
            }

            if (!(Math.Abs(m[pivot, c]) > 0))
            {
                return null;
            }

            if (pivot != c)
            {
                for (var q = 0; q < k; q++)
                {
                    (m[c, q], m[pivot, q]) = (m[pivot, q], m[c, q]);
                }

                (rhs[c], rhs[pivot]) = (rhs[pivot], rhs[c]);
            }

            for (var r = c + 1; r < k; r++)
            {
                var factor = m[r, c] / m[c, c];
                for (var q = c; q < k; q++)
                {
                    m[r, q] -= factor * m[c, q];
                }

                rhs[r] -= factor * rhs[c];
            }
        }

        var x = new double[k];
        for (var r = k - 1; r >= 0; r--)
        {
            var s = rhs[r];
            for (var q = r + 1; q < k; q++)
            {
                s -= m[r, q] * x[q];
            }

            x[r] = s / m[r, r];
        }

        return x;
    }

    private void Save(T[] f)
    {
        for (var i = 0; i < f.Length; i++)
        {
            _previous[i] = double.CreateTruncating(f[i]);
        }

        _hasPrevious = true;
    }
}
