using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Solvers.Quadratic;
using Monge.Testing;

namespace Monge.Tests.Solvers.Quadratic;

public sealed class EntropicGromovWassersteinTests
{
    private static readonly EntropicGromovWasserstein Solver = new();

    private static QuadraticProblem<double> Input(double[] c1, int n, double[] c2, int m, double[]? a = null, double[]? b = null, Relaxation? relaxation = null)
        => new(EntropicGwTestData.Dense(c1, n), EntropicGwTestData.Dense(c2, m), a, b, relaxation: relaxation);

    private static (double[] C1, double[] C2) Pair(int n, int m, int seed)
    {
        var x = EntropicGwTestData.Points(n, 2, seed);
        var y = EntropicGwTestData.Points(m, 3, seed + 1);
        return (EntropicGwTestData.SquaredDistances(x, n, 2), EntropicGwTestData.SquaredDistances(y, m, 3));
    }

    [Fact]
    public void Solve_AtConvergence_FixedPointResidualBelow1e8AndMarginalsExact()
    {
        var (c1, c2) = Pair(30, 25, 11);
        var result = (Solver with { Epsilon = 0.05 }).Solve(Input(c1, 30, c2, 25));
        Assert.True(result.Converged, $"status {result.Convergence.Status} after {result.Iterations}");
        Assert.True(result.FixedPointResidual <= 1e-8, $"residual {result.FixedPointResidual}");

        // One more mirror-descent step from the returned plan moves it by at most 1e-8 (the fixed point, measured anew).
        var again = (Solver with { Epsilon = 0.05, MaxIterations = 1 }).Solve(Input(c1, 30, c2, 25), result.ToDense());
        Assert.True(again.FixedPointResidual <= 1e-8, $"one more step moved the plan by {again.FixedPointResidual}");
        NumericAssert.Close(Enumerable.Repeat(1.0 / 30, 30).ToArray(), result.SourceMarginal, atol: 1e-10, what: "P1");
        NumericAssert.Close(Enumerable.Repeat(1.0 / 25, 25).ToArray(), result.TargetMarginal, atol: 1e-10, what: "Pᵀ1");

        // The reported value is the quadruple-sum definition at the plan.
        NumericAssert.Close(EntropicGwTestData.GwByDefinition(c1, c2, result.Plan, 30, 25), result.GwCost, rtol: 1e-10);
    }

    [Fact]
    public void Solve_AndersonAcceleration_SameFixedPointInFewerOuterSteps()
    {
        // The accelerated outer loop must land on the plain iteration's fixed point (same plan, same value), in fewer steps,
        // and its answer must be a fixed point of the plain map (one more unaccelerated step moves it by at most 1e-8).
        var (c1, c2) = Pair(40, 36, 51);
        var plain = (Solver with { Epsilon = 0.01 }).Solve(Input(c1, 40, c2, 36));
        var fast = (Solver with { Epsilon = 0.01, AndersonDepth = 4 }).Solve(Input(c1, 40, c2, 36));
        Assert.True(plain.Converged && fast.Converged, $"plain {plain.Convergence.Status}, accelerated {fast.Convergence.Status}");
        Assert.True(fast.Iterations < plain.Iterations, $"accelerated {fast.Iterations} outer steps, plain {plain.Iterations}");
        NumericAssert.Close(plain.Plan, fast.Plan, rtol: 0, atol: 1e-8, what: "plan");
        NumericAssert.Close(plain.GwCost, fast.GwCost, rtol: 1e-8);
        var again = (Solver with { Epsilon = 0.01, AndersonDepth = 0, MaxIterations = 1 }).Solve(Input(c1, 40, c2, 36), fast.ToDense());
        Assert.True(again.FixedPointResidual <= 1e-8, $"one more plain step moved the plan by {again.FixedPointResidual}");
    }

    [Fact]
    public void Solve_EpsilonConvention_PotEpsilonIsTwiceOttEpsilon()
    {
        // OTT-JAX linearizes with L ⊗ P, POT (and Monge) with ∇GW = 2 L ⊗ P: the same fixed point at ε_POT = 2·ε_OTT.
        var (c1, c2) = Pair(12, 10, 21);
        var a = Enumerable.Repeat(1.0 / 12, 12).ToArray();
        var b = Enumerable.Repeat(1.0 / 10, 10).ToArray();
        const double epsilonOtt = 0.04;
        var ott = EntropicGwTestData.OttEntropicGw(c1, c2, a, b, epsilonOtt, outer: 300);
        var ours = (Solver with { Epsilon = 2 * epsilonOtt, Threshold = 1e-12 }).Solve(Input(c1, 12, c2, 10));
        Assert.True(ours.Converged);
        NumericAssert.Close(ott, ours.Plan, atol: 1e-9, what: "plan at ε_POT = 2 ε_OTT");

        // ... and a different plan at ε_POT = ε_OTT (the mapping is not vacuous).
        var same = (Solver with { Epsilon = epsilonOtt }).Solve(Input(c1, 12, c2, 10));
        var gap = ott.Zip(same.Plan.ToArray(), (p, q) => Math.Abs(p - q)).Max();
        Assert.True(gap > 1e-4, $"plans at ε_POT = ε_OTT differ by only {gap}");
    }

    [Fact]
    public void Solve_IsometricCase_ValueTendsToZeroAsEpsilonDecreases()
    {
        // y = x R + t, permuted: the optimal GW value is 0 (the brute-force optimum over permutations).
        const int n = 7;
        var x = EntropicGwTestData.Points(n, 2, 31);
        var perm = new[] { 3, 0, 6, 1, 5, 2, 4 };
        var (s, c) = (Math.Sin(0.7), Math.Cos(0.7));
        var y = new double[n * 2];
        for (var i = 0; i < n; i++)
        {
            var k = perm[i];
            y[(i * 2) + 0] = (c * x[(k * 2) + 0]) - (s * x[(k * 2) + 1]) + 3;
            y[(i * 2) + 1] = (s * x[(k * 2) + 0]) + (c * x[(k * 2) + 1]) - 1;
        }

        var c1 = EntropicGwTestData.SquaredDistances(x, n, 2);
        var c2 = EntropicGwTestData.SquaredDistances(y, n, 2);
        var values = new List<double>();
        foreach (var eps in new[] { 1e-1, 1e-2, 1e-3 })
        {
            var result = (Solver with { Epsilon = eps, EpsilonSchedule = new EpsilonScaling(100, 0.8), Threshold = 1e-10 }).Solve(Input(c1, n, c2, n));
            Assert.True(result.Converged, $"ε = {eps}: {result.Convergence.Status}");
            values.Add(result.GwCost);
        }

        Assert.True(values[1] < values[0] && values[2] < values[1], $"values {string.Join(", ", values)}");
        Assert.True(values[2] < 1e-6, $"GW at ε = 1e-3 is {values[2]}, the optimum is 0");
    }

    [Fact]
    public void Solve_ProximalPoint_ConvergesToSharperPlanWithLowerValue()
    {
        // The proximal point's fixed points are stationary for the unregularized GW: here it reaches a permutation
        // (KL(P ‖ a⊗b) = log n) with a lower GW value than mirror descent at the same ε.
        const int n = 10;
        var (c1, c2) = Pair(n, n, 41);
        var md = (Solver with { Epsilon = 0.02 }).Solve(Input(c1, n, c2, n));
        var proximal = Solver with
        {
            Epsilon = 0.02,
            Method = EntropicGromovMethod.ProximalPoint,
            Threshold = 1e-6,
            LinearSolver = Solver.LinearSolver with { Threshold = 1e-9 },
        };
        var ppa = proximal.Solve(Input(c1, n, c2, n));
        Assert.True(ppa.Converged, $"{ppa.Convergence.Status} after {ppa.Iterations}, residual {ppa.FixedPointResidual}");
        Assert.True(ppa.GwCost < md.GwCost, $"PPA {ppa.GwCost} vs mirror descent {md.GwCost}");
        Assert.True(ppa.EntropyTerm > md.EntropyTerm, "the proximal plan should be sharper (further from a⊗b)");
        NumericAssert.Close(Enumerable.Repeat(1.0 / n, n).ToArray(), ppa.SourceMarginal, atol: 1e-8);
        NumericAssert.Close(EntropicGwTestData.GwByDefinition(c1, c2, ppa.Plan, n, n), ppa.GwCost, rtol: 1e-10);
    }

    [Fact]
    public void Solve_UnbalancedWithGrowingRho_ApproachesBalancedAtRateOneOverRho()
    {
        var (c1, c2) = Pair(15, 18, 51);
        var balanced = (Solver with { Epsilon = 0.05 }).Solve(Input(c1, 15, c2, 18));
        var gaps = new List<double>();
        foreach (var rho in new[] { 1.0, 10.0, 100.0 })
        {
            var relaxed = (Solver with { Epsilon = 0.05 }).Solve(Input(c1, 15, c2, 18, relaxation: Relaxation.FromRho(rho, rho)));
            Assert.True(relaxed.Converged, $"ρ = {rho}: {relaxed.Convergence.Status}");
            Assert.True(relaxed.TransportedMass < 1, "KL-relaxed marginals lose mass under the entropic term");
            gaps.Add(balanced.Plan.ToArray().Zip(relaxed.Plan.ToArray(), (p, q) => Math.Abs(p - q)).Sum());
        }

        // ‖P_ρ − P_∞‖₁ = O(1/ρ): each tenfold ρ cuts the gap by 5 to 20.
        for (var k = 1; k < gaps.Count; k++)
        {
            NumericAssert.InRange(gaps[k - 1] / gaps[k], 5, 20, $"gap ratio ρ step {k} ({string.Join(", ", gaps)})");
        }

        Assert.True(gaps[^1] < 2e-3, $"ρ = 100 is {gaps[^1]} away from the balanced plan in L1");
    }

    [Fact]
    public void Solve_SemiRelaxed_KeepsTheExactMarginalAndMovesTheOther()
    {
        var (c1, c2) = Pair(16, 14, 61);
        var rng = new Random(62);
        var b = Enumerable.Range(0, 14).Select(_ => 0.2 + rng.NextDouble()).ToArray();
        var total = b.Sum();
        b = b.Select(v => v / total).ToArray();
        var result = (Solver with { Epsilon = 0.05 }).Solve(Input(c1, 16, c2, 14, b: b, relaxation: Relaxation.FromRho(double.PositiveInfinity, 0.05)));
        Assert.True(result.Converged, $"{result.Convergence.Status}");
        NumericAssert.Close(Enumerable.Repeat(1.0 / 16, 16).ToArray(), result.SourceMarginal, atol: 1e-9, what: "exact side");
        var moved = b.Zip(result.TargetMarginal, (p, q) => Math.Abs(p - q)).Sum();
        Assert.True(moved > 1e-3, $"the relaxed marginal stayed at b (L1 {moved})");

        // The relaxed plan never has a larger entropic objective than the balanced plan evaluated in the same objective:
        // the balanced plan is feasible for the relaxed problem (its KL marginal term is 0 there).
        var balanced = (Solver with { Epsilon = 0.05 }).Solve(Input(c1, 16, c2, 14, b: b));
        Assert.True(result.RegularizedCost <= balanced.Cost + (0.05 * balanced.EntropyTerm) + 1e-9, $"relaxed {result.RegularizedCost} vs balanced {balanced.RegularizedCost}");
    }

    [Fact]
    public void Solve_Unbalanced_UnequalMassesTransportLessThanTheLargerMass()
    {
        var (c1, c2) = Pair(12, 12, 71);
        var a = Enumerable.Repeat(2.0 / 12, 12).ToArray();
        var b = Enumerable.Repeat(1.0 / 12, 12).ToArray();
        var result = (Solver with { Epsilon = 0.05 }).Solve(Input(c1, 12, c2, 12, a, b, Relaxation.FromRho(0.5, 0.5)));
        Assert.True(result.Converged, $"{result.Convergence.Status}");
        Assert.InRange(result.TransportedMass, 1.0, 2.0);
        NumericAssert.AllFinite(result.SourceMarginal);
    }

    [Theory]
    [MemberData(nameof(PotCases))]
    public void Solve_PotFixture_MatchesPotEntropicGw(string name)
    {
        var fx = Fixtures.Load(name);
        var p = fx.Doubles("p");
        var q = fx.Doubles("q");
        var n = p.Length;
        var m = q.Length;
        CostGeometry<double> gx;
        CostGeometry<double> gy;
        if (fx.Has("C1"))
        {
            gx = new DenseGeometry<double>(fx.Doubles("C1"), n, n);
            gy = new DenseGeometry<double>(fx.Doubles("C2"), m, m);
        }
        else
        {
            // Point clouds divided by their max squared distance: the factored path (never forms C1 P C2ᵀ densely).
            gx = Normalized(fx.Doubles("x"), n);
            gy = Normalized(fx.Doubles("y"), m);
        }

        var result = (Solver with { Epsilon = fx.Scalar("epsilon") }).Solve(new QuadraticProblem<double>(gx, gy, p, q));
        Assert.True(result.Converged, $"{name}: {result.Convergence.Status}");
        Assert.True(result.FixedPointResidual <= 1e-8);
        Assert.Equal(1.0, fx.Scalar("converged"));
        NumericAssert.Close(fx.Scalar("value"), result.GwCost, rtol: 1e-6, what: name);
        if (fx.Has("plan"))
        {
            NumericAssert.Close(fx.Doubles("plan"), result.Plan, atol: 1e-8, what: name + " plan");
        }
    }

    public static TheoryData<string> PotCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Fixtures.Names("gromov_entropic_"))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FusedCases))]
    public void Solve_FusedFixture_MatchesPotPrimitiveReference(string name)
    {
        var fx = Fixtures.Load(name);
        var p = fx.Doubles("p");
        var q = fx.Doubles("q");
        var n = p.Length;
        var m = q.Length;
        var input = new QuadraticProblem<double>(
            new DenseGeometry<double>(fx.Doubles("C1"), n, n),
            new DenseGeometry<double>(fx.Doubles("C2"), m, m),
            p,
            q,
            linearGeometry: new DenseGeometry<double>(fx.Doubles("M"), n, m),
            alpha: fx.Scalar("alpha"));
        var result = (Solver with { Epsilon = fx.Scalar("epsilon") }).Solve(input);
        Assert.True(result.Converged);
        NumericAssert.Close(fx.Scalar("value"), result.Cost, rtol: 1e-6, what: name);
        NumericAssert.Close(fx.Scalar("gw"), result.GwCost, rtol: 1e-6, what: name + " gw");
        NumericAssert.Close(fx.Scalar("linear"), result.LinearCost, rtol: 1e-6, what: name + " linear");
    }

    public static TheoryData<string> FusedCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Fixtures.Names("gromov_efgw_"))
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Solve_FusedWithAlphaOne_EqualsGw()
    {
        var (c1, c2) = Pair(14, 13, 81);
        var rng = new Random(82);
        var mCost = Enumerable.Range(0, 14 * 13).Select(_ => rng.NextDouble()).ToArray();
        var gw = Solver.Solve(Input(c1, 14, c2, 13));
        var fused = Solver.Solve(new QuadraticProblem<double>(EntropicGwTestData.Dense(c1, 14), EntropicGwTestData.Dense(c2, 13), linearGeometry: new DenseGeometry<double>(mCost, 14, 13), alpha: 1.0));
        NumericAssert.Close(gw.Plan, fused.Plan, atol: 1e-12);
        NumericAssert.Close(gw.Cost, fused.Cost, rtol: 1e-12);
    }

    [Fact]
    public void Solve_UnbalancedProximalPoint_IsRefused()
    {
        var (c1, c2) = Pair(6, 6, 91);
        var solver = Solver with { Method = EntropicGromovMethod.ProximalPoint };
        Assert.Throws<InputValidationException>(() => solver.Solve(Input(c1, 6, c2, 6, relaxation: Relaxation.FromRho(1, 1))));
    }

    [Fact]
    public void Solve_AsymmetricCosts_UsesBothGradientTerms()
    {
        // A directed graph's shortest-path-like costs: C1 ≠ C1ᵀ. The fixed point satisfies P = Sinkhorn(L⊗P + Lᵀ⊗P, ε),
        // checked with the definition-based tensor product.
        const int n = 8;
        var rng = new Random(101);
        var c1 = Enumerable.Range(0, n * n).Select(k => k / n == k % n ? 0 : rng.NextDouble()).ToArray();
        var c2 = Enumerable.Range(0, n * n).Select(k => k / n == k % n ? 0 : rng.NextDouble()).ToArray();
        var result = (Solver with { Epsilon = 0.1 }).Solve(Input(c1, n, c2, n));
        Assert.True(result.Converged);
        var plan = result.Plan.ToArray();
        var forward = EntropicGwTestData.TensorProduct(c1, c2, plan, n, n);
        var backward = EntropicGwTestData.TensorProduct(Transpose(c1, n), Transpose(c2, n), plan, n, n);
        var gradient = forward.Zip(backward, (u, v) => u + v).ToArray();
        var u = Enumerable.Repeat(1.0 / n, n).ToArray();
        var step = new Sinkhorn { Epsilon = 0.1, Threshold = 1e-13, MaxIterations = 100_000 }.Solve(new LinearProblem<double>(new DenseGeometry<double>(gradient, n, n), u, u)).ToDense();
        NumericAssert.Close(step, plan, atol: 1e-9);
    }

    [Fact]
    public void OtSolveGromovEntropic_RotatedCloud_MatchesTheDenseNormalizedProblem()
    {
        const int n = 25;
        var x = EntropicGwTestData.Points(n, 2, 121);
        var (s, c) = (Math.Sin(1.1), Math.Cos(1.1));
        var y = new double[n * 2];
        for (var i = 0; i < n; i++)
        {
            y[2 * i] = (c * x[2 * i]) - (s * x[(2 * i) + 1]);
            y[(2 * i) + 1] = (s * x[2 * i]) + (c * x[(2 * i) + 1]);
        }

        var facade = Ot.SolveGromovEntropic(new PointCloud<double>(x, n, 2), new PointCloud<double>(y, n, 2), epsilon: 0.05);
        var dense = (Solver with { Epsilon = 0.05 }).Solve(Input(EntropicGwTestData.SquaredDistances(x, n, 2), n, EntropicGwTestData.SquaredDistances(y, n, 2), n));
        Assert.True(facade.Converged);
        NumericAssert.Close(dense.GwCost, facade.GwCost, rtol: 1e-7);
        NumericAssert.Close(dense.Plan, facade.Plan, atol: 1e-9);
    }

    private static double[] Transpose(double[] c, int n)
    {
        var t = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                t[(j * n) + i] = c[(i * n) + j];
            }
        }

        return t;
    }

    private static LowRankGeometry<double> Normalized(double[] points, int n)
    {
        var d = points.Length / n;
        var cloud = new PointCloud<double>(points, n, d);
        var geometry = LowRankGeometry<double>.SquaredEuclidean(cloud, cloud);
        var max = 0.0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                max = Math.Max(max, geometry.Cost(i, j));
            }
        }

        return (LowRankGeometry<double>)geometry.WithScaleFactor(1 / max);
    }
}
