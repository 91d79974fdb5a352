using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Solvers.Quadratic;
using Monge.Testing;

namespace Monge.Tests.Solvers.Quadratic;

/// <summary>
/// Conditional-gradient GW/FGW against exact oracles: brute force over permutations (for squared Euclidean costs GW is
/// concave on the transport polytope, so its minimum is a permutation), planted isometries, invariances, α = 0 and 1.
/// </summary>
public sealed class GromovWassersteinTests
{
    [Theory]
    [InlineData(5, 2, 1)]
    [InlineData(6, 2, 2)]
    [InlineData(7, 3, 3)]
    [InlineData(8, 2, 4)]
    public void Solve_SmallClouds_NeverBelowBruteForceOverPermutations(int n, int d, int seed)
    {
        var x = GromovTensorTests.GeometryTestDataCloud(n, d, 100 + seed);
        var y = GromovTensorTests.GeometryTestDataCloud(n, d + 1, 200 + seed);
        var problem = QuadraticProblem<double>.FromPointClouds(x, y);
        var result = new GromovWasserstein().Solve(problem);
        var c1 = new PointCloudGeometry<double>(x, x).ToDense();
        var c2 = new PointCloudGeometry<double>(y, y).ToDense();
        var best = BruteForce(c1, c2, n, out _);

        Assert.True(result.Convergence.Converged);
        Assert.True(result.Cost >= best - (1e-12 * best), $"solver {result.Cost:R} below the brute-force optimum {best:R}");
        NumericAssert.Close(GromovTensorTests.BruteValue(c1, c2, result.Plan.ToArray(), n, n, GromovLoss.Square), result.Cost, 1e-10, 0, "reported value vs four-index sum");
        NumericAssert.Close(Enumerable.Repeat(1.0 / n, n).ToArray(), result.SourceMarginal, 0, 1e-14, "row marginal");
        NumericAssert.Close(Enumerable.Repeat(1.0 / n, n).ToArray(), result.TargetMarginal, 0, 1e-14, "column marginal");
        Assert.InRange(result.FwGap, -1e-12, 1e-9);
    }

    [Theory]
    [InlineData(8, 1, false)]
    [InlineData(8, 2, true)]
    [InlineData(30, 3, false)]
    [InlineData(30, 4, true)]
    public void Solve_PlantedIsometry_RecoversPermutationWithZeroValue(int n, int seed, bool reflect)
    {
        var x = GromovTensorTests.GeometryTestDataCloud(n, 2, 300 + seed);
        var (y, perm) = Isometric(x, seed, reflect);
        var result = new GromovWasserstein().Solve(QuadraticProblem<double>.FromPointClouds(x, y));

        Assert.True(result.Convergence.Converged);
        Assert.InRange(result.Cost, -1e-12, 1e-12);
        Assert.InRange(result.FwGap, -1e-12, 1e-9);

        // y_j = x_perm[j]: source i goes to the target j with perm[j] = i, mass 1/n.
        var expected = new double[n * n];
        for (var j = 0; j < n; j++)
        {
            expected[(perm[j] * n) + j] = 1.0 / n;
        }

        NumericAssert.Close(expected, result.Plan, 0, 1e-12, "plan = permutation / n");
    }

    [Fact]
    public void Solve_RotatingOrReflectingEitherSide_LeavesValueUnchanged()
    {
        const int n = 25;
        var x = GromovTensorTests.GeometryTestDataCloud(n, 2, 401);
        var y = GromovTensorTests.GeometryTestDataCloud(n, 2, 402);
        var solver = new GromovWasserstein();
        var reference = solver.Solve(QuadraticProblem<double>.FromPointClouds(x, y)).Cost;
        var rotatedY = Transform(y, 0.7, reflect: false, shift: 3);
        var reflectedX = Transform(x, -1.1, reflect: true, shift: -2);
        NumericAssert.Close(reference, solver.Solve(QuadraticProblem<double>.FromPointClouds(x, rotatedY)).Cost, 1e-9, 0, "rotated target");
        NumericAssert.Close(reference, solver.Solve(QuadraticProblem<double>.FromPointClouds(reflectedX, y)).Cost, 1e-9, 0, "reflected source");
    }

    [Fact]
    public void Solve_ScalingCosts_ScalesValueBySquare()
    {
        const int n = 20;
        const int m = 17;
        var x = GromovTensorTests.GeometryTestDataCloud(n, 2, 501);
        var y = GromovTensorTests.GeometryTestDataCloud(m, 3, 502);
        var gx = new PointCloudGeometry<double>(x, x);
        var gy = new PointCloudGeometry<double>(y, y);
        var solver = new GromovWasserstein();
        var baseValue = solver.Solve(new QuadraticProblem<double>(gx, gy)).Cost;
        const double s = 3.5;
        var scaled = solver.Solve(new QuadraticProblem<double>(gx.WithScaleFactor(s), gy.WithScaleFactor(s))).Cost;
        NumericAssert.Close(s * s * baseValue, scaled, 1e-9, 0, "GW(sC1, sC2) = s² GW(C1, C2)");
    }

    [Fact]
    public void Solve_FusedAlphaZero_EqualsExactOtOnLinearCost()
    {
        const int n = 15;
        const int m = 12;
        var x = GromovTensorTests.GeometryTestDataCloud(n, 2, 601);
        var y = GromovTensorTests.GeometryTestDataCloud(m, 2, 602);
        var features = new PointCloudGeometry<double>(GromovTensorTests.GeometryTestDataCloud(n, 3, 603), GromovTensorTests.GeometryTestDataCloud(m, 3, 604));
        var problem = new QuadraticProblem<double>(new PointCloudGeometry<double>(x, x), new PointCloudGeometry<double>(y, y), linearGeometry: features, alpha: 0);
        var result = new GromovWasserstein().Solve(problem);
        var emd = new NetworkSimplex().Solve(new LinearProblem<double>(features));
        NumericAssert.Close(emd.Cost, result.Cost, 1e-12, 0, "FGW(α = 0) = EMD on M");
        NumericAssert.Close(emd.Cost, result.LinearCost, 1e-12, 0, "linear part");
    }

    [Fact]
    public void Solve_FusedAlphaOne_EqualsPlainGw()
    {
        const int n = 15;
        const int m = 12;
        var x = GromovTensorTests.GeometryTestDataCloud(n, 2, 701);
        var y = GromovTensorTests.GeometryTestDataCloud(m, 2, 702);
        var features = new PointCloudGeometry<double>(GromovTensorTests.GeometryTestDataCloud(n, 3, 703), GromovTensorTests.GeometryTestDataCloud(m, 3, 704));
        var plain = new QuadraticProblem<double>(new PointCloudGeometry<double>(x, x), new PointCloudGeometry<double>(y, y));
        var fused = plain.WithLinear(features, 1);
        var solver = new GromovWasserstein();
        var gw = solver.Solve(plain);
        var fgw = solver.Solve(fused);
        NumericAssert.Close(gw.Cost, fgw.Cost, 1e-12, 0, "FGW(α = 1) = GW");
        NumericAssert.Close(gw.Plan, fgw.Plan, 0, 1e-14, "same plan");
    }

    [Fact]
    public void Solve_AsymmetricCosts_ReachesStationaryPointBelowStart()
    {
        // Asymmetric costs (both gradient terms): the value equals the four-index sum at the plan, the Frank-Wolfe gap
        // vanishes, and the value is no worse than the start a ⊗ b; the solver is never below the permutation optimum.
        const int n = 6;
        var c1 = GromovTensorTests.RandomCost(n, symmetric: false, 801);
        var c2 = GromovTensorTests.RandomCost(n, symmetric: false, 802);
        var problem = new QuadraticProblem<double>(new DenseGeometry<double>(c1, n, n), new DenseGeometry<double>(c2, n, n));
        Assert.False(problem.IsSymmetric);
        var result = new GromovWasserstein().Solve(problem);
        NumericAssert.Close(GromovTensorTests.BruteValue(c1, c2, result.Plan.ToArray(), n, n, GromovLoss.Square), result.Cost, 1e-10, 0, "value at the plan");
        Assert.InRange(result.FwGap, -1e-12, 1e-9);
        Assert.True(result.Cost <= GromovTensorTests.BruteValue(c1, c2, Enumerable.Repeat(1.0 / (n * n), n * n).ToArray(), n, n, GromovLoss.Square) + 1e-12, "no worse than the start a ⊗ b");
        Assert.True(result.Cost >= BruteForce(c1, c2, n, out _) - 1e-12, "never below the permutation optimum");
    }

    [Fact]
    public void Solve_KlLoss_DecreasesToStationaryPoint()
    {
        const int n = 10;
        const int m = 8;
        var x = GromovTensorTests.GeometryTestDataCloud(n, 2, 901);
        var y = GromovTensorTests.GeometryTestDataCloud(m, 2, 902);
        var problem = QuadraticProblem<double>.FromPointClouds(x, y, loss: GromovLoss.KullbackLeibler);
        var result = new GromovWasserstein().Solve(problem);
        var c1 = new PointCloudGeometry<double>(x, x).ToDense();
        var c2 = new PointCloudGeometry<double>(y, y).ToDense();
        NumericAssert.Close(GromovTensorTests.BruteValue(c1, c2, result.Plan.ToArray(), n, m, GromovLoss.KullbackLeibler), result.Cost, 1e-9, 0, "KL value at the plan");
        var trace = result.Convergence.ErrorTrace;
        for (var k = 1; k < trace.Count; k++)
        {
            Assert.True(trace[k] <= trace[k - 1] + 1e-14, $"objective increased at step {k}");
        }

        Assert.InRange(result.FwGap, -1e-12, 1e-8 * Math.Max(1, result.Cost));
    }

    [Fact]
    public void Solve_RelaxedProblem_IsRefused()
    {
        var x = GromovTensorTests.GeometryTestDataCloud(4, 2, 1);
        var problem = QuadraticProblem<double>.FromPointClouds(x, x, relaxation: Relaxation.FromRho(1, 1));
        Assert.Throws<InputValidationException>(() => new GromovWasserstein().Solve(problem));
    }

    [Fact]
    public void Solve_GivenStartPlan_IsUsedAndValidated()
    {
        const int n = 8;
        var x = GromovTensorTests.GeometryTestDataCloud(n, 2, 1001);
        var (y, perm) = Isometric(x, 5, reflect: false);
        var problem = QuadraticProblem<double>.FromPointClouds(x, y);
        var start = new double[n * n];
        for (var j = 0; j < n; j++)
        {
            start[(perm[j] * n) + j] = 1.0 / n;
        }

        var result = new GromovWasserstein().Solve(problem, start);
        Assert.InRange(result.Cost, -1e-12, 1e-12);
        Assert.Equal(1, result.Convergence.Iterations);
        start[0] += 0.1;
        Assert.Throws<InputValidationException>(() => new GromovWasserstein().Solve(problem, start));
    }

    [Fact]
    public void Solve_Cancelled_ReportsCancelled()
    {
        var x = GromovTensorTests.GeometryTestDataCloud(10, 2, 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = new GromovWasserstein().Solve(QuadraticProblem<double>.FromPointClouds(x, x), cancellationToken: cts.Token);
        Assert.Equal(SolverStatus.Cancelled, result.Convergence.Status);
    }

    [Fact]
    public void SolveGromov_Facade_RecoversIsometryAndChecksFeatures()
    {
        var x = GromovTensorTests.GeometryTestDataCloud(12, 2, 1101);
        var (y, _) = Isometric(x, 6, reflect: true);
        var result = Ot.SolveGromov(x, y);
        Assert.Equal("cg", result.Method);
        Assert.InRange(result.Cost, 0, 1e-12);
        Assert.True(result.Convergence.Converged);
        var features = GromovTensorTests.GeometryTestDataCloud(12, 3, 1102);
        Assert.Throws<InputValidationException>(() => Ot.SolveGromov(x, y, new GromovOptions { SourceFeatures = features }));
        var fused = Ot.SolveGromov(x, y, new GromovOptions { SourceFeatures = features, TargetFeatures = features, Alpha = 0 });
        Assert.InRange(fused.Details<GromovWassersteinResult>().LinearCost, 0, double.PositiveInfinity);
    }

    /// <summary>min over permutations σ of (1/n²) Σ_ik (C1_ik − C2_σ(i)σ(k))², by Heap's algorithm.</summary>
    internal static double BruteForce(double[] c1, double[] c2, int n, out int[] best)
    {
        var perm = Enumerable.Range(0, n).ToArray();
        var bestValue = double.PositiveInfinity;
        best = (int[])perm.Clone();
        var c = new int[n];
        Evaluate(ref bestValue, ref best);
        var i = 0;
        while (i < n)
        {
            if (c[i] < i)
            {
                var swap = i % 2 == 0 ? 0 : c[i];
                (perm[swap], perm[i]) = (perm[i], perm[swap]);
                Evaluate(ref bestValue, ref best);
                c[i]++;
                i = 0;
            }
            else
            {
                c[i] = 0;
                i++;
            }
        }

        return bestValue;

        void Evaluate(ref double value, ref int[] argmin)
        {
            var sum = 0.0;
            for (var a = 0; a < n; a++)
            {
                for (var b = 0; b < n; b++)
                {
                    var diff = c1[(a * n) + b] - c2[(perm[a] * n) + perm[b]];
                    sum += diff * diff;
                }
            }

            sum /= (double)n * n;
            if (sum < value)
            {
                value = sum;
                argmin = (int[])perm.Clone();
            }
        }
    }

    /// <summary>y_j = R x_perm[j] + t (R a rotation, or a reflection), with a seeded permutation.</summary>
    internal static (PointCloud<double> Y, int[] Perm) Isometric(PointCloud<double> x, int seed, bool reflect)
    {
        var n = x.Count;
        var rng = Seeds.Create(seed);
        var perm = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var moved = Transform(x, 0.3 + rng.NextDouble(), reflect, 5 * rng.NextDouble());
        var data = new double[n * 2];
        for (var j = 0; j < n; j++)
        {
            moved.Row(perm[j]).CopyTo(data.AsSpan(j * 2, 2));
        }

        return (new PointCloud<double>(data, n, 2), perm);
    }

    private static PointCloud<double> Transform(PointCloud<double> x, double angle, bool reflect, double shift)
    {
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        var data = new double[x.Count * 2];
        for (var i = 0; i < x.Count; i++)
        {
            var p = x.Row(i);
            var px = reflect ? -p[0] : p[0];
            data[2 * i] = (cos * px) - (sin * p[1]) + shift;
            data[(2 * i) + 1] = (sin * px) + (cos * p[1]) - shift;
        }

        return new PointCloud<double>(data, x.Count, 2);
    }
}
