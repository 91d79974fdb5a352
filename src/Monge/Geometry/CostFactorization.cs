using System.Numerics;
using System.Numerics.Tensors;
using Monge.Geometry.Costs;
using Monge.Numerics;

namespace Monge.Geometry;

/// <summary>
/// The one builder of low-rank cost factors C ≈ A Bᵀ between two point clouds, for any <see cref="ICostFunction{T}"/>:
/// exact for the squared Euclidean cost (rank d + 2) and the negative dot product (rank d), a sampled Nyström/CUR
/// skeleton for every other cost. Hierarchical Refinement builds each block's factors with it.
/// </summary>
/// <remarks>
/// <para>Squared Euclidean: A = [‖x̃‖², 1, −2x̃], B = [1, ‖ỹ‖², ỹ] with x̃, ỹ centred at the mean of both point sets, so
/// the factors stay well scaled however far the points sit from the origin. Dot (c = −⟨x, y⟩): A = −x, B = y.</para>
/// <para>Other costs (Euclidean, pnorm:P, cosine, custom): t = min(rank, n, m) landmark points L, half sampled from
/// the sources and half from the targets, and C ≈ c(X, L) · W⁺ · c(L, Y) with W = c(L, L) and
/// W⁺ = (WᵀW + λI)⁻¹Wᵀ (ridge λ = 10⁻⁸·tr(WᵀW)/t; symmetrised when the cost is symmetric, so identical point sets get
/// identical factors on both sides), in the spirit of the sampling-based distance-matrix factorisations of Indyk et
/// al. (2019). The approximation is exact on the landmark rows and columns (up to the ridge) and its error elsewhere
/// depends on how well t landmarks span the cost's row space; it is not a certified bound, so solvers use it to
/// guide (co-clustering) and evaluate reported costs exactly. Time O((n + m)·d·t + (n + m)·t² + t³); memory (n + m)·t.</para>
/// </remarks>
public static class CostFactorization
{
    /// <summary>Whether <paramref name="cost"/> has exact factors here (squared Euclidean or dot; null is squared Euclidean).</summary>
    /// <param name="cost">The cost.</param>
    public static bool IsExact(ICostFunction<double>? cost) => CostFunction.IsSquaredEuclidean(cost) || cost is NegativeDotProduct<double>;

    /// <summary>Builds factors of the n × m cost between <paramref name="source"/> and <paramref name="target"/>.</summary>
    /// <param name="source">The n source points.</param>
    /// <param name="target">The m target points, same dimension.</param>
    /// <param name="cost">The cost (null: squared Euclidean).</param>
    /// <param name="rank">The number of landmarks for sampled costs (ignored by exact costs), at least 1.</param>
    /// <param name="seed">Seed of the landmark sample.</param>
    /// <returns>A (n × k) and B (m × k) with k = d + 2 (squared Euclidean), d (dot) or min(rank, n, m).</returns>
    /// <exception cref="InputValidationException">Dimensions differ or rank &lt; 1.</exception>
    public static LowRankFactors<double> Build(PointCloud<double> source, PointCloud<double> target, ICostFunction<double>? cost = null, int rank = 32, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Dimension != target.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Source points have dimension {source.Dimension} but target points have {target.Dimension}.", nameof(target));
        }

        if (rank < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The rank must be at least 1 (got {rank}).", nameof(rank));
        }

        var n = source.Count;
        var m = target.Count;
        var d = source.Dimension;
        var k = Columns(cost, d, rank, Math.Min(n, m));
        var a = new double[n * k];
        var b = new double[m * k];
        var ix = Enumerable.Range(0, n).ToArray();
        var iy = Enumerable.Range(0, m).ToArray();
        Fill(source.Data, target.Data, d, ix, iy, cost, rank, new Random(seed), a, b);
        return new LowRankFactors<double>(a, b, k);
    }

    /// <summary>The number of factor columns k for a cost: d + 2, d, or min(rank, count).</summary>
    internal static int Columns(ICostFunction<double>? cost, int dimension, int rank, int count) =>
        CostFunction.IsSquaredEuclidean(cost) ? dimension + 2 : cost is NegativeDotProduct<double> ? dimension : Math.Min(rank, count);

    /// <summary>
    /// Fills <paramref name="factorX"/> (|ix| × k) and <paramref name="factorY"/> (|iy| × k) for the points
    /// x[ix[t]] and y[iy[t]] (row-major, dimension d); returns k. Dispatches once on the cost type.
    /// </summary>
    internal static int Fill(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, ICostFunction<double>? cost, int rank, Random rng, Span<double> factorX, Span<double> factorY, ParallelOptions? parallel = null)
    {
        if (CostFunction.IsSquaredEuclidean(cost))
        {
            return FillSquaredEuclidean(x, y, d, ix, iy, factorX, factorY);
        }

        var visitor = new FillVisitor(x, y, d, ix, iy, rank, rng, factorX, factorY, parallel);
        return CostFunction.Dispatch<double, FillVisitor, int>(cost, ref visitor);
    }

    /// <summary>Exact factors for the dot product, sampled (Nyström) factors for every other cost struct.</summary>
    private readonly ref struct FillVisitor(
        ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, int rank, Random rng, Span<double> factorX, Span<double> factorY, ParallelOptions? parallel)
        : ICostVisitor<double, int>
    {
        private readonly ReadOnlySpan<double> _x = x;
        private readonly ReadOnlySpan<double> _y = y;
        private readonly ReadOnlySpan<int> _ix = ix;
        private readonly ReadOnlySpan<int> _iy = iy;
        private readonly Span<double> _factorX = factorX;
        private readonly Span<double> _factorY = factorY;

        public int Invoke<TCost>(TCost cost)
            where TCost : ICostFunction<double> =>
            typeof(TCost) == typeof(NegativeDotProduct<double>)
                ? FillDot(_x, _y, d, _ix, _iy, _factorX, _factorY)
                : FillSampled(_x, _y, d, _ix, _iy, cost, rank, rng, _factorX, _factorY, parallel);
    }

    private static int FillSquaredEuclidean(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, Span<double> fx, Span<double> fy)
    {
        Span<double> mean = d <= 512 ? stackalloc double[d] : new double[d];
        SquaredEuclideanMean(x, y, d, ix, iy, mean);
        return FillSquaredEuclideanRows(x, y, d, ix, iy, mean, fx, fy);
    }

    /// <summary>The centre of the squared-Euclidean factors: the mean of both point sets (summed in row order).</summary>
    internal static void SquaredEuclideanMean(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, Span<double> mean)
    {
        mean.Clear();
        for (var t = 0; t < Math.Max(ix.Length, iy.Length); t++)
        {
            var xr = t < ix.Length ? x.Slice(ix[t] * d, d) : default;
            var yr = t < iy.Length ? y.Slice(iy[t] * d, d) : default;
            for (var j = 0; j < d; j++)
            {
                mean[j] += (xr.IsEmpty ? 0 : xr[j]) + (yr.IsEmpty ? 0 : yr[j]);
            }
        }

        for (var j = 0; j < d; j++)
        {
            mean[j] /= (double)(ix.Length + iy.Length);
        }
    }

    /// <summary>The squared-Euclidean factor rows centred at <paramref name="mean"/> (each row on its own: rows of a
    /// block can be filled in pieces, on different machines, given the block's mean); returns k = d + 2.</summary>
    internal static int FillSquaredEuclideanRows(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, ReadOnlySpan<double> mean, Span<double> fx, Span<double> fy)
    {
        var k = d + 2;
        for (var t = 0; t < ix.Length; t++)
        {
            var xr = x.Slice(ix[t] * d, d);
            var a = fx.Slice(t * k, k);
            double nx = 0;
            for (var j = 0; j < d; j++)
            {
                var xc = xr[j] - mean[j];
                nx += xc * xc;
                a[2 + j] = -2.0 * xc;
            }

            a[0] = nx;
            a[1] = 1.0;
        }

        for (var t = 0; t < iy.Length; t++)
        {
            var yr = y.Slice(iy[t] * d, d);
            var b = fy.Slice(t * k, k);
            double ny = 0;
            for (var j = 0; j < d; j++)
            {
                var yc = yr[j] - mean[j];
                ny += yc * yc;
                b[2 + j] = yc;
            }

            b[0] = 1.0;
            b[1] = ny;
        }

        return k;
    }

    private static int FillDot(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, Span<double> fx, Span<double> fy)
    {
        for (var t = 0; t < ix.Length; t++)
        {
            var xr = x.Slice(ix[t] * d, d);
            var a = fx.Slice(t * d, d);
            for (var j = 0; j < d; j++)
            {
                a[j] = -xr[j];
            }
        }

        for (var t = 0; t < iy.Length; t++)
        {
            y.Slice(iy[t] * d, d).CopyTo(fy.Slice(t * d, d));
        }

        return d;
    }

    // Nyström-style skeleton on one landmark set L (half sampled from the sources, half from the targets):
    // C ≈ C[:, L] W⁺ C[L, :] with W = c(L, L), so the approximation is c̃(x, y) = c(x, L) W⁺ c(L, y).
    // The rows (2·m·k cost evaluations and m·k² multiply-adds) run over fixed chunks of FactorChunkRows rows, on the
    // threads of `parallel` when given; every row is computed on its own with the same operations in the same order, so
    // the factors do not depend on the thread count or the chunking.
    private static unsafe int FillSampled<TCost>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, TCost cost, int rank, Random rng, Span<double> fx, Span<double> fy, ParallelOptions? parallel)
        where TCost : ICostFunction<double>
    {
        var k = Math.Min(rank, Math.Min(ix.Length, iy.Length));
        var fromX = (k + 1) / 2;
        var rows = SampleDistinct(rng, ix.Length, fromX);
        var cols = SampleDistinct(rng, iy.Length, k - fromX);
        var points = new double[k * d];
        for (var p = 0; p < k; p++)
        {
            var source = p < fromX ? x.Slice(ix[rows[p]] * d, d) : y.Slice(iy[cols[p - fromX]] * d, d);
            source.CopyTo(points.AsSpan(p * d, d));
        }

        var w = new double[k * k];
        for (var p = 0; p < k; p++)
        {
            for (var q = 0; q < k; q++)
            {
                w[(p * k) + q] = cost.Evaluate(points.AsSpan(p * d, d), points.AsSpan(q * d, d));
            }
        }

        var pinv = RidgePseudoInverse(w, k);
        if (cost.IsSymmetric)
        {
            for (var p = 0; p < k; p++)
            {
                for (var q = p + 1; q < k; q++)
                {
                    var avg = 0.5 * (pinv[(p * k) + q] + pinv[(q * k) + p]);
                    pinv[(p * k) + q] = avg;
                    pinv[(q * k) + p] = avg;
                }
            }
        }

        // B[t, q] = Σ_p W⁺[q, p] c(L_p, y_t), summed over p in order; with W⁺ transposed the sum runs over whole
        // rows of B at once (lane q gets exactly the scalar sum's operations).
        var pinvT = new double[k * k];
        for (var p = 0; p < k; p++)
        {
            for (var q = 0; q < k; q++)
            {
                pinvT[(p * k) + q] = pinv[(q * k) + p];
            }
        }

        // A = c(X, L) (|ix| × k); B = c(L, Y)ᵀ W⁺ᵀ (|iy| × k), so that A Bᵀ = c(X, L) W⁺ c(L, Y).
        fixed (double* px = x, py = y, pfx = fx, pfy = fy)
        fixed (int* pix = ix, piy = iy)
        {
            var sources = new FactorRows(px, pix, pfx, d, k);
            var targets = new FactorRows(py, piy, pfy, d, k);
            FixedChunks.ForRanges(ix.Length, FactorChunkRows, parallel, (start, end) =>
            {
                for (var t = start; t < end; t++)
                {
                    LandmarkCosts(cost, sources.Point(t), points, d, sources.Factor(t));
                }
            });
            FixedChunks.ForRanges(iy.Length, FactorChunkRows, parallel, (start, end) =>
            {
                Span<double> c = k <= 512 ? stackalloc double[k] : new double[k];
                for (var t = start; t < end; t++)
                {
                    LandmarkCosts(cost, targets.Point(t), points, d, c);
                    MultiplyRow(pinvT, c, targets.Factor(t));
                }
            });
        }

        return k;
    }

    /// <summary>Rows per chunk of the factor rows (fixed, so the split of the work never depends on the threads).</summary>
    internal const int FactorChunkRows = 4096;

    // The point and factor rows of one side (captured by the chunk loops, which cannot capture spans).
    private readonly unsafe struct FactorRows(double* points, int* index, double* factors, int d, int k)
    {
        public ReadOnlySpan<double> Point(int t) => new(points + ((long)index[t] * d), d);

        public Span<double> Factor(int t) => new(factors + ((long)t * k), k);
    }

    /// <summary>row[q] = c(p, L_q) for the k landmarks (row-major, dimension d). Euclidean: the sums ‖p − L_q‖² as
    /// <see cref="SquaredEuclidean{T}.Distance"/> forms them, then correctly rounded square roots over the row — the same
    /// bits as <see cref="Euclidean{T}.Evaluate"/> per entry (c is symmetric in its arguments bit for bit: (a − b)² =
    /// (b − a)²).</summary>
    internal static void LandmarkCosts<TCost>(TCost cost, ReadOnlySpan<double> p, ReadOnlySpan<double> landmarks, int d, Span<double> row)
        where TCost : ICostFunction<double>
    {
        if (typeof(TCost) == typeof(Euclidean<double>))
        {
            if (d == 2)
            {
                // (0 + t₀²) + t₁² = t₀² + t₁².
                var (p0, p1) = (p[0], p[1]);
                for (var q = 0; q < row.Length; q++)
                {
                    var t0 = p0 - landmarks[2 * q];
                    var t1 = p1 - landmarks[(2 * q) + 1];
                    row[q] = (t0 * t0) + (t1 * t1);
                }
            }
            else
            {
                for (var q = 0; q < row.Length; q++)
                {
                    row[q] = SquaredEuclidean<double>.Distance(p, landmarks.Slice(q * d, d));
                }
            }

            TensorPrimitives.Sqrt(row, row);
            return;
        }

        for (var q = 0; q < row.Length; q++)
        {
            row[q] = cost.Evaluate(p, landmarks.Slice(q * d, d));
        }
    }

    /// <summary>b[q] = Σ_p mT[p, q]·c[p] (k × k, row-major), summed over p in order from 0: each lane the scalar sum's
    /// products and additions, never fused, so the bits do not depend on the vector width.</summary>
    internal static void MultiplyRow(ReadOnlySpan<double> mT, ReadOnlySpan<double> c, Span<double> b)
    {
        var k = b.Length;
        var w = Vector<double>.Count;
        var q = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // Four vectors of B at a time, their sums kept in registers over p.
            for (; q <= k - (4 * w); q += 4 * w)
            {
                var (s0, s1, s2, s3) = (Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero, Vector<double>.Zero);
                for (var p = 0; p < c.Length; p++)
                {
                    var cp = new Vector<double>(c[p]);
                    var mr = mT.Slice((p * k) + q, 4 * w);
                    s0 += new Vector<double>(mr) * cp;
                    s1 += new Vector<double>(mr.Slice(w)) * cp;
                    s2 += new Vector<double>(mr.Slice(2 * w)) * cp;
                    s3 += new Vector<double>(mr.Slice(3 * w)) * cp;
                }

                s0.CopyTo(b.Slice(q));
                s1.CopyTo(b.Slice(q + w));
                s2.CopyTo(b.Slice(q + (2 * w)));
                s3.CopyTo(b.Slice(q + (3 * w)));
            }

            for (; q <= k - w; q += w)
            {
                var s = Vector<double>.Zero;
                for (var p = 0; p < c.Length; p++)
                {
                    s += new Vector<double>(mT.Slice((p * k) + q, w)) * new Vector<double>(c[p]);
                }

                s.CopyTo(b.Slice(q));
            }
        }

        for (; q < k; q++)
        {
            var s = 0.0;
            for (var p = 0; p < c.Length; p++)
            {
                s += mT[(p * k) + q] * c[p];
            }

            b[q] = s;
        }
    }

    private static int[] SampleDistinct(Random rng, int m, int k)
    {
        // Partial Fisher–Yates on 0..m−1; O(m) memory, only for the factor construction.
        var all = new int[m];
        for (var i = 0; i < m; i++)
        {
            all[i] = i;
        }

        for (var i = 0; i < k; i++)
        {
            var j = i + rng.Next(m - i);
            (all[i], all[j]) = (all[j], all[i]);
        }

        return all[..k];
    }

    // W⁺ ≈ (WᵀW + λI)⁻¹ Wᵀ, via Cholesky; row q of the result multiplies C[I, j] to give B[j, q].
    private static double[] RidgePseudoInverse(double[] w, int k)
    {
        var g = new double[k * k];
        var trace = 0.0;
        for (var p = 0; p < k; p++)
        {
            for (var q = 0; q < k; q++)
            {
                var s = 0.0;
                for (var l = 0; l < k; l++)
                {
                    s += w[(l * k) + p] * w[(l * k) + q];
                }

                g[(p * k) + q] = s;
            }

            trace += g[(p * k) + p];
        }

        var lambda = Math.Max(1e-8 * trace / k, 1e-300);
        for (var p = 0; p < k; p++)
        {
            g[(p * k) + p] += lambda;
        }

        // Cholesky G = L Lᵀ in place (lower triangle), then solve G X = Wᵀ column by column (X = W⁺, k×k).
        DenseLinearAlgebra.CholeskyInPlace(g, k, lambda);
        var result = new double[k * k];
        var col = new double[k];
        for (var c = 0; c < k; c++)
        {
            for (var p = 0; p < k; p++)
            {
                col[p] = w[(c * k) + p]; // (Wᵀ)[p, c] = W[c, p]
            }

            DenseLinearAlgebra.CholeskySolve(g, k, col);
            for (var p = 0; p < k; p++)
            {
                result[(p * k) + c] = col[p];
            }
        }

        return result;
    }
}
