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
/// between X and Y_s), in POT's convention (no ½, no root). The inner solver is chosen by <see cref="Inner"/>: the
/// conditional gradient (<see cref="ConditionalGradient"/>, the default, as POT's <c>gromov_barycenters</c> and
/// <c>fgw_barycenters</c>, which call <c>gromov_wasserstein</c> / <c>fused_gromov_wasserstein</c> from p_s pᵀ with
/// <c>stopThr=1e-5</c>) or entropic GW (<see cref="Entropic"/>, as POT's <c>entropic_gromov_barycenters</c>). Both use
/// the same updates and the same stopping rule: the Frobenius norm of the change of C (and, for FGW, the max with the
/// change of X) at most <see cref="Threshold"/>, as POT's <c>tol</c> (POT's GW barycenter tests it only every tenth
/// iteration; this one every iteration). Every inner solve starts from p_s pᵀ (no warm start), as POT. The reported
/// <see cref="GromovBarycenterResult.Objective"/> is the unregularized value of the plans for the final C (one more
/// inner solve per input after the loop, as POT's value would be measured).
/// </para>
/// <para>
/// The FGW update order is POT's: X and C are first computed from the plans p pᵀ (so the initial C and X only enter
/// the first change), then the plans are solved for the new (C, X).
/// </para>
/// <para>
/// Time per outer iteration: S inner solves on n_s × N problems plus O(Σ_s n_s²·N + n_s·N²) for the update. Memory:
/// the S dense plans, the inputs' costs and a few N × N and N × n_s arrays per inner solve.
/// </para>
/// </remarks>
public sealed record GromovBarycenter
{
    /// <summary>Which inner solver is used (default <see cref="GromovBarycenterInnerSolver.ConditionalGradient"/>, as POT).</summary>
    public GromovBarycenterInnerSolver Inner { get; init; } = GromovBarycenterInnerSolver.ConditionalGradient;

    /// <summary>
    /// The conditional-gradient inner solver (used when <see cref="Inner"/> is
    /// <see cref="GromovBarycenterInnerSolver.ConditionalGradient"/>). Default as POT's barycenters call it: at most 100
    /// steps (POT passes the outer <c>max_iter</c>, 100 in <c>fgw_barycenters</c>), relative tolerance 1e-5
    /// (<c>stopThr</c>), absolute 1e-9.
    /// </summary>
    public GromovWasserstein ConditionalGradient { get; init; } = new()
    {
        MaxIterations = 100,
        RelativeTolerance = 1e-5,
        AbsoluteTolerance = 1e-9,
    };

    /// <summary>
    /// The entropic inner solver (used when <see cref="Inner"/> is <see cref="GromovBarycenterInnerSolver.Entropic"/>;
    /// default: mirror descent at ε = 2·10⁻³ reached from 50 ε by halving per outer step, residual threshold 10⁻⁶,
    /// Sinkhorn to 10⁻⁸): nearly sharp plans at a moderate cost. Scale ε with the costs (the default suits costs of
    /// order one, such as distance matrices divided by their max).
    /// </summary>
    public EntropicGromovWasserstein Entropic { get; init; } = new()
    {
        Epsilon = 2e-3,
        EpsilonSchedule = new Monge.Solvers.Entropic.EpsilonScaling(50, 0.5),
        Threshold = 1e-6,
        MaxIterations = 300,
        LinearSolver = new Monge.Solvers.Entropic.Sinkhorn { Threshold = 1e-8, MaxIterations = 20_000 },
    };

    /// <summary>Outer iteration budget (default 100, as POT's <c>fgw_barycenters</c>; POT's <c>gromov_barycenters</c> uses 1000).</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stop when ‖C_{t+1} − C_t‖_F (and ‖X_{t+1} − X_t‖_F for FGW) is at most this (default 1e-9, POT's <c>tol</c>).</summary>
    public double Threshold { get; init; } = 1e-9;

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
        => SolveCore(costs, weights, size, lambdas, barycenterWeights, initialCost, null, null, 1, null, false, false, cancellationToken);

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
    /// <param name="initialFeatures">X at the start (N × d; null: zeros). With free features it only enters the first change of X, as in POT (X is first computed from the plans p p_sᵀ); required with <paramref name="fixedFeatures"/>.</param>
    /// <param name="fixedStructure">Keep C at <paramref name="initialCost"/> (POT's <c>fixed_structure</c>).</param>
    /// <param name="fixedFeatures">Keep X at <paramref name="initialFeatures"/> (POT's <c>fixed_features</c>).</param>
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
        bool fixedStructure = false,
        bool fixedFeatures = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"α must lie in [0, 1] (got {alpha}).", nameof(alpha));
        }

        if ((fixedStructure && initialCost is null) || (fixedFeatures && initialFeatures is null))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "A fixed structure needs an initial C and fixed features need initial features.", fixedStructure && initialCost is null ? nameof(initialCost) : nameof(initialFeatures));
        }

        return SolveCore(costs, weights, size, lambdas, barycenterWeights, initialCost, features, initialFeatures, alpha, dimension, fixedStructure, fixedFeatures, cancellationToken);
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
        bool fixedStructure,
        bool fixedFeatures,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(costs);
        ValidateInner();
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

        if (fused && initialFeatures is not null && initialFeatures.Length != n * d)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The initial features have {initialFeatures.Length} values; N × d = {n * d}.", nameof(initialFeatures));
        }

        var stopwatch = Stopwatch.StartNew();

        // Plans: GW as POT, input first (n_s × N); FGW as POT, barycenter first (N × n_s).
        var plans = new double[s][];
        for (var k = 0; k < s; k++)
        {
            plans[k] = fused ? Outer(p, ps[k]) : [];
        }

        var x = !fused ? [] : initialFeatures is null ? new double[n * d] : (double[])initialFeatures.Clone();
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
                var xNew = fixedFeatures ? x : UpdateFeatures(plans, features!, lam, p, d);
                featureChange = Frobenius(xNew, x);
                x = xNew;
                var cNew = fixedStructure ? c : UpdateStructure(plans, costs, lam, p, barycenterFirst: true);
                error = Math.Max(featureChange, Frobenius(cNew, c));
                c = cNew;
                for (var k = 0; k < s; k++)
                {
                    plans[k] = InnerSolve(FusedProblem(c, costs[k], x, features![k], d, p, ps[k], alpha), cancellationToken).Plan;
                }
            }
            else
            {
                for (var k = 0; k < s; k++)
                {
                    plans[k] = InnerSolve(new QuadraticProblem<double>(costs[k], Dense(c, n), ps[k], p), cancellationToken).Plan;
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
            (plans[k], values[k]) = InnerSolve(problem, cancellationToken);
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

    private void ValidateInner()
    {
        switch (Inner)
        {
            case GromovBarycenterInnerSolver.ConditionalGradient:
                ArgumentNullException.ThrowIfNull(ConditionalGradient);
                if (ConditionalGradient.MaxIterations < 1 || !(ConditionalGradient.RelativeTolerance >= 0) || !(ConditionalGradient.AbsoluteTolerance >= 0))
                {
                    throw new InputValidationException(InputProblem.InvalidParameter, "The conditional-gradient inner solver needs MaxIterations ≥ 1 and non-negative tolerances.", nameof(ConditionalGradient));
                }

                break;
            case GromovBarycenterInnerSolver.Entropic:
                ArgumentNullException.ThrowIfNull(Entropic);
                Entropic.Validate();
                break;
            default:
                throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown inner solver {Inner}.", nameof(Inner));
        }
    }

    /// <summary>One inner solve from p_s pᵀ: the dense plan and its unregularized (F)GW value.</summary>
    private (double[] Plan, double Value) InnerSolve(QuadraticProblem<double> problem, CancellationToken cancellationToken)
    {
        if (Inner == GromovBarycenterInnerSolver.Entropic)
        {
            var e = Entropic.Solve(problem, cancellationToken: cancellationToken);
            return (e.ToDense(), e.Cost);
        }

        var r = ConditionalGradient.Solve(problem, cancellationToken: cancellationToken);
        return (r.ToDense(), r.Cost);
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

/// <summary>The inner (F)GW solver of <see cref="GromovBarycenter"/>.</summary>
public enum GromovBarycenterInnerSolver
{
    /// <summary>Conditional gradient (<see cref="GromovWasserstein"/>), as POT's <c>gromov_barycenters</c> and <c>fgw_barycenters</c>.</summary>
    ConditionalGradient,

    /// <summary>Entropic GW (<see cref="EntropicGromovWasserstein"/>), as POT's <c>entropic_gromov_barycenters</c>.</summary>
    Entropic,
}
