using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Solvers.LowRank;
using Monge.Tools;

namespace Monge;

/// <summary>
/// The small facade over the typed API (in the spirit of POT's <c>ot.solve_sample</c>): solve, match or compare two
/// point clouds with sensible defaults. Every call builds the typed problem and solver it documents and returns the
/// typed result, so anything the facade does not expose is one cast away; the typed API stays the place for tuning.
/// </summary>
/// <remarks>
/// <para>Time and memory, per branch (n source points, m targets, d dimensions):</para>
/// <list type="bullet">
/// <item><description><see cref="Solve"/>, exact (<see cref="NetworkSimplex"/>): the dense n × m cost (n·m doubles);
/// time grows roughly cubically, practical up to a few thousand points.</description></item>
/// <item><description><see cref="Solve"/> with <see cref="OtOptions.Epsilon"/> (<see cref="Sinkhorn"/>): an online
/// point-cloud geometry, O((n + m)·d) memory; O(n·m·d) time per iteration.</description></item>
/// <item><description><see cref="Solve"/> with <see cref="OtOptions.Rank"/> (<see cref="Frlc"/>): factored costs and
/// plan, O((n + m)·(r + d)) memory for the squared Euclidean cost; O((n + m)·r·d) time per iteration.</description></item>
/// <item><description><see cref="Match"/>: exact <see cref="LinearAssignment"/> (dense n × n cost, about cubic time)
/// up to <see cref="AutoExactMaxPoints"/> points, <see cref="HierarchicalRefinement"/> (linear memory,
/// O(n log n) low-rank levels) above.</description></item>
/// <item><description><see cref="Divergence"/>: three Sinkhorn solves on online geometries, O((n + m)·d) memory.</description></item>
/// </list>
/// </remarks>
public static partial class Ot
{
    /// <summary>
    /// Up to this many source points <see cref="Match"/> solves exactly (the assignment solver is fast there and
    /// certified); above it uses Hierarchical Refinement.
    /// </summary>
    public const int AutoExactMaxPoints = 4096;

    /// <summary>
    /// Solves the transport problem between two weighted point clouds, picking the solver from the options:
    /// <see cref="OtOptions.Epsilon"/> set → entropic <see cref="Sinkhorn"/> (balanced, or unbalanced with
    /// <see cref="OtOptions.Relaxation"/>); <see cref="OtOptions.Rank"/> set → low-rank <see cref="Frlc"/>; neither →
    /// exact <see cref="NetworkSimplex"/>.
    /// </summary>
    /// <param name="x">Source points and weights (uniform when absent; normalized to mass one).</param>
    /// <param name="y">Target points and weights (any count m).</param>
    /// <param name="options">The options; <see langword="null"/> for exact OT under the squared Euclidean cost.</param>
    /// <param name="progress">Receives the solver's progress reports.</param>
    /// <param name="cancellationToken">Cancels the solve (the result then has status Cancelled).</param>
    /// <returns>The method name and the typed result behind <see cref="ITransportPlan{T}"/>.</returns>
    /// <exception cref="InputValidationException">Invalid clouds or weights, or an invalid option combination
    /// (<see cref="OtOptions.Epsilon"/> and <see cref="OtOptions.Rank"/> both set; <see cref="OtOptions.Relaxation"/>
    /// without either).</exception>
    public static OtResult Solve(
        PointCloud<double> x,
        PointCloud<double> y,
        OtOptions? options = null,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        options ??= new OtOptions();
        if (options.Epsilon is not null && options.Rank is not null)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"Set either {nameof(OtOptions.Epsilon)} (Sinkhorn) or {nameof(OtOptions.Rank)} (FRLC), not both.",
                nameof(options));
        }

        var relaxed = options.Relaxation is { IsBalanced: false };
        if (relaxed && options.Epsilon is null && options.Rank is null)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"{nameof(OtOptions.Relaxation)} needs {nameof(OtOptions.Epsilon)} (Sinkhorn) or {nameof(OtOptions.Rank)} (FRLC); the exact solver is balanced.",
                nameof(options));
        }

        if (options.Threshold is not null && options.Epsilon is null && options.Rank is null)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"{nameof(OtOptions.Threshold)} applies to Sinkhorn ({nameof(OtOptions.Epsilon)}) and FRLC ({nameof(OtOptions.Rank)}); the exact solver stops at the optimum and has no tolerance.",
                nameof(options));
        }

        var problem = LinearProblem<double>.FromPointClouds(Normalized(x), Normalized(y), options.Cost, options.Relaxation);
        if (options.Epsilon is { } epsilon)
        {
            var sinkhorn = new Sinkhorn { Epsilon = epsilon, Seed = options.Seed };
            sinkhorn = options.MaxIterations is { } iterations ? sinkhorn with { MaxIterations = iterations } : sinkhorn;
            sinkhorn = options.Threshold is { } threshold ? sinkhorn with { Threshold = threshold } : sinkhorn;
            return new OtResult("sinkhorn", sinkhorn.Solve(problem, progress, cancellationToken));
        }

        if (options.Rank is { } rank)
        {
            var frlc = new Frlc { Rank = rank, Seed = options.Seed };
            frlc = options.MaxIterations is { } iterations ? frlc with { MaxIterations = iterations } : frlc;
            frlc = options.Threshold is { } threshold ? frlc with { Threshold = threshold } : frlc;
            return new OtResult("frlc", frlc.Solve(problem, null, progress, cancellationToken));
        }

        var simplex = options.MaxIterations is { } pivots ? new NetworkSimplex { MaxIterations = pivots } : new NetworkSimplex();
        return new OtResult("exact", simplex.Solve(problem, progress, cancellationToken));
    }

    /// <summary>
    /// A one-to-one matching of x onto y: exact <see cref="LinearAssignment"/> (certified optimal) for n ≤
    /// <see cref="AutoExactMaxPoints"/>, <see cref="HierarchicalRefinement"/> (linear memory, near-optimal) above.
    /// </summary>
    /// <param name="x">Source points (n; weights are ignored: every point has mass 1/n).</param>
    /// <param name="y">Target points (n for HiRef; m ≥ n for the exact solver).</param>
    /// <param name="cost">The ground cost; <see langword="null"/> for squared Euclidean.</param>
    /// <param name="seed">Seed of HiRef's randomized low-rank steps.</param>
    /// <param name="progress">Receives the solver's progress reports.</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <returns>The permutation, its mean matched cost, the method and the typed result.</returns>
    /// <exception cref="InputValidationException">Invalid clouds (dimension mismatch, sizes the method does not support).</exception>
    public static MatchResult Match(
        PointCloud<double> x,
        PointCloud<double> y,
        ICostFunction<double>? cost = null,
        int seed = 0,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count <= AutoExactMaxPoints)
        {
            var exact = new LinearAssignment().Solve(x, y, cost, progress, cancellationToken);
            return new MatchResult(exact.RowToColumn, exact.Cost, "exact", exact.Convergence.Converged, exact.Convergence, exact);
        }

        var hiref = new HierarchicalRefinement { Cost = cost, Seed = seed }.Solve(x, y, progress, cancellationToken);
        var convergence = new Convergence(SolverStatus.Converged, hiref.Levels.Count, double.NaN, double.NaN, [], hiref.Elapsed);
        return new MatchResult(hiref.Permutation, hiref.Cost, "hiref", Optimal: false, convergence, hiref);
    }

    /// <summary>
    /// The debiased Sinkhorn divergence S_ε(α, β) = OT_ε(α, β) − ½ OT_ε(α, α) − ½ OT_ε(β, β) (Feydy et al. 2019),
    /// through <see cref="SinkhornDivergence.Compute{T}"/> with the regularized terms.
    /// </summary>
    /// <param name="x">α: points and weights (uniform when absent; normalized to mass one).</param>
    /// <param name="y">β: points and weights (normalized to mass one).</param>
    /// <param name="epsilon">ε (absolute); <see langword="null"/> for <see cref="Sinkhorn"/>'s default 0.05·std(C).</param>
    /// <param name="cost">The ground cost; <see langword="null"/> for squared Euclidean.</param>
    /// <param name="cancellationToken">Cancels the solves.</param>
    /// <returns>The divergence, its three terms, ε and their convergence reports.</returns>
    /// <exception cref="InputValidationException">Dimension mismatch or an invalid ε.</exception>
    public static SinkhornDivergenceResult Divergence(
        PointCloud<double> x,
        PointCloud<double> y,
        double? epsilon = null,
        ICostFunction<double>? cost = null,
        CancellationToken cancellationToken = default) =>
        SinkhornDivergence.Compute(Normalized(x), Normalized(y), new Sinkhorn { Epsilon = epsilon }, cost, DivergenceTerm.Regularized, cancellationToken);

    // The facade's convention: each cloud's weights normalized to mass one (LinearProblem.FromPointClouds keeps them as given).
    private static PointCloud<double> Normalized(PointCloud<double> cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        return cloud.WithWeights(cloud.NormalizedWeights());
    }
}
