namespace Monge.Geometry.Costs;

/// <summary>Shared pieces of the elastic costs: checks, ‖z‖², the conjugate from the prox, the squared k-overlap norm and its prox.</summary>
internal static class ElasticMath
{
    internal const int StackLimit = 128;

    internal static double CheckLambda(double lambda)
    {
        if (!(lambda >= 0) || !double.IsFinite(lambda))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The elastic cost's λ must be finite and ≥ 0 (got {lambda}).", nameof(lambda));
        }

        return lambda;
    }

    internal static void CheckLengths(ReadOnlySpan<double> z, Span<double> destination)
    {
        if (destination.Length != z.Length)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The destination has length {destination.Length}, the vector {z.Length}.", nameof(destination));
        }
    }

    internal static double SquaredNorm(ReadOnlySpan<double> z)
    {
        var s = 0.0;
        foreach (var v in z)
        {
            s += v * v;
        }

        return s;
    }

    /// <summary>h*(z) = ⟨q, z⟩ − h(q) with q = ∇h*(z) = prox_{λR}(z) (the maximizer of the sup).</summary>
    internal static double Conjugate<TCost>(TCost cost, ReadOnlySpan<double> z)
        where TCost : IElasticCost
    {
        var q = z.Length <= StackLimit ? stackalloc double[z.Length] : new double[z.Length];
        cost.Prox(z, q);
        var dot = 0.0;
        for (var k = 0; k < z.Length; k++)
        {
            dot += q[k] * z[k];
        }

        return dot - cost.H(q);
    }

    /// <summary>|v| sorted in decreasing order into <paramref name="sorted"/>, and the permutation into <paramref name="order"/>.</summary>
    internal static void SortAbsDescending(ReadOnlySpan<double> v, Span<double> sorted, Span<int> order)
    {
        for (var k = 0; k < v.Length; k++)
        {
            sorted[k] = -Math.Abs(v[k]);
            order[k] = k;
        }

        sorted.Sort(order);
        for (var k = 0; k < v.Length; k++)
        {
            sorted[k] = -sorted[k];
        }
    }

    /// <summary>
    /// The squared k-overlap (k-support) norm of a vector whose absolute values are <paramref name="z"/>, sorted in
    /// decreasing order (Argyriou, Foygel and Srebro 2012, Prop. 2.1): Σ_{i &lt; k−r} z_i² + (Σ_{i ≥ k−r} z_i)²/(r + 1)
    /// (1-based), r ∈ {0, …, k−1} the one with z_{k−r−1} &gt; (Σ_{i ≥ k−r} z_i)/(r + 1) ≥ z_{k−r}, z_0 = +∞.
    /// </summary>
    internal static double SquaredKOverlapSorted(ReadOnlySpan<double> z, int k, out int r, out double tailMean)
    {
        var d = z.Length;
        k = Math.Min(k, d);
        var tail = 0.0;
        for (var i = k - 1; i < d; i++)
        {
            tail += z[i];
        }

        // r = 0: tail = Σ_{i ≥ k} (1-based) = z[k-1..]; each r adds z[k-r-1] (0-based) to the tail.
        var best = -1;
        var bestTail = 0.0;
        for (var rr = 0; rr < k; rr++)
        {
            if (rr > 0)
            {
                tail += z[k - rr - 1];
            }

            var mean = tail / (rr + 1);
            var upper = k - rr - 2 < 0 ? double.PositiveInfinity : z[k - rr - 2];
            if (upper > mean && mean >= z[k - rr - 1] * (1 - 1e-12))
            {
                best = rr;
                bestTail = tail;
                break;
            }
        }

        if (best < 0)
        {
            // Rounding left no index satisfying both inequalities: r = k − 1 gives (Σ z)²/k, a valid upper bound that is
            // exact up to rounding in this case.
            best = k - 1;
            bestTail = 0;
            foreach (var v in z)
            {
                bestTail += v;
            }
        }

        r = best;
        tailMean = bestTail / (best + 1);
        var head = 0.0;
        for (var i = 0; i < k - best - 1; i++)
        {
            head += z[i] * z[i];
        }

        return head + ((best + 1) * tailMean * tailMean);
    }

    /// <summary>
    /// prox of (λ/2)‖·‖²_(k) on a vector whose absolute values sorted decreasingly are <paramref name="z"/> (Argyriou,
    /// Foygel and Srebro 2012, Algorithm 1, β = 1/λ): writes the magnitudes of the result, in the same sorted order.
    /// </summary>
    internal static void ProxSquaredKOverlapSorted(ReadOnlySpan<double> z, int k, double lambda, Span<double> q)
    {
        var d = z.Length;
        k = Math.Min(k, d);
        if (lambda == 0)
        {
            z.CopyTo(q);
            return;
        }

        var beta = 1 / lambda;
        if (z.Length == 0 || z[0] == 0)
        {
            q.Clear();
            return;
        }

        // prefix[i] = Σ_{t < i} z_t (0-based).
        var prefix = d + 1 <= StackLimit ? stackalloc double[d + 1] : new double[d + 1];
        prefix[0] = 0;
        for (var i = 0; i < d; i++)
        {
            prefix[i + 1] = prefix[i] + z[i];
        }

        // 1-based z_i = z[i − 1]; z_0 = +∞, z_{d+1} = −∞. Find r ∈ [0, k), l ∈ [k, d] with
        // z_{k−r−1}/(β+1) > T/D ≥ z_{k−r}/(β+1) and z_l > T/D ≥ z_{l+1}, T = Σ_{i=k−r}^{l} z_i, D = l − k + (β+1)r + β + 1.
        static double At(ReadOnlySpan<double> z, int i) => i <= 0 ? double.PositiveInfinity : i > z.Length ? double.NegativeInfinity : z[i - 1];
        var bestR = -1;
        var bestL = -1;
        var bestMu = 0.0;
        var bestViolation = double.PositiveInfinity;
        for (var r = 0; r < k; r++)
        {
            for (var l = k; l <= d; l++)
            {
                var t = prefix[l] - prefix[k - r - 1];
                var mu = t / (l - k + ((beta + 1) * r) + beta + 1);
                var violation = Math.Max(0, mu - (At(z, k - r - 1) / (beta + 1)))
                    + Math.Max(0, (At(z, k - r) / (beta + 1)) - mu)
                    + Math.Max(0, mu - At(z, l))
                    + Math.Max(0, At(z, l + 1) - mu);
                if (violation < bestViolation)
                {
                    bestViolation = violation;
                    bestR = r;
                    bestL = l;
                    bestMu = mu;
                    if (violation == 0 && mu < At(z, l) && mu < At(z, k - r - 1) / (beta + 1))
                    {
                        goto found;
                    }
                }
            }
        }

    found:
        for (var i = 1; i <= d; i++)
        {
            q[i - 1] = i <= k - bestR - 1 ? beta / (beta + 1) * z[i - 1] : i <= bestL ? Math.Max(z[i - 1] - bestMu, 0) : 0;
        }
    }
}
