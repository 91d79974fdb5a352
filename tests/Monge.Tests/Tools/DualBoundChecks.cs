using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Tests.Geometry;
using Monge.Tools;

namespace Monge.Tests.Tools;

/// <summary>
/// The shared prologue and checks of the <see cref="DualBound"/> test classes (tree, balls, float32 tiles): a synthetic
/// pair with its exact assignment optimum, the brute-force cost matrix, and the certificate's three properties (at most
/// the optimum, feasible on every pair with no tolerance, not far below).
/// </summary>
internal static class DualBoundChecks
{
    /// <summary>The high-dimensional pairs of the ball and tile paths (both costs, d = 2, 16, 64).</summary>
    public static TheoryData<SyntheticDataset, int, string, int> HighDimensionalCases => new()
    {
        { SyntheticDataset.HalfMoonSCurve, 2, "sqeuclidean", 1 },
        { SyntheticDataset.EightGaussiansMoons, 2, "euclidean", 2 },
        { SyntheticDataset.GaussianMixture, 16, "sqeuclidean", 3 },
        { SyntheticDataset.GaussianMixture, 16, "euclidean", 4 },
        { SyntheticDataset.GaussianMixture, 16, "sqeuclidean", 5 },
        { SyntheticDataset.GaussianMixture, 64, "sqeuclidean", 6 },
        { SyntheticDataset.GaussianMixture, 64, "euclidean", 7 },
        { SyntheticDataset.GaussianMixture, 64, "euclidean", 8 },
    };

    /// <summary>A synthetic pair of <paramref name="n"/> points, its cost and the exact optimum (Jonker–Volgenant, per point).</summary>
    public static (PointCloud<double> X, PointCloud<double> Y, ICostFunction<double> Cost, double Exact) Case(SyntheticDataset dataset, int n, int d, string costName, int seed)
    {
        var cost = CostFunction.Parse<double>(costName);
        var sample = SyntheticData.Generate(dataset, n, seed, d, withTarget: true);
        var (x, y) = (sample.Source, sample.Target!);
        return (x, y, cost, new LinearAssignment().Solve(x, y, cost).TotalCost / n);
    }

    /// <summary>
    /// The certificate is at most the optimum, feasible (F_i + G_j ≤ c_ij) on every pair with no tolerance
    /// (<see cref="AssertFeasible"/>), and within 5% of the optimum.
    /// </summary>
    public static void AssertCertificate(DualBoundResult result, PointCloud<double> x, PointCloud<double> y, ICostFunction<double> cost, double exact, string what)
    {
        Assert.True(result.LowerBound <= exact, $"{what}: bound {result.LowerBound:R} above the optimum {exact:R}");
        AssertFeasible(result, x, y, cost is Euclidean<double>, what);
        Assert.True(exact - result.LowerBound <= 0.05 * exact, $"{what}: bound {result.LowerBound:R} far below {exact:R}");
    }

    /// <summary>
    /// F_i + G_j ≤ c_ij on every pair with no tolerance: the sum in exact arithmetic (its float64 rounding error recovered
    /// by TwoSum), c_ij the float64 cost from coordinate differences (<see cref="BruteCost"/>). Every transform path
    /// subtracts a rounding allowance (certfeas, stop 28), so this holds for every result, sparse ascent included.
    /// </summary>
    public static void AssertFeasible(DualBoundResult result, PointCloud<double> x, PointCloud<double> y, bool euclidean, string what)
    {
        var c = BruteCost(x, y, euclidean);
        var m = y.Count;
        for (var i = 0; i < x.Count; i++)
        {
            for (var j = 0; j < m; j++)
            {
                // F + G = s + e exactly (TwoSum); s < c is enough (|e| is at most half the spacing at s), s = c needs e ≤ 0.
                var (f, g, cij) = (result.F[i], result.G[j], c[(i * m) + j]);
                var s = f + g;
                var t = s - f;
                var e = (f - (s - t)) + (g - t);
                Assert.True(s < cij || (s == cij && e <= 0), $"{what}: infeasible at ({i}, {j}): {f:R} + {g:R} > {cij:R} by {(s - cij) + e:R}");
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on a scheduler of at most <paramref name="threads"/> workers: the library's
    /// parallel loops take the current scheduler.</summary>
    public static T OnThreads<T>(int threads, Func<T> work)
    {
        var scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, threads).ConcurrentScheduler;
        return Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, scheduler).GetAwaiter().GetResult();
    }

    /// <summary>The n × m matrix of ‖x − y‖² (or ‖x − y‖), row-major, from coordinate differences in float64.</summary>
    public static double[] BruteCost(PointCloud<double> x, PointCloud<double> y, bool euclidean) =>
        GeometryTestData.BruteCost(x, y, (p, q) =>
        {
            var s = 0.0;
            for (var k = 0; k < p.Length; k++)
            {
                s += (p[k] - q[k]) * (p[k] - q[k]);
            }

            return euclidean ? Math.Sqrt(s) : s;
        });
}
