using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

public class EntropicProjectionTests
{
    private static (double[] G, double[] A, double[] B) Problem(int rows, int cols, int seed)
    {
        var rng = Seeds.Create(seed);
        var g = new double[rows * cols];
        for (var k = 0; k < g.Length; k++)
        {
            g[k] = rng.NextDouble();
        }

        var a = Enumerable.Range(0, rows).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        var b = Enumerable.Range(0, cols).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        var sa = a.Sum();
        var sb = b.Sum();
        return (g, a.Select(v => v / sa).ToArray(), b.Select(v => v / sb).ToArray());
    }

    private static (double[] P, double[] LogP) Run(double[] g, double[] a, double[] b, double eps, double k1, double k2, int maxIter, double[]? warm = null, bool recentre = true)
    {
        var rows = a.Length;
        var cols = b.Length;
        var logK = g.Select(v => -v / eps).ToArray();
        var p = new double[g.Length];
        var dualG = warm ?? new double[cols];
        EntropicProjection.Run(logK, p, rows, cols, a, b, eps, new EntropicProjection.Settings(k1, k2, maxIter, 1e-14, recentre), new double[rows], dualG);
        return (p, logK);
    }

    [Fact]
    public void Balanced_ConvergedPlan_MeetsBothMarginals()
    {
        var (g, a, b) = Problem(50, 7, 1);
        var (p, _) = Run(g, a, b, 0.05, 1, 1, 5000);
        NumericAssert.Close(b, Sums(p, 50, 7, byColumn: true), atol: 1e-12, what: "column marginal");
        NumericAssert.Close(a, Sums(p, 50, 7, byColumn: false), atol: 1e-9, what: "row marginal");
    }

    [Fact]
    public void Balanced_SmallEpsilon_StaysFiniteAndLogPMatchesP()
    {
        // ε = 1e-3 on costs in [0,1]: kernels as small as e⁻¹⁰⁰⁰ need the log domain and the absorption.
        var (g, a, b) = Problem(30, 5, 2);
        var (p, logP) = Run(g, a, b, 1e-3, 1, 1, 3000);
        Assert.All(p, v => Assert.True(double.IsFinite(v) && v >= 0));
        NumericAssert.Close(b, Sums(p, 30, 5, byColumn: true), atol: 1e-10, what: "column marginal");
        NumericAssert.Close(logP.Select(Math.Exp).ToArray(), p, rtol: 1e-12, atol: 1e-300, what: "exp(log P)");
    }

    [Fact]
    public void Balanced_ObeysOptimalityConditions()
    {
        // First-order conditions of min ⟨G,P⟩ + ε Σ P(log P − 1) on Π(a,b): G_ij + ε log P_ij = f_i + g_j, i.e. the matrix
        // G + ε log P has rank one in the additive sense (double differences vanish).
        var (g, a, b) = Problem(6, 4, 3);
        const double eps = 0.2;
        var (p, _) = Run(g, a, b, eps, 1, 1, 20000);
        AssertAdditive(g, p, eps, 6, 4);
    }

    [Fact]
    public void SemiRelaxed_FixedPoint_SatisfiesKktConditions()
    {
        // Rows hard, columns KL-relaxed with weight τ: G_ij + ε log P_ij + τ log(c_j/b_j) = f_i (depends on i only).
        var (g, a, b) = Problem(3, 2, 4);
        const double eps = 0.3;
        const double tau = 0.7;
        var (p, _) = Run(g, a, b, eps, 1, tau / (tau + eps), 20000);
        var c = Sums(p, 3, 2, byColumn: true);
        NumericAssert.Close(a, Sums(p, 3, 2, byColumn: false), atol: 1e-12, what: "hard row marginal");
        for (var i = 0; i < 3; i++)
        {
            var v0 = g[i * 2] + (eps * Math.Log(p[i * 2])) + (tau * Math.Log(c[0] / b[0]));
            var v1 = g[(i * 2) + 1] + (eps * Math.Log(p[(i * 2) + 1])) + (tau * Math.Log(c[1] / b[1]));
            NumericAssert.Close(v0, v1, atol: 1e-10, what: $"row {i}");
        }

        // The soft column marginal really is relaxed (differs from b) on this instance.
        Assert.True(Math.Abs(c[0] - b[0]) > 1e-4);
    }

    [Fact]
    public void Unbalanced_FixedPoint_SatisfiesKktConditions()
    {
        // Both KL-relaxed: G_ij + ε log P_ij + τ₁ log(r_i/a_i) + τ₂ log(c_j/b_j) = 0.
        var (g, a, b) = Problem(4, 3, 5);
        const double eps = 0.25;
        const double tau1 = 0.5;
        const double tau2 = 2.0;
        var (p, _) = Run(g, a, b, eps, tau1 / (tau1 + eps), tau2 / (tau2 + eps), 20000);
        var rs = Sums(p, 4, 3, byColumn: false);
        var cs = Sums(p, 4, 3, byColumn: true);
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var residual = g[(i * 3) + j] + (eps * Math.Log(p[(i * 3) + j])) + (tau1 * Math.Log(rs[i] / a[i])) + (tau2 * Math.Log(cs[j] / b[j]));
                NumericAssert.Close(0.0, residual, atol: 1e-10, what: $"({i},{j})");
            }
        }
    }

    [Fact]
    public void Recentring_DoesNotChangeThePlan()
    {
        var (g, a, b) = Problem(20, 6, 6);
        var (p1, _) = Run(g, a, b, 0.1, 1, 1, 37, recentre: true);
        var (p2, _) = Run(g, a, b, 0.1, 1, 1, 37, recentre: false);
        NumericAssert.Close(p1, p2, rtol: 1e-12, atol: 1e-15);
    }

    [Fact]
    public void WarmStart_FromConvergedDual_ReachesSameFixedPointInFewIterations()
    {
        var (g, a, b) = Problem(40, 5, 7);
        var rows = 40;
        var cols = 5;
        var logK = g.Select(v => -v / 0.05).ToArray();
        var p = new double[g.Length];
        var dual = new double[cols];
        var settings = new EntropicProjection.Settings(1, 1, 10000, 1e-13);
        var cold = EntropicProjection.Run(logK, p, rows, cols, a, b, 0.05, settings, new double[rows], dual);
        var logK2 = g.Select(v => -v / 0.05).ToArray();
        var p2 = new double[g.Length];
        var warm = EntropicProjection.Run(logK2, p2, rows, cols, a, b, 0.05, settings, new double[rows], dual);
        Assert.True(warm < cold / 5, $"warm {warm} vs cold {cold}");
        NumericAssert.Close(p, p2, rtol: 1e-9, atol: 1e-14);
    }

    [Fact]
    public void LargeProblem_ParallelPathMatchesMarginals()
    {
        // Above the parallel threshold (rows·cols ≥ 2¹⁵).
        var (g, a, b) = Problem(3000, 16, 8);
        var (p, _) = Run(g, a, b, 0.1, 1, 1, 2000);
        NumericAssert.Close(b, Sums(p, 3000, 16, byColumn: true), atol: 1e-12, what: "column marginal");
        NumericAssert.Close(a, Sums(p, 3000, 16, byColumn: false), atol: 1e-9, what: "row marginal");
    }

    [Theory]
    [InlineData(1.0, 1e-4)]
    [InlineData(1.0, 1e-7)]
    [InlineData(0.999, 1e-6)]
    public void MarginalTolerance_StopsEarlyWithTheRowErrorBelowIt(double kappaCol, double tolerance)
    {
        // Hard rows; columns hard or softly relaxed. The stop is tested after a column update, so the returned plan's
        // hard row marginal is within the tolerance in L1 and the run ends before the cap.
        var (g, a, b) = Problem(200, 8, 9);
        var logK = g.Select(v => -v / 0.02).ToArray();
        var p = new double[g.Length];
        var settings = new EntropicProjection.Settings(1, kappaCol, 100_000, 0, MarginalTolerance: tolerance);
        var iterations = EntropicProjection.Run(logK, p, 200, 8, a, b, 0.02, settings, new double[200], new double[8]);
        var rowError = a.Zip(Sums(p, 200, 8, byColumn: false), (x, y) => Math.Abs(x - y)).Sum();
        Assert.True(rowError <= tolerance * (1 + 1e-9), $"row error {rowError} above the tolerance {tolerance}");
        Assert.True(iterations < 100_000, "ran to the cap");

        // A tighter tolerance needs more iterations and gets a smaller error (the test is not vacuous).
        var logK2 = g.Select(v => -v / 0.02).ToArray();
        var p2 = new double[g.Length];
        var tighter = EntropicProjection.Run(logK2, p2, 200, 8, a, b, 0.02, settings with { MarginalTolerance = tolerance / 100 }, new double[200], new double[8]);
        var rowError2 = a.Zip(Sums(p2, 200, 8, byColumn: false), (x, y) => Math.Abs(x - y)).Sum();
        Assert.True(tighter > iterations, $"tighter tolerance ran {tighter} vs {iterations} iterations");
        Assert.True(rowError2 <= tolerance / 100 * (1 + 1e-9), $"row error {rowError2}");
    }

    [Fact]
    public void RelativeTolerance_StopsOnceTheErrorDroppedByThatFactor()
    {
        // The reference error is the one after the first sweep; with factor η the final error is at most η times it, and
        // at least the error of a run that is allowed a single sweep times a smaller factor (no early exit at iteration 0).
        var (g, a, b) = Problem(200, 8, 10);
        double RowError(int maxIterations, double relative, out int iterations)
        {
            var logK = g.Select(v => -v / 0.02).ToArray();
            var p = new double[g.Length];
            var settings = new EntropicProjection.Settings(1, 1, maxIterations, 0, RelativeTolerance: relative);
            iterations = EntropicProjection.Run(logK, p, 200, 8, a, b, 0.02, settings, new double[200], new double[8]);
            return a.Zip(Sums(p, 200, 8, byColumn: false), (x, y) => Math.Abs(x - y)).Sum();
        }

        var first = RowError(1, 0, out _);
        var relaxed = RowError(100_000, 1e-3, out var iterations);
        Assert.True(first > 1e-3, $"first-sweep error {first} too small for the test to mean anything");
        Assert.True(relaxed <= 1e-3 * first * (1 + 1e-9), $"error {relaxed} vs 1e-3 × {first}");
        Assert.True(iterations is > 1 and < 100_000, $"iterations {iterations}");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.9995)]
    public void Anderson_ReachesTheSameFixedPointInFewerSweeps(double kappaCol)
    {
        // Small ε (slow plain Sinkhorn): the accelerated run stops at the same row tolerance in fewer sweeps and returns
        // the same plan as a plain run taken to a much tighter tolerance.
        var (g, a, b) = Problem(400, 12, 11);
        (double[] P, int Iterations) Solve(int memory, double tolerance)
        {
            var logK = g.Select(v => -v / 0.005).ToArray();
            var p = new double[g.Length];
            var settings = new EntropicProjection.Settings(1, kappaCol, 200_000, 0, MarginalTolerance: tolerance, AndersonMemory: memory);
            var iterations = EntropicProjection.Run(logK, p, 400, 12, a, b, 0.005, settings, new double[400], new double[12]);
            return (p, iterations);
        }

        var plain = Solve(0, 1e-8);
        var accelerated = Solve(5, 1e-8);
        var reference = Solve(0, 1e-13);
        Assert.True(accelerated.Iterations < plain.Iterations / 2, $"Anderson {accelerated.Iterations} vs plain {plain.Iterations} sweeps");
        var rowError = a.Zip(Sums(accelerated.P, 400, 12, byColumn: false), (x, y) => Math.Abs(x - y)).Sum();
        Assert.True(rowError <= 1e-8 * (1 + 1e-9), $"row error {rowError}");
        NumericAssert.Close(reference.P, accelerated.P, atol: 1e-8, what: "accelerated plan vs plain run to 1e-13");
    }

    internal static double[] Sums(double[] p, int rows, int cols, bool byColumn)
    {
        var s = new double[byColumn ? cols : rows];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                s[byColumn ? j : i] += p[(i * cols) + j];
            }
        }

        return s;
    }

    private static void AssertAdditive(double[] g, double[] p, double eps, int rows, int cols)
    {
        double H(int i, int j) => g[(i * cols) + j] + (eps * Math.Log(p[(i * cols) + j]));
        for (var i = 1; i < rows; i++)
        {
            for (var j = 1; j < cols; j++)
            {
                var dd = H(i, j) - H(i, 0) - H(0, j) + H(0, 0);
                NumericAssert.Close(0.0, dd, atol: 1e-10, what: $"double difference ({i},{j})");
            }
        }
    }
}
