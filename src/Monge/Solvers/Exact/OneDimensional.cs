using System.Diagnostics;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;

namespace Monge.Solvers.Exact;

/// <summary>
/// Exact optimal transport on the real line for the cost |x − y|^p, p ≥ 1, by quantile functions: the monotone
/// (north-west corner on sorted supports) coupling is optimal for every convex cost of x − y.
/// Also the sliced Wasserstein distance, which averages 1-D problems over random directions.
/// </summary>
/// <remarks>
/// Reference: Santambrogio, <i>Optimal Transport for Applied Mathematicians</i> (2015), §2.2; Peyré &amp; Cuturi,
/// <i>Computational Optimal Transport</i> (2019), §2.6 and §9.2 (sliced); Rabin et al. (2011) for the sliced distance.
/// Time O((n + m) log(n + m)) for the sort; memory O(n + m). The span helpers normalize weights to mass one each;
/// <see cref="Solve"/> uses the problem's masses. An options record with an instance <see cref="Solve"/> like every
/// solver (it has no options yet); the span helpers are static.
/// </remarks>
public sealed record OneDimensional
{
    /// <summary>
    /// W_p^p = ∫₀¹ |F⁻¹(t) − G⁻¹(t)|^p dt between Σ a_i δ_{u_i} and Σ b_j δ_{v_j} (the value POT's
    /// <c>ot.wasserstein_1d</c> returns).
    /// </summary>
    /// <param name="u">Source support.</param>
    /// <param name="v">Target support.</param>
    /// <param name="a">Source weights, or empty for uniform.</param>
    /// <param name="b">Target weights, or empty for uniform.</param>
    /// <param name="p">The exponent, at least 1.</param>
    /// <exception cref="InputValidationException">Empty or non-finite supports, invalid weights, or p &lt; 1.</exception>
    public static double CostPower(ReadOnlySpan<double> u, ReadOnlySpan<double> v, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double p = 2)
    {
        var total = 0.0;
        Sweep(u, v, a, b, p, (_, _, mass, gap) => total += mass * Power(gap, p));
        return total;
    }

    /// <summary>W_p = (W_p^p)^(1/p).</summary>
    /// <inheritdoc cref="CostPower"/>
    public static double Distance(ReadOnlySpan<double> u, ReadOnlySpan<double> v, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double p = 2) =>
        Math.Pow(CostPower(u, v, a, b, p), 1 / p);

    /// <summary>
    /// The monotone optimal plan as (source index, target index, mass) triples, at most n + m − 1 of them,
    /// in increasing order of the quantile level.
    /// </summary>
    /// <inheritdoc cref="CostPower"/>
    public static (int[] Rows, int[] Columns, double[] Mass) Plan(ReadOnlySpan<double> u, ReadOnlySpan<double> v, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var rows = new List<int>(u.Length + v.Length);
        var cols = new List<int>(u.Length + v.Length);
        var mass = new List<double>(u.Length + v.Length);
        Sweep(u, v, a, b, 1, (i, j, w, _) =>
        {
            rows.Add(i);
            cols.Add(j);
            mass.Add(w);
        });
        return ([.. rows], [.. cols], [.. mass]);
    }

    /// <summary>
    /// The Monge map for uniform weights and n = m: σ with σ(i) the rank-matched target of source i (sort both).
    /// </summary>
    /// <exception cref="InputValidationException">Lengths differ or a value is not finite.</exception>
    public static int[] MonotoneMap(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        if (u.Length != v.Length)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"A Monge map between uniform measures needs n = m (got {u.Length} and {v.Length}).", nameof(v));
        }

        CheckSupport(u, nameof(u));
        CheckSupport(v, nameof(v));
        var su = SortedIndex(u);
        var sv = SortedIndex(v);
        var map = new int[u.Length];
        for (var k = 0; k < su.Length; k++)
        {
            map[su[k]] = sv[k];
        }

        return map;
    }

    /// <summary>The costs <see cref="Solve"/> supports, in words.</summary>
    public const string SupportedCosts = "sqeuclidean, euclidean, pnorm:P (convex functions of x − y, for which the sorted matching is optimal)";

    /// <summary>
    /// Solves a balanced <see cref="LinearProblem{T}"/> on two 1-D point clouds exactly: the monotone (sorted) plan is
    /// optimal for every cost that is a convex function of x − y (squared Euclidean, Euclidean, pnorm:P with P ≥ 1).
    /// Time O((n + m) log(n + m)); memory O(n + m).
    /// </summary>
    /// <param name="problem">A balanced problem whose geometry is an <see cref="IPointCloudGeometry{T}"/> of dimension 1.</param>
    /// <returns>The plan (at most n + m − 1 nonzeros, the problem's masses) and <see cref="OneDimensionalResult.Cost"/> = ⟨C, P⟩.</returns>
    /// <exception cref="InputValidationException">Not a 1-D point-cloud geometry, or a relaxed marginal.</exception>
    /// <param name="cancellationToken">Checked before the sort (the solve itself is one O((n + m) log(n + m)) pass).</param>
    /// <exception cref="UnsupportedCostException">A cost that is not a convex function of x − y (cosine, dot, custom costs).</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the solve.</exception>
    public OneDimensionalResult Solve(LinearProblem<double> problem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        cancellationToken.ThrowIfCancellationRequested();
        var started = Stopwatch.GetTimestamp();
        if (problem.Geometry is not IPointCloudGeometry<double> points || points.Source.Dimension != 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "OneDimensional needs a point-cloud geometry of dimension 1.", nameof(problem));
        }

        var cost = points.CostFunction;
        if (cost is not (SquaredEuclidean<double> or Euclidean<double> or PNormPower<double>))
        {
            throw new UnsupportedCostException(nameof(OneDimensional), cost.Name, SupportedCosts);
        }

        if (!problem.IsBalanced)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"OneDimensional solves balanced problems (got {problem.Relaxation}).", nameof(problem));
        }

        var u = points.Source.Data;
        var v = points.Target.Data;
        var (rows, columns, mass) = Plan(u, v, problem.A, problem.B);
        var total = 0.0;
        var scale = points.ScaleFactor;
        for (var k = 0; k < mass.Length; k++)
        {
            mass[k] *= problem.MassA;
            total += mass[k] * scale * cost.Evaluate(u.Slice(rows[k], 1), v.Slice(columns[k], 1));
        }

        return new OneDimensionalResult(rows, columns, mass, total, u.Length, v.Length)
        {
            Convergence = new Convergence(SolverStatus.Converged, 1, 0, 0, [], Stopwatch.GetElapsedTime(started)),
        };
    }

    /// <summary>
    /// The sliced Wasserstein distance (E_θ W_p^p(θ#μ, θ#ν))^(1/p) estimated with <paramref name="projections"/>
    /// directions drawn uniformly on the sphere from <paramref name="seed"/> (POT's
    /// <c>ot.sliced_wasserstein_distance</c> convention). Projections run in parallel; the result depends only on the seed.
    /// </summary>
    /// <exception cref="InputValidationException">Dimensions differ, projections &lt; 1 or p &lt; 1.</exception>
    public static double SlicedWasserstein(PointCloud<double> x, PointCloud<double> y, int projections = 50, double p = 2, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Dimension != y.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Dimensions differ: {x.Dimension} and {y.Dimension}.", nameof(y));
        }

        if (projections < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Need at least one projection (got {projections}).", nameof(projections));
        }

        CheckExponent(p);
        var d = x.Dimension;
        var directions = new double[projections * d];
        var random = new Random(seed);
        for (var k = 0; k < projections; k++)
        {
            var norm = 0.0;
            var dir = directions.AsSpan(k * d, d);
            do
            {
                norm = 0;
                for (var c = 0; c < d; c++)
                {
                    // Box–Muller: a standard normal vector, normalized, is uniform on the sphere.
                    var g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                    dir[c] = g;
                    norm += g * g;
                }
            }
            while (norm == 0);

            norm = Math.Sqrt(norm);
            for (var c = 0; c < d; c++)
            {
                dir[c] /= norm;
            }
        }

        var a = x.HasWeights ? x.Weights.ToArray() : [];
        var b = y.HasWeights ? y.Weights.ToArray() : [];
        var values = new double[projections];
        Parallel.For(0, projections, k =>
        {
            var dir = directions.AsSpan(k * d, d);
            var px = Project(x, dir);
            var py = Project(y, dir);
            values[k] = CostPower(px, py, a, b, p);
        });
        return Math.Pow(values.Average(), 1 / p);
    }

    private static double[] Project(PointCloud<double> cloud, ReadOnlySpan<double> dir)
    {
        var result = new double[cloud.Count];
        for (var i = 0; i < cloud.Count; i++)
        {
            var row = cloud.Row(i);
            var s = 0.0;
            for (var c = 0; c < dir.Length; c++)
            {
                s += row[c] * dir[c];
            }

            result[i] = s;
        }

        return result;
    }

    private delegate void Visit(int i, int j, double mass, double gap);

    /// <summary>Walks the merged quantile levels of the two measures, visiting each piece of the monotone plan.</summary>
    private static void Sweep(ReadOnlySpan<double> u, ReadOnlySpan<double> v, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double p, Visit visit)
    {
        CheckSupport(u, nameof(u));
        CheckSupport(v, nameof(v));
        CheckExponent(p);
        var wa = Weights(a, u.Length, nameof(a));
        var wb = Weights(b, v.Length, nameof(b));
        var su = SortedIndex(u);
        var sv = SortedIndex(v);
        var i = 0;
        var j = 0;
        var ca = wa[su[0]];
        var cb = wb[sv[0]];
        var level = 0.0;
        while (i < su.Length && j < sv.Length)
        {
            // Cumulative masses reach exactly 1 at the last atom so both walks end together.
            var endA = i == su.Length - 1 ? 1.0 : ca;
            var endB = j == sv.Length - 1 ? 1.0 : cb;
            var next = Math.Min(endA, endB);
            var mass = next - level;
            if (mass > 0)
            {
                visit(su[i], sv[j], mass, Math.Abs(u[su[i]] - v[sv[j]]));
                level = next;
            }

            if (endA <= next)
            {
                i++;
                if (i < su.Length)
                {
                    ca += wa[su[i]];
                }
            }

            if (endB <= next)
            {
                j++;
                if (j < sv.Length)
                {
                    cb += wb[sv[j]];
                }
            }
        }
    }

    private static double Power(double gap, double p) => p == 1 ? gap : p == 2 ? gap * gap : Math.Pow(gap, p);

    private static double[] Weights(ReadOnlySpan<double> w, int n, string name) =>
        w.IsEmpty ? Marginals.Uniform<double>(n) : Marginals.Normalized(w.Length == n ? w : throw new InputValidationException(
            InputProblem.DimensionMismatch, $"Weights '{name}' have length {w.Length} but there are {n} points.", name), name);

    private static int[] SortedIndex(ReadOnlySpan<double> values)
    {
        var keys = values.ToArray();
        var index = new int[keys.Length];
        for (var k = 0; k < index.Length; k++)
        {
            index[k] = k;
        }

        Array.Sort(keys, index);
        return index;
    }

    private static void CheckSupport(ReadOnlySpan<double> values, string name)
    {
        if (values.IsEmpty)
        {
            throw new InputValidationException(InputProblem.Empty, $"Support '{name}' is empty.", name);
        }

        for (var k = 0; k < values.Length; k++)
        {
            if (!double.IsFinite(values[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"Support '{name}' has a non-finite value at index {k}.", name, k);
            }
        }
    }

    private static void CheckExponent(double p)
    {
        if (!(p >= 1) || !double.IsFinite(p))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The exponent p must be a finite number ≥ 1 (got {p}).", nameof(p));
        }
    }
}
