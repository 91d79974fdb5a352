using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Exact;

namespace Monge.Tools.Barycenters;

/// <summary>
/// Exact 2-Wasserstein barycenters on the real line by averaging quantile functions: the barycenter of μ_s with weights
/// w_s has the quantile function Q(t) = Σ_s w_s Q_s(t) (Agueh and Carlier 2011, §6.1; for W_p any p ≥ 1 the same
/// holds for the geodesic average, but only W₂ is minimized by it). No iterations, no tolerance.
/// </summary>
/// <remarks>
/// <para><see cref="Solve"/> returns the barycenter itself: Q is a step function that is constant between consecutive
/// cumulative weights of the inputs, so the barycenter has at most Σ_s n_s − S + 1 atoms. <see cref="SolveFixedSize"/>
/// returns the best K points with prescribed weights b (the free-support problem of <see cref="FreeSupportBarycenter"/>
/// in one dimension, solved exactly): x_i = (1/b_i) ∫ Q(t) dt over the i-th interval of b's cumulative weights.</para>
/// <para>Time O(N log N + N·S) with N = Σ_s n_s (sorting, then one walk over the merged grid with S pointers), memory O(N + K).</para>
/// </remarks>
public static class OneDimensionalBarycenter
{
    /// <summary>The exact W₂ barycenter of one-dimensional measures.</summary>
    /// <param name="measures">The inputs (dimension 1; weights as given, normalized to one, uniform where absent).</param>
    /// <param name="lambdas">Their weights w_s (non-negative, positive sum, normalized; null: uniform).</param>
    /// <returns>The atoms (sorted), their masses and the objective.</returns>
    /// <exception cref="InputValidationException">No input, a dimension other than 1, or invalid weights.</exception>
    public static OneDimensionalBarycenterResult Solve(IReadOnlyList<PointCloud<double>> measures, IReadOnlyList<double>? lambdas = null)
    {
        var (inputs, w) = Prepare(measures, lambdas);
        var points = new List<double>();
        var masses = new List<double>();
        Walk(inputs, w, null, (_, value, mass) =>
        {
            // Merge equal consecutive atoms (several inputs may share a breakpoint's value).
            if (points.Count > 0 && points[^1] == value)
            {
                masses[^1] += mass;
            }
            else
            {
                points.Add(value);
                masses.Add(mass);
            }
        });
        return Finish(inputs, w, [.. points], [.. masses]);
    }

    /// <summary>The exact best K points with weights b: min over x of Σ_s w_s W₂²(Σ_i b_i δ_{x_i}, μ_s).</summary>
    /// <param name="measures">The inputs (dimension 1).</param>
    /// <param name="size">K ≥ 1.</param>
    /// <param name="lambdas">w_s (null: uniform).</param>
    /// <param name="barycenterWeights">b (positive, normalized; null: uniform).</param>
    /// <returns>The K points in increasing order, b and the objective.</returns>
    /// <exception cref="InputValidationException">No input, a dimension other than 1, K &lt; 1, or invalid weights.</exception>
    public static OneDimensionalBarycenterResult SolveFixedSize(IReadOnlyList<PointCloud<double>> measures, int size, IReadOnlyList<double>? lambdas = null, double[]? barycenterWeights = null)
    {
        if (size < 1)
        {
            throw new InputValidationException(InputProblem.Empty, $"A barycenter needs at least one point (got K = {size}).", nameof(size));
        }

        var (inputs, w) = Prepare(measures, lambdas);
        var b = barycenterWeights is null ? Marginals.Uniform<double>(size) : Marginals.Normalized<double>(barycenterWeights, nameof(barycenterWeights));
        if (b.Length != size)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"{b.Length} barycenter weights for K = {size} points.", nameof(barycenterWeights));
        }

        for (var i = 0; i < size; i++)
        {
            if (!(b[i] > 0))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Barycenter weight {i} is {b[i]}; every point needs a positive weight.", nameof(barycenterWeights), i);
            }
        }

        var bins = Cumulative(b);
        var integral = new double[size];
        Walk(inputs, w, bins, (bin, value, mass) => integral[bin] += value * mass);
        var points = new double[size];
        for (var i = 0; i < size; i++)
        {
            points[i] = integral[i] / b[i];
        }

        return Finish(inputs, w, points, b);
    }

    private static (Sorted[] Inputs, double[] W) Prepare(IReadOnlyList<PointCloud<double>> measures, IReadOnlyList<double>? lambdas)
    {
        ArgumentNullException.ThrowIfNull(measures);
        var count = measures.Count;
        if (count < 1)
        {
            throw new InputValidationException(InputProblem.Empty, "A barycenter needs at least one input.", nameof(measures));
        }

        var inputs = new Sorted[count];
        for (var k = 0; k < count; k++)
        {
            var cloud = measures[k] ?? throw new ArgumentNullException(nameof(measures), $"Input {k} is null.");
            if (cloud.Dimension != 1)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"Input {k} has dimension {cloud.Dimension}; one-dimensional barycenters need dimension 1.", nameof(measures), k);
            }

            inputs[k] = new Sorted(cloud);
        }

        var w = BarycenterWeights.Normalize(lambdas, count, nameof(lambdas));

        return (inputs, w);
    }

    private static double[] Cumulative(ReadOnlySpan<double> mass)
    {
        var c = new double[mass.Length];
        var total = 0.0;
        for (var i = 0; i < mass.Length; i++)
        {
            total += mass[i];
            c[i] = Math.Min(total, 1.0);
        }

        c[^1] = 1.0;
        return c;
    }

    /// <summary>Visits the intervals (lo, hi] of the merged grid of cumulative weights with Q = Σ w_s Q_s on them.</summary>
    private static void Walk(Sorted[] inputs, double[] w, double[]? bins, Action<int, double, double> visit)
    {
        var grid = new List<double>();
        foreach (var input in inputs)
        {
            grid.AddRange(input.Cumulative);
        }

        if (bins is not null)
        {
            grid.AddRange(bins);
        }

        grid.Sort();
        var pointers = new int[inputs.Length];
        var bin = 0;
        var lo = 0.0;
        foreach (var hi in grid)
        {
            if (!(hi > lo))
            {
                continue;
            }

            var value = 0.0;
            for (var k = 0; k < inputs.Length; k++)
            {
                var c = inputs[k].Cumulative;
                while (c[pointers[k]] < hi)
                {
                    pointers[k]++;
                }

                value += w[k] * inputs[k].Values[pointers[k]];
            }

            if (bins is not null)
            {
                while (bins[bin] < hi)
                {
                    bin++;
                }
            }

            visit(bin, value, hi - lo);
            lo = hi;
        }
    }

    private static OneDimensionalBarycenterResult Finish(Sorted[] inputs, double[] w, double[] points, double[] masses)
    {
        var values = new double[inputs.Length];
        var objective = 0.0;
        for (var k = 0; k < inputs.Length; k++)
        {
            values[k] = OneDimensional.CostPower(points, inputs[k].Values, masses, inputs[k].Masses, 2);
            objective += w[k] * values[k];
        }

        return new OneDimensionalBarycenterResult(points, masses, values, objective);
    }

    /// <summary>One input's atoms with positive mass, sorted, with cumulative masses ending at exactly 1.</summary>
    private sealed class Sorted
    {
        public Sorted(PointCloud<double> cloud)
        {
            var weights = cloud.NormalizedWeights();
            var data = cloud.Data.ToArray();
            var order = Enumerable.Range(0, cloud.Count).Where(i => weights[i] > 0).ToArray();
            for (var i = 0; i < cloud.Count; i++)
            {
                if (!double.IsFinite(data[i]))
                {
                    throw new InputValidationException(InputProblem.NonFinite, $"Point {i} is {data[i]}.", null, i);
                }
            }

            var keys = order.Select(i => data[i]).ToArray();
            Array.Sort(keys, order);
            Values = keys;
            Masses = order.Select(i => weights[i]).ToArray();
            Cumulative = OneDimensionalBarycenter.Cumulative(Masses);
        }

        public double[] Values { get; }

        public double[] Masses { get; }

        public double[] Cumulative { get; }
    }
}
