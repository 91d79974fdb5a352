using Monge.Numerics;

namespace Monge.Tools;

/// <summary>How <see cref="Procrustes.Fit"/> maps source points onto target points.</summary>
public enum ProcrustesMode
{
    /// <summary>y ≈ R x + t with R orthogonal (rotation or reflection: det R = ±1), no scaling.</summary>
    Rigid,

    /// <summary>y ≈ A x + t with A any d × d matrix (weighted least squares).</summary>
    Affine,
}

/// <summary>The fitted map y ≈ A x + t (A row-major d × d).</summary>
/// <param name="Matrix">A (orthogonal for <see cref="ProcrustesMode.Rigid"/>).</param>
/// <param name="Translation">t.</param>
/// <param name="Dimension">d.</param>
/// <param name="Residual">Weighted root mean square residual √(Σ w‖A x + t − y‖² / Σ w).</param>
public sealed record ProcrustesFit(double[] Matrix, double[] Translation, int Dimension, double Residual)
{
    /// <summary>Whether A reverses orientation (det A &lt; 0: a reflection).</summary>
    public bool IsReflection => Determinant() < 0;

    /// <summary>Applies the map to row-major points (n × d).</summary>
    /// <param name="points">The points.</param>
    public double[] Apply(ReadOnlySpan<double> points)
    {
        var d = Dimension;
        var result = new double[points.Length];
        for (var i = 0; i < points.Length / d; i++)
        {
            for (var r = 0; r < d; r++)
            {
                var s = Translation[r];
                for (var c = 0; c < d; c++)
                {
                    s += Matrix[(r * d) + c] * points[(i * d) + c];
                }

                result[(i * d) + r] = s;
            }
        }

        return result;
    }

    /// <summary>det A (Gaussian elimination with partial pivoting).</summary>
    public double Determinant()
    {
        var d = Dimension;
        var m = (double[])Matrix.Clone();
        var det = 1.0;
        for (var c = 0; c < d; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < d; r++)
            {
                if (Math.Abs(m[(r * d) + c]) > Math.Abs(m[(pivot * d) + c]))
                {
                    pivot = r;
                }
            }

            if (m[(pivot * d) + c] == 0)
            {
                return 0;
            }

            if (pivot != c)
            {
                for (var k = 0; k < d; k++)
                {
                    (m[(c * d) + k], m[(pivot * d) + k]) = (m[(pivot * d) + k], m[(c * d) + k]);
                }

                det = -det;
            }

            det *= m[(c * d) + c];
            for (var r = c + 1; r < d; r++)
            {
                var f = m[(r * d) + c] / m[(c * d) + c];
                for (var k = c; k < d; k++)
                {
                    m[(r * d) + k] -= f * m[(c * d) + k];
                }
            }
        }

        return det;
    }
}

/// <summary>
/// Weighted Procrustes fits of source points onto target points (for slice alignment: the targets are the barycentric
/// projections of the source cells through a transport plan, moscot's <c>align(mode='affine')</c>): the rigid fit
/// allows reflections, since two slices can be mounted mirrored. Orthogonal fit by the polar factor of the weighted
/// cross-covariance (Schönemann 1966): with H = Σ w (x − x̄)(y − ȳ)ᵀ = U S Vᵀ, R = V Uᵀ = Hᵀ(HHᵀ)^(−1/2). Time O(n·d²),
/// memory O(d²).
/// </summary>
public static class Procrustes
{
    /// <summary>Fits y_i ≈ A x_i + t minimising Σ w_i ‖A x_i + t − y_i‖².</summary>
    /// <param name="source">Source points, row-major n × d.</param>
    /// <param name="target">Target points, row-major n × d (paired with the source rows).</param>
    /// <param name="dimension">d.</param>
    /// <param name="weights">Weights w (empty: uniform); rows with zero weight are ignored.</param>
    /// <param name="mode">Rigid (orthogonal, reflections allowed) or affine.</param>
    /// <returns>The fit.</returns>
    /// <exception cref="InputValidationException">Shapes disagree, a value is not finite, or the weights are invalid.</exception>
    public static ProcrustesFit Fit(ReadOnlySpan<double> source, ReadOnlySpan<double> target, int dimension, ReadOnlySpan<double> weights = default, ProcrustesMode mode = ProcrustesMode.Rigid)
    {
        var d = dimension;
        if (d < 1 || source.Length % d != 0 || source.Length != target.Length || source.IsEmpty)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Procrustes needs paired n × {d} point sets (got {source.Length} and {target.Length} values).", nameof(source));
        }

        var n = source.Length / d;
        if (!weights.IsEmpty)
        {
            Problems.Marginals.Validate(weights, n, "weights");
        }

        for (var k = 0; k < source.Length; k++)
        {
            if (!double.IsFinite(source[k]) || !double.IsFinite(target[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Point row {k / d} is not finite.", nameof(source), k / d);
            }
        }

        var mx = new double[d];
        var my = new double[d];
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            var w = weights.IsEmpty ? 1.0 : weights[i];
            total += w;
            for (var c = 0; c < d; c++)
            {
                mx[c] += w * source[(i * d) + c];
                my[c] += w * target[(i * d) + c];
            }
        }

        for (var c = 0; c < d; c++)
        {
            mx[c] /= total;
            my[c] /= total;
        }

        // H = Σ w x̃ ỹᵀ, Sxx = Σ w x̃ x̃ᵀ.
        var h = new double[d * d];
        var sxx = new double[d * d];
        for (var i = 0; i < n; i++)
        {
            var w = weights.IsEmpty ? 1.0 : weights[i];
            for (var r = 0; r < d; r++)
            {
                var xr = source[(i * d) + r] - mx[r];
                for (var c = 0; c < d; c++)
                {
                    h[(r * d) + c] += w * xr * (target[(i * d) + c] - my[c]);
                    sxx[(r * d) + c] += w * xr * (source[(i * d) + c] - mx[c]);
                }
            }
        }

        double[] a;
        if (mode == ProcrustesMode.Rigid)
        {
            // R = Hᵀ (H Hᵀ)^(−1/2); a tiny ridge keeps a rank-deficient H (collinear points) finite.
            var hht = DenseLinearAlgebra.Multiply(h, DenseLinearAlgebra.Transpose(h, d), d);
            var trace = DenseLinearAlgebra.Trace(hht, d);
            var invSqrt = DenseLinearAlgebra.Function(hht, d, s => 1.0 / Math.Sqrt(Math.Max(s, 1e-24 * Math.Max(trace, 1e-300))));
            a = DenseLinearAlgebra.Multiply(DenseLinearAlgebra.Transpose(h, d), invSqrt, d);
        }
        else
        {
            // A = Hᵀ Sxx⁻¹ (normal equations of the centred least squares).
            var inv = DenseLinearAlgebra.Function(sxx, d, s => s > 1e-14 * Math.Max(DenseLinearAlgebra.Trace(sxx, d), 1e-300) ? 1.0 / s : 0.0);
            a = DenseLinearAlgebra.Multiply(DenseLinearAlgebra.Transpose(h, d), inv, d);
        }

        var t = new double[d];
        for (var r = 0; r < d; r++)
        {
            t[r] = my[r];
            for (var c = 0; c < d; c++)
            {
                t[r] -= a[(r * d) + c] * mx[c];
            }
        }

        var fit = new ProcrustesFit(a, t, d, 0);
        var mapped = fit.Apply(source);
        var sse = 0.0;
        for (var i = 0; i < n; i++)
        {
            var w = weights.IsEmpty ? 1.0 : weights[i];
            for (var c = 0; c < d; c++)
            {
                var e = mapped[(i * d) + c] - target[(i * d) + c];
                sse += w * e * e;
            }
        }

        return fit with { Residual = Math.Sqrt(sse / total) };
    }
}
