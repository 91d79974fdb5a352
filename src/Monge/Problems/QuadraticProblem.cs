using System.Numerics;
using System.Numerics.Tensors;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.LowRank;
using Monge.Solvers.Quadratic;

namespace Monge.Problems;

/// <summary>
/// A quadratic (Gromov-Wasserstein) transport problem: an intra-source cost C1 (n × n), an intra-target cost C2 (m × m),
/// weights a and b, a <see cref="GromovLoss"/>, optionally a linear cross cost M (n × m) with fusion weight α (fused
/// GW), and the marginal <see cref="Problems.Relaxation"/> (OTT-JAX <c>QuadraticProblem</c>, POT <c>solve_gromov</c>).
/// Validated data: constructing it checks every input, so solvers can start work immediately.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Value convention of POT: GW(P) = Σ_ijkl L(C1_ik, C2_jl) P_ij P_kl = ⟨L ⊗ P, P⟩ (no ½, no square root), and the fused
/// objective FGW(P) = (1 − α)·⟨M, P⟩ + α·GW(P) (POT's <c>alpha</c>; α = 1 is plain GW, α = 0 plain OT on M). OTT-JAX's
/// <c>fused_penalty</c> λ weighs the linear term instead: its objective GW + λ⟨M, P⟩ is this one times 1/α with
/// α = 1/(1 + λ) (see docs/gromov.md).
/// </para>
/// <para>
/// Both symmetric and asymmetric intra-space costs are allowed: the gradient of GW is L ⊗ P + Lᵀ ⊗ P (two tensor
/// products), which is 2·L ⊗ P when both C1 and C2 are symmetric (<see cref="IsSymmetric"/>, detected once).
/// </para>
/// <para>Weights are used as given (not normalized); a balanced problem requires equal total masses (relative tolerance
/// 1e-6), the same rule as <see cref="LinearProblem{T}"/>.</para>
/// </remarks>
public sealed class QuadraticProblem<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _a;
    private readonly T[] _b;
    private GromovTensor<T>? _tensor;

    /// <summary>Creates the problem.</summary>
    /// <param name="geometryX">The intra-source cost C1, n × n.</param>
    /// <param name="geometryY">The intra-target cost C2, m × m.</param>
    /// <param name="a">Source weights, length n, non-negative with positive mass; null for uniform 1/n.</param>
    /// <param name="b">Target weights, length m; null for uniform 1/m.</param>
    /// <param name="loss">The loss L (default <see cref="GromovLoss.Square"/>).</param>
    /// <param name="linearGeometry">The cross cost M (n × m) of a fused problem; null for plain GW.</param>
    /// <param name="alpha">
    /// The fusion weight α ∈ [0, 1] of POT (objective (1 − α)⟨M, P⟩ + α·GW); null for 0.5 in a fused problem. Without a
    /// linear geometry it must be null or 1.
    /// </param>
    /// <param name="relaxation">The marginal relaxation; null for <see cref="Relaxation.Balanced"/>.</param>
    /// <param name="symmetric">
    /// Whether C1 and C2 are both symmetric; null to detect it (point clouds with one cloud on both sides and a built-in
    /// cost are symmetric; other geometries up to 2²⁶ entries are compared with their transposes in O(n² + m²); larger
    /// ones are treated as asymmetric, which is always correct but costs two tensor products per gradient).
    /// </param>
    /// <exception cref="InputValidationException">Shapes that do not match, invalid weights, α outside [0, 1] or given
    /// without a linear geometry, or unequal masses in a balanced problem.</exception>
    public QuadraticProblem(
        CostGeometry<T> geometryX,
        CostGeometry<T> geometryY,
        T[]? a = null,
        T[]? b = null,
        GromovLoss loss = GromovLoss.Square,
        CostGeometry<T>? linearGeometry = null,
        double? alpha = null,
        Relaxation? relaxation = null,
        bool? symmetric = null)
    {
        ArgumentNullException.ThrowIfNull(geometryX);
        ArgumentNullException.ThrowIfNull(geometryY);
        if (geometryX.Rows != geometryX.Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The source cost C1 must be square (got {geometryX.Rows} × {geometryX.Cols}).", nameof(geometryX));
        }

        if (geometryY.Rows != geometryY.Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The target cost C2 must be square (got {geometryY.Rows} × {geometryY.Cols}).", nameof(geometryY));
        }

        if (!Enum.IsDefined(loss))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown Gromov loss {loss}.", nameof(loss));
        }

        var n = geometryX.Rows;
        var m = geometryY.Rows;
        if (linearGeometry is not null && (linearGeometry.Rows != n || linearGeometry.Cols != m))
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The linear cost M is {linearGeometry.Rows} × {linearGeometry.Cols}; the problem is {n} × {m}.", nameof(linearGeometry));
        }

        if (alpha is { } al && (!(al >= 0 && al <= 1) || (linearGeometry is null && al != 1)))
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                linearGeometry is null ? $"A fusion weight α = {al} needs a linear cost M (plain GW is α = 1)." : $"The fusion weight α must lie in [0, 1] (got {al}).",
                nameof(alpha));
        }

        GeometryX = geometryX;
        GeometryY = geometryY;
        Loss = loss;
        LinearGeometry = linearGeometry;
        Alpha = linearGeometry is null ? 1.0 : alpha ?? 0.5;
        _a = a is null ? Marginals.Uniform<T>(n) : a;
        _b = b is null ? Marginals.Uniform<T>(m) : b;
        MassA = Marginals.Validate<T>(_a, n, "a");
        MassB = Marginals.Validate<T>(_b, m, "b");
        Relaxation = relaxation ?? Relaxation.Balanced;
        if (Relaxation.IsBalanced && Math.Abs(MassA - MassB) > 1e-6 * Math.Max(MassA, MassB))
        {
            throw new InputValidationException(
                InputProblem.MassMismatch,
                $"A balanced problem needs equal masses, but a sums to {MassA:R} and b to {MassB:R}. Normalize the weights or relax a marginal.",
                nameof(b));
        }

        IsSymmetric = symmetric ?? (GromovTensor<T>.IsSymmetricGeometry(geometryX) && GromovTensor<T>.IsSymmetricGeometry(geometryY));
    }

    /// <summary>n, the number of source points.</summary>
    public int Rows => GeometryX.Rows;

    /// <summary>m, the number of target points.</summary>
    public int Cols => GeometryY.Rows;

    /// <summary>The intra-source cost C1 (n × n).</summary>
    public CostGeometry<T> GeometryX { get; }

    /// <summary>The intra-target cost C2 (m × m).</summary>
    public CostGeometry<T> GeometryY { get; }

    /// <summary>The cross cost M (n × m) of a fused problem, or null.</summary>
    public CostGeometry<T>? LinearGeometry { get; }

    /// <summary>Whether the problem is fused (has a linear cost M).</summary>
    public bool IsFused => LinearGeometry is not null;

    /// <summary>The fusion weight α of POT: objective (1 − α)⟨M, P⟩ + α·GW(P); 1 for plain GW.</summary>
    public double Alpha { get; }

    /// <summary>The loss L.</summary>
    public GromovLoss Loss { get; }

    /// <summary>Whether C1 and C2 are both symmetric (the gradient is then 2·L ⊗ P).</summary>
    public bool IsSymmetric { get; }

    /// <summary>Source weights a (length n).</summary>
    public ReadOnlySpan<T> A => _a;

    /// <summary>Target weights b (length m).</summary>
    public ReadOnlySpan<T> B => _b;

    /// <summary>Total source mass Σa.</summary>
    public double MassA { get; }

    /// <summary>Total target mass Σb.</summary>
    public double MassB { get; }

    /// <summary>How strictly the marginals are enforced (balanced, semi-relaxed or unbalanced).</summary>
    public Relaxation Relaxation { get; }

    /// <summary>Whether both marginals are enforced exactly.</summary>
    public bool IsBalanced => Relaxation.IsBalanced;

    /// <summary>The tensor products of this problem (L ⊗ P, the GW value and its gradient), created once.</summary>
    public GromovTensor<T> Tensor => _tensor ??= new GromovTensor<T>(GeometryX, GeometryY, Loss, IsSymmetric);

    /// <summary>
    /// Builds a problem from two point clouds in (possibly) different spaces, with C1 = c(x_i, x_k) and C2 = c(y_j, y_l)
    /// computed on the fly from each cloud (never stored), and a and b from the clouds' weights as given (uniform 1/n
    /// where absent).
    /// </summary>
    /// <param name="source">Source points (and weights).</param>
    /// <param name="target">Target points (and weights); the dimension may differ from the source's.</param>
    /// <param name="cost">The intra-space cost (default squared Euclidean).</param>
    /// <param name="loss">The loss L.</param>
    /// <param name="relaxation">The marginal relaxation; null for balanced.</param>
    /// <returns>The problem.</returns>
    /// <exception cref="InputValidationException">Invalid weights or unequal masses in a balanced problem.</exception>
    public static QuadraticProblem<T> FromPointClouds(PointCloud<T> source, PointCloud<T> target, ICostFunction<T>? cost = null, GromovLoss loss = GromovLoss.Square, Relaxation? relaxation = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var a = source.HasWeights ? source.Weights.ToArray() : Marginals.Uniform<T>(source.Count);
        var b = target.HasWeights ? target.Weights.ToArray() : Marginals.Uniform<T>(target.Count);
        return new QuadraticProblem<T>(new PointCloudGeometry<T>(source, source, cost), new PointCloudGeometry<T>(target, target, cost), a, b, loss, relaxation: relaxation);
    }

    /// <summary>The same problem with a linear cross cost M and fusion weight α (fused GW).</summary>
    /// <param name="linearGeometry">M, n × m.</param>
    /// <param name="alpha">α ∈ [0, 1] (POT's convention).</param>
    /// <returns>The fused problem.</returns>
    /// <exception cref="InputValidationException">Shape mismatch or α outside [0, 1].</exception>
    public QuadraticProblem<T> WithLinear(CostGeometry<T> linearGeometry, double alpha)
    {
        ArgumentNullException.ThrowIfNull(linearGeometry);
        return new QuadraticProblem<T>(GeometryX, GeometryY, _a, _b, Loss, linearGeometry, alpha, Relaxation, IsSymmetric);
    }

    /// <summary>The same problem with another relaxation.</summary>
    /// <param name="relaxation">The new relaxation.</param>
    /// <returns>The problem.</returns>
    /// <exception cref="InputValidationException">The new relaxation is balanced and the masses differ.</exception>
    public QuadraticProblem<T> WithRelaxation(Relaxation relaxation)
    {
        ArgumentNullException.ThrowIfNull(relaxation);
        return relaxation.Equals(Relaxation) ? this : new QuadraticProblem<T>(GeometryX, GeometryY, _a, _b, Loss, LinearGeometry, IsFused ? Alpha : null, relaxation, IsSymmetric);
    }

    /// <summary>
    /// The linear problem of one outer step at the plan P (n × m, row-major, dense): its cost is the gradient of the
    /// objective, (1 − α)·M + α·(L ⊗ P + Lᵀ ⊗ P), stored as a dense geometry, with this problem's weights and relaxation.
    /// Every linear solver can run on it (network simplex for the conditional gradient, Sinkhorn for entropic GW).
    /// </summary>
    /// <param name="plan">P, length n·m.</param>
    /// <returns>The linearized problem.</returns>
    /// <remarks>
    /// O(n²m + nm²) time (two products with C1 and C2, four when they are asymmetric) and O(n·m) memory. This is POT's
    /// gradient (2·L ⊗ P for symmetric costs), so an entropic solver run on it with ε reproduces POT's entropic GW at ε;
    /// OTT-JAX linearizes with L ⊗ P and so uses ε/2 for the same iterates.
    /// </remarks>
    /// <exception cref="ArgumentException">The plan has the wrong length.</exception>
    public LinearProblem<T> Linearize(ReadOnlySpan<T> plan)
    {
        var cost = Gradient(plan);
        return new LinearProblem<T>(new DenseGeometry<T>(cost, Rows, Cols), _a, _b, Relaxation);
    }

    /// <summary>
    /// The linear problem of one outer step at a factored plan P = Q M Rᵀ: its cost is the gradient of the objective as
    /// a factored geometry (rank at most 2·(k + 2) for factors of rank k, plus M's parts in a fused problem), so no
    /// n × m matrix is formed.
    /// </summary>
    /// <param name="plan">The factored plan.</param>
    /// <returns>The linearized problem.</returns>
    /// <remarks>O((n + m)·r·k²) time and memory for a plan of rank r (see <see cref="GromovTensor{T}.Gradient(LowRankCoupling)"/>).</remarks>
    /// <exception cref="UnsupportedCostException">C1 or C2 has no factors, or the loss is not <see cref="GromovLoss.Square"/>.</exception>
    public LinearProblem<T> Linearize(LowRankCoupling plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        CheckPlanShape(plan);
        CostGeometry<T> gradient = Tensor.Gradient(plan);
        if (LinearGeometry is not null)
        {
            gradient = new SumGeometry<T>([LinearGeometry, gradient], [T.CreateChecked(1 - Alpha), T.CreateChecked(Alpha)]);
        }

        return new LinearProblem<T>(gradient, _a, _b, Relaxation);
    }

    /// <summary>The gradient of the objective at a dense plan, (1 − α)·M + α·(L ⊗ P + Lᵀ ⊗ P), row-major n × m.</summary>
    /// <param name="plan">P, length n·m.</param>
    /// <returns>A fresh array.</returns>
    /// <exception cref="ArgumentException">The plan has the wrong length.</exception>
    public T[] Gradient(ReadOnlySpan<T> plan)
    {
        CheckPlanLength(plan);
        var grad = Tensor.Gradient(plan);
        if (LinearGeometry is null)
        {
            return grad;
        }

        var alpha = T.CreateChecked(Alpha);
        var beta = T.CreateChecked(1 - Alpha);
        TensorPrimitives.Multiply(grad, alpha, grad);
        var m = Cols;
        var row = new T[m];
        for (var i = 0; i < Rows; i++)
        {
            LinearGeometry.FillCostBlock(i, 1, 0, m, row);
            var g = grad.AsSpan(i * m, m);
            TensorPrimitives.MultiplyAdd(row, beta, g, g);
        }

        return grad;
    }

    /// <summary>
    /// <see cref="Gradient(ReadOnlySpan{T})"/> written into a caller's buffer (with factored square-loss costs no n × m
    /// temporary is allocated; see <see cref="Solvers.Quadratic.GromovTensor{T}"/>).
    /// </summary>
    /// <param name="plan">P, length n·m.</param>
    /// <param name="destination">The gradient, length n·m.</param>
    /// <param name="row">Scratch of length m (the rows of M for FGW).</param>
    internal void GradientInto(ReadOnlySpan<T> plan, Span<T> destination, Span<T> row)
    {
        CheckPlanLength(plan);
        Tensor.GradientInto(plan, destination);
        if (LinearGeometry is null)
        {
            return;
        }

        var alpha = T.CreateChecked(Alpha);
        var beta = T.CreateChecked(1 - Alpha);
        TensorPrimitives.Multiply(destination, alpha, destination);
        var m = Cols;
        for (var i = 0; i < Rows; i++)
        {
            LinearGeometry.FillCostBlock(i, 1, 0, m, row);
            var g = destination.Slice(i * m, m);
            TensorPrimitives.MultiplyAdd(row, beta, g, g);
        }
    }

    /// <summary>The objective (1 − α)·⟨M, P⟩ + α·GW(P) at a dense plan (POT's value).</summary>
    /// <param name="plan">P, length n·m.</param>
    /// <returns>The value.</returns>
    /// <remarks>O(n²m + nm²) time.</remarks>
    /// <exception cref="ArgumentException">The plan has the wrong length.</exception>
    public double Value(ReadOnlySpan<T> plan)
    {
        CheckPlanLength(plan);
        var gw = Tensor.Value(plan);
        return IsFused ? ((1 - Alpha) * LinearValue(plan)) + (Alpha * gw) : gw;
    }

    /// <summary>The linear term ⟨M, P⟩ at a dense plan (0 for plain GW).</summary>
    /// <param name="plan">P, length n·m.</param>
    /// <returns>The value.</returns>
    /// <remarks>O(n·m) time, one row of M at a time.</remarks>
    /// <exception cref="ArgumentException">The plan has the wrong length.</exception>
    public double LinearValue(ReadOnlySpan<T> plan)
    {
        CheckPlanLength(plan);
        if (LinearGeometry is null)
        {
            return 0;
        }

        var m = Cols;
        var row = new T[m];
        var sum = 0.0;
        for (var i = 0; i < Rows; i++)
        {
            LinearGeometry.FillCostBlock(i, 1, 0, m, row);
            sum += double.CreateChecked(TensorPrimitives.Dot<T>(row, plan.Slice(i * m, m)));
        }

        return sum;
    }

    private void CheckPlanLength(ReadOnlySpan<T> plan)
    {
        if (plan.Length != (long)Rows * Cols)
        {
            throw new ArgumentException($"The plan has length {plan.Length}; expected {Rows} × {Cols}.", nameof(plan));
        }
    }

    private void CheckPlanShape(LowRankCoupling plan)
    {
        if (plan.Rows != Rows || plan.Cols != Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The plan is {plan.Rows} × {plan.Cols}; the problem is {Rows} × {Cols}.", nameof(plan));
        }
    }
}
