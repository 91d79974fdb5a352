using Monge.Geometry;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Tests.Solvers.Exact;

public class OneDimensionalTests
{
    [Theory]
    [InlineData("exact_w1d_random")]
    [InlineData("exact_w1d_ties")]
    public void CostPower_PotFixture_MatchesWasserstein1d(string name)
    {
        var fixture = Fixtures.Load(name);
        var u = fixture.Doubles("u");
        var v = fixture.Doubles("v");
        var ps = fixture.Doubles("p");
        var weighted = fixture.Doubles("weighted");
        var uniform = fixture.Doubles("uniform");
        for (var k = 0; k < ps.Length; k++)
        {
            NumericAssert.Close(weighted[k], OneDimensional.CostPower(u, v, fixture.Doubles("u_weights"), fixture.Doubles("v_weights"), ps[k]), rtol: 1e-12, atol: 1e-15, what: $"{name} weighted p={ps[k]}");
            NumericAssert.Close(uniform[k], OneDimensional.CostPower(u, v, [], [], ps[k]), rtol: 1e-12, atol: 1e-15, what: $"{name} uniform p={ps[k]}");
        }
    }

    [Fact]
    public void CostPower_RandomWeighted_MatchesNetworkSimplex()
    {
        var random = Seeds.Create(601);
        for (var trial = 0; trial < 20; trial++)
        {
            var n = 1 + random.Next(15);
            var m = 1 + random.Next(15);
            var u = Enumerable.Range(0, n).Select(_ => random.Next(6) + (trial % 2 * random.NextDouble())).ToArray();
            var v = Enumerable.Range(0, m).Select(_ => (random.NextDouble() * 5) - 1).ToArray();
            var a = Generators.RandomWeights(random, n);
            var b = Generators.RandomWeights(random, m);
            var p = 1 + (trial % 3 * 0.75);
            var cost = new double[n * m];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < m; j++)
                {
                    cost[(i * m) + j] = Math.Pow(Math.Abs(u[i] - v[j]), p);
                }
            }

            var exact = new NetworkSimplex().Solve(cost, a, b).Cost;
            NumericAssert.Close(exact, OneDimensional.CostPower(u, v, a, b, p), rtol: 1e-9, atol: 1e-12, what: $"trial {trial}");

            var (rows, cols, mass) = OneDimensional.Plan(u, v, a, b);
            Assert.True(rows.Length <= n + m - 1);
            var rowSums = new double[n];
            var colSums = new double[m];
            var planCost = 0.0;
            for (var k = 0; k < rows.Length; k++)
            {
                rowSums[rows[k]] += mass[k];
                colSums[cols[k]] += mass[k];
                planCost += mass[k] * cost[(rows[k] * m) + cols[k]];
            }

            NumericAssert.Close(a, rowSums, atol: 1e-12);
            NumericAssert.Close(b, colSums, atol: 1e-12);
            NumericAssert.Close(exact, planCost, rtol: 1e-9, atol: 1e-12);
        }
    }

    [Fact]
    public void Distance_TwoDiracs_IsTheGap()
    {
        NumericAssert.Close(2.5, OneDimensional.Distance([1.0], [3.5], [], [], 1));
        NumericAssert.Close(2.5, OneDimensional.Distance([1.0], [3.5], [], [], 3));
    }

    [Fact]
    public void MonotoneMap_MatchesLinearAssignment()
    {
        var random = Seeds.Create(602);
        var u = Enumerable.Range(0, 50).Select(_ => random.NextDouble()).ToArray();
        var v = Enumerable.Range(0, 50).Select(_ => random.NextDouble() * 3).ToArray();
        var map = OneDimensional.MonotoneMap(u, v);
        var x = new PointCloud<double>(u, 50, 1);
        var y = new PointCloud<double>(v, 50, 1);
        var lap = new LinearAssignment().Solve(x, y);
        Assert.Equal(lap.RowToColumn, map);
    }

    [Fact]
    public void SlicedWasserstein_OneDimension_EqualsExactDistance()
    {
        var random = Seeds.Create(603);
        var x = Generators.UniformCloud(random, 30, 1);
        var y = Generators.UniformCloud(random, 45, 1);
        var exact = OneDimensional.Distance(x.Data, y.Data, [], [], 2);
        NumericAssert.Close(exact, OneDimensional.SlicedWasserstein(x, y, projections: 7, p: 2, seed: 3), rtol: 1e-12);
    }

    [Fact]
    public void SlicedWasserstein_Translation_SeededAndBoundedByW2()
    {
        // For a translation by t, every projection moves by θ·t, so SW₂² = E(θ·t)² = |t|²/d exactly in expectation.
        var random = Seeds.Create(604);
        var x = Generators.UniformCloud(random, 200, 3);
        var shifted = x.Data.ToArray();
        for (var i = 0; i < 200; i++)
        {
            shifted[(i * 3) + 0] += 1.0;
        }

        var y = new PointCloud<double>(shifted, 200, 3);
        var sw = OneDimensional.SlicedWasserstein(x, y, projections: 2000, p: 2, seed: 11);
        Assert.Equal(sw, OneDimensional.SlicedWasserstein(x, y, projections: 2000, p: 2, seed: 11));
        NumericAssert.Close(Math.Sqrt(1.0 / 3), sw, rtol: 0.05);
        Assert.True(sw <= 1.0 + 1e-12);
    }

    [Fact]
    public void CostPower_BadInput_Throws()
    {
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => OneDimensional.CostPower([1.0], [2.0], [], [], 0.5)).Problem);
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => OneDimensional.CostPower([], [2.0], [], [], 1)).Problem);
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => OneDimensional.CostPower([double.NaN], [2.0], [], [], 1)).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => OneDimensional.CostPower([1.0, 2.0], [2.0], [1.0], [], 1)).Problem);
    }
}
