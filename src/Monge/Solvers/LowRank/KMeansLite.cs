using System.Numerics.Tensors;

namespace Monge.Solvers.LowRank;

/// <summary>
/// A small seeded k-means (k-means++ seeding, then Lloyd iterations) used only to initialise low-rank solvers.
/// Time O(n·k·d) per iteration, memory O(n + k·d).
/// </summary>
internal static class KMeansLite
{
    /// <summary>Returns k centroids (row-major k × d) of the n points in <paramref name="x"/>.</summary>
    internal static double[] Centroids(double[] x, int n, int d, int k, Random rng, int maxIterations = 25)
    {
        var centroids = new double[k * d];
        var dist = new double[n];
        var first = rng.Next(n);
        x.AsSpan(first * d, d).CopyTo(centroids.AsSpan(0, d));
        for (var i = 0; i < n; i++)
        {
            dist[i] = TensorPrimitives.Distance<double>(x.AsSpan(i * d, d), centroids.AsSpan(0, d));
            dist[i] *= dist[i];
        }

        for (var c = 1; c < k; c++)
        {
            var total = TensorPrimitives.Sum<double>(dist);
            int pick;
            if (!(total > 0))
            {
                pick = rng.Next(n);
            }
            else
            {
                var target = rng.NextDouble() * total;
                pick = n - 1;
                var acc = 0.0;
                for (var i = 0; i < n; i++)
                {
                    acc += dist[i];
                    if (acc >= target)
                    {
                        pick = i;
                        break;
                    }
                }
            }

            x.AsSpan(pick * d, d).CopyTo(centroids.AsSpan(c * d, d));
            for (var i = 0; i < n; i++)
            {
                var dd = TensorPrimitives.Distance<double>(x.AsSpan(i * d, d), centroids.AsSpan(c * d, d));
                dist[i] = Math.Min(dist[i], dd * dd);
            }
        }

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

        return centroids;
    }
}
