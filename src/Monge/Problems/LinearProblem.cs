using System.Numerics;
using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Problems;

/// <summary>
/// A linear (Kantorovich) optimal transport problem: a cost geometry, source weights a (length Rows), target weights b
/// (length Cols) and the marginal <see cref="Problems.Relaxation"/> (OTT-JAX <c>LinearProblem</c>). Validated data:
/// constructing it checks every input, so solvers can start work immediately.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>
/// Unbalancedness is one <see cref="Problems.Relaxation"/>, given either as τ = ρ / (ρ + ε) ∈ (0, 1] (OTT-JAX) or as
/// the KL weight ρ ∈ (0, +∞] (POT's <c>reg_m</c>); every solver reads it with the same meaning, converting at its own ε.
/// One exact side and one relaxed side is the semi-relaxed problem.
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
    /// <param name="relaxation">The marginal relaxation; null for <see cref="Relaxation.Balanced"/>.</param>
    /// <exception cref="InputValidationException">Invalid weights, or unequal masses in a balanced problem.</exception>
    public LinearProblem(CostGeometry<T> geometry, T[]? a = null, T[]? b = null, Relaxation? relaxation = null)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        Geometry = geometry;
        _a = a is null ? Marginals.Uniform<T>(geometry.Rows) : a;
        _b = b is null ? Marginals.Uniform<T>(geometry.Cols) : b;
        MassA = Marginals.Validate<T>(_a, geometry.Rows, "a");
        MassB = Marginals.Validate<T>(_b, geometry.Cols, "b");
        Relaxation = relaxation ?? Relaxation.Balanced;
        if (Relaxation.IsBalanced && Math.Abs(MassA - MassB) > 1e-6 * Math.Max(MassA, MassB))
        {
            throw new InputValidationException(
                InputProblem.MassMismatch,
                $"A balanced problem needs equal masses, but a sums to {MassA:R} and b to {MassB:R}. Normalize the weights or relax a marginal.",
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

    /// <summary>How strictly the marginals are enforced (balanced, semi-relaxed or unbalanced).</summary>
    public Relaxation Relaxation { get; }

    /// <summary>Whether both marginals are enforced exactly.</summary>
    public bool IsBalanced => Relaxation.IsBalanced;

    /// <summary>
    /// Builds a problem on two point clouds, taking a and b from their weights as given (uniform 1/n where absent; never
    /// rescaled). To solve at mass one, normalize first: <c>x.WithWeights(x.NormalizedWeights())</c>.
    /// </summary>
    /// <param name="source">Source points (and weights).</param>
    /// <param name="target">Target points (and weights).</param>
    /// <param name="cost">The ground cost (default squared Euclidean).</param>
    /// <param name="relaxation">The marginal relaxation; null for balanced.</param>
    /// <exception cref="InputValidationException">Dimension mismatch, or unequal masses in a balanced problem.</exception>
    public static LinearProblem<T> FromPointClouds(PointCloud<T> source, PointCloud<T> target, ICostFunction<T>? cost = null, Relaxation? relaxation = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var geometry = new PointCloudGeometry<T>(source, target, cost);
        var a = source.HasWeights ? source.Weights.ToArray() : Marginals.Uniform<T>(source.Count);
        var b = target.HasWeights ? target.Weights.ToArray() : Marginals.Uniform<T>(target.Count);
        return new LinearProblem<T>(geometry, a, b, relaxation);
    }

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

        return new LinearProblem<T>(geometry, _a, _b, Relaxation);
    }

    /// <summary>The same problem with another relaxation (for example one given as ρ bound to a solver's ε with <see cref="Relaxation.AtEpsilon"/>).</summary>
    /// <param name="relaxation">The new relaxation.</param>
    /// <exception cref="InputValidationException">The new relaxation is balanced and the masses differ.</exception>
    public LinearProblem<T> WithRelaxation(Relaxation relaxation)
    {
        ArgumentNullException.ThrowIfNull(relaxation);
        return relaxation.Equals(Relaxation) ? this : new LinearProblem<T>(Geometry, _a, _b, relaxation);
    }

    /// <summary>ρ = ε τ / (1 − τ) (+∞ when τ = 1); kept for the Sinkhorn output, see <see cref="Relaxation.RhoA"/>.</summary>
    internal static double Rho(double tau, double epsilon) => tau >= 1 ? double.PositiveInfinity : epsilon * tau / (1 - tau);
}
