using System.Diagnostics;
using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.LowRank;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// Low-rank Gromov–Wasserstein (Scetbon, Peyré and Cuturi, "Linear-Time Gromov Wasserstein Distances using Low Rank
/// Couplings and Costs", ICML 2022): P = Q diag(1/g) Rᵀ with Q ∈ Π(a, g), R ∈ Π(b, g) and g free, found by mirror
/// descent on (Q, R, g) with the gradient of the fused objective (1 − α)⟨M, P⟩ + α·GW(P) (square loss, POT's
/// convention) taken through factored costs, each step projected by Dykstra's algorithm (the projection of
/// <see cref="LowRankSinkhorn"/>). Balanced marginals only (as OTT-JAX's LRGromovWasserstein and this library's
/// low-rank Sinkhorn); <see cref="FrlcGromov"/> covers the semi-relaxed and unbalanced problems.
/// </summary>
/// <remarks>
/// <para>Gradients: ∇Q = G R diag(1/g), ∇R = Gᵀ Q diag(1/g), ∇g = −diag(Qᵀ G R)/g² with G = ∂F/∂P never formed (see
/// <see cref="FrlcGromov"/>); row-constant terms of ∇Q and ∇R (absorbed by the hard row marginals) are removed before
/// the step γ/max‖∇‖∞ is taken (FRLC's normalisation; Scetbon and Cuturi 2022's γ/max‖∇‖∞², OTT's gamma_rescale, is
/// <see cref="SquaredNormStep"/>: it stalls on GW in our measurements).</para>
/// <para>Time per iteration with factored costs of width k: O((n + m)·r·k + (n + m)·k²) for the gradient plus
/// O((n + m)·r) per Dykstra iteration; memory O((n + m)·(r + k)).</para>
/// <para>Defaults: γ = 10, ε = 0, OTT's criterion checked every 10 iterations (threshold 1e-5, at least 50 iterations), on
/// C₁ and C₂ divided by their common mean and M by its square (<see cref="LowRankMirrorDescent.ScaleCost"/>).</para>
/// </remarks>
public sealed record LowRankGromov : LowRankMirrorDescent
{
    /// <summary>Creates the solver with its defaults (threshold 1e-5, at least 50 iterations, projection tolerance 1e-4).</summary>
    public LowRankGromov()
        : base(threshold: 1e-5, minIterations: 50, projectionTolerance: 1e-4)
    {
    }

    /// <summary>
    /// Step γ/‖∇‖∞² (Scetbon and Cuturi's rescaling for linear costs) when true; γ/‖∇‖∞ (FRLC's normalisation, the
    /// default) when false. On the isometric-cluster test (GW 445 for the independent coupling) the squared rescaling stalls
    /// at 46–47 for γ = 10–100 and 76 for γ = 1, the sup-norm step with γ = 10 reaches 0.05 (docs/align.md).
    /// </summary>
    public bool SquaredNormStep { get; init; }

    /// <summary>γ₀ of the initialisation: the initial factors are random log-kernels projected at ε = 1/γ₀ (larger is sharper).</summary>
    public double InitialSharpness { get; init; } = 10;

    /// <summary>Solves a balanced quadratic problem (GW or fused GW with the square loss; weights normalised to mass one).</summary>
    /// <param name="problem">C₁, C₂, weights, optional M and α; the relaxation must be balanced.</param>
    /// <param name="progress">One report per outer iteration (stage "lowrank-gw").</param>
    /// <param name="cancellationToken">Checked once per outer iteration.</param>
    /// <returns>The factored coupling and the objective in the user's units.</returns>
    /// <exception cref="InputValidationException">Invalid options, ranks, or a relaxed problem (use <see cref="FrlcGromov"/>).</exception>
    /// <exception cref="UnsupportedCostException">The KL loss, or a cost without exact factors above the dense limit.</exception>
    public LowRankGromovResult Solve(QuadraticProblem<double> problem, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ValidateOptions();
        if (!problem.IsBalanced)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "Low-rank GW (Scetbon et al.) solves balanced problems only; use FrlcGromov for semi-relaxed or unbalanced ones.", nameof(problem));
        }

        return Run(LowRankGromovSetup.FromProblem(problem, ScaleCost, "low-rank GW"), progress, cancellationToken);
    }

    /// <summary>Pure GW between two point clouds with squared Euclidean intra-space costs (exact factors).</summary>
    /// <param name="source">Source points and weights.</param>
    /// <param name="target">Target points and weights.</param>
    /// <param name="progress">One report per outer iteration.</param>
    /// <param name="cancellationToken">Checked once per outer iteration.</param>
    public LowRankGromovResult Solve(PointCloud<double> source, PointCloud<double> target, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
        => Solve(QuadraticProblem<double>.FromPointClouds(source, target), progress, cancellationToken);

    internal LowRankGromovResult Run(LowRankGromovSetup setup, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
    {
        ValidateOptions();
        var watch = Stopwatch.StartNew();
        int n = setup.Rows, m = setup.Cols, r = Rank;
        LowRankValidation.Rank(r, Math.Min(n, m), nameof(Rank), "min(n, m) over the points with positive weight");
        var a = setup.A;
        var b = setup.B;
        var objective = new LowRankGromovObjective(setup.Source, setup.Target, setup.Linear, setup.Alpha, r, r, sourceHard: true, targetHard: true);
        var (q, rr, g) = Initialize(a, b);
        var lambda = Diagonal(g);
        objective.Update(q, lambda, rr);
        var s2 = setup.Scale * setup.Scale;
        var trace = new List<double> { objective.Value * s2 };
        var errors = new List<double>();
        var gradQ = new double[q.Length];
        var gradR = new double[rr.Length];
        var gradLatent = new double[r * r];
        var gradG = new double[r];
        var kq = new double[q.Length];
        var kr = new double[rr.Length];
        var status = SolverStatus.MaxIterations;
        var iterations = 0;
        var crossed = false;
        var lastError = double.NaN;
        for (var it = 0; it < MaxIterations; it++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            objective.GradientSource(gradQ);
            objective.GradientTarget(gradR);
            objective.GradientLatent(gradLatent);
            LowRankGromovCore.CentreRows(gradQ, n, r);
            LowRankGromovCore.CentreRows(gradR, m, r);
            for (var k = 0; k < r; k++)
            {
                // ∂F/∂g_k = −(Qᵀ G R)_kk / g_k² (Λ = diag(1/g)).
                gradG[k] = -gradLatent[(k * r) + k] / (g[k] * g[k]);
            }

            // A constant shift of ∇g rescales the kernel of g by a constant, which the projection absorbs (Σ g = 1):
            // centre it so the step is not set by the common part (the marginal terms of the square loss).
            var meanG = TensorPrimitives.Sum<double>(gradG) / r;
            TensorPrimitives.Subtract(gradG, meanG, gradG);
            var norm = Math.Max(Sq(TensorPrimitives.MaxMagnitude<double>(gradQ)), Math.Max(Sq(TensorPrimitives.MaxMagnitude<double>(gradR)), Sq(TensorPrimitives.MaxMagnitude<double>(gradG))));
            if (!SquaredNormStep)
            {
                norm = Math.Sqrt(norm);
            }

            var gamma = norm > 0 && double.IsFinite(norm) ? Gamma / norm : Gamma;
            EntropicProjection.MirrorKernel(q, gradQ, gamma, n, r, kq);
            EntropicProjection.MirrorKernel(rr, gradR, gamma, m, r, kr);
            var kg = new double[r];
            var shift = TensorPrimitives.Min<double>(gradG);
            for (var k = 0; k < r; k++)
            {
                kg[k] = g[k] * Math.Exp(-gamma * (gradG[k] - shift));
            }

            var (qNew, rNew, gNew) = EntropicProjection.Coupled(kq, kr, kg, a, b, new EntropicProjection.CoupledSettings(ProjectionTolerance, ProjectionIterations, MinEntryValue));
            iterations = it + 1;
            if (!TensorPrimitives.IsFiniteAll<double>(qNew) || !TensorPrimitives.IsFiniteAll<double>(rNew) || !TensorPrimitives.IsFiniteAll<double>(gNew))
            {
                status = SolverStatus.Diverged;
                break;
            }

            var criterion = (JensenShannon(qNew, q) + JensenShannon(rNew, rr) + JensenShannon(gNew, g)) / (gamma * gamma);
            (q, rr, g) = (qNew, rNew, gNew);
            lambda = Diagonal(g);
            objective.Update(q, lambda, rr);
            lastError = criterion;
            progress?.Report(new SolverProgress("lowrank-gw", iterations, MaxIterations, criterion));
            if (iterations % InnerIterations == 0)
            {
                trace.Add(objective.Value * s2);
                errors.Add(criterion);
                if (Stops(errors, iterations, ref crossed))
                {
                    status = SolverStatus.Converged;
                    break;
                }
            }
        }

        if (trace.Count == 0 || iterations % InnerIterations != 0)
        {
            trace.Add(objective.Value * s2);
        }

        return LowRankGromovCore.Result(setup, q, lambda, rr, g, r, r, objective.GwValue, objective.LinearValue, trace, status, iterations, lastError, Threshold, errors, watch.Elapsed, objective, Relaxation.Balanced);
    }

    private static double Sq(double x) => x * x;

    private static double[] Diagonal(double[] g)
    {
        var r = g.Length;
        var lambda = new double[r * r];
        for (var k = 0; k < r; k++)
        {
            lambda[(k * r) + k] = g[k] > 0 ? 1.0 / g[k] : 0.0;
        }

        return lambda;
    }

    private (double[] Q, double[] R, double[] G) Initialize(double[] a, double[] b)
    {
        // Random log-kernels projected on Π(a, 1/r) and Π(b, 1/r) at ε = 1/γ₀ (the FRLC initialisation without the mix
        // toward the independent coupling): GW's gradient vanishes in the directions that keep Q ∝ a gᵀ, R ∝ b gᵀ (the
        // independent coupling is a stationary point of the low-rank problem), so the start must be away from it. The
        // |N(0, 1)| rows of OTT's random initialiser stay too close to it and the descent does not leave.
        var (q, rr, _) = LowRankGromovCore.Random(Seed, InitialSharpness, 0.0, 1000, a, b, Rank, Rank);
        return (q, rr, Problems.Marginals.Uniform<double>(Rank));
    }

    private static double JensenShannon(double[] p, double[] q)
    {
        var s = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var mid = 0.5 * (p[i] + q[i]);
            s += (p[i] > 0 ? (p[i] * Math.Log(p[i] / mid)) - p[i] + mid : mid) + (q[i] > 0 ? (q[i] * Math.Log(q[i] / mid)) - q[i] + mid : mid);
        }

        return s;
    }

    private void ValidateOptions()
    {
        ValidateMirrorDescent();
        LowRankValidation.Positive(InitialSharpness, nameof(InitialSharpness));
    }
}
