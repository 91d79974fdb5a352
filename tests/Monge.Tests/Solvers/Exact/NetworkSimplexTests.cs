using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Tests.Solvers.Exact;

public class NetworkSimplexTests
{
    public static TheoryData<string> EmdFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var name in Fixtures.Names("exact_emd_"))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EmdFixtures))]
    public void Solve_PotFixture_MatchesEmd2AndCertifies(string name)
    {
        var fixture = Fixtures.Load(name);
        var a = fixture.Doubles("a");
        var b = fixture.Doubles("b");
        var cost = fixture.Doubles("cost");
        var result = new NetworkSimplex().Solve(cost, a, b);

        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        NumericAssert.Close(fixture.Scalar("value"), result.Cost, rtol: 1e-10, atol: 1e-14, what: name);
        AssertFeasibleAndCertified(cost, a, b, result, 1e-10);
        Assert.True(result.Rows.Length <= a.Length + b.Length - 1, $"{result.Rows.Length} nonzeros");

        // POT's plan must be optimal for our duals too (any optimal plan is supported where reduced costs vanish).
        var potPlan = fixture.Doubles("plan");
        var dense = result.ToDense();
        var potCost = 0.0;
        for (var k = 0; k < cost.Length; k++)
        {
            potCost += potPlan[k] * cost[k];
        }

        NumericAssert.Close(potCost, dense.Select((p, k) => p * cost[k]).Sum(), rtol: 1e-10, atol: 1e-14);
    }

    [Fact]
    public void Solve_UniformSquare_EqualsAssignmentOptimum()
    {
        var random = Seeds.Create(501);
        foreach (var n in new[] { 1, 2, 5, 37, 120 })
        {
            var x = Generators.UniformCloud(random, n, 2);
            var y = Generators.UniformCloud(random, n, 2);
            var emd = new NetworkSimplex().Solve(x, y);
            var lap = new LinearAssignment().Solve(x, y);
            NumericAssert.Close(lap.TotalCost / n, emd.Cost, rtol: 1e-10, atol: 1e-15, what: $"n = {n}");
        }
    }

    [Fact]
    public void Solve_RandomWeightedSweep_CertifiedBySmallLinearPrograms()
    {
        // Property: for random weights and integer or real costs, the plan is feasible, has ≤ n+m−1 nonzeros,
        // and its duals certify it (reduced costs ≥ 0, zero on the support, equal primal and dual values).
        var random = Seeds.Create(502);
        for (var trial = 0; trial < 60; trial++)
        {
            var n = 1 + random.Next(12);
            var m = 1 + random.Next(12);
            var a = Generators.RandomWeights(random, n);
            var b = Generators.RandomWeights(random, m);
            var cost = new double[n * m];
            for (var k = 0; k < cost.Length; k++)
            {
                cost[k] = trial % 2 == 0 ? random.Next(4) : random.NextDouble() - 0.3;
            }

            var result = new NetworkSimplex().Solve(cost, a, b);
            Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
            AssertFeasibleAndCertified(cost, a, b, result, 1e-10);
            Assert.True(result.Rows.Length <= n + m - 1);
        }
    }

    [Fact]
    public void Solve_MassMismatch_ThrowsUnlessNormalized()
    {
        double[] cost = [0, 1, 1, 0];
        double[] a = [0.5, 0.5];
        double[] b = [1, 1];
        var ex = Assert.Throws<InputValidationException>(() => new NetworkSimplex().Solve(cost, a, b));
        Assert.Equal(InputProblem.MassMismatch, ex.Problem);
        var result = new NetworkSimplex { NormalizeMasses = true }.Solve(cost, a, b);
        Assert.Equal(0.0, result.Cost);
        NumericAssert.Close([0.5, 0, 0, 0.5], result.ToDense(), atol: 1e-15);
    }

    [Fact]
    public void Solve_BadInput_ThrowsTypedExceptions()
    {
        Assert.Equal(InputProblem.NegativeWeight, Assert.Throws<InputValidationException>(() => new NetworkSimplex().Solve(new double[4], [1.5, -0.5], [0.5, 0.5])).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => new NetworkSimplex().Solve(new double[5], [0.5, 0.5], [0.5, 0.5])).Problem);
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => new NetworkSimplex().Solve([0, double.NaN, 0, 0], [0.5, 0.5], [0.5, 0.5])).Problem);
        Assert.Equal(InputProblem.ZeroMass, Assert.Throws<InputValidationException>(() => new NetworkSimplex().Solve(new double[4], [0, 0], [0.5, 0.5])).Problem);
    }

    [Fact]
    public void Solve_MaxIterationsReached_ReportsStatusWithFeasiblePlan()
    {
        var random = Seeds.Create(503);
        var x = Generators.UniformCloud(random, 40, 2);
        var y = Generators.UniformCloud(random, 40, 2);
        var result = new NetworkSimplex { MaxIterations = 5 }.Solve(x, y);
        Assert.Equal(SolverStatus.MaxIterations, result.Convergence.Status);
        Assert.False(result.Optimal);
        Assert.Equal(5, result.Convergence.Iterations);
    }

    internal static void AssertFeasibleAndCertified(double[] cost, double[] a, double[] b, NetworkSimplexResult result, double tolerance)
    {
        var n = a.Length;
        var m = b.Length;
        var plan = result.ToDense();
        var rowSums = new double[n];
        var colSums = new double[m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                rowSums[i] += plan[(i * m) + j];
                colSums[j] += plan[(i * m) + j];
            }
        }

        var massB = b.Sum();
        NumericAssert.Close(a, rowSums, atol: 1e-12, what: "row sums");
        NumericAssert.Close(b.Select(v => v * a.Sum() / massB).ToArray(), colSums, atol: 1e-12, what: "column sums");
        var f = result.SourcePotentials;
        var g = result.TargetPotentials;
        var scale = 1 + cost.Max(Math.Abs);
        var dual = 0.0;
        for (var i = 0; i < n; i++)
        {
            dual += a[i] * f[i];
            for (var j = 0; j < m; j++)
            {
                var reduced = cost[(i * m) + j] - f[i] - g[j];
                Assert.True(reduced >= -tolerance * scale, $"reduced cost {reduced} at ({i}, {j})");
                if (plan[(i * m) + j] > 0)
                {
                    Assert.True(Math.Abs(reduced) <= tolerance * scale, $"support reduced cost {reduced} at ({i}, {j})");
                }
            }
        }

        for (var j = 0; j < m; j++)
        {
            dual += colSums[j] * g[j];
        }

        NumericAssert.Close(result.Cost, dual, rtol: 1e-9, atol: tolerance * scale, what: "duality gap");
    }
}
