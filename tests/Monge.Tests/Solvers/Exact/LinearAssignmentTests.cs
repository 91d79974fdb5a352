using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Tests.Solvers.Exact;

public class LinearAssignmentTests
{
    public static TheoryData<string> LapFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var name in Fixtures.Names("exact_lap_"))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LapFixtures))]
    public void Solve_ScipyFixture_MatchesOptimumAndCertifies(string name)
    {
        var fixture = Fixtures.Load(name);
        var array = fixture.Array("cost");
        var n = array.Rows;
        var m = array.Columns;
        var cost = fixture.Doubles("cost");
        var result = LinearAssignment.Solve(cost, n, m);

        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        AssertValidAssignment(result, n, m);
        var optimum = fixture.Scalar("optimum");
        NumericAssert.Close(optimum, result.TotalCost, rtol: 1e-12, atol: 1e-12, what: name);
        NumericAssert.Close(optimum, Recompute(cost, m, result.RowToColumn), rtol: 1e-12, atol: 1e-12, what: name + " recomputed");
        AssertCertified(cost, n, m, result, 1e-9);

        // When SciPy's optimum is unique the assignments must agree.
        var expected = fixture.Ints("col_ind");
        if (IsUniqueOptimum(cost, n, m, expected))
        {
            Assert.Equal(expected, result.RowToColumn);
        }
    }

    [Theory]
    [MemberData(nameof(LapFixtures))]
    public void SolveFloat_ScipyFixture_MatchesOptimum(string name)
    {
        var fixture = Fixtures.Load(name);
        var array = fixture.Array("cost");
        var cost = fixture.Doubles("cost");
        var costF = cost.Select(c => (float)c).ToArray();
        var result = LinearAssignment.Solve(costF, array.Rows, array.Columns);
        AssertValidAssignment(result, array.Rows, array.Columns);

        // Optimal for the float-rounded costs: compare with brute force only through the certificate in float units.
        var rounded = costF.Select(c => (double)c).ToArray();
        AssertCertified(rounded, array.Rows, array.Columns, result, 1e-4 * (1 + rounded.Max(Math.Abs)));
        NumericAssert.Close(fixture.Scalar("optimum"), result.TotalCost, rtol: 1e-5, atol: 1e-4);
    }

    [Fact]
    public void Solve_SmallRandom_MatchesBruteForceOverPermutations()
    {
        var random = Seeds.Create(401);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = 1 + random.Next(7);
            var m = n + (trial % 3 == 0 ? random.Next(3) : 0);
            var kind = trial % AssignmentTestCosts.Kinds;
            var cost = new double[n * m];
            for (var k = 0; k < cost.Length; k++)
            {
                cost[k] = AssignmentTestCosts.Next(random, kind);
            }

            var result = LinearAssignment.Solve(cost, n, m);
            AssertValidAssignment(result, n, m);
            var brute = BruteForce(cost, n, m);
            NumericAssert.Close(brute, result.TotalCost, rtol: 1e-12, atol: 1e-9, what: $"trial {trial} ({n}×{m}, kind {kind})");
            AssertCertified(cost, n, m, result, 1e-6 * (1 + cost.Max(Math.Abs)));
        }
    }

    [Fact]
    public void Solve_MoreSourcesThanTargets_MatchesEveryTargetOnceAtTheBruteForceOptimum()
    {
        // n > m: the library matches every target to a distinct source (the transposed assignment) and leaves n − m
        // sources at −1. Oracle: enumeration of all injections targets → sources on the explicitly computed cost.
        var random = Seeds.Create(403);
        foreach (var (n, m) in new[] { (7, 4), (6, 5), (5, 1), (8, 3) })
        {
            foreach (var cost in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
            {
                var x = Generators.UniformCloud(random, n, 2);
                var y = Generators.UniformCloud(random, m, 2);
                var dense = new double[n * m];
                var transposed = new double[m * n];
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < m; j++)
                    {
                        var dx = x.Row(i)[0] - y.Row(j)[0];
                        var dy = x.Row(i)[1] - y.Row(j)[1];
                        var squared = (dx * dx) + (dy * dy);
                        dense[(i * m) + j] = cost is Euclidean<double> ? Math.Sqrt(squared) : squared;
                        transposed[(j * n) + i] = dense[(i * m) + j];
                    }
                }

                var what = $"{n}×{m} {cost.Name}";
                var result = new LinearAssignment().Solve(x, y, cost);
                Assert.Equal(n, result.RowToColumn.Length);
                Assert.Equal(m, result.ColumnToRow.Length);
                Assert.Equal(n - m, result.RowToColumn.Count(j => j < 0));
                var matched = 0.0;
                for (var j = 0; j < m; j++)
                {
                    var i = result.ColumnToRow[j];
                    Assert.True(i >= 0 && result.RowToColumn[i] == j, $"{what}: target {j} matched to {i}");
                    matched += dense[(i * m) + j];
                }

                NumericAssert.Close(BruteForce(transposed, m, n), result.TotalCost, rtol: 1e-12, atol: 1e-12, what: what);
                NumericAssert.Close(matched, result.TotalCost, rtol: 1e-12, atol: 1e-12, what: what + " total");
                NumericAssert.Close(result.TotalCost / m, result.Cost, rtol: 1e-14, what: what + " mean cost");

                // The plan: mass 1/m on each matched pair; unmatched sources carry nothing.
                var plan = result.ToDense();
                NumericAssert.Close(1.0, plan.Sum(), rtol: 1e-14, what: what + " plan mass");
                Assert.All(result.TargetMarginal, b => NumericAssert.Close(1.0 / m, b, rtol: 1e-14));
                for (var i = 0; i < n; i++)
                {
                    NumericAssert.Close(result.RowToColumn[i] >= 0 ? 1.0 / m : 0.0, result.SourceMarginal[i], rtol: 1e-14, what: what + $" row {i}");
                }

                // Dual certificate in the caller's orientation: reduced costs ≥ 0, zero on the matching.
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < m; j++)
                    {
                        var reduced = dense[(i * m) + j] - result.F[i] - result.G[j];
                        Assert.True(reduced >= -1e-12, $"{what}: reduced cost ({i}, {j}) = {reduced}");
                        if (result.RowToColumn[i] == j)
                        {
                            Assert.True(Math.Abs(reduced) <= 1e-12, $"{what}: slack on the matching ({i}, {j}) = {reduced}");
                        }
                    }
                }

                // The facade takes the same route.
                var match = Ot.Match(x, y, cost);
                Assert.Equal(result.RowToColumn, match.Permutation);
                NumericAssert.Close(result.Cost, match.Cost, rtol: 1e-14, what: what + " Ot.Match");
            }
        }
    }

    [Fact]
    public void Solve_PlantedPermutation_IsRecovered()
    {
        // Points y = x[π] (plus nothing): the identity-like matching π⁻¹ has cost 0 and is the unique optimum.
        var random = Seeds.Create(402);
        const int n = 300;
        var x = Generators.UniformCloud(random, n, 3);
        var perm = Enumerable.Range(0, n).OrderBy(_ => random.Next()).ToArray();
        var y = x.Subset(perm);
        var result = new LinearAssignment().Solve(x, y);
        for (var k = 0; k < n; k++)
        {
            Assert.Equal(k, result.RowToColumn[perm[k]]);
        }

        Assert.Equal(0.0, result.TotalCost);
    }

    [Theory]
    [InlineData(150, 150, 2)]
    [InlineData(97, 160, 3)]
    [InlineData(64, 64, 1)]
    public void Solve_PointCloudOnTheFly_MatchesDense(int n, int m, int d)
    {
        var random = Seeds.Create(403 + n);
        var x = Generators.UniformCloud(random, n, d);
        var y = Generators.UniformCloud(random, m, d);
        foreach (var groundCost in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
        {
            var dense = new double[n * m];
            LinearAssignment.FillCost(x.Data, y.Data, d, groundCost, dense);
            var stored = new LinearAssignment().Solve(x, y, groundCost);
            var onTheFly = new LinearAssignment { MaxDenseBytes = 0 }.Solve(x, y, groundCost);
            var fromMatrix = LinearAssignment.Solve(dense, n, m);
            NumericAssert.Close(fromMatrix.TotalCost, stored.TotalCost, rtol: 1e-12);
            NumericAssert.Close(fromMatrix.TotalCost, onTheFly.TotalCost, rtol: 1e-12);
            AssertCertified(dense, n, m, onTheFly, 1e-9);
            AssertCertified(dense, n, m, stored, 1e-9);
        }
    }

    [Theory]
    [InlineData(6, 6)]
    [InlineData(5, 7)]
    [InlineData(7, 5)]
    public void LowerBound_SolversPotentials_EqualTheBruteForceOptimum_AnyPotentialsStayBelowIt(int n, int m)
    {
        // 30-D points (where DualBound is loose); oracle: enumeration of every injection on the explicit cost. The
        // c-transform of any column potential is dual feasible, so perturbed potentials must still bound the optimum.
        const int d = 30;
        var random = Seeds.Create(2071 + (10 * n) + m);
        var x = Generators.UniformCloud(random, n, d);
        var y = Generators.UniformCloud(random, m, d);
        foreach (var cost in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
        {
            var dense = new double[n * m];
            LinearAssignment.FillCost(x.Data, y.Data, d, cost, dense);
            var transposed = new double[m * n];
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < m; j++)
                {
                    transposed[(j * n) + i] = dense[(i * m) + j];
                }
            }

            var optimum = n <= m ? BruteForce(dense, n, m) : BruteForce(transposed, m, n);
            var what = $"{n}×{m} {cost.Name}";
            foreach (var problem in new[] { LinearProblem<double>.FromPointClouds(x, y, cost), new LinearProblem<double>(new DenseGeometry<double>(dense, n, m)) })
            {
                var result = new LinearAssignment().Solve(problem);
                var bound = LinearAssignment.LowerBound(problem, result);
                NumericAssert.Close(optimum, bound, rtol: 1e-12, atol: 1e-12, what: what);
                for (var trial = 0; trial < 20; trial++)
                {
                    var noisy = result with
                    {
                        RowPotentials = result.RowPotentials.Select(u => u + random.NextDouble() - 0.5).ToArray(),
                        ColumnPotentials = result.ColumnPotentials.Select(v => v + random.NextDouble() - 0.5).ToArray(),
                    };
                    var perturbed = LinearAssignment.LowerBound(problem, noisy);
                    Assert.True(perturbed <= optimum + (1e-12 * optimum), $"{what} trial {trial}: bound {perturbed:R} above the optimum {optimum:R}");
                }
            }
        }
    }

    // Validity in exact arithmetic (stop 29): every cost is a multiple of u = 2⁻³⁰ below 2²¹, so each injection's total is
    // an integer count of u (exact in a long) and bound ≤ optimum is compared exactly (bound / u is an exact scaling).
    // Oracle: enumeration of every injection. Costs with many ties (integers, near ties below float32 resolution, mixed
    // magnitudes, a pool of three values; integer-grid point clouds), the solver's potentials (double and float route)
    // and the same nudged by a few ulps, which keeps the bound at the optimum up to rounding: where a computed minimum or
    // the sum rounds up, a bound without the allowance lands above the optimum.
    [Fact]
    public void LowerBound_TiesAndUlpNudges_NeverAboveTheExactOptimum()
    {
        var u = Math.ScaleB(1.0, -30);
        var random = Seeds.Create(2907);
        var tight = 0;
        for (var trial = 0; trial < 240; trial++)
        {
            var n = 2 + random.Next(5);
            var m = trial % 3 == 0 ? n + random.Next(2) : trial % 3 == 1 ? n : Math.Max(1, n - 1);
            var kind = trial % 5;
            LinearProblem<double> problem;
            var cost = new double[n * m];
            if (kind == 4)
            {
                var x = new PointCloud<double>(Enumerable.Range(0, 2 * n).Select(_ => (double)random.Next(4)).ToArray(), n, 2);
                var y = new PointCloud<double>(Enumerable.Range(0, 2 * m).Select(_ => (double)random.Next(4)).ToArray(), m, 2);
                LinearAssignment.FillCost(x.Data, y.Data, 2, new SquaredEuclidean<double>(), cost);
                problem = LinearProblem<double>.FromPointClouds(x, y, new SquaredEuclidean<double>());
            }
            else
            {
                var pool = new[] { random.Next(1 << 20) * u, random.Next(1 << 20) * u * 1024, random.Next(1 << 14) * u };
                for (var k = 0; k < cost.Length; k++)
                {
                    cost[k] = kind switch
                    {
                        0 => random.Next(3),
                        1 => 1024 + (random.Next(4) * u),
                        2 => random.Next(2) == 0 ? 1 << 19 : random.Next(1 << 10) * u,
                        _ => pool[random.Next(3)],
                    };
                }

                problem = new LinearProblem<double>(new DenseGeometry<double>(cost, n, m));
            }

            var optimum = ExactOptimum(cost, n, m, u);
            var what = $"trial {trial} ({n}×{m}, kind {kind})";
            foreach (var mixed in n == m ? new[] { false, true } : [false])
            {
                var result = mixed
                    ? LinearAssignment.Solve(cost, n, m, new LinearAssignmentWorkspace<double> { MixedPrecisionThreshold = 2 })
                    : new LinearAssignment().Solve(problem);
                for (var nudge = 0; nudge < 4; nudge++)
                {
                    var potentials = nudge == 0 ? result : result with
                    {
                        RowPotentials = result.RowPotentials.Select(p => Nudge(p, random)).ToArray(),
                        ColumnPotentials = result.ColumnPotentials.Select(p => Nudge(p, random)).ToArray(),
                    };
                    var bound = LinearAssignment.LowerBound(problem, potentials);
                    Assert.True(bound / u <= optimum, $"{what}, mixed {mixed}, nudge {nudge}: bound {bound:R} above the exact optimum {optimum * u:R}");
                    if (nudge == 0)
                    {
                        // Still tight: the solver's own potentials give the optimum less the allowance.
                        NumericAssert.Close(optimum * u, bound, rtol: 1e-12, atol: 1e-12 * (1 + cost.Max(Math.Abs)), what: what);
                        tight++;
                    }
                }
            }
        }

        Assert.True(tight > 240, $"only {tight} solves");
    }

    // The minimum over all injections of the smaller side of Σ cost / u, exactly (every cost a multiple of u, totals < 2⁶³).
    private static long ExactOptimum(double[] cost, int n, int m, double u)
    {
        var units = cost.Select(c => checked((long)(c / u))).ToArray();
        Assert.True(units.Zip(cost).All(p => p.First * u == p.Second), "a cost that is not a multiple of u");
        var best = long.MaxValue;
        if (n <= m)
        {
            Enumerate(n, m, sigma => best = Math.Min(best, Enumerable.Range(0, n).Sum(i => units[(i * m) + sigma[i]])));
        }
        else
        {
            Enumerate(m, n, sigma => best = Math.Min(best, Enumerable.Range(0, m).Sum(j => units[(sigma[j] * m) + j])));
        }

        return best;
    }

    // A value moved by 0–3 ulps either way.
    private static double Nudge(double value, Random random)
    {
        var steps = random.Next(-3, 4);
        for (; steps > 0; steps--)
        {
            value = double.BitIncrement(value);
        }

        for (; steps < 0; steps++)
        {
            value = double.BitDecrement(value);
        }

        return value;
    }

    [Fact]
    public void LowerBound_PotentialsOfTheWrongLength_Throw()
    {
        var random = Seeds.Create(2072);
        var problem = LinearProblem<double>.FromPointClouds(Generators.UniformCloud(random, 4, 2), Generators.UniformCloud(random, 4, 2));
        var result = new LinearAssignment().Solve(problem);
        var ex = Assert.Throws<InputValidationException>(() => LinearAssignment.LowerBound(problem, result with { ColumnPotentials = new double[3] }));
        Assert.Equal(InputProblem.DimensionMismatch, ex.Problem);
    }

    [Fact]
    public void Solve_PointCloudFloat_CertifiesInFloat()
    {
        var random = Seeds.Create(404);
        var x = Generators.UniformCloud(random, 120, 2).Convert<float>();
        var y = Generators.UniformCloud(random, 130, 2).Convert<float>();
        var result = new LinearAssignment { MaxDenseBytes = 0 }.Solve(x, y);
        var dense = new float[120 * 130];
        LinearAssignment.FillCost(x.Data, y.Data, 2, new SquaredEuclidean<float>(), dense);
        var reference = LinearAssignment.Solve(dense.Select(c => (double)c).ToArray(), 120, 130);
        NumericAssert.Close(reference.TotalCost, result.TotalCost, rtol: 1e-4);
    }

    [Fact]
    public void SolveInto_ReusedWorkspaceAcrossSizesAndThreads_MatchesSolve()
    {
        var problems = new List<(double[] Cost, int N, int M, double Expected)>();
        var random = Seeds.Create(405);
        foreach (var (n, m) in new[] { (64, 64), (10, 40), (200, 200), (1, 1), (3, 3), (128, 130), (37, 37) })
        {
            var cost = new double[n * m];
            for (var k = 0; k < cost.Length; k++)
            {
                cost[k] = random.NextDouble();
            }

            problems.Add((cost, n, m, LinearAssignment.Solve(cost, n, m).TotalCost));
        }

        Parallel.For(0, 4, worker =>
        {
            var ws = new LinearAssignmentWorkspace<double>();
            var sigma = new int[256];
            var u = new double[256];
            var v = new double[256];
            for (var rep = 0; rep < 5; rep++)
            {
                foreach (var (cost, n, m, expected) in problems)
                {
                    var value = LinearAssignment.SolveInto<double>(cost, n, m, sigma, u, v, ws);
                    NumericAssert.Close(expected, value, rtol: 1e-12);
                    var dual = 0.0;
                    for (var i = 0; i < n; i++)
                    {
                        dual += u[i] + v[sigma[i]];
                        for (var j = 0; j < m; j++)
                        {
                            Assert.True(cost[(i * m) + j] - u[i] - v[j] >= -1e-12);
                        }
                    }

                    NumericAssert.Close(value, dual, rtol: 1e-12, atol: 1e-12);
                }
            }
        });
    }

    // A reused workspace must take an odd size after the even size below it: the warm start's half-size sub-problem
    // has the same size k = n / 2 for both, but its row and column samples need n entries (found by HiRef's polish).
    [Fact]
    public void SolveInto_ReusedWorkspace_OddSizeAfterEvenSize_WithWarmStart()
    {
        var ws = new LinearAssignmentWorkspace<double>();
        foreach (var n in new[] { 312, 313, 400, 401 })
        {
            var sample = SyntheticData.Generate(SyntheticDataset.HalfMoonSCurve, n, n);
            var cost = new double[n * n];
            LinearAssignment.FillCost(sample.Source.Data, sample.Target!.Data, 2, new SquaredEuclidean<double>(), cost);
            var sigma = new int[n];
            var value = LinearAssignment.SolveInto<double>(cost, n, n, sigma, [], [], ws);
            NumericAssert.Close(LinearAssignment.Solve(cost, n, n).TotalCost, value, rtol: 1e-12);
        }
    }

    [Theory]
    [InlineData(256, 0)]
    [InlineData(300, 1)]
    [InlineData(611, 2)]
    public void SolveInto_WarmStartOnAndOff_SameOptimumAndCertified(int n, int shape)
    {
        // Structured instances (a noisy spiral against a shifted disc, clusters) are where the warm start matters.
        var random = Seeds.Create(407 + n);
        var x = new double[n * 2];
        var y = new double[n * 2];
        for (var i = 0; i < n; i++)
        {
            var t = Math.Sqrt(random.NextDouble()) * 4 * Math.PI;
            x[2 * i] = shape == 2 ? random.Next(4) + (0.1 * random.NextDouble()) : (t * Math.Cos(t) / 12) + (0.02 * random.NextDouble());
            x[(2 * i) + 1] = shape == 2 ? random.Next(3) + (0.1 * random.NextDouble()) : t * Math.Sin(t) / 12;
            var s = random.NextDouble() * 2 * Math.PI;
            var r = Math.Sqrt(0.25 + (0.75 * random.NextDouble()));
            y[2 * i] = (r * Math.Cos(s)) + (shape == 1 ? 0 : 0.5);
            y[(2 * i) + 1] = (r * Math.Sin(s)) + 0.2;
        }

        var cost = new double[n * n];
        LinearAssignment.FillCost<double>(x, y, 2, new SquaredEuclidean<double>(), cost);
        var values = new List<double>();
        foreach (var warm in new[] { true, false })
        {
            var ws = new LinearAssignmentWorkspace<double> { MultiscaleWarmStart = warm };
            var sigma = new int[n];
            var u = new double[n];
            var v = new double[n];
            var value = LinearAssignment.SolveInto<double>(cost, n, n, sigma, u, v, ws);
            var result = new LinearAssignmentResult(sigma, InverseOf(sigma), value, u, v, null!);
            AssertValidAssignment(result, n, n);
            AssertCertified(cost, n, n, result, 1e-9);
            values.Add(value);
        }

        NumericAssert.Close(values[1], values[0], rtol: 1e-12);
    }

    [Fact]
    public void Solve_MixedPrecisionAndAuctionForcedOnSmallProblems_MatchBruteForce()
    {
        // The float phase + double repair and the auction phase, forced down to n = 2, against all permutations.
        var random = Seeds.Create(408);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = 2 + random.Next(6);
            var kind = trial % 5;
            var cost = new double[n * n];
            for (var k = 0; k < cost.Length; k++)
            {
                cost[k] = kind switch
                {
                    0 => random.NextDouble(),
                    1 => random.Next(3),                      // integer ties
                    2 => (random.NextDouble() * 2e6) - 1e6,   // wide range, negative
                    3 => 1e4 + (1e-3 * random.NextDouble()),  // below float resolution: the repair does the work
                    _ => random.NextDouble() * 1e31,          // too large for the float phase: plain double
                };
            }

            var ws = new LinearAssignmentWorkspace<double> { MixedPrecisionThreshold = 2, AuctionThreshold = 2 };
            var result = LinearAssignment.Solve(cost, n, n, ws);
            AssertValidAssignment(result, n, n);
            NumericAssert.Close(BruteForce(cost, n, n), result.TotalCost, rtol: 1e-12, atol: 1e-9, what: $"trial {trial} (n = {n}, kind {kind})");
            AssertCertified(cost, n, n, result, 1e-9 * (1 + cost.Max(Math.Abs)));
        }
    }

    [Theory]
    [InlineData(0)] // uniform points: the auction phase runs
    [InlineData(1)] // 10⁴ + squared distances: floats cannot resolve the costs, the double repair re-inserts rows
    [InlineData(2)] // integer costs 0..20: many ties
    [InlineData(3)] // spiral against a shifted disc: the multiscale warm start runs
    public void Solve_MixedPrecisionAndAuction_SameOptimumAsDoubleOnly(int kind)
    {
        const int n = 600;
        var random = Seeds.Create(409 + kind);
        var x = Generators.UniformCloud(random, n, 2).Data.ToArray();
        var y = Generators.UniformCloud(random, n, 2).Data.ToArray();
        if (kind == 3)
        {
            for (var i = 0; i < n; i++)
            {
                var t = Math.Sqrt(random.NextDouble()) * 4 * Math.PI;
                x[2 * i] = (t * Math.Cos(t) / 12) + (0.02 * random.NextDouble());
                x[(2 * i) + 1] = t * Math.Sin(t) / 12;
                y[2 * i] += 0.5;
            }
        }

        var cost = new double[n * n];
        LinearAssignment.FillCost<double>(x, y, 2, new SquaredEuclidean<double>(), cost);
        for (var k = 0; k < cost.Length; k++)
        {
            cost[k] = kind switch
            {
                1 => 1e4 + cost[k],
                2 => random.Next(21),
                _ => cost[k],
            };
        }

        // Certificates are absolute: the duality gap sums n costs of magnitude up to 10⁴ (kind 1).
        var tolerance = 1e-9 * (1 + cost.Max(Math.Abs));
        var reference = LinearAssignment.Solve(cost, n, n, new LinearAssignmentWorkspace<double> { MixedPrecision = false, AuctionPhase = false });
        AssertCertified(cost, n, n, reference, tolerance);
        foreach (var (mixed, auction) in new[] { (true, true), (true, false), (false, true) })
        {
            var ws = new LinearAssignmentWorkspace<double> { MixedPrecision = mixed, AuctionPhase = auction };
            var result = LinearAssignment.Solve(cost, n, n, ws);
            var what = $"kind {kind}, mixed {mixed}, auction {auction}";
            AssertValidAssignment(result, n, n);
            NumericAssert.Close(reference.TotalCost, result.TotalCost, rtol: 1e-12, what: what);
            AssertCertified(cost, n, n, result, tolerance);
            if (kind == 0 && auction)
            {
                Assert.True(ws.AuctionRan, what);
            }

            // The mixed route runs wherever the processor supports it (256-bit SIMD) and never elsewhere; where it runs on
            // 10⁴-offset costs (floats cannot resolve them) the double repair must re-insert rows.
            Assert.Equal(mixed && LinearAssignment.MixedPrecisionSupported, ws.MixedPrecisionRan);
            if (kind == 1 && ws.MixedPrecisionRan)
            {
                Assert.True(ws.RepairedRows > 0, what);
            }
        }
    }

    [Theory]
    [InlineData("sqeuclidean")]
    [InlineData("euclidean")]
    public void Solve_PointCloudMixedPrecision_StoredAndOnTheFly_MatchDoubleDense(string costName)
    {
        var groundCost = CostFunction.Parse<double>(costName);
        const int n = 700;
        var random = Seeds.Create(410);
        var x = Generators.UniformCloud(random, n, 3);
        var y = Generators.UniformCloud(random, n, 3);
        var dense = new double[n * n];
        LinearAssignment.FillCost(x.Data, y.Data, 3, groundCost, dense);
        var reference = LinearAssignment.Solve(dense, n, n, new LinearAssignmentWorkspace<double> { MixedPrecision = false });
        var stored = new LinearAssignment().Solve(x, y, groundCost);
        var onTheFly = new LinearAssignment { MaxDenseBytes = 0 }.Solve(x, y, groundCost);
        NumericAssert.Close(reference.TotalCost, stored.TotalCost, rtol: 1e-12);
        NumericAssert.Close(reference.TotalCost, onTheFly.TotalCost, rtol: 1e-12);
        AssertCertified(dense, n, n, stored, 1e-9);
        AssertCertified(dense, n, n, onTheFly, 1e-9);
    }

    [Fact]
    public void Solve_DoubleArrayOverload_MatchesFlat()
    {
        var cost = new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };
        var result = LinearAssignment.Solve(cost);
        Assert.Equal(new[] { 1, 0, 2 }, result.RowToColumn);
        Assert.Equal(5.0, result.TotalCost);
        Assert.Equal(new[] { 1, 0, 2 }, result.ColumnToRow);
    }

    [Fact]
    public void Solve_BadInput_ThrowsTypedException()
    {
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => LinearAssignment.Solve(new double[6], 3, 2)).Problem);
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => LinearAssignment.Solve(new double[5], 2, 3)).Problem);
        Assert.Equal(InputProblem.Empty, Assert.Throws<InputValidationException>(() => LinearAssignment.Solve(Array.Empty<double>(), 0, 0)).Problem);
        var nan = new double[9];
        nan[7] = double.NaN;
        var ex = Assert.Throws<InputValidationException>(() => LinearAssignment.Solve(nan, 3, 3));
        Assert.Equal(InputProblem.NonFinite, ex.Problem);
        Assert.Equal(7, ex.Index);
        var inf = new double[40];
        inf[33] = double.PositiveInfinity;
        Assert.Equal(InputProblem.NonFinite, Assert.Throws<InputValidationException>(() => LinearAssignment.Solve(inf, 4, 10)).Problem);
    }

    /// <summary>Reports synchronously on the solving thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Recorder(Action<SolverProgress>? onReport = null) : IProgress<SolverProgress>
    {
        public List<SolverProgress> Reports { get; } = [];

        public void Report(SolverProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Solve_Progress_RowsAssignedMonotoneUpToN(bool structured)
    {
        // Uniform points (auction route) and a shifted spiral (warm-start route), large enough for the mixed route.
        const int n = 600;
        var random = Seeds.Create(411);
        var x = Generators.UniformCloud(random, n, 2);
        var y = Generators.UniformCloud(random, n, 2);
        if (structured)
        {
            var data = new double[2 * n];
            for (var i = 0; i < n; i++)
            {
                var t = Math.Sqrt(random.NextDouble()) * 4 * Math.PI;
                data[2 * i] = t * Math.Cos(t) / 12;
                data[(2 * i) + 1] = t * Math.Sin(t) / 12;
            }

            x = new Monge.Geometry.PointCloud<double>(data, n, 2);
        }

        var recorder = new Recorder();
        var result = new LinearAssignment().Solve(x, y, progress: recorder);
        Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        var rows = recorder.Reports.Where(r => r.Stage == LinearAssignment.ProgressStage).ToList();
        Assert.True(rows.Count >= 3, $"{rows.Count} reports");
        Assert.All(rows, r => Assert.Equal(n, r.Total));
        Assert.Equal(n, rows[^1].Completed);
        NumericAssert.Close(result.Cost, rows[^1].Error, rtol: 1e-15, what: "final report carries the cost");

        // Rows assigned never decrease within one solve (the float phase, then the final report).
        for (var k = 1; k < rows.Count; k++)
        {
            Assert.True(rows[k].Completed >= rows[k - 1].Completed, $"report {k}: {rows[k].Completed} after {rows[k - 1].Completed}");
        }

        var repair = recorder.Reports.Where(r => r.Stage == LinearAssignment.RepairProgressStage).ToList();
        if (LinearAssignment.MixedPrecisionSupported)
        {
            Assert.NotEmpty(repair);
            Assert.Equal(repair[^1].Total, repair[^1].Completed);
        }
        else
        {
            Assert.Empty(repair);
        }
    }

    [Fact]
    public void Solve_CancelledDuringPaths_StopsAndReportsCancelled()
    {
        // Cancel from inside the solve (at the first report of the augmenting-path phase): the solver must stop there,
        // not finish the assignment.
        const int n = 700;
        var random = Seeds.Create(412);
        var x = Generators.UniformCloud(random, n, 3);
        var y = Generators.UniformCloud(random, n, 3);
        using var cts = new CancellationTokenSource();
        var recorder = new Recorder(r =>
        {
            if (r.Completed < r.Total)
            {
                cts.Cancel();
            }
        });
        var result = new LinearAssignment { MaxDenseBytes = 0 }.Solve(x, y, progress: recorder, cancellationToken: cts.Token);
        Assert.True(cts.IsCancellationRequested);
        Assert.Equal(SolverStatus.Cancelled, result.Convergence.Status);
        Assert.Contains(-1, result.RowToColumn);
        Assert.True(double.IsNaN(result.TotalCost));
    }

    [Fact]
    public void Solve_Cancelled_ReportsStatus()
    {
        var random = Seeds.Create(406);
        var cost = new double[300 * 300];
        for (var k = 0; k < cost.Length; k++)
        {
            cost[k] = random.NextDouble();
        }

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = LinearAssignment.Solve(cost, 300, 300, cts.Token);

        // Column reduction and row reduction run first; whatever is left unassigned is reported, not hidden.
        if (result.RowToColumn.Contains(-1))
        {
            Assert.Equal(SolverStatus.Cancelled, result.Convergence.Status);
            Assert.True(double.IsNaN(result.TotalCost));
        }
        else
        {
            Assert.Equal(SolverStatus.Converged, result.Convergence.Status);
        }
    }

    private static int[] InverseOf(int[] sigma)
    {
        var inverse = new int[sigma.Length];
        for (var i = 0; i < sigma.Length; i++)
        {
            inverse[sigma[i]] = i;
        }

        return inverse;
    }

    internal static void AssertValidAssignment(LinearAssignmentResult result, int n, int m)
    {
        Assert.Equal(n, result.RowToColumn.Length);
        Assert.Equal(m, result.ColumnToRow.Length);
        var seen = new bool[m];
        for (var i = 0; i < n; i++)
        {
            var j = result.RowToColumn[i];
            Assert.InRange(j, 0, m - 1);
            Assert.False(seen[j], $"column {j} assigned twice");
            seen[j] = true;
            Assert.Equal(i, result.ColumnToRow[j]);
        }

        Assert.Equal(m - n, result.ColumnToRow.Count(r => r < 0));
    }

    internal static void AssertCertified(double[] cost, int n, int m, LinearAssignmentResult result, double tolerance)
    {
        var certificate = LinearAssignment.Certify(cost, n, m, result);
        Assert.True(
            certificate.IsOptimal(tolerance),
            $"certificate fails at tolerance {tolerance}: {certificate}");
    }

    private static double Recompute(double[] cost, int m, int[] sigma)
    {
        var total = 0.0;
        for (var i = 0; i < sigma.Length; i++)
        {
            total += cost[(i * m) + sigma[i]];
        }

        return total;
    }

    private static bool IsUniqueOptimum(double[] cost, int n, int m, int[] sigma)
    {
        // Perturb every non-assignment entry up slightly: if any other assignment ties, the LP would still find a
        // tie only when reduced costs vanish off the assignment; a cheap sufficient check is for n ≤ 7 brute force.
        if (n > 7 || m > 9)
        {
            return false;
        }

        var best = Recompute(cost, m, sigma);
        var count = 0;
        Enumerate(n, m, perm =>
        {
            if (Math.Abs(Recompute(cost, m, perm) - best) <= 1e-12)
            {
                count++;
            }
        });
        return count == 1;
    }

    internal static double BruteForce(double[] cost, int n, int m)
    {
        var best = double.PositiveInfinity;
        Enumerate(n, m, perm => best = Math.Min(best, Recompute(cost, m, perm)));
        return best;
    }

    private static void Enumerate(int n, int m, Action<int[]> visit)
    {
        var perm = new int[n];
        var used = new bool[m];
        void Recurse(int i)
        {
            if (i == n)
            {
                visit(perm);
                return;
            }

            for (var j = 0; j < m; j++)
            {
                if (!used[j])
                {
                    used[j] = true;
                    perm[i] = j;
                    Recurse(i + 1);
                    used[j] = false;
                }
            }
        }

        Recurse(0);
    }
}
