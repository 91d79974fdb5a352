using System.Numerics;
using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Problems;

/// <summary>
/// A linear (Kantorovich) optimal transport problem: a cost geometry, source weights a (length Rows), target weights b
/// (length Cols) and the marginal relaxation τ_a, τ_b (OTT-JAX <c>LinearProblem</c>). Validated data: constructing it
/// checks every input, so solvers can start work immediately.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Unbalancedness follows OTT-JAX: τ = ρ / (ρ + ε) ∈ (0, 1], where ρ is the weight of the KL penalty on that marginal
/// and ε the entropic regularization; τ = 1 enforces the marginal exactly (balanced), τ → 0 ignores it. POT's
/// <c>reg_m</c> is ρ, so <c>τ = reg_m / (reg_m + reg)</c>. τ_a = 1 with τ_b &lt; 1 (or the reverse) is the semi-relaxed problem.
/// </para>
/// <para>Weights are used as given (not normalized); a balanced problem requires equal total masses (relative tolerance 1e-6).</para>
/// </remarks>
public sealed class LinearProblem<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _a;
    private readonly T[] _b;

    /// <summary>Creates the problem.</summary>
    /// <param name="geometry">The n × m cost geometry.</param>
    /// <param name="a">Source weights, length n, non-negative with positive mass; null for uniform 1/n.</param>
    /// <param name="b">Target weights, length m; null for uniform 1/m.</param>
    /// <param name="tauA">τ_a ∈ (0, 1]; 1 keeps the source marginal exact.</param>
    /// <param name="tauB">τ_b ∈ (0, 1]; 1 keeps the target marginal exact.</param>
    /// <exception cref="InputValidationException">Invalid weights, τ outside (0, 1], or unequal masses in a balanced problem.</exception>
    public LinearProblem(CostGeometry<T> geometry, T[]? a = null, T[]? b = null, double tauA = 1, double tauB = 1)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        Geometry = geometry;
        _a = a is null ? Marginals.Uniform<T>(geometry.Rows) : a;
        _b = b is null ? Marginals.Uniform<T>(geometry.Cols) : b;
        MassA = Marginals.Validate<T>(_a, geometry.Rows, "a");
        MassB = Marginals.Validate<T>(_b, geometry.Cols, "b");
        CheckTau(tauA, nameof(tauA));
        CheckTau(tauB, nameof(tauB));
        TauA = tauA;
        TauB = tauB;
        if (tauA == 1 && tauB == 1 && Math.Abs(MassA - MassB) > 1e-6 * Math.Max(MassA, MassB))
        {
            throw new InputValidationException(
                InputProblem.MassMismatch,
                $"A balanced problem needs equal masses, but a sums to {MassA:R} and b to {MassB:R}. Normalize the weights or relax a marginal (τ < 1).",
                nameof(b));
        }
    }

    /// <summary>The cost geometry.</summary>
    public CostGeometry<T> Geometry { get; }

    /// <summary>Source weights a (length Rows).</summary>
    public ReadOnlySpan<T> A => _a;

    /// <summary>Target weights b (length Cols).</summary>
    public ReadOnlySpan<T> B => _b;

    /// <summary>Total source mass Σa.</summary>
    public double MassA { get; }

    /// <summary>Total target mass Σb.</summary>
    public double MassB { get; }

    /// <summary>τ_a ∈ (0, 1].</summary>
    public double TauA { get; }

    /// <summary>τ_b ∈ (0, 1].</summary>
    public double TauB { get; }

    /// <summary>Whether both marginals are enforced exactly.</summary>
    public bool IsBalanced => TauA == 1 && TauB == 1;

    /// <summary>Builds a problem on two point clouds, taking a and b from their weights (uniform where absent).</summary>
    /// <param name="source">Source points (and weights).</param>
    /// <param name="target">Target points (and weights).</param>
    /// <param name="cost">The ground cost (default squared Euclidean).</param>
    /// <param name="tauA">τ_a.</param>
    /// <param name="tauB">τ_b.</param>
    /// <exception cref="InputValidationException">Dimension mismatch, invalid τ, or unequal masses in a balanced problem.</exception>
    public static LinearProblem<T> FromPointClouds(PointCloud<T> source, PointCloud<T> target, ICostFunction<T>? cost = null, double tauA = 1, double tauB = 1)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var geometry = new PointCloudGeometry<T>(source, target, cost);
        return new LinearProblem<T>(geometry, source.NormalizedWeights(), target.NormalizedWeights(), tauA, tauB);
    }

    /// <summary>ρ = ε τ / (1 − τ) for a given ε (∞ when τ = 1).</summary>
    /// <param name="tau">τ.</param>
    /// <param name="epsilon">ε.</param>
    public static double Rho(double tau, double epsilon) => tau >= 1 ? double.PositiveInfinity : epsilon * tau / (1 - tau);

    /// <summary>The same problem with another geometry (for example rescaled costs) of the same shape.</summary>
    /// <param name="geometry">The new geometry.</param>
    /// <exception cref="InputValidationException">The shape differs.</exception>
    public LinearProblem<T> WithGeometry(CostGeometry<T> geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (geometry.Rows != Geometry.Rows || geometry.Cols != Geometry.Cols)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The new geometry is {geometry.Rows} × {geometry.Cols}; the problem is {Geometry.Rows} × {Geometry.Cols}.", nameof(geometry));
        }

        return new LinearProblem<T>(geometry, _a, _b, TauA, TauB);
    }

    private static void CheckTau(double tau, string name)
    {
        if (!(tau > 0 && tau <= 1))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"{name} must lie in (0, 1] (got {tau}); τ = ρ/(ρ+ε), 1 means balanced.", name);
        }
    }
}
