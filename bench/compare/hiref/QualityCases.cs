using System.Diagnostics;
using Monge.Datasets;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;

/// <summary>What the quality and certify modes share: the twelve cases' data sets and the exact reference.</summary>
internal static class QualityCases
{
    /// <summary>The synthetic pairs of the quality sweep, each run with both costs.</summary>
    public static readonly (SyntheticDataset Dataset, int Dimension)[] Pairs =
    [
        (SyntheticDataset.HalfMoonSCurve, 2), (SyntheticDataset.Checkerboard, 2), (SyntheticDataset.MafMoonsRings, 2),
        (SyntheticDataset.EightGaussiansMoons, 2), (SyntheticDataset.GaussianMixture, 16), (SyntheticDataset.GaussianMixture, 64),
    ];

    /// <summary>The exact assignment optimum (1/n) Σ c and its seconds, or NaN for both when n exceeds <paramref name="exactMaxN"/>.
    /// Network simplex on the dense cost (uniform weights give an integral optimal vertex, the assignment optimum): far
    /// faster than Jonker–Volgenant on these structured instances (docs/hiref.md); n² doubles of cost (2 GB at 16 384).</summary>
    public static (double Cost, double Seconds) ExactOptimum(DatasetSample sample, ICostFunction<double> cost, int exactMaxN)
    {
        var n = sample.Source.Count;
        if (n > exactMaxN)
        {
            return (double.NaN, double.NaN);
        }

        var clock = Stopwatch.StartNew();
        var optimum = new NetworkSimplex().Solve(sample.Source, sample.Target!, cost).Cost;
        return (optimum, clock.Elapsed.TotalSeconds);
    }
}
