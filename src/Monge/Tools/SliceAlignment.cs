using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
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
/// <param name="Transport">The solver's result (coupling, GW and linear terms, convergence).</param>
/// <param name="Aligned">Source coordinates in the target's frame, n × 2 (row-major).</param>
/// <param name="Fit">The rigid fit of the warp (computed in both modes: it reports rotation, reflection and residual).</param>
/// <param name="FeatureScale">The factor the features were multiplied by so that the feature cost has the spatial cost's scale (1 without features).</param>
public sealed record SliceAlignmentResult(LowRankGromovResult Transport, double[] Aligned, ProcrustesFit Fit, double FeatureScale)
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
/// Aligns two spatial slices (spatial transcriptomics: PASTE, moscot's AlignmentProblem) with low-rank fused
/// Gromov–Wasserstein: GW on the squared Euclidean distances within each slice (invariant to rotations, reflections and
/// shifts, so slices in different frames can be compared) fused with the squared Euclidean cost between the cells'
/// feature embeddings (expression PCA), then maps the source cells into the target's frame by the barycentric projection
/// (<see cref="SliceAlignMode.Warp"/>) or a rigid Procrustes fit that allows reflections (<see cref="SliceAlignMode.Rigid"/>).
/// </summary>
/// <remarks>
/// <para>Weighting: the feature embeddings are multiplied by s_C/√s_M (s_C the common mean of the two spatial costs,
/// s_M the mean feature cost) so that, after the solver's default mean scaling, both terms have mean one and α weighs
/// comparable quantities whatever the units (moscot scales each term by its mean too). Reported GW is in the squared
/// units of the coordinates; the linear term in those rescaled units.</para>
/// <para>Time and memory: those of the solver (linear in the number of cells for both factored costs), plus O((n + m)·d)
/// for the maps.</para>
/// </remarks>
public static class SliceAlignment
{
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
        return Align(source, target, sourceFeatures, targetFeatures, alpha, mode, (sx, sy, a, b, linear, w) => solver.Solve(new QuadraticProblem<double>(sx, sy, a, b, linearGeometry: linear, alpha: linear is null ? null : w), progress, cancellationToken));
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
        return Align(source, target, sourceFeatures, targetFeatures, alpha, mode, (sx, sy, a, b, linear, w) => solver.Solve(new QuadraticProblem<double>(sx, sy, a, b, linearGeometry: linear, alpha: linear is null ? null : w), progress, cancellationToken));
    }

    private static SliceAlignmentResult Align(PointCloud<double> source, PointCloud<double> target, PointCloud<double>? sourceFeatures, PointCloud<double>? targetFeatures, double alpha, SliceAlignMode mode, Func<CostGeometry<double>, CostGeometry<double>, double[], double[], CostGeometry<double>?, double, LowRankGromovResult> solve)
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
        if (sourceFeatures is not null && alpha < 1)
        {
            var sc = 0.5 * (CostScale.Mean.Resolve(sx) + CostScale.Mean.Resolve(sy));
            var sm = CostScale.Mean.Resolve(PointCloudGeometry.Create(sourceFeatures, targetFeatures!, default(SquaredEuclidean<double>)));
            featureScale = sc / Math.Sqrt(sm);
            linear = PointCloudGeometry.Create(Scale(sourceFeatures, featureScale), Scale(targetFeatures!, featureScale), default(SquaredEuclidean<double>));
        }

        var a = source.NormalizedWeights();
        var b = target.NormalizedWeights();
        var result = solve(sx, sy, a, b, linear, linear is null ? 1.0 : alpha);

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
        return new SliceAlignmentResult(result, aligned, fit, featureScale);
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
}
