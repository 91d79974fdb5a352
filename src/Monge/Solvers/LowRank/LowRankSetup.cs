using Monge.Geometry;
using Monge.Problems;

namespace Monge.Solvers.LowRank;

/// <summary>
/// What the low-rank solvers actually solve for a problem: the cost divided by the resolved <see cref="CostScale"/>
/// divisor <see cref="Scale"/>, restricted to the points with positive weight (zero-weight rows and columns carry no
/// mass in any feasible plan; keeping them would put log 0 into the projections). Results are mapped back: factors
/// get zero rows for the dropped points and every cost is multiplied by <see cref="Scale"/> (the user's units).
/// </summary>
internal sealed class LowRankSetup
{
    private readonly int[]? _rows;
    private readonly int[]? _cols;

    private LowRankSetup(LowRankCost cost, double[]? a, double[]? b, double scale, double costMean, int fullRows, int fullCols, int[]? rows, int[]? cols)
    {
        CostMean = costMean;
        Cost = cost;
        A = a;
        B = b;
        Scale = scale;
        FullRows = fullRows;
        FullCols = fullCols;
        _rows = rows;
        _cols = cols;
    }

    /// <summary>The scaled cost on the support.</summary>
    public LowRankCost Cost { get; }

    /// <summary>Source weights on the support (as given; null = uniform).</summary>
    public double[]? A { get; }

    /// <summary>Target weights on the support (as given; null = uniform).</summary>
    public double[]? B { get; }

    /// <summary>The divisor s: the solver sees C / s.</summary>
    public double Scale { get; }

    /// <summary>
    /// c̄, the mean of the cost the solver sees (C / s) over the support: 1 after the default mean scaling, mean C / s
    /// otherwise (computed once in linear memory); 1 where it is not finite and positive, and for the internal
    /// resolved-cost entries. Stopping tests that compare a step with the cost divide by it, so that they do not
    /// depend on the units whatever the scaling.
    /// </summary>
    public double CostMean { get; }

    /// <summary>n of the problem (all points).</summary>
    public int FullRows { get; }

    /// <summary>m of the problem (all points).</summary>
    public int FullCols { get; }

    /// <summary>Whether zero-weight source points were dropped.</summary>
    public bool RowsRestricted => _rows is not null;

    /// <summary>Whether zero-weight target points were dropped.</summary>
    public bool ColsRestricted => _cols is not null;

    /// <summary>
    /// The setup of a problem: weights validated, zero-weight points dropped (the geometry's <c>Subset</c>), the scale
    /// resolved on the remaining costs and applied with <c>WithScaleFactor</c>, the cost resolved (factors when the
    /// geometry has them).
    /// </summary>
    /// <param name="problem">The problem.</param>
    /// <param name="scale">The scaling option.</param>
    /// <param name="withCostMean">Compute <see cref="CostMean"/> when the scale is not the mean (one linear-memory pass).</param>
    public static LowRankSetup FromProblem(LinearProblem<double> problem, CostScale scale, bool withCostMean = false)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var geometry = problem.Geometry;
        double[] a = [.. problem.A];
        double[] b = [.. problem.B];
        var rows = Support(a);
        var cols = Support(b);
        if (rows is not null || cols is not null)
        {
            var allRows = rows ?? Enumerable.Range(0, a.Length).ToArray();
            var allCols = cols ?? Enumerable.Range(0, b.Length).ToArray();
            geometry = geometry.Subset(allRows, allCols);
            a = rows is null ? a : [.. rows.Select(i => a[i])];
            b = cols is null ? b : [.. cols.Select(j => b[j])];
        }

        var s = scale.Resolve(geometry);
        if (s != 1)
        {
            geometry = geometry.WithScaleFactor(geometry.ScaleFactor / s);
        }

        var mean = withCostMean && !scale.Equals(CostScale.Mean) ? MeanOrOne(geometry) : 1.0;
        return new LowRankSetup(LowRankCost.FromGeometry(geometry), a, b, s, double.IsFinite(mean) && mean > 0 ? mean : 1.0, problem.Geometry.Rows, problem.Geometry.Cols, rows, cols);
    }

    private static double MeanOrOne(CostGeometry<double> geometry)
    {
        try
        {
            return CostScale.Mean.Resolve(geometry);
        }
        catch (InputValidationException)
        {
            // A cost whose mean is not finite and positive: the step test keeps the cost's own units (the run's
            // non-finite iterates will report Diverged).
            return 1.0;
        }
    }

    /// <summary>A resolved cost as is (scale 1, no restriction): the internal entries used by tests.</summary>
    public static LowRankSetup FromCost(LowRankCost cost, double[]? a, double[]? b) => new(cost, a, b, 1.0, 1.0, cost.Rows, cost.Cols, null, null);

    /// <summary>Rows of a full-size factor (FullRows × width or FullCols × width) kept on the support.</summary>
    public double[] RestrictSource(double[] factor, int width) => Restrict(factor, width, _rows);

    /// <summary>Rows of a full-size target factor kept on the support.</summary>
    public double[] RestrictTarget(double[] factor, int width) => Restrict(factor, width, _cols);

    /// <summary>The coupling of the full problem: support factors with zero rows for the dropped points.</summary>
    public LowRankCoupling Coupling(double[] q, double[] inner, double[] r, int rank, int latentRank)
        => new(Expand(q, rank, _rows, FullRows), inner, Expand(r, latentRank, _cols, FullCols), FullRows, FullCols, rank, latentRank);

    /// <summary>
    /// The reported status: a NaN or infinite cost, or a plan that lost its mass (Σ P off one by more than 1%: the
    /// model keeps mass one, so this only happens when the iterates underflowed or overflowed), is
    /// <see cref="SolverStatus.Diverged"/> whatever the stopping criterion said; cancelled runs stay cancelled.
    /// </summary>
    public static SolverStatus FinalStatus(SolverStatus status, double cost, double[] rowSums)
    {
        if (status == SolverStatus.Cancelled)
        {
            return status;
        }

        var mass = 0.0;
        foreach (var v in rowSums)
        {
            mass += v;
        }

        return double.IsFinite(cost) && Math.Abs(mass - 1) <= 1e-2 ? status : SolverStatus.Diverged;
    }

    internal static int[]? Support(double[] w)
    {
        var zeros = 0;
        foreach (var v in w)
        {
            zeros += v == 0 ? 1 : 0;
        }

        if (zeros == 0 || zeros == w.Length)
        {
            // All zero: the solver's mass check reports it.
            return null;
        }

        var support = new int[w.Length - zeros];
        var k = 0;
        for (var i = 0; i < w.Length; i++)
        {
            if (w[i] != 0)
            {
                support[k++] = i;
            }
        }

        return support;
    }

    internal static double[] Restrict(double[] factor, int width, int[]? support)
    {
        if (support is null)
        {
            return factor;
        }

        var result = new double[(long)support.Length * width];
        for (var k = 0; k < support.Length; k++)
        {
            factor.AsSpan(support[k] * width, width).CopyTo(result.AsSpan(k * width, width));
        }

        return result;
    }

    internal static double[] Expand(double[] factor, int width, int[]? support, int fullCount)
    {
        if (support is null)
        {
            return factor;
        }

        var result = new double[(long)fullCount * width];
        for (var k = 0; k < support.Length; k++)
        {
            factor.AsSpan(k * width, width).CopyTo(result.AsSpan(support[k] * width, width));
        }

        return result;
    }
}
