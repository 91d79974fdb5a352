using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;

namespace Monge.Tests.Solvers.Entropic;

/// <summary>
/// Kernel-domain iterations with log absorption (<see cref="KernelSoftMin"/>) against the log-domain soft-min and
/// Sinkhorn: the same soft-mins, the same converged potentials and costs (balanced, unbalanced, both conventions, zero
/// weights), the fallback at tiny ε, and bit-identical repeats.
/// </summary>
public class KernelSoftMinTests
{
    private static PointCloud<double> Cloud(int n, int d, int seed, double shift = 0, double[]? weights = null)
    {
        var rng = Seeds.Create(seed);
        return new PointCloud<double>(Enumerable.Range(0, n * d).Select(_ => shift + rng.NextDouble()).ToArray(), n, d, weights);
    }

    /// <summary>Random potentials each call (not Sinkhorn iterates): every call the kernel serves equals the log-domain
    /// soft-min; with large jumps (offset) or a small ε most calls are absorptions and the kernel may be dropped.</summary>
    [Theory]
    [InlineData(0.05, 0, false)]
    [InlineData(0.05, 400, true)]
    [InlineData(0.002, 0, true)]
    public void TrySoftMin_BothAxes_MatchesLogDomain(double epsilon, double offset, bool mayDrop)
    {
        var calls = 0;
        var geometry = new PointCloudGeometry<double>(Cloud(67, 3, 1), Cloud(53, 3, 2, 0.3));
        var kernel = new KernelSoftMin(geometry);
        var rng = Seeds.Create(3);
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
                    // Dropped after too many absorptions: from then on the caller uses the log domain.
                    Assert.True(kernel.Disabled);
                    Assert.True(mayDrop, $"dropped at round {round} {axis}");
                    Assert.True(kernel.Absorptions >= 3);
                    return;
                }

                NumericAssert.Close(expected, actual, rtol: 1e-12, atol: 1e-12 * (1 + Math.Abs(round * offset)), what: $"round {round} {axis}");
                calls++;
            }
        }

        Assert.False(kernel.Disabled);
        Assert.Equal(12, calls);
    }

    public static TheoryData<string> Problems => new() { "balanced", "unbalanced", "entropy", "zero-weights", "semi" };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Solve_KernelIterations_SameAnswerAsLogDomain(string kind)
    {
        double[]? wa = kind == "zero-weights" ? [.. Enumerable.Range(0, 150).Select(i => i % 7 == 0 ? 0.0 : 1.0)] : null;
        var x = Cloud(150, 2, 11, weights: wa);
        var y = Cloud(130, 2, 12, 0.4);
        var relaxation = kind switch
        {
            "unbalanced" => Relaxation.FromTau(0.9, 0.9),
            "semi" => Relaxation.FromTau(1, 0.8),
            _ => Relaxation.Balanced,
        };
        var problem = new LinearProblem<double>(new PointCloudGeometry<double>(x, y), x.NormalizedWeights(), y.NormalizedWeights(), relaxation);
        var solver = new Sinkhorn
        {
            Epsilon = 0.01,
            Threshold = 1e-10,
            MaxIterations = 20_000,
            Convention = kind == "entropy" ? EntropyConvention.Entropy : EntropyConvention.KullbackLeibler,
        };
        var kernel = solver.Solve(problem);
        var log = (solver with { KernelIterations = false }).Solve(problem);
        Assert.True(kernel.Converged && log.Converged);
        NumericAssert.Close(log.Cost, kernel.Cost, rtol: 1e-9);
        NumericAssert.Close(log.TransportedMass, kernel.TransportedMass, rtol: 1e-9);
        var fLog = log.F.Where((_, i) => wa is null || wa[i] > 0).ToArray();
        var fKernel = kernel.F.Where((_, i) => wa is null || wa[i] > 0).ToArray();
        NumericAssert.Close(fLog, fKernel, rtol: 1e-7, atol: 1e-9);
        NumericAssert.Close(log.G, kernel.G, rtol: 1e-7, atol: 1e-9);
    }

    [Fact]
    public void Solve_TinyEpsilon_FallsBackAndMatchesLogDomain()
    {
        // ε = 1e-4 on costs of order 1: the potentials move by hundreds of ε per iteration, so absorptions come at
        // nearly every call and the kernel is dropped; the answer is the log domain's.
        var problem = LinearProblem<double>.FromPointClouds(Cloud(40, 2, 21), Cloud(35, 2, 22, 0.5));
        var solver = new Sinkhorn { Epsilon = 1e-4, Threshold = 1e-8, MaxIterations = 50_000 };
        var kernel = solver.Solve(problem);
        var log = (solver with { KernelIterations = false }).Solve(problem);
        Assert.Equal(log.Convergence.Status, kernel.Convergence.Status);
        NumericAssert.Close(log.Cost, kernel.Cost, rtol: 1e-9);
    }

    [Fact]
    public void Solve_Repeated_BitIdentical()
    {
        var problem = LinearProblem<double>.FromPointClouds(Cloud(700, 2, 31), Cloud(650, 2, 32, 0.2));
        var solver = new Sinkhorn { Epsilon = 0.02, Threshold = 1e-9 };
        var first = solver.Solve(problem);
        var second = solver.Solve(problem);
        Assert.Equal(first.F, second.F);
        Assert.Equal(first.G, second.G);
    }
}
