using System.Numerics;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;

namespace Monge.Tools;

/// <summary>
/// The debiased Sinkhorn divergence S_ε(α, β) = OT_ε(α, β) − ½ OT_ε(α, α) − ½ OT_ε(β, β) (Genevay et al. 2018;
/// Feydy et al. 2019), OTT-JAX <c>sinkhorn_divergence</c> and POT <c>empirical_sinkhorn_divergence</c>.
/// </summary>
/// <remarks>
/// <para>What the three problems share: ε is resolved once on the cross geometry (OTT's <c>share_epsilon</c>; one
/// O(n·m) statistics pass only when ε is relative); the self geometries (α, α) and (β, β) keep a single centered copy
/// of their cloud for both sides; the symmetric problems solve the averaged fixed point f ← ½(f + softmin_ε(f))
/// (OTT's <c>symmetric_sinkhorn</c>, GeomLoss), which needs one soft-min per iteration instead of two, starts from
/// f = softmin_ε(0) and converges in a few iterations; and the three solves run concurrently (each soft-min is itself
/// parallel over row tiles, so this mainly helps small and mid-size problems). The self problems are not warm-started
/// from the cross potentials: their unregularized potential is the constant 0 (the identity plan), which
/// softmin_ε(0) approximates far better than the potential of the cross problem does.</para>
/// <para>Time: one Sinkhorn solve plus a few soft-mins on each self problem; memory O((n + m)·d) (all point-cloud
/// geometries are online).</para>
/// </remarks>
public static class SinkhornDivergence
{
    /// <summary>Computes the divergence between two weighted point clouds.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="source">α: points and weights (uniform when absent).</param>
    /// <param name="target">β: points and weights, used as given (a total mass different from α's throws <see cref="InputProblem.MassMismatch"/>).</param>
    /// <param name="options">Sinkhorn options for all three problems (ε is resolved on the cross problem; the initializer, ε-scaling and accelerations apply to the cross problem).</param>
    /// <param name="cost">The ground cost (default squared Euclidean).</param>
    /// <param name="term">Which value of each OT problem enters the formula.</param>
    /// <param name="cancellationToken">Cancels the solves.</param>
    /// <returns>The divergence, its three terms and their convergence reports.</returns>
    /// <exception cref="InputValidationException">Dimension mismatch or invalid options.</exception>
    public static SinkhornDivergenceResult Compute<T>(
        PointCloud<T> source,
        PointCloud<T> target,
        Sinkhorn? options = null,
        ICostFunction<T>? cost = null,
        DivergenceTerm term = DivergenceTerm.Regularized,
        CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new Sinkhorn();
        options.Validate();
        var cross = LinearProblem<T>.FromPointClouds(source, target, cost);
        var eps = options.ResolveEpsilon(cross.Geometry);
        var shared = options with { Epsilon = eps, EpsilonRelativeTo = EpsilonReference.Absolute };
        var selfSource = LinearProblem<T>.FromPointClouds(source, source, cost);
        var selfTarget = LinearProblem<T>.FromPointClouds(target, target, cost);
        SinkhornResult<T>? ab = null, aa = null, bb = null;
        try
        {
            Parallel.Invoke(
                () => ab = shared.Solve(cross, null, cancellationToken),
                () => aa = SolveSymmetric(shared, selfSource, cancellationToken),
                () => bb = SolveSymmetric(shared, selfTarget, cancellationToken));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Keep the typed exceptions of the solves (InputValidationException, ...).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        double Value(SinkhornResult<T> o) => term == DivergenceTerm.Regularized ? o.RegularizedCost : o.Cost;
        var vab = Value(ab!);
        var vaa = Value(aa!);
        var vbb = Value(bb!);
        return new SinkhornDivergenceResult(vab - (0.5 * (vaa + vbb)), vab, vaa, vbb, eps, ab!.Converged && aa!.Converged && bb!.Converged)
        {
            CrossConvergence = ab.Convergence,
            SourceConvergence = aa!.Convergence,
            TargetConvergence = bb!.Convergence,
        };
    }

    /// <summary>
    /// Solves OT_ε(α, α) by the averaged symmetric iteration f ← ½(f + T(f)), T(f) = softmin_ε(f) (+ ε log a under the
    /// plain-entropy convention), starting from f = T(0) unless <paramref name="initial"/> is given. One soft-min per
    /// iteration; the marginal error of the current symmetric plan reuses it. The steps are Sinkhorn's own
    /// (<see cref="Sinkhorn"/>'s symmetric soft-min, update and marginal-error check); only the schedule is this one.
    /// </summary>
    internal static SinkhornResult<T> SolveSymmetric<T>(Sinkhorn options, LinearProblem<T> problem, CancellationToken cancellationToken, ReadOnlySpan<T> initial = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var n = problem.Geometry.Rows;
        var eps = options.Epsilon!.Value;
        var epsT = T.CreateTruncating(eps);
        var state = new SinkhornState<T>(problem, options.Convention, eps);
        var f = state.F;
        var soft = new T[n];
        var update = new T[n];
        var diff = new double[n];
        var errors = new List<double>();
        var status = SolverStatus.MaxIterations;
        var error = double.NaN;
        if (initial.IsEmpty)
        {
            // f = T(0): one plain update from the zero potential.
            Sinkhorn.SymmetricSoftMin<T>(state, epsT, soft);
            Sinkhorn.UpdateF<T>(state, soft, epsT, 1, default);
        }
        else
        {
            initial.CopyTo(f);
        }

        var iteration = 0;
        for (; iteration < options.MaxIterations; iteration++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            Sinkhorn.SymmetricSoftMin<T>(state, epsT, soft);
            error = Sinkhorn.SymmetricError<T>(state, soft, epsT, options.Norm, diff);
            errors.Add(error);
            if (!double.IsFinite(error))
            {
                status = SolverStatus.Diverged;
                break;
            }

            if (error <= options.Threshold)
            {
                status = SolverStatus.Converged;
                break;
            }

            Sinkhorn.SymmetricUpdate<T>(state, soft, epsT, update);
        }

        var convergence = new Convergence(status, iteration, error, options.Threshold, errors, stopwatch.Elapsed);
        return new SinkhornResult<T>(problem, options.Convention, eps, f, (T[])f.Clone(), convergence);
    }
}
