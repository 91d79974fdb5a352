using System.Diagnostics;
using Monge.Geometry;
using Monge.Problems;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// Gromov-Wasserstein and fused Gromov-Wasserstein barycenters with a fixed support size and the square loss (Peyré,
/// Cuturi, Solomon 2016 for GW; Vayer et al. 2019 for FGW), like POT's <c>ot.gromov.gromov_barycenters</c> and
/// <c>fgw_barycenters</c>: block-coordinate descent that alternates one (F)GW solve per input with the closed-form
/// update of the barycenter's structure matrix C = Σ_s λ_s T_sᵀ C_s T_s / (p pᵀ) (and, for FGW, of its features
/// X = Σ_s λ_s T_s Y_s / p). An immutable options record.
/// </summary>
/// <remarks>
/// <para>
/// The objective is Σ_s λ_s GW(C_s, C) (FGW: Σ_s λ_s FGW(M_s(X), C, C_s) with M_s the squared Euclidean distances
/// between X and Y_s), in POT's convention (no ½, no root). The inner solver is <see cref="InnerSolver"/> (entropic GW,
/// by default with a decreasing ε down to 2·10⁻³ so that the plans are nearly sharp); the reported
/// <see cref="GromovBarycenterResult.Objective"/> is the unregularized value of the final plans for the final C (one
/// more inner solve per input after the loop, as POT's value would be measured).
/// </para>
/// <para>
/// Time per outer iteration: S inner solves on n_s × N problems plus O(Σ_s n_s²·N + n_s·N²) for the update. Memory:
/// the S dense plans, the inputs' costs and N × N.
/// </para>
/// </remarks>
public sealed record GromovBarycenter
{
    /// <summary>
    /// The inner (F)GW solver (default: mirror descent at ε = 2·10⁻³ reached from 50 ε by halving per outer step, residual
    /// threshold 10⁻⁶, Sinkhorn to 10⁻⁸): nearly sharp plans at a moderate cost. Scale ε with the costs (the default
    /// suits costs of order one, such as distance matrices divided by their max).
    /// </summary>
    public EntropicGromovWasserstein InnerSolver { get; init; } = new()
    {
        Epsilon = 2e-3,
        EpsilonSchedule = new Entropic.EpsilonScaling(50, 0.5),
        Threshold = 1e-6,
        MaxIterations = 300,
        LinearSolver = new Entropic.Sinkhorn { Threshold = 1e-8, MaxIterations = 20_000 },
    };

    /// <summary>Outer iteration budget (default 20; POT's <c>fgw_barycenters</c> uses 100).</summary>
    public int MaxIterations { get; init; } = 20;

    /// <summary>Stop when ‖C_{t+1} − C_t‖_F (and ‖X_{t+1} − X_t‖_F for FGW) is at most this (default 1e-7).</summary>
    public double Threshold { get; init; } = 1e-7;

    /// <summary>Seed of the random initial structure (used when no initial C is given): N Gaussian points in 2-D, squared distances divided by their max (POT's initialization).</summary>
    public int Seed { get; init; }

    /// <summary>The GW barycenter of (C_s, p_s) with N points.</summary>
    /// <param name="costs">The input structure matrices C_s as geometries (n_s × n_s).</param>
    /// <param name="weights">The input weights p_s (null entries: uniform).</param>
    /// <param name="size">N, the barycenter's number of points.</param>
    /// <param name="lambdas">The weights λ_s of the inputs (null: uniform 1/S).</param>
    /// <param name="barycenterWeights">p (length N; null: uniform).</param>
    /// <param name="initialCost">C at the start (N × N row-major); null: random (see <see cref="Seed"/>).</param>
    /// <param name="cancellationToken">Stops at the next outer iteration.</param>
    /// <returns>C, the plans, the objective and the convergence report.</returns>
    /// <exception cref="InputValidationException">Inconsistent sizes or weights.</exception>
    public GromovBarycenterResult Solve(
        IReadOnlyList<CostGeometry<double>> costs,
        IReadOnlyList<double[]?>? weights,
        int size,
        IReadOnlyList<double>? lambdas = null,
        double[]? barycenterWeights = null,
        double[]? initialCost = null,
        CancellationToken cancellationToken = default)
        => SolveCore(costs, weights, size, lambdas, barycenterWeights, initialCost, null, null, 1, null, cancellationToken);

    /// <summary>
    /// The FGW barycenter of (C_s, Y_s, p_s) with N points: structure C (N × N) and features X (N × d), objective
    /// Σ_s λ_s [(1 − α)⟨M_s, T_s⟩ + α·GW(C, C_s, T_s)] with M_s = squared Euclidean distances between X and Y_s.
    /// </summary>
    /// <param name="costs">The input structure matrices C_s (n_s × n_s).</param>
    /// <param name="features">The input features Y_s (n_s × d, row-major; one d for all).</param>
    /// <param name="dimension">d.</param>
    /// <param name="weights">The input weights p_s (null entries: uniform).</param>
    /// <param name="size">N.</param>
    /// <param name="alpha">POT's α ∈ [0, 1], the weight of the structure term.</param>
    /// <param name="lambdas">λ_s (null: uniform).</param>
    /// <param name="barycenterWeights">p (null: uniform).</param>
    /// <param name="initialCost">C at the start (null: random, see <see cref="Seed"/>).</param>
    /// <param name="initialFeatures">Unused by the update order of POT (X is first computed from the plans p p_sᵀ) and kept for symmetry; null.</param>
    /// <param name="cancellationToken">Stops at the next outer iteration.</param>
    /// <returns>C, X, the plans, the objective and the convergence report.</returns>
    /// <exception cref="InputValidationException">Inconsistent sizes, weights or α.</exception>
    public GromovBarycenterResult SolveFused(
        IReadOnlyList<CostGeometry<double>> costs,
        IReadOnlyList<double[]> features,
        int dimension,
        IReadOnlyList<double[]?>? weights,
        int size,
        double alpha,
        IReadOnlyList<double>? lambdas = null,
        double[]? barycenterWeights = null,
        double[]? initialCost = null,
        double[]? initialFeatures = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"α must lie in [0, 1] (got {alpha}).", nameof(alpha));
        }

        return SolveCore(costs, weights, size, lambdas, barycenterWeights, initialCost, features, initialFeatures, alpha, dimension, cancellationToken);
    }

    private GromovBarycenterResult SolveCore(
        IReadOnlyList<CostGeometry<double>> costs,
        IReadOnlyList<double[]?>? weights,
        int size,
        IReadOnlyList<double>? lambdas,
        double[]? barycenterWeights,
        double[]? initialCost,
        IReadOnlyList<double[]>? features,
        double[]? initialFeatures,
        double alpha,
        int? dimension,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(costs);
        ArgumentNullException.ThrowIfNull(InnerSolver);
        InnerSolver.Validate();
        if (MaxIterations < 1 || !(Threshold > 0))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Need MaxIterations ≥ 1 and a positive threshold (got {MaxIterations}, {Threshold}).", nameof(costs));
        }

        var s = costs.Count;
        if (s < 1 || size < 1)
        {
            throw new InputValidationException(InputProblem.Empty, $"A barycenter needs at least one input and one point (got {s} inputs, N = {size}).", nameof(costs));
        }

        var lam = lambdas?.ToArray() ?? Enumerable.Repeat(1.0 / s, s).ToArray();
        if (lam.Length != s)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"{lam.Length} weights λ for {s} inputs.", nameof(lambdas));
        }

        var ps = new double[s][];
        for (var k = 0; k < s; k++)
        {
            var ns = costs[k].Rows;
            var w = weights is null || k >= weights.Count ? null : weights[k];
            ps[k] = w ?? Marginals.Uniform<double>(ns);
            Marginals.Validate<double>(ps[k], ns, $"weights[{k}]");
        }

        var p = barycenterWeights ?? Marginals.Uniform<double>(size);
        Marginals.Validate<double>(p, size, nameof(barycenterWeights));
        var n = size;
        var c = initialCost is null ? RandomStructure(n, Seed) : (double[])initialCost.Clone();
        if (c.Length != n * n)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The initial C has {c.Length} entries; N × N = {n * n}.", nameof(initialCost));
        }

        var fused = features is not null;
        var d = dimension ?? 0;
        if (fused)
        {
            if (features!.Count != s || d < 1)
            {
                throw new InputValidationException(InputProblem.DimensionMismatch, $"{features.Count} feature matrices (dimension {d}) for {s} inputs.", nameof(features));
            }

            for (var k = 0; k < s; k++)
            {
                if (features[k].Length != costs[k].Rows * d)
                {
                    throw new InputValidationException(InputProblem.DimensionMismatch, $"Features {k} have {features[k].Length} values; expected {costs[k].Rows} × {d}.", nameof(features));
                }
            }
        }

        _ = initialFeatures;
        var stopwatch = Stopwatch.StartNew();

        // Plans: GW as POT, input first (n_s × N); FGW as POT, barycenter first (N × n_s).
        var plans = new double[s][];
        for (var k = 0; k < s; k++)
        {
            plans[k] = fused ? Outer(p, ps[k]) : [];
        }

        var x = fused ? new double[n * d] : [];
        var trace = new List<double>();
        var status = SolverStatus.MaxIterations;
        var iterations = 0;
        var error = double.NaN;
        for (var t = 0; t < MaxIterations; t++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            double featureChange = 0;
            if (fused)
            {
                var xNew = UpdateFeatures(plans, features!, lam, p, d);
                featureChange = Frobenius(xNew, x);
                x = xNew;
                var cNew = UpdateStructure(plans, costs, lam, p, barycenterFirst: true);
                error = Math.Max(featureChange, Frobenius(cNew, c));
                c = cNew;
                for (var k = 0; k < s; k++)
                {
                    plans[k] = InnerSolver.Solve(FusedProblem(c, costs[k], x, features![k], d, p, ps[k], alpha), cancellationToken: cancellationToken).ToDense();
                }
            }
            else
            {
                for (var k = 0; k < s; k++)
                {
                    plans[k] = InnerSolver.Solve(new QuadraticProblem<double>(costs[k], Dense(c, n), ps[k], p), cancellationToken: cancellationToken).ToDense();
                }

                var cNew = UpdateStructure(plans, costs, lam, p, barycenterFirst: false);
                error = Frobenius(cNew, c);
                c = cNew;
            }

            trace.Add(error);
            iterations = t + 1;
            if (error <= Threshold)
            {
                status = SolverStatus.Converged;
                break;
            }
        }

        // The objective of the final C (and X): one more inner solve per input, unregularized values.
        var values = new double[s];
        double objective = 0;
        for (var k = 0; k < s; k++)
        {
            var problem = fused ? FusedProblem(c, costs[k], x, features![k], d, p, ps[k], alpha) : new QuadraticProblem<double>(costs[k], Dense(c, n), ps[k], p);
            var result = InnerSolver.Solve(problem, cancellationToken: cancellationToken);
            plans[k] = result.ToDense();
            values[k] = result.Cost;
            objective += lam[k] * values[k];
        }

        stopwatch.Stop();
        return new GromovBarycenterResult(
            n,
            c,
            fused ? x : null,
            d,
            plans,
            values,
            objective,
            new Convergence(status, iterations, error, Threshold, trace, stopwatch.Elapsed));
    }

    private static QuadraticProblem<double> FusedProblem(double[] c, CostGeometry<double> cs, double[] x, double[] y, int d, double[] p, double[] ps, double alpha)
    {
        var n = p.Length;
        var ns = ps.Length;
        var m = new double[n * ns];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < ns; j++)
            {
                double sum = 0;
                for (var k = 0; k < d; k++)
                {
                    var t = x[(i * d) + k] - y[(j * d) + k];
                    sum += t * t;
                }

                m[(i * ns) + j] = sum;
            }
        }

        return new QuadraticProblem<double>(Dense(c, n), cs, p, ps, linearGeometry: new DenseGeometry<double>(m, n, ns), alpha: alpha);
    }

    /// <summary>C = Σ_s λ_s T_sᵀ C_s T_s / (p pᵀ) (T_s input-first) or Σ_s λ_s T_s C_s T_sᵀ / (p pᵀ) (barycenter-first).</summary>
    private static double[] UpdateStructure(double[][] plans, IReadOnlyList<CostGeometry<double>> costs, double[] lam, double[] p, bool barycenterFirst)
    {
        var n = p.Length;
        var c = new double[n * n];
        for (var k = 0; k < plans.Length; k++)
        {
            var ns = costs[k].Rows;

            // U = T_s as ns × N (input-first), then W = C_s U (ns × N), then Uᵀ W (N × N).
            var u = barycenterFirst ? Numerics.DenseLinearAlgebra.Transpose<double>(plans[k], n, ns) : plans[k];
            var w = new double[ns * n];
            costs[k].ApplyCost(u, n, Axis.Rows, w);
            for (var i = 0; i < ns; i++)
            {
                for (var a = 0; a < n; a++)
                {
                    var uia = u[(i * n) + a] * lam[k];
                    if (uia == 0)
                    {
                        continue;
                    }

                    var row = c.AsSpan(a * n, n);
                    var wi = w.AsSpan(i * n, n);
                    for (var b = 0; b < n; b++)
                    {
                        row[b] += uia * wi[b];
                    }
                }
            }
        }

        for (var a = 0; a < n; a++)
        {
            for (var b = 0; b < n; b++)
            {
                c[(a * n) + b] /= p[a] * p[b];
            }
        }

        return c;
    }

    /// <summary>X = Σ_s λ_s T_s Y_s / p (T_s barycenter-first, N × n_s).</summary>
    private static double[] UpdateFeatures(double[][] plans, IReadOnlyList<double[]> features, double[] lam, double[] p, int d)
    {
        var n = p.Length;
        var x = new double[n * d];
        for (var k = 0; k < plans.Length; k++)
        {
            var y = features[k];
            var ns = y.Length / d;
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < ns; j++)
                {
                    var t = plans[k][(i * ns) + j] * lam[k];
                    for (var q = 0; q < d; q++)
                    {
                        x[(i * d) + q] += t * y[(j * d) + q];
                    }
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            for (var q = 0; q < d; q++)
            {
                x[(i * d) + q] /= p[i];
            }
        }

        return x;
    }

    private static DenseGeometry<double> Dense(double[] c, int n) => new(c, n, n);

    private static double[] Outer(double[] a, double[] b)
    {
        var r = new double[a.Length * b.Length];
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < b.Length; j++)
            {
                r[(i * b.Length) + j] = a[i] * b[j];
            }
        }

        return r;
    }

    private static double Frobenius(double[] x, double[] y)
    {
        if (x.Length != y.Length)
        {
            return double.PositiveInfinity;
        }

        double s = 0;
        for (var k = 0; k < x.Length; k++)
        {
            var t = x[k] - y[k];
            s += t * t;
        }

        return Math.Sqrt(s);
    }

    private static double[] RandomStructure(int n, int seed)
    {
        var rng = new Random(seed);
        var pts = new double[n * 2];
        for (var k = 0; k < pts.Length; k++)
        {
            var u1 = 1.0 - rng.NextDouble();
            var u2 = rng.NextDouble();
            pts[k] = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        var c = new double[n * n];
        var max = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var dx = pts[2 * i] - pts[2 * j];
                var dy = pts[(2 * i) + 1] - pts[(2 * j) + 1];
                c[(i * n) + j] = (dx * dx) + (dy * dy);
                max = Math.Max(max, c[(i * n) + j]);
            }
        }

        for (var k = 0; k < c.Length; k++)
        {
            c[k] = max > 0 ? c[k] / max : 0;
        }

        return c;
    }
}
