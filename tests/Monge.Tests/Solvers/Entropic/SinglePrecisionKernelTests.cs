using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;

namespace Monge.Tests.Solvers.Entropic;

/// <summary>
/// Kernel-domain Sinkhorn on stored costs with a double and a float32 kernel (<see cref="KernelSoftMin"/>), against
/// independent oracles: a brute-force dense Sinkhorn loop written here (plain exp, n = 7), the log-domain soft-min and
/// solve (1e-10 for the double kernel; for float32 the bound of rounding K to float, a relative 6e-8 per entry, i.e.
/// costs perturbed by at most 6e-8·ε), zero weights, and unbalanced masses used as given; plus the widening kernels
/// against scalar loops at every tail length.
/// </summary>
public sealed class SinglePrecisionKernelTests
{
    private static PointCloud<double> Cloud(int n, int d, int seed, double shift = 0, double[]? weights = null)
    {
        var rng = Seeds.Create(seed);
        return new PointCloud<double>([.. Enumerable.Range(0, n * d).Select(_ => shift + rng.NextDouble())], n, d, weights);
    }

    private static Sinkhorn Dense(bool single) => new()
    {
        Epsilon = 0.02,
        Threshold = 1e-12,
        MaxIterations = 50_000,
        CostStorage = CostStorage.Dense,
        SingleKernel = single,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Solve_TinyProblem_MatchesBruteForceDenseLoop(bool single)
    {
        // Oracle: textbook kernel-domain Sinkhorn u = a / (K v), v = b / (Kᵀ u) with K = exp(−C/ε), 20 000 sweeps.
        const int n = 7, m = 5;
        const double eps = 0.05;
        var x = Cloud(n, 2, 41);
        var y = Cloud(m, 2, 42, 0.3);
        var a = new double[] { 0.1, 0.2, 0.05, 0.15, 0.2, 0.1, 0.2 };
        var b = new double[] { 0.3, 0.1, 0.2, 0.25, 0.15 };
        var c = new double[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                double s = 0;
                for (var k = 0; k < 2; k++)
                {
                    var diff = x.Data[(i * 2) + k] - y.Data[(j * 2) + k];
                    s += diff * diff;
                }

                c[(i * m) + j] = s;
            }
        }

        var u = Enumerable.Repeat(1.0, n).ToArray();
        var v = Enumerable.Repeat(1.0, m).ToArray();
        for (var sweep = 0; sweep < 20_000; sweep++)
        {
            for (var i = 0; i < n; i++)
            {
                double s = 0;
                for (var j = 0; j < m; j++)
                {
                    s += Math.Exp(-c[(i * m) + j] / eps) * v[j];
                }

                u[i] = a[i] / s;
            }

            for (var j = 0; j < m; j++)
            {
                double s = 0;
                for (var i = 0; i < n; i++)
                {
                    s += Math.Exp(-c[(i * m) + j] / eps) * u[i];
                }

                v[j] = b[j] / s;
            }
        }

        double expected = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                expected += u[i] * Math.Exp(-c[(i * m) + j] / eps) * v[j] * c[(i * m) + j];
            }
        }

        var problem = new LinearProblem<double>(new PointCloudGeometry<double>(x, y), a, b);
        var result = (Dense(single) with { Epsilon = eps }).Solve(problem);
        Assert.True(result.Converged, result.Convergence.ToString());
        Assert.True(result.KernelMemoryBytes == (single ? 4L : 8L) * n * m, $"kernel bytes {result.KernelMemoryBytes}");
        NumericAssert.Close(expected, result.Cost, rtol: single ? 1e-6 : 1e-10, what: "⟨C, P⟩ vs brute force");
    }

    public static TheoryData<string> Problems => ["balanced", "unbalanced-masses", "zero-weights"];

    [Theory]
    [MemberData(nameof(Problems))]
    public void Solve_DoubleAndSingleKernel_AgreeWithLogDomain(string kind)
    {
        double[]? wa = kind == "zero-weights" ? [.. Enumerable.Range(0, 90).Select(i => i % 6 == 0 ? 0.0 : 1.0)] : null;
        var x = Cloud(90, 3, 51, weights: wa);
        var y = Cloud(70, 3, 52, 0.4);
        LinearProblem<double> problem;
        if (kind == "unbalanced-masses")
        {
            // Masses as given (3 and 2), relaxed on both sides: the plan's mass is set by the masses, not normalised.
            var a = Enumerable.Repeat(3.0 / 90, 90).ToArray();
            var b = Enumerable.Repeat(2.0 / 70, 70).ToArray();
            problem = new LinearProblem<double>(new PointCloudGeometry<double>(x, y), a, b, Relaxation.FromTau(0.9, 0.9));
        }
        else
        {
            problem = new LinearProblem<double>(new PointCloudGeometry<double>(x, y), x.NormalizedWeights(), y.NormalizedWeights());
        }

        var log = (Dense(false) with { KernelIterations = false }).Solve(problem);
        var kernel = Dense(false).Solve(problem);
        var single = Dense(true).Solve(problem);
        Assert.True(log.Converged && kernel.Converged && single.Converged, $"{log.Convergence} / {kernel.Convergence} / {single.Convergence}");
        Assert.Equal(0, log.KernelMemoryBytes);
        Assert.Equal(8L * 90 * 70, kernel.KernelMemoryBytes);
        Assert.Equal(4L * 90 * 70, single.KernelMemoryBytes);
        NumericAssert.Close(log.Cost, kernel.Cost, rtol: 1e-10, what: "double kernel cost");
        NumericAssert.Close(log.TransportedMass, kernel.TransportedMass, rtol: 1e-10, what: "double kernel mass");
        NumericAssert.Close(log.Cost, single.Cost, rtol: 1e-6, what: "float32 kernel cost");
        NumericAssert.Close(log.TransportedMass, single.TransportedMass, rtol: 1e-6, what: "float32 kernel mass");
        if (kind == "unbalanced-masses")
        {
            // The masses are used as given: the same problem with masses normalised to one transports other mass.
            var normalised = new LinearProblem<double>(problem.Geometry, [.. problem.A.ToArray().Select(v => v / 3)], [.. problem.B.ToArray().Select(v => v / 2)], problem.Relaxation);
            var other = Dense(true).Solve(normalised);
            Assert.True(Math.Abs(other.TransportedMass - single.TransportedMass) > 0.1, $"mass {single.TransportedMass} vs normalised {other.TransportedMass}");
        }

        // Potentials where the weights are positive: the float32 kernel moves them by at most about 6e-8·ε per entry.
        var eps = 0.02;
        var keep = Enumerable.Range(0, 90).Where(i => wa is null || wa[i] > 0).ToArray();
        NumericAssert.Close(keep.Select(i => log.F[i]).ToArray(), keep.Select(i => kernel.F[i]).ToArray(), rtol: 0, atol: 1e-9 * eps, what: "double f");
        NumericAssert.Close(keep.Select(i => log.F[i]).ToArray(), keep.Select(i => single.F[i]).ToArray(), rtol: 0, atol: 2e-5 * eps, what: "float32 f");
        NumericAssert.Close(log.G, single.G, rtol: 0, atol: 2e-5 * eps, what: "float32 g");
    }

    [Theory]
    [InlineData(0.05, 0, false)]
    [InlineData(0.05, 60, true)]
    [InlineData(0.01, 0, true)]
    public void TrySoftMin_SingleKernel_WithinFloatRoundingOfLogDomain(double epsilon, double offset, bool mayDrop)
    {
        // Random potentials each call, jumps of `offset` force absorptions. A float32 kernel entry is the double one times
        // (1 + δ), |δ| ≤ 2⁻²⁴, so a soft-min moves by at most ε·2⁻²⁴ plus the double rounding. Random potentials that
        // jump by 30ε (0.3 at ε = 0.01) every call leave the float kernel's narrower safe range each time: it is dropped.
        var geometry = new PointCloudGeometry<double>(Cloud(67, 3, 61), Cloud(53, 3, 62, 0.3));
        var kernel = new KernelSoftMin(geometry, single: true);
        var rng = Seeds.Create(63);
        for (var round = 0; round < 6; round++)
        {
            foreach (var axis in new[] { Axis.Rows, Axis.Columns })
            {
                var length = axis == Axis.Rows ? geometry.Cols : geometry.Rows;
                var h = Enumerable.Range(0, length).Select(_ => (round * offset) + (0.3 * rng.NextDouble())).ToArray();
                var logWeights = Enumerable.Range(0, length).Select(_ => Math.Log(0.5 + rng.NextDouble()) - Math.Log(length)).ToArray();
                var expected = new double[axis == Axis.Rows ? geometry.Rows : geometry.Cols];
                geometry.SoftMin(h, logWeights, epsilon, axis, expected);
                var actual = new double[expected.Length];
                if (!kernel.TrySoftMin(h, logWeights, epsilon, axis, actual))
                {
                    Assert.True(kernel.Disabled);
                    Assert.True(mayDrop, $"dropped at round {round} {axis}");
                    return;
                }

                NumericAssert.Close(expected, actual, rtol: 0, atol: (1e-7 * epsilon) + (1e-12 * (1 + (round * offset))), what: $"round {round} {axis}");
            }
        }

        Assert.True(kernel.Single);
        Assert.False(kernel.Disabled);
    }

    [Fact]
    public void WideningKernels_EveryTailLength_MatchScalarLoops()
    {
        var rng = Seeds.Create(71);
        foreach (var length in Enumerable.Range(0, 34).Append(257))
        {
            var x = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() - 0.3)).ToArray();
            var y = Enumerable.Range(0, length).Select(_ => rng.NextDouble() - 0.5).ToArray();
            double dot = 0;
            for (var k = 0; k < length; k++)
            {
                dot += (double)x[k] * y[k];
            }

            NumericAssert.Close(dot, WideningKernels.Dot(x, y), rtol: 1e-13, atol: 1e-14, what: $"dot, length {length}");
            var acc = (double[])y.Clone();
            WideningKernels.MultiplyAdd(x, 0.7, acc);
            NumericAssert.Close(y.Select((v, k) => v + (0.7 * x[k])).ToArray(), acc, rtol: 1e-15, atol: 1e-16, what: $"axpy, length {length}");
        }

        var narrowed = new float[4];
        WideningKernels.NarrowFlushSubnormal([1e-40, 2e-38, 0.5, 1e39], narrowed);
        Assert.Equal([0f, 2e-38f, 0.5f, float.PositiveInfinity], narrowed);
    }
}
