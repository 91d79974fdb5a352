using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;

namespace Monge.Solvers.Exact;

/// <summary>The problem entry points: validation, then point-cloud rows (specialised per cost struct) or geometry rows.</summary>
public sealed partial record LinearAssignment
{
    private const string SolverName = "LinearAssignment";

    private LinearAssignmentResult SolveProblem<T>(LinearProblem<T> problem, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (MaxDenseBytes < 0)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"MaxDenseBytes must be non-negative (got {MaxDenseBytes}).", nameof(problem));
        }

        var geometry = problem.Geometry;
        CheckAssignment(problem);
        if (geometry.Rows > geometry.Cols)
        {
            // More sources than targets: solve the transposed problem (every target matched once) and read it back in
            // the caller's orientation; n − m sources stay unmatched (−1).
            return SolveProblem(new LinearProblem<T>(geometry.Transpose()), progress, cancellationToken).Transposed();
        }

        CheckShape(geometry.Rows, geometry.Cols, 0);
        var result = geometry is IPointCloudGeometry<T> points
            ? SolvePoints(points, progress, cancellationToken)
            : SolveGeometry(geometry, progress, cancellationToken);
        progress?.Report(new SolverProgress("assignment", geometry.Rows, geometry.Rows, result.Cost));
        return result;
    }

    /// <summary>The assignment problem is the OT problem with uniform weights and both marginals enforced.</summary>
    private static void CheckAssignment<T>(LinearProblem<T> problem)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!problem.IsBalanced)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"{SolverName} solves balanced one-to-one matchings, but the problem relaxes a marginal ({problem.Relaxation}); use Sinkhorn or Frlc for unbalanced problems.",
                nameof(problem));
        }

        CheckUniform(problem.A, "a");
        CheckUniform(problem.B, "b");
        // Equal masses are checked by LinearProblem for balanced problems.
    }

    private static void CheckUniform<T>(ReadOnlySpan<T> weights, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w0 = double.CreateTruncating(weights[0]);
        var tolerance = typeof(T) == typeof(float) ? 1e-5 : 1e-9;
        for (var i = 1; i < weights.Length; i++)
        {
            var wi = double.CreateTruncating(weights[i]);
            if (Math.Abs(wi - w0) > tolerance * w0)
            {
                throw new InputValidationException(
                    InputProblem.InvalidParameter,
                    $"{SolverName} matches points one to one and needs uniform weights, but {name}[{i}] = {wi:R} differs from {name}[0] = {w0:R}; use NetworkSimplex for weighted problems.",
                    name,
                    i);
            }
        }
    }

    private LinearAssignmentResult SolvePoints<T>(IPointCloudGeometry<T> points, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var visitor = new SolvePointsVisitor<T>(this, points, progress, cancellationToken);
        return CostFunction.Dispatch<T, SolvePointsVisitor<T>, LinearAssignmentResult>(points.CostFunction, ref visitor);
    }

    /// <summary><see cref="SolvePoints{T, TCost}"/> for the cost struct that <see cref="CostFunction.Dispatch{T, TVisitor, TResult}"/> finds.</summary>
    private readonly struct SolvePointsVisitor<T>(LinearAssignment solver, IPointCloudGeometry<T> points, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
        : ICostVisitor<T, LinearAssignmentResult>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public LinearAssignmentResult Invoke<TCost>(TCost cost)
            where TCost : ICostFunction<T> =>
            solver.SolvePoints(points, cost, progress, cancellationToken);
    }

    private LinearAssignmentResult SolvePoints<T, TCost>(IPointCloudGeometry<T> points, TCost cost, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCost : ICostFunction<T>
    {
        var x = points.Source;
        var y = points.Target;
        var n = x.Count;
        var m = y.Count;
        var d = x.Dimension;
        var scale = points.ScaleFactor;
        var stopwatch = Stopwatch.StartNew();
        var ws = new LinearAssignmentWorkspace<T>(n, m) { Progress = progress };
        var transposed = PointCostRows<T, TCost>.UsesTransposed;
        if (transposed)
        {
            ws.EnsureTransposed(d * m);
            PointCostRows<T, TCost>.Transpose(y.Data, m, d, ws._transposed);
        }

        var yT = transposed ? ws._transposed.AsSpan(0, d * m) : [];
        var pointRows = new PointCostRows<T, TCost>(x.Data, y.Data, yT, d, m, cost, scale);
        if (typeof(T) == typeof(double) && transposed)
        {
            var wsD = (LinearAssignmentWorkspace<double>)(object)ws;
            var xD = (PointCloud<double>)(object)x;
            var scaleD = double.CreateTruncating(scale);
            var euclidean = typeof(TCost) == typeof(Euclidean<T>);
            if (UsesMixedPrecision(n, m, wsD) && SolvePointsMixed(xD, ((PointCloud<double>)(object)y).Data, euclidean, scaleD, FitsBudget(n, m, sizeof(float)), wsD, cancellationToken) is { } rowToColumn)
            {
                var assigned = rowToColumn.Count(j => j >= 0);
                if (euclidean)
                {
                    var exact = new PointCostRows<double, Euclidean<double>>(xD.Data, [], wsD._transposed.AsSpan(0, d * m), d, m, default, scaleD);
                    return BuildResult(ref exact, n, m, rowToColumn, assigned, wsD, stopwatch);
                }

                var exactSq = new PointCostRows<double, SquaredEuclidean<double>>(xD.Data, [], wsD._transposed.AsSpan(0, d * m), d, m, default, scaleD);
                return BuildResult(ref exactSq, n, m, rowToColumn, assigned, wsD, stopwatch);
            }
        }

        // Other costs in double go through the dense double route, which adds a float copy when it is mixed.
        var copy = typeof(T) == typeof(double) && !transposed && UsesMixedPrecision(n, m, (LinearAssignmentWorkspace<double>)(object)ws) ? sizeof(float) : 0;
        if (FitsBudget(n, m, Unsafe.SizeOf<T>() + copy))
        {
            var dense = new T[n * m];
            for (var i = 0; i < n; i++)
            {
                pointRows.Row(i, dense.AsSpan(i * m, m));
            }

            if (typeof(T) == typeof(double) && !transposed)
            {
                // Other costs: the dense double route (validation, mixed precision for large square problems).
                var result = Solve((double[])(object)dense, n, m, (LinearAssignmentWorkspace<double>)(object)ws, cancellationToken);
                return result with { Convergence = result.Convergence with { Elapsed = stopwatch.Elapsed } };
            }

            CheckDense<T>(dense, n, m);
            var rowsDense = new DenseCostRows<T>(dense, m);
            return Finish(ref rowsDense, n, m, ws, stopwatch, cancellationToken);
        }

        return Finish(ref pointRows, n, m, ws, stopwatch, cancellationToken);
    }

    private LinearAssignmentResult SolveGeometry<T>(CostGeometry<T> geometry, IProgress<SolverProgress>? progress, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = geometry.Rows;
        var m = geometry.Cols;
        if (FitsBudget(n, m, Unsafe.SizeOf<T>()))
        {
            var dense = new T[n * m];
            geometry.FillCostBlock(0, n, 0, m, dense);
            if (typeof(T) == typeof(double))
            {
                return Solve((double[])(object)dense, n, m, new LinearAssignmentWorkspace<double>(n, m) { Progress = progress }, cancellationToken);
            }

            return SolveDense<T>(dense, n, m, progress, cancellationToken);
        }

        var stopwatch = Stopwatch.StartNew();
        var rows = new GeometryCostRows<T>(geometry);
        return Finish(ref rows, n, m, new LinearAssignmentWorkspace<T>(n, m) { Progress = progress }, stopwatch, cancellationToken);
    }

    /// <summary>Whether an n × m matrix of <paramref name="bytesPerEntry"/>-byte values fits <see cref="MaxDenseBytes"/> (and an array).</summary>
    private bool FitsBudget(int n, int m, int bytesPerEntry) =>
        (long)n * m <= Array.MaxLength && (double)n * m * bytesPerEntry <= MaxDenseBytes;

    /// <summary>
    /// The dense row-major cost of <paramref name="geometry"/> (n·m values): from the points and the cost function for
    /// a point-cloud geometry (coordinate differences for squared Euclidean and Euclidean, no cancellation), through
    /// <see cref="CostGeometry{T}.FillCostBlock"/> otherwise.
    /// </summary>
    internal static double[] DenseCost(CostGeometry<double> geometry)
    {
        var dense = new double[geometry.Rows * (long)geometry.Cols];
        if (geometry is IPointCloudGeometry<double> points)
        {
            FillCost(points.Source.Data, points.Target.Data, points.Source.Dimension, points.CostFunction, dense);
            var scale = points.ScaleFactor;
            if (scale != 1)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(dense, scale, dense);
            }
        }
        else
        {
            geometry.FillCostBlock(0, geometry.Rows, 0, geometry.Cols, dense);
        }

        return dense;
    }
}
