using Monge.Geometry.Costs;
using Monge.Testing;

namespace Monge.Tests.Geometry;

public sealed class ElasticCostTests
{
    public static TheoryData<string> Costs => ["elastic-l1:0.3", "elastic-stvs:0.4", "elastic-kovl:1:0.5", "elastic-kovl:2:0.7", "elastic-kovl:3:0.2", "elastic-l1:0"];

    private static IElasticCost Elastic(string name) => (IElasticCost)CostFunction.Parse<double>(name);

    private static double[] RandomVector(Random rng, int d, double scale)
    {
        var v = new double[d];
        for (var k = 0; k < d; k++)
        {
            v[k] = scale * ((2 * rng.NextDouble()) - 1);
        }

        return v;
    }

    /// <summary>
    /// Brute-force minimizer of a convex function on R^d (d ≤ 3): a grid of 21^d points around the best point, zoomed
    /// in by 4 each round. Independent of every closed form under test.
    /// </summary>
    private static double[] GridArgmin(Func<double[], double> f, double[] start, double radius)
    {
        var d = start.Length;
        var best = (double[])start.Clone();
        var bestValue = f(best);
        const int Half = 5;
        for (var round = 0; round < 14; round++)
        {
            var center = (double[])best.Clone();
            var step = radius / Half;
            var total = (int)Math.Pow((2 * Half) + 1, d);
            var p = new double[d];
            for (var idx = 0; idx < total; idx++)
            {
                var rest = idx;
                for (var k = 0; k < d; k++)
                {
                    p[k] = center[k] + ((rest % ((2 * Half) + 1)) - Half) * step;
                    rest /= (2 * Half) + 1;
                }

                var value = f(p);
                if (value < bestValue)
                {
                    bestValue = value;
                    best = (double[])p.Clone();
                }
            }

            radius /= 4;
        }

        return best;
    }

    [Theory]
    [InlineData("elastic-l1:0.1", "elastic-l1:0.1")]
    [InlineData(" Elastic-L1:0.25 ", "elastic-l1:0.25")]
    [InlineData("elastic-stvs:1", "elastic-stvs:1")]
    [InlineData("elastic-kovl:3", "elastic-kovl:3:1")]
    [InlineData("elastic-kovl:2:0.5", "elastic-kovl:2:0.5")]
    public void Parse_ElasticName_RoundTripsThroughName(string text, string canonical)
    {
        var cost = CostFunction.Parse<double>(text);
        Assert.Equal(canonical, cost.Name);
        Assert.Equal(canonical, CostFunction.Parse<float>(cost.Name).Name);
    }

    [Theory]
    [InlineData("elastic-l1")]
    [InlineData("elastic-l1:-1")]
    [InlineData("elastic-l1:nan")]
    [InlineData("elastic-stvs:")]
    [InlineData("elastic-kovl:0")]
    [InlineData("elastic-kovl:1.5")]
    [InlineData("elastic-kovl:2:-0.1")]
    [InlineData("elastic-kovl:2:1:3")]
    [InlineData("elastic-huber:1")]
    public void Parse_BadElasticName_Throws(string text)
    {
        var error = Assert.Throws<InputValidationException>(() => CostFunction.Parse<double>(text));
        Assert.Equal(InputProblem.InvalidParameter, error.Problem);
    }

    [Theory]
    [MemberData(nameof(Costs))]
    public void Evaluate_FloatAndDouble_EqualHOfTheDifference(string name)
    {
        var rng = Seeds.Create(1);
        var cost = CostFunction.Parse<double>(name);
        var costF = CostFunction.Parse<float>(name);
        for (var t = 0; t < 20; t++)
        {
            var x = RandomVector(rng, 5, 2);
            var y = RandomVector(rng, 5, 2);
            var z = x.Zip(y, (a, b) => a - b).ToArray();
            NumericAssert.Close(Elastic(name).H(z), cost.Evaluate(x, y), 1e-13);
            NumericAssert.Close(cost.Evaluate(x, y), costF.Evaluate(Array.ConvertAll(x, v => (float)v), Array.ConvertAll(y, v => (float)v)), 1e-5);
        }
    }

    [Fact]
    public void Regularizers_SpecialCases_MatchClosedForms()
    {
        double[] z = [3, -1, 0.5, 0, -2];
        var l1 = z.Sum(Math.Abs);
        var l2 = z.Sum(v => v * v);
        Assert.Equal(l1, new ElasticL1<double>(0.3).Regularizer(z), 12);

        // The k-overlap norm interpolates ℓ1 (k = 1) and ℓ2 (k ≥ d).
        Assert.Equal(0.5 * l1 * l1, new ElasticKOverlap<double>(1, 1).Regularizer(z), 12);
        Assert.Equal(0.5 * l2, new ElasticKOverlap<double>(5, 1).Regularizer(z), 12);
        Assert.Equal(0.5 * l2, new ElasticKOverlap<double>(9, 1).Regularizer(z), 12);

        // k = 2 on |z| sorted (3, 2, 1, 0.5, 0): r = 0 needs z_1 = 3 > tail 3.5, false; r = 1: (3+2+1+0.5)/2 = 3.25 ≥ 3: so (6.5)²/2.
        Assert.Equal(0.5 * 6.5 * 6.5 / 2, new ElasticKOverlap<double>(2, 1).Regularizer(z), 12);

        // STVS: near 0 it behaves as λ|z|, far away as λ² log|z| (vanishing shrinkage).
        var stvs = new ElasticStvs<double>(0.5);
        Assert.Equal(0.5 * 1e-6, 0.5 * stvs.Regularizer([1e-6]), 9);
        Assert.Equal(0, stvs.Regularizer([0]), 15);
    }

    [Theory]
    [MemberData(nameof(Costs))]
    public void Prox_RandomVectors_MatchesBruteForceMinimization(string name)
    {
        var cost = Elastic(name);
        var rng = Seeds.Create(2);
        for (var t = 0; t < 4; t++)
        {
            var v = RandomVector(rng, 3, 2);
            var prox = new double[3];
            cost.Prox(v, prox);
            double Objective(double[] q)
            {
                var s = 0.0;
                for (var k = 0; k < q.Length; k++)
                {
                    s += 0.5 * (q[k] - v[k]) * (q[k] - v[k]);
                }

                return s + (cost.Lambda * cost.Regularizer(q));
            }

            var brute = GridArgmin(Objective, v, 4);
            NumericAssert.Close(brute, prox, 0, 1e-7, $"{name} prox at [{string.Join(", ", v)}]");
            Assert.True(Objective(prox) <= Objective(brute) + 1e-12, $"{name}: the prox value exceeds the brute-force minimum");
        }
    }

    [Theory]
    [MemberData(nameof(Costs))]
    public void HConjugate_RandomVectors_MatchesNumericSupremum(string name)
    {
        var cost = Elastic(name);
        var rng = Seeds.Create(3);
        for (var t = 0; t < 4; t++)
        {
            var z = RandomVector(rng, 3, 3);
            var brute = GridArgmin(q => cost.H(q) - q.Zip(z, (a, b) => a * b).Sum(), z, 6);
            var sup = brute.Zip(z, (a, b) => a * b).Sum() - cost.H(brute);
            NumericAssert.Close(sup, cost.HConjugate(z), 1e-9, 1e-12, $"{name} h* at [{string.Join(", ", z)}]");
        }
    }

    [Theory]
    [MemberData(nameof(Costs))]
    public void Gradients_RandomVectors_MatchFiniteDifferences(string name)
    {
        var cost = Elastic(name);
        var rng = Seeds.Create(4);
        const int D = 5;
        const double Step = 1e-6;
        for (var t = 0; t < 10; t++)
        {
            // Distinct magnitudes away from 0 and from the prox thresholds keep h and h* smooth at the point.
            var z = RandomVector(rng, D, 3);
            var gradH = new double[D];
            var gradHStar = new double[D];
            cost.GradientH(z, gradH);
            cost.GradientHConjugate(z, gradHStar);
            var fdH = new double[D];
            var fdHStar = new double[D];
            for (var k = 0; k < D; k++)
            {
                var up = (double[])z.Clone();
                var down = (double[])z.Clone();
                up[k] += Step;
                down[k] -= Step;
                fdH[k] = (cost.H(up) - cost.H(down)) / (2 * Step);
                fdHStar[k] = (cost.HConjugate(up) - cost.HConjugate(down)) / (2 * Step);
            }

            NumericAssert.Close(fdH, gradH, 1e-6, 1e-7, $"{name} ∇h");
            NumericAssert.Close(fdHStar, gradHStar, 1e-6, 1e-7, $"{name} ∇h*");

            // ∇h* inverts ∇h.
            var back = new double[D];
            cost.GradientHConjugate(gradH, back);
            NumericAssert.Close(z, back, 1e-9, 1e-10, $"{name} ∇h*(∇h(z))");
        }
    }
}
