using Monge.Numerics;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>
/// Finite-difference checks of the FRLC gradients (hiref_frlc.md §8.4): the objective
/// L(Q, R, T) = ⟨C, Q diag(1/Qᵀ1) T diag(1/Rᵀ1) Rᵀ⟩ is evaluated densely here, independently of the solver.
/// </summary>
public class FrlcGradientTests
{
    private const int N = 7;
    private const int M = 6;
    private const int R1 = 3;
    private const int R2 = 4;

    private static double Objective(double[] c, double[] q, double[] r, double[] t)
    {
        var gq = new double[R1];
        var gr = new double[R2];
        for (var i = 0; i < N; i++)
        {
            for (var k = 0; k < R1; k++)
            {
                gq[k] += q[(i * R1) + k];
            }
        }

        for (var j = 0; j < M; j++)
        {
            for (var l = 0; l < R2; l++)
            {
                gr[l] += r[(j * R2) + l];
            }
        }

        var total = 0.0;
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                var p = 0.0;
                for (var k = 0; k < R1; k++)
                {
                    for (var l = 0; l < R2; l++)
                    {
                        p += q[(i * R1) + k] / gq[k] * t[(k * R2) + l] / gr[l] * r[(j * R2) + l];
                    }
                }

                total += c[(i * M) + j] * p;
            }
        }

        return total;
    }

    private static double[] Random(int count, Random rng) => Enumerable.Range(0, count).Select(_ => 0.1 + rng.NextDouble()).ToArray();

    [Fact]
    public void Gradients_IncludingRankOneTerms_MatchCentralDifferences()
    {
        var rng = Seeds.Create(11);
        var c = Random(N * M, rng);
        var q = Random(N * R1, rng);
        var r = Random(M * R2, rng);
        var t = Random(R1 * R2, rng);
        var gq = DenseLinearAlgebra.ColumnSums(q, N, R1);
        var gr = DenseLinearAlgebra.ColumnSums(r, M, R2);
        var lambda = new double[R1 * R2];
        Frlc.Latent(t, gq, gr, lambda);

        var objective = new WassersteinObjective(new DenseCostProducts(c, N, M));
        objective.OnTargetFactorChanged(r, M, R2);
        objective.OnSourceFactorChanged(q, N, R1);
        var gradQ = new double[N * R1];
        var gradR = new double[M * R2];
        var gradLatent = new double[R1 * R2];
        objective.GradientSource(q, lambda, N, R1, R2, gradQ);
        objective.GradientTarget(q, lambda, M, R1, R2, gradR);
        objective.GradientLatent(q, N, R1, R2, gradLatent);
        Frlc.RankOneCorrection(gradQ, q, gq, N, R1);
        Frlc.RankOneCorrection(gradR, r, gr, M, R2);
        var gradT = new double[R1 * R2];
        Frlc.Latent(gradLatent, gq, gr, gradT);

        NumericAssert.Close(Objective(c, q, r, t), objective.Value(gradLatent, lambda), rtol: 1e-13, what: "objective value");
        NumericAssert.Close(FiniteDifference(x => Objective(c, x, r, t), q), gradQ, rtol: 1e-6, atol: 1e-9, what: "∇Q");
        NumericAssert.Close(FiniteDifference(x => Objective(c, q, x, t), r), gradR, rtol: 1e-6, atol: 1e-9, what: "∇R");
        NumericAssert.Close(FiniteDifference(x => Objective(c, q, r, x), t), gradT, rtol: 1e-6, atol: 1e-9, what: "∇T");
    }

    [Fact]
    public void Gradient_WithoutRankOneTerm_DiffersFromTheTrueGradient()
    {
        // Guards the test above: the rank-one term is not negligible on this instance.
        var rng = Seeds.Create(12);
        var c = Random(N * M, rng);
        var q = Random(N * R1, rng);
        var r = Random(M * R2, rng);
        var t = Random(R1 * R2, rng);
        var gq = DenseLinearAlgebra.ColumnSums(q, N, R1);
        var gr = DenseLinearAlgebra.ColumnSums(r, M, R2);
        var lambda = new double[R1 * R2];
        Frlc.Latent(t, gq, gr, lambda);
        var objective = new WassersteinObjective(new DenseCostProducts(c, N, M));
        objective.OnTargetFactorChanged(r, M, R2);
        var gradQ = new double[N * R1];
        objective.GradientSource(q, lambda, N, R1, R2, gradQ);
        var fd = FiniteDifference(x => Objective(c, x, r, t), q);
        var worst = fd.Zip(gradQ, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst > 1e-3, $"worst difference {worst}");
    }

    private static double[] FiniteDifference(Func<double[], double> f, double[] x)
    {
        var grad = new double[x.Length];
        const double h = 1e-6;
        for (var k = 0; k < x.Length; k++)
        {
            var xp = (double[])x.Clone();
            var xm = (double[])x.Clone();
            xp[k] += h;
            xm[k] -= h;
            grad[k] = (f(xp) - f(xm)) / (2 * h);
        }

        return grad;
    }
}
