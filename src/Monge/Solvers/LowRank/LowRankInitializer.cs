using System.Numerics.Tensors;
using Monge.Numerics;

namespace Monge.Solvers.LowRank;

/// <summary>Initial factors shared by FRLC and low-rank Sinkhorn.</summary>
internal static class LowRankInitializer
{
    /// <summary>
    /// The rank-2 factor of Scetbon, Cuturi and Peyré (2021, §3.3): λ = min(a, b, g)/2, g₁ = (1..r)/Σ,
    /// x = (1..n)/Σ, then Q = λ x g₁ᵀ + (1 − λ) y g₂ᵀ with y = (a − λx)/(1 − λ), g₂ = (g − λg₁)/(1 − λ).
    /// Q ∈ Π(a, g) and has rank at most 2.
    /// </summary>
    internal static double[] Rank2Factor(double[] marginal, double[] g, double lambda)
    {
        var n = marginal.Length;
        var r = g.Length;
        var g1 = new double[r];
        var g2 = new double[r];
        var sr = r * (r + 1) / 2.0;
        for (var k = 0; k < r; k++)
        {
            g1[k] = (k + 1) / sr;
            g2[k] = (g[k] - (lambda * g1[k])) / (1 - lambda);
        }

        var sn = n * (n + 1) / 2.0;
        var q = new double[(long)n * r];
        for (var i = 0; i < n; i++)
        {
            var x = (i + 1) / sn;
            var y = (marginal[i] - (lambda * x)) / (1 - lambda);
            for (var k = 0; k < r; k++)
            {
                q[(i * r) + k] = (lambda * x * g1[k]) + ((1 - lambda) * y * g2[k]);
            }
        }

        return q;
    }

    /// <summary>λ of the rank-2 initialisation: half the smallest entry of a, b and g.</summary>
    internal static double Rank2Lambda(double[] a, double[] b, double[] g)
        => 0.5 * Math.Min(Math.Min(TensorPrimitives.Min<double>(a), TensorPrimitives.Min<double>(b)), TensorPrimitives.Min<double>(g));

    /// <summary>
    /// Soft assignment of points to k-means centroids: the entropic coupling in Π(marginal, g) for the squared
    /// distances divided by their max, with ε = 0.1 (as OTT's KMeansInitializer). Returns the factor and the centroids.
    /// </summary>
    internal static (double[] Factor, double[] Centroids) KMeansFactor(double[] points, int n, int d, double[] marginal, double[] g, Random rng, int projectionIterations)
    {
        var r = g.Length;
        var centroids = KMeans.Centroids(points, n, d, r, rng);
        var logKernel = KMeans.SquaredDistances(points, n, centroids, r, d);
        var max = TensorPrimitives.Max<double>(logKernel);
        TensorPrimitives.Multiply(logKernel, max > 0 ? -1.0 / (0.1 * max) : 0.0, logKernel);
        var factor = new double[(long)n * r];
        var settings = new EntropicProjection.Settings(1, 1, projectionIterations, 1e-12);
        EntropicProjection.Run(logKernel, factor, n, r, marginal, g, 1.0, settings, new double[n], new double[r]);
        return (factor, centroids);
    }

    /// <summary>Uniform [0, 1) entries (row-major), from the seeded generator.</summary>
    internal static double[] Uniform(Random rng, long count)
    {
        var u = new double[count];
        for (long k = 0; k < count; k++)
        {
            u[k] = rng.NextDouble();
        }

        return u;
    }

    /// <summary>|N(0, 1)| entries.</summary>
    internal static double[] AbsGaussian(Random rng, long count)
    {
        var u = new double[count];
        for (long k = 0; k < count; k++)
        {
            u[k] = Math.Abs(rng.NextGaussian());
        }

        return u;
    }

    /// <summary>X ← (1 − w) X + w (X1)(Xᵀ1)ᵀ / ΣX: keeps both marginals, moves X toward the independent coupling.</summary>
    internal static void MixWithIndependent(double[] x, int rows, int cols, double w)
    {
        if (w == 0)
        {
            return;
        }

        var rs = DenseLinearAlgebra.RowSums(x, rows, cols);
        var cs = DenseLinearAlgebra.ColumnSums(x, rows, cols);
        var total = TensorPrimitives.Sum<double>(cs);
        for (var i = 0; i < rows; i++)
        {
            var row = x.AsSpan(i * cols, cols);
            TensorPrimitives.Multiply(row, 1 - w, row);
            TensorPrimitives.MultiplyAdd(cs, w * rs[i] / total, row, row);
        }
    }
}
