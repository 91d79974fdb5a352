using System.Numerics;
using System.Runtime.InteropServices;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Entropic;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// A cheap global target potential for <see cref="GlobalSparsePolish"/> (issue #14): entropic OT between seeded random
/// subsamples of <c>size</c> points per side, each carrying the mass of its cell (the points nearest to it), solved by the
/// library's <see cref="Sinkhorn"/> (ε-scaling), and extended to every target by one soft c-transform over the source
/// subsample, g(y) = softmin_ε,i (c(x_i, y) − f_i). This is the coarse stage of the certificate (<c>DualBound</c>) without
/// its quadratic refinement and c-transforms: what the global refinement needs is the large-scale part of the dual (the
/// price offsets between clusters and regions, which the sparse auction's own prices cannot find), the auction refines
/// the rest pass by pass.
/// </summary>
/// <remarks>Time: O(s²·d) per Sinkhorn iteration (at most <c>iterations</c>) plus three O(n·s·d) passes (two cell
/// assignments and the extension), all parallel over rows; float32 for the squared Euclidean cost. Memory: O((n + s)·d)
/// for the subsamples and the float32 copy, O(n) for g, O(tile) per worker; never n × s. Deterministic for a seed
/// whatever the thread count (every row reduction is computed by one worker in a fixed order).</remarks>
internal static class CoarsePotential
{
    /// <summary>The target potential g (length n, by target index) of the subsampled entropic problem.</summary>
    /// <param name="x">Source points, n·d row-major.</param>
    /// <param name="y">Target points, n·d row-major.</param>
    /// <param name="n">Points per side.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="cost">The cost (null: squared Euclidean).</param>
    /// <param name="size">Subsample points per side.</param>
    /// <param name="epsilon">Sinkhorn ε relative to the subsample's mean cost.</param>
    /// <param name="seed">Seed of the subsample.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public static double[] Target(ReadOnlyMemory<double> x, ReadOnlyMemory<double> y, int n, int d, ICostFunction<double>? cost, int size, double epsilon, int seed, CancellationToken cancellationToken)
    {
        var source = new PointCloud<double>(AsArray(x, n * d), n, d);
        var target = new PointCloud<double>(AsArray(y, n * d), n, d);
        return CostFunction.IsSquaredEuclidean(cost)
            ? Solve<float>(source.Convert<float>(), target.Convert<float>(), null, size, epsilon, seed, cancellationToken)
            : Solve(source, target, cost, size, epsilon, seed, cancellationToken);
    }

    private static double[] Solve<T>(PointCloud<T> source, PointCloud<T> target, ICostFunction<T>? cost, int size, double epsilon, int seed, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = source.Count;
        var s = Math.Min(size, n);
        var rng = new Random(seed);
        var subSource = source.Subset(CoarseCells.Sample(rng, n, s));
        var subTarget = target.Subset(CoarseCells.Sample(rng, n, s));
        var subA = CoarseCells.Weights<T>(new PointCloudGeometry<T>(source, subSource, cost), null);
        var subB = CoarseCells.Weights<T>(new PointCloudGeometry<T>(target, subTarget, cost), null);
        cancellationToken.ThrowIfCancellationRequested();
        var sinkhorn = new Sinkhorn
        {
            Epsilon = epsilon,
            EpsilonRelativeTo = EpsilonReference.MeanCost,
            EpsilonScaling = new EpsilonScaling(1000, 0.9),
            MaxIterations = 300,
            Threshold = 1e-3,
        };
        var coarse = sinkhorn.Solve(new LinearProblem<T>(new PointCloudGeometry<T>(subSource, subTarget, cost), subA, subB), null, cancellationToken);
        var g = new T[n];
        new PointCloudGeometry<T>(subSource, target, cost).SoftMin(coarse.F, SinkhornState<T>.LogWeights(subA), T.CreateTruncating(coarse.Epsilon), Axis.Columns, g);
        var result = new double[n];
        for (var j = 0; j < n; j++)
        {
            result[j] = double.CreateTruncating(g[j]);
        }

        return result;
    }

    // The points' own array when the memory is a whole array (no copy), else a copy.
    private static double[] AsArray(ReadOnlyMemory<double> points, int length) =>
        MemoryMarshal.TryGetArray(points, out var segment) && segment.Offset == 0 && segment.Count == length && segment.Array!.Length == length
            ? segment.Array
            : points.Span[..length].ToArray();
}
