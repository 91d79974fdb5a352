using Monge.Geometry;
using Monge.Problems;
using Monge.Testing;
using Monge.Tools.Barycenters;
using Xunit.Abstractions;

namespace Monge.Tests.Tools.Barycenters;

/// <summary>
/// <see cref="FixedSupportBarycenter"/> against POT 0.8.2 (tools/fixtures/barycenter.py): ot.bregman.barycenter and
/// barycenter_debiased (log versions), ot.unbalanced.barycenter_unbalanced, convolutional_barycenter2d and its debiased
/// version. POT's reg is Monge's ε (both use the plain-entropy kernel exp(−M/reg)); POT's reg_m is ρ on both sides.
/// Both start from zero potentials and update in the same order, so Monge runs exactly as many iterations as POT did
/// (its log's niter + 1, threshold 0) and must return the same iterate: converged for nine fixtures, an unconverged
/// iterate for the three slow debiased ones (tools/fixtures/barycenter.py).
/// </summary>
public sealed class PotBarycenterFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in FixedSupportNames())
        {
            data.Add(name);
        }

        return data;
    }

    // The free-support, Gaussian and 1-D fixtures (tools/fixtures/barycenter_free.py) share the "barycenter_" prefix.
    private static IEnumerable<string> FixedSupportNames() =>
        Fixtures.Names("barycenter_").Where(n =>
            !n.StartsWith("barycenter_free_", StringComparison.Ordinal) &&
            !n.StartsWith("barycenter_gauss_", StringComparison.Ordinal) &&
            !n.StartsWith("barycenter_1d_", StringComparison.Ordinal));

    [Fact]
    public void Fixtures_EveryKind_IsPresent()
    {
        var kinds = FixedSupportNames().Select(n => (int)Fixtures.Load(n).Scalar("kind")).Distinct().Order().ToArray();
        Assert.Equal([0, 1, 2, 3, 4], kinds);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Solve_PotFixture_MatchesPotBarycenter(string name)
    {
        var fx = Fixtures.Load(name);
        var (geometry, histograms, expected) = Load(fx);
        var kind = (int)fx.Scalar("kind");
        var solver = Solver(fx);
        var result = solver.Solve(geometry, histograms, fx.Doubles("weights"));
        var actual = result.Barycenter.ToArray();
        var worst = 0.0;
        var worstAbsolute = 0.0;
        for (var j = 0; j < actual.Length; j++)
        {
            worst = Math.Max(worst, Math.Abs(actual[j] - expected[j]) / Math.Max(expected[j], 1e-300));
            worstAbsolute = Math.Max(worstAbsolute, Math.Abs(actual[j] - expected[j]));
        }

        output.WriteLine($"{name}: kind {kind}, N {actual.Length}, {result.Convergence.Status} after {result.Convergence.Iterations} it (POT {fx.Scalar("pot_iterations")}); max rel diff {worst:E2}, max abs diff / max {worstAbsolute / expected.Max():E2}, L1 {actual.Zip(expected, (a, b) => Math.Abs(a - b)).Sum():E2}");
        // Converged fixtures agree to 1e-9 of the max; the unconverged debiased trajectory at reg 2e-3 drifts by rounding (4e-9).
        var converged = fx.Scalar("pot_iterations") + 1 < fx.Scalar("max_iter");
        NumericAssert.Close(expected, actual, rtol: Tolerance(kind), atol: (converged ? 1e-9 : 1e-8) * expected.Max(), what: name);
    }

    internal static double Tolerance(int kind) => 1e-8;

    internal static FixedSupportBarycenter Solver(Fixture fx)
    {
        var kind = (int)fx.Scalar("kind");
        return new FixedSupportBarycenter
        {
            Epsilon = fx.Scalar("reg"),
            MaxIterations = (int)fx.Scalar("pot_iterations") + 1,
            Threshold = 0,
            Debiased = kind is 1 or 4,
            Relaxation = kind == 2 ? Relaxation.FromRho(fx.Scalar("reg_m"), fx.Scalar("reg_m")) : Relaxation.Balanced,
        };
    }

    internal static (CostGeometry<double> Geometry, double[][] Histograms, double[] Expected) Load(Fixture fx)
    {
        var kind = (int)fx.Scalar("kind");
        var a = fx.Array("A");
        var values = a.ToDoubleArray();
        var k = a.Shape[0];
        var n = values.Length / k;
        var histograms = Enumerable.Range(0, k).Select(s => values.AsSpan(s * n, n).ToArray()).ToArray();
        CostGeometry<double> geometry;
        if (kind >= 3)
        {
            geometry = GridGeometry<double>.UnitImage(a.Shape[1], a.Shape[2]);
        }
        else
        {
            var x = fx.Array("x");
            var points = x.ToDoubleArray();
            var d = x.Shape[1];
            var scale = fx.Scalar("m_scale");
            var cost = new double[n * n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    var s = 0.0;
                    for (var e = 0; e < d; e++)
                    {
                        var diff = points[(i * d) + e] - points[(j * d) + e];
                        s += diff * diff;
                    }

                    cost[(i * n) + j] = s / scale;
                }
            }

            geometry = new DenseGeometry<double>(cost, n, n);
        }

        return (geometry, histograms, fx.Doubles("bary"));
    }
}
