using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.LowRank;
using Monge.Solvers.Quadratic;
using Monge.Testing;
using Xunit.Abstractions;

namespace Monge.Tests.Solvers.Quadratic;

/// <summary>
/// The k-means initialisation of FRLC-GW (clusters of each cloud matched by a small conditional-gradient GW): planted
/// isometries (GW* = 0, the clusters' matching known), against the random initialisation on the same problem, and the
/// refusals (no coordinates, rank 2).
/// </summary>
public class FrlcGromovInitializationTests(ITestOutputHelper output)
{
    [Fact]
    public void KMeans_IsometricClusters_StartsNearTheMatchingAndConvergesSoonerThanRandom()
    {
        // y = (x R + t)[perm], R a 40° rotation composed with a mirror: GW(P*) = 0 and a rank-4 coupling reaches ≈ 0 by
        // matching the four clusters. The k-means start is a soft version of the cluster matching (measured: initial 78 against
        // 446 for the independent coupling, final 0.051 in 14 iterations); the random start with the same minimum of 10
        // iterations stops on the plateau next to the independent coupling (measured 48), which is why its default minimum
        // is 100 iterations.
        var x = LowRankGromovTestData.Clusters(15, 3);
        var (y, perm) = LowRankGromovTestData.Isometric(x, 40, mirror: true, seed: 5);
        var n = x.Count;
        var c1 = LowRankGromovTestData.SquaredDistances(x);
        var c2 = LowRankGromovTestData.SquaredDistances(y);
        var independent = LowRankGromovTestData.GwByDefinition(c1, c2, Enumerable.Repeat(1.0 / (n * n), n * n).ToArray(), n, n);
        var kmeans = new FrlcGromov { Rank = 4, Seed = 1, Initialization = LowRankInitialization.KMeans, MinIterations = 10 }.Solve(x, y);
        var random = new FrlcGromov { Rank = 4, Seed = 1, Initialization = LowRankInitialization.Random, MinIterations = 10 }.Solve(x, y);
        output.WriteLine($"k-means: initial {kmeans.ObjectiveTrace[0]:G4}, final {kmeans.Cost:G4}, {kmeans.Convergence.Iterations} iterations; random: initial {random.ObjectiveTrace[0]:G4}, final {random.Cost:G4}, {random.Convergence.Iterations} iterations; independent {independent:G4}");
        Assert.True(kmeans.ObjectiveTrace[0] < 0.25 * independent, $"k-means start {kmeans.ObjectiveTrace[0]} is not below the independent coupling's {independent}.");
        Assert.Equal(SolverStatus.Converged, kmeans.Convergence.Status);
        Assert.True(kmeans.Convergence.Iterations <= 30, $"k-means took {kmeans.Convergence.Iterations} iterations.");
        Assert.True(kmeans.Cost < 1e-3 * independent, $"k-means GW {kmeans.Cost} is not near zero (independent {independent}).");
        Assert.True(kmeans.Cost < random.Cost, $"k-means GW {kmeans.Cost} against random {random.Cost} after the same minimum of iterations.");
        var plan = kmeans.ToDense();
        NumericAssert.Close(LowRankGromovTestData.GwByDefinition(c1, c2, plan, n, n), kmeans.Cost, rtol: 1e-8, what: "reported GW = definition at the returned plan");
        var matched = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                matched += i % 4 == perm[j] % 4 ? plan[(i * n) + j] : 0;
            }
        }

        Assert.True(matched > 0.99, $"only {matched:F4} of the mass matches clusters");
    }

    [Fact]
    public void Default_PointCloudGw_UsesKMeans_DenseCostsUseRandom()
    {
        var x = LowRankGromovTestData.Clusters(10, 4, spread: 0.6);
        var y = LowRankGromovTestData.Clusters(10, 5, spread: 0.6);
        var n = x.Count;
        var auto = new FrlcGromov { Rank = 3, Seed = 1, MaxIterations = 5, MinIterations = 5 }.Solve(x, y);
        var kmeans = new FrlcGromov { Rank = 3, Seed = 1, MaxIterations = 5, MinIterations = 5, Initialization = LowRankInitialization.KMeans }.Solve(x, y);
        NumericAssert.Close(kmeans.ToDense(), auto.ToDense(), rtol: 0, atol: 0, what: "default on point clouds = KMeans");
        var dense = new QuadraticProblem<double>(new DenseGeometry<double>(LowRankGromovTestData.SquaredDistances(x), n, n), new DenseGeometry<double>(LowRankGromovTestData.SquaredDistances(y), n, n));
        var denseAuto = new FrlcGromov { Rank = 3, Seed = 1, MaxIterations = 5, MinIterations = 5 }.Solve(dense);
        var denseRandom = new FrlcGromov { Rank = 3, Seed = 1, MaxIterations = 5, MinIterations = 5, Initialization = LowRankInitialization.Random }.Solve(dense);
        NumericAssert.Close(denseRandom.ToDense(), denseAuto.ToDense(), rtol: 0, atol: 0, what: "default on dense costs = Random");
        var ex = Assert.Throws<InputValidationException>(() => new FrlcGromov { Rank = 3, Initialization = LowRankInitialization.KMeans }.Solve(dense));
        Assert.Contains("k-means", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InputValidationException>(() => new FrlcGromov { Rank = 3, Initialization = LowRankInitialization.Rank2 }.Solve(x, y));
    }

    [Fact]
    public void KMeans_SameSeed_SameResult()
    {
        var x = LowRankGromovTestData.Clusters(12, 6, spread: 0.3);
        var (y, _) = LowRankGromovTestData.Isometric(LowRankGromovTestData.Clusters(12, 7, spread: 0.3), 60, mirror: false, seed: 2);
        var first = new FrlcGromov { Rank = 4, Seed = 3, MaxIterations = 20, MinIterations = 20 }.Solve(x, y);
        var second = new FrlcGromov { Rank = 4, Seed = 3, MaxIterations = 20, MinIterations = 20 }.Solve(x, y);
        NumericAssert.Close(first.ToDense(), second.ToDense(), rtol: 0, atol: 0, what: "plan");
    }
}
