using Monge.Geometry;
using Monge.Geometry.Costs;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Low-rank factors C ≈ A Bᵀ of one block's cost, gathered into a workspace (rows in the block's index order) by the
/// shared builder <see cref="CostFactorization"/>: exact for squared Euclidean (k = d + 2, centred at the block's mean)
/// and dot (k = d), a Nyström skeleton on sampled landmarks for every other cost (k = min(landmarks, block size)).
/// Only the co-clustering sees these factors; leaves and reported costs use the exact cost.
/// Time O(m·d·k + m·k²); memory 2·m·k.
/// </summary>
internal static class BlockFactors
{
    /// <summary>Number of factor columns for a cost.</summary>
    public static int Columns(ICostFunction<double>? cost, int dimension, int landmarks, int blockSize) =>
        CostFactorization.Columns(cost, dimension, landmarks, blockSize);

    /// <summary>Fills <c>ws.FactorX</c> and <c>ws.FactorY</c>; returns k. The sampled factors' rows run on the threads
    /// of <paramref name="parallel"/> when given (fixed chunks: the same bits at any thread count).</summary>
    public static int Gather(CoClusteringWorkspace ws, ReadOnlySpan<double> x, ReadOnlySpan<double> y, int d, ReadOnlySpan<int> ix, ReadOnlySpan<int> iy, ICostFunction<double>? cost, int landmarks, Random rng, ParallelOptions? parallel = null)
    {
        var m = ix.Length;
        var k = Columns(cost, d, landmarks, m);
        ws.EnsureFactors(m, k);
        return CostFactorization.Fill(x, y, d, ix, iy, cost, landmarks, rng, ws.FactorX.AsSpan(0, m * k), ws.FactorY.AsSpan(0, m * k), parallel);
    }

    /// <summary>‖u − v‖.</summary>
    public static double Distance(ReadOnlySpan<double> u, ReadOnlySpan<double> v) => Math.Sqrt(SquaredDistance(u, v));

    /// <summary>c(u, v) for HiRef's ground cost (null: squared Euclidean); squared Euclidean and Euclidean without an interface call.</summary>
    public static double PairCost(ReadOnlySpan<double> u, ReadOnlySpan<double> v, ICostFunction<double>? cost) => cost switch
    {
        null or SquaredEuclidean<double> => SquaredDistance(u, v),
        Euclidean<double> => Math.Sqrt(SquaredDistance(u, v)),
        _ => cost.Evaluate(u, v),
    };

    /// <summary>‖u − v‖².</summary>
    public static double SquaredDistance(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        var s = 0.0;
        for (var j = 0; j < u.Length; j++)
        {
            var t = u[j] - v[j];
            s += t * t;
        }

        return s;
    }
}
