using Monge.Problems;
using Monge.Solvers.LowRank;
using Monge.Solvers.Quadratic;
using Monge.Testing;

namespace Monge.Tests.Solvers.Quadratic;

/// <summary>
/// The factored fused-GW objective against its definition: the value Σ_ijkl (C₁_ik − C₂_jl)² P_ij P_kl (O(n²m²) brute
/// force) and central finite differences of it for ∂F/∂Q, ∂F/∂R and ∂F/∂Λ, with factored (point cloud) and dense costs,
/// symmetric and asymmetric, with and without a linear term.
/// </summary>
public class LowRankGromovObjectiveTests
{
    private const int N = 9;
    private const int M = 7;
    private const int R1 = 3;
    private const int R2 = 2;

    private static (double[] Q, double[] Lambda, double[] R) RandomFactors(int seed)
    {
        var rng = new Random(seed);
        double[] Fill(int count) => Enumerable.Range(0, count).Select(_ => 0.2 + rng.NextDouble()).ToArray();
        return (Fill(N * R1), Fill(R1 * R2), Fill(M * R2));
    }

    private static double[] Plan(double[] q, double[] lambda, double[] r)
    {
        var p = new double[N * M];
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < M; j++)
            {
                var s = 0.0;
                for (var k = 0; k < R1; k++)
                {
                    for (var l = 0; l < R2; l++)
                    {
                        s += q[(i * R1) + k] * lambda[(k * R2) + l] * r[(j * R2) + l];
                    }
                }

                p[(i * M) + j] = s;
            }
        }

        return p;
    }

    private static double Fused(double[] c1, double[] c2, double[]? lin, double alpha, double[] p)
    {
        var gw = LowRankGromovTestData.GwByDefinition(c1, c2, p, N, M);
        var l = lin is null ? 0 : lin.Zip(p, (c, v) => c * v).Sum();
        return ((1 - alpha) * l) + (alpha * gw);
    }

    private static double[] RandomMatrix(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, rows * cols).Select(_ => rng.NextDouble()).ToArray();
    }

    [Fact]
    public void Value_FactoredAndDenseCosts_EqualTheDefinition()
    {
        var x = LowRankGromovTestData.Random2D(N, 1);
        var y = LowRankGromovTestData.Random2D(M, 2, d: 3);
        var c1 = LowRankGromovTestData.SquaredDistances(x);
        var c2 = LowRankGromovTestData.SquaredDistances(y);
        var (q, lambda, r) = RandomFactors(3);
        var expected = LowRankGromovTestData.GwByDefinition(c1, c2, Plan(q, lambda, r), N, M);

        var factored = new LowRankGromovObjective(IntraCostOperator.FromGeometry(LowRankGromovTestData.Intra(x), 1, "x"), IntraCostOperator.FromGeometry(LowRankGromovTestData.Intra(y), 1, "y"), null, 1, R1, R2);
        Assert.True(IntraCostOperator.FromGeometry(LowRankGromovTestData.Intra(x), 1, "x").IsFactored);
        factored.Update(q, lambda, r);
        NumericAssert.Close(expected, factored.GwValue, rtol: 1e-10, what: "factored GW");

        var dense = new LowRankGromovObjective(IntraCostOperator.Dense(c1, N), IntraCostOperator.Dense(c2, M), null, 1, R1, R2);
        dense.Update(q, lambda, r);
        NumericAssert.Close(expected, dense.GwValue, rtol: 1e-10, what: "dense GW");
    }

    [Fact]
    public void Value_AgreesWithTheSharedGromovTensorOnTheLowRankPlan()
    {
        // Independent implementation: the GW layer's GromovTensor (Peyré's decomposition through geometry products).
        var x = LowRankGromovTestData.Random2D(N, 4);
        var y = LowRankGromovTestData.Random2D(M, 5, d: 3);
        var (q, lambda, r) = RandomFactors(6);
        var tensor = new GromovTensor<double>(LowRankGromovTestData.Intra(x), LowRankGromovTestData.Intra(y), GromovLoss.Square, symmetric: true);
        var expected = tensor.Value(new LowRankCoupling(q, lambda, r, N, M, R1, R2));
        var objective = new LowRankGromovObjective(IntraCostOperator.FromGeometry(LowRankGromovTestData.Intra(x), 1, "x"), IntraCostOperator.FromGeometry(LowRankGromovTestData.Intra(y), 1, "y"), null, 1, R1, R2);
        objective.Update(q, lambda, r);
        NumericAssert.Close(expected, objective.GwValue, rtol: 1e-9, what: "GW value");
    }

    [Theory]
    [InlineData(true, 1.0)]
    [InlineData(false, 1.0)]
    [InlineData(false, 0.3)]
    public void Gradients_MatchCentralDifferencesOfTheDefinition(bool symmetric, double alpha)
    {
        // Asymmetric costs exercise both terms C₁PC₂ᵀ and C₁ᵀPC₂ of the gradient.
        var c1 = RandomMatrix(N, N, 11);
        var c2 = RandomMatrix(M, M, 12);
        if (symmetric)
        {
            c1 = LowRankGromovTestData.SquaredDistances(LowRankGromovTestData.Random2D(N, 13));
            c2 = LowRankGromovTestData.SquaredDistances(LowRankGromovTestData.Random2D(M, 14));
        }

        var lin = alpha < 1 ? RandomMatrix(N, M, 15) : null;
        var linear = lin is null ? null : LowRankCost.Dense(lin, N, M).Products;
        var objective = new LowRankGromovObjective(IntraCostOperator.Dense(c1, N), IntraCostOperator.Dense(c2, M), linear, alpha, R1, R2);
        var (q, lambda, r) = RandomFactors(16);
        objective.Update(q, lambda, r);
        NumericAssert.Close(Fused(c1, c2, lin, alpha, Plan(q, lambda, r)), objective.Value, rtol: 1e-10, what: "value");

        var gq = new double[N * R1];
        var gr = new double[M * R2];
        var gl = new double[R1 * R2];
        objective.GradientSource(gq);
        objective.GradientTarget(gr);
        objective.GradientLatent(gl);
        const double h = 1e-6;
        double Diff(double[] v, int k)
        {
            var keep = v[k];
            v[k] = keep + h;
            var up = Fused(c1, c2, lin, alpha, Plan(q, lambda, r));
            v[k] = keep - h;
            var down = Fused(c1, c2, lin, alpha, Plan(q, lambda, r));
            v[k] = keep;
            return (up - down) / (2 * h);
        }

        NumericAssert.Close(Enumerable.Range(0, q.Length).Select(k => Diff(q, k)).ToArray(), gq, rtol: 1e-6, atol: 1e-7, what: "∂F/∂Q");
        NumericAssert.Close(Enumerable.Range(0, r.Length).Select(k => Diff(r, k)).ToArray(), gr, rtol: 1e-6, atol: 1e-7, what: "∂F/∂R");
        NumericAssert.Close(Enumerable.Range(0, lambda.Length).Select(k => Diff(lambda, k)).ToArray(), gl, rtol: 1e-6, atol: 1e-7, what: "∂F/∂Λ");
    }

    [Fact]
    public void SquaredProduct_Factored_EqualsDenseSquare()
    {
        // (C∘C)v through the k × k moment matrix equals the dense element-wise square, both orientations.
        var x = LowRankGromovTestData.Random2D(N, 21, d: 4);
        var op = IntraCostOperator.FromGeometry(LowRankGromovTestData.Intra(x), 1, "x");
        var c = LowRankGromovTestData.SquaredDistances(x);
        var v = RandomMatrix(N, 1, 22);
        var expected = Enumerable.Range(0, N).Select(i => Enumerable.Range(0, N).Sum(j => c[(i * N) + j] * c[(i * N) + j] * v[j])).ToArray();
        var got = new double[N];
        op.ApplySquared(v, got);
        NumericAssert.Close(expected, got, rtol: 1e-10, what: "(C∘C)v");
        op.ApplySquared(v, got, transpose: true);
        NumericAssert.Close(expected, got, rtol: 1e-10, what: "(C∘C)ᵀv");
    }
}
