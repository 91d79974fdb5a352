using Monge.Solvers.Exact;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Low-rank factors C ≈ A Bᵀ of one block's cost, gathered into a workspace (rows in the block's index order).
/// </summary>
/// <remarks>
/// Squared Euclidean: exact, A = [‖x̃‖², 1, −2x̃], B = [1, ‖ỹ‖², ỹ] (k = d + 2) with x̃, ỹ centred at the mean of
/// both sides of the block, so the factors stay well scaled however far the block sits from the origin. Euclidean: a
/// skeleton (Nyström/CUR) approximation on t landmark points L, half sampled from the block's source points and half
/// from its target points, C ≈ c(X, L) · W⁺ · c(L, Y) with W = c(L, L) and W⁺ = (WᵀW + λI)⁻¹Wᵀ symmetrised (ridge
/// λ = 10⁻⁸·tr(WᵀW)/t), in the spirit of the sampling-based distance-matrix factorisations the reference uses (Indyk
/// et al. 2019); k = t. Both approximations are symmetric functions of (x, y), so identical point sets get identical
/// factors on both sides. Only the co-clustering sees these factors; leaves and
/// reported costs use the exact cost. Time O(m·d·k + m·k²); memory 2·m·k.
/// </remarks>
internal static class BlockFactors
{
    /// <summary>Number of factor columns for a cost.</summary>
    public static int Columns(GroundCost cost, int dimension, int landmarks, int blockSize) =>
        cost == GroundCost.SquaredEuclidean ? dimension + 2 : Math.Min(landmarks, blockSize);

    /// <summary>Fills <c>ws.FactorX</c> and <c>ws.FactorY</c>; returns k.</summary>
    public static int Gather(CoClusteringWorkspace ws, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, GroundCost cost, int landmarks, Random rng)
    {
        var m = ix.Length;
        var k = Columns(cost, d, landmarks, m);
        ws.EnsureFactors(m, k);
        var fx = ws.FactorX.AsSpan(0, m * k);
        var fy = ws.FactorY.AsSpan(0, m * k);
        if (cost == GroundCost.SquaredEuclidean)
        {
            Span<double> mean = d <= 512 ? stackalloc double[d] : new double[d];
            mean.Clear();
            for (var t = 0; t < m; t++)
            {
                var xr = x.Slice(ix[t] * d, d);
                var yr = y.Slice(iy[t] * d, d);
                for (var j = 0; j < d; j++)
                {
                    mean[j] += xr[j] + yr[j];
                }
            }

            for (var j = 0; j < d; j++)
            {
                mean[j] /= 2.0 * m;
            }

            for (var t = 0; t < m; t++)
            {
                var xr = x.Slice(ix[t] * d, d);
                var yr = y.Slice(iy[t] * d, d);
                var a = fx.Slice(t * k, k);
                var b = fy.Slice(t * k, k);
                double nx = 0, ny = 0;
                for (var j = 0; j < d; j++)
                {
                    var xc = xr[j] - mean[j];
                    var yc = yr[j] - mean[j];
                    nx += xc * xc;
                    ny += yc * yc;
                    a[2 + j] = -2.0 * xc;
                    b[2 + j] = yc;
                }

                a[0] = nx;
                a[1] = 1.0;
                b[0] = 1.0;
                b[1] = ny;
            }

            return k;
        }

        // Euclidean: Nyström-style skeleton on one landmark set L (half sampled from the block's source points, half
        // from its target points): C ≈ C[:, L] W⁺ C[L, :] with W = c(L, L) symmetric, so the approximation is a symmetric
        // function c̃(x, y) = c(x, L) W⁺ c(L, y) and both sides are treated alike.
        var fromX = (k + 1) / 2;
        var rows = SampleDistinct(rng, m, fromX);
        var cols = SampleDistinct(rng, m, k - fromX);
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
                w[(p * k) + q] = Distance(points.AsSpan(p * d, d), points.AsSpan(q * d, d));
            }
        }

        var pinv = RidgePseudoInverse(w, k);
        for (var p = 0; p < k; p++)
        {
            for (var q = p + 1; q < k; q++)
            {
                var avg = 0.5 * (pinv[(p * k) + q] + pinv[(q * k) + p]);
                pinv[(p * k) + q] = avg;
                pinv[(q * k) + p] = avg;
            }
        }

        // A = c(X, L) (m×k); B = c(Y, L) W⁺ (m×k), so that A Bᵀ = c(X, L) W⁺ c(L, Y).
        Span<double> c = k <= 512 ? stackalloc double[k] : new double[k];
        for (var t = 0; t < m; t++)
        {
            var xr = x.Slice(ix[t] * d, d);
            var a = fx.Slice(t * k, k);
            for (var q = 0; q < k; q++)
            {
                a[q] = Distance(xr, points.AsSpan(q * d, d));
            }

            var yr = y.Slice(iy[t] * d, d);
            for (var p = 0; p < k; p++)
            {
                c[p] = Distance(points.AsSpan(p * d, d), yr);
            }

            var b = fy.Slice(t * k, k);
            for (var q = 0; q < k; q++)
            {
                var s = 0.0;
                var pr = pinv.AsSpan(q * k, k);
                for (var p = 0; p < k; p++)
                {
                    s += pr[p] * c[p];
                }

                b[q] = s;
            }
        }

        return k;
    }

    /// <summary>‖u − v‖.</summary>
    public static double Distance(ReadOnlySpan<double> u, ReadOnlySpan<double> v) => Math.Sqrt(SquaredDistance(u, v));

    /// <summary>c(u, v) for HiRef's ground costs: ‖u − v‖² or ‖u − v‖.</summary>
    public static double PairCost(ReadOnlySpan<double> u, ReadOnlySpan<double> v, GroundCost cost)
    {
        var s = SquaredDistance(u, v);
        return cost == GroundCost.SquaredEuclidean ? s : Math.Sqrt(s);
    }

    /// <summary>‖u − v‖².</summary>
    public static double SquaredDistance(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        var s = 0.0;
        for (var j = 0; j < u.Length; j++)
        {
            var t = u[j] - v[j];
            s += t * t;
        }

        return s;
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

        // Cholesky G = L Lᵀ in place (lower triangle).
        for (var j = 0; j < k; j++)
        {
            var s = g[(j * k) + j];
            for (var l = 0; l < j; l++)
            {
                s -= g[(j * k) + l] * g[(j * k) + l];
            }

            var diag = Math.Sqrt(Math.Max(s, lambda));
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

        // Solve G X = Wᵀ column by column (X = W⁺, k×k).
        var result = new double[k * k];
        var col = new double[k];
        for (var c = 0; c < k; c++)
        {
            for (var p = 0; p < k; p++)
            {
                col[p] = w[(c * k) + p]; // (Wᵀ)[p, c] = W[c, p]
            }

            for (var i = 0; i < k; i++)
            {
                var s = col[i];
                for (var l = 0; l < i; l++)
                {
                    s -= g[(i * k) + l] * col[l];
                }

                col[i] = s / g[(i * k) + i];
            }

            for (var i = k - 1; i >= 0; i--)
            {
                var s = col[i];
                for (var l = i + 1; l < k; l++)
                {
                    s -= g[(l * k) + i] * col[l];
                }

                col[i] = s / g[(i * k) + i];
            }

            for (var p = 0; p < k; p++)
            {
                result[(p * k) + c] = col[p];
            }
        }

        return result;
    }
}
