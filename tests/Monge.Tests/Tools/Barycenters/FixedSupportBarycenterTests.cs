using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Testing;
using Monge.Tools.Barycenters;

namespace Monge.Tests.Tools.Barycenters;

/// <summary><see cref="FixedSupportBarycenter"/>: closed forms, invariances, grid = dense, and validation.</summary>
public sealed class FixedSupportBarycenterTests
{
    private const double Epsilon = 0.05;

    [Fact]
    public void Solve_OneInput_IsTheBlurredInputInClosedForm()
    {
        // K = 1: g = 0 is the fixed point, so q = Kᵀ(a / K1) and the plan is diag(a / K1)·K (plain-entropy kernel).
        var (geometry, cost, n) = Line(30);
        var a = Histogram(n, 0.3, 0.08);
        var result = new FixedSupportBarycenter { Epsilon = Epsilon }.Solve(geometry, [a]);
        var kernel = cost.Select(c => Math.Exp(-c / Epsilon)).ToArray();
        var expected = new double[n];
        var planCost = 0.0;
        for (var i = 0; i < n; i++)
        {
            var row = Enumerable.Range(0, n).Sum(j => kernel[(i * n) + j]);
            for (var j = 0; j < n; j++)
            {
                var p = a[i] * kernel[(i * n) + j] / row;
                expected[j] += p;
                planCost += p * cost[(i * n) + j];
            }
        }

        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        NumericAssert.Close(expected, result.Barycenter, rtol: 1e-10, atol: 1e-15);
        NumericAssert.Close(planCost, result.Cost, rtol: 1e-10);
        NumericAssert.Close(1.0, result.Mass, rtol: 1e-12);
    }

    [Fact]
    public void Solve_Debiased_OneInputMuchCloserToItselfThanTheBlurredBarycenter()
    {
        // q = a is a fixed point of the debiased iteration for one input (u = v = e^c, the symmetric potential of a), but
        // POT's damped update of c approaches it slowly: after 500 iterations the debiased result is already far closer to
        // a than the entropic (blurred) barycenter Kᵀ(a / K1).
        var (geometry, _, n) = Line(25);
        var a = Histogram(n, 0.4, 0.1);
        var blurred = new FixedSupportBarycenter { Epsilon = Epsilon }.Solve(geometry, [a]);
        var debiased = new FixedSupportBarycenter { Epsilon = Epsilon, Debiased = true, Threshold = 0, MaxIterations = 500 }.Solve(geometry, [a]);
        var blur = a.Zip(blurred.Barycenter.ToArray(), (x, y) => Math.Abs(x - y)).Sum();
        var bias = a.Zip(debiased.Barycenter.ToArray(), (x, y) => Math.Abs(x - y)).Sum();
        Assert.True(bias < 0.05 * blur, $"debiased L1 {bias:E2}, blurred L1 {blur:E2}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Solve_IdenticalInputs_EqualTheBarycenterOfOne(bool debiased)
    {
        var (geometry, _, n) = Line(20);
        var a = Histogram(n, 0.6, 0.1);
        // Debiased: the same number of iterations on both sides (POT's rule stops identical inputs, whose spread is 0, after
        // 21 iterations, where the one-input rule waits for the barycenter to settle), and only 50: the debiased iteration
        // has no fixed point here (docs/barycenters.md, "The debiased stopping rule"); its drifting tail amplifies rounding,
        // so one input and three identical ones (Σ w_k L differs from L in the last bit) agree to 7e-15 at 50 iterations and
        // differ by 7e-2 at 100 on both the log and the kernel path (stop 23, measured). 400 passed by bit-for-bit luck.
        var solver = debiased
            ? new FixedSupportBarycenter { Epsilon = Epsilon, Debiased = true, Threshold = 0, MaxIterations = 50 }
            : new FixedSupportBarycenter { Epsilon = Epsilon, Threshold = 1e-12 };
        var one = solver.Solve(geometry, [a]);
        var three = solver.Solve(geometry, [a, a, a], [0.2, 0.3, 0.5]);
        NumericAssert.Close(one.Barycenter, three.Barycenter, rtol: 1e-8, atol: 1e-14);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Solve_PermutedInputsAndWeights_SameBarycenter(int variant)
    {
        var (geometry, _, n) = Line(40);
        var inputs = new[] { Histogram(n, 0.2, 0.05), Histogram(n, 0.5, 0.1), Histogram(n, 0.85, 0.04) };
        var weights = new[] { 0.2, 0.3, 0.5 };
        var solver = Variant(variant);
        var order = new[] { 2, 0, 1 };
        var reference = solver.Solve(geometry, inputs, weights);
        var permuted = solver.Solve(geometry, order.Select(k => inputs[k]).ToArray(), order.Select(k => weights[k]).ToArray());
        var scaled = solver.Solve(geometry, inputs, weights.Select(w => w * 7).ToArray());
        NumericAssert.Close(reference.Barycenter, permuted.Barycenter, rtol: 1e-8, atol: 1e-14);
        NumericAssert.Close(reference.Barycenter, scaled.Barycenter, rtol: 1e-12, atol: 1e-16);
        NumericAssert.Close(reference.Cost, permuted.Cost, rtol: 1e-8);
        Assert.Equal(weights, reference.Weights.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Solve_GridGeometry_MatchesDenseGeometryOfTheSamePoints(int variant)
    {
        var grid = GridGeometry<double>.UnitImage(6, 7);
        var dense = new DenseGeometry<double>(grid.ToDense(), grid.Rows, grid.Cols);
        var rng = Seeds.Create(variant);
        var inputs = Enumerable.Range(0, 3).Select(s =>
        {
            var h = Enumerable.Range(0, grid.Rows).Select(_ => rng.NextDouble() < 0.3 ? 0 : rng.NextDouble()).ToArray();
            var total = h.Sum() / (variant == 2 ? 1 + s : 1);
            return h.Select(v => v / total).ToArray();
        }).ToArray();
        // The same iterates on both (a fixed number of iterations): the grid's separable soft-min is the dense one.
        var solver = Variant(variant) with { Epsilon = 0.02, Threshold = 0, MaxIterations = 150 };
        var onGrid = solver.Solve(grid, inputs, [0.5, 0.25, 0.25]);
        var onDense = solver.Solve(dense, inputs, [0.5, 0.25, 0.25]);
        NumericAssert.Close(onDense.Barycenter, onGrid.Barycenter, rtol: 1e-8, atol: 1e-14);
        NumericAssert.Close(onDense.Costs, onGrid.Costs, rtol: 1e-8);
    }

    [Fact]
    public void Solve_HugeRho_ApproachesTheBalancedBarycenter()
    {
        var (geometry, _, n) = Line(30);
        var inputs = new[] { Histogram(n, 0.2, 0.05), Histogram(n, 0.7, 0.1) };
        var balanced = new FixedSupportBarycenter { Epsilon = Epsilon, Threshold = 1e-12 }.Solve(geometry, inputs);
        var relaxed = new FixedSupportBarycenter { Epsilon = Epsilon, Threshold = 1e-13, Relaxation = Relaxation.FromRho(1e7, 1e7) }.Solve(geometry, inputs);
        NumericAssert.Close(balanced.Barycenter, relaxed.Barycenter, rtol: 1e-4, atol: 1e-8);
    }

    [Fact]
    public void Solve_Unbalanced_MassesBetweenTheInputs()
    {
        var (geometry, _, n) = Line(30);
        var inputs = new[] { Histogram(n, 0.3, 0.05), Histogram(n, 0.6, 0.05).Select(v => 3 * v).ToArray() };
        var result = new FixedSupportBarycenter { Epsilon = Epsilon, Relaxation = Relaxation.FromRho(0.5, 0.5) }.Solve(geometry, inputs);
        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        NumericAssert.InRange(result.Mass, 1, 3);
    }

    [Fact]
    public void Solve_TinyBudget_ReportsMaxIterations()
    {
        var (geometry, _, n) = Line(30);
        var inputs = new[] { Histogram(n, 0.2, 0.05), Histogram(n, 0.7, 0.1) };
        var result = new FixedSupportBarycenter { Epsilon = 1e-3, MaxIterations = 3, Threshold = 0 }.Solve(geometry, inputs);
        Assert.Equal(SolverStatus.MaxIterations, result.Convergence.Status);
        Assert.Equal(3, result.Convergence.Iterations);
        Assert.Equal(3, result.Convergence.ErrorTrace.Count);
    }

    [Fact]
    public void Solve_Cancelled_ReportsCancelled()
    {
        var (geometry, _, n) = Line(10);
        using var source = new CancellationTokenSource();
        source.Cancel();
        var result = new FixedSupportBarycenter().Solve(geometry, [Histogram(n, 0.5, 0.1)], cancellationToken: source.Token);
        Assert.Equal(SolverStatus.Cancelled, result.Convergence.Status);
    }

    [Fact]
    public void Solve_InvalidInputs_ThrowTheDocumentedProblem()
    {
        var (geometry, _, n) = Line(10);
        var a = Histogram(n, 0.5, 0.1);
        var solver = new FixedSupportBarycenter();
        Assert.Equal(InputProblem.MassMismatch, Assert.Throws<InputValidationException>(() => solver.Solve(geometry, [a, a.Select(v => 2 * v).ToArray()])).Problem);
        Assert.Equal(InputProblem.NegativeWeight, Assert.Throws<InputValidationException>(() => solver.Solve(geometry, [a.Select((v, i) => i == 3 ? -v : v).ToArray()])).Problem);
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => solver.Solve(geometry, [a.Select((v, i) => i == 3 ? double.NaN : v).ToArray()])).Problem);
        Assert.Equal(InputProblem.ZeroMass, Assert.Throws<InputValidationException>(() => solver.Solve(geometry, [new double[n]])).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => solver.Solve(geometry, [a[..^1]])).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => solver.Solve(geometry, [a], [0.5, 0.5])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => solver.Solve(geometry, [a, a], [0.5, 0])).Problem);
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => solver.Solve(geometry, [])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => (solver with { Epsilon = 0 }).Solve(geometry, [a])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => (solver with { Debiased = true, Relaxation = Relaxation.FromRho(1, 1) }).Solve(geometry, [a])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => (solver with { Debiased = true }).Solve([geometry], [a], null, null)).Problem);
    }

    private static FixedSupportBarycenter Variant(int variant) => variant switch
    {
        0 => new FixedSupportBarycenter { Epsilon = Epsilon, Threshold = 1e-12 },
        1 => new FixedSupportBarycenter { Epsilon = Epsilon, Threshold = 1e-10, Debiased = true },
        _ => new FixedSupportBarycenter { Epsilon = Epsilon, Threshold = 1e-13, Relaxation = Relaxation.FromRho(0.3, 0.3) },
    };

    private static (DenseGeometry<double> Geometry, double[] Cost, int N) Line(int n)
    {
        var cost = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var d = (i - j) / (double)(n - 1);
                cost[(i * n) + j] = d * d;
            }
        }

        return (new DenseGeometry<double>(cost, n, n), cost, n);
    }

    private static double[] Histogram(int n, double mean, double std)
    {
        var h = Enumerable.Range(0, n).Select(i => Math.Exp(-Math.Pow((i / (double)(n - 1)) - mean, 2) / (2 * std * std)) + 1e-6).ToArray();
        var total = h.Sum();
        return h.Select(v => v / total).ToArray();
    }
}
