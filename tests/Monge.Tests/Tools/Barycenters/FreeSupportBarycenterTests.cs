using Monge.Geometry;
using Monge.Numerics;
using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Testing;
using Monge.Tools.Barycenters;
using Xunit.Abstractions;

namespace Monge.Tests.Tools.Barycenters;

public sealed class FreeSupportBarycenterTests(ITestOutputHelper output)
{
    [Fact]
    public void Solve_PotFixtures_SamePointsAndObjectiveAsPot()
    {
        // POT 0.8.2 ot.lp.free_support_barycenter from the same X_init, run until its displacement is 0: the same fixed
        // point up to rounding (exact plans are unique on these generic inputs).
        var names = Fixtures.Names("barycenter_free_s");
        Assert.True(names.Count >= 6);
        var worst = 0.0;
        foreach (var name in names)
        {
            var fx = Fixtures.Load(name);
            var xInit = fx.Doubles("x_init");
            var b = fx.Doubles("b");
            var d = xInit.Length / b.Length;
            var inputs = BarycenterTestData.Inputs(fx, d);
            var result = new FreeSupportBarycenter().Solve(inputs, b.Length, fx.Doubles("lambdas"), b, xInit);
            Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
            var expected = fx.Doubles("x");
            NumericAssert.Close(expected, result.Points, rtol: 1e-9, atol: 1e-9, what: name);
            NumericAssert.Close(fx.Scalar("objective"), result.Objective, rtol: 1e-9, what: name);
            Assert.True(result.ObjectiveIsExact);
            for (var e = 0; e < expected.Length; e++)
            {
                worst = Math.Max(worst, Math.Abs(expected[e] - result.Points[e]) / Math.Max(1, Math.Abs(expected[e])));
            }

            output.WriteLine($"{name}: K {b.Length}, d {d}, S {inputs.Count}: {result.Convergence.Iterations} updates (POT {fx.Scalar("iterations")}), objective {result.Objective:R} vs {fx.Scalar("objective"):R}");
        }

        output.WriteLine($"max |ΔX| / max(1, |X|) = {worst:E2}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Solve_Objective_EqualsIndependentNetworkSimplexValues(bool uniform)
    {
        // Uniform weights with n_s = K take the assignment path; weighted inputs the network simplex; the reported
        // objective must be Σ w_s W₂² recomputed from scratch.
        var random = Seeds.Create(31);
        const int k = 12;
        var inputs = new[] { BarycenterTestData.Cloud(random, k, 2, 0, !uniform), BarycenterTestData.Cloud(random, k, 2, 3, !uniform), BarycenterTestData.Cloud(random, k, 2, -2, !uniform) };
        double[] lambdas = [0.5, 0.3, 0.2];
        var result = new FreeSupportBarycenter { Seed = 5 }.Solve(inputs, k, lambdas);
        Assert.True(result.Converged);
        var bary = new PointCloud<double>(result.Points.ToArray(), k, 2, result.Weights.ToArray());
        var objective = 0.0;
        for (var s = 0; s < inputs.Length; s++)
        {
            var w2 = new NetworkSimplex { NormalizeMasses = true }.Solve(bary, inputs[s]).Cost;
            NumericAssert.Close(w2, result.Values[s], rtol: 1e-10, atol: 1e-12);
            objective += lambdas[s] * w2;
            var plan = result.DensePlan(s);
            var rows = new double[k];
            for (var e = 0; e < plan.Length; e++)
            {
                rows[e / inputs[s].Count] += plan[e];
            }

            NumericAssert.Close(result.Weights, rows, rtol: 1e-12, atol: 1e-15);
        }

        NumericAssert.Close(objective, result.Objective, rtol: 1e-10);
    }

    [Fact]
    public void Solve_ParallelWarmStartedInnerSolves_SameAnswerEveryRun()
    {
        // s6 (K = 100, three inputs of 100–200 points) runs its inner solves in parallel, each warm-started from its own
        // previous tree: the result must not depend on scheduling (bit-identical points over runs), and it is POT's
        // fixed point (Solve_PotFixtures_SamePointsAndObjectiveAsPot).
        var fx = Fixtures.Load("barycenter_free_s6");
        var xInit = fx.Doubles("x_init");
        var b = fx.Doubles("b");
        var inputs = BarycenterTestData.Inputs(fx, 2);
        var first = new FreeSupportBarycenter().Solve(inputs, b.Length, fx.Doubles("lambdas"), b, xInit);
        var second = new FreeSupportBarycenter().Solve(inputs, b.Length, fx.Doubles("lambdas"), b, xInit);
        Assert.True(first.Converged);
        Assert.Equal(first.Points.ToArray(), second.Points.ToArray());
        Assert.Equal(first.Objective, second.Objective);
        Assert.Equal(first.Convergence.Iterations, second.Convergence.Iterations);
    }

    [Fact]
    public void Solve_OneDimension_IsTheExactQuantileBarycenter()
    {
        // In 1-D, with the weights b taken in the order of the starting points, the optimal points are bin averages of the
        // averaged quantile function; the fixed point reaches them in one update from any start with distinct points.
        var random = Seeds.Create(32);
        var inputs = new[] { BarycenterTestData.Cloud(random, 9, 1, 0, true), BarycenterTestData.Cloud(random, 17, 1, 4, true), BarycenterTestData.Cloud(random, 5, 1, -3, false) };
        double[] lambdas = [0.2, 0.5, 0.3];
        double[] b = [0.1, 0.2, 0.15, 0.25, 0.05, 0.25];
        double[] start = [0.3, -1, 2, 0.1, 5, -0.5];
        var result = new FreeSupportBarycenter().Solve(inputs, b.Length, lambdas, b, start);
        var order = Enumerable.Range(0, b.Length).OrderBy(i => start[i]).ToArray();
        var exact = OneDimensionalBarycenter.SolveFixedSize(inputs, b.Length, lambdas, order.Select(i => b[i]).ToArray());
        NumericAssert.Close(exact.Points, order.Select(i => result.Points[i]).ToArray(), rtol: 1e-12, atol: 1e-12);
        NumericAssert.Close(exact.Objective, result.Objective, rtol: 1e-10);
        Assert.True(result.Convergence.Iterations <= 2);
    }

    [Fact]
    public void Solve_OneInput_IsTheInputItself()
    {
        var random = Seeds.Create(33);
        var input = BarycenterTestData.Cloud(random, 15, 3, 1, false);
        var start = Enumerable.Range(0, 45).Select(_ => random.NextGaussian()).ToArray();
        var result = new FreeSupportBarycenter().Solve([input], 15, initialPoints: start);
        Assert.True(result.Converged);
        NumericAssert.Close(BarycenterTestData.SortedRows(input.Data, 3), BarycenterTestData.SortedRows(result.Points, 3), rtol: 1e-12, atol: 1e-12);
        NumericAssert.Close(0, result.Objective, atol: 1e-12);
    }

    [Fact]
    public void Solve_PermutedInputsAndWeights_SameBarycenter()
    {
        var random = Seeds.Create(34);
        var inputs = new[] { BarycenterTestData.Cloud(random, 11, 2, 0, true), BarycenterTestData.Cloud(random, 20, 2, 2, true), BarycenterTestData.Cloud(random, 7, 2, -1, true) };
        double[] lambdas = [0.6, 0.1, 0.3];
        var start = Enumerable.Range(0, 16).Select(_ => random.NextGaussian()).ToArray();
        var solver = new FreeSupportBarycenter();
        var first = solver.Solve(inputs, 8, lambdas, initialPoints: start);
        var second = solver.Solve([inputs[2], inputs[0], inputs[1]], 8, [lambdas[2], lambdas[0], lambdas[1]], initialPoints: start);
        NumericAssert.Close(first.Points, second.Points, rtol: 1e-10, atol: 1e-12);
        NumericAssert.Close(first.Objective, second.Objective, rtol: 1e-10);
    }

    [Fact]
    public void Solve_TranslatedInputs_TranslatedBarycenter()
    {
        var random = Seeds.Create(35);
        var inputs = new[] { BarycenterTestData.Cloud(random, 13, 2, 0, true), BarycenterTestData.Cloud(random, 9, 2, 3, false) };
        double[] shift = [5.5, -2.25];
        var shifted = inputs.Select(c => new PointCloud<double>(c.Data.ToArray().Select((v, e) => v + shift[e % 2]).ToArray(), c.Count, 2, c.HasWeights ? c.Weights.ToArray() : null)).ToArray();
        var start = Enumerable.Range(0, 20).Select(_ => random.NextGaussian()).ToArray();
        var solver = new FreeSupportBarycenter();
        var first = solver.Solve(inputs, 10, initialPoints: start);
        var second = solver.Solve(shifted, 10, initialPoints: start.Select((v, e) => v + shift[e % 2]).ToArray());
        NumericAssert.Close(first.Points.ToArray().Select((v, e) => v + shift[e % 2]).ToArray(), second.Points, rtol: 1e-10, atol: 1e-10);
        NumericAssert.Close(first.Objective, second.Objective, rtol: 1e-8);
    }

    [Fact]
    public void Solve_EntropicInner_ApproachesTheExactBarycenterAndReportsTheExactObjective()
    {
        var random = Seeds.Create(36);
        var inputs = new[] { BarycenterTestData.Cloud(random, 25, 2, 0, true), BarycenterTestData.Cloud(random, 30, 2, 3, false), BarycenterTestData.Cloud(random, 20, 2, -2, true) };
        var exact = new FreeSupportBarycenter { Seed = 1 }.Solve(inputs, 15);
        var entropic = new FreeSupportBarycenter { Seed = 1, Inner = FreeSupportInnerSolver.Entropic, Threshold = 1e-7 }.Solve(inputs, 15);
        Assert.True(entropic.ObjectiveIsExact);
        Assert.True(entropic.Converged, entropic.Convergence.ToString());

        // Both are fixed points from the same start; the smoothed one is a slightly worse exact objective at most.
        output.WriteLine($"exact {exact.Objective:R} ({exact.Convergence.Iterations} it), entropic {entropic.Objective:R} ({entropic.Convergence.Iterations} it)");
        NumericAssert.InRange(entropic.Objective, 0.95 * exact.Objective, 1.1 * exact.Objective);
        var bary = new PointCloud<double>(entropic.Points.ToArray(), 15, 2, entropic.Weights.ToArray());
        var recomputed = 0.0;
        for (var s = 0; s < inputs.Length; s++)
        {
            recomputed += new NetworkSimplex { NormalizeMasses = true }.Solve(bary, inputs[s]).Cost / 3;
        }

        NumericAssert.Close(recomputed, entropic.Objective, rtol: 1e-10);
        var raw = new FreeSupportBarycenter { Seed = 1, Inner = FreeSupportInnerSolver.Entropic, ExactObjective = false }.Solve(inputs, 15);
        Assert.False(raw.ObjectiveIsExact);
    }

    [Fact]
    public void Solve_SeededStart_IsDeterministicAndUsesInputAtoms()
    {
        var random = Seeds.Create(37);
        var inputs = new[] { BarycenterTestData.Cloud(random, 6, 2, 0, true), BarycenterTestData.Cloud(random, 4, 2, 3, false) };
        var zero = new FreeSupportBarycenter { MaxIterations = 0, Seed = 9 };
        var a = zero.Solve(inputs, 7);
        var b = zero.Solve(inputs, 7);
        NumericAssert.Close(a.Points, b.Points, rtol: 0);
        Assert.Equal(0, a.Convergence.Iterations);
        Assert.Equal(SolverStatus.MaxIterations, a.Convergence.Status);

        // More points than atoms (10 < 12): every point still finite and distinct.
        var many = zero.Solve(inputs, 12);
        NumericAssert.AllFinite(many.Points);
        Assert.Equal(12, BarycenterTestData.SortedRows(many.Points, 2).Chunk(2).Select(r => (r[0], r[1])).Distinct().Count());
    }

    [Fact]
    public void Solve_BadInputs_Throw()
    {
        var random = Seeds.Create(38);
        var a = BarycenterTestData.Cloud(random, 5, 2, 0, false);
        var c = BarycenterTestData.Cloud(random, 5, 3, 0, false);
        var solver = new FreeSupportBarycenter();
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => solver.Solve([a, c], 3)).Problem);
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => solver.Solve([], 3)).Problem);
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => solver.Solve([a], 0)).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => solver.Solve([a], 3, [0.5, 0.5])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => solver.Solve([a], 2, barycenterWeights: [1, 0])).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => solver.Solve([a], 2, initialPoints: [1, 2, 3])).Problem);
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => solver.Solve([a], 1, initialPoints: [1, double.NaN])).Problem);
    }

    [Fact]
    public void Solve_Cancelled_ReportsCancelled()
    {
        var random = Seeds.Create(39);
        using var source = new CancellationTokenSource();
        source.Cancel();
        var result = new FreeSupportBarycenter().Solve([BarycenterTestData.Cloud(random, 8, 2, 0, false)], 4, cancellationToken: source.Token);
        Assert.Equal(SolverStatus.Cancelled, result.Convergence.Status);
        NumericAssert.AllFinite(result.Points);
    }
}
