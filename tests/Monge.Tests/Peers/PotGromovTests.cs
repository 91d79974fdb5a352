using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Quadratic;
using Monge.Testing;
using Xunit.Abstractions;

namespace Monge.Tests.Peers;

/// <summary>
/// Conditional-gradient GW/FGW against POT 0.8.2's <c>gromov_wasserstein</c> / <c>fused_gromov_wasserstein</c> on the
/// seeded problems of tools/fixtures/gromov.py (n = 20–200; square loss plain and fused, KL loss with POT's Armijo line
/// search). GW has local minima, so the oracle is statistical: Monge's value is at most POT's + 1e-3 (relative) on at
/// least 90% of the problems; the counts of better, equal and worse are written to the test output.
/// </summary>
public sealed class PotGromovTests(ITestOutputHelper output)
{
    [Fact]
    public void ConditionalGradient_PotFixtures_NoWorseOnNinetyPercent()
    {
        var names = Fixtures.Names("gromov_cg_");
        Assert.True(names.Count >= 20, $"expected the 23 gromov_cg fixtures, found {names.Count}");
        int better = 0, equal = 0, worse = 0;
        foreach (var name in names)
        {
            var f = Fixtures.Load(name);
            var problem = Build(f);
            var result = new GromovWasserstein().Solve(problem);
            var pot = f.Scalar("pot_value");
            Assert.True(result.Convergence.Converged, $"{name}: {result.Convergence.Status}");
            Assert.True(result.FwGap >= -1e-12 * Math.Max(1, Math.Abs(result.Cost)), $"{name}: negative gap {result.FwGap}");
            var relative = (result.Cost - pot) / Math.Abs(pot);
            if (relative < -1e-6)
            {
                better++;
            }
            else if (relative <= 1e-3)
            {
                equal++;
            }
            else
            {
                worse++;
            }

            output.WriteLine($"{name}: Monge {result.Cost:G10} ({result.Convergence.Iterations} it, gap {result.FwGap:E2}) POT {pot:G10} ({f.Scalar("pot_iterations")} it) relative {relative:+0.0e+0;-0.0e+0}");
        }

        output.WriteLine($"better {better}, equal (within 1e-3) {equal}, worse {worse} of {names.Count}");
        Assert.True(better + equal >= 0.9 * names.Count, $"Monge worse than POT + 1e-3 on {worse} of {names.Count} problems");
    }

    private static QuadraticProblem<double> Build(Fixture f)
    {
        var normalize = f.Scalar("normalize") != 0;
        var c1 = SquaredDistances(f.Array("x").ToPointCloud(), f.Array("x").ToPointCloud(), normalize);
        var c2 = SquaredDistances(f.Array("y").ToPointCloud(), f.Array("y").ToPointCloud(), normalize);
        var loss = f.Scalar("loss") == 0 ? GromovLoss.Square : GromovLoss.KullbackLeibler;
        var problem = new QuadraticProblem<double>(c1, c2, f.Doubles("a"), f.Doubles("b"), loss);
        return f.Has("fx")
            ? problem.WithLinear(SquaredDistances(f.Array("fx").ToPointCloud(), f.Array("fy").ToPointCloud(), normalize), f.Scalar("alpha"))
            : problem;
    }

    /// <summary>|x_i − y_j|² by coordinate differences (exact zeros on a diagonal), divided by the maximum when asked (as the script).</summary>
    private static DenseGeometry<double> SquaredDistances(PointCloud<double> x, PointCloud<double> y, bool normalize)
    {
        var c = new double[x.Count * y.Count];
        for (var i = 0; i < x.Count; i++)
        {
            for (var j = 0; j < y.Count; j++)
            {
                var s = 0.0;
                for (var k = 0; k < x.Dimension; k++)
                {
                    var d = x.Row(i)[k] - y.Row(j)[k];
                    s += d * d;
                }

                c[(i * y.Count) + j] = s;
            }
        }

        if (normalize)
        {
            var max = c.Max();
            for (var k = 0; k < c.Length; k++)
            {
                c[k] /= max;
            }
        }

        return new DenseGeometry<double>(c, x.Count, y.Count);
    }
}
