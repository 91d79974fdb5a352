using Monge.Gaussian;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Tests.Gaussian;

public class GaussianTransportTests
{
    internal static double[] RandomSpd(Random random, int d, double ridge = 0.3)
    {
        var b = new double[d * d];
        for (var k = 0; k < b.Length; k++)
        {
            b[k] = random.NextGaussian();
        }

        var s = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                var sum = 0.0;
                for (var k = 0; k < d; k++)
                {
                    sum += b[(i * d) + k] * b[(j * d) + k];
                }

                s[(i * d) + j] = (sum / d) + (i == j ? ridge : 0);
            }
        }

        return s;
    }

    internal static GaussianMeasure RandomGaussian(Random random, int d) =>
        new(Enumerable.Range(0, d).Select(_ => random.NextGaussian()).ToArray(), RandomSpd(random, d));

    private static GaussianMeasure OneD(double mean, double std) => new([mean], [std * std]);

    private static double[] Mul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int d)
    {
        var r = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                for (var k = 0; k < d; k++)
                {
                    r[(i * d) + j] += a[(i * d) + k] * b[(k * d) + j];
                }
            }
        }

        return r;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(12)]
    public void SymmetricEigen_RandomSymmetric_ReconstructsWithOrthogonalVectors(int d)
    {
        var random = Seeds.Create(700 + d);
        var a = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = i; j < d; j++)
            {
                a[(i * d) + j] = a[(j * d) + i] = random.NextGaussian();
            }
        }

        var values = new double[d];
        var vectors = new double[d * d];
        DenseLinearAlgebra.SymmetricEigen(a, d, values, vectors);
        var back = DenseLinearAlgebra.Compose(values, vectors, d, v => v);
        NumericAssert.Close(a, back, rtol: 0, atol: 1e-12, what: "V Λ Vᵀ");
        var gram = Mul(DenseLinearAlgebra.Transpose(vectors, d), vectors, d);
        var identity = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            identity[(i * d) + i] = 1;
        }

        NumericAssert.Close(identity, gram, rtol: 0, atol: 1e-12, what: "VᵀV");
    }

    [Theory]
    [InlineData(0.0, 1.0, 0.0, 1.0)]
    [InlineData(1.5, 0.5, -2.0, 3.0)]
    [InlineData(-4.0, 2.0, 7.0, 0.1)]
    public void WassersteinSquared_OneDimensional_MatchesFormula(double m0, double s0, double m1, double s1)
    {
        var expected = ((m0 - m1) * (m0 - m1)) + ((s0 - s1) * (s0 - s1));
        var actual = GaussianTransport.WassersteinSquared(OneD(m0, s0), OneD(m1, s1));
        NumericAssert.Close(expected, actual, rtol: 1e-12, atol: 1e-14);
        var map = GaussianTransport.MongeMap(OneD(m0, s0), OneD(m1, s1));
        NumericAssert.Close(s1 / s0, map.Matrix[0], rtol: 1e-12, what: "1-D map slope σ₁/σ₀");
    }

    [Fact]
    public void WassersteinSquared_CommutingCovariances_SumsPerEigenDirection()
    {
        var random = Seeds.Create(710);
        const int d = 4;

        // Σ₀ = Q diag(α) Qᵀ and Σ₁ = Q diag(β) Qᵀ commute; W₂² = ‖Δm‖² + Σ (√α − √β)².
        var rotation = new double[d * d];
        var values = new double[d];
        DenseLinearAlgebra.SymmetricEigen(RandomSpd(random, d), d, values, rotation);
        double[] alpha = [0.5, 1.0, 2.0, 3.5];
        double[] beta = [2.0, 0.25, 2.0, 9.0];
        var s0 = DenseLinearAlgebra.Compose(alpha, rotation, d, v => v);
        var s1 = DenseLinearAlgebra.Compose(beta, rotation, d, v => v);
        double[] m0 = [1, 2, 3, 4];
        double[] m1 = [0, 2, 5, 4];
        var expected = 1.0 + 4.0;
        for (var k = 0; k < d; k++)
        {
            expected += (Math.Sqrt(alpha[k]) - Math.Sqrt(beta[k])) * (Math.Sqrt(alpha[k]) - Math.Sqrt(beta[k]));
        }

        NumericAssert.Close(expected, GaussianTransport.WassersteinSquared(new GaussianMeasure(m0, s0), new GaussianMeasure(m1, s1)), rtol: 1e-11);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    public void MongeMap_RandomGaussians_PushesCovarianceAndIsSymmetricPositive(int d)
    {
        foreach (var seed in Seeds.Sweep)
        {
            var random = new Random(seed + d);
            var source = RandomGaussian(random, d);
            var target = RandomGaussian(random, d);
            var map = GaussianTransport.MongeMap(source, target);
            var pushed = Mul(Mul(map.Matrix, source.Covariance, d), map.Matrix, d);
            NumericAssert.Close(target.Covariance, pushed, rtol: 1e-9, atol: 1e-11, what: "A Σ₀ A = Σ₁");
            NumericAssert.Close(map.Matrix, DenseLinearAlgebra.Transpose(map.Matrix, d), rtol: 0, atol: 1e-14, what: "A = Aᵀ");
            var eig = new double[d];
            DenseLinearAlgebra.SymmetricEigen(map.Matrix, d, eig, new double[d * d]);
            Assert.True(eig.Min() > 0, $"A has eigenvalue {eig.Min()}");

            // E‖X − T(X)‖² = W₂²: (m₀ − m₁)ᵀ(m₀ − m₁) + tr((I − A) Σ₀ (I − A)).
            var iMinusA = map.Matrix.ToArray();
            for (var k = 0; k < iMinusA.Length; k++)
            {
                iMinusA[k] = (k % (d + 1) == 0 ? 1 : 0) - iMinusA[k];
            }

            var expected = DenseLinearAlgebra.Trace(Mul(Mul(iMinusA, source.Covariance, d), iMinusA, d), d);
            for (var k = 0; k < d; k++)
            {
                expected += (source.Mean[k] - target.Mean[k]) * (source.Mean[k] - target.Mean[k]);
            }

            NumericAssert.Close(expected, GaussianTransport.WassersteinSquared(source, target), rtol: 1e-9, what: "E‖X − T(X)‖²");
        }
    }

    [Fact]
    public void MongeMap_Samples_IdentityIsOptimalAssignment()
    {
        // T is the gradient of a convex function, so its graph is cyclically monotone: matching samples x to T(x)
        // (shuffled) by exact assignment must recover the pairing.
        var random = Seeds.Create(720);
        var source = RandomGaussian(random, 3);
        var target = RandomGaussian(random, 3);
        var x = source.Sample(300, Seeds.Default);
        var y = GaussianTransport.MongeMap(source, target).Apply(x);
        var order = Enumerable.Range(0, y.Count).ToArray();
        random.Shuffle(order.AsSpan());
        var shuffled = y.Subset(order);
        var result = new LinearAssignment().Solve(x, shuffled);
        for (var i = 0; i < x.Count; i++)
        {
            Assert.Equal(i, order[result.RowToColumn[i]]);
        }
    }

    [Fact]
    public void WassersteinSquared_OneDimensionalSamples_MatchesExactOneDimensionalSolver()
    {
        var source = OneD(0.5, 1.0);
        var target = OneD(-1.0, 2.0);
        var x = source.Sample(40_000, Seeds.Default).Data;
        var y = target.Sample(40_000, Seeds.Default + 1).Data;
        var empirical = OneDimensional.CostPower(x, y, [], [], 2);

        // Sampling error of the empirical W₂² between two 40 000-point samples is about 1 % here.
        NumericAssert.Close(GaussianTransport.WassersteinSquared(source, target), empirical, rtol: 0.03);
    }

    [Fact]
    public void WassersteinSquared_TwoDimensionalSamples_MatchesMeanTransportedCost()
    {
        var random = Seeds.Create(730);
        var source = RandomGaussian(random, 2);
        var target = RandomGaussian(random, 2);
        var x = source.Sample(50_000, Seeds.Default);
        var y = GaussianTransport.MongeMap(source, target).Apply(x);
        var sum = 0.0;
        for (var i = 0; i < x.Count; i++)
        {
            for (var k = 0; k < 2; k++)
            {
                var diff = x.Row(i)[k] - y.Row(i)[k];
                sum += diff * diff;
            }
        }

        // Law of large numbers: relative standard error ≈ 1/√n × (coefficient of variation ≈ 1.5) ≈ 0.7 %.
        NumericAssert.Close(GaussianTransport.WassersteinSquared(source, target), sum / x.Count, rtol: 0.03);
    }

    [Fact]
    public void EntropicCost_SmallEpsilon_TendsToWassersteinSquared()
    {
        var random = Seeds.Create(740);
        var source = RandomGaussian(random, 4);
        var target = RandomGaussian(random, 4);
        var w2 = GaussianTransport.WassersteinSquared(source, target);
        var previous = double.PositiveInfinity;
        foreach (var epsilon in new[] { 1.0, 1e-1, 1e-2, 1e-3, 1e-5 })
        {
            var gap = Math.Abs(GaussianTransport.EntropicCost(source, target, epsilon) - w2);
            Assert.True(gap < previous, $"gap {gap} at ε={epsilon} did not shrink (previous {previous})");
            previous = gap;
        }

        Assert.True(previous < 1e-3, $"gap {previous} at ε=1e-5");
        var coupling = GaussianTransport.Entropic(source, target, 1e-6);
        var monge = GaussianTransport.MongeMap(source, target);
        NumericAssert.Close(monge.Matrix, coupling.EntropicMap.Matrix, rtol: 0, atol: 1e-4, what: "entropic map → Monge map");
    }

    [Theory]
    [InlineData(2, 0.5)]
    [InlineData(3, 0.7)]
    [InlineData(5, 2.0)]
    public void Entropic_RandomGaussians_PrecisionOffDiagonalIsMinusTwoOverEpsilon(int d, double sigma)
    {
        // The density of an entropic OT coupling is exp((f(x) + g(y) − ‖x − y‖²)/ε) μ₀ ⊗ μ₁: the cross block of Γ⁻¹ is −(2/ε) I.
        var random = Seeds.Create(750 + d);
        var source = RandomGaussian(random, d);
        var target = RandomGaussian(random, d);
        var epsilon = 2 * sigma * sigma;
        var coupling = GaussianTransport.Entropic(source, target, epsilon);
        var gamma = coupling.JointCovariance();
        var n = 2 * d;
        var precision = DenseLinearAlgebra.Function(gamma, n, v => 1 / v);
        var cross = new double[d * d];
        var expected = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                cross[(i * d) + j] = precision[(i * n) + d + j];
            }

            expected[(i * d) + i] = -2 / epsilon;
        }

        NumericAssert.Close(expected, cross, rtol: 0, atol: 1e-8 * (2 / epsilon), what: "cross block of Γ⁻¹");

        // The value from the eigenvalue formula equals E‖x − y‖² + ε · ½ log(det Σ₀ det Σ₁ / det Γ).
        var logDets = DenseLinearAlgebra.LogDeterminant(source.Covariance, d) + DenseLinearAlgebra.LogDeterminant(target.Covariance, d) - DenseLinearAlgebra.LogDeterminant(gamma, n);
        NumericAssert.Close(coupling.TransportCost + (epsilon * 0.5 * logDets), GaussianTransport.EntropicCost(source, target, epsilon), rtol: 1e-10);
        NumericAssert.Close(coupling.Cost, GaussianTransport.EntropicCost(source, target, epsilon), rtol: 1e-12);
    }

    [Fact]
    public void EntropicCost_OneDimensional_MatchesLibrarySinkhornOnGrid()
    {
        // Independent oracle: the library's log-domain Sinkhorn (KL(P ‖ a⊗b) regularizer, the closed form's
        // convention) on a fine grid discretization of N(0.3, 1) and N(−0.5, 4), ε = 1.28.
        const double epsilon = 1.28;
        const int n = 481;
        var grid = Enumerable.Range(0, n).Select(i => -12 + (24.0 * i / (n - 1))).ToArray();
        var a = grid.Select(x => Math.Exp(-0.5 * (x - 0.3) * (x - 0.3))).ToArray();
        var b = grid.Select(x => Math.Exp(-0.5 * (x + 0.5) * (x + 0.5) / 4)).ToArray();
        var sa = a.Sum();
        var sb = b.Sum();
        for (var i = 0; i < n; i++)
        {
            a[i] /= sa;
            b[i] /= sb;
        }

        var points = new PointCloud<double>(grid, n, 1);
        var geometry = new PointCloudGeometry<double>(points, points, new SquaredEuclidean<double>());
        var solver = new Sinkhorn { Epsilon = epsilon, Threshold = 1e-11, MaxIterations = 20_000 };
        var output = solver.Solve(new LinearProblem<double>(geometry, a, b));

        Assert.True(output.Converged, $"Sinkhorn did not converge: {output.Convergence.Status}");
        Assert.True(output.SourceMarginalError < 1e-9 && output.TargetMarginalError < 1e-9);

        // RegularizedCost = ⟨C, P⟩ + ε·KL(P ‖ a⊗b) at the plan: the entropic cost of the discretized measures. Grid
        // spacing 0.05 makes a discretization error of order 1e-4 here.
        var closedForm = GaussianTransport.EntropicCost(OneD(0.3, 1), OneD(-0.5, 2), epsilon);
        NumericAssert.Close(closedForm, output.RegularizedCost, rtol: 1e-3);

        // The transport part alone matches the closed-form coupling's E‖X₀ − X₁‖² as well.
        NumericAssert.Close(GaussianTransport.Entropic(OneD(0.3, 1), OneD(-0.5, 2), epsilon).TransportCost, output.Cost, rtol: 1e-3);
    }

    [Fact]
    public void EntropicCost_DiagonalCovariances_SumsOneDimensionalValues()
    {
        const double epsilon = 0.4;
        double[] m0 = [1, -1, 0];
        double[] m1 = [0, 2, 0.5];
        double[] s0 = [1, 0.3, 2];
        double[] s1 = [0.5, 1.1, 2];
        var expected = 0.0;
        for (var k = 0; k < 3; k++)
        {
            expected += GaussianTransport.EntropicCost(OneD(m0[k], s0[k]), OneD(m1[k], s1[k]), epsilon);
        }

        var c0 = new double[9];
        var c1 = new double[9];
        for (var k = 0; k < 3; k++)
        {
            c0[k * 4] = s0[k] * s0[k];
            c1[k * 4] = s1[k] * s1[k];
        }

        NumericAssert.Close(expected, GaussianTransport.EntropicCost(new GaussianMeasure(m0, c0), new GaussianMeasure(m1, c1), epsilon), rtol: 1e-12);
    }

    [Fact]
    public void SinkhornDivergence_EqualAndLimit_ZeroAndWasserstein()
    {
        var random = Seeds.Create(760);
        var source = RandomGaussian(random, 3);
        var target = RandomGaussian(random, 3);
        Assert.True(Math.Abs(GaussianTransport.SinkhornDivergence(source, source, 0.5)) < 1e-12);
        NumericAssert.Close(GaussianTransport.WassersteinSquared(source, target), GaussianTransport.SinkhornDivergence(source, target, 1e-7), rtol: 1e-5);
        Assert.True(GaussianTransport.SinkhornDivergence(source, target, 1.0) > 0);
    }

    [Fact]
    public void SchrodingerBridge_Marginals_InterpolateAndSatisfyLyapunov()
    {
        var random = Seeds.Create(770);
        const int d = 3;
        var source = RandomGaussian(random, d);
        var target = RandomGaussian(random, d);
        var bridge = new GaussianSchrodingerBridge(source, target, 0.7);
        NumericAssert.Close(source.Covariance, bridge.MarginalCovariance(0), rtol: 0, atol: 1e-14, what: "Σ_0");
        NumericAssert.Close(target.Covariance, bridge.MarginalCovariance(1), rtol: 0, atol: 1e-14, what: "Σ_1");
        NumericAssert.Close(target.Mean, bridge.MarginalMean(1), rtol: 0, atol: 1e-15, what: "μ_1");
        const double h = 1e-5;
        foreach (var t in new[] { 0.1, 0.5, 0.83 })
        {
            var plus = bridge.MarginalCovariance(t + h);
            var minus = bridge.MarginalCovariance(t - h);
            var derivative = plus.Zip(minus, (p, m) => (p - m) / (2 * h)).ToArray();
            var s = bridge.DriftGain(t);
            var rhs = new double[d * d];
            for (var i = 0; i < d; i++)
            {
                for (var j = 0; j < d; j++)
                {
                    rhs[(i * d) + j] = s[(i * d) + j] + s[(j * d) + i] + (i == j ? 0.49 : 0);
                }
            }

            NumericAssert.Close(derivative, rhs, rtol: 0, atol: 1e-7, what: $"dΣ_t/dt at t={t}");

            // The marginal at t is a valid Gaussian and the drift is affine with gain S_tᵀ Σ_t⁻¹.
            var drift = bridge.Drift(t);
            var gain = Mul(drift.Matrix, bridge.MarginalCovariance(t), d);
            NumericAssert.Close(DenseLinearAlgebra.Transpose(s, d), gain, rtol: 1e-9, atol: 1e-12, what: "drift gain");
        }
    }

    [Fact]
    public void SchrodingerBridge_Samples_MatchMarginalCovariance()
    {
        var random = Seeds.Create(780);
        const int d = 2;
        var source = RandomGaussian(random, d);
        var target = RandomGaussian(random, d);
        var bridge = new GaussianSchrodingerBridge(source, target, 0.6);
        const int count = 60_000;
        foreach (var t in new[] { 0.3, 1.0 })
        {
            var samples = bridge.SampleMarginal(t, count, Seeds.Default);
            var mean = samples.Mean();
            var cov = new double[d * d];
            for (var i = 0; i < count; i++)
            {
                var row = samples.Row(i);
                for (var p = 0; p < d; p++)
                {
                    for (var q = 0; q < d; q++)
                    {
                        cov[(p * d) + q] += (row[p] - mean[p]) * (row[q] - mean[q]) / (count - 1);
                    }
                }
            }

            // Standard error of a sample covariance entry is about √(2/n) ≈ 0.006 relative; 5 % leaves a wide margin.
            var expected = bridge.MarginalCovariance(t);
            var scale = expected.Max(Math.Abs);
            NumericAssert.Close(expected, cov, rtol: 0, atol: 0.05 * scale, what: $"sample Σ_t at t={t}");
            NumericAssert.Close(bridge.MarginalMean(t), mean, rtol: 0, atol: 0.05 * Math.Sqrt(scale), what: $"sample μ_t at t={t}");
        }

        // The coupling samples have cross covariance C.
        var (start, end) = bridge.SampleCoupling(count, Seeds.Default + 5);
        var m0 = start.Mean();
        var m1 = end.Mean();
        var cross = new double[d * d];
        for (var i = 0; i < count; i++)
        {
            for (var p = 0; p < d; p++)
            {
                for (var q = 0; q < d; q++)
                {
                    cross[(p * d) + q] += (start.Row(i)[p] - m0[p]) * (end.Row(i)[q] - m1[q]) / (count - 1);
                }
            }
        }

        var c = bridge.Coupling.CrossCovariance.ToArray();
        NumericAssert.Close(c, cross, rtol: 0, atol: 0.05 * c.Max(Math.Abs), what: "sample Cov(X₀, X₁)");
    }

    [Fact]
    public void GaussianMeasure_BadInput_ThrowsTypedException()
    {
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => new GaussianMeasure([], [])).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => new GaussianMeasure([0, 0], [1, 0, 0])).Problem);
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => new GaussianMeasure([double.NaN], [1])).Problem);
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => new GaussianMeasure([0], [double.PositiveInfinity])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new GaussianMeasure([0, 0], [1, 0.5, 0.2, 1])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new GaussianMeasure([0, 0], [1, 2, 2, 1])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new GaussianMeasure([0, 0], [1, 1, 1, 1])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new GaussianMeasure([0], [0])).Problem);

        var g2 = GaussianMeasure.Standard(2);
        var g3 = GaussianMeasure.Standard(3);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => GaussianTransport.WassersteinSquared(g2, g3)).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => GaussianTransport.MongeMap(g2, g3)).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => GaussianTransport.Entropic(g2, g3, 1)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => GaussianTransport.EntropicCost(g2, g2, 0)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => GaussianTransport.EntropicCost(g2, g2, double.NaN)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new GaussianSchrodingerBridge(g2, g2, -1)).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => new GaussianSchrodingerBridge(g2, g3, 1)).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new GaussianSchrodingerBridge(g2, g2, 1).MarginalCovariance(1.5)).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => GaussianTransport.MongeMap(g2, g2).Apply(new PointCloud<double>([1, 2, 3], 1, 3))).Problem);
    }
}
