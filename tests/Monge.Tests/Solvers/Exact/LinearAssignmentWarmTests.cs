using Monge.Datasets;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Exact;

/// <summary>The slab rounds' warm start from the current pairing (<see cref="LinearAssignment.SolveFromIdentity"/>, stop 28
/// slab8g) against independent oracles: brute force over all permutations at n ≤ 8 (random costs, integer costs with
/// many ties, wide negative ranges), the dual certificate it leaves, and the cold solve's matching on geometric slabs.</summary>
public class LinearAssignmentWarmTests
{
    [Fact]
    public void SolveFromIdentity_SmallRandom_MatchesBruteForceAndCertifies()
    {
        var random = Seeds.Create(2811);
        var ws = new LinearAssignmentWorkspace<double>();
        var certified = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            var n = 1 + random.Next(8);
            var kind = trial % AssignmentTestCosts.Kinds;
            var cost = new double[n * n];
            for (var k = 0; k < cost.Length; k++)
            {
                cost[k] = AssignmentTestCosts.Next(random, kind);
            }

            // Every other trial starts from an optimum (columns permuted so that the identity is optimal).
            if (trial % 2 == 1)
            {
                var cold = LinearAssignment.Solve(cost, n, n).RowToColumn;
                cost = PermuteColumns(cost, n, cold);
            }

            var what = $"trial {trial} (n = {n}, kind {kind})";
            foreach (var passes in new[] { 0, 1, LinearAssignment.IdentityWarmPasses })
            {
                var sigma = new int[n];
                var paths = LinearAssignment.SolveFromIdentity(cost, n, sigma, ws, passes);
                Assert.InRange(paths, 0, n);
                Assert.Equal(Enumerable.Range(0, n), sigma.Order());
                var total = Enumerable.Range(0, n).Sum(i => cost[(i * n) + sigma[i]]);
                NumericAssert.Close(LinearAssignmentTests.BruteForce(cost, n, n), total, rtol: 1e-12, atol: 1e-9, what: what);
                AssertCertificate(cost, n, sigma, ws._columnPotentials, 1e-9 * (1 + cost.Max(Math.Abs)), what);
                if (paths == 0)
                {
                    // Certified without a path: the identity itself is optimal.
                    Assert.Equal(Enumerable.Range(0, n), sigma);
                    certified++;
                }
            }
        }

        Assert.True(certified > 50, $"only {certified} identity starts certified");
    }

    [Theory]
    [InlineData(32, 0)]
    [InlineData(32, 3)]
    [InlineData(64, 8)]
    [InlineData(17, 2)]
    public void SolveFromIdentity_GeometricSlabsNearOptimal_SameMatchingAsColdSolve(int n, int swaps)
    {
        var random = Seeds.Create(n + (100 * swaps));
        var ws = new LinearAssignmentWorkspace<double>();
        var cold = new LinearAssignmentWorkspace<double>();
        for (var trial = 0; trial < 50; trial++)
        {
            // A 2-D squared-Euclidean slab: points and targets shifted; the identity the optimum with a few swaps.
            var x = Enumerable.Range(0, 2 * n).Select(_ => random.NextDouble()).ToArray();
            var y = Enumerable.Range(0, 2 * n).Select(k => random.NextDouble() + (k % 2 == 0 ? 0.7 : -0.2)).ToArray();
            var cost = new double[n * n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    var (t0, t1) = (x[2 * i] - y[2 * j], x[(2 * i) + 1] - y[(2 * j) + 1]);
                    cost[(i * n) + j] = (t0 * t0) + (t1 * t1);
                }
            }

            var start = new int[n];
            LinearAssignment.SolveInto<double>(cost, n, n, start, [], [], cold);
            for (var s = 0; s < swaps; s++)
            {
                var (a, b) = (random.Next(n), random.Next(n));
                (start[a], start[b]) = (start[b], start[a]);
            }

            cost = PermuteColumns(cost, n, start);
            var expected = new int[n];
            LinearAssignment.SolveInto<double>(cost, n, n, expected, [], [], cold);
            var sigma = new int[n];
            LinearAssignment.SolveFromIdentity(cost, n, sigma, ws);
            Assert.Equal(expected, sigma);
            if (swaps == 0)
            {
                // The identity optimal (and unique): enough passes for Bellman–Ford to converge certify it without a path.
                Assert.Equal(0, LinearAssignment.SolveFromIdentity(cost, n, sigma, ws, passes: 4 * n));
                Assert.Equal(Enumerable.Range(0, n), sigma);
            }
        }
    }

    [Fact]
    public void HiRef_HugeSlabRoundsWarmOrCold_SameMatching()
    {
        // The huge rounds forced at n = 4096 (SlabMaxPoints and LargeSlabMaxPoints below n), slabs of 32 pairs; the warm start
        // (default) against every slab cold (SlabWarmMaxSize = 0), at 1 and 2 threads.
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, 4096, 5, withTarget: true);
        var solver = new HierarchicalRefinement { LeafSize = 64, Seed = 3, SlabMaxPoints = 1000, LargeSlabMaxPoints = 2000, HugeSlabSize = 32, HugeSlabTolerance = 0 };
        var cold = (solver with { SlabWarmMaxSize = 0 }).Solve(sample.Source, sample.Target!);
        foreach (var threads in new[] { 1, 2 })
        {
            var warm = (solver with { MaxDegreeOfParallelism = threads }).Solve(sample.Source, sample.Target!);
            Assert.Equal(cold.Permutation, warm.Permutation);
            Assert.Equal(BitConverter.DoubleToInt64Bits(cold.Cost), BitConverter.DoubleToInt64Bits(warm.Cost));
        }

        Assert.Throws<InputValidationException>(() => (solver with { SlabWarmMaxSize = -1 }).Solve(sample.Source, sample.Target!));
    }

    // The columns reordered so that column i of the result is column perm[i] of cost: the pairing i ↦ perm[i] becomes the identity.
    private static double[] PermuteColumns(double[] cost, int n, int[] perm)
    {
        var result = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                result[(i * n) + j] = cost[(i * n) + perm[j]];
            }
        }

        return result;
    }

    // u[i] = C[i, σ(i)] − v[σ(i)] and every reduced cost C[i, j] − u[i] − v[j] ≥ −tol: σ is optimal (complementary slackness).
    private static void AssertCertificate(double[] cost, int n, int[] sigma, double[] v, double tol, string what)
    {
        for (var i = 0; i < n; i++)
        {
            var u = cost[(i * n) + sigma[i]] - v[sigma[i]];
            for (var j = 0; j < n; j++)
            {
                Assert.True(cost[(i * n) + j] - u - v[j] >= -tol, $"{what}: reduced cost ({i}, {j}) = {cost[(i * n) + j] - u - v[j]}");
            }
        }
    }
}
