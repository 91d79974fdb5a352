using CsCheck;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tests.Geometry;
using Monge.Tools;

namespace Monge.Tests.Tools;

public class SinkhornDivergenceTests
{
    private static readonly Sinkhorn Tight = new() { Threshold = 1e-11, MaxIterations = 100_000, InnerIterations = 5 };

    [Fact]
    public void SymmetricSolve_MatchesTheGeneralSolverOnTheSelfProblem()
    {
        // The averaged fixed point f ← ½(f + softmin(f)) must reach the same OT_ε(α, α) as plain Sinkhorn, in both conventions.
        var rng = Seeds.Create(401);
        var x = GeometryTestData.Cloud(40, 2, 402).WithWeights(Generators.RandomWeights(rng, 40));
        var problem = LinearProblem<double>.FromPointClouds(x, x);
        foreach (var convention in new[] { EntropyConvention.KullbackLeibler, EntropyConvention.Entropy })
        {
            var opts = Tight with { Epsilon = 0.05, Convention = convention };
            var general = opts.Solve(problem);
            var symmetric = SinkhornDivergence.SolveSymmetric(opts, problem, CancellationToken.None);
            Assert.True(symmetric.Converged, symmetric.Convergence.ToString());
            NumericAssert.Close(general.RegularizedCost, symmetric.RegularizedCost, rtol: 1e-9, what: $"{convention} value");
            NumericAssert.Close(general.ToDense(), symmetric.ToDense(), rtol: 1e-7, atol: 1e-12, what: $"{convention} plan");
            Assert.True(symmetric.Convergence.Iterations < 60, $"{convention}: {symmetric.Convergence.Iterations} iterations");
        }
    }

    [Fact]
    public void Divergence_Properties_ZeroOnSelfNonNegativeSymmetric()
    {
        var pairs = from pair in Generators.PointCloudPairs(minCount: 2, maxCount: 10, maxDim: 3)
                    from a in Generators.Weights(pair.X.Count)
                    from b in Generators.Weights(pair.Y.Count)
                    select (X: pair.X.WithWeights(Normalize(a)), Y: pair.Y.WithWeights(Normalize(b)));
        pairs.Sample(
            p =>
            {
                // ε = 0.1·max(C) over all three problems (X–X can be much wider than X–Y when Y sits inside X): Sinkhorn
                // contracts like tanh(max C / 2ε), so at ε/max(C) ≈ 0.01 plain Sinkhorn can need more than 10⁵ iterations.
                var eps = 0.1 * new[] { (p.X, p.Y), (p.X, p.X), (p.Y, p.Y) }.Max(c => new PointCloudGeometry<double>(c.Item1, c.Item2).ComputeStatistics().Max);
                var opts = Tight with { Epsilon = Math.Max(eps, 1e-3) };
                var xy = SinkhornDivergence.Compute(p.X, p.Y, opts);
                var yx = SinkhornDivergence.Compute(p.Y, p.X, opts);
                var xx = SinkhornDivergence.Compute(p.X, p.X, opts);
                foreach (var r in new[] { xy, yx, xx })
                {
                    Assert.True(r.Converged, $"n={p.X.Count} m={p.Y.Count} d={p.X.Dimension} ε={r.Epsilon}: cross {r.CrossConvergence}, source {r.SourceConvergence}, target {r.TargetConvergence}");
                }

                Assert.True(xy.Value >= -1e-9 * Math.Abs(xy.CrossTerm), $"negative divergence {xy.Value}");
                NumericAssert.Close(xy.Value, yx.Value, rtol: 1e-7, atol: 1e-10, what: "symmetry");
                NumericAssert.Close(0, xx.Value, atol: 1e-9 * Math.Max(1, Math.Abs(xx.CrossTerm)), what: "S(α, α)");
            },
            iter: 20);
    }

    [Fact]
    public void Divergence_ReportsEachTermsConvergence_AndFloat32Agrees()
    {
        var x = GeometryTestData.Cloud(60, 2, 411);
        var y = GeometryTestData.Cloud(50, 2, 412, offset: 0.5);
        var opts = new Sinkhorn { Epsilon = 0.05, Threshold = 1e-7, MaxIterations = 20_000 };
        var result = SinkhornDivergence.Compute(x, y, opts);
        Assert.True(result.Converged);
        Assert.NotNull(result.CrossConvergence);
        Assert.True(result.SourceConvergence!.Iterations < result.CrossConvergence!.Iterations, $"self {result.SourceConvergence.Iterations} vs cross {result.CrossConvergence.Iterations}");
        Assert.True(result.TargetConvergence!.Converged);
        var single = SinkhornDivergence.Compute(x.Convert<float>(), y.Convert<float>(), opts with { Threshold = 1e-5 });
        NumericAssert.Close(result.Value, single.Value, rtol: 1e-3);
    }

    [Fact]
    public void Divergence_SolverErrors_StayTyped()
    {
        // The three solves run concurrently; their typed exceptions must not surface as AggregateException.
        var x = GeometryTestData.Cloud(10, 2, 421);
        var y = GeometryTestData.Cloud(12, 2, 422);
        var ex = Assert.Throws<InputValidationException>(() => SinkhornDivergence.Compute(x, y, new Sinkhorn { Epsilon = 0.1, Initializer = SinkhornInitializer.Sorting }));
        Assert.Equal(InputProblem.InvalidParameter, ex.Problem);
        Assert.Throws<InputValidationException>(() => SinkhornDivergence.Compute(x, GeometryTestData.Cloud(12, 3, 423)));
    }

    [Fact]
    public void SelfGeometry_SharesOneCenteredCopy_SameSoftMin()
    {
        var x = GeometryTestData.Cloud(70, 3, 431);
        var copy = new PointCloud<double>(x.Data.ToArray(), 70, 3);
        var h = GeometryTestData.Vector(70, 432);
        var shared = new double[70];
        var separate = new double[70];
        new PointCloudGeometry<double>(x, x).SoftMin(h, [], 0.05, Axis.Rows, shared);
        new PointCloudGeometry<double>(x, copy).SoftMin(h, [], 0.05, Axis.Rows, separate);
        Assert.Equal(separate, shared);
    }

    private static double[] Normalize(double[] w)
    {
        var total = w.Sum();
        return w.Select(v => v / total).ToArray();
    }
}
