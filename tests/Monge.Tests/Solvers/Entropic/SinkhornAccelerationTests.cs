using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tests.Geometry;

namespace Monge.Tests.Solvers.Entropic;

/// <summary>
/// The default acceleration (adaptive over-relaxation with its safeguard), divergence detection and the cost storage.
/// Oracle: plain Sinkhorn (Momentum = 1, online costs) solved to a tight threshold; for the storage also the low-rank
/// (factored) geometry of the same costs.
/// </summary>
public sealed class SinkhornAccelerationTests
{
    private const double Tight = 1e-10;

    public static TheoryData<string> Cases => ["random", "small-epsilon", "unbalanced", "zero-weights", "pca30"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Default_RandomAndHardCases_SamePlanAsConvergedPlainSinkhorn(string name)
    {
        var (problem, eps) = Case(name);
        var plain = new Sinkhorn { Epsilon = eps, Threshold = Tight, MaxIterations = 200_000, Momentum = 1, CostStorage = CostStorage.Online }.Solve(problem);
        var auto = new Sinkhorn { Epsilon = eps, Threshold = Tight, MaxIterations = 200_000 }.Solve(problem);
        Assert.True(plain.Converged, plain.Convergence.ToString());
        Assert.True(auto.Converged, auto.Convergence.ToString());
        Assert.True(auto.Convergence.Iterations <= plain.Convergence.Iterations, $"{name}: default {auto.Convergence.Iterations} vs plain {plain.Convergence.Iterations} iterations");

        // Plans agree entrywise up to what the marginal threshold leaves (relative to the largest entry).
        var p = plain.ToDense();
        var q = auto.ToDense();
        NumericAssert.Close(p, q, rtol: 1e-6, atol: 1e-7 * p.Max(), what: $"{name} plan");
        NumericAssert.Close(plain.Cost, auto.Cost, rtol: 1e-7, what: $"{name} cost");
    }

    [Fact]
    public void Default_SmallEpsilon_FarFewerIterationsThanPlain()
    {
        var (problem, eps) = Case("small-epsilon");
        var plain = new Sinkhorn { Epsilon = eps, Threshold = 1e-6, Norm = MarginalNorm.L2, MaxIterations = 200_000, Momentum = 1 }.Solve(problem);
        var auto = new Sinkhorn { Epsilon = eps, Threshold = 1e-6, Norm = MarginalNorm.L2, MaxIterations = 200_000 }.Solve(problem);
        Assert.True(auto.Converged && plain.Converged);
        Assert.True(auto.Momentum > 1.3, $"adaptive ω {auto.Momentum}");
        Assert.True(2 * auto.Convergence.Iterations < plain.Convergence.Iterations, $"default {auto.Convergence.Iterations} vs plain {plain.Convergence.Iterations}");
    }

    [Theory]
    [InlineData("random")]
    [InlineData("small-epsilon")]
    [InlineData("pca30")]
    public void Default_AdaptiveOmega_StopsAtTheFirstIterationWithinThreshold(string name)
    {
        // The last interval is checked after every iteration: one iteration fewer must leave the error above the threshold
        // (the same iterates: the run is deterministic and the budget only cuts it short).
        var (problem, eps) = Case(name);
        var solver = new Sinkhorn { Epsilon = eps, Threshold = 1e-6, Norm = MarginalNorm.L2, MaxIterations = 100_000 };
        var full = solver.Solve(problem);
        Assert.True(full.Converged, full.Convergence.ToString());
        Assert.True(full.Convergence.FinalError <= 1e-6, full.Convergence.ToString());
        var cut = (solver with { MaxIterations = full.Convergence.Iterations - 1 }).Solve(problem);
        Assert.Equal(SolverStatus.MaxIterations, cut.Convergence.Status);
        Assert.True(cut.Convergence.FinalError > 1e-6, $"{name}: {cut.Convergence.Iterations} iterations already reach {cut.Convergence.FinalError} (the run stopped at {full.Convergence.Iterations})");
    }

    [Fact]
    public void Momentum18_ZeroStartOnPcaPair_SafeguardConvergesWithoutItDiverges()
    {
        // 500 × 450 at the default ε: ω = 1.8 from f = 0 blows up here (smaller pairs of this generator happen to survive).
        var problem = PcaPair(500, 450, 11);
        var plain = new Sinkhorn { Threshold = 1e-8, MaxIterations = 100_000, Momentum = 1 }.Solve(problem);

        // Without the safeguard the over-relaxed run blows up: the status says so (item 6 of issue 12), the returned
        // potentials are finite.
        var unsafeRun = new Sinkhorn { Threshold = 1e-8, MaxIterations = 100_000, Momentum = 1.8, Safeguard = false }.Solve(problem);
        Assert.Equal(SolverStatus.Diverged, unsafeRun.Convergence.Status);
        NumericAssert.AllFinite(unsafeRun.F.AsSpan());

        // With it (the default) the same options converge to the plain solution.
        var safe = new Sinkhorn { Threshold = 1e-8, MaxIterations = 100_000, Momentum = 1.8 }.Solve(problem);
        Assert.True(safe.Converged, safe.Convergence.ToString());
        Assert.True(safe.SafeguardRollbacks >= 1);
        Assert.True(safe.Momentum < 1.8);
        NumericAssert.Close(plain.Cost, safe.Cost, rtol: 1e-6);
        NumericAssert.Close(plain.TransportedMass, safe.TransportedMass, rtol: 1e-6);
    }

    [Fact]
    public void PlainSinkhorn_NeverReportsDiverged()
    {
        // The divergence bound (mass above 10·max(|a|, |b|, |a||b|)) is far from anything plain Sinkhorn reaches.
        var problem = PcaPair(150, 130, 11);
        var plain = new Sinkhorn { Threshold = 1e-8, MaxIterations = 40, Momentum = 1 }.Solve(problem);
        Assert.Equal(SolverStatus.MaxIterations, plain.Convergence.Status);
        Assert.True(plain.TransportedMass < 1.01);
    }

    [Fact]
    public void CostStorage_DenseOnlineFactored_SameAnswer()
    {
        var x = GeometryTestData.Cloud(97, 5, 901);
        var y = GeometryTestData.Cloud(83, 5, 902, offset: 0.4);
        var cloud = LinearProblem<double>.FromPointClouds(x, y);
        var factored = new LinearProblem<double>(LowRankGeometry<double>.SquaredEuclidean(x, y));
        var options = new Sinkhorn { Epsilon = 0.05, Threshold = Tight, MaxIterations = 100_000, Momentum = 1 };
        var online = (options with { CostStorage = CostStorage.Online }).Solve(cloud);
        var dense = (options with { CostStorage = CostStorage.Dense }).Solve(cloud);
        var lowRank = options.Solve(factored);
        Assert.Equal(CostStorage.Online, online.CostStorage);
        Assert.Equal(CostStorage.Dense, dense.CostStorage);
        Assert.Equal(CostStorage.Factored, lowRank.CostStorage);
        Assert.Equal(2L * 97 * 83 * sizeof(double), dense.CostMemoryBytes);
        Assert.Equal((97L + 83) * 7 * sizeof(double), lowRank.CostMemoryBytes);
        foreach (var (label, other) in new[] { ("dense", dense), ("factored", lowRank) })
        {
            Assert.True(other.Converged, other.Convergence.ToString());
            NumericAssert.Close(online.Cost, other.Cost, rtol: 1e-9, what: label);
            NumericAssert.Close(online.ToDense(), other.ToDense(), rtol: 1e-7, atol: 1e-12, what: label);
        }

        // The result of a dense run keeps the point-cloud capabilities (maps).
        NumericAssert.Close(online.BarycentricProjection(), dense.BarycentricProjection(), rtol: 1e-7, atol: 1e-10);
    }

    [Fact]
    public void CostStorage_Auto_FollowsDimensionCostAndBudget()
    {
        var high = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(40, 20, 911), GeometryTestData.Cloud(30, 20, 912));
        var low = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(40, 2, 913), GeometryTestData.Cloud(30, 2, 914));
        var lowEuclidean = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(40, 2, 913), GeometryTestData.Cloud(30, 2, 914), new Monge.Geometry.Costs.Euclidean<double>());
        var options = new Sinkhorn { Epsilon = 0.5, MaxIterations = 20 };
        var bytes = 2L * 40 * 30 * sizeof(double);

        Assert.Equal(CostStorage.Dense, options.Solve(high).CostStorage);
        Assert.Equal(bytes, options.Solve(high).CostMemoryBytes);
        Assert.Equal(CostStorage.Online, (options with { MaxCostMemory = bytes - 1 }).Solve(high).CostStorage);
        Assert.Equal(CostStorage.Dense, (options with { MaxCostMemory = bytes }).Solve(high).CostStorage);
        Assert.Equal(CostStorage.Online, options.Solve(low).CostStorage);
        Assert.Equal(CostStorage.Dense, options.Solve(lowEuclidean).CostStorage);
        Assert.Equal(CostStorage.Online, (options with { CostStorage = CostStorage.Online }).Solve(high).CostStorage);

        var ex = Assert.Throws<InputValidationException>(() => (options with { CostStorage = CostStorage.Dense, MaxCostMemory = bytes - 1 }).Solve(low));
        Assert.Equal(InputProblem.InvalidParameter, ex.Problem);
        Assert.Throws<InputValidationException>(() => new Sinkhorn { MaxCostMemory = 0 }.Validate());
    }

    [Fact]
    public void DenseSoftMin_OddSizesAndZeroWeights_MatchesBruteForce()
    {
        foreach (var m in new[] { 1, 3, 4, 5, 8, 15, 16, 17, 31, 33, 257 })
        {
            const int n = 9;
            var c = GeometryTestData.Vector(n * m, 930 + m, scale: 3).Select(Math.Abs).ToArray();
            var h = GeometryTestData.Vector(m, 931 + m);
            var logW = GeometryTestData.Vector(m, 932 + m).Select(v => v - 2).ToArray();
            if (m > 1)
            {
                logW[m / 2] = double.NegativeInfinity; // a zero-weight column (all of them would give +∞ by definition)
            }
            foreach (var eps in new[] { 1e-3, 0.1, 10 })
            {
                var geometry = new DenseGeometry<double>(c, n, m, 1.5);
                var scaled = c.Select(v => 1.5 * v).ToArray();
                var expected = GeometryTestData.SoftMin(scaled, n, m, h, logW, eps, Axis.Rows);
                var actual = new double[n];
                geometry.SoftMin(h, logW, eps, Axis.Rows, actual);
                NumericAssert.Close(expected, actual, rtol: 1e-12, atol: 1e-12 * eps * 100, what: $"m={m} eps={eps}");

                var single = new DenseGeometry<float>(c.Select(v => (float)v).ToArray(), n, m, 1.5f);
                var actualF = new float[n];
                single.SoftMin(h.Select(v => (float)v).ToArray(), logW.Select(v => (float)v).ToArray(), (float)eps, Axis.Rows, actualF);
                NumericAssert.Close(expected, actualF.Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5 * (1 + scaled.Max()), what: $"float m={m} eps={eps}");
            }
        }
    }

    /// <summary>A named problem and its ε.</summary>
    private static (LinearProblem<double> Problem, double Epsilon) Case(string name)
    {
        var x = GeometryTestData.Cloud(70, 2, 941);
        var y = GeometryTestData.Cloud(60, 2, 942, offset: 0.3);
        var mean = LinearProblem<double>.FromPointClouds(x, y).Geometry.ComputeStatistics().Mean;
        switch (name)
        {
            case "random":
                return (LinearProblem<double>.FromPointClouds(x, y), 0.01 * mean);
            case "small-epsilon":
                return (LinearProblem<double>.FromPointClouds(x, y), 0.002 * mean);
            case "unbalanced":
                var a = Enumerable.Range(0, 70).Select(i => 1.0 + (i % 3)).ToArray();
                var b = Enumerable.Range(0, 60).Select(j => 2.0 + (j % 5)).ToArray();
                return (new LinearProblem<double>(new PointCloudGeometry<double>(x, y), a, b, Relaxation.FromTau(0.8, 0.9)), 0.01 * mean);
            case "zero-weights":
                var wa = Enumerable.Repeat(1.0 / 69, 70).ToArray();
                var wb = Enumerable.Repeat(1.0 / 58, 60).ToArray();
                wa[0] = 0;
                wb[3] = 0;
                wb[59] = 0;
                return (new LinearProblem<double>(new PointCloudGeometry<double>(x, y), wa, wb), 0.01 * mean);
            case "pca30":
                var pca = PcaPair(90, 80, 21);
                return (pca, 0.01 * pca.Geometry.ComputeStatistics().Mean);
            default:
                throw new ArgumentException(name, nameof(name));
        }
    }

    /// <summary>30-D points shaped like PCA scores: per-axis scale 25/√k, four clusters, norms about 80; the target shifted by 3.</summary>
    private static LinearProblem<double> PcaPair(int n, int m, int seed)
    {
        const int d = 30;
        var rng = new Random(seed);
        var centers = new double[4 * d];
        for (var k = 0; k < centers.Length; k++)
        {
            centers[k] = rng.NextGaussian() * 1.5 * 25 / Math.Sqrt((k % d) + 1);
        }

        PointCloud<double> Cloud(int count, double shift)
        {
            var data = new double[count * d];
            for (var i = 0; i < count; i++)
            {
                var c = rng.Next(4);
                for (var k = 0; k < d; k++)
                {
                    data[(i * d) + k] = (rng.NextGaussian() * 25 / Math.Sqrt(k + 1)) + centers[(c * d) + k] + shift;
                }
            }

            return new PointCloud<double>(data, count, d);
        }

        return LinearProblem<double>.FromPointClouds(Cloud(n, 0), Cloud(m, 3));
    }
}
