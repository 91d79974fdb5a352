using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Problems;

/// <summary>Weights are used as given (issue #12 item 2): never silently rescaled, unequal masses refused when balanced.</summary>
public class LinearProblemMassTests
{
    private static PointCloud<double> Cloud(int n, int seed, double mass)
    {
        var rng = Seeds.Create(seed);
        var data = new double[n * 2];
        for (var k = 0; k < data.Length; k++)
        {
            data[k] = rng.NextDouble();
        }

        var w = new double[n];
        for (var i = 0; i < n; i++)
        {
            w[i] = 0.5 + rng.NextDouble();
        }

        var total = w.Sum();
        for (var i = 0; i < n; i++)
        {
            w[i] *= mass / total;
        }

        return new PointCloud<double>(data, n, 2, w);
    }

    [Fact]
    public void FromPointClouds_WeightedClouds_KeepsTheWeightsAsGiven()
    {
        var x = Cloud(7, 1, 633.6);
        var y = Cloud(9, 2, 706.4);
        var problem = LinearProblem<double>.FromPointClouds(x, y, relaxation: Relaxation.FromTau(0.9, 0.9));
        Assert.Equal(x.Weights.ToArray(), problem.A.ToArray());
        Assert.Equal(y.Weights.ToArray(), problem.B.ToArray());
        NumericAssert.Close(633.6, problem.MassA, rtol: 1e-12);
        NumericAssert.Close(706.4, problem.MassB, rtol: 1e-12);
    }

    [Fact]
    public void FromPointClouds_UnweightedClouds_AreUniformOneOverN()
    {
        var x = Cloud(7, 3, 1).WithWeights(null);
        var problem = LinearProblem<double>.FromPointClouds(x, x);
        Assert.All(problem.A.ToArray(), w => Assert.Equal(1.0 / 7, w));
    }

    public static TheoryData<string> Solvers() => ["sinkhorn", "network-simplex", "frlc", "lowrank-sinkhorn"];

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Solve_BalancedWithUnequalMasses_ThrowsMassMismatch(string solver)
    {
        var x = Cloud(12, 4, 633.6);
        var y = Cloud(10, 5, 706.4);
        Action solve = solver switch
        {
            "sinkhorn" => () => new Sinkhorn { Epsilon = 0.1 }.Solve(LinearProblem<double>.FromPointClouds(x, y)),
            "network-simplex" => () => new NetworkSimplex().Solve(x, y),
            "frlc" => () => new Frlc { Rank = 2 }.Solve(x, y),
            _ => () => new LowRankSinkhorn { Rank = 2 }.Solve(x, y),
        };
        var ex = Assert.Throws<InputValidationException>(solve);
        Assert.Equal(InputProblem.MassMismatch, ex.Problem);
    }

    [Fact]
    public void NetworkSimplex_NormalizeMasses_SolvesTheNormalizedProblem()
    {
        // Oracle: the same solver on weights divided by their sums beforehand (scale invariance of the exact LP).
        var x = Cloud(12, 6, 633.6);
        var y = Cloud(10, 7, 706.4);
        var normalized = new NetworkSimplex { NormalizeMasses = true }.Solve(x, y);
        var byHand = new NetworkSimplex().Solve(x.WithWeights([.. x.Weights.ToArray().Select(w => w / 633.6)]), y.WithWeights([.. y.Weights.ToArray().Select(w => w / 706.4)]));
        NumericAssert.Close(byHand.Cost, normalized.Cost, rtol: 1e-9);
    }
}
