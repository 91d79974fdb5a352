using System.Numerics;
using System.Numerics.Tensors;

namespace Monge.Numerics;

/// <summary>
/// The library's one k-means: k-means++ seeding (Arthur and Vassilvitskii, SODA 2007) and Lloyd iterations on
/// row-major points, seeded by the caller's <see cref="Random"/> so runs are reproducible. Used by the low-rank
/// initialisers (FRLC, LR-Sinkhorn: <see cref="Centroids"/>); <see cref="Seed"/> takes an optional row subset so a
/// block of a larger cloud (Hierarchical Refinement) can be seeded without copying it.
/// Time O(n·k·d) per Lloyd iteration and for the seeding, memory O(n + k·d).
/// </summary>
internal static class KMeans
{
    /// <summary>Returns k centroids (row-major k × d) of the n points in <paramref name="x"/>: k-means++ seeding, then up
    /// to <paramref name="maxIterations"/> Lloyd iterations (stops when no label changes; an empty cluster takes a random point).</summary>
    /// <param name="x">Points, row-major n × d.</param>
    /// <param name="n">Number of points.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="k">Number of centroids (at least 1).</param>
    /// <param name="rng">The seeded generator (consumed in a fixed order).</param>
    /// <param name="maxIterations">Lloyd iterations at most.</param>
    internal static double[] Centroids(double[] x, int n, int d, int k, Random rng, int maxIterations = 25)
    {
        var centroids = new double[k * d];
        Seed(x, n, d, k, rng, centroids);
        Lloyd(x, n, d, k, rng, centroids, maxIterations);
        return centroids;
    }

    /// <summary>
    /// k-means++ seeding: the first centre uniform among the points, each next one drawn with probability proportional
    /// to the squared distance to the nearest centre so far. With <paramref name="rows"/>, the points are
    /// x[rows[0]], ..., x[rows[n − 1]] (a block of a larger cloud, not copied).
    /// </summary>
    /// <param name="x">Points, row-major (all rows, or the cloud that <paramref name="rows"/> indexes).</param>
    /// <param name="n">Number of points seeded from.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="k">Number of centres.</param>
    /// <param name="rng">The seeded generator.</param>
    /// <param name="centroids">Receives the k × d centres.</param>
    /// <param name="rows">Optional row indices into <paramref name="x"/> (length n).</param>
    /// <param name="distances">Optional scratch of at least n doubles for the squared distances to the nearest centre
    /// (allocated when empty; a block splitter passes its workspace's, so a 10⁷-point block makes no 80 MB of garbage).</param>
    internal static void Seed(ReadOnlySpan<double> x, int n, int d, int k, Random rng, Span<double> centroids, ReadOnlySpan<int> rows = default, Span<double> distances = default)
    {
        var indexed = !rows.IsEmpty;
        var dist = distances.Length >= n ? distances[..n] : new double[n];
        var first = rng.Next(n);
        x.Slice((indexed ? rows[first] : first) * d, d).CopyTo(centroids[..d]);
        if (d == 2)
        {
            UpdateDistances2D(x, n, rows, centroids[0], centroids[1], dist, first: true);
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                dist[i] = TensorPrimitives.Distance<double>(x.Slice((indexed ? rows[i] : i) * d, d), centroids[..d]);
                dist[i] *= dist[i];
            }
        }

        for (var c = 1; c < k; c++)
        {
            var pick = Draw(dist, rng);
            x.Slice((indexed ? rows[pick] : pick) * d, d).CopyTo(centroids.Slice(c * d, d));
            if (d == 2)
            {
                UpdateDistances2D(x, n, rows, centroids[c * 2], centroids[(c * 2) + 1], dist, first: false);
                continue;
            }

            for (var i = 0; i < n; i++)
            {
                var dd = TensorPrimitives.Distance<double>(x.Slice((indexed ? rows[i] : i) * d, d), centroids.Slice(c * d, d));
                dist[i] = Math.Min(dist[i], dd * dd);
            }
        }
    }

    /// <summary>
    /// <see cref="Seed"/> in 2-D on coordinates stored by axis: the points are (px_i, py_i). The same draws, centres and
    /// distances as <see cref="Seed"/> on the rows (px_i, py_i) bit for bit (the squared distance √(Δx² + Δy²)² as there),
    /// with the distance update vectorised over the points (<see cref="UpdateDistancesByAxis"/>). HiRef's blocks gather
    /// their coordinates this way once per seeding (stop 31), so the k passes read them in order.
    /// </summary>
    /// <param name="px">First coordinates (n).</param>
    /// <param name="py">Second coordinates (n).</param>
    /// <param name="k">Number of centres.</param>
    /// <param name="rng">The seeded generator (consumed as in <see cref="Seed"/>).</param>
    /// <param name="centroids">Receives the k × 2 centres.</param>
    /// <param name="distances">Scratch of at least n doubles.</param>
    internal static void Seed2D(ReadOnlySpan<double> px, ReadOnlySpan<double> py, int k, Random rng, Span<double> centroids, Span<double> distances)
    {
        var n = px.Length;
        var dist = distances[..n];
        var pick = rng.Next(n);
        for (var c = 0; ; c++)
        {
            centroids[2 * c] = px[pick];
            centroids[(2 * c) + 1] = py[pick];
            UpdateDistancesByAxis(px, py, px[pick], py[pick], dist, first: c == 0);
            if (c + 1 >= k)
            {
                return;
            }

            pick = Draw(dist, rng);
        }
    }

    // The k-means++ draw: an index with probability proportional to dist (uniform when the total is not positive), found
    // by the running sum left to right.
    private static int Draw(ReadOnlySpan<double> dist, Random rng)
    {
        var n = dist.Length;
        var total = TensorPrimitives.Sum<double>(dist);
        if (!(total > 0))
        {
            return rng.Next(n);
        }

        var target = rng.NextDouble() * total;
        var acc = 0.0;
        for (var i = 0; i < n; i++)
        {
            acc += dist[i];
            if (acc >= target)
            {
                return i;
            }
        }

        return n - 1;
    }

    /// <summary><see cref="UpdateDistances2D"/> on coordinates stored by axis, vectorised over the points: the same
    /// operations per point (Δx² + Δy², √, squared, the minimum), so the same bits at every SIMD width.</summary>
    internal static void UpdateDistancesByAxis(ReadOnlySpan<double> px, ReadOnlySpan<double> py, double cx, double cy, Span<double> dist, bool first)
    {
        var n = dist.Length;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = Vector<double>.Count;
            var vx = new Vector<double>(cx);
            var vy = new Vector<double>(cy);
            for (; i <= n - w; i += w)
            {
                var dx = new Vector<double>(px.Slice(i, w)) - vx;
                var dy = new Vector<double>(py.Slice(i, w)) - vy;
                var dd = Vector.SquareRoot((dx * dx) + (dy * dy));
                var d2 = dd * dd;
                (first ? d2 : Vector.Min(new Vector<double>(dist.Slice(i, w)), d2)).CopyTo(dist.Slice(i, w));
            }
        }

        for (; i < n; i++)
        {
            var dx = px[i] - cx;
            var dy = py[i] - cy;
            var dd = Math.Sqrt((dx * dx) + (dy * dy));
            dist[i] = first ? dd * dd : Math.Min(dist[i], dd * dd);
        }
    }

    /// <summary>The seeding's distance update in 2-D without a call per point: dist_i = ‖p_i − c‖² (with
    /// <paramref name="first"/>) or min(dist_i, ‖p_i − c‖²), the squared distance taken as
    /// <see cref="TensorPrimitives.Distance{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> squared, i.e. √(Δx² + Δy²)², so the same
    /// bits as the general loop (stop 28, lvl10m: the k-means++ of HiRef's blocks is O(m·r) such updates, serial).</summary>
    internal static void UpdateDistances2D(ReadOnlySpan<double> x, int n, ReadOnlySpan<int> rows, double cx, double cy, Span<double> dist, bool first)
    {
        var indexed = !rows.IsEmpty;
        for (var i = 0; i < n; i++)
        {
            var at = (indexed ? rows[i] : i) * 2;
            var dx = x[at] - cx;
            var dy = x[at + 1] - cy;
            var dd = Math.Sqrt((dx * dx) + (dy * dy));
            dist[i] = first ? dd * dd : Math.Min(dist[i], dd * dd);
        }
    }

    /// <summary>Lloyd iterations from the given centroids (hard assignment to the nearest centre, then means).</summary>
    /// <param name="x">Points, row-major n × d.</param>
    /// <param name="n">Number of points.</param>
    /// <param name="d">Dimension.</param>
    /// <param name="k">Number of centroids.</param>
    /// <param name="rng">Draws the replacement of an empty cluster.</param>
    /// <param name="centroids">Centroids, row-major k × d, updated in place.</param>
    /// <param name="maxIterations">Iterations at most (stops when no label changes).</param>
    internal static void Lloyd(double[] x, int n, int d, int k, Random rng, double[] centroids, int maxIterations)
    {
        var labels = new int[n];
        for (var it = 0; it < maxIterations; it++)
        {
            var changed = 0;
            Parallel.For(0, n, () => 0, (i, _, local) =>
            {
                var xi = x.AsSpan(i * d, d);
                var best = double.PositiveInfinity;
                var arg = 0;
                for (var c = 0; c < k; c++)
                {
                    var dd = TensorPrimitives.Distance<double>(xi, centroids.AsSpan(c * d, d));
                    if (dd < best)
                    {
                        best = dd;
                        arg = c;
                    }
                }

                if (labels[i] != arg || it == 0)
                {
                    labels[i] = arg;
                    local++;
                }

                return local;
            }, local => Interlocked.Add(ref changed, local));

            var counts = new int[k];
            Array.Clear(centroids);
            for (var i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                TensorPrimitives.Add(centroids.AsSpan(labels[i] * d, d), x.AsSpan(i * d, d), centroids.AsSpan(labels[i] * d, d));
            }

            for (var c = 0; c < k; c++)
            {
                if (counts[c] > 0)
                {
                    TensorPrimitives.Multiply(centroids.AsSpan(c * d, d), 1.0 / counts[c], centroids.AsSpan(c * d, d));
                }
                else
                {
                    // An empty cluster takes a random point.
                    x.AsSpan(rng.Next(n) * d, d).CopyTo(centroids.AsSpan(c * d, d));
                }
            }

            if (changed == 0)
            {
                break;
            }
        }

    }

    /// <summary>Squared distances between rows of x (n × d) and rows of y (m × d), row-major n × m.</summary>
    internal static double[] SquaredDistances(double[] x, int n, double[] y, int m, int d)
    {
        var result = new double[(long)n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var dd = TensorPrimitives.Distance<double>(x.AsSpan(i * d, d), y.AsSpan(j * d, d));
                result[(i * m) + j] = dd * dd;
            }
        }

        return result;
    }
}
