namespace Monge.Gaussian;

/// <summary>
/// Small dense linear algebra for the Gaussian closed forms: square row-major d × d matrices, a cyclic Jacobi
/// symmetric eigen-decomposition and matrix functions built on it. Meant for d up to a few hundred
/// (Jacobi is O(d³) per sweep, with typically 6–10 sweeps).
/// </summary>
internal static class GaussianLinearAlgebra
{
    private const int MaxSweeps = 100;

    /// <summary>
    /// Eigen-decomposition of a symmetric matrix by the cyclic Jacobi method (Golub and Van Loan, Matrix Computations,
    /// 4th ed., §8.5): A = V diag(λ) Vᵀ with V orthogonal. Column k of <paramref name="vectors"/> (entries
    /// vectors[i·d + k]) is the eigenvector of values[k].
    /// </summary>
    public static void SymmetricEigen(ReadOnlySpan<double> matrix, int d, Span<double> values, Span<double> vectors)
    {
        var a = matrix[..(d * d)].ToArray();
        vectors[..(d * d)].Clear();
        for (var i = 0; i < d; i++)
        {
            vectors[(i * d) + i] = 1.0;
        }

        var total = 0.0;
        foreach (var x in a)
        {
            total += x * x;
        }

        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < d; p++)
            {
                for (var q = p + 1; q < d; q++)
                {
                    off += a[(p * d) + q] * a[(p * d) + q];
                }
            }

            if (off <= 1e-32 * total || off == 0)
            {
                break;
            }

            for (var p = 0; p < d; p++)
            {
                for (var q = p + 1; q < d; q++)
                {
                    var apq = a[(p * d) + q];
                    if (apq == 0)
                    {
                        continue;
                    }

                    // Rotation J with J[p,p] = J[q,q] = c, J[p,q] = s, J[q,p] = −s zeroes (JᵀAJ)[p,q]:
                    // t = tan θ is the smaller root of t² + 2ζt − 1 = 0, ζ = (a_qq − a_pp) / (2 a_pq).
                    var zeta = (a[(q * d) + q] - a[(p * d) + p]) / (2 * apq);
                    var t = (zeta >= 0 ? 1.0 : -1.0) / (Math.Abs(zeta) + Math.Sqrt((zeta * zeta) + 1));
                    var c = 1 / Math.Sqrt((t * t) + 1);
                    var s = t * c;
                    for (var k = 0; k < d; k++)
                    {
                        var akp = a[(k * d) + p];
                        var akq = a[(k * d) + q];
                        a[(k * d) + p] = (c * akp) - (s * akq);
                        a[(k * d) + q] = (s * akp) + (c * akq);
                    }

                    for (var k = 0; k < d; k++)
                    {
                        var apk = a[(p * d) + k];
                        var aqk = a[(q * d) + k];
                        a[(p * d) + k] = (c * apk) - (s * aqk);
                        a[(q * d) + k] = (s * apk) + (c * aqk);
                    }

                    for (var k = 0; k < d; k++)
                    {
                        var vkp = vectors[(k * d) + p];
                        var vkq = vectors[(k * d) + q];
                        vectors[(k * d) + p] = (c * vkp) - (s * vkq);
                        vectors[(k * d) + q] = (s * vkp) + (c * vkq);
                    }
                }
            }
        }

        for (var i = 0; i < d; i++)
        {
            values[i] = a[(i * d) + i];
        }
    }

    /// <summary>f(A) = V diag(f(λ)) Vᵀ for a symmetric A (the result is exactly symmetric).</summary>
    public static double[] Function(ReadOnlySpan<double> matrix, int d, Func<double, double> f)
    {
        var values = new double[d];
        var vectors = new double[d * d];
        SymmetricEigen(matrix, d, values, vectors);
        return Compose(values, vectors, d, f);
    }

    /// <summary>V diag(f(λ)) Vᵀ from a decomposition.</summary>
    public static double[] Compose(ReadOnlySpan<double> values, ReadOnlySpan<double> vectors, int d, Func<double, double> f)
    {
        var fl = new double[d];
        for (var k = 0; k < d; k++)
        {
            fl[k] = f(values[k]);
        }

        var result = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = i; j < d; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < d; k++)
                {
                    sum += vectors[(i * d) + k] * fl[k] * vectors[(j * d) + k];
                }

                result[(i * d) + j] = sum;
                result[(j * d) + i] = sum;
            }
        }

        return result;
    }

    /// <summary>A·B for d × d matrices.</summary>
    public static double[] Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int d)
    {
        var result = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var k = 0; k < d; k++)
            {
                var aik = a[(i * d) + k];
                if (aik == 0)
                {
                    continue;
                }

                for (var j = 0; j < d; j++)
                {
                    result[(i * d) + j] += aik * b[(k * d) + j];
                }
            }
        }

        return result;
    }

    /// <summary>Aᵀ.</summary>
    public static double[] Transpose(ReadOnlySpan<double> a, int d)
    {
        var result = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                result[(j * d) + i] = a[(i * d) + j];
            }
        }

        return result;
    }

    /// <summary>(A + Aᵀ) / 2, in place.</summary>
    public static void Symmetrize(Span<double> a, int d)
    {
        for (var i = 0; i < d; i++)
        {
            for (var j = i + 1; j < d; j++)
            {
                var mean = 0.5 * (a[(i * d) + j] + a[(j * d) + i]);
                a[(i * d) + j] = mean;
                a[(j * d) + i] = mean;
            }
        }
    }

    /// <summary>tr A.</summary>
    public static double Trace(ReadOnlySpan<double> a, int d)
    {
        var sum = 0.0;
        for (var i = 0; i < d; i++)
        {
            sum += a[(i * d) + i];
        }

        return sum;
    }

    /// <summary>log det A for a symmetric positive definite A (sum of log eigenvalues).</summary>
    public static double LogDeterminant(ReadOnlySpan<double> a, int d)
    {
        var values = new double[d];
        var vectors = new double[d * d];
        SymmetricEigen(a, d, values, vectors);
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += Math.Log(v);
        }

        return sum;
    }

    /// <summary>y = A·x for a d × d matrix.</summary>
    public static void Apply(ReadOnlySpan<double> a, int d, ReadOnlySpan<double> x, Span<double> y)
    {
        for (var i = 0; i < d; i++)
        {
            var sum = 0.0;
            var row = a.Slice(i * d, d);
            for (var k = 0; k < d; k++)
            {
                sum += row[k] * x[k];
            }

            y[i] = sum;
        }
    }
}
