using System.Globalization;
using Monge.Cli.Infrastructure;
using Monge.Geometry;
using Monge.Problems;

namespace Monge.Cli.Commands.Gw;

/// <summary>
/// The input options of <c>monge gw</c> and how they become a <see cref="QuadraticProblem{T}"/>: each side is either a
/// point cloud (its intra-space cost computed with <c>--cost</c>, online) or a precomputed square matrix; weights as
/// given (or normalized); an optional fused term from features or a cross-cost matrix with POT's α.
/// </summary>
/// <param name="Source">--source points, or null.</param>
/// <param name="Target">--target points, or null.</param>
/// <param name="SourceCost">--source-cost matrix, or null.</param>
/// <param name="TargetCost">--target-cost matrix, or null.</param>
/// <param name="SourceWeights">--source-weights, or null.</param>
/// <param name="TargetWeights">--target-weights, or null.</param>
/// <param name="Normalize">--normalize-weights.</param>
/// <param name="Cost">--cost when given on the command line, else null (the default squared Euclidean).</param>
/// <param name="Loss">--loss.</param>
/// <param name="SourceFeatures">--source-features, or null.</param>
/// <param name="TargetFeatures">--target-features, or null.</param>
/// <param name="LinearCost">--linear-cost, or null.</param>
/// <param name="Alpha">--alpha, or null.</param>
public sealed record GwInputs(
    string? Source,
    string? Target,
    string? SourceCost,
    string? TargetCost,
    string? SourceWeights,
    string? TargetWeights,
    bool Normalize,
    string? Cost,
    GromovLoss Loss,
    string? SourceFeatures,
    string? TargetFeatures,
    string? LinearCost,
    double? Alpha)
{
    /// <summary>The intra-space cost's name for the summary ("matrix" when both sides are matrices).</summary>
    public string CostName => Source is null && Target is null ? "matrix" : CostOptions.Parse(Cost).Name;

    /// <summary>Checks the combination of options, loads the files and builds the problem.</summary>
    /// <param name="relaxation">The method's relaxation, or null for balanced.</param>
    /// <returns>The problem.</returns>
    /// <exception cref="UsageException">A missing or conflicting option, shapes that do not match, or unequal masses.</exception>
    public QuadraticProblem<double> Build(Relaxation? relaxation)
    {
        CheckSide(Source, SourceCost, "--source", "--source-cost");
        CheckSide(Target, TargetCost, "--target", "--target-cost");
        if (Cost is not null && Source is null && Target is null)
        {
            throw new UsageException("--cost applies to point clouds (--source/--target); the intra-space costs here are the matrices of --source-cost/--target-cost.");
        }

        if ((SourceFeatures is null) != (TargetFeatures is null))
        {
            throw new UsageException("--source-features and --target-features go together.");
        }

        if (SourceFeatures is not null && LinearCost is not null)
        {
            throw new UsageException("Give either --source-features/--target-features or --linear-cost, not both.");
        }

        var fused = SourceFeatures is not null || LinearCost is not null;
        if (Alpha is not null && !fused)
        {
            throw new UsageException("--alpha weighs a fused problem: give --source-features/--target-features or --linear-cost.");
        }

        if (Alpha is { } a && !(a >= 0 && a <= 1))
        {
            throw new UsageException($"--alpha must lie in [0, 1] (got {a.ToString(CultureInfo.InvariantCulture)}).");
        }

        var costFunction = CostOptions.Parse(Cost);
        var (geometryX, weightsX) = Side(Source, SourceCost, SourceWeights, "source", costFunction);
        var (geometryY, weightsY) = Side(Target, TargetCost, TargetWeights, "target", costFunction);
        var n = geometryX.Rows;
        var m = geometryY.Rows;
        if (Normalize)
        {
            weightsX = Marginals.Normalized<double>(weightsX, "source weights");
            weightsY = Marginals.Normalized<double>(weightsY, "target weights");
        }

        var massX = weightsX.Sum();
        var massY = weightsY.Sum();
        if ((relaxation is null || relaxation.IsBalanced) && !WeightOptions.SameMass(massX, massY))
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"The source weights sum to {massX:G6} and the target weights to {massY:G6}; a balanced problem needs equal masses (pass {WeightOptions.NormalizeName} to rescale both to one)."));
        }

        CostGeometry<double>? linear = null;
        if (SourceFeatures is not null)
        {
            var fx = DataFiles.LoadPoints(SourceFeatures, null, DataLoadOptions.Default, "source features").Cloud;
            var fy = DataFiles.LoadPoints(TargetFeatures!, null, DataLoadOptions.Default, "target features").Cloud;
            if (fx.Count != n || fy.Count != m)
            {
                throw new UsageException($"--source-features has {fx.Count} rows and --target-features {fy.Count}; the problem is {n} × {m}.");
            }

            if (fx.Dimension != fy.Dimension)
            {
                throw new UsageException($"--source-features has {fx.Dimension} columns but --target-features has {fy.Dimension}.");
            }

            linear = new PointCloudGeometry<double>(fx, fy);
        }
        else if (LinearCost is not null)
        {
            linear = Matrix(LinearCost, "--linear-cost", n, m);
        }

        return new QuadraticProblem<double>(geometryX, geometryY, weightsX, weightsY, Loss, linear, fused ? Alpha ?? 0.5 : null, relaxation);
    }

    private static void CheckSide(string? points, string? matrix, string pointsFlag, string matrixFlag)
    {
        if ((points is null) == (matrix is null))
        {
            throw new UsageException(points is null ? $"Give {pointsFlag} (points) or {matrixFlag} (a cost matrix)." : $"Give {pointsFlag} or {matrixFlag}, not both.");
        }
    }

    private static (CostGeometry<double> Geometry, double[] Weights) Side(string? points, string? matrix, string? weights, string role, Geometry.Costs.ICostFunction<double> cost)
    {
        if (points is not null)
        {
            var cloud = DataFiles.LoadPoints(points, weights, DataLoadOptions.Default, role).Cloud;
            var w = cloud.HasWeights ? cloud.Weights.ToArray() : Marginals.Uniform<double>(cloud.Count);
            return (new PointCloudGeometry<double>(cloud, cloud, cost), w);
        }

        var c = Matrix(matrix!, $"--{role}-cost", -1, -1);
        var size = c.Rows;
        double[] values;
        if (weights is null)
        {
            values = Marginals.Uniform<double>(size);
        }
        else
        {
            values = DataFiles.LoadVector(weights, DataLoadOptions.Default, $"{role} weights");
            if (values.Length != size)
            {
                throw new UsageException($"--{role}-weights has {values.Length} values for the {size} × {size} matrix of --{role}-cost.");
            }
        }

        return (c, values);
    }

    /// <summary>Loads a 2-D matrix (square when <paramref name="rows"/> is −1) with finite entries.</summary>
    private static DenseGeometry<double> Matrix(string spec, string flag, int rows, int cols)
    {
        var array = DataFiles.Load(spec);
        if (array.Shape.Count != 2)
        {
            throw new UsageException($"{flag} {spec}: expected a 2-D matrix, got shape {array.ShapeString()}.");
        }

        var (r, c) = (array.Shape[0], array.Shape[1]);
        if (rows < 0 ? r != c : r != rows || c != cols)
        {
            throw new UsageException(rows < 0 ? $"{flag} {spec}: expected a square matrix, got {r} × {c}." : $"{flag} {spec}: expected {rows} × {cols}, got {r} × {c}.");
        }

        var values = (double[])array.ToDoubleArray().Clone();
        var bad = Array.FindIndex(values, v => !double.IsFinite(v));
        if (bad >= 0)
        {
            throw new UsageException($"{flag} {spec}: entry ({bad / c}, {bad % c}) is {values[bad].ToString(CultureInfo.InvariantCulture)}; costs must be finite.");
        }

        return new DenseGeometry<double>(values, r, c);
    }
}
