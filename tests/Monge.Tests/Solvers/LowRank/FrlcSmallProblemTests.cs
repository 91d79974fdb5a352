using System.Buffers;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>
/// FRLC on the small weighted problem of the CLI's --normalize-weights test (20 × 25 points in 2-d, rank 3, seed 4).
/// At iteration 22 the Anderson-accelerated Q projection used to extrapolate the column log duals to v = [0, ∞, 1e156]
/// (an ill-conditioned history, so whether it happened depended on the SIMD width of the reductions): every row of Q
/// was zeroed, then g_Q and T, and the run ended Diverged with cost 0. Extrapolations that move a log dual far from
/// the plain Sinkhorn update are now rejected.
/// </summary>
public class FrlcSmallProblemTests
{
    /// <summary>The points and weights the CLI test writes to CSV (<see cref="WeightedClouds.Uniform2D"/>), normalised as
    /// the CLI's --normalize-weights does.</summary>
    private static PointCloud<double> Cloud(int n, int seed, double mass, double offset)
    {
        var (points, weights) = WeightedClouds.Uniform2D(n, seed, mass, offset);
        var cloud = new PointCloud<double>(points, n, 2, weights);
        return cloud.WithWeights(cloud.NormalizedWeights());
    }

    private static LinearProblem<double> Problem()
        => LinearProblem<double>.FromPointClouds(Cloud(20, 31, 633.6, 0), Cloud(25, 32, 706.4, 0.5));

    [Fact]
    public void Solve_SmallWeightedProblem_KeepsMassAndConverges()
    {
        var result = new Frlc { Rank = 3, Seed = 4 }.Solve(Problem());
        Assert.True(result.Convergence.Status != SolverStatus.Diverged, $"status {result.Convergence.Status} after {result.Convergence.Iterations} iterations, cost {result.Cost}, errors {result.SourceMarginalError} / {result.TargetMarginalError}");
        NumericAssert.Close(1.0, result.Coupling.ToDense().Sum(), rtol: 1e-6, what: "total mass");
        Assert.True(result.Cost > 0, $"cost {result.Cost}");
        Assert.True(result.SourceMarginalError < 1e-2, $"source error {result.SourceMarginalError}");
        Assert.True(result.TargetMarginalError < 1e-2, $"target error {result.TargetMarginalError}");
    }

    [Fact]
    public void Solve_Twice_WithDirtyArrayPoolBetween_IsBitIdentical()
    {
        // Same inputs and seed: the same bits, whatever ran before (NaN-filled pooled buffers) and on whichever thread.
        var solver = new Frlc { Rank = 3, Seed = 4 };
        var first = solver.Solve(Problem());
        for (var k = 1; k <= 1 << 16; k <<= 1)
        {
            var buffer = ArrayPool<double>.Shared.Rent(k);
            Array.Fill(buffer, double.NaN);
            ArrayPool<double>.Shared.Return(buffer);
        }

        FrlcResult? second = null;
        var t = new Thread(() => second = solver.Solve(Problem()));
        t.Start();
        t.Join();
        Assert.NotNull(second);
        Assert.Equal(first.Convergence.Iterations, second.Convergence.Iterations);
        Assert.Equal(first.Convergence.Status, second.Convergence.Status);
        Assert.Equal(first.Cost, second.Cost);
        Assert.Equal(first.Q.ToArray(), second.Q.ToArray());
        Assert.Equal(first.R.ToArray(), second.R.ToArray());
        Assert.Equal(first.T.ToArray(), second.T.ToArray());
        Assert.Equal(first.ObjectiveTrace.ToArray(), second.ObjectiveTrace.ToArray());
    }
}
