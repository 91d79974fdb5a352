using System.Globalization;

namespace Monge.Testing;

/// <summary>
/// Small seeded weighted point sets in 2-d with a chosen total mass (issue 12 item 2: weights used as given). The CLI's
/// weight tests write them to CSV; the library tests that mirror those CLI cases build the same data from here, so the
/// two stay in step.
/// </summary>
public static class WeightedClouds
{
    /// <summary>
    /// n points uniform in [offset, offset + 1) × [0, 1) and weights 1 + 29 U scaled to total <paramref name="mass"/>,
    /// drawn from <see cref="Seeds.Create"/>(<paramref name="seed"/>). The weights are the values a CSV round trip
    /// ("R" format) gives back, so a file written from them reads back exactly these numbers.
    /// </summary>
    /// <param name="n">Points.</param>
    /// <param name="seed">Seed offset.</param>
    /// <param name="mass">Total mass of the weights.</param>
    /// <param name="offset">Shift of the first coordinate.</param>
    /// <returns>Row-major points (n × 2) and weights.</returns>
    public static (double[] Points, double[] Weights) Uniform2D(int n, int seed, double mass, double offset)
    {
        var rng = Seeds.Create(seed);
        var points = new double[n * 2];
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            points[2 * i] = offset + rng.NextDouble();
            points[(2 * i) + 1] = rng.NextDouble();
            weights[i] = 1 + (29 * rng.NextDouble());
        }

        var total = weights.Sum();
        for (var i = 0; i < n; i++)
        {
            weights[i] = double.Parse((weights[i] * (mass / total)).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        return (points, weights);
    }
}
