using System.Numerics.Tensors;

namespace Monge.Numerics;

/// <summary>
/// The library's small dense linear algebra, once: row-major blocks for the low-rank solvers (n × k times k × r and
/// their transposes, parallel over rows, with optional row maps; column and row sums; transposes; a Cholesky solve for
/// small ridge systems) and square d × d matrices for the Gaussian closed forms (a cyclic Jacobi symmetric
/// eigen-decomposition and matrix functions built on it, meant for d up to a few hundred: Jacobi is O(d³) per sweep,
/// with typically 6–10 sweeps).
/// </summary>
internal static class DenseLinearAlgebra
{
    private const int MaxSweeps = 100;
    private static readonly ParallelOptions DefaultParallelOptions = new();

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

    /// <summary>Aᵀ of a square d × d matrix.</summary>
    public static double[] Transpose(ReadOnlySpan<double> a, int d) => Transpose(a, d, d);

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

    /// <summary>dst (n×r) = A (n×k) · X (k×r). Rows of A can be taken through an index map.</summary>
    internal static void Multiply(double[] a, int[]? rowMap, int n, int k, double[] x, int r, double[] dst)
    {
        ForRows(n, k * r / 4 + 1, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                var src = rowMap is null ? i : rowMap[i];
                var arow = a.AsSpan(src * k, k);
                var drow = dst.AsSpan(i * r, r);
                drow.Clear();
                for (var l = 0; l < k; l++)
                {
                    var c = arow[l];
                    if (c != 0)
                    {
                        TensorPrimitives.MultiplyAdd(x.AsSpan(l * r, r), c, drow, drow);
                    }
                }
            }
        });
    }

    /// <summary>dst (k×r) = Aᵀ (k×n) · Y (n×r). Rows of A can be taken through an index map.</summary>
    internal static void MultiplyTransposed(double[] a, int[]? rowMap, int n, int k, double[] y, int r, double[] dst)
    {
        var work = (long)n * k * r;
        var chunks = work < (1 << 16) ? 1 : Math.Min(Environment.ProcessorCount * 2, Math.Max(1, n / 256));
        var partials = new double[chunks * k * r];
        void Body(int c)
        {
            var start = (int)((long)n * c / chunks);
            var end = (int)((long)n * (c + 1) / chunks);
            var acc = partials.AsSpan(c * k * r, k * r);
            for (var i = start; i < end; i++)
            {
                var src = rowMap is null ? i : rowMap[i];
                var arow = a.AsSpan(src * k, k);
                var yrow = y.AsSpan(i * r, r);
                for (var l = 0; l < k; l++)
                {
                    var s = arow[l];
                    if (s != 0)
                    {
                        var accRow = acc.Slice(l * r, r);
                        TensorPrimitives.MultiplyAdd(yrow, s, accRow, accRow);
                    }
                }
            }
        }

        if (chunks == 1)
        {
            Body(0);
        }
        else
        {
            Parallel.For(0, chunks, Body);
        }

        partials.AsSpan(0, k * r).CopyTo(dst);
        for (var c = 1; c < chunks; c++)
        {
            TensorPrimitives.Add(dst.AsSpan(0, k * r), partials.AsSpan(c * k * r, k * r), dst.AsSpan(0, k * r));
        }
    }

    /// <summary>dst (n×r) = X (n×k) · Mᵀ where M is r×k (so dst_i = M x_i).</summary>
    internal static void MultiplyByTranspose(double[] x, int n, int k, double[] m, int r, double[] dst)
    {
        ForRows(n, k * r / 4 + 1, (start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                var xrow = x.AsSpan(i * k, k);
                for (var l = 0; l < r; l++)
                {
                    dst[(i * r) + l] = TensorPrimitives.Dot(xrow, m.AsSpan(l * k, k));
                }
            }
        });
    }

    /// <summary>Column sums of a row-major n×r block.</summary>
    internal static double[] ColumnSums(double[] x, int n, int r)
    {
        var s = new double[r];
        for (var i = 0; i < n; i++)
        {
            TensorPrimitives.Add(s, x.AsSpan(i * r, r), s);
        }

        return s;
    }

    /// <summary>Row sums of a row-major n×r block.</summary>
    internal static double[] RowSums(double[] x, int n, int r)
    {
        var s = new double[n];
        for (var i = 0; i < n; i++)
        {
            s[i] = TensorPrimitives.Sum<double>(x.AsSpan(i * r, r));
        }

        return s;
    }

    /// <summary>‖x − y‖₁ (summed in index order).</summary>
    internal static double L1Distance(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var s = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            s += Math.Abs(x[i] - y[i]);
        }

        return s;
    }

    /// <summary>Transposes a row-major rows × cols matrix (points n × d to coordinates d × n, and back).</summary>
    internal static T[] Transpose<T>(ReadOnlySpan<T> x, int rows, int cols)
    {
        var t = new T[x.Length];
        Transpose(x, rows, cols, t);
        return t;
    }

    /// <summary>Writes the transpose (cols × rows) of a row-major rows × cols matrix into <paramref name="dst"/>.</summary>
    internal static void Transpose<T>(ReadOnlySpan<T> x, int rows, int cols, Span<T> dst)
    {
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                dst[(j * rows) + i] = x[(i * cols) + j];
            }
        }
    }

    /// <summary>
    /// Cholesky factorisation G = L Lᵀ of a symmetric positive definite k × k matrix, in place: the lower triangle of
    /// <paramref name="g"/> receives L (the strict upper triangle is left as it was). A pivot below
    /// <paramref name="floor"/>² (rounding on a nearly singular G) is raised to it, so L stays finite. O(k³/3).
    /// </summary>
    internal static void CholeskyInPlace(Span<double> g, int k, double floor)
    {
        for (var j = 0; j < k; j++)
        {
            var s = g[(j * k) + j];
            for (var l = 0; l < j; l++)
            {
                s -= g[(j * k) + l] * g[(j * k) + l];
            }

            var diag = Math.Sqrt(Math.Max(s, floor));
            g[(j * k) + j] = diag;
            for (var i = j + 1; i < k; i++)
            {
                var t = g[(i * k) + j];
                for (var l = 0; l < j; l++)
                {
                    t -= g[(i * k) + l] * g[(j * k) + l];
                }

                g[(i * k) + j] = t / diag;
            }
        }
    }

    /// <summary>Solves L Lᵀ x = b in place (<paramref name="x"/> holds b on entry) for the factor of
    /// <see cref="CholeskyInPlace"/>: forward then back substitution, O(k²).</summary>
    internal static void CholeskySolve(ReadOnlySpan<double> l, int k, Span<double> x)
    {
        for (var i = 0; i < k; i++)
        {
            var s = x[i];
            for (var p = 0; p < i; p++)
            {
                s -= l[(i * k) + p] * x[p];
            }

            x[i] = s / l[(i * k) + i];
        }

        for (var i = k - 1; i >= 0; i--)
        {
            var s = x[i];
            for (var p = i + 1; p < k; p++)
            {
                s -= l[(p * k) + i] * x[p];
            }

            x[i] = s / l[(i * k) + i];
        }
    }

    /// <summary>Runs <paramref name="body"/>(start, end) over row ranges, in parallel when the matrix is large (with
    /// <paramref name="parallel"/>'s degree of parallelism when given; a degree of 1 runs on the calling thread).</summary>
    internal static void ForRows(int rows, int cols, Action<int, int> body, ParallelOptions? parallel = null)
    {
        if ((long)rows * cols < (1 << 15) || parallel is { MaxDegreeOfParallelism: 1 })
        {
            body(0, rows);
            return;
        }

        var chunks = Math.Min(Environment.ProcessorCount * 4, Math.Max(1, rows / 256));
        Parallel.For(0, chunks, parallel ?? DefaultParallelOptions, c =>
        {
            var start = (int)((long)rows * c / chunks);
            var end = (int)((long)rows * (c + 1) / chunks);
            body(start, end);
        });
    }
}
