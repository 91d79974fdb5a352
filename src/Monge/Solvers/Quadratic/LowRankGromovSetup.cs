using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.LowRank;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// What the low-rank Gromov–Wasserstein solvers actually solve: the intra-space costs C₁, C₂ divided by one common
/// divisor s (so that GW scales by s² and stays comparable between the two spaces), the linear cost M divided by its
/// own divisor s_M, restricted to the points with positive weight, with marginals normalised to mass one. Results are
/// mapped back: factors get zero rows for dropped points and every value is reported in the user's units.
/// </summary>
internal sealed class LowRankGromovSetup
{
    private readonly int[]? _rows;
    private readonly int[]? _cols;

    private LowRankGromovSetup(IntraCostOperator c1, IntraCostOperator c2, CostProducts? linear, double[] a, double[] b, double alpha, double scale, double linearScale, int fullRows, int fullCols, int[]? rows, int[]? cols, PointCloud<double>? sourcePoints, PointCloud<double>? targetPoints)
    {
        SourcePoints = sourcePoints;
        TargetPoints = targetPoints;
        Source = c1;
        Target = c2;
        Linear = linear;
        A = a;
        B = b;
        Alpha = alpha;
        Scale = scale;
        LinearScale = linearScale;
        FullRows = fullRows;
        FullCols = fullCols;
        _rows = rows;
        _cols = cols;
    }

    public IntraCostOperator Source { get; }

    public IntraCostOperator Target { get; }

    public CostProducts? Linear { get; }

    /// <summary>The source points on the support when C₁ is a point cloud's cost with itself (k-means initialisation), else null.</summary>
    public PointCloud<double>? SourcePoints { get; }

    /// <summary>The target points on the support when C₂ is a point cloud's cost with itself, else null.</summary>
    public PointCloud<double>? TargetPoints { get; }

    /// <summary>Source weights on the support, mass one.</summary>
    public double[] A { get; }

    /// <summary>Target weights on the support, mass one.</summary>
    public double[] B { get; }

    public double Alpha { get; }

    /// <summary>Divisor of C₁ and C₂.</summary>
    public double Scale { get; }

    /// <summary>Divisor of M (1 without M).</summary>
    public double LinearScale { get; }

    public int FullRows { get; }

    public int FullCols { get; }

    public int Rows => Source.Size;

    public int Cols => Target.Size;

    public bool RowsRestricted => _rows is not null;

    public bool ColsRestricted => _cols is not null;

    /// <summary>Bytes of the cost representations (factors or dense matrices).</summary>
    public long CostBytes => Source.Bytes + Target.Bytes + (Linear?.Bytes ?? 0);

    /// <summary>
    /// Builds the setup of a quadratic problem. The intra-space divisor is the mean over the two geometries of the
    /// statistic <paramref name="scale"/> asks for (a fixed divisor is used as is); the linear cost gets its own.
    /// </summary>
    public static LowRankGromovSetup Create(CostGeometry<double> sourceCost, CostGeometry<double> targetCost, CostGeometry<double>? linearCost, double alpha, ReadOnlySpan<double> a, ReadOnlySpan<double> b, CostScale scale, bool useFactors = true)
    {
        ArgumentNullException.ThrowIfNull(sourceCost);
        ArgumentNullException.ThrowIfNull(targetCost);
        var n = sourceCost.Rows;
        var m = targetCost.Rows;
        if (!(alpha >= 0 && alpha <= 1))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The fusion weight alpha must be in [0, 1] (got {alpha}).", nameof(alpha));
        }

        if (alpha < 1 && linearCost is null)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"alpha = {alpha} < 1 needs a linear (feature) cost M; pure Gromov–Wasserstein is alpha = 1.", nameof(alpha));
        }

        if (linearCost is not null && (linearCost.Rows != n || linearCost.Cols != m))
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The linear cost is {linearCost.Rows}×{linearCost.Cols} but the intra-space costs need {n}×{m}.", nameof(linearCost));
        }

        double[] aw = a.IsEmpty ? Marginals.Uniform<double>(n) : Marginals.Normalized<double>(a.ToArray(), "a");
        double[] bw = b.IsEmpty ? Marginals.Uniform<double>(m) : Marginals.Normalized<double>(b.ToArray(), "b");
        if (aw.Length != n || bw.Length != m)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Weights have lengths {aw.Length} and {bw.Length} but the costs are {n}×{n} and {m}×{m}.", nameof(a));
        }

        var rows = LowRankSetup.Support(aw);
        var cols = LowRankSetup.Support(bw);
        if (rows is not null)
        {
            sourceCost = sourceCost.Subset(rows, rows);
            aw = [.. rows.Select(i => aw[i])];
        }

        if (cols is not null)
        {
            targetCost = targetCost.Subset(cols, cols);
            bw = [.. cols.Select(j => bw[j])];
        }

        if (linearCost is not null && (rows is not null || cols is not null))
        {
            linearCost = linearCost.Subset(rows ?? Enumerable.Range(0, n).ToArray(), cols ?? Enumerable.Range(0, m).ToArray());
        }

        var s = scale.FixedDivisor ?? 0.5 * (scale.Resolve(sourceCost) + scale.Resolve(targetCost));
        if (!(s > 0) || !double.IsFinite(s))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"The intra-space cost scale is {s}: both costs are zero or not finite; use ScaleCost = CostScale.None or a fixed divisor.", nameof(scale));
        }

        var c1 = IntraCostOperator.FromGeometry(sourceCost, s, "source", useFactors);
        var c2 = IntraCostOperator.FromGeometry(targetCost, s, "target", useFactors);
        CostProducts? linear = null;
        var sm = 1.0;
        if (linearCost is not null && alpha < 1)
        {
            sm = scale.Resolve(linearCost);
            if (!(sm > 0) || !double.IsFinite(sm))
            {
                sm = 1.0;
            }

            var g = sm != 1 ? linearCost.WithScaleFactor(linearCost.ScaleFactor / sm) : linearCost;
            linear = LowRankCost.FromGeometry(g, useFactors).Products;
        }

        return new LowRankGromovSetup(c1, c2, linear, aw, bw, alpha, s, sm, n, m, rows, cols, IntraPoints(sourceCost), IntraPoints(targetCost));
    }

    private static PointCloud<double>? IntraPoints(CostGeometry<double> geometry)
        => geometry is IPointCloudGeometry<double> pc && pc.Source.Count == pc.Target.Count && pc.Source.Data.SequenceEqual(pc.Target.Data) ? pc.Source : null;

    /// <summary>The setup of a <see cref="QuadraticProblem{T}"/> (square loss only).</summary>
    public static LowRankGromovSetup FromProblem(QuadraticProblem<double> problem, CostScale scale, string solver)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (problem.Loss != GromovLoss.Square)
        {
            throw new UnsupportedCostException(solver, $"the {problem.Loss} loss", "the square loss (GromovLoss.Square)");
        }

        return Create(problem.GeometryX, problem.GeometryY, problem.LinearGeometry, problem.Alpha, problem.A, problem.B, scale);
    }

    /// <summary>Rows of a full-size factor kept on the support.</summary>
    public double[] RestrictSource(double[] factor, int width) => LowRankSetup.Restrict(factor, width, _rows);

    /// <summary>Rows of a full-size target factor kept on the support.</summary>
    public double[] RestrictTarget(double[] factor, int width) => LowRankSetup.Restrict(factor, width, _cols);

    /// <summary>The coupling of the full problem.</summary>
    public LowRankCoupling Coupling(double[] q, double[] inner, double[] r, int rank, int latentRank)
        => new(LowRankSetup.Expand(q, rank, _rows, FullRows), inner, LowRankSetup.Expand(r, latentRank, _cols, FullCols), FullRows, FullCols, rank, latentRank);

    /// <summary>A full-length source vector from one on the support (zeros elsewhere).</summary>
    public double[] ExpandSource(double[] v) => LowRankSetup.Expand(v, 1, _rows, FullRows);

    /// <summary>A full-length target vector from one on the support.</summary>
    public double[] ExpandTarget(double[] v) => LowRankSetup.Expand(v, 1, _cols, FullCols);
}
