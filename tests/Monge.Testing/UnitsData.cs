using Monge.Datasets;
using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Testing;

/// <summary>
/// Seeded point-cloud pairs in the units users' data comes in (issue 12 item 4): embeddings with norms in the tens and
/// spatial coordinates in micrometres. Built in code (no fixture files); shared by tests and bench/.
/// </summary>
public static class UnitsData
{
    /// <summary>
    /// A 30-D PCA-like pair: source = 2 × the eight-component <see cref="SyntheticDataset.GaussianMixture"/> (norms
    /// about 20–30), target = the same cells with noise N(0, 0.5²) per coordinate and a shift of 0.3 per coordinate,
    /// in a shuffled order (two samples of the same cell types: the optimum is far below the independent coupling).
    /// </summary>
    /// <param name="n">Points per side.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="dimension">Dimension (30 by default).</param>
    public static (PointCloud<double> X, PointCloud<double> Y) PcaLike(int n, int seed, int dimension = 30)
    {
        var source = SyntheticData.Generate(SyntheticDataset.GaussianMixture, n, seed, dimension).Source;
        var rng = new Random(seed + 7919);
        var x = new double[n * dimension];
        var y = new double[n * dimension];
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order);
        for (var i = 0; i < n; i++)
        {
            for (var l = 0; l < dimension; l++)
            {
                x[(i * dimension) + l] = 2.0 * source.Row(i)[l];
            }
        }

        for (var j = 0; j < n; j++)
        {
            var i = order[j];
            for (var l = 0; l < dimension; l++)
            {
                y[(j * dimension) + l] = x[(i * dimension) + l] + 0.3 + (0.5 * rng.NextGaussian());
            }
        }

        return (new PointCloud<double>(x, n, dimension), new PointCloud<double>(y, n, dimension));
    }

    /// <summary>
    /// Two "tissue slices" in micrometres (coordinates about 0..5000): six Gaussian blobs (sd 300 µm) plus 30% uniform
    /// background in [0, 5000]², the target an independent sample of the same tissue rotated by 8° about the centre and
    /// shifted by (150, −100) µm.
    /// </summary>
    /// <param name="n">Points per side.</param>
    /// <param name="seed">Seed.</param>
    public static (PointCloud<double> X, PointCloud<double> Y) Micrometres(int n, int seed)
    {
        var rng = new Random(seed);
        var centres = new (double X, double Y)[6];
        for (var k = 0; k < centres.Length; k++)
        {
            centres[k] = (500 + (4000 * rng.NextDouble()), 500 + (4000 * rng.NextDouble()));
        }

        var x = Tissue(rng, n, centres);
        var y = Tissue(rng, n, centres);
        var angle = 8.0 * Math.PI / 180;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        for (var j = 0; j < n; j++)
        {
            var (u, v) = (y[2 * j] - 2500, y[(2 * j) + 1] - 2500);
            y[2 * j] = 2500 + (cos * u) - (sin * v) + 150;
            y[(2 * j) + 1] = 2500 + (sin * u) + (cos * v) - 100;
        }

        return (new PointCloud<double>(x, n, 2), new PointCloud<double>(y, n, 2));
    }

    /// <summary>The same pair with every coordinate multiplied by <paramref name="factor"/> (a change of units).</summary>
    /// <param name="cloud">Points.</param>
    /// <param name="factor">Multiplier.</param>
    public static PointCloud<double> Scaled(PointCloud<double> cloud, double factor)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        var data = new double[cloud.Count * cloud.Dimension];
        for (var i = 0; i < cloud.Count; i++)
        {
            for (var l = 0; l < cloud.Dimension; l++)
            {
                data[(i * cloud.Dimension) + l] = factor * cloud.Row(i)[l];
            }
        }

        return new PointCloud<double>(data, cloud.Count, cloud.Dimension);
    }

    private static double[] Tissue(Random rng, int n, (double X, double Y)[] centres)
    {
        var data = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            if (rng.NextDouble() < 0.3)
            {
                data[2 * i] = 5000 * rng.NextDouble();
                data[(2 * i) + 1] = 5000 * rng.NextDouble();
            }
            else
            {
                var c = centres[rng.Next(centres.Length)];
                data[2 * i] = c.X + (300 * rng.NextGaussian());
                data[(2 * i) + 1] = c.Y + (300 * rng.NextGaussian());
            }
        }

        return data;
    }
}
