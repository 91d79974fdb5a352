using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>FRLC's latent projection by Newton (<see cref="LatentNewton"/>): converged marginals, the same answer as Sinkhorn
/// run to convergence, a closed form at 2 × 2, invariances, empty rows and columns.</summary>
public class LatentNewtonTests
{
    /// <summary>A latent-like log kernel: log T (a mixed near-permutation) − 70·∇/‖∇‖∞, and positive marginals.</summary>
    private static (double[] LogK, double[] A, double[] B) Steep(int r, int seed, double spread = 70)
    {
        var rng = Seeds.Create(seed);
        var logK = new double[r * r];
        for (var i = 0; i < r; i++)
        {
            for (var j = 0; j < r; j++)
            {
                logK[(i * r) + j] = (i == j ? 0 : -20 * rng.NextDouble()) - (spread * rng.NextDouble());
            }
        }

        var a = Enumerable.Range(0, r).Select(_ => 0.2 + rng.NextDouble()).ToArray();
        var b = Enumerable.Range(0, r).Select(_ => 0.2 + rng.NextDouble()).ToArray();
        return (logK, a.Select(v => v / a.Sum()).ToArray(), b.Select(v => v / b.Sum()).ToArray());
    }

    private static (double[] P, double[] LogP, double[] F, double[] G, int Steps) Newton(double[] logK, double[] a, double[] b, double eps = 1.0, double[]? warm = null)
    {
        var logP = (double[])logK.Clone();
        var p = new double[logK.Length];
        var f = new double[a.Length];
        var g = warm is null ? new double[b.Length] : (double[])warm.Clone();
        var steps = LatentNewton.Run(logP, p, a.Length, b.Length, a, b, eps, 500, 1e-9, f, g);
        return (p, logP, f, g, steps);
    }

    private static double L1(double[] x, double[] y) => x.Zip(y, (u, v) => Math.Abs(u - v)).Sum();

    [Theory]
    [InlineData(6, 1)]
    [InlineData(10, 2)]
    [InlineData(17, 3)]
    public void Run_SteepKernel_BothMarginalsWithinTheRelativeTolerance(int r, int seed)
    {
        var (logK, a, b) = Steep(r, seed);
        var (p, logP, _, _, steps) = Newton(logK, a, b);
        Assert.True(L1(EntropicProjectionTests.Sums(p, r, r, byColumn: true), b) <= 1e-11, "column marginal");
        Assert.True(L1(EntropicProjectionTests.Sums(p, r, r, byColumn: false), a) <= 1e-13, "row marginal");
        Assert.InRange(steps, 1, LatentNewton.MaxSteps);
        NumericAssert.Close(logP.Select(Math.Exp).ToArray(), p, rtol: 1e-13, atol: 1e-300, what: "exp(log P)");
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(8, 6)]
    public void Run_SameAnswerAsSweepsRunToConvergence(int r, int seed)
    {
        // A milder kernel (spread 8) on which plain sweeps do converge, given enough of them.
        var (logK, a, b) = Steep(r, seed, spread: 8);
        var sweepPlan = new double[logK.Length];
        var sweepLog = (double[])logK.Clone();
        EntropicProjection.Run(sweepLog, sweepPlan, r, r, a, b, 1.0, new EntropicProjection.Settings(1, 1, 200_000, 0), new double[r], new double[r]);
        Assert.True(L1(EntropicProjectionTests.Sums(sweepPlan, r, r, byColumn: false), a) <= 1e-13, "the reference sweeps did not converge");
        var (p, _, _, _, _) = Newton(logK, a, b);
        NumericAssert.Close(sweepPlan, p, rtol: 1e-9, atol: 1e-15, what: "plan");
    }

    [Theory]
    [InlineData(0.3, 0.6, 2.0)]
    [InlineData(0.5, 0.5, 40.0)]
    [InlineData(0.2, 0.7, -30.0)]
    [InlineData(0.9, 0.15, 12.0)]
    public void Run_TwoByTwo_MatchesTheClosedForm(double a1, double b1, double logCrossRatio)
    {
        // P = [[x, a1 − x], [b1 − x, 1 − a1 − b1 + x]] with log P11 + log P22 − log P12 − log P21 = log(K11 K22 / K12 K21):
        // the left side increases in x, so bisection on x finds the exact plan.
        var logK = new[] { logCrossRatio, 0.0, 0.0, 0.0 };
        double H(double x) => Math.Log(x) + Math.Log(1 - a1 - b1 + x) - Math.Log(a1 - x) - Math.Log(b1 - x) - logCrossRatio;
        var (lo, hi) = (Math.Max(0, a1 + b1 - 1), Math.Min(a1, b1));
        for (var k = 0; k < 200; k++)
        {
            var mid = 0.5 * (lo + hi);
            (lo, hi) = H(mid) < 0 ? (mid, hi) : (lo, mid);
        }

        var x = 0.5 * (lo + hi);
        var (p, _, _, _, _) = Newton(logK, [a1, 1 - a1], [b1, 1 - b1]);
        NumericAssert.Close([x, a1 - x, b1 - x, 1 - a1 - b1 + x], p, rtol: 1e-9, atol: 1e-15, what: "2 × 2 plan");
    }

    [Fact]
    public void Run_ShiftedLogKernelOtherEpsilonAndWarmStart_SamePlan()
    {
        // P depends on L only up to L_ij + α_i + β_j; ε only sets the unit of the returned duals; a warm start changes the
        // path, not the answer.
        const int r = 9;
        var (logK, a, b) = Steep(r, 7);
        var (p, _, f, g, _) = Newton(logK, a, b, eps: 1.0);
        var rng = Seeds.Create(8);
        var alpha = Enumerable.Range(0, r).Select(_ => 50 * (rng.NextDouble() - 0.5)).ToArray();
        var beta = Enumerable.Range(0, r).Select(_ => 50 * (rng.NextDouble() - 0.5)).ToArray();
        var shifted = logK.Select((v, k) => v + alpha[k / r] + beta[k % r]).ToArray();
        var (ps, _, _, _, _) = Newton(shifted, a, b, eps: 1e-3);
        NumericAssert.Close(p, ps, rtol: 1e-9, atol: 1e-15, what: "shifted kernel, ε = 1e-3");
        var (pw, _, _, _, _) = Newton(logK, a, b, eps: 1.0, warm: g.Select(v => v + 3.0).ToArray());
        NumericAssert.Close(p, pw, rtol: 1e-9, atol: 1e-15, what: "warm start");

        // Duals in cost units: log P = L + f/ε + g/ε.
        for (var k = 0; k < logK.Length; k++)
        {
            NumericAssert.Close(Math.Log(p[k]), logK[k] + f[k / r] + g[k % r], rtol: 1e-10, atol: 1e-10, what: "log P = L + f + g");
        }
    }

    [Fact]
    public void Run_EmptyRowAndColumn_StayEmptyAndTheRestIsExact()
    {
        const int r = 7;
        var (logK, a, b) = Steep(r, 9);
        a[2] = 0;
        b[5] = 0;
        var (p, _, _, g, _) = Newton(logK, a, b);
        var sa = a.Sum();
        var sb = b.Sum();
        for (var j = 0; j < r; j++)
        {
            Assert.Equal(0.0, p[(2 * r) + j]);
            Assert.Equal(0.0, p[(j * r) + 5]);
        }

        Assert.True(L1(EntropicProjectionTests.Sums(p, r, r, byColumn: false), a.Select(v => v / sa).ToArray()) <= 1e-13, "rows");
        Assert.True(L1(EntropicProjectionTests.Sums(p, r, r, byColumn: true), b.Select(v => v / sb).ToArray()) <= 1e-11, "columns");
        Assert.All(g, v => Assert.True(double.IsFinite(v)));
    }
}
