using Monge.Geometry;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;

namespace Monge.Tests.Solvers.Entropic;

/// <summary>
/// Single-precision early iterations (<see cref="SingleSoftMin"/>): a double run on an online squared Euclidean cloud of
/// at least <see cref="Sinkhorn.SingleMinEntries"/> entries takes its soft-mins in float32 until the error nears the
/// threshold. Oracles: the marginals and the cost of the returned potentials recomputed here in double from the
/// points (plain exp, no solver code), the all-double run of the same problem, bit-identical reruns; the float phase
/// is off below the size, on stored costs and in float problems. Where the float SIMD kernel does not run
/// (<c>DOTNET_EnableAVX2=0</c>, <c>DOTNET_EnableHWIntrinsic=0</c>) the run is all double and the same asserts hold.
/// </summary>
public sealed class SingleEarlyIterationsTests
{
    private static (PointCloud<double> X, PointCloud<double> Y) Uniform2D(int n, int seed)
    {
        var rng = Seeds.Create(seed);
        var x = new PointCloud<double>([.. Enumerable.Range(0, n * 2).Select(_ => rng.NextDouble())], n, 2);
        var y = new PointCloud<double>([.. Enumerable.Range(0, n * 2).Select(_ => rng.NextDouble() + 0.2)], n, 2);
        return (x, y);
    }

    private static Sinkhorn Options => new()
    {
        Epsilon = 0.01,
        EpsilonRelativeTo = EpsilonReference.MeanCost,
        Threshold = 1e-6,
        Norm = MarginalNorm.L2,
        MaxIterations = 10_000,
    };

    [Fact]
    public void Solve_LargeOnlineCloud_MarginalsAndCostOfDoubleRun()
    {
        const int n = 1024; // n·m = 2²⁰ = SingleMinEntries
        var (x, y) = Uniform2D(n, 61);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var single = Options.Solve(problem);
        var all = (Options with { SingleEarlyIterations = false }).Solve(problem);
        Assert.True(single.Converged && all.Converged, $"{single.Convergence} / {all.Convergence}");
        Assert.Equal(0, all.SingleSoftMins);
        if (SquaredEuclideanSoftMin.IsSupported<float>())
        {
            Assert.True(single.SingleSoftMins > single.Convergence.Iterations, $"{single.SingleSoftMins} float32 soft-mins in {single.Convergence.Iterations} iterations");
        }
        else
        {
            Assert.Equal(0, single.SingleSoftMins);
        }

        // Independent check of the returned potentials (KL convention: P_ij = a_i b_j exp((f_i + g_j − C_ij)/ε)).
        var eps = single.Epsilon;
        var a = 1.0 / n;
        var rows = new double[n];
        var cols = new double[n];
        double cost = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var dx = x.Data[2 * i] - y.Data[2 * j];
                var dy = x.Data[(2 * i) + 1] - y.Data[(2 * j) + 1];
                var c = (dx * dx) + (dy * dy);
                var p = a * a * Math.Exp((single.F[i] + single.G[j] - c) / eps);
                rows[i] += p;
                cols[j] += p;
                cost += p * c;
            }
        }

        var rowError = Math.Sqrt(rows.Sum(r => (r - a) * (r - a)));
        var colError = Math.Sqrt(cols.Sum(s => (s - a) * (s - a)));
        Assert.True(rowError + colError <= 1.01e-6, $"marginal L2 errors {rowError:E2} (rows), {colError:E2} (columns)");
        NumericAssert.Close(cost, single.Cost, rtol: 1e-9, what: "⟨C, P⟩ recomputed");

        // Both runs stop within the threshold of the same entropic optimum: their costs agree far inside 1e-5.
        NumericAssert.Close(all.Cost, single.Cost, rtol: 1e-6, what: "cost vs the all-double run");
        Assert.InRange(single.Convergence.Iterations, all.Convergence.Iterations - 10, all.Convergence.Iterations + 10);

        // Deterministic: the float32 rows are independent of the thread split (all-double runs are covered elsewhere).
        if (single.SingleSoftMins > 0)
        {
            var again = Options.Solve(problem);
            Assert.Equal(single.F, again.F);
            Assert.Equal(single.G, again.G);
        }
    }

    [Fact]
    public void Solve_SmallStoredOrFloatProblems_NoFloatPhase()
    {
        var (x, y) = Uniform2D(300, 62);
        var small = Options.Solve(LinearProblem<double>.FromPointClouds(x, y));
        Assert.True(small.Converged, small.Convergence.ToString());
        Assert.Equal(0, small.SingleSoftMins);

        var (bx, by) = Uniform2D(1100, 63);
        var dense = (Options with { CostStorage = CostStorage.Dense, MaxIterations = 30 }).Solve(LinearProblem<double>.FromPointClouds(bx, by));
        Assert.Equal(0, dense.SingleSoftMins);

        var fx = new PointCloud<float>([.. bx.Data.ToArray().Select(v => (float)v)], bx.Count, 2);
        var fy = new PointCloud<float>([.. by.Data.ToArray().Select(v => (float)v)], by.Count, 2);
        var floats = (Options with { MaxIterations = 30 }).Solve(LinearProblem<float>.FromPointClouds(fx, fy));
        Assert.Equal(0, floats.SingleSoftMins);
    }
}
