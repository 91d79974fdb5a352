using Monge.Problems;

namespace Monge.Tools.Sorting;

/// <summary>
/// Differentiable sorting through one-dimensional entropic optimal transport (Cuturi, Teboul and Vert, "Differentiable
/// Ranks and Sorting using Optimal Transport", NeurIPS 2019): soft sort, soft ranks, soft quantiles, a soft top-k mask
/// and soft quantile normalization, each with its vector-Jacobian product (<see cref="SoftSortResult.Vjp"/>).
/// </summary>
/// <remarks>
/// <para>
/// Every operator solves one balanced entropic problem between the n inputs, squashed into (0, 1) (see
/// <see cref="SoftSortOptions"/>) with weights a (uniform unless given), and m targets at linspace(0, 1, m) with weights b
/// that depend on the operator, squared cost, log-domain <see cref="Monge.Solvers.Entropic.Sinkhorn"/>; the output is read
/// off the plan P as in OTT-JAX's <c>soft_sort</c>. Time O(n·m) per Sinkhorn iteration (m is 2 for a top-k mask and
/// 2q + 1 for q quantiles, so those are linear in n); memory O(n + m) (the point-cloud cost is streamed; the solver may
/// keep the n×m cost matrix when it fits its memory budget). The n×n cost is never formed unless m = n.
/// </para>
/// <para>
/// Results are unit-free: any shift and positive scale of the inputs leaves ranks, masks and normalized values unchanged
/// and maps sorted values and quantiles by the same shift and scale.
/// </para>
/// </remarks>
public static class SoftSort
{
    /// <summary>
    /// Soft sort: m values increasing in j, out_j = Σ_i P_ij z_i / b_j with b uniform (1/m), convex combinations of the
    /// inputs that tend to the sorted inputs (m = n) or to the weighted quantiles at (j + ½)/m as ε → 0.
    /// </summary>
    /// <param name="values">The inputs z (finite, at least one).</param>
    /// <param name="targets">m, the number of outputs (default n).</param>
    /// <param name="weights">Positive input weights (default uniform; normalized).</param>
    /// <param name="options">ε and the solvers (default <see cref="SoftSortOptions"/>).</param>
    /// <param name="cancellationToken">Stops Sinkhorn.</param>
    /// <returns>m values, ascending.</returns>
    /// <exception cref="InputValidationException">Empty or non-finite inputs, bad weights, m &lt; 1, or invalid options.</exception>
    public static SoftSortResult Sort(ReadOnlySpan<double> values, int? targets = null, ReadOnlySpan<double> weights = default, SoftSortOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (z, a, opts) = Prepare(values, weights, options);
        var m = targets ?? z.Length;
        if (m < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The number of targets must be at least 1 (got {m}).", nameof(targets));
        }

        var b = Marginals.Uniform<double>(m);
        return Run(z, a, b, SoftSortReadout.Columns(z, Enumerable.Range(0, m).ToArray()), opts, cancellationToken);
    }

    /// <summary>
    /// Soft ranks, zero-based in [0, n − 1] as OTT-JAX's: out_i = (n − 1)/(m − 1) · Σ_j P_ij j / a_i with m uniform targets;
    /// tends to the rank of z_i (argsort of argsort; tied inputs share their mean rank) as ε → 0.
    /// </summary>
    /// <param name="values">The inputs z (finite, at least one).</param>
    /// <param name="targets">m (default n; at least 2 when n ≥ 2).</param>
    /// <param name="weights">Positive input weights (default uniform).</param>
    /// <param name="options">ε and the solvers.</param>
    /// <param name="cancellationToken">Stops Sinkhorn.</param>
    /// <returns>n soft ranks.</returns>
    /// <exception cref="InputValidationException">Invalid inputs or options.</exception>
    public static SoftSortResult Rank(ReadOnlySpan<double> values, int? targets = null, ReadOnlySpan<double> weights = default, SoftSortOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (z, a, opts) = Prepare(values, weights, options);
        var n = z.Length;
        var m = targets ?? n;
        if (m < 1 || (n > 1 && m < 2))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Ranks need at least 2 targets (got {m}).", nameof(targets));
        }

        var t = new double[m];
        for (var j = 0; j < m; j++)
        {
            t[j] = m == 1 ? 0 : j * (n - 1.0) / (m - 1.0);
        }

        return Run(z, a, Marginals.Uniform<double>(m), SoftSortReadout.Rows(t), opts, cancellationToken);
    }

    /// <summary>
    /// Soft top-k mask: out_i ∈ [0, 1], tending to 1 for the k largest inputs and 0 for the others as ε → 0. Two targets
    /// (0 and 1) with weights 1 − k/n and k/n; out_i = P_i1 / a_i. Linear in n.
    /// </summary>
    /// <param name="values">The inputs z (n ≥ 2, uniform weights).</param>
    /// <param name="k">1 ≤ k &lt; n.</param>
    /// <param name="options">ε and the solvers.</param>
    /// <param name="cancellationToken">Stops Sinkhorn.</param>
    /// <returns>n values in [0, 1] summing to k.</returns>
    /// <exception cref="InputValidationException">Invalid inputs, k out of range, or invalid options.</exception>
    public static SoftSortResult TopKMask(ReadOnlySpan<double> values, int k, SoftSortOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (z, a, opts) = Prepare(values, default, options);
        var n = z.Length;
        if (k < 1 || k >= n)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"k must be in [1, n − 1] = [1, {n - 1}] (got {k}).", nameof(k));
        }

        var b = new[] { 1.0 - ((double)k / n), (double)k / n };
        return Run(z, a, b, SoftSortReadout.Rows([0.0, 1.0]), opts, cancellationToken);
    }

    /// <summary>
    /// Soft quantiles at the given levels: each level q gets a target of weight w between filler targets of weights that
    /// fill the gaps between levels (OTT-JAX's construction), and out = Σ_i P_ij z_i / w over the level's target: a
    /// weighted mean of the inputs whose ranks lie in (q − w/2, q + w/2), tending to that mean as ε → 0.
    /// </summary>
    /// <param name="values">The inputs z.</param>
    /// <param name="levels">Levels in (0, 1), distinct, in any order (the output follows this order).</param>
    /// <param name="width">The mass w of each level's target; default (and upper bound) the smallest of ½ of the gap to a
    /// neighbouring level or to 0 and 1, 1/(2q), 0.02 and 1.5/n.</param>
    /// <param name="weights">Positive input weights (default uniform).</param>
    /// <param name="options">ε and the solvers.</param>
    /// <param name="cancellationToken">Stops Sinkhorn.</param>
    /// <returns>One value per level.</returns>
    /// <exception cref="InputValidationException">Invalid inputs, levels or width, or invalid options.</exception>
    public static SoftSortResult Quantiles(ReadOnlySpan<double> values, ReadOnlySpan<double> levels, double? width = null, ReadOnlySpan<double> weights = default, SoftSortOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (z, a, opts) = Prepare(values, weights, options);
        var q = levels.Length;
        if (q == 0)
        {
            throw new InputValidationException(InputProblem.Empty, "At least one quantile level is required.", nameof(levels));
        }

        var order = Enumerable.Range(0, q).ToArray();
        var sorted = levels.ToArray();
        for (var k = 0; k < q; k++)
        {
            if (!(sorted[k] > 0 && sorted[k] < 1))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Quantile levels must lie in (0, 1); level {k} is {sorted[k]}.", nameof(levels), k);
            }
        }

        Array.Sort(sorted, order);
        var gaps = new double[q + 1];
        for (var k = 0; k <= q; k++)
        {
            gaps[k] = (k == q ? 1.0 : sorted[k]) - (k == 0 ? 0.0 : sorted[k - 1]);
            if (!(gaps[k] > 0))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Quantile levels must be distinct (level {sorted[k]} is repeated).", nameof(levels), order[k]);
            }
        }

        var w = 0.5 / q;
        foreach (var gap in gaps)
        {
            w = Math.Min(w, 0.5 * gap);
        }

        if (width is { } given)
        {
            if (!(given > 0) || !double.IsFinite(given))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"The quantile width must be positive (got {given}).", nameof(width));
            }

            w = Math.Min(w, given);
        }
        else
        {
            w = Math.Min(w, Math.Min(0.02, 1.5 / z.Length));
        }

        // Targets: filler, level, filler, level, ..., filler (2q + 1); the end fillers lose w/2, the inner ones w.
        var b = new double[(2 * q) + 1];
        var columns = new int[q];
        for (var k = 0; k <= q; k++)
        {
            b[2 * k] = gaps[k] - (k == 0 || k == q ? 0.5 * w : w);
            if (k < q)
            {
                b[(2 * k) + 1] = w;
                columns[order[k]] = (2 * k) + 1;
            }
        }

        return Run(z, a, b, SoftSortReadout.Columns(z, columns), opts, cancellationToken);
    }

    /// <summary>
    /// Soft quantile normalization: replaces each input by a convex combination of the given target values, out_i =
    /// Σ_j P_ij v_j / a_i, so that the output's distribution tends to the targets' (with the order of the inputs kept) as
    /// ε → 0.
    /// </summary>
    /// <param name="values">The inputs z.</param>
    /// <param name="targetValues">The target values v, ascending (m ≥ 1).</param>
    /// <param name="targetWeights">Positive target weights (default uniform; normalized).</param>
    /// <param name="weights">Positive input weights (default uniform).</param>
    /// <param name="options">ε and the solvers.</param>
    /// <param name="cancellationToken">Stops Sinkhorn.</param>
    /// <returns>n values.</returns>
    /// <exception cref="InputValidationException">Invalid inputs, unsorted or non-finite target values, bad weights, or invalid options.</exception>
    public static SoftSortResult QuantileNormalize(ReadOnlySpan<double> values, ReadOnlySpan<double> targetValues, ReadOnlySpan<double> targetWeights = default, ReadOnlySpan<double> weights = default, SoftSortOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (z, a, opts) = Prepare(values, weights, options);
        var m = targetValues.Length;
        if (m == 0)
        {
            throw new InputValidationException(InputProblem.Empty, "At least one target value is required.", nameof(targetValues));
        }

        for (var j = 0; j < m; j++)
        {
            if (!double.IsFinite(targetValues[j]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Target value {j} is {targetValues[j]}.", nameof(targetValues), j);
            }

            if (j > 0 && targetValues[j] < targetValues[j - 1])
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Target values must be ascending (value {j} = {targetValues[j]} < {targetValues[j - 1]}).", nameof(targetValues), j);
            }
        }

        var b = targetWeights.IsEmpty ? Marginals.Uniform<double>(m) : PositiveNormalized(targetWeights, m, nameof(targetWeights));
        return Run(z, a, b, SoftSortReadout.Rows(targetValues.ToArray()), opts, cancellationToken);
    }

    private static SoftSortResult Run(double[] z, double[] a, double[] b, SoftSortReadout readout, SoftSortOptions options, CancellationToken cancellationToken)
    {
        var transport = SoftSortTransport.Solve(z, a, b, options, cancellationToken);
        return new SoftSortResult(readout.Evaluate(transport), transport, readout);
    }

    private static (double[] Values, double[] Weights, SoftSortOptions Options) Prepare(ReadOnlySpan<double> values, ReadOnlySpan<double> weights, SoftSortOptions? options)
    {
        var opts = options ?? new SoftSortOptions();
        opts.Validate();
        if (values.IsEmpty)
        {
            throw new InputValidationException(InputProblem.Empty, "Soft sorting needs at least one value.", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Value {i} is {values[i]}.", nameof(values), i);
            }
        }

        var a = weights.IsEmpty ? Marginals.Uniform<double>(values.Length) : PositiveNormalized(weights, values.Length, nameof(weights));
        return (values.ToArray(), a, opts);
    }

    private static double[] PositiveNormalized(ReadOnlySpan<double> weights, int expected, string name)
    {
        if (weights.Length != expected)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Expected {expected} weights in '{name}', got {weights.Length}.", name);
        }

        var normalized = Marginals.Normalized(weights, name);
        for (var i = 0; i < normalized.Length; i++)
        {
            if (!(normalized[i] > 0))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Weights '{name}' must be positive (entry {i} is {weights[i]}); drop zero-weight inputs instead.", name, i);
            }
        }

        return normalized;
    }
}
