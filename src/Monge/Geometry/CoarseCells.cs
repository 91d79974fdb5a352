using System.Numerics;
using System.Numerics.Tensors;

namespace Monge.Geometry;

/// <summary>
/// Seeded subsamples of a point cloud and the masses of their Voronoi cells: the coarse scale shared by the certificate
/// (<c>DualBound</c>) and HiRef's cheap global potential (<c>CoarsePotential</c>).
/// </summary>
/// <remarks>Time O(count) for a sample; O(n·k·d) for the cells, parallel over rows in tiles of 16. Memory O(count) and
/// O(n + k) plus one 16 × k tile per worker; never n × k. Deterministic for a seed whatever the thread count (each row's
/// nearest column is found by one worker; masses are summed in row order).</remarks>
internal static class CoarseCells
{
    private const int TileRows = 16;

    /// <summary>A uniform sample of <paramref name="k"/> of <paramref name="count"/> indices without replacement
    /// (partial Fisher–Yates), sorted.</summary>
    public static int[] Sample(Random rng, int count, int k)
    {
        var all = new int[count];
        for (var i = 0; i < count; i++)
        {
            all[i] = i;
        }

        for (var i = 0; i < k; i++)
        {
            var j = rng.Next(i, count);
            (all[i], all[j]) = (all[j], all[i]);
        }

        var result = all.AsSpan(0, k).ToArray();
        Array.Sort(result);
        return result;
    }

    /// <summary>
    /// The mass of each coarse point's cell: Σ of <paramref name="weights"/> (null: uniform, each row counts one) over the
    /// points (rows of <paramref name="toCoarse"/>) whose cheapest coarse point (column) it is, normalized to one. Ties go
    /// to the lower column.
    /// </summary>
    public static T[] Weights<T>(CostGeometry<T> toCoarse, T[]? weights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = toCoarse.Rows;
        var k = toCoarse.Cols;
        var nearest = new int[n];
        Parallel.For(0, (n + TileRows - 1) / TileRows, () => new T[TileRows * k], (block, _, tile) =>
        {
            var i0 = block * TileRows;
            var count = Math.Min(TileRows, n - i0);
            toCoarse.FillCostBlock(i0, count, 0, k, tile);
            for (var r = 0; r < count; r++)
            {
                nearest[i0 + r] = TensorPrimitives.IndexOfMin<T>(tile.AsSpan(r * k, k));
            }

            return tile;
        }, _ => { });
        var mass = new double[k];
        for (var i = 0; i < n; i++)
        {
            mass[nearest[i]] += weights is null ? 1.0 : double.CreateTruncating(weights[i]);
        }

        var total = weights is null ? n : mass.Sum();
        var result = new T[k];
        for (var j = 0; j < k; j++)
        {
            result[j] = T.CreateTruncating(mass[j] / total);
        }

        return result;
    }
}
