using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Solvers.LowRank;
using Monge.Testing;
using Monge.Tests.Geometry;

namespace Monge.Tests.Solvers;

/// <summary>The one output contract (<see cref="ITransportPlan{T}"/>) checked against each result's dense plan.</summary>
public sealed class TransportPlanTests
{
    private const int N = 17;
    private const int M = 11;

    [Fact]
    public void SinkhornResult_PlanContract_MatchesDensePlan()
    {
        var x = GeometryTestData.Cloud(N, 2, 601);
        var y = GeometryTestData.Cloud(M, 2, 602, offset: 0.5);
        var a = Array.ConvertAll(GeometryTestData.Vector(N, 603), v => 1 + Math.Abs(v));
        var b = Array.ConvertAll(GeometryTestData.Vector(M, 604), v => 1 + Math.Abs(v));
        var scale = a.Sum() / b.Sum();
        b = Array.ConvertAll(b, v => v * scale);
        var geometry = new PointCloudGeometry<double>(x, y);
        var result = new Sinkhorn { Epsilon = 0.1, Threshold = 1e-10, MaxIterations = 50_000 }.Solve(new LinearProblem<double>(geometry, a, b));
        AssertContract(result, geometry.ToDense());

        // The plan carries the problem's masses, not normalized ones.
        NumericAssert.Close(a.Sum(), result.SourceMarginal.Sum(), rtol: 1e-8);
    }

    [Fact]
    public void NetworkSimplexResult_PlanContract_MatchesDensePlan()
    {
        var x = GeometryTestData.Cloud(N, 2, 611);
        var y = GeometryTestData.Cloud(M, 2, 612);
        var geometry = new PointCloudGeometry<double>(x, y);
        var a = Enumerable.Repeat(1.0 / N, N).ToArray();
        var b = Enumerable.Repeat(1.0 / M, M).ToArray();
        var result = new NetworkSimplex().Solve(geometry.ToDense(), a, b);
        AssertContract(result, geometry.ToDense());
        NumericAssert.Close(a, result.SourceMarginal, rtol: 1e-9, atol: 1e-12);
        NumericAssert.Close(b, result.TargetMarginal, rtol: 1e-9, atol: 1e-12);
        Assert.Same(result.SourcePotentials, result.F);
        Assert.Same(result.TargetPotentials, result.G);
    }

    public static TheoryData<string> Solvers => ["sinkhorn", "network-simplex", "linear-assignment", "one-dimensional", "frlc", "lr-sinkhorn"];

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Result_EverySolverOnOneProblem_MatchesDensePlan(string solver)
    {
        // One small 1-D problem (so OneDimensional applies), n < m (so LinearAssignment is rectangular), uniform weights.
        const int n = 11;
        const int m = 17;
        var problem = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(n, 1, 631), GeometryTestData.Cloud(m, 1, 632, offset: 0.3));
        var cost = problem.Geometry.ToDense();
        ITransportPlan<double> plan = solver switch
        {
            "sinkhorn" => new Sinkhorn { Epsilon = 0.05, Threshold = 1e-9, MaxIterations = 50_000 }.Solve(problem),
            "network-simplex" => new NetworkSimplex().Solve(problem),
            "linear-assignment" => new LinearAssignment().Solve(problem),
            "one-dimensional" => new OneDimensional().Solve(problem),
            "frlc" => new Frlc { Rank = 3, Seed = 1 }.Solve(problem),
            "lr-sinkhorn" => new LowRankSinkhorn { Rank = 3, Seed = 1 }.Solve(problem),
            _ => throw new ArgumentOutOfRangeException(nameof(solver), solver, null),
        };
        Assert.Equal(n, plan.SourceCount);
        Assert.Equal(m, plan.TargetCount);
        AssertContract(plan, cost);
    }

    [Fact]
    public void LinearAssignmentResult_Rectangular_RowsCarryOneOverN()
    {
        const int n = 5;
        const int m = 8;
        var problem = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(n, 2, 641), GeometryTestData.Cloud(m, 2, 642));
        var result = new LinearAssignment().Solve(problem);
        NumericAssert.Close(Enumerable.Repeat(1.0 / n, n).ToArray(), result.SourceMarginal, rtol: 1e-12);
        var columns = result.TargetMarginal;
        Assert.Equal(n, columns.Count(c => c > 0));
        NumericAssert.Close(1.0, columns.Sum(), rtol: 1e-12);
        NumericAssert.Close(result.TotalCost / n, result.Cost, rtol: 1e-12);
    }

    [Fact]
    public void LowRankCoupling_ToDenseAboveTheLimit_ThrowsThePlanSizeMessage()
    {
        var problem = LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(6, 2, 651), GeometryTestData.Cloud(7, 2, 652));
        var result = new Frlc { Rank = 2 }.Solve(problem);
        var error = Assert.Throws<InvalidOperationException>(() => result.Coupling.ToDense(maxEntries: 41));
        Assert.Contains("6 × 7 plan", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HierarchicalRefinementResult_PlanContract_MatchesDensePlan()
    {
        const int n = 40;
        var x = GeometryTestData.Cloud(n, 2, 631);
        var y = GeometryTestData.Cloud(n, 2, 632, offset: 0.5);
        var geometry = new PointCloudGeometry<double>(x, y);
        var result = new HierarchicalRefinement { LeafSize = 8, MaxRank = 4 }.Solve(new LinearProblem<double>(geometry));
        AssertContract(result, geometry.ToDense());

        // P = (1/n)·permutation: uniform marginals, one entry 1/n per row.
        NumericAssert.Close(Enumerable.Repeat(1.0 / n, n).ToArray(), result.SourceMarginal, rtol: 1e-15);
        NumericAssert.Close(Enumerable.Repeat(1.0 / n, n).ToArray(), result.TargetMarginal, rtol: 1e-15);
        var dense = result.ToDense();
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(1.0 / n, dense[(i * n) + result.Permutation[i]]);
        }

        Assert.True(result.Convergence.Converged);
        Assert.Equal(result.Levels.Count, result.Convergence.Iterations);
        Assert.Equal(result.Elapsed, result.Convergence.Elapsed);
    }

    [Fact]
    public void EnsureDense_AboveTheLimit_ThrowsWithTheMemory()
    {
        Assert.Equal(12L, PlanSize.EnsureDense<double>(3, 4, 12, "plan"));
        var error = Assert.Throws<InvalidOperationException>(() => PlanSize.EnsureDense<double>(3, 4, 11, "plan"));
        Assert.Contains("3 × 4 plan", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => PlanSize.EnsureDense<float>(100_000, 100_000, long.MaxValue, "cost matrix"));
    }

    private static void AssertContract(ITransportPlan<double> plan, double[] cost)
    {
        var n = plan.SourceCount;
        var m = plan.TargetCount;
        var dense = plan.ToDense();
        Assert.Equal(n * m, dense.Length);
        var rows = new double[n];
        var cols = new double[m];
        double expectedCost = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var p = dense[(i * m) + j];
                rows[i] += p;
                cols[j] += p;
                expectedCost += p * cost[(i * m) + j];
            }
        }

        NumericAssert.Close(expectedCost, plan.Cost, rtol: 1e-9, what: "cost");
        NumericAssert.Close(rows, plan.SourceMarginal, rtol: 1e-9, atol: 1e-14, what: "row marginal");
        NumericAssert.Close(cols, plan.TargetMarginal, rtol: 1e-9, atol: 1e-14, what: "column marginal");
        const int k = 3;
        var v = GeometryTestData.Vector(m * k, 620);
        var u = GeometryTestData.Vector(n * k, 621);
        var pv = new double[n * k];
        var ptu = new double[m * k];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                for (var q = 0; q < k; q++)
                {
                    pv[(i * k) + q] += dense[(i * m) + j] * v[(j * k) + q];
                    ptu[(j * k) + q] += dense[(i * m) + j] * u[(i * k) + q];
                }
            }
        }

        NumericAssert.Close(pv, plan.ApplyPlan(v, k, Axis.Rows), rtol: 1e-9, atol: 1e-14, what: "P·V");
        NumericAssert.Close(ptu, plan.ApplyPlan(u, k, Axis.Columns), rtol: 1e-9, atol: 1e-14, what: "Pᵀ·U");
        NumericAssert.Close(pv.Where((_, index) => index % k == 0).ToArray(), plan.ApplyPlan(v.Where((_, index) => index % k == 0).ToArray(), Axis.Rows), rtol: 1e-9, atol: 1e-14, what: "P·v");
        Assert.Throws<ArgumentException>(() => plan.ApplyPlan(new double[m + 1], Axis.Rows));
        Assert.Throws<InvalidOperationException>(() => plan.ToDense(maxEntries: (n * m) - 1));
        Assert.NotNull(plan.Convergence);
    }
}
