using System.Numerics;
using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Solvers.LowRank;

/// <summary>
/// How the low-rank solvers (<see cref="Frlc"/>, <see cref="LowRankSinkhorn"/>) see a cost matrix C (n × m) once
/// resolved from the problem's geometry (<see cref="FromGeometry"/>): only through products C·X and Cᵀ·Y with thin
/// blocks X (m × k), Y (n × k). Three forms: dense (n·m values), factored C = A Bᵀ (O((n+m)·k) values; the
/// linear-memory path) and online geometry products (tiles recomputed on the fly, never stored). Internal: the public
/// entry point of the solvers is a <see cref="Problems.LinearProblem{T}"/>; the other factories serve tests.
/// </summary>
internal sealed class LowRankCost
{
    private LowRankCost(CostProducts products, double[]? sourcePoints, double[]? targetPoints, int dimension)
    {
        Products = products;
        SourcePoints = sourcePoints;
        TargetPoints = targetPoints;
        Dimension = dimension;
    }

    /// <summary>Number of rows n (source points).</summary>
    public int Rows => Products.Rows;

    /// <summary>Number of columns m (target points).</summary>
    public int Cols => Products.Cols;

    /// <summary>Bytes held by the cost representation (the dense matrix, the factors or the point clouds).</summary>
    public long Bytes => Products.Bytes;

    /// <summary>Whether point coordinates are attached (needed by the k-means initialisation and barycentres).</summary>
    public bool HasPoints => SourcePoints is not null && TargetPoints is not null;

    internal CostProducts Products { get; }

    internal double[]? SourcePoints { get; }

    internal double[]? TargetPoints { get; }

    internal int Dimension { get; }

    /// <summary>One entry C_ij (O(k) or O(d) time).</summary>
    public double Entry(int i, int j)
    {
        if ((uint)i >= (uint)Rows || (uint)j >= (uint)Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(i), $"Entry ({i}, {j}) is outside {Rows}×{Cols}.");
        }

        return Products.Entry(i, j);
    }

    /// <summary>A dense cost matrix (row-major n × m, taken as is, not copied). Memory n·m·8 bytes.</summary>
    /// <exception cref="InputValidationException">Wrong length, empty, or a non-finite entry.</exception>
    public static LowRankCost Dense(double[] cost, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(cost);
        CheckShape(rows, cols);
        if ((long)rows * cols != cost.Length)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Cost matrix has {cost.Length} entries but {rows}×{cols} needs {(long)rows * cols}.", nameof(cost));
        }

        CheckFinite(cost, nameof(cost), cols);
        return new LowRankCost(new DenseCostProducts(cost, rows, cols), null, null, 0);
    }

    /// <summary>
    /// A factored cost C = A Bᵀ with A (rows of <paramref name="sourceFactor"/>, width k) and B (rows of
    /// <paramref name="targetFactor"/>). With index arrays, C is restricted to those rows of A and B (the problem then
    /// has <c>sourceIndices.Length</c> × <c>targetIndices.Length</c> entries); this is how Hierarchical Refinement
    /// reuses global factors on a block. Factors and index arrays are taken as is, not copied.
    /// </summary>
    /// <param name="sourceFactor">A, row-major, (number of source points) × k.</param>
    /// <param name="targetFactor">B, row-major, (number of target points) × k.</param>
    /// <param name="factorRank">k.</param>
    /// <param name="sourceIndices">Optional subset of rows of A.</param>
    /// <param name="targetIndices">Optional subset of rows of B.</param>
    /// <exception cref="InputValidationException">Shapes, finiteness or indices are invalid.</exception>
    public static LowRankCost Factored(double[] sourceFactor, double[] targetFactor, int factorRank, int[]? sourceIndices = null, int[]? targetIndices = null)
    {
        ArgumentNullException.ThrowIfNull(sourceFactor);
        ArgumentNullException.ThrowIfNull(targetFactor);
        if (factorRank < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Factor rank must be at least 1 (got {factorRank}).", nameof(factorRank));
        }

        if (sourceFactor.Length % factorRank != 0 || targetFactor.Length % factorRank != 0)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Factor lengths {sourceFactor.Length} and {targetFactor.Length} are not multiples of the factor rank {factorRank}.", nameof(factorRank));
        }

        var nAll = sourceFactor.Length / factorRank;
        var mAll = targetFactor.Length / factorRank;
        CheckIndices(sourceIndices, nAll, nameof(sourceIndices));
        CheckIndices(targetIndices, mAll, nameof(targetIndices));
        CheckFinite(sourceFactor, nameof(sourceFactor), factorRank);
        CheckFinite(targetFactor, nameof(targetFactor), factorRank);
        var rows = sourceIndices?.Length ?? nAll;
        var cols = targetIndices?.Length ?? mAll;
        CheckShape(rows, cols);
        return new LowRankCost(new FactoredCostProducts(sourceFactor, targetFactor, factorRank, rows, cols, sourceIndices, targetIndices), null, null, 0);
    }

    /// <summary>
    /// The exact rank-(d+2) factorisation of the squared Euclidean cost, scaled by <paramref name="scale"/>: the
    /// factors of <see cref="PointCloudGeometry{T}.TryGetFactors"/>, A = [‖x̃‖², 1, −2x̃], B = [1, ‖ỹ‖², ỹ] on points
    /// centred by a common shift (better conditioned than raw coordinates), so that (A Bᵀ)_ij = ‖x_i − y_j‖².
    /// Memory (n+m)(d+2)·8 bytes. Point coordinates stay attached (k-means initialisation, barycentres).
    /// </summary>
    public static LowRankCost SquaredEuclideanFactors(PointCloud<double> source, PointCloud<double> target, double scale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        CheckSameDimension(source, target);
        CheckScale(scale);
        return FromGeometry(PointCloudGeometry.Create(source, target, default(SquaredEuclidean<double>), scale));
    }

    /// <summary>
    /// The cost scale·‖x − y‖₂^p (p = 1 or 2) evaluated online in tiles: products cost O(n·m·(d+k)) time and C is never
    /// stored. Memory: the two point clouds plus one m × k accumulator per worker.
    /// </summary>
    /// <exception cref="InputValidationException">p is not 1 or 2, dimensions differ, or the scale is not positive.</exception>
    public static LowRankCost PointClouds(PointCloud<double> source, PointCloud<double> target, int power = 2, double scale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        CheckSameDimension(source, target);
        CheckScale(scale);
        if (power is not (1 or 2))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Only p = 1 (Euclidean) and p = 2 (squared Euclidean) are supported (got {power}).", nameof(power));
        }

        CostGeometry<double> geometry = power == 2
            ? PointCloudGeometry.Create(source, target, default(SquaredEuclidean<double>), scale)
            : PointCloudGeometry.Create(source, target, default(Euclidean<double>), scale);
        return FromGeometry(geometry, useFactors: false);
    }

    /// <summary>
    /// The cost of a <see cref="CostGeometry{T}"/>, read only through its capabilities. A factored geometry
    /// (<see cref="IFactoredGeometry{T}"/>) or one with exact factors (<see cref="CostGeometry{T}.TryGetFactors"/>:
    /// squared Euclidean and dot point clouds) gives the factored path when <paramref name="useFactors"/> is set
    /// (O((n+m)·k) memory, products in O((n+m)·k·r)); a dense geometry (<see cref="CostGeometry{T}.IsDense"/>) gives
    /// dense products on one copy of C (O(n·m·r)); any other geometry (online point clouds, ...) is read through its
    /// <c>ApplyCost</c>. Point coordinates of an <see cref="IPointCloudGeometry{T}"/> stay attached (k-means
    /// initialisation). Float geometries are computed in double inside the solver.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="geometry">The geometry.</param>
    /// <param name="useFactors">Use exact factors when the geometry has them.</param>
    public static LowRankCost FromGeometry<T>(CostGeometry<T> geometry, bool useFactors = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(geometry);
        double[]? xs = null;
        double[]? ys = null;
        var d = 0;
        long bytes = 0;
        if (geometry is IPointCloudGeometry<T> pc)
        {
            xs = ToDouble(pc.Source.Data);
            ys = ToDouble(pc.Target.Data);
            d = pc.Source.Dimension;
            bytes = ((long)xs.Length + ys.Length) * sizeof(double);
        }
        else if (geometry.IsDense)
        {
            bytes = (long)geometry.Rows * geometry.Cols * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        }

        LowRankFactors<T>? factors = null;
        if (useFactors)
        {
            if (geometry is IFactoredGeometry<T> factored)
            {
                factors = factored.Factors;
            }
            else if (geometry.TryGetFactors(out var exact))
            {
                factors = exact;
            }
        }

        if (factors is not null)
        {
            var a = ToDouble(factors.A);
            var b = ToDouble(factors.B);
            var products = new FactoredCostProducts(a, b, factors.Rank, geometry.Rows, geometry.Cols, null, null);
            return new LowRankCost(products, xs, ys, d);
        }

        if (geometry.IsDense)
        {
            // Dense geometry: one double copy of C (scale applied), then dense products O(n·m·r).
            var dense = typeof(T) == typeof(double) ? (double[])(object)geometry.ToDense(long.MaxValue) : ToDouble<T>(geometry.ToDense(long.MaxValue));
            return new LowRankCost(new DenseCostProducts(dense, geometry.Rows, geometry.Cols), xs, ys, d);
        }

        return new LowRankCost(new GeometryCostProducts<T>(geometry, bytes), xs, ys, d);
    }

    private static double[] ToDouble<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = double.CreateTruncating(values[i]);
        }

        return result;
    }

    /// <summary>The largest entry of C, computed exactly in O(n·m·k) time and O(1) extra memory (for "divide by max").</summary>
    public double MaxEntry()
    {
        var max = double.NegativeInfinity;
        var sync = new object();
        Parallel.For(0, Rows, () => double.NegativeInfinity, (i, _, local) =>
        {
            for (var j = 0; j < Cols; j++)
            {
                local = Math.Max(local, Products.Entry(i, j));
            }

            return local;
        }, local =>
        {
            lock (sync)
            {
                max = Math.Max(max, local);
            }
        });
        return max;
    }

    private static void CheckShape(int rows, int cols)
    {
        if (rows < 1 || cols < 1)
        {
            throw new InputValidationException(InputProblem.Empty, $"A cost needs at least one row and one column (got {rows}×{cols}).", nameof(rows));
        }
    }

    private static void CheckScale(double scale)
    {
        if (!(scale > 0) || !double.IsFinite(scale))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Cost scale must be positive and finite (got {scale}).", nameof(scale));
        }
    }

    private static void CheckSameDimension(PointCloud<double> source, PointCloud<double> target)
    {
        if (source.Dimension != target.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"Source has dimension {source.Dimension} but target has {target.Dimension}.", nameof(target));
        }
    }

    private static void CheckFinite(double[] values, string name, int rowLength)
    {
        for (var k = 0; k < values.Length; k++)
        {
            if (!double.IsFinite(values[k]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"'{name}' has a non-finite value ({values[k]}) at row {k / rowLength}, column {k % rowLength}.", name, k / rowLength);
            }
        }
    }

    private static void CheckIndices(int[]? indices, int count, string name)
    {
        if (indices is null)
        {
            return;
        }

        if (indices.Length == 0)
        {
            throw new InputValidationException(InputProblem.Empty, $"'{name}' is empty.", name);
        }

        for (var k = 0; k < indices.Length; k++)
        {
            if ((uint)indices[k] >= (uint)count)
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"'{name}' has index {indices[k]} at position {k}, outside 0..{count - 1}.", name, k);
            }
        }
    }
}
