using System.Diagnostics;
using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;


namespace Monge.Solvers.LowRank;

/// <summary>
/// Low-rank Sinkhorn (LOT; Scetbon, Cuturi and Peyré, ICML 2021, "Low-Rank Sinkhorn Factorization"), with the options
/// and defaults of OTT-JAX's <c>LRSinkhorn</c>: P = Q diag(1/g) Rᵀ with Q ∈ Π(a, g), R ∈ Π(b, g) and g learned;
/// mirror descent with step γ/max(‖∇Q‖∞², ‖∇R‖∞², ‖∇g‖∞²) (Scetbon and Cuturi 2022), each step projected by
/// Dykstra's algorithm onto {Q1 = a, R1 = b, Qᵀ1 = Rᵀ1 = g, g ≥ min entry} (<see cref="EntropicProjection"/>'s coupled
/// mode). Balanced marginals only: a relaxed problem is rejected.
/// </summary>
/// <remarks>
/// <para>Cost per outer iteration: two products with C (C·R and Cᵀ·Q) and O((n+m)·r) per Dykstra iteration; with a
/// factored cost (k columns) O((n+m)·r·(k+L)) time and O((n+m)·(r+k)) memory, never n × m. Costs are read only through
/// the problem's geometry, as in <see cref="Frlc"/> (factors when it has them, else its <c>ApplyCost</c>).</para>
/// <para>Allocations: about 5·(n+m)·r doubles (factors, kernels, products) plus O(n + m + r).</para>
/// <para>Convergence (as OTT): every <see cref="LowRankMirrorDescent.InnerIterations"/> outer iterations the criterion
/// γ⁻² (JS(Q, Q_prev) + JS(R, R_prev) + JS(g, g_prev)) (generalised Jensen–Shannon, c = 1) is compared with
/// <see cref="LowRankMirrorDescent.Threshold"/>; the run stops once it is below the threshold and no longer increasing.</para>
/// <para>Units: the solver works on C / s (<see cref="LowRankMirrorDescent.ScaleCost"/>, the mean cost by default, computed
/// in linear memory over the points with positive weight by <see cref="CostScale.Resolve{T}"/>); <see cref="LowRankSinkhornResult"/>
/// reports every cost in the units of C and s as <see cref="LowRankResult.CostScale"/>.</para>
/// </remarks>
public sealed record LowRankSinkhorn : LowRankMirrorDescent
{
    /// <summary>Creates the solver with OTT-JAX's defaults (threshold 1e-4, see <see cref="LowRankMirrorDescent.Threshold"/>).</summary>
    public LowRankSinkhorn()
        : base(threshold: 1e-4, minIterations: 0, projectionTolerance: 1e-3)
    {
    }

    /// <summary>Rescale γ by the squared sup-norm of the gradients each iteration (OTT default true).</summary>
    public bool GammaRescale { get; init; } = true;

    /// <summary>Entropic regularisation added on top of the low-rank problem (OTT default 0).</summary>
    public double Epsilon { get; init; }

    /// <summary>Initialisation (OTT's default for this solver is random).</summary>
    public LowRankInitialization Initialization { get; init; } = LowRankInitialization.Random;

    /// <summary>Solves the balanced low-rank problem (marginals normalised to mass one).</summary>
    /// <param name="problem">Geometry and marginals; the relaxation must be balanced.</param>
    /// <param name="initialState">Caller-given initial Q, R and g (a warm start); <see langword="null"/> uses <see cref="Initialization"/>.</param>
    /// <param name="progress">One report per outer iteration (stage "lowrank-sinkhorn").</param>
    /// <param name="cancellationToken">Checked once per outer iteration.</param>
    /// <exception cref="InputValidationException">Invalid options, rank, initial state, or a relaxed problem.</exception>
    public LowRankSinkhornResult Solve(LinearProblem<double> problem, LowRankSinkhornInitialState? initialState = null, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (!problem.Relaxation.IsBalanced)
        {
            throw LowRankValidation.Invalid($"Low-rank Sinkhorn solves balanced problems only (got {problem.Relaxation}); use Frlc for relaxed marginals.", nameof(problem));
        }

        ValidateOptions();
        return SolveCost(LowRankSetup.FromProblem(problem, ScaleCost), initialState, progress, cancellationToken);
    }

    /// <summary>Solves the balanced problem between two point clouds (their weights, squared Euclidean cost in exact factors).</summary>
    /// <param name="source">Source points (and weights).</param>
    /// <param name="target">Target points (and weights).</param>
    /// <param name="progress">One report per outer iteration.</param>
    /// <param name="cancellationToken">Checked once per outer iteration.</param>
    public LowRankSinkhornResult Solve(PointCloud<double> source, PointCloud<double> target, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        => Solve(LinearProblem<double>.FromPointClouds(source, target), null, progress, cancellationToken);

    /// <summary>Internal entry on a resolved cost operator (tests; no rescaling).</summary>
    internal LowRankSinkhornResult Solve(LowRankCost cost, double[]? a = null, double[]? b = null, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        => SolveCost(LowRankSetup.FromCost(cost, a, b), null, progress, cancellationToken);

    private LowRankSinkhornResult SolveCost(LowRankSetup setup, LowRankSinkhornInitialState? initialState, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        var cost = setup.Cost;
        var (an, bn) = LowRankValidation.Marginals(cost, setup.A, setup.B, balanced: true);
        ValidateOptions();
        LowRankValidation.Rank(Rank, Math.Min(cost.Rows, cost.Cols), nameof(Rank), setup.RowsRestricted || setup.ColsRestricted ? "min(n, m) over the points with positive weight" : "min(n, m)");
        if (Initialization == LowRankInitialization.KMeans && !cost.HasPoints)
        {
            throw LowRankValidation.Invalid("k-means initialisation needs point coordinates.", nameof(Initialization));
        }

        if (initialState is not null)
        {
            LowRankValidation.Factor(initialState.Q, setup.FullRows, Rank, "Q");
            LowRankValidation.Factor(initialState.R, setup.FullCols, Rank, "R");
            LowRankValidation.Factor(initialState.G, 1, Rank, "G");
            initialState = new LowRankSinkhornInitialState(setup.RestrictSource(initialState.Q, Rank), setup.RestrictTarget(initialState.R, Rank), initialState.G);
        }

        return Run(setup, an, bn, initialState, progress, cancellationToken);
    }

    private void ValidateOptions()
    {
        ValidateMirrorDescent();
        LowRankValidation.NonNegative(Epsilon, nameof(Epsilon));
    }

    private LowRankSinkhornResult Run(LowRankSetup setup, double[] a, double[] b, LowRankSinkhornInitialState? initialState, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var cost = setup.Cost;
        var n = cost.Rows;
        var m = cost.Cols;
        var r = Rank;
        var products = cost.Products;
        var (q, rr, g) = initialState is null
            ? Initialize(cost, a, b)
            : ((double[])initialState.Q.Clone(), (double[])initialState.R.Clone(), (double[])initialState.G.Clone());

        var cr = new double[(long)n * r];
        var ctq = new double[(long)m * r];
        var gradQ = new double[q.Length];
        var gradR = new double[rr.Length];
        var gradG = new double[r];
        var kq = new double[q.Length];
        var kr = new double[rr.Length];
        var costs = new List<double>();
        var errors = new List<double>();
        var status = SolverStatus.MaxIterations;
        var iterations = 0;
        var crossed = false;
        var productCount = 0;
        var lastError = double.NaN;
        for (var it = 0; it < MaxIterations; it++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            products.Apply(rr, r, cr);
            products.ApplyTranspose(q, r, ctq);
            productCount += 2;

            // Gradients (Scetbon et al. 2021, eq. 9): ∇Q = C R diag(1/g), ∇R = Cᵀ Q diag(1/g), ∇g = −diag(QᵀCR)/g².
            var invG = new double[r];
            for (var k = 0; k < r; k++)
            {
                invG[k] = 1.0 / g[k];
            }

            ScaleColumns(cr, n, r, invG, gradQ);
            ScaleColumns(ctq, m, r, invG, gradR);
            var diag = ColumnDot(q, cr, n, r);
            for (var k = 0; k < r; k++)
            {
                gradG[k] = -diag[k] * invG[k] * invG[k];
            }

            if (it % InnerIterations == 0)
            {
                costs.Add(TensorPrimitives.Dot(diag, invG));
            }

            if (Epsilon > 0)
            {
                AddScaledLog(gradQ, q, Epsilon);
                AddScaledLog(gradR, rr, Epsilon);
                AddScaledLog(gradG, g, Epsilon);
            }

            var gamma = Gamma;
            if (GammaRescale)
            {
                var nq = TensorPrimitives.MaxMagnitude<double>(gradQ);
                var nr = TensorPrimitives.MaxMagnitude<double>(gradR);
                var ng = TensorPrimitives.MaxMagnitude<double>(gradG);
                var norm = Math.Max(nq * nq, Math.Max(nr * nr, ng * ng));
                if (norm > 0 && double.IsFinite(norm))
                {
                    gamma = Gamma / norm;
                }
            }

            // Kernels K = X ⊙ exp(−γ∇X), row-stabilised (the row scalings of Dykstra absorb the shift).
            EntropicProjection.MirrorKernel(q, gradQ, gamma, n, r, kq);
            EntropicProjection.MirrorKernel(rr, gradR, gamma, m, r, kr);
            var kg = new double[r];
            for (var k = 0; k < r; k++)
            {
                kg[k] = g[k] * Math.Exp(-gamma * gradG[k]);
            }

            var (qNew, rNew, gNew) = EntropicProjection.Coupled(kq, kr, kg, a, b, new EntropicProjection.CoupledSettings(ProjectionTolerance, ProjectionIterations, MinEntryValue));
            if (!AllFinite(qNew) || !AllFinite(rNew) || !AllFinite(gNew))
            {
                status = SolverStatus.Diverged;
                iterations = it + 1;
                break;
            }

            var criterion = (JensenShannon(qNew, q) + JensenShannon(rNew, rr) + JensenShannon(gNew, g)) / (gamma * gamma);
            q = qNew;
            rr = rNew;
            g = gNew;
            iterations = it + 1;
            lastError = criterion;
            progress?.Report(new SolverProgress("lowrank-sinkhorn", iterations, MaxIterations, criterion));
            if (iterations % InnerIterations == 0)
            {
                errors.Add(criterion);
                if (Stops(errors, iterations, ref crossed))
                {
                    status = SolverStatus.Converged;
                    break;
                }
            }
        }

        var inner = new double[r * r];
        for (var k = 0; k < r; k++)
        {
            inner[(k * r) + k] = 1.0 / g[k];
        }

        var coupling = new LowRankCoupling(q, inner, rr, n, m, r, r);
        var finalCost = coupling.PrimalCost(cost);
        productCount++;
        costs.Add(finalCost);
        var rows = coupling.SourceMarginal();
        var cols = coupling.TargetMarginal();
        status = LowRankSetup.FinalStatus(status, finalCost, rows);
        var convergence = new Convergence(status, iterations, lastError, Threshold, errors, watch.Elapsed);
        var s = setup.Scale;
        return new LowRankSinkhornResult(setup.Coupling(q, inner, rr, r, r), g, finalCost * s, [.. costs.Select(v => v * s)], convergence, DenseLinearAlgebra.L1Distance(rows, a), DenseLinearAlgebra.L1Distance(cols, b), productCount, s);
    }

    private (double[] Q, double[] R, double[] G) Initialize(LowRankCost cost, double[] a, double[] b)
    {
        var n = cost.Rows;
        var m = cost.Cols;
        var r = Rank;
        var rng = new Random(Seed);
        switch (Initialization)
        {
            case LowRankInitialization.Rank2:
                {
                    var g = Problems.Marginals.Uniform<double>(r);
                    var lambda = LowRankInitializer.Rank2Lambda(a, b, g);
                    return (LowRankInitializer.Rank2Factor(a, g, lambda), LowRankInitializer.Rank2Factor(b, g, lambda), g);
                }

            case LowRankInitialization.KMeans:
                {
                    var g = Problems.Marginals.Uniform<double>(r);
                    var (q, _) = LowRankInitializer.KMeansFactor(cost.SourcePoints!, n, cost.Dimension, a, g, rng, 1000);
                    var (rr, _) = LowRankInitializer.KMeansFactor(cost.TargetPoints!, m, cost.Dimension, b, g, rng, 1000);
                    return (q, rr, g);
                }

            default:
                {
                    // OTT RandomInitializer: rows |N(0,1)| normalised to a (resp. b); g = (U + 1)/Σ.
                    var q = RandomRows(rng, a, r);
                    var rr = RandomRows(rng, b, r);
                    var g = new double[r];
                    for (var k = 0; k < r; k++)
                    {
                        g[k] = rng.NextDouble() + 1.0;
                    }

                    var s = g.Sum();
                    for (var k = 0; k < r; k++)
                    {
                        g[k] /= s;
                    }

                    return (q, rr, g);
                }
        }
    }

    private static double[] RandomRows(Random rng, double[] marginal, int r)
    {
        var n = marginal.Length;
        var x = LowRankInitializer.AbsGaussian(rng, (long)n * r);
        for (var i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * r, r);
            var s = TensorPrimitives.Sum<double>(row);
            TensorPrimitives.Multiply(row, s > 0 ? marginal[i] / s : 0.0, row);
        }

        return x;
    }

    private static void ScaleColumns(double[] x, int rows, int r, double[] s, double[] dst)
    {
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Multiply(x.AsSpan(i * r, r), s, dst.AsSpan(i * r, r));
        }
    }

    private static double[] ColumnDot(double[] x, double[] y, int rows, int r)
    {
        var result = new double[r];
        var tmp = new double[r];
        for (var i = 0; i < rows; i++)
        {
            TensorPrimitives.Multiply(x.AsSpan(i * r, r), y.AsSpan(i * r, r), tmp);
            TensorPrimitives.Add(result, tmp, result);
        }

        return result;
    }

    private static void AddScaledLog(double[] grad, double[] x, double eps)
    {
        for (var i = 0; i < grad.Length; i++)
        {
            grad[i] += eps * (x[i] > 0 ? Math.Log(x[i]) : -700);
        }
    }

    // Generalised JS with c = 1: KL(p | m) + KL(q | m), m = (p + q)/2, KL(p|m) = Σ p log(p/m) − p + m.
    private static double JensenShannon(double[] p, double[] q)
    {
        var s = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var mid = 0.5 * (p[i] + q[i]);
            if (p[i] > 0)
            {
                s += (p[i] * Math.Log(p[i] / mid)) - p[i] + mid;
            }
            else
            {
                s += mid;
            }

            if (q[i] > 0)
            {
                s += (q[i] * Math.Log(q[i] / mid)) - q[i] + mid;
            }
            else
            {
                s += mid;
            }
        }

        return s;
    }

    private static bool AllFinite(double[] x)
    {
        foreach (var v in x)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
