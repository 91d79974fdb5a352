using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tests.Geometry;
using Monge.Tools;

namespace Monge.Tests.Solvers.Entropic;

public class SinkhornTests
{
    private static readonly Sinkhorn Tight = new() { Threshold = 1e-11, MaxIterations = 100_000, InnerIterations = 5 };

    public static TheoryData<string> BalancedFixtures => new(Fixtures.Names("sinkhorn_balanced_"));

    public static TheoryData<string> UnbalancedFixtures => new(Fixtures.Names("sinkhorn_unbalanced_"));

    public static TheoryData<string> DivergenceFixtures => new(Fixtures.Names("sinkhorn_divergence_"));

    private static PointCloud<double> Cloud(Fixture fx, string key)
    {
        var arr = fx.Array(key);
        return new PointCloud<double>(arr.ToDoubleArray(), arr.Rows, arr.Columns);
    }

    [Theory]
    [MemberData(nameof(BalancedFixtures))]
    public void Solve_Balanced_MatchesPot(string name)
    {
        var fx = Fixtures.Load(name);
        var x = Cloud(fx, "x");
        var y = Cloud(fx, "y");
        var a = fx.Doubles("a");
        var b = fx.Doubles("b");
        var reg = fx.Scalar("reg");
        foreach (var geometry in new CostGeometry<double>[] { new PointCloudGeometry<double>(x, y), LowRankGeometry<double>.SquaredEuclidean(x, y), new DenseGeometry<double>(new PointCloudGeometry<double>(x, y).ToDense(), x.Count, y.Count) })
        {
            foreach (var convention in new[] { EntropyConvention.KullbackLeibler, EntropyConvention.Entropy })
            {
                var output = (Tight with { Epsilon = reg, Convention = convention }).Solve(new LinearProblem<double>(geometry, a, b));
                Assert.True(output.Converged, $"{name} {geometry.GetType().Name} {convention}: {output.Convergence}");
                NumericAssert.Close(fx.Doubles("plan"), output.ToDense(), rtol: 1e-6, atol: 1e-10, what: $"{name} plan vs ot.sinkhorn");
                NumericAssert.Close(fx.Doubles("plan_log"), output.ToDense(), rtol: 1e-6, atol: 1e-10, what: $"{name} plan vs sinkhorn_log");
                NumericAssert.Close(fx.Scalar("cost"), output.Cost, rtol: 1e-8, what: $"{name} cost vs sinkhorn2");
            }
        }
    }

    [Theory]
    [MemberData(nameof(UnbalancedFixtures))]
    public void Solve_UnbalancedPlainEntropy_MatchesPot(string name)
    {
        var fx = Fixtures.Load(name);
        var reg = fx.Scalar("reg");
        var regM = fx.Scalar("reg_m");
        var tau = regM / (regM + reg);
        var problem = new LinearProblem<double>(new PointCloudGeometry<double>(Cloud(fx, "x"), Cloud(fx, "y")), fx.Doubles("a"), fx.Doubles("b"), Relaxation.FromTau(tau, tau));
        var output = (Tight with { Epsilon = reg, Convention = EntropyConvention.Entropy }).Solve(problem);
        Assert.True(output.Converged, output.Convergence.ToString());
        NumericAssert.Close(fx.Doubles("plan"), output.ToDense(), rtol: 1e-6, atol: 1e-10, what: name);
    }

    [Theory]
    [MemberData(nameof(DivergenceFixtures))]
    public void Divergence_PrimalTerms_MatchPot(string name)
    {
        var fx = Fixtures.Load(name);
        var x = Cloud(fx, "x").WithWeights(fx.Doubles("a"));
        var y = Cloud(fx, "y").WithWeights(fx.Doubles("b"));
        var result = SinkhornDivergence.Compute(x, y, Tight with { Epsilon = fx.Scalar("reg") }, term: DivergenceTerm.Primal);
        Assert.True(result.Converged);
        NumericAssert.Close(fx.Scalar("divergence"), result.Value, rtol: 1e-7, what: name);
    }

    [Fact]
    public void Divergence_Regularized_IsZeroForIdenticalAndPositiveOtherwise()
    {
        var x = GeometryTestData.Cloud(30, 2, 101);
        var y = GeometryTestData.Cloud(25, 2, 102, offset: 0.5);
        var same = SinkhornDivergence.Compute(x, x, Tight with { Epsilon = 0.1 });
        NumericAssert.Close(0, same.Value, atol: 1e-9);
        var other = SinkhornDivergence.Compute(x, y, Tight with { Epsilon = 0.1 });
        Assert.True(other.Value > 1e-3, $"divergence {other.Value}");
    }

    [Fact]
    public void Solve_KlUnbalanced_SatisfiesFirstOrderConditions()
    {
        // Independent check of OTT's τ convention: at the optimum of ⟨C,P⟩ + ε KL(P|ab) + ρ_a KL(P1|a) + ρ_b KL(Pᵀ1|b),
        // f = −ρ_a log(P1/a) and g = −ρ_b log(Pᵀ1/b).
        var x = GeometryTestData.Cloud(20, 2, 111);
        var y = GeometryTestData.Cloud(15, 2, 112, offset: 0.4);
        var a = Enumerable.Repeat(1.5 / 20, 20).ToArray();
        var b = Enumerable.Repeat(0.7 / 15, 15).ToArray();
        double eps = 0.05, tauA = 0.8, tauB = 0.6;
        var relaxation = Relaxation.FromTau(tauA, tauB);
        var output = (Tight with { Epsilon = eps }).Solve(new LinearProblem<double>(new PointCloudGeometry<double>(x, y), a, b, relaxation));
        Assert.True(output.Converged);
        var rhoA = relaxation.RhoA(eps);
        var rhoB = relaxation.RhoB(eps);
        var rows = output.SourceMarginal;
        var cols = output.TargetMarginal;
        NumericAssert.Close(output.F, rows.Select((r, i) => -rhoA * Math.Log(r / a[i])).ToArray(), rtol: 1e-6, atol: 1e-8);
        NumericAssert.Close(output.G, cols.Select((c, j) => -rhoB * Math.Log(c / b[j])).ToArray(), rtol: 1e-6, atol: 1e-8);
    }

    [Fact]
    public void Solve_RelaxationGivenAsTauOrAsEquivalentRho_GivesTheSameAnswer()
    {
        var x = GeometryTestData.Cloud(20, 2, 111);
        var y = GeometryTestData.Cloud(15, 2, 112, offset: 0.4);
        var a = Enumerable.Repeat(1.5 / 20, 20).ToArray();
        var b = Enumerable.Repeat(0.7 / 15, 15).ToArray();
        double eps = 0.05, tauA = 0.8, tauB = 0.6;
        var geometry = new PointCloudGeometry<double>(x, y);
        var asTau = Relaxation.FromTau(tauA, tauB);
        var asRho = Relaxation.FromRho(asTau.RhoA(eps), asTau.RhoB(eps));
        var solver = Tight with { Epsilon = eps };
        var byTau = solver.Solve(new LinearProblem<double>(geometry, a, b, asTau));
        var byRho = solver.Solve(new LinearProblem<double>(geometry, a, b, asRho));
        Assert.True(byTau.Converged && byRho.Converged);
        NumericAssert.Close(asRho.TauA(eps), tauA, rtol: 1e-14);
        NumericAssert.Close(byTau.F, byRho.F, rtol: 1e-9, atol: 1e-12);
        NumericAssert.Close(byTau.G, byRho.G, rtol: 1e-9, atol: 1e-12);
        NumericAssert.Close(byTau.Cost, byRho.Cost, rtol: 1e-9);
        NumericAssert.Close(byTau.RegularizedCost, byRho.RegularizedCost, rtol: 1e-9);
    }

    [Fact]
    public void Solve_SemiRelaxed_KeepsExactMarginalOnly()
    {
        var x = GeometryTestData.Cloud(20, 2, 121);
        var y = GeometryTestData.Cloud(22, 2, 122, offset: 1);
        var output = (Tight with { Epsilon = 0.05 }).Solve(new LinearProblem<double>(new PointCloudGeometry<double>(x, y), relaxation: Relaxation.FromTau(1, 0.5)));
        Assert.True(output.Converged);
        NumericAssert.Close(Enumerable.Repeat(1.0 / 20, 20).ToArray(), output.SourceMarginal, rtol: 1e-7);
        Assert.True(output.TargetMarginalError > 1e-3);
    }

    [Fact]
    public void Solve_Invariances_PermutationShiftTranspose()
    {
        var x = GeometryTestData.Cloud(18, 3, 131);
        var y = GeometryTestData.Cloud(14, 3, 132, offset: 0.2);
        var opts = Tight with { Epsilon = 0.1 };
        var baseOut = opts.Solve(LinearProblem<double>.FromPointClouds(x, y));
        var plan = baseOut.ToDense();

        // Transpose: solving (y, x) gives Pᵀ and the same cost.
        var tOut = opts.Solve(LinearProblem<double>.FromPointClouds(y, x));
        var tPlan = tOut.ToDense();
        NumericAssert.Close(Enumerable.Range(0, 18 * 14).Select(k => plan[k]).ToArray(), Enumerable.Range(0, 18 * 14).Select(k => tPlan[((k % 14) * 18) + (k / 14)]).ToArray(), rtol: 1e-7, atol: 1e-12);
        NumericAssert.Close(baseOut.RegularizedCost, tOut.RegularizedCost, rtol: 1e-9);

        // Permuting the source points permutes the plan rows.
        var perm = Enumerable.Range(0, 18).Reverse().ToArray();
        var pOut = opts.Solve(LinearProblem<double>.FromPointClouds(x.Subset(perm), y));
        var pPlan = pOut.ToDense();
        for (var i = 0; i < 18; i++)
        {
            NumericAssert.Close(plan.AsSpan(perm[i] * 14, 14), pPlan.AsSpan(i * 14, 14), rtol: 1e-7, atol: 1e-12);
        }

        // Adding a constant to C shifts the cost by that constant and leaves the plan unchanged (unit mass).
        var c = new PointCloudGeometry<double>(x, y).ToDense();
        var shifted = c.Select(v => v + 3).ToArray();
        var sOut = opts.Solve(new LinearProblem<double>(new DenseGeometry<double>(shifted, 18, 14)));
        NumericAssert.Close(plan, sOut.ToDense(), rtol: 1e-7, atol: 1e-12);
        NumericAssert.Close(baseOut.Cost + 3, sOut.Cost, rtol: 1e-9);
    }

    [Fact]
    public void Solve_SmallEpsilon_ApproachesExactCostFromAbove()
    {
        // Planted permutation: y is a permutation of x plus a small shift, so the exact OT cost is known (n = 12, uniform weights).
        var n = 12;
        var x = GeometryTestData.Cloud(n, 2, 141);
        var perm = Enumerable.Range(0, n).Select(i => (i * 5) % n).ToArray();
        var shift = new[] { 0.01, -0.02 };
        var yData = new double[n * 2];
        for (var i = 0; i < n; i++)
        {
            yData[(i * 2) + 0] = x.Row(perm[i])[0] + shift[0];
            yData[(i * 2) + 1] = x.Row(perm[i])[1] + shift[1];
        }

        var y = new PointCloud<double>(yData, n, 2);
        var exact = (shift[0] * shift[0]) + (shift[1] * shift[1]); // translation is optimal for the squared cost
        var previous = double.PositiveInfinity;
        foreach (var eps in new[] { 0.004, 0.002, 0.001, 0.0003 })
        {
            var output = new Sinkhorn { Epsilon = eps, Threshold = 1e-7, MaxIterations = 20_000, Momentum = 1.5, EpsilonScaling = new EpsilonScaling(1000, 0.9) }.Solve(LinearProblem<double>.FromPointClouds(x, y));
            Assert.True(output.Converged, $"ε = {eps}: {output.Convergence}");
            Assert.True(output.Cost >= exact - 1e-6, $"ε = {eps}: cost {output.Cost} below exact {exact}");
            Assert.True(output.Cost <= previous + 1e-6, $"ε = {eps}: cost {output.Cost} not decreasing ({previous})");
            previous = output.Cost;
        }

        NumericAssert.Close(exact, previous, rtol: 5e-3);
    }

    [Fact]
    public void Solve_TinyEpsilonFloat_StaysFiniteWithStatus()
    {
        var x = GeometryTestData.Cloud(50, 2, 151).Convert<float>();
        var y = GeometryTestData.Cloud(60, 2, 152).Convert<float>();
        var output = new Sinkhorn { Epsilon = 1e-5, MaxIterations = 200 }.Solve(LinearProblem<float>.FromPointClouds(x, y));
        Assert.All(output.F, v => Assert.True(float.IsFinite(v)));
        Assert.All(output.G, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(output.Convergence.Status, new[] { SolverStatus.Converged, SolverStatus.MaxIterations });
    }

    [Fact]
    public void Solve_Converged_MarginalErrorWithinThreshold()
    {
        var x = GeometryTestData.Cloud(200, 2, 161);
        var y = GeometryTestData.Cloud(150, 2, 162, offset: 0.3);
        foreach (var norm in new[] { MarginalNorm.L1, MarginalNorm.L2 })
        {
            var output = new Sinkhorn { Epsilon = 0.2, Threshold = 1e-4, Norm = norm, Momentum = 1 }.Solve(LinearProblem<double>.FromPointClouds(x, y));
            Assert.True(output.Converged);
            Assert.True(output.Convergence.FinalError <= 1e-4);
            Assert.True(output.TargetMarginalError <= (norm == MarginalNorm.L1 ? 1e-4 : 1e-4 * Math.Sqrt(150)) + 1e-12, $"{norm}: {output.TargetMarginalError}");
            Assert.True(output.SourceMarginalError <= 1e-10);

            // Default (adaptive over-relaxation): the f update is relaxed too, so the criterion is the sum of both sides.
            var accelerated = new Sinkhorn { Epsilon = 0.2, Threshold = 1e-4, Norm = norm }.Solve(LinearProblem<double>.FromPointClouds(x, y));
            Assert.True(accelerated.Converged);
            var both = accelerated.TargetMarginalError + accelerated.SourceMarginalError;
            Assert.True(both <= (norm == MarginalNorm.L1 ? 1e-4 : 1e-4 * Math.Sqrt(200)) + 1e-12, $"{norm}: {both}");
        }
    }

    [Fact]
    public void Solve_Accelerations_ReachSameSolutionInFewerIterations()
    {
        var x = GeometryTestData.Cloud(80, 2, 171);
        var y = GeometryTestData.Cloud(70, 2, 172, offset: 0.2);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var opts = new Sinkhorn { Epsilon = 0.1, Threshold = 1e-7, MaxIterations = 20_000 };
        var plain = opts.Solve(problem);
        var scaled = (opts with { EpsilonScaling = new EpsilonScaling(200, 0.9) }).Solve(problem);
        var momentum = (opts with { Momentum = 1.5 }).Solve(problem);
        var anderson = (opts with { AndersonMemory = 3 }).Solve(problem);
        var subsample = (opts with { Initializer = SinkhornInitializer.Subsample, SubsampleSize = 60, Seed = 3 }).Solve(problem);
        foreach (var o in new[] { plain, scaled, momentum, anderson, subsample })
        {
            Assert.True(o.Converged, o.Convergence.ToString());
            NumericAssert.Close(plain.Cost, o.Cost, rtol: 1e-4);
        }

        Assert.True(momentum.Convergence.Iterations < plain.Convergence.Iterations, $"momentum {momentum.Convergence.Iterations} vs {plain.Convergence.Iterations}");
    }

    [Fact]
    public void Solve_Cancelled_ReturnsStatus()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var output = new Sinkhorn { Epsilon = 0.1 }.Solve(LinearProblem<double>.FromPointClouds(GeometryTestData.Cloud(10, 2, 1), GeometryTestData.Cloud(10, 2, 2)), null, cts.Token);
        Assert.Equal(SolverStatus.Cancelled, output.Convergence.Status);
    }

    [Fact]
    public void ApplyPlan_MatchesDensePlan()
    {
        var x = GeometryTestData.Cloud(40, 2, 181);
        var y = GeometryTestData.Cloud(1100, 2, 182);
        var output = new Sinkhorn { Epsilon = 0.1 }.Solve(LinearProblem<double>.FromPointClouds(x, y));
        var plan = output.ToDense();
        var v = GeometryTestData.Vector(1100, 183);
        var u = GeometryTestData.Vector(40, 184);
        var pv = output.ApplyPlan(v, Axis.Rows);
        var ptu = output.ApplyPlan(u, Axis.Columns);
        var expectedPv = Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, 1100).Sum(j => plan[(i * 1100) + j] * v[j])).ToArray();
        var expectedPtu = Enumerable.Range(0, 1100).Select(j => Enumerable.Range(0, 40).Sum(i => plan[(i * 1100) + j] * u[i])).ToArray();
        NumericAssert.Close(expectedPv, pv, rtol: 1e-10, atol: 1e-14);
        NumericAssert.Close(expectedPtu, ptu, rtol: 1e-10, atol: 1e-14);
        Assert.Throws<InvalidOperationException>(() => output.ToDense(maxEntries: 100));
    }

    [Fact]
    public void BadInput_ThrowsTyped()
    {
        var x = GeometryTestData.Cloud(5, 2, 1);
        var y = GeometryTestData.Cloud(6, 2, 2);
        var geom = new PointCloudGeometry<double>(x, y);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => new LinearProblem<double>(geom, new double[4])).Problem);
        Assert.Equal(InputProblem.NegativeWeight, Assert.Throws<InputValidationException>(() => new LinearProblem<double>(geom, [0.5, 0.5, 0.1, -0.1, 0])).Problem);
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => new LinearProblem<double>(geom, [0.5, 0.5, double.NaN, 0, 0])).Problem);
        Assert.Equal(InputProblem.MassMismatch, Assert.Throws<InputValidationException>(() => new LinearProblem<double>(geom, [1, 1, 1, 1, 1])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new LinearProblem<double>(geom, relaxation: Relaxation.FromTau(0, 1))).Problem);
        var problem = new LinearProblem<double>(geom);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new Sinkhorn { Epsilon = 0 }.Solve(problem)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new Sinkhorn { Epsilon = -1 }.Solve(problem)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new Sinkhorn { Threshold = double.NaN }.Solve(problem)).Problem);
    }

    [Fact]
    public void Solve_DefaultEpsilon_IsFivePercentOfCostStd()
    {
        var x = GeometryTestData.Cloud(30, 2, 191);
        var y = GeometryTestData.Cloud(30, 2, 192);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var output = new Sinkhorn().Solve(problem);
        NumericAssert.Close(0.05 * problem.Geometry.ComputeStatistics().StandardDeviation, output.Epsilon, rtol: 1e-12);
    }
}

public class SinkhornResultMapTests
{
    private static readonly Sinkhorn Tight = new() { Epsilon = 0.1, Threshold = 1e-12, MaxIterations = 100_000, InnerIterations = 5 };

    [Fact]
    public void GradientSourcePositions_MatchesFiniteDifferences()
    {
        var x = GeometryTestData.Cloud(8, 2, 201);
        var y = GeometryTestData.Cloud(9, 2, 202, offset: 0.3);
        var output = Tight.Solve(LinearProblem<double>.FromPointClouds(x, y));
        Assert.True(output.Converged);
        var grad = output.GradientSourcePositions();
        const double h = 1e-5;
        foreach (var (i, k) in new[] { (0, 0), (3, 1), (7, 0) })
        {
            double Value(double delta)
            {
                var data = x.Data.ToArray();
                data[(i * 2) + k] += delta;
                return Tight.Solve(LinearProblem<double>.FromPointClouds(new PointCloud<double>(data, 8, 2), y)).RegularizedCost;
            }

            var fd = (Value(h) - Value(-h)) / (2 * h);
            NumericAssert.Close(fd, grad[(i * 2) + k], rtol: 1e-5, atol: 1e-8, what: $"∂/∂x[{i},{k}]");
        }
    }

    [Fact]
    public void GradientSourceWeights_MatchesFiniteDifferencesUpToConstant()
    {
        var x = GeometryTestData.Cloud(6, 2, 211);
        var y = GeometryTestData.Cloud(7, 2, 212, offset: 0.3);
        var a = new[] { 0.1, 0.2, 0.15, 0.25, 0.2, 0.1 };
        var geom = new PointCloudGeometry<double>(x, y);
        var output = Tight.Solve(new LinearProblem<double>(geom, a));
        var grad = output.GradientSourceWeights();

        // Move mass from point 0 to point 3 (a direction that stays on the simplex): derivative = f_3 − f_0.
        const double h = 1e-6;
        double Value(double delta)
        {
            var w = (double[])a.Clone();
            w[3] += delta;
            w[0] -= delta;
            return Tight.Solve(new LinearProblem<double>(geom, w)).RegularizedCost;
        }

        var fd = (Value(h) - Value(-h)) / (2 * h);
        NumericAssert.Close(fd, grad[3] - grad[0], rtol: 1e-5, atol: 1e-8);
    }

    [Fact]
    public void EntropicMap_OnSourcePoints_EqualsBarycentricProjection()
    {
        var x = GeometryTestData.Cloud(30, 2, 221);
        var y = GeometryTestData.Cloud(40, 2, 222, offset: 1);
        var output = Tight.Solve(LinearProblem<double>.FromPointClouds(x, y));
        var bary = output.BarycentricProjection();
        NumericAssert.Close(bary, output.EntropicMap(x), rtol: 1e-8, atol: 1e-10);

        // Independent check of the projection from the dense plan.
        var plan = output.ToDense();
        for (var i = 0; i < 30; i++)
        {
            var mass = Enumerable.Range(0, 40).Sum(j => plan[(i * 40) + j]);
            var mx = Enumerable.Range(0, 40).Sum(j => plan[(i * 40) + j] * y.Row(j)[0]) / mass;
            NumericAssert.Close(mx, bary[i * 2], rtol: 1e-10, atol: 1e-12);
        }
    }

    [Fact]
    public void TopK_MatchesSortedDenseRows()
    {
        var x = GeometryTestData.Cloud(20, 2, 231);
        var y = GeometryTestData.Cloud(1500, 2, 232);
        var output = new Sinkhorn { Epsilon = 0.05 }.Solve(LinearProblem<double>.FromPointClouds(x, y));
        var plan = output.ToDense();
        var (idx, vals) = output.TopK(4);
        for (var i = 0; i < 20; i++)
        {
            var expected = Enumerable.Range(0, 1500).OrderByDescending(j => plan[(i * 1500) + j]).Take(4).ToArray();
            Assert.Equal(expected, idx.AsSpan(i * 4, 4).ToArray());
            NumericAssert.Close(expected.Select(j => plan[(i * 1500) + j]).ToArray(), vals.AsSpan(i * 4, 4), rtol: 1e-12);
        }
    }
}
