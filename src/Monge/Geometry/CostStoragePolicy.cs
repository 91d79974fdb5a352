using System.Numerics;
using System.Runtime.CompilerServices;
using Monge.Geometry.Costs;

namespace Monge.Geometry;

/// <summary>
/// The one rule for dense versus online costs: a point-cloud geometry is stored as a dense matrix (built once with
/// matrix products for squared Euclidean, see <c>Numerics.SquaredDistanceProducts</c>) when the matrix and its
/// transposed copy fit in the memory budget and a pass over stored costs is cheaper than recomputing them (every cost
/// but squared Euclidean, whose fused online kernel costs d multiply-adds per entry, so from
/// <see cref="DenseMinDimension"/> dimensions on). Other geometries are used as given. A stored factorization C = A Bᵀ
/// is never chosen for squared Euclidean point clouds: the online kernel already evaluates the rank-(d + 2) expansion
/// per entry, so stored factors would cost the same per soft-min.
/// </summary>
internal static class CostStoragePolicy
{
    /// <summary>From this dimension on a stored squared Euclidean matrix is faster per pass than the online kernel (docs/sinkhorn.md, "Cost storage").</summary>
    public const int DenseMinDimension = 16;

    /// <summary>The default budget for a stored cost: a quarter of the memory available to the process, at most 2 GiB.</summary>
    public static long DefaultBudget => Math.Min(2L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);

    /// <summary>Bytes of a stored n × m matrix of <typeparamref name="T"/> and its transposed copy.</summary>
    public static long DenseBytes<T>(int n, int m)
        where T : unmanaged
        => 2L * n * m * Unsafe.SizeOf<T>();

    /// <summary>
    /// The geometry to iterate on, its storage and its memory. <paramref name="requested"/> = <see cref="CostStorage.Dense"/>
    /// materializes any geometry within the budget; <see cref="CostStorage.Online"/> keeps the geometry as given.
    /// </summary>
    /// <exception cref="InputValidationException">Dense storage was requested but does not fit the budget.</exception>
    public static (CostGeometry<T> Geometry, CostStorage Storage, long Bytes) Choose<T>(CostGeometry<T> geometry, CostStorage requested, long? budget)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = geometry.Rows;
        var m = geometry.Cols;
        var dense = DenseBytes<T>(n, m);
        var limit = budget ?? DefaultBudget;
        var fits = dense <= limit && (long)n * m <= Array.MaxLength;
        if (geometry.IsDense)
        {
            return (geometry, CostStorage.Dense, dense);
        }

        var given = Describe(geometry);
        switch (requested)
        {
            case CostStorage.Online:
            case CostStorage.Factored:
                return given;
            case CostStorage.Dense when !fits:
                throw new InputValidationException(
                    InputProblem.InvalidParameter,
                    $"Dense cost storage for {n} × {m} needs {dense:N0} bytes (the matrix and its transposed copy), above the budget of {limit:N0} bytes.",
                    nameof(requested));
            case CostStorage.Dense:
                return (Materialize(geometry), CostStorage.Dense, dense);
        }

        if (fits && geometry is IPointCloudGeometry<T> cloud
            && (!CostFunction.IsSquaredEuclidean(cloud.CostFunction) || cloud.Source.Dimension >= DenseMinDimension))
        {
            return (Materialize(geometry), CostStorage.Dense, dense);
        }

        return given;
    }

    private static (CostGeometry<T>, CostStorage, long) Describe<T>(CostGeometry<T> geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var size = Unsafe.SizeOf<T>();
        if (geometry is IFactoredGeometry<T> factored)
        {
            return (geometry, CostStorage.Factored, (long)(geometry.Rows + geometry.Cols) * factored.Rank * size);
        }

        var d = geometry is IPointCloudGeometry<T> cloud ? cloud.Source.Dimension : 0;
        return (geometry, CostStorage.Online, (long)(geometry.Rows + geometry.Cols) * d * size);
    }

    private static DenseGeometry<T> Materialize<T>(CostGeometry<T> geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
        => new(geometry.MaterializeRawCosts(), geometry.Rows, geometry.Cols, geometry.ScaleFactor, trusted: true);
}
