using Monge.Datasets;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Exact;
using Monge.Solvers.Linear;
using Monge.Testing;
using Monge.Tests.Geometry;

namespace Monge.Tests.Solvers.Linear;

public class SinkhornInitializerTests
{
    private static double[] InitialF(LinearProblem<double> problem, SinkhornInitializer initializer, double eps = 0.01, EntropyConvention convention = EntropyConvention.KullbackLeibler)
    {
        var state = new SinkhornState<double>(problem, convention, eps);
        if (initializer == SinkhornInitializer.Gaussian)
        {
            SinkhornInitializers.Gaussian(problem, state);
        }
        else
        {
            SinkhornInitializers.Sorting(problem, state);
        }

        return state.F;
    }

    /// <summary>y = A x + c with A symmetric positive definite: the identity matching is optimal (A is the gradient of a convex map).</summary>
    private static PointCloud<double> AffineImage(PointCloud<double> x, double[] matrix, double[] shift)
    {
        var d = x.Dimension;
        var data = new double[x.Count * d];
        for (var i = 0; i < x.Count; i++)
        {
            for (var k = 0; k < d; k++)
            {
                var v = shift[k];
                for (var l = 0; l < d; l++)
                {
                    v += matrix[(k * d) + l] * x.Row(i)[l];
                }

                data[(i * d) + k] = v;
            }
        }

        return new PointCloud<double>(data, x.Count, d);
    }

    [Fact]
    public void Gaussian_AffineTarget_IsExactUnregularizedDual()
    {
        // For y_i = A x_i + c (A SPD) the fitted Gaussians are related by exactly this map, so f is the exact Kantorovich
        // potential: its c-transform g_j = min_i (C_ij − f_i) is attained at i = j (identity matching) for every j.
        var x = GeometryTestData.Cloud(40, 2, 301);
        var y = AffineImage(x, [1.5, 0.4, 0.4, 0.7], [0.3, -0.2]);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var f = InitialF(problem, SinkhornInitializer.Gaussian);
        Assert.All(f, v => Assert.True(double.IsFinite(v)));
        var cost = new PointCloudGeometry<double>(x, y).ToDense();
        for (var j = 0; j < 40; j++)
        {
            var gj = Enumerable.Range(0, 40).Min(i => cost[(i * 40) + j] - f[i]);
            NumericAssert.Close(gj, cost[(j * 40) + j] - f[j], atol: 1e-9, what: $"c-transform at column {j}");
        }

        // Strong duality with the exact cost of the identity matching.
        var g = Enumerable.Range(0, 40).Select(j => Enumerable.Range(0, 40).Min(i => cost[(i * 40) + j] - f[i])).ToArray();
        var exact = Enumerable.Range(0, 40).Average(i => cost[(i * 40) + i]);
        NumericAssert.Close(exact, f.Average() + g.Average(), rtol: 1e-9);
    }

    [Fact]
    public void Gaussian_CostScale_ScalesThePotential()
    {
        var x = GeometryTestData.Cloud(30, 3, 311);
        var y = GeometryTestData.Cloud(25, 3, 312, offset: 0.5, spread: 2);
        var f1 = InitialF(new LinearProblem<double>(new PointCloudGeometry<double>(x, y)), SinkhornInitializer.Gaussian);
        var f3 = InitialF(new LinearProblem<double>(new PointCloudGeometry<double>(x, y, scaleFactor: 3.0)), SinkhornInitializer.Gaussian);
        NumericAssert.Close(f1.Select(v => 3 * v).ToArray(), f3, rtol: 1e-10, atol: 1e-12);
    }

    [Fact]
    public void Sorting_MonotoneDual_IsFeasibleAndOptimal()
    {
        // Against the network simplex on weighted 1-D problems with unequal sizes and ties in the coordinates.
        var rng = Seeds.Create(321);
        foreach (var (n, m) in new[] { (7, 9), (12, 5), (1, 6), (10, 10) })
        {
            var xs = Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 4, 1)).ToArray();
            var ys = Enumerable.Range(0, m).Select(_ => Math.Round((rng.NextDouble() * 4) - 1, 1)).ToArray();
            var a = Normalize(Enumerable.Range(0, n).Select(_ => 0.1 + rng.NextDouble()).ToArray());
            var b = Normalize(Enumerable.Range(0, m).Select(_ => 0.1 + rng.NextDouble()).ToArray());
            foreach (var (cost, ground) in new (ICostFunction<double>?, GroundCost)[] { (null, GroundCost.SquaredEuclidean), (new Euclidean<double>(), GroundCost.Euclidean) })
            {
                var geometry = new PointCloudGeometry<double>(new PointCloud<double>(xs, n, 1), new PointCloud<double>(ys, m, 1), cost);
                var (f, g) = SinkhornInitializers.MonotoneDual(geometry, a, b);
                var c = geometry.ToDense();
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < m; j++)
                    {
                        Assert.True(f[i] + g[j] <= c[(i * m) + j] + 1e-12, $"{ground} n={n} m={m}: f[{i}] + g[{j}] = {f[i] + g[j]} > C = {c[(i * m) + j]}");
                    }
                }

                var exact = new NetworkSimplex().Solve(c, a, b);
                Assert.True(exact.Optimal);
                var dual = a.Select((w, i) => w * f[i]).Sum() + b.Select((w, j) => w * g[j]).Sum();
                NumericAssert.Close(exact.Cost, dual, rtol: 1e-10, atol: 1e-12, what: $"{ground} n={n} m={m} dual value");
            }
        }
    }

    [Fact]
    public void Gaussian_SmallEpsilon_SameSolutionFewerIterations()
    {
        // Two anisotropic Gaussian samples (the bench's gaussian2d problem at n = 200); zero init needs about twice the iterations.
        var x = new GaussianMeasure([0, 0], [1, 0.3, 0.3, 0.5]).Sample(200, 1);
        var y = new GaussianMeasure([3, 1], [0.4, -0.2, -0.2, 2]).Sample(200, 2);
        AssertFewerIterations(LinearProblem<double>.FromPointClouds(x, y), SinkhornInitializer.Gaussian);
    }

    [Fact]
    public void Sorting_SmallEpsilon_SameSolutionFewerIterations()
    {
        var sample = SyntheticData.Generate(SyntheticDataset.GaussianMixture, 250, 1, 1, withTarget: true);
        AssertFewerIterations(LinearProblem<double>.FromPointClouds(sample.Source, sample.Target!), SinkhornInitializer.Sorting);
    }

    [Fact]
    public void Initializers_OtherConventionsAndUnbalanced_ReachTheZeroInitSolution()
    {
        var x = GeometryTestData.Cloud(60, 1, 351);
        var y = GeometryTestData.Cloud(50, 1, 352, offset: 0.4);
        var a = Enumerable.Repeat(1.2 / 60, 60).ToArray();
        var b = Enumerable.Repeat(0.9 / 50, 50).ToArray();
        var tight = new Sinkhorn { Epsilon = 0.02, Threshold = 1e-10, MaxIterations = 50_000 };
        foreach (var convention in new[] { EntropyConvention.KullbackLeibler, EntropyConvention.Entropy })
        {
            foreach (var (problem, what) in new[] { (LinearProblem<double>.FromPointClouds(x, y), "balanced"), (new LinearProblem<double>(new PointCloudGeometry<double>(x, y), a, b, 0.7, 0.8), "unbalanced") })
            {
                var opts = tight with { Convention = convention };
                var zero = opts.Solve(problem);
                foreach (var init in new[] { SinkhornInitializer.Gaussian, SinkhornInitializer.Sorting })
                {
                    var other = (opts with { Initializer = init }).Solve(problem);
                    Assert.True(other.Converged, $"{init} {convention} {what}: {other.Convergence}");
                    NumericAssert.Close(zero.ToDense(), other.ToDense(), rtol: 1e-6, atol: 1e-12, what: $"{init} {convention} {what} plan");
                }
            }
        }
    }

    [Fact]
    public void Initializers_Float32_AreFinite()
    {
        var x = GeometryTestData.Cloud(80, 1, 361).Convert<float>();
        var y = GeometryTestData.Cloud(70, 1, 362, offset: 100).Convert<float>();
        var problem = LinearProblem<float>.FromPointClouds(x, y);
        foreach (var init in new[] { SinkhornInitializer.Gaussian, SinkhornInitializer.Sorting })
        {
            var output = new Sinkhorn { Epsilon = 1, Initializer = init, MaxIterations = 500 }.Solve(problem);
            Assert.All(output.F, v => Assert.True(float.IsFinite(v)));
            Assert.True(output.Converged, $"{init}: {output.Convergence}");
        }
    }

    [Fact]
    public void Initializers_Deterministic()
    {
        var x = GeometryTestData.Cloud(50, 2, 371);
        var y = GeometryTestData.Cloud(40, 2, 372, offset: 0.3);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        Assert.Equal(InitialF(problem, SinkhornInitializer.Gaussian), InitialF(problem, SinkhornInitializer.Gaussian));
        var p1 = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(50, 1, 373), GeometryTestData.Cloud(40, 1, 374));
        Assert.Equal(InitialF(p1, SinkhornInitializer.Sorting), InitialF(p1, SinkhornInitializer.Sorting));
    }

    [Fact]
    public void Initializers_UnsupportedGeometry_ThrowTyped()
    {
        var x2 = GeometryTestData.Cloud(10, 2, 381);
        var y2 = GeometryTestData.Cloud(12, 2, 382);
        var x1 = GeometryTestData.Cloud(10, 1, 383);
        var y1 = GeometryTestData.Cloud(12, 1, 384);
        var cases = new (LinearProblem<double> Problem, SinkhornInitializer Init)[]
        {
            (LinearProblem<double>.FromPointClouds(x2, y2, new Euclidean<double>()), SinkhornInitializer.Gaussian),
            (new LinearProblem<double>(new DenseGeometry<double>(new PointCloudGeometry<double>(x2, y2).ToDense(), 10, 12)), SinkhornInitializer.Gaussian),
            (new LinearProblem<double>(LowRankGeometry<double>.SquaredEuclidean(x2, y2)), SinkhornInitializer.Gaussian),
            (LinearProblem<double>.FromPointClouds(x2, y2), SinkhornInitializer.Sorting),
            (new LinearProblem<double>(new DenseGeometry<double>(new PointCloudGeometry<double>(x1, y1).ToDense(), 10, 12)), SinkhornInitializer.Sorting),
        };
        foreach (var (problem, init) in cases)
        {
            var ex = Assert.Throws<InputValidationException>(() => new Sinkhorn { Epsilon = 0.1, Initializer = init }.Solve(problem));
            Assert.Equal(InputProblem.InvalidParameter, ex.Problem);
            Assert.Contains(init == SinkhornInitializer.Gaussian ? "Gaussian initializer" : "sorting initializer", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Gaussian_DegenerateClouds_StayFinite()
    {
        // Fewer points than dimensions (singular covariances) and a single-point target.
        var x = GeometryTestData.Cloud(3, 5, 391);
        var y = GeometryTestData.Cloud(4, 5, 392);
        var f = InitialF(LinearProblem<double>.FromPointClouds(x, y), SinkhornInitializer.Gaussian);
        Assert.All(f, v => Assert.True(double.IsFinite(v)));
        var point = GeometryTestData.Cloud(1, 5, 393);
        var output = new Sinkhorn { Epsilon = 0.1, Initializer = SinkhornInitializer.Gaussian }.Solve(LinearProblem<double>.FromPointClouds(x, point));
        Assert.True(output.Converged, output.Convergence.ToString());
    }

    /// <summary>ε = 0.01·mean(C) and the L2 threshold 1e-6 of bench/compare/sinkhorn: the initializer must save at least 30 % of the iterations.</summary>
    private static void AssertFewerIterations(LinearProblem<double> problem, SinkhornInitializer initializer)
    {
        var opts = new Sinkhorn { Epsilon = 0.01 * problem.Geometry.ComputeStatistics().Mean, Threshold = 1e-6, Norm = MarginalNorm.L2, MaxIterations = 5000 };
        var zero = opts.Solve(problem);
        var other = (opts with { Initializer = initializer }).Solve(problem);
        Assert.True(zero.Converged, zero.Convergence.ToString());
        Assert.True(other.Converged, other.Convergence.ToString());

        // Both stop at the same marginal threshold, not at the same point: an L2 marginal error of 1e-6 leaves cost
        // differences of order 1e-5 relative (exact agreement is checked at a tight threshold in the test below).
        NumericAssert.Close(zero.Cost, other.Cost, rtol: 1e-4);
        Assert.True(other.Convergence.Iterations < 0.7 * zero.Convergence.Iterations, $"{initializer} {other.Convergence.Iterations} vs zero {zero.Convergence.Iterations}");
    }

    private static double[] Normalize(double[] w)
    {
        var total = w.Sum();
        return w.Select(v => v / total).ToArray();
    }
}
