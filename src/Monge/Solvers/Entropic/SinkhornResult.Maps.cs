using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Solvers.Entropic;

/// <content>Maps and sparse summaries derived from the plan: barycentric projection, entropic map, top-k, gradients.</content>
public sealed partial class SinkhornResult<T>
{
    /// <summary>
    /// The barycentric projection of the source points: T(x_i) = Σ_j P_ij y_j / Σ_j P_ij, an n × d row-major array.
    /// One online pass (O(n·m·d) time, O(n·d) memory). Needs a geometry with target coordinates
    /// (<see cref="IPointCloudGeometry{T}"/>, any cost).
    /// </summary>
    /// <returns>The mapped points, row-major n × d.</returns>
    /// <exception cref="InvalidOperationException">The geometry does not implement <see cref="IPointCloudGeometry{T}"/>.</exception>
    public double[] BarycentricProjection()
    {
        var pc = Problem.Geometry as IPointCloudGeometry<T> ?? throw new InvalidOperationException($"The barycentric projection needs target coordinates: the geometry ({Problem.Geometry.GetType().Name}) does not implement IPointCloudGeometry<T>.");
        var d = pc.Target.Dimension;
        var py = ApplyPlan(pc.Target.Data, d, Axis.Rows);
        var rows = _summary.Value.Rows;
        for (var i = 0; i < SourceCount; i++)
        {
            var r = rows[i];
            for (var k = 0; k < d; k++)
            {
                py[(i * d) + k] = r > 0 ? py[(i * d) + k] / r : double.NaN;
            }
        }

        return py;
    }

    /// <summary>
    /// The entropic map T_ε(x) = Σ_j w_j(x) y_j with w_j(x) ∝ b_j exp((g_j − c(x, y_j))/ε) (KL convention; without b_j
    /// under plain entropy), evaluated at new points (Pooladian and Niles-Weed 2021). On the source points it equals
    /// the barycentric projection. O(k·m·d) for k query points, computed online.
    /// </summary>
    /// <param name="points">Query points, same dimension as the target.</param>
    /// <returns>Mapped points, row-major k × d.</returns>
    /// <exception cref="InvalidOperationException">The geometry does not implement <see cref="IPointCloudGeometry{T}"/> (the map needs the target points and the cost function).</exception>
    /// <exception cref="InputValidationException">Dimension mismatch.</exception>
    public double[] EntropicMap(PointCloud<T> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var pc = Problem.Geometry as IPointCloudGeometry<T> ?? throw new InvalidOperationException($"The entropic map needs the target points and the cost function: the geometry ({Problem.Geometry.GetType().Name}) does not implement IPointCloudGeometry<T>.");
        var geom = new PointCloudGeometry<T>(points, pc.Target, pc.CostFunction, pc.ScaleFactor);

        // The map is the barycentric projection of a one-sided problem whose f is the soft-min of g at the new points:
        // P_kj = exp(ℓb_j + (f_k + g_j − C_kj)/ε) with f_k = softmin_j, so every row has mass one.
        var f = new T[points.Count];
        var eps = T.CreateTruncating(Epsilon);
        geom.SoftMin(G, _logB, eps, Axis.Rows, f);
        var d = pc.Target.Dimension;
        var result = new double[points.Count * d];
        var y = pc.Target.Data.ToArray();
        PlanTiles.ForEachTile(
            geom,
            f,
            G,
            [],
            _logB,
            eps,
            () => result,
            (i0, rows, j0, w, _, plan, acc) =>
            {
                for (var r = 0; r < rows; r++)
                {
                    for (var c = 0; c < w; c++)
                    {
                        var p = double.CreateTruncating(plan[(r * w) + c]);
                        var j = j0 + c;
                        for (var k = 0; k < d; k++)
                        {
                            acc[((i0 + r) * d) + k] += p * double.CreateTruncating(y[(j * d) + k]);
                        }
                    }
                }
            },
            _ => { });
        return result;
    }

    /// <summary>
    /// The k largest plan entries of every row (a sparse approximation of P): column indices and values, both n × k
    /// row-major, sorted by decreasing value. One online pass, O(n·k) memory.
    /// </summary>
    /// <param name="k">Entries per row, 1 ≤ k ≤ m.</param>
    /// <returns>(Indices, Values).</returns>
    /// <exception cref="ArgumentOutOfRangeException">k outside [1, m].</exception>
    public (int[] Indices, double[] Values) TopK(int k)
    {
        var m = Problem.Geometry.Cols;
        var n = Problem.Geometry.Rows;
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, m);
        var indices = new int[n * k];
        var values = new double[n * k];
        Array.Fill(values, double.NegativeInfinity);
        Array.Fill(indices, -1);
        ForEachPlanTile(
            (i0, rows, j0, w, _, plan, _) =>
            {
                for (var r = 0; r < rows; r++)
                {
                    var vals = values.AsSpan((i0 + r) * k, k);
                    var idx = indices.AsSpan((i0 + r) * k, k);
                    for (var c = 0; c < w; c++)
                    {
                        var p = double.CreateTruncating(plan[(r * w) + c]);
                        if (p <= vals[k - 1])
                        {
                            continue;
                        }

                        // Insertion into the sorted (descending) list of this row.
                        var pos = k - 1;
                        while (pos > 0 && vals[pos - 1] < p)
                        {
                            vals[pos] = vals[pos - 1];
                            idx[pos] = idx[pos - 1];
                            pos--;
                        }

                        vals[pos] = p;
                        idx[pos] = j0 + c;
                    }
                }
            });
        return (indices, values);
    }

    /// <summary>
    /// Gradient of the regularized cost with respect to the source positions, for the squared Euclidean cost (envelope
    /// theorem: the potentials are optimal, so only the explicit dependence through C counts):
    /// ∂/∂x_i = Σ_j P_ij ∂c(x_i, y_j)/∂x_i = 2 s (r_i x_i − (P Y)_i), with r = P1 and s the cost scale factor.
    /// Valid when the run converged. One online pass.
    /// </summary>
    /// <returns>Row-major n × d.</returns>
    /// <exception cref="InvalidOperationException">The geometry does not implement <see cref="IPointCloudGeometry{T}"/> with a squared Euclidean cost.</exception>
    public double[] GradientSourcePositions()
    {
        if (Problem.Geometry is not IPointCloudGeometry<T> pc || !CostFunction.IsSquaredEuclidean(pc.CostFunction))
        {
            throw new InvalidOperationException($"Position gradients are implemented for point-cloud geometries (IPointCloudGeometry<T>) with the squared Euclidean cost (got {Problem.Geometry.GetType().Name}).");
        }

        var d = pc.Source.Dimension;
        var py = ApplyPlan(pc.Target.Data, d, Axis.Rows);
        var rows = _summary.Value.Rows;
        var s = CostScaleFactor;
        var grad = new double[SourceCount * d];
        for (var i = 0; i < SourceCount; i++)
        {
            var xi = pc.Source.Row(i);
            for (var k = 0; k < d; k++)
            {
                grad[(i * d) + k] = 2 * s * ((rows[i] * double.CreateTruncating(xi[k])) - py[(i * d) + k]);
            }
        }

        return grad;
    }

    /// <summary>
    /// Gradient of the regularized cost with respect to the source weights a (balanced KL convention): the potential f,
    /// defined up to an additive constant when the weights are constrained to the simplex (envelope theorem).
    /// </summary>
    /// <returns>A copy of f as doubles.</returns>
    public double[] GradientSourceWeights() => Array.ConvertAll(F, v => double.CreateTruncating(v));
}
