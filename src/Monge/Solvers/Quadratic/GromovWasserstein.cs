using System.Diagnostics;
using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Exact;

namespace Monge.Solvers.Quadratic;

/// <summary>
/// Gromov-Wasserstein and fused Gromov-Wasserstein by the conditional gradient (Frank-Wolfe) method with exact line
/// search, as POT's <c>ot.gromov.gromov_wasserstein</c> / <c>fused_gromov_wasserstein</c> (Peyré, Cuturi and Solomon,
/// ICML 2016; Vayer et al., ICML 2019 for the fused objective). Minimizes (1 − α)⟨M, P⟩ + α·GW(P) over the couplings of
/// a and b; every outer step solves the linear problem on the gradient exactly with <see cref="NetworkSimplex"/> and
/// moves to the best point of the segment towards its vertex.
/// </summary>
/// <remarks>
/// <para>
/// Line search: the objective is a quadratic polynomial of P for every loss (L does not depend on P), so the step
/// t ∈ [0, 1] minimizing f(P + tD) = f(P) + t⟨∇f(P), D⟩ + t²·α⟨L ⊗ D, D⟩ is exact for the square and the
/// Kullback-Leibler loss alike, and for asymmetric costs (POT's closed form assumes the square loss and symmetric
/// costs, and needs <c>armijo=True</c> otherwise).
/// </para>
/// <para>
/// Stopping rule of POT: after a step, stop when |Δf| / |f| &lt; <see cref="RelativeTolerance"/> or |Δf| &lt;
/// <see cref="AbsoluteTolerance"/>. The returned <see cref="GromovWassersteinResult.FwGap"/> is the Frank-Wolfe gap
/// ⟨∇f(P), P − S⟩ at the returned plan (S the linear minimizer, one more network-simplex solve), a certificate of
/// stationarity: zero exactly at a first-order stationary point. GW is not convex: the result is a local minimum that
/// depends on the start.
/// </para>
/// <para>
/// Cost per outer step: one network simplex on the n × m gradient and one product of n × nnz × m with the vertex S
/// (nnz ≤ n + m − 1; the gradient is updated by linearity, so the plan is never multiplied densely inside the loop),
/// twice for asymmetric costs. Memory: about six n × m arrays of doubles, plus C1 and C2 when they are dense. A start
/// at a ⊗ b costs O(n² + m²); a given start plan costs one dense tensor product. Balanced problems only.
/// </para>
/// </remarks>
public sealed record GromovWasserstein
{
    /// <summary>Maximum outer iterations (POT's <c>numItermax</c> of <c>cg</c> is 200). Default 1000.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Stop when the relative change of the objective is below this (POT's <c>tol_rel</c>). Default 1e-9.</summary>
    public double RelativeTolerance { get; init; } = 1e-9;

    /// <summary>Stop when the absolute change of the objective is below this (POT's <c>tol_abs</c>). Default 1e-9.</summary>
    public double AbsoluteTolerance { get; init; } = 1e-9;

    /// <summary>Solves the problem from a ⊗ b / Σb, or from <paramref name="initialPlan"/>.</summary>
    /// <param name="problem">A balanced quadratic problem (plain or fused).</param>
    /// <param name="initialPlan">A start plan (row-major n × m, non-negative, marginals a and b within 1e-8); null for a ⊗ b.</param>
    /// <param name="progress">Receives the objective after each outer step.</param>
    /// <param name="cancellationToken">Checked before each outer step; cancellation returns the current plan with status Cancelled.</param>
    /// <returns>The plan, its objective and diagnostics.</returns>
    /// <exception cref="InputValidationException">A relaxed problem, invalid options, or an invalid start plan.</exception>
    public GromovWassersteinResult Solve(
        QuadraticProblem<double> problem,
        double[]? initialPlan = null,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        Validate(problem);
        var stopwatch = Stopwatch.StartNew();
        var n = problem.Rows;
        var m = problem.Cols;
        var a = problem.A.ToArray();

        // The network simplex needs equal masses to 1e-9; the problem allows 1e-6: scale b to a's mass.
        var b = problem.B.ToArray();
        TensorPrimitives.Multiply(b, problem.MassA / problem.MassB, b);
        var tensor = PrepareTensor(problem);
        var alpha = problem.Alpha;
        var linear = DenseLinear(problem);

        // State: P, the GW gradient G = ∇GW(P) (updated by linearity) and the constant marginal part u_i + v_j.
        double[] plan;
        double[] gwGrad;
        if (initialPlan is null)
        {
            plan = new double[(long)n * m];
            for (var i = 0; i < n; i++)
            {
                TensorPrimitives.Multiply(b, a[i] / problem.MassA, plan.AsSpan(i * m, m));
            }

            gwGrad = tensor.GradientOfProduct(a, b);
        }
        else
        {
            plan = CheckStart(initialPlan, a, b, n, m);
            gwGrad = tensor.Gradient(plan);
        }

        var (u, v) = tensor.MarginalTerms(a, b);
        var grad = new double[(long)n * m];
        Combine(linear, gwGrad, alpha, grad);
        var value = Objective(linear, gwGrad, plan, alpha);
        var trace = new List<double> { value };
        var status = SolverStatus.MaxIterations;
        var iterations = 0;
        var relativeChange = double.NaN;
        var gradS = new double[(long)n * m];
        while (iterations < MaxIterations)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            var vertex = new NetworkSimplex().Solve(grad, a, b, null, cancellationToken);
            if (vertex.Convergence.Status == SolverStatus.Cancelled)
            {
                status = SolverStatus.Cancelled;
                break;
            }

            iterations++;

            // g = ⟨∇f(P), S − P⟩ = −gap; the GW gradient at S, and a = α·½⟨∇GW(S) − ∇GW(P), S − P⟩ = α⟨L ⊗ D, D⟩.
            var slope = SparseInner(grad, vertex, m) - GromovTensor<double>.Inner(grad, plan);
            VertexGradient(tensor, vertex, u, v, gradS);
            TensorPrimitives.Subtract(gradS, gwGrad, gradS);
            var curvature = 0.5 * alpha * (SparseInner(gradS, vertex, m) - GromovTensor<double>.Inner(gradS, plan));
            var step = LineSearch(curvature, slope);
            if (!double.IsFinite(slope) || !double.IsFinite(curvature))
            {
                status = SolverStatus.Diverged;
                break;
            }

            var previous = value;
            if (step > 0)
            {
                // P ← P + t(S − P); ∇GW ← ∇GW + t(∇GW(S) − ∇GW(P)) (gradS holds the difference).
                TensorPrimitives.Multiply(plan, 1 - step, plan);
                for (var s = 0; s < vertex.Rows.Length; s++)
                {
                    plan[((long)vertex.Rows[s] * m) + vertex.Columns[s]] += step * vertex.Mass[s];
                }

                TensorPrimitives.MultiplyAdd(gradS, step, gwGrad, gwGrad);
                Combine(linear, gwGrad, alpha, grad);
                value += (slope * step) + (curvature * step * step);
            }

            trace.Add(value);
            progress?.Report(new SolverProgress("gromov-wasserstein", iterations, MaxIterations, value));
            var change = Math.Abs(value - previous);
            relativeChange = change / Math.Abs(value);
            if (relativeChange < RelativeTolerance || change < AbsoluteTolerance)
            {
                status = SolverStatus.Converged;
                break;
            }
        }

        // Exact value and gradient at the returned plan (the loop updates them by linearity), and the Frank-Wolfe gap.
        gwGrad = tensor.Gradient(plan);
        var gwCost = 0.5 * GromovTensor<double>.Inner(gwGrad, plan);
        if (problem.Loss == GromovLoss.Square)
        {
            // A sum of squares times non-negative masses: a negative value is the rounding of u + v − cross (≈ 1e-16).
            gwCost = Math.Max(0, gwCost);
        }

        var linearCost = linear is null ? 0 : GromovTensor<double>.Inner(linear, plan);
        Combine(linear, gwGrad, alpha, grad);
        var gap = double.NaN;
        if (status != SolverStatus.Cancelled)
        {
            var final = new NetworkSimplex().Solve(grad, a, b, null, cancellationToken);
            gap = GromovTensor<double>.Inner(grad, plan) - SparseInner(grad, final, m);
        }

        var cost = problem.IsFused ? ((1 - alpha) * linearCost) + (alpha * gwCost) : gwCost;
        if (!double.IsFinite(cost))
        {
            status = SolverStatus.Diverged;
        }

        var convergence = new Convergence(status, iterations, relativeChange, RelativeTolerance, trace, stopwatch.Elapsed);
        return new GromovWassersteinResult(plan, n, m, cost, gwCost, linearCost, gap, alpha, convergence);
    }

    /// <summary>The minimizer over [0, 1] of a t² + b t (POT's <c>solve_1d_linesearch_quad</c>).</summary>
    internal static double LineSearch(double a, double b)
    {
        if (a > 0)
        {
            return Math.Min(1, Math.Max(0, -b / (2 * a)));
        }

        return a + b < 0 ? 1 : 0;
    }

    private void Validate(QuadraticProblem<double> problem)
    {
        if (!problem.IsBalanced)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"The conditional-gradient solver is balanced (its linear steps are exact OT), but the problem relaxes a marginal ({problem.Relaxation}); use an entropic or low-rank GW solver.",
                nameof(problem));
        }

        if (MaxIterations < 0)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"MaxIterations must be non-negative (got {MaxIterations}).");
        }

        if (!(RelativeTolerance >= 0) || !(AbsoluteTolerance >= 0))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Tolerances must be non-negative (got {RelativeTolerance} and {AbsoluteTolerance}).");
        }
    }

    /// <summary>The tensor on dense copies of C1 and C2 when they fit (the blocked kernel), else on the geometries as given.</summary>
    private static GromovTensor<double> PrepareTensor(QuadraticProblem<double> problem)
    {
        var x = Densify(problem.GeometryX);
        var y = Densify(problem.GeometryY);
        return ReferenceEquals(x, problem.GeometryX) && ReferenceEquals(y, problem.GeometryY)
            ? problem.Tensor
            : new GromovTensor<double>(x, y, problem.Loss, problem.IsSymmetric);

        static CostGeometry<double> Densify(CostGeometry<double> geometry) =>
            geometry.IsDense || (long)geometry.Rows * geometry.Cols > DenseLimit
                ? geometry
                : new DenseGeometry<double>(geometry.ToDense(long.MaxValue), geometry.Rows, geometry.Cols);
    }

    /// <summary>Intra-space costs up to this many entries (2²⁶, 512 MiB) are copied to dense matrices for the blocked kernel.</summary>
    private const long DenseLimit = 1L << 26;

    private static double[]? DenseLinear(QuadraticProblem<double> problem)
    {
        if (problem.LinearGeometry is not { } geometry)
        {
            return null;
        }

        var result = new double[(long)problem.Rows * problem.Cols];
        for (var i = 0; i < problem.Rows; i++)
        {
            geometry.FillCostBlock(i, 1, 0, problem.Cols, result.AsSpan(i * problem.Cols, problem.Cols));
        }

        return result;
    }

    private static double[] CheckStart(double[] start, double[] a, double[] b, int n, int m)
    {
        if (start.Length != (long)n * m)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The start plan has {start.Length} entries; {n} × {m} are needed.", nameof(start));
        }

        var rows = new double[n];
        var cols = new double[m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var x = start[(i * m) + j];
                if (!(x >= 0) || !double.IsFinite(x))
                {
                    throw new InputValidationException(InputProblem.NegativeWeight, $"Start plan entry ({i}, {j}) is {x}; entries must be finite and non-negative.", nameof(start), (i * m) + j);
                }

                rows[i] += x;
                cols[j] += x;
            }
        }

        for (var i = 0; i < n; i++)
        {
            if (Math.Abs(rows[i] - a[i]) > 1e-8)
            {
                throw new InputValidationException(InputProblem.MassMismatch, $"Row {i} of the start plan sums to {rows[i]:R}, not a[{i}] = {a[i]:R}.", nameof(start), i);
            }
        }

        for (var j = 0; j < m; j++)
        {
            if (Math.Abs(cols[j] - b[j]) > 1e-8)
            {
                throw new InputValidationException(InputProblem.MassMismatch, $"Column {j} of the start plan sums to {cols[j]:R}, not b[{j}] = {b[j]:R}.", nameof(start), j);
            }
        }

        return (double[])start.Clone();
    }

    /// <summary>∇f = (1 − α) M + α ∇GW.</summary>
    private static void Combine(double[]? linear, double[] gwGrad, double alpha, double[] grad)
    {
        if (linear is null)
        {
            gwGrad.CopyTo(grad, 0);
            return;
        }

        TensorPrimitives.Multiply(gwGrad, alpha, grad);
        TensorPrimitives.MultiplyAdd(linear, 1 - alpha, grad, grad);
    }

    private static double Objective(double[]? linear, double[] gwGrad, double[] plan, double alpha)
    {
        var gw = 0.5 * GromovTensor<double>.Inner(gwGrad, plan);
        return linear is null ? gw : ((1 - alpha) * GromovTensor<double>.Inner(linear, plan)) + (alpha * gw);
    }

    /// <summary>∇GW(S) = (u_i + v_j) − cross terms for a vertex S with the problem's marginals.</summary>
    private static void VertexGradient(GromovTensor<double> tensor, NetworkSimplexResult vertex, double[] u, double[] v, double[] destination)
    {
        var m = tensor.Cols;
        var cross = tensor.CrossSparse(vertex.Rows, vertex.Columns, vertex.Mass, Axis.Rows);
        if (tensor.IsSymmetric)
        {
            TensorPrimitives.Multiply(cross, 2.0, cross);
        }
        else
        {
            var crossT = tensor.CrossSparse(vertex.Rows, vertex.Columns, vertex.Mass, Axis.Columns);
            TensorPrimitives.Add(cross, crossT, cross);
        }

        for (var i = 0; i < tensor.Rows; i++)
        {
            var row = destination.AsSpan(i * m, m);
            TensorPrimitives.Subtract(v, cross.AsSpan(i * m, m), row);
            TensorPrimitives.Add(row, u[i], row);
        }
    }

    private static double SparseInner(double[] x, NetworkSimplexResult vertex, int m)
    {
        var sum = 0.0;
        for (var s = 0; s < vertex.Rows.Length; s++)
        {
            sum += x[((long)vertex.Rows[s] * m) + vertex.Columns[s]] * vertex.Mass[s];
        }

        return sum;
    }
}
