using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Tests.Solvers.Exact;

/// <summary>The warm start of the network simplex from the previous tree (same weights, new costs), as free-support barycenters use it.</summary>
public sealed class NetworkSimplexWarmStartTests
{
    [Fact]
    public void Solve_SequenceOfMovedPoints_SameOptimumAsColdSolvesWithFewerPivots()
    {
        // Points that move a little each round (as barycenter iterates do): the warm-started solve must reach the cold
        // solve's optimal value every round, and needs fewer pivots in total.
        var random = Seeds.Create(61);
        const int n = 40, m = 57, d = 2;
        var x = Uniform(random, n * d);
        var y = Uniform(random, m * d);
        var a = Generators.RandomWeights(random, n);
        var b = Generators.RandomWeights(random, m);
        var cost = new double[n * m];
        var basis = new NetworkSimplexBasis();
        var solver = new NetworkSimplex();
        long warmPivots = 0, coldPivots = 0;
        for (var round = 0; round < 8; round++)
        {
            LinearAssignment.FillCost(x, y, d, null, cost);
            var cold = solver.Solve(cost, a, b);
            var warm = solver.SolveFrom(basis, cost, a, b);
            Assert.True(warm.Optimal);
            NumericAssert.Close(cold.Cost, warm.Cost, rtol: 1e-12, atol: 1e-15, what: $"round {round}");
            AssertMarginals(warm, a, b);
            if (round > 0)
            {
                warmPivots += warm.Convergence.Iterations;
                coldPivots += cold.Convergence.Iterations;
            }

            for (var e = 0; e < x.Length; e++)
            {
                x[e] += 0.02 * (random.NextDouble() - 0.5);
            }
        }

        Assert.True(warmPivots < coldPivots / 2, $"warm {warmPivots} pivots vs cold {coldPivots}");
    }

    [Fact]
    public void Solve_SameCostAgain_NoPivotAndTheSamePlan()
    {
        var random = Seeds.Create(62);
        const int n = 23, m = 31;
        var cost = Uniform(random, n * m);
        var a = Generators.RandomWeights(random, n);
        var b = Generators.RandomWeights(random, m);
        var basis = new NetworkSimplexBasis();
        var first = new NetworkSimplex().SolveFrom(basis, cost, a, b);
        var second = new NetworkSimplex().SolveFrom(basis, cost, a, b);
        Assert.Equal(0, basis.LastPivots);
        Assert.Equal(first.Rows, second.Rows);
        Assert.Equal(first.Columns, second.Columns);
        Assert.Equal(first.Mass, second.Mass);
    }

    [Fact]
    public void Solve_OtherWeightsOrShape_StartsColdAndStaysOptimal()
    {
        // A saved tree is only a basis for the weights it was saved with: other weights (or sizes) start from the
        // artificial tree, with the same answer as a plain solve.
        var random = Seeds.Create(63);
        const int n = 15, m = 18;
        var cost = Uniform(random, n * m);
        var basis = new NetworkSimplexBasis();
        new NetworkSimplex().SolveFrom(basis, cost, Generators.RandomWeights(random, n), Generators.RandomWeights(random, m));
        var a = Generators.RandomWeights(random, n);
        var b = Generators.RandomWeights(random, m);
        var plain = new NetworkSimplex().Solve(cost, a, b);
        var after = new NetworkSimplex().SolveFrom(basis, cost, a, b);
        Assert.Equal(plain.Convergence.Iterations, after.Convergence.Iterations);
        Assert.Equal(plain.Cost, after.Cost);
        var smaller = cost.AsSpan(0, (n - 1) * m).ToArray();
        var a2 = Generators.RandomWeights(random, n - 1);
        NumericAssert.Close(new NetworkSimplex().Solve(smaller, a2, b).Cost, new NetworkSimplex().SolveFrom(basis, smaller, a2, b).Cost, rtol: 1e-13);
    }

    [Fact]
    public void SolveInPlace_SequenceOfMovedPoints_SamePivotsAndPlansAsSolveFrom()
    {
        // The allocation-free engine runs on the workspace's arrays: the same start and pivots as SolveFrom (which copies
        // the tree in and out), hence bit-identical plans, and the cold solve's optimum every round.
        var random = Seeds.Create(64);
        const int n = 10, m = 13, d = 2;
        var x = Uniform(random, n * d);
        var y = Uniform(random, m * d);
        var a = Generators.RandomWeights(random, n);
        var b = Generators.RandomWeights(random, m);
        var cost = new double[n * m];
        var basis = new NetworkSimplexBasis();
        var workspace = new NetworkSimplexWorkspace();
        var solver = new NetworkSimplex();
        for (var round = 0; round < 6; round++)
        {
            LinearAssignment.FillCost(x, y, d, null, cost);
            var copied = solver.SolveFrom(basis, cost, a, b);
            solver.SolveInPlace(workspace, cost, a, b);
            Assert.Equal(SolverStatus.Converged, workspace.Status);
            Assert.Equal(basis.LastPivots, workspace.Basis.LastPivots);
            Assert.Equal(copied.Rows, workspace.Rows.AsSpan(0, workspace.Count).ToArray());
            Assert.Equal(copied.Columns, workspace.Columns.AsSpan(0, workspace.Count).ToArray());
            Assert.Equal(copied.Mass, workspace.Mass.AsSpan(0, workspace.Count).ToArray());
            Assert.Equal(copied.Cost, workspace.Cost);
            NumericAssert.Close(solver.Solve(cost, a, b).Cost, workspace.Cost, rtol: 1e-12, atol: 1e-15, what: $"round {round}");
            for (var e = 0; e < x.Length; e++)
            {
                x[e] += 0.05 * (random.NextDouble() - 0.5);
            }
        }

        // New weights: validated again and started cold, with the plain solve's pivots.
        var a2 = Generators.RandomWeights(random, n);
        solver.SolveInPlace(workspace, cost, a2, b);
        var plain = solver.Solve(cost, a2, b);
        Assert.Equal(plain.Convergence.Iterations, workspace.Basis.LastPivots);
        Assert.Equal(plain.Cost, workspace.Cost);
    }

    [Fact]
    public void SolveInPlace_NonFiniteCostOrBadWeights_Throw()
    {
        var random = Seeds.Create(65);
        const int n = 4, m = 5;
        var cost = Uniform(random, n * m);
        var a = Generators.RandomWeights(random, n);
        var b = Generators.RandomWeights(random, m);
        var workspace = new NetworkSimplexWorkspace();
        new NetworkSimplex().SolveInPlace(workspace, cost, a, b);
        cost[7] = double.NaN;
        var error = Assert.Throws<InputValidationException>(() => new NetworkSimplex().SolveInPlace(workspace, cost, a, b));
        Assert.Equal(InputProblem.NonFinite, error.Problem);
        Assert.Contains("(1, 2)", error.Message);
        cost[7] = 0;
        b[0] += 0.5;
        Assert.Equal(InputProblem.MassMismatch, Assert.Throws<InputValidationException>(() => new NetworkSimplex().SolveInPlace(workspace, cost, a, b)).Problem);
    }

    private static double[] Uniform(Random random, int count)
    {
        var values = new double[count];
        for (var e = 0; e < count; e++)
        {
            values[e] = (2 * random.NextDouble()) - 1;
        }

        return values;
    }

    private static void AssertMarginals(NetworkSimplexResult plan, double[] a, double[] b)
    {
        var rows = new double[a.Length];
        var cols = new double[b.Length];
        for (var e = 0; e < plan.Mass.Length; e++)
        {
            rows[plan.Rows[e]] += plan.Mass[e];
            cols[plan.Columns[e]] += plan.Mass[e];
        }

        NumericAssert.Close(a, rows, rtol: 1e-12, atol: 1e-14, what: "row sums");
        NumericAssert.Close(b, cols, rtol: 1e-12, atol: 1e-14, what: "column sums");
    }
}
