using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Quadratic;

namespace Monge.Tools;

/// <summary>How <see cref="SliceAlignment"/> maps the source slice into the target's frame.</summary>
public enum SliceAlignMode
{
    /// <summary>Each source cell goes to its barycentric projection Σ_j P_ij y_j / Σ_j P_ij (a non-rigid warp; moscot's 'warp').</summary>
    Warp,

    /// <summary>One rigid map (rotation or reflection, plus translation) fitted by weighted Procrustes to the warp (moscot's 'affine').</summary>
    Rigid,
}

/// <summary>The result of <see cref="SliceAlignment"/>.</summary>
/// <param name="Transport">The solver's coupling: a <see cref="LowRankGromovResult"/> (frlc, lowrank), a
/// <see cref="GromovWassersteinResult"/> (fgw) or an <see cref="EntropicGromovWassersteinResult{T}"/> (entropic).</param>
/// <param name="Cost">The fused objective (1 − α)·⟨M, P⟩ + α·GW(P), in the units of <paramref name="GromovCost"/>.</param>
/// <param name="GromovCost">The GW term, in the squared units of the coordinates' squared distances (the user's units).</param>
/// <param name="LinearCost">The feature term ⟨M, P⟩ with M the rescaled feature cost (see <paramref name="FeatureScale"/>).</param>
/// <param name="Convergence">The solver's convergence.</param>
/// <param name="Aligned">Source coordinates in the target's frame, n × 2 (row-major).</param>
/// <param name="Fit">The rigid fit of the warp (computed in both modes: it reports rotation, reflection and residual).</param>
/// <param name="FeatureScale">The factor the features were multiplied by so that the feature cost has the spatial cost's scale (1 without features).</param>
public sealed record SliceAlignmentResult(ITransportPlan<double> Transport, double Cost, double GromovCost, double LinearCost, Convergence Convergence, double[] Aligned, ProcrustesFit Fit, double FeatureScale)
{
    /// <summary>The rotation angle of the rigid fit in degrees (after removing a reflection, if any).</summary>
    public double RotationDegrees
    {
        get
        {
            // A = Rot(θ) for a rotation; A = Rot(θ)·diag(−1, 1) (x mirrored first) for a reflection, so Rot(θ) = A·diag(−1, 1).
            var a = Fit.Matrix;
            var (c, s) = Fit.IsReflection ? (-a[0], -a[2]) : (a[0], a[2]);
            return Math.Atan2(s, c) * 180 / Math.PI;
        }
    }
}

/// <summary>
/// Aligns two spatial slices (spatial transcriptomics: PASTE, moscot's AlignmentProblem) with fused
/// Gromov–Wasserstein (low-rank: <see cref="FrlcGromov"/>, <see cref="LowRankGromov"/>; dense n × m plan:
/// <see cref="GromovWasserstein"/>, <see cref="EntropicGromovWasserstein"/>): GW on the squared Euclidean distances within each slice (invariant to rotations, reflections and
/// shifts, so slices in different frames can be compared) fused with the squared Euclidean cost between the cells'
/// feature embeddings (expression PCA), then maps the source cells into the target's frame by the barycentric projection
/// (<see cref="SliceAlignMode.Warp"/>) or a rigid Procrustes fit that allows reflections (<see cref="SliceAlignMode.Rigid"/>).
/// </summary>
/// <remarks>
/// <para>Weighting: the feature embeddings are multiplied by s_C/√s_M (s_C the common mean of the two spatial costs,
/// s_M the mean feature cost) so that, after the solver's default mean scaling, both terms have mean one and α weighs
/// comparable quantities whatever the units (moscot scales each term by its mean too). Reported GW is in the squared
/// units of the coordinates; the linear term in those rescaled units. The dense solvers get the same fused problem:
/// conditional gradient on the costs as they are (its plan does not depend on a common factor); entropic on the costs
/// divided by s_C (spatial) and s_C² (features), as the low-rank solvers see them, so that ε is relative to unit-mean
/// costs; its reported costs are multiplied back by s_C².</para>
/// <para>Time and memory: those of the solver (linear in the number of cells for both factored costs), plus O((n + m)·d)
/// for the maps. The dense solvers keep n × m plans and refuse above <see cref="MaxDensePlanEntries"/>.</para>
/// </remarks>
public static class SliceAlignment
{
    /// <summary>The largest n·m the dense-plan solvers (<see cref="GromovWasserstein"/>, <see cref="EntropicGromovWasserstein"/>) accept here: 2.5·10⁷ entries (200 MB per n × m array; they keep several).</summary>
    public const long MaxDensePlanEntries = 25_000_000;

    /// <summary>Aligns the source slice onto the target slice with conditional-gradient fused GW (see the other overloads).</summary>
    /// <param name="source">Source cell coordinates and weights.</param>
    /// <param name="target">Target cell coordinates.</param>
    /// <param name="sourceFeatures">Source features, or null.</param>
    /// <param name="targetFeatures">Target features, or null.</param>
    /// <param name="alpha">Fusion weight of the spatial GW term.</param>
    /// <param name="solver">The solver.</param>
    /// <param name="mode">Warp or rigid.</param>
    /// <param name="progress">Solver progress.</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <exception cref="InputValidationException">Invalid input, or n·m above <see cref="MaxDensePlanEntries"/> (use <see cref="FrlcGromov"/>).</exception>
    /// <exception cref="OperationCanceledException">The solve was cancelled.</exception>
    public static SliceAlignmentResult Align(PointCloud<double> source, PointCloud<double> target, PointCloud<double>? sourceFeatures, PointCloud<double>? targetFeatures, double alpha, GromovWasserstein solver, SliceAlignMode mode = SliceAlignMode.Warp, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(solver);
        EnsureDense(source, target, "fgw (conditional gradient)");
        return Align(source, target, sourceFeatures, targetFeatures, alpha, mode, unitScale: false, (sx, sy, a, b, linear, w) =>
        {
            var r = solver.Solve(new QuadraticProblem<double>(sx, sy, a, b, linearGeometry: linear, alpha: linear is null ? null : w), null, progress, cancellationToken);
            ThrowIfCancelled(r.Convergence, cancellationToken);
            return new SliceTransport(r, r.Cost, r.GwCost, r.LinearCost, r.Convergence);
        });
    }

    /// <summary>Aligns the source slice onto the target slice with entropic fused GW (see the other overloads).</summary>
    /// <param name="source">Source cell coordinates and weights.</param>
    /// <param name="target">Target cell coordinates.</param>
    /// <param name="sourceFeatures">Source features, or null.</param>
    /// <param name="targetFeatures">Target features, or null.</param>
    /// <param name="alpha">Fusion weight of the spatial GW term.</param>
    /// <param name="solver">The solver; its ε is relative to the unit-mean costs (see the remarks).</param>
    /// <param name="mode">Warp or rigid.</param>
    /// <param name="progress">Solver progress.</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <exception cref="InputValidationException">Invalid input, or n·m above <see cref="MaxDensePlanEntries"/> (use <see cref="FrlcGromov"/>).</exception>
    /// <exception cref="OperationCanceledException">The solve was cancelled.</exception>
    public static SliceAlignmentResult Align(PointCloud<double> source, PointCloud<double> target, PointCloud<double>? sourceFeatures, PointCloud<double>? targetFeatures, double alpha, EntropicGromovWasserstein solver, SliceAlignMode mode = SliceAlignMode.Warp, IProgress<SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(solver);
        EnsureDense(source, target, "entropic");
        return Align(source, target, sourceFeatures, targetFeatures, alpha, mode, unitScale: true, (sx, sy, a, b, linear, w) =>
        {
            var r = solver.Solve(new QuadraticProblem<double>(sx, sy, a, b, linearGeometry: linear, alpha: linear is null ? null : w), null, progress, cancellationToken);
            ThrowIfCancelled(r.Convergence, cancellationToken);
            return new SliceTransport(r, r.Cost, r.GwCost, r.LinearCost, r.Convergence);
        });
    }

    /// <summary>Aligns the source slice onto the target slice.</summary>
    /// <param name="source">Source cell coordinates (n × 2 or n × 3) and weights.</param>
    /// <param name="target">Target cell coordinates (m × same d).</param>
    /// <param name="sourceFeatures">Source features (n × f), or null for pure GW.</param>
    /// <param name="targetFeatures">Target features (m × f), or null.</param>
    /// <param name="alpha">Fusion weight of the spatial GW term (POT's α; 1 = GW only); must be 1 without features.</param>
    /// <param name="solver">The FRLC-GW solver (its options: rank, seed, relaxations are not used here).</param>
    /// <param name="mode">Warp or rigid.</param>
    /// <param name="progress">Solver progress.</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <exception cref="InputValidationException">Shapes disagree, features on one side only, or α &lt; 1 without features.</exception>
    public static SliceAlignmentResult Align(PointCloud<double> source, PointCloud<double> target, PointCloud<double>? sourceFeatures, PointCloud<double>? targetFeatures, double alpha, FrlcGromov solver, SliceAlignMode mode = SliceAlignMode.Warp, IProgress<Solvers.SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(solver);
        return Align(source, target, sourceFeatures, targetFeatures, alpha, mode, unitScale: false, (sx, sy, a, b, linear, w) => SliceTransport.From(solver.Solve(new QuadraticProblem<double>(sx, sy, a, b, linearGeometry: linear, alpha: linear is null ? null : w), progress, cancellationToken)));
    }

    /// <summary>Aligns the source slice onto the target slice with <see cref="LowRankGromov"/> (see the other overload).</summary>
    /// <param name="source">Source cell coordinates and weights.</param>
    /// <param name="target">Target cell coordinates.</param>
    /// <param name="sourceFeatures">Source features, or null.</param>
    /// <param name="targetFeatures">Target features, or null.</param>
    /// <param name="alpha">Fusion weight of the spatial GW term.</param>
    /// <param name="solver">The solver.</param>
    /// <param name="mode">Warp or rigid.</param>
    /// <param name="progress">Solver progress.</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    public static SliceAlignmentResult Align(PointCloud<double> source, PointCloud<double> target, PointCloud<double>? sourceFeatures, PointCloud<double>? targetFeatures, double alpha, LowRankGromov solver, SliceAlignMode mode = SliceAlignMode.Warp, IProgress<Solvers.SolverProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(solver);
        return Align(source, target, sourceFeatures, targetFeatures, alpha, mode, unitScale: false, (sx, sy, a, b, linear, w) => SliceTransport.From(solver.Solve(new QuadraticProblem<double>(sx, sy, a, b, linearGeometry: linear, alpha: linear is null ? null : w), progress, cancellationToken)));
    }

    /// <summary>
    /// Refines the rigid fit of an alignment by trimmed iterative closest points (2-D or 3-D coordinates): starting from
    /// <see cref="SliceAlignmentResult.Fit"/>, every mapped source cell is paired with its nearest target cell, the pairs
    /// beyond the (1 − <paramref name="trim"/>) quantile of the distances are dropped (cells with no counterpart, such as
    /// a missing band), and the rigid map (rotation or reflection, plus translation) is refitted by weighted Procrustes,
    /// until no cell moves by more than 1% of the grid cell. A low-rank coupling places each cell at its co-cluster's
    /// barycentre, so the fit it gives is off by a fraction of the cluster size; the refinement brings it to the scale of
    /// the cell spacing and of the tissue's deformation (measured in docs/align.md). Time O(n + m) per pass (uniform grid,
    /// about two target cells per grid cell), memory O(n + m).
    /// </summary>
    /// <param name="alignment">An alignment of <paramref name="source"/> onto <paramref name="target"/>.</param>
    /// <param name="source">The source cells (as aligned).</param>
    /// <param name="target">The target cells.</param>
    /// <param name="trim">Fraction of the pairs dropped in each pass, in [0, 0.9]; 0.2 by default.</param>
    /// <param name="maxPasses">Most passes, 50 by default.</param>
    /// <param name="cancellationToken">Checked once per pass.</param>
    /// <returns>The alignment with the refined fit, and <see cref="SliceAlignmentResult.Aligned"/> the source cells mapped by it.</returns>
    /// <exception cref="InputValidationException">Coordinates not 2-D or 3-D, or the trim out of range.</exception>
    public static SliceAlignmentResult RefineRigid(SliceAlignmentResult alignment, PointCloud<double> source, PointCloud<double> target, double trim = 0.2, int maxPasses = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alignment);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (!(trim >= 0 && trim <= 0.9))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The trim fraction must be in [0, 0.9] (got {trim}).", nameof(trim));
        }

        if (maxPasses < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"maxPasses must be at least 1 (got {maxPasses}).", nameof(maxPasses));
        }

        var weights = alignment.Transport.SourceMarginal.Select(v => Math.Max(v, 0)).ToArray();
        var (fit, _) = RigidRefinement.Refine(source, target, weights, alignment.Fit, trim, maxPasses, cancellationToken);
        return alignment with { Fit = fit, Aligned = fit.Apply(source.Data) };
    }

    private static SliceAlignmentResult Align(PointCloud<double> source, PointCloud<double> target, PointCloud<double>? sourceFeatures, PointCloud<double>? targetFeatures, double alpha, SliceAlignMode mode, bool unitScale, Func<CostGeometry<double>, CostGeometry<double>, double[], double[], CostGeometry<double>?, double, SliceTransport> solve)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Dimension != target.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Source coordinates have dimension {source.Dimension} but target coordinates {target.Dimension}.", nameof(target));
        }

        if ((sourceFeatures is null) != (targetFeatures is null))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "Give features for both slices or for neither.", nameof(sourceFeatures));
        }

        if (sourceFeatures is not null && (sourceFeatures.Count != source.Count || targetFeatures!.Count != target.Count || sourceFeatures.Dimension != targetFeatures.Dimension))
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Features are {sourceFeatures.Count} × {sourceFeatures.Dimension} and {targetFeatures!.Count} × {targetFeatures.Dimension} for {source.Count} and {target.Count} cells.", nameof(sourceFeatures));
        }

        if (sourceFeatures is null && alpha < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"alpha = {alpha} < 1 fuses a feature cost: give features for both slices, or alpha = 1.", nameof(alpha));
        }

        var sx = GromovGeometry.SquaredEuclidean(source);
        var sy = GromovGeometry.SquaredEuclidean(target);
        CostGeometry<double>? linear = null;
        var featureScale = 1.0;
        var sc = 0.5 * (CostScale.Mean.Resolve(sx) + CostScale.Mean.Resolve(sy));
        if (!(sc > 0) || !double.IsFinite(sc))
        {
            sc = 1;
        }

        // unitScale: the solver sees C/s_C and M/s_C² (coordinates times 1/√s_C, features times 1/s_C), as the
        // low-rank solvers do internally; the costs come back multiplied by s_C².
        var coordinateFactor = unitScale ? 1 / Math.Sqrt(sc) : 1;
        if (unitScale)
        {
            sx = GromovGeometry.SquaredEuclidean(Scale(source, coordinateFactor));
            sy = GromovGeometry.SquaredEuclidean(Scale(target, coordinateFactor));
        }

        if (sourceFeatures is not null && alpha < 1)
        {
            var sm = CostScale.Mean.Resolve(PointCloudGeometry.Create(sourceFeatures, targetFeatures!, default(SquaredEuclidean<double>)));
            featureScale = sc / Math.Sqrt(sm);
            var factor = unitScale ? featureScale / sc : featureScale;
            linear = PointCloudGeometry.Create(Scale(sourceFeatures, factor), Scale(targetFeatures!, factor), default(SquaredEuclidean<double>));
        }

        var a = source.NormalizedWeights();
        var b = target.NormalizedWeights();
        var solved = solve(sx, sy, a, b, linear, linear is null ? 1.0 : alpha);
        var back = unitScale ? sc * sc : 1;
        var result = solved.Plan;

        var d = source.Dimension;
        var carried = result.ApplyPlan(target.Data, d, Axis.Rows);
        var rowMass = result.SourceMarginal;
        var warp = new double[source.Count * d];
        for (var i = 0; i < source.Count; i++)
        {
            for (var k = 0; k < d; k++)
            {
                warp[(i * d) + k] = rowMass[i] > 0 ? carried[(i * d) + k] / rowMass[i] : double.NaN;
            }
        }

        var weights = rowMass.Select(v => Math.Max(v, 0)).ToArray();
        var keep = Enumerable.Range(0, source.Count).Where(i => weights[i] > 0 && double.IsFinite(warp[i * d])).ToArray();
        var fit = Procrustes.Fit(
            keep.SelectMany(i => source.Row(i).ToArray()).ToArray(),
            keep.SelectMany(i => warp.AsSpan(i * d, d).ToArray()).ToArray(),
            d,
            keep.Select(i => weights[i]).ToArray(),
            ProcrustesMode.Rigid);
        var aligned = mode == SliceAlignMode.Rigid ? fit.Apply(source.Data) : warp;
        return new SliceAlignmentResult(result, solved.Cost * back, solved.GromovCost * back, solved.LinearCost * back, solved.Convergence, aligned, fit, featureScale);
    }

    private static void EnsureDense(PointCloud<double> source, PointCloud<double> target, string method)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var entries = (long)source.Count * target.Count;
        if (entries > MaxDensePlanEntries)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"{method} keeps a dense {source.Count} × {target.Count} plan ({entries:N0} entries, above the limit of {MaxDensePlanEntries:N0}); use the low-rank FRLC solver (FrlcGromov; monge align --method frlc) for slices this large.", nameof(source));
        }
    }

    private static void ThrowIfCancelled(Convergence convergence, CancellationToken cancellationToken)
    {
        if (convergence.Status == SolverStatus.Cancelled)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private static PointCloud<double> Scale(PointCloud<double> cloud, double factor)
    {
        var data = cloud.Data.ToArray();
        for (var k = 0; k < data.Length; k++)
        {
            data[k] *= factor;
        }

        return new PointCloud<double>(data, cloud.Count, cloud.Dimension);
    }

    private sealed record SliceTransport(ITransportPlan<double> Plan, double Cost, double GromovCost, double LinearCost, Convergence Convergence)
    {
        public static SliceTransport From(LowRankGromovResult r) => new(r, r.Cost, r.GromovCost, r.LinearCost, r.Convergence);
    }
}
