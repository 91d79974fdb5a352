using System.Globalization;

namespace Monge.Problems;

/// <summary>
/// How strictly the two marginals of a transport problem are enforced: balanced (both exact), semi-relaxed (one exact,
/// one penalised) or unbalanced (both penalised by KL(P1 ‖ a) and KL(Pᵀ1 ‖ b)). One convention for every solver
/// (Sinkhorn, FRLC, low-rank Sinkhorn, and the quadratic solvers later).
/// </summary>
/// <remarks>
/// <para>Two equivalent parameters name the strength of a side. The KL weight ρ ∈ (0, +∞] multiplies the penalty
/// ρ·KL(P1 ‖ a) (POT's <c>reg_m</c>); ρ = +∞ is a hard constraint. The OTT-JAX parameter τ = ρ / (ρ + ε) ∈ (0, 1] also
/// depends on the entropic regularization ε of the solver; τ = 1 is a hard constraint.</para>
/// <para>A relaxation keeps the parameter it was built from (<see cref="FromTau"/> or <see cref="FromRho"/>) and
/// converts to the other one at the ε of the solver that reads it (<see cref="TauA"/>, <see cref="RhoA"/>, ...). A
/// solver whose ε changes during the run (ε-scaling in Sinkhorn, the step-dependent ε = 1/γ_k of FRLC's projections)
/// converts at each ε it uses: a relaxation given as τ keeps τ fixed, one given as ρ keeps ρ fixed.</para>
/// </remarks>
public sealed record Relaxation
{
    private readonly double _a;
    private readonly double _b;

    private Relaxation(double a, double b, bool givenAsRho)
    {
        _a = a;
        _b = b;
        IsGivenAsRho = givenAsRho;
    }

    /// <summary>Both marginals exact (τ = 1, ρ = +∞).</summary>
    public static Relaxation Balanced { get; } = new(1, 1, givenAsRho: false);

    /// <summary>Whether the relaxation was built from KL weights ρ (<see cref="FromRho"/>) rather than from τ.</summary>
    public bool IsGivenAsRho { get; }

    /// <summary>Whether the source marginal P1 = a is a hard constraint.</summary>
    public bool IsExactA => IsGivenAsRho ? double.IsPositiveInfinity(_a) : _a == 1;

    /// <summary>Whether the target marginal Pᵀ1 = b is a hard constraint.</summary>
    public bool IsExactB => IsGivenAsRho ? double.IsPositiveInfinity(_b) : _b == 1;

    /// <summary>Whether both marginals are hard constraints.</summary>
    public bool IsBalanced => IsExactA && IsExactB;

    /// <summary>A relaxation from the OTT-JAX parameters τ = ρ / (ρ + ε) ∈ (0, 1]; 1 keeps a marginal exact.</summary>
    /// <param name="tauA">τ_a of the source marginal.</param>
    /// <param name="tauB">τ_b of the target marginal.</param>
    /// <exception cref="InputValidationException">τ outside (0, 1].</exception>
    public static Relaxation FromTau(double tauA, double tauB)
    {
        CheckTau(tauA, nameof(tauA));
        CheckTau(tauB, nameof(tauB));
        return tauA == 1 && tauB == 1 ? Balanced : new Relaxation(tauA, tauB, givenAsRho: false);
    }

    /// <summary>A relaxation from the KL weights ρ ∈ (0, +∞] (POT's <c>reg_m</c>); +∞ keeps a marginal exact.</summary>
    /// <param name="rhoA">ρ_a of the source marginal.</param>
    /// <param name="rhoB">ρ_b of the target marginal.</param>
    /// <exception cref="InputValidationException">ρ not positive (or NaN).</exception>
    public static Relaxation FromRho(double rhoA, double rhoB)
    {
        CheckRho(rhoA, nameof(rhoA));
        CheckRho(rhoB, nameof(rhoB));
        return new Relaxation(rhoA, rhoB, givenAsRho: true);
    }

    /// <summary>τ_a = ρ_a / (ρ_a + ε) at the regularization <paramref name="epsilon"/> (1 when the source side is exact).</summary>
    /// <param name="epsilon">The solver's ε (positive).</param>
    public double TauA(double epsilon) => ToTau(_a, epsilon);

    /// <summary>τ_b = ρ_b / (ρ_b + ε) at the regularization <paramref name="epsilon"/> (1 when the target side is exact).</summary>
    /// <param name="epsilon">The solver's ε (positive).</param>
    public double TauB(double epsilon) => ToTau(_b, epsilon);

    /// <summary>ρ_a = ε τ_a / (1 − τ_a) at the regularization <paramref name="epsilon"/> (+∞ when the source side is exact).</summary>
    /// <param name="epsilon">The solver's ε (positive).</param>
    public double RhoA(double epsilon) => ToRho(_a, epsilon);

    /// <summary>ρ_b = ε τ_b / (1 − τ_b) at the regularization <paramref name="epsilon"/> (+∞ when the target side is exact).</summary>
    /// <param name="epsilon">The solver's ε (positive).</param>
    public double RhoB(double epsilon) => ToRho(_b, epsilon);

    /// <summary>
    /// The same relaxation expressed as τ at <paramref name="epsilon"/> (itself when given as τ): what a solver with a
    /// fixed ε, or a τ-based ε-schedule, works with.
    /// </summary>
    /// <param name="epsilon">The solver's ε (positive).</param>
    public Relaxation AtEpsilon(double epsilon) => IsGivenAsRho ? FromTau(TauA(epsilon), TauB(epsilon)) : this;

    /// <inheritdoc/>
    public override string ToString()
    {
        if (IsBalanced)
        {
            return "balanced";
        }

        var name = IsGivenAsRho ? "rho" : "tau";
        return string.Create(CultureInfo.InvariantCulture, $"{name}_a = {_a:R}, {name}_b = {_b:R}");
    }

    private double ToTau(double value, double epsilon)
    {
        if (!IsGivenAsRho)
        {
            return value;
        }

        CheckEpsilon(epsilon);
        return double.IsPositiveInfinity(value) ? 1.0 : value / (value + epsilon);
    }

    private double ToRho(double value, double epsilon)
    {
        if (IsGivenAsRho)
        {
            return value;
        }

        CheckEpsilon(epsilon);
        return value >= 1 ? double.PositiveInfinity : epsilon * value / (1 - value);
    }

    private static void CheckEpsilon(double epsilon)
    {
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"Converting a relaxation needs a positive, finite ε (got {epsilon}).", nameof(epsilon));
        }
    }

    private static void CheckTau(double tau, string name)
    {
        if (!(tau > 0 && tau <= 1))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"{name} must lie in (0, 1] (got {tau}); τ = ρ/(ρ+ε), 1 means exact.", name);
        }
    }

    private static void CheckRho(double rho, string name)
    {
        if (!(rho > 0))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"{name} must be positive or +∞ (got {rho}); ρ is the KL weight, +∞ means exact.", name);
        }
    }
}
