using System.Numerics;
using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers;

/// <summary>
/// The one output contract of every transport solver: the plan P (n × m) as an operator, its cost, its marginals and the
/// solver's convergence report. Implementations compute products online where they can (entropic plans are never stored
/// unless <see cref="ToDense"/> is called; exact plans are sparse; low-rank plans are factors).
/// </summary>
/// <typeparam name="T">The element type of the vectors the plan is applied to (<see cref="float"/> or <see cref="double"/>).</typeparam>
/// <remarks>
/// <para>
/// One normalization everywhere: P is the plan <em>with the problem's masses</em> (for a balanced problem with weights a
/// and b, P1 ≈ a and Pᵀ1 ≈ b, so Σ P_ij = Σ a_i; nothing is divided by n or by the total mass), and
/// <see cref="Cost"/> = ⟨C, P⟩ = Σ_ij C_ij P_ij with C the (scaled) cost of the problem's geometry.
/// </para>
/// <para>
/// Axis convention as <see cref="CostGeometry{T}"/>: <see cref="Axis.Rows"/> gives P·V (one entry per source point),
/// <see cref="Axis.Columns"/> gives Pᵀ·U (one entry per target point). Potentials, where a solver has them, are named
/// <c>F</c> (source) and <c>G</c> (target) on its result; a barycentric map, where it exists, is
/// <c>BarycentricProjection()</c>.
/// </para>
/// </remarks>
public interface ITransportPlan<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>n, the number of source points (rows of P).</summary>
    int SourceCount { get; }

    /// <summary>m, the number of target points (columns of P).</summary>
    int TargetCount { get; }

    /// <summary>The transport cost ⟨C, P⟩ of the plan with the problem's masses (see the remarks of <see cref="ITransportPlan{T}"/>).</summary>
    double Cost { get; }

    /// <summary>The row marginal P1 (length n, a fresh array).</summary>
    double[] SourceMarginal { get; }

    /// <summary>The column marginal Pᵀ1 (length m, a fresh array).</summary>
    double[] TargetMarginal { get; }

    /// <summary>The solver's convergence report (status, iterations, error trace, time).</summary>
    Convergence Convergence { get; }

    /// <summary><c>P·v</c> for <see cref="Axis.Rows"/> (v of length m, result length n) or <c>Pᵀ·v</c> for <see cref="Axis.Columns"/>.</summary>
    /// <param name="vector">v.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <returns>The product.</returns>
    /// <exception cref="ArgumentException">Wrong length.</exception>
    double[] ApplyPlan(ReadOnlySpan<T> vector, Axis axis);

    /// <summary>
    /// The plan applied to k vectors at once: for <see cref="Axis.Rows"/>, V is m × k row-major and the result P·V is n × k;
    /// for <see cref="Axis.Columns"/>, U is n × k and the result Pᵀ·U is m × k.
    /// </summary>
    /// <param name="block">The vectors, row-major.</param>
    /// <param name="columns">k ≥ 1.</param>
    /// <param name="axis">Which index the result carries.</param>
    /// <returns>The row-major product.</returns>
    /// <exception cref="ArgumentException">Wrong lengths or k below 1.</exception>
    double[] ApplyPlan(ReadOnlySpan<T> block, int columns, Axis axis);

    /// <summary>The dense plan, row-major n × m, guarded by <see cref="PlanSize.EnsureDense{T}"/>.</summary>
    /// <param name="maxEntries">Refuse above this many entries (default <see cref="PlanSize.DefaultMaxEntries"/>).</param>
    /// <returns>The plan.</returns>
    /// <exception cref="InvalidOperationException">n·m exceeds <paramref name="maxEntries"/>.</exception>
    T[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries);
}
