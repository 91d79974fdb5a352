using Monge.Gaussian;
using Monge.Solvers;
using Monge.Testing;
using Monge.Tools.Barycenters;
using Xunit.Abstractions;

namespace Monge.Tests.Tools.Barycenters;

public sealed class GaussianBarycenterTests(ITestOutputHelper output)
{
    [Fact]
    public void Solve_ScipyFixedPointFixtures_SameMeanCovarianceAndObjective()
    {
        // An independent fixed point written with scipy.linalg.sqrtm (POT 0.8.2 has no Gaussian module).
        var names = Fixtures.Names("barycenter_gauss_s");
        Assert.True(names.Count >= 6);
        var worst = 0.0;
        foreach (var name in names)
        {
            var fx = Fixtures.Load(name);
            var lambdas = fx.Doubles("lambdas");
            var means = fx.Doubles("means");
            var covs = fx.Doubles("covs");
            var s = lambdas.Length;
            var d = means.Length / s;
            var measures = Enumerable.Range(0, s).Select(k => new GaussianMeasure(means.AsSpan(k * d, d), covs.AsSpan(k * d * d, d * d))).ToList();
            var result = new GaussianBarycenter().Solve(measures, lambdas);
            Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
            var expected = fx.Doubles("cov");
            NumericAssert.Close(fx.Doubles("mean"), result.Barycenter.Mean, rtol: 1e-12, atol: 1e-13, what: name);
            NumericAssert.Close(expected, result.Barycenter.Covariance, rtol: 1e-9, atol: 1e-11, what: name);
            NumericAssert.Close(fx.Scalar("objective"), result.Objective, rtol: 1e-9, what: name);
            Assert.True(result.Residual < 1e-12, $"{name}: residual {result.Residual}");
            for (var e = 0; e < expected.Length; e++)
            {
                worst = Math.Max(worst, Math.Abs(expected[e] - result.Barycenter.Covariance[e]) / Math.Max(1, Math.Abs(expected[e])));
            }

            output.WriteLine($"{name}: d {d}, S {s}: {result.Convergence.Iterations} iterations, residual {result.Residual:E1}");
        }

        output.WriteLine($"max |ΔS| / max(1, |S|) = {worst:E2}");
    }

    [Fact]
    public void Solve_CommutingCovariances_MatchesTheClosedForm()
    {
        // Diagonal covariances commute: S = (Σ w_s Σ_s^{1/2})². Started from I so that the fixed point iterates.
        double[][] diagonals = [[1, 4, 0.25], [9, 1, 2], [0.5, 0.5, 16]];
        double[] lambdas = [0.2, 0.5, 0.3];
        var measures = diagonals.Select((diag, k) => new GaussianMeasure([k, -k, 2.0 * k], Diagonal(diag))).ToList();
        var result = new GaussianBarycenter().Solve(measures, lambdas, Diagonal([1, 1, 1]));
        Assert.True(result.Converged);
        Assert.True(result.Convergence.Iterations > 1);
        var expected = new double[3];
        for (var c = 0; c < 3; c++)
        {
            var root = 0.0;
            for (var k = 0; k < 3; k++)
            {
                root += lambdas[k] * Math.Sqrt(diagonals[k][c]);
            }

            expected[c] = root * root;
        }

        NumericAssert.Close(Diagonal(expected), result.Barycenter.Covariance, rtol: 1e-11, atol: 1e-12);
        NumericAssert.Close([0.5 + 0.6, -1.1, 2 * 1.1], result.Barycenter.Mean, rtol: 1e-14);

        // In closed form the objective is Σ_s w_s (‖m − m_s‖² + Σ_c (√S_c − √Σ_s,c)²).
        var objective = 0.0;
        for (var k = 0; k < 3; k++)
        {
            var value = 0.0;
            for (var c = 0; c < 3; c++)
            {
                var gap = result.Barycenter.Mean[c] - measures[k].Mean[c];
                var root = Math.Sqrt(expected[c]) - Math.Sqrt(diagonals[k][c]);
                value += (gap * gap) + (root * root);
            }

            objective += lambdas[k] * value;
        }

        NumericAssert.Close(objective, result.Objective, rtol: 1e-10);
    }

    [Fact]
    public void Solve_OneInputAndPermutations_GiveTheInputAndTheSameBarycenter()
    {
        var random = Seeds.Create(41);
        var measures = Enumerable.Range(0, 3).Select(_ => RandomGaussian(random, 4)).ToList();
        var single = new GaussianBarycenter().Solve([measures[1]]);
        NumericAssert.Close(measures[1].Covariance, single.Barycenter.Covariance, rtol: 1e-12, atol: 1e-13);
        NumericAssert.Close(0, single.Objective, atol: 1e-11);
        double[] lambdas = [0.3, 0.3, 0.4];
        var first = new GaussianBarycenter().Solve(measures, lambdas);
        var second = new GaussianBarycenter().Solve([measures[2], measures[0], measures[1]], [0.4, 0.3, 0.3]);
        NumericAssert.Close(first.Barycenter.Covariance, second.Barycenter.Covariance, rtol: 1e-11, atol: 1e-12);
        NumericAssert.Close(first.Objective, second.Objective, rtol: 1e-11);

        // The barycenter minimizes the objective: every input scores no better.
        foreach (var m in measures)
        {
            var value = measures.Select((other, k) => lambdas[k] * GaussianTransport.WassersteinSquared(m, other)).Sum();
            Assert.True(value >= first.Objective, $"{value} < {first.Objective}");
        }
    }

    [Fact]
    public void Solve_BadInputs_Throw()
    {
        var solver = new GaussianBarycenter();
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => solver.Solve([])).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => solver.Solve([GaussianMeasure.Standard(2), GaussianMeasure.Standard(3)])).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => solver.Solve([GaussianMeasure.Standard(2)], [0.5, 0.5])).Problem);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => solver.Solve([GaussianMeasure.Standard(2)], null, [1, 0, 0, -1])).Problem);
    }

    private static double[] Diagonal(double[] values)
    {
        var d = values.Length;
        var m = new double[d * d];
        for (var c = 0; c < d; c++)
        {
            m[(c * d) + c] = values[c];
        }

        return m;
    }

    private static GaussianMeasure RandomGaussian(Random random, int d)
    {
        var a = Enumerable.Range(0, d * d).Select(_ => random.NextDouble() - 0.5).ToArray();
        var cov = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                for (var k = 0; k < d; k++)
                {
                    cov[(i * d) + j] += a[(i * d) + k] * a[(j * d) + k];
                }
            }

            cov[(i * d) + i] += 0.2;
        }

        return new GaussianMeasure(Enumerable.Range(0, d).Select(_ => random.NextDouble()).ToArray(), cov);
    }
}
