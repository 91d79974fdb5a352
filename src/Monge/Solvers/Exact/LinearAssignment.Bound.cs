using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;

namespace Monge.Solvers.Exact;

/// <summary>The certified lower bound from the solver's own dual potentials (one c-transform, linear memory).</summary>
public sealed partial record LinearAssignment
{
    /// <summary>
    /// A rigorous lower bound on the optimal total cost Σ_i C[i, σ(i)] of <paramref name="problem"/> (the unit of
    /// <see cref="LinearAssignmentResult.TotalCost"/>; divide by min(n, m) for the unit of
    /// <see cref="LinearAssignmentResult.Cost"/>) built from the column potentials of <paramref name="result"/>: with
    /// n ≤ m, g = v (clipped to g ≤ 0 when n &lt; m, the sign the dual of a rectangular assignment requires) and its
    /// c-transform f_i = min_j (C[i,j] − g_j), the pair (f, g) is dual feasible whatever v is, so the bound
    /// Σ_i f_i + Σ_j g_j never exceeds the optimum; when <paramref name="result"/> is optimal it equals
    /// <see cref="LinearAssignmentResult.TotalCost"/> up to rounding. With n &gt; m the roles of rows and columns swap.
    /// </summary>
    /// <remarks>
    /// <para>Validity does not depend on the solver: a wrong or inexact v only lowers the bound. The cost is evaluated
    /// as the solver evaluates it (coordinate differences for squared Euclidean and Euclidean, the problem's
    /// <see cref="CostGeometry{T}.ScaleFactor"/> applied), so bound and <see cref="LinearAssignmentResult.TotalCost"/>
    /// are in the same unit. Rounding: the sums are plain double sums, accurate to about n·m·2⁻⁵³ relative.</para>
    /// <para>Time O(n·m) cost evaluations (O(n·m·d) for point clouds), one pass, sequential. Memory O(m) beyond the
    /// problem (plus the d × m transposed targets for squared Euclidean and Euclidean point clouds); C is never stored.</para>
    /// </remarks>
    /// <param name="problem">The problem <paramref name="result"/> solves (balanced, uniform weights).</param>
    /// <param name="result">A result of <see cref="Solve(LinearProblem{double}, IProgress{SolverProgress}?, CancellationToken)"/>
    /// (or any potentials of the right lengths).</param>
    /// <param name="cancellationToken">Checked every 256 rows.</param>
    /// <returns>The lower bound on the optimal total cost (NaN when a potential is NaN).</returns>
    /// <exception cref="InputValidationException">Potentials whose lengths do not match the problem.</exception>
    public static double LowerBound(LinearProblem<double> problem, LinearAssignmentResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(result);
        var geometry = problem.Geometry;
        if (result.RowPotentials.Length != geometry.Rows || result.ColumnPotentials.Length != geometry.Cols)
        {
            throw new InputValidationException(
                InputProblem.DimensionMismatch,
                $"The result has {result.RowPotentials.Length} row and {result.ColumnPotentials.Length} column potentials but the problem is {geometry.Rows} × {geometry.Cols}.",
                nameof(result));
        }

        // Rows are the fully matched side: with more rows than columns, bound the transposed problem with g = u.
        return geometry.Rows <= geometry.Cols
            ? LowerBound(geometry, result.ColumnPotentials, cancellationToken)
            : LowerBound(geometry.Transpose(), result.RowPotentials, cancellationToken);
    }

    /// <summary>Σ_i min_j (C[i,j] − g_j) + Σ_j g_j for rows ≤ columns, with g clipped to ≤ 0 on rectangular problems.</summary>
    private static double LowerBound(CostGeometry<double> geometry, ReadOnlySpan<double> potential, CancellationToken cancellationToken)
    {
        var n = geometry.Rows;
        var m = geometry.Cols;
        var g = potential.ToArray();
        if (n < m)
        {
            TensorPrimitives.Min(g, 0.0, g);
        }

        var sum = 0.0;
        foreach (var value in g)
        {
            sum += value;
        }

        if (geometry is IPointCloudGeometry<double> points)
        {
            var visitor = new BoundVisitor(points, g, cancellationToken);
            return sum + CostFunction.Dispatch<double, BoundVisitor, double>(points.CostFunction, ref visitor);
        }

        var rows = new GeometryCostRows<double>(geometry);
        return sum + SumRowMinima(ref rows, n, g, cancellationToken);
    }

    /// <summary>Σ_i min_j (row_i[j] − g_j).</summary>
    private static double SumRowMinima<TRows>(ref TRows rows, int n, double[] g, CancellationToken cancellationToken)
        where TRows : ICostRows<double>, allows ref struct
    {
        var scratch = new double[g.Length];
        var reduced = new double[g.Length];
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            if ((i & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            TensorPrimitives.Subtract(rows.Row(i, scratch), g, reduced);
            sum += TensorPrimitives.Min<double>(reduced);
        }

        return sum;
    }

    /// <summary><see cref="SumRowMinima{TRows}"/> over point-cloud rows specialised for the cost struct.</summary>
    private readonly struct BoundVisitor(IPointCloudGeometry<double> points, double[] g, CancellationToken cancellationToken) : ICostVisitor<double, double>
    {
        public double Invoke<TCost>(TCost cost)
            where TCost : ICostFunction<double>
        {
            var x = points.Source;
            var y = points.Target;
            var m = y.Count;
            var d = x.Dimension;
            var transposed = PointCostRows<double, TCost>.UsesTransposed ? new double[d * m] : [];
            if (transposed.Length > 0)
            {
                PointCostRows<double, TCost>.Transpose(y.Data, m, d, transposed);
            }

            var rows = new PointCostRows<double, TCost>(x.Data, y.Data, transposed, d, m, cost, points.ScaleFactor);
            return SumRowMinima(ref rows, x.Count, g, cancellationToken);
        }
    }
}
