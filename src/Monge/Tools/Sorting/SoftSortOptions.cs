using Monge.Solvers.Entropic;

namespace Monge.Tools.Sorting;

/// <summary>
/// Options of the differentiable sorting operators in <see cref="SoftSort"/> (Cuturi, Teboul and Vert 2019).
/// </summary>
/// <remarks>
/// <para>
/// <b>Units.</b> The inputs z are first squashed into (0, 1) by s_i = sigmoid((z_i − mean)/std) (mean and standard
/// deviation weighted by the input weights), as OTT-JAX's default squashing function does, and transported to m targets
/// at linspace(0, 1, m) with the squared cost (s_i − y_j)². <see cref="Epsilon"/> is therefore measured on that unit
/// scale: it is relative to the spread of the inputs and every operator is unit-free (soft sort of 1000·z is 1000 times
/// the soft sort of z; ranks, masks and normalized values do not change; invariance under any shift and positive scale).
/// OTT-JAX's <c>soft_sort</c> uses the same squashing and the same default ε = 0.01, so ε means the same there.
/// </para>
/// <para>
/// As ε → 0 the operators tend to the hard sort, ranks, quantiles and top-k mask (ties are averaged); larger ε blurs
/// them towards the mean. A target spacing 1/(m − 1) much smaller than √ε is blurred anyway.
/// </para>
/// </remarks>
public sealed record SoftSortOptions
{
    /// <summary>The default Sinkhorn: L1 marginal threshold 1e-6, at most 20000 iterations, the exact 1-D <see cref="SinkhornInitializer.Sorting"/> start.</summary>
    public static Sinkhorn DefaultSolver { get; } = new()
    {
        Threshold = 1e-6,
        MaxIterations = 20000,
        Initializer = SinkhornInitializer.Sorting,
    };

    /// <summary>The entropic regularization on the squashed scale (inputs in (0, 1), targets on [0, 1]); default 0.01 (OTT-JAX's).</summary>
    public double Epsilon { get; init; } = 0.01;

    /// <summary>
    /// The Sinkhorn solver (default <see cref="DefaultSolver"/>). Its own <see cref="Sinkhorn.Epsilon"/> must be left null:
    /// ε is <see cref="Epsilon"/>. A tight threshold matters for gradients, which assume the fixed point.
    /// </summary>
    public Sinkhorn Solver { get; init; } = DefaultSolver;

    /// <summary>Relative residual at which the conjugate-gradient solve of a vector-Jacobian product stops (default 1e-10).</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>Conjugate-gradient iteration budget of a vector-Jacobian product (default 5000); running out throws.</summary>
    public int GradientMaxIterations { get; init; } = 5000;

    /// <summary>Plans with at most this many entries are materialized once (8 bytes each) for the gradient's products; larger ones are streamed. Tests lower it to cover both paths.</summary>
    internal long DensePlanLimit { get; init; } = 4_000_000;

    /// <summary>Checks the options.</summary>
    /// <exception cref="InputValidationException">An option is out of range, or <see cref="Solver"/> sets its own ε.</exception>
    public void Validate()
    {
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ε must be positive and finite (got {Epsilon}).", nameof(Epsilon));
        }

        if (Solver is null)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "Solver must not be null.", nameof(Solver));
        }

        if (Solver.Epsilon is not null)
        {
            throw new InputValidationException(
                InputProblem.InvalidParameter,
                $"Solver.Epsilon is set ({Solver.Epsilon}); soft sorting takes ε from SoftSortOptions.Epsilon (on the squashed scale), so leave the solver's null.",
                nameof(Solver));
        }

        Solver.Validate();
        if (!(GradientTolerance > 0) || !double.IsFinite(GradientTolerance))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"GradientTolerance must be positive and finite (got {GradientTolerance}).", nameof(GradientTolerance));
        }

        if (GradientMaxIterations < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"GradientMaxIterations must be at least 1 (got {GradientMaxIterations}).", nameof(GradientMaxIterations));
        }
    }
}
