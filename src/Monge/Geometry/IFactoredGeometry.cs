using System.Numerics;

namespace Monge.Geometry;

/// <summary>
/// Capability of a geometry whose cost matrix is stored as factors C = A Bᵀ of rank r (scale folded into A), so that
/// C·V costs O((n + m)·r·k) and a sub-block is a subset of factor rows. FRLC, LR-Sinkhorn and Hierarchical
/// Refinement share factors through this interface (<see cref="Subset"/> on a block of rows and columns copies
/// O((|rows| + |cols|)·r) values, never recomputes them).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public interface IFactoredGeometry<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The factor rank r.</summary>
    int Rank { get; }

    /// <summary>The factors: A is Rows × r, B is Cols × r, both row-major, with the scale factor folded into A.</summary>
    LowRankFactors<T> Factors { get; }

    /// <summary>The factored geometry of the block C[rows, cols] (factor rows copied in the given order).</summary>
    /// <param name="rows">Row indices (each in [0, Rows)); at least one.</param>
    /// <param name="cols">Column indices (each in [0, Cols)); at least one.</param>
    /// <exception cref="InputValidationException">An index is out of range or a list is empty.</exception>
    IFactoredGeometry<T> Subset(ReadOnlySpan<int> rows, ReadOnlySpan<int> cols);
}
