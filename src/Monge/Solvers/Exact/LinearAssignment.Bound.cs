using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Tools;

namespace Monge.Solvers.Exact;

/// <summary>The certified lower bound from the solver's own dual potentials (one c-transform, linear memory; the transform is <see cref="DualBound"/>'s).</summary>
public sealed partial record LinearAssignment
{
    /// <summary>
    /// A rigorous lower bound on the optimal total cost Σ_i C[i, σ(i)] of <paramref name="problem"/> (the unit of
    /// <see cref="LinearAssignmentResult.TotalCost"/>; divide by min(n, m) for the unit of
    /// <see cref="LinearAssignmentResult.Cost"/>) built from the column potentials of <paramref name="result"/>: with
    /// n ≤ m, g = v (clipped to g ≤ 0 when n &lt; m, the sign the dual of a rectangular assignment requires) and its
    /// c-transform f_i = min_j (C[i,j] − g_j), the pair (f, g) is dual feasible whatever v is, so the bound
    /// Σ_i f_i + Σ_j g_j never exceeds the optimum; when <paramref name="result"/> is optimal it equals
    /// <see cref="LinearAssignmentResult.TotalCost"/> less a rounding allowance (a relative ≈ (n + m + 2d + 20)·2⁻⁵² of the
    /// potentials' magnitudes; d = 0 except for point clouds). With n &gt; m the roles of rows and columns swap.
    /// </summary>
    /// <remarks>
    /// <para>Validity does not depend on the solver: a wrong or inexact v only lowers the bound. The cost is evaluated
    /// as the solver evaluates it (coordinate differences for squared Euclidean and Euclidean, the problem's
    /// <see cref="CostGeometry{T}.ScaleFactor"/> applied), so bound and <see cref="LinearAssignmentResult.TotalCost"/>
    /// are in the same unit. Rounding (stop 29, the certificate's allowance since certfeas): every computed f_i is lowered
    /// by the float64 c-transform's allowance (2d + 16)·2⁻⁵²·(|f_i| + 2 max |g|) (<c>DualBoundTree.Allow</c>; d the
    /// dimension on the coordinate-difference geometry of squared Euclidean and Euclidean point clouds, 0 otherwise:
    /// then valid for the geometry's own float64 evaluation of C), so f_i + g_j ≤ C[i,j] holds in exact arithmetic, and
    /// the sum is lowered by its own rounding allowance, (n + m + 4)·2⁻⁵² of Σ |f| + Σ |g|: the returned value is a
    /// lower bound of the optimum in exact arithmetic, not only up to rounding. Before, the computed minima and sum were
    /// used as they were, and the bound could exceed the optimum by a few ulps (ties at the optimum).</para>
    /// <para>Time O(n·m) cost evaluations (O(n·m·d) for point clouds), one pass, parallel over row tiles (the same result whatever the thread count). Memory O(m) beyond the
    /// problem (plus both clouds transposed for squared Euclidean and Euclidean point clouds, and O(tile) scratch per worker); C is never stored.</para>
    /// </remarks>
    /// <param name="problem">The problem <paramref name="result"/> solves (balanced, uniform weights).</param>
    /// <param name="result">A result of <see cref="Solve(LinearProblem{double}, IProgress{SolverProgress}?, CancellationToken)"/>
    /// (or any potentials of the right lengths).</param>
    /// <param name="cancellationToken">Checked between row tiles.</param>
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

    /// <summary>
    /// Σ_i min_j (C[i,j] − g_j) + Σ_j g_j for rows ≤ columns, with g clipped to ≤ 0 on rectangular problems: the row
    /// minima are <see cref="DualBound"/>'s c-transform (<c>DualBound.RowMin</c>, parallel float64 tiles), on the
    /// coordinate-difference geometry for squared Euclidean and Euclidean point clouds (the solver's evaluation), less
    /// the certificate's rounding allowances (<c>DualBoundTree.Allow</c>, <c>DualBound.SumAllowance</c>).
    /// </summary>
    private static double LowerBound(CostGeometry<double> geometry, ReadOnlySpan<double> potential, CancellationToken cancellationToken)
    {
        var g = potential.ToArray();
        if (geometry.Rows < geometry.Cols)
        {
            TensorPrimitives.Min(g, 0.0, g);
        }

        var sum = 0.0;
        var magnitude = 0.0;
        foreach (var value in g)
        {
            sum += value;
            magnitude += Math.Abs(value);
        }

        var rows = geometry is IPointCloudGeometry<double> { CostFunction: SquaredEuclidean<double> or Euclidean<double> } points
            ? new PointDifferenceGeometry<double>(points.Source, points.Target, points.CostFunction is Euclidean<double>).WithScaleFactor(points.ScaleFactor)
            : geometry;
        var minima = new double[geometry.Rows];
        DualBound.RowMin(rows, g, minima, cancellationToken);
        DualBoundTree.Allow(minima, g, rows is PointDifferenceGeometry<double> difference ? difference.Dimension : 0);
        foreach (var value in minima)
        {
            sum += value;
            magnitude += Math.Abs(value);
        }

        return sum - DualBound.SumAllowance(geometry.Rows + geometry.Cols, magnitude);
    }
}
