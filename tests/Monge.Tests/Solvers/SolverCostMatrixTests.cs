using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;
using Monge.Solvers.LowRank;
using Monge.Testing;
using Monge.Tools;

namespace Monge.Tests.Solvers;

/// <summary>
/// Every solver × every built-in cost on small random problems (n = 6 points, so the minimum over all 720 permutations
/// is the exact oracle): exact solvers equal it, approximate solvers sit where their theory puts them, and a pair a
/// solver does not support raises <see cref="UnsupportedCostException"/> naming the solver and the cost.
/// </summary>
public sealed class SolverCostMatrixTests
{
    private const int N = 6;

    public static IReadOnlyList<string> CostNames { get; } = ["sqeuclidean", "euclidean", "pnorm:1.5", "cosine", "dot"];

    public static IReadOnlyList<string> Solvers { get; } =
        ["LinearAssignment", "NetworkSimplex", "OneDimensional", "Sinkhorn", "Frlc", "LowRankSinkhorn", "HierarchicalRefinement", "DualBound"];

    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var solver in Solvers)
        {
            foreach (var cost in CostNames)
            {
                foreach (var seed in Seeds.Sweep.Take(2))
                {
                    data.Add(solver, cost, seed);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Solve_SmallRandomProblem_MatchesTheBruteForceOracle(string solver, string costName, int seed)
    {
        var cost = CostFunction.Parse<double>(costName);
        var dimension = solver == "OneDimensional" ? 1 : 2;
        var random = Seeds.Create(seed);

        // Offset the target so that cosine and dot costs are not degenerate (points on both sides of the origin).
        var x = Shifted(Generators.UniformCloud(random, N, dimension), -0.3);
        var y = Shifted(Generators.UniformCloud(random, N, dimension), -0.1);
        var geometry = new PointCloudGeometry<double>(x, y, cost);
        var c = geometry.ToDense();
        var optimum = BruteForceMean(c, N);
        var problem = new LinearProblem<double>(geometry);
        var what = $"{solver} × {costName} (seed {seed})";
        switch (solver)
        {
            case "LinearAssignment":
                {
                    var result = new LinearAssignment().Solve(problem);
                    NumericAssert.Close(optimum, result.Cost, rtol: 1e-9, atol: 1e-12, what: what);
                    NumericAssert.Close(optimum * N, result.TotalCost, rtol: 1e-9, atol: 1e-12, what: what + " total");
                    NumericAssert.Close(result.Cost, new LinearAssignment().Solve(x, y, cost).Cost, rtol: 1e-12, atol: 1e-15, what: what + " point-cloud overload");
                    NumericAssert.Close(result.Cost, new LinearAssignment { MaxDenseBytes = 0 }.Solve(problem).Cost, rtol: 1e-12, atol: 1e-15, what: what + " rows on the fly");
                    break;
                }

            case "NetworkSimplex":
                {
                    var result = new NetworkSimplex().Solve(problem);
                    Assert.True(result.Optimal, what);
                    NumericAssert.Close(optimum, result.Cost, rtol: 1e-9, atol: 1e-12, what: what);
                    NumericAssert.Close(result.Cost, Dot(c, result.ToDense()), rtol: 1e-12, atol: 1e-15, what: what + " ⟨C, P⟩");
                    break;
                }

            case "OneDimensional":
                if (costName is "cosine" or "dot")
                {
                    AssertUnsupported(() => new OneDimensional().Solve(problem), "OneDimensional", cost.Name);
                    break;
                }

                {
                    var result = new OneDimensional().Solve(problem);
                    NumericAssert.Close(optimum, result.Cost, rtol: 1e-9, atol: 1e-12, what: what);
                    NumericAssert.Close(result.Cost, Dot(c, result.ToDense()), rtol: 1e-12, atol: 1e-15, what: what + " ⟨C, P⟩");
                    break;
                }

            case "Sinkhorn":
                {
                    const double epsilon = 1e-2;
                    var output = new Sinkhorn { Epsilon = epsilon, Threshold = 1e-5, MaxIterations = 200_000 }.Solve(problem);
                    Assert.True(output.Converged, what + ": " + output.Convergence);
                    var plan = output.ToDense();
                    NumericAssert.Close(Dot(c, plan), output.Cost, rtol: 1e-9, atol: 1e-12, what: what + " ⟨C, P⟩");

                    // ⟨C, P_ε⟩ ≤ OPT + ε (H(P_ε) − H(P*)) ≤ OPT + ε log n; below OPT only by the marginal error times max|C|.
                    var slack = c.Max(Math.Abs) * (output.Convergence.FinalError + 1e-9);
                    NumericAssert.InRange(output.Cost, optimum - slack, optimum + (epsilon * Math.Log(N)) + slack, what);
                    break;
                }

            case "Frlc":
                {
                    var result = new Frlc { Rank = 2, Seed = seed }.Solve(LowRankCost.FromGeometry(geometry));
                    AssertLowRank(c, result.Coupling.ToDense(), result.Cost, result.SourceMarginalError + result.TargetMarginalError, optimum, what);

                    // The public path: the problem (cost rescaled by its mean, factors from the one builder), same bounds in the problem's units.
                    var viaProblem = new Frlc { Rank = 2, Seed = seed }.Solve(problem);
                    AssertLowRank(c, viaProblem.Coupling.ToDense(), viaProblem.Cost, viaProblem.SourceMarginalError + viaProblem.TargetMarginalError, optimum, what + " via LinearProblem");
                    break;
                }

            case "LowRankSinkhorn":
                {
                    var result = new LowRankSinkhorn { Rank = 2, Seed = seed }.Solve(LowRankCost.FromGeometry(geometry));
                    AssertLowRank(c, result.Coupling.ToDense(), result.Cost, result.SourceMarginalError + result.TargetMarginalError, optimum, what);
                    var viaProblem = new LowRankSinkhorn { Rank = 2, Seed = seed }.Solve(problem);
                    AssertLowRank(c, viaProblem.Coupling.ToDense(), viaProblem.Cost, viaProblem.SourceMarginalError + viaProblem.TargetMarginalError, optimum, what + " via LinearProblem");
                    break;
                }

            case "HierarchicalRefinement":
                {
                    // n ≤ LeafSize: one exact leaf.
                    var result = new HierarchicalRefinement { Cost = cost, LeafSize = 8, Seed = seed }.Solve(x, y);
                    NumericAssert.Close(optimum, result.Cost, rtol: 1e-9, atol: 1e-12, what: what);

                    // The problem path: a solver left at the default cost adopts the problem's.
                    var viaProblem = new HierarchicalRefinement { LeafSize = 8, Seed = seed }.Solve(problem);
                    NumericAssert.Close(optimum, viaProblem.Cost, rtol: 1e-9, atol: 1e-12, what: what + " via LinearProblem");
                    break;
                }

            case "DualBound":
                {
                    var bound = new DualBound { Epsilon = 1e-2, SinglePrecision = false, Threshold = 1e-8, MaxIterations = 20_000 }.Compute(x, y, cost);
                    var scale = c.Max(Math.Abs);
                    Assert.True(bound.LowerBound <= optimum + (1e-12 * scale), $"{what}: bound {bound.LowerBound:R} above the optimum {optimum:R}");
                    Assert.True(bound.LowerBound >= optimum - (1e-2 * Math.Log(N)) - (1e-6 * scale), $"{what}: bound {bound.LowerBound:R} far below the optimum {optimum:R}");
                    break;
                }

            default:
                throw new InvalidOperationException(solver);
        }
    }

    [Fact]
    public void Solve_HierarchicalRefinementAboveOneLeaf_EveryCostGivesAPermutationAtOrAboveTheOptimum()
    {
        var random = Seeds.Create(17);
        var x = Shifted(Generators.UniformCloud(random, 200, 3), -0.4);
        var y = Shifted(Generators.UniformCloud(random, 200, 3), -0.2);
        foreach (var name in CostNames)
        {
            var cost = CostFunction.Parse<double>(name);
            var optimum = new LinearAssignment().Solve(x, y, cost).Cost;
            var result = new HierarchicalRefinement { Cost = cost, LeafSize = 32, Seed = 3 }.Solve(x, y);
            Assert.Equal(200, result.Permutation.Distinct().Count());
            var recomputed = Enumerable.Range(0, 200).Sum(i => cost.Evaluate(x.Row(i), y.Row(result.Permutation[i]))) / 200;
            NumericAssert.Close(recomputed, result.Cost, rtol: 1e-12, atol: 1e-15, what: name);
            Assert.True(result.Cost >= optimum - (1e-12 * Math.Abs(optimum)), $"{name}: HiRef {result.Cost:R} below the optimum {optimum:R}");
        }
    }

    [Fact]
    public void Solve_LinearAssignmentOnWeightedProblem_NamesNetworkSimplex()
    {
        var random = Seeds.Create(23);
        var x = Generators.UniformCloud(random, 5, 2).WithWeights(Generators.RandomWeights(random, 5));
        var y = Generators.UniformCloud(random, 5, 2);
        var error = Assert.Throws<InputValidationException>(() => new LinearAssignment().Solve(x, y));
        Assert.Contains("NetworkSimplex", error.Message, StringComparison.Ordinal);
        var relaxed = new LinearProblem<double>(new PointCloudGeometry<double>(x.WithWeights(null), y), relaxation: Relaxation.FromTau(0.5, 1));
        Assert.Throws<InputValidationException>(() => new LinearAssignment().Solve(relaxed));
        Assert.Throws<InputValidationException>(() => new NetworkSimplex().Solve(relaxed));
    }

    [Fact]
    public void Build_CostFactorization_ExactForSquaredEuclideanAndDotAndSkeletonImprovesWithRank()
    {
        var random = Seeds.Create(29);
        var x = Generators.UniformCloud(random, 40, 3);
        var y = Generators.UniformCloud(random, 30, 3);
        foreach (var name in CostNames)
        {
            var cost = CostFunction.Parse<double>(name);
            var c = new PointCloudGeometry<double>(x, y, cost).ToDense();
            var scale = c.Max(Math.Abs);
            var coarse = FactorError(CostFactorization.Build(x, y, cost, rank: 4, seed: 1), c, 30);
            var fine = FactorError(CostFactorization.Build(x, y, cost, rank: 30, seed: 1), c, 30);
            if (CostFactorization.IsExact(cost))
            {
                Assert.True(fine <= 1e-12 * Math.Max(1, scale), $"{name}: exact factors off by {fine:R}");
                continue;
            }

            // The Nyström skeleton: a documented approximation whose error shrinks as landmarks are added.
            Assert.True(fine < coarse, $"{name}: error {fine:R} at rank 30, {coarse:R} at rank 4");
            Assert.True(fine <= 0.25 * scale, $"{name}: error {fine:R} against max|C| {scale:R}");
        }
    }

    private static double FactorError(LowRankFactors<double> factors, double[] c, int m)
    {
        var worst = 0.0;
        for (var k = 0; k < c.Length; k++)
        {
            var (i, j) = (k / m, k % m);
            var approx = 0.0;
            for (var t = 0; t < factors.Rank; t++)
            {
                approx += factors.A[(i * factors.Rank) + t] * factors.B[(j * factors.Rank) + t];
            }

            worst = Math.Max(worst, Math.Abs(approx - c[k]));
        }

        return worst;
    }

    private static void AssertLowRank(double[] c, double[] plan, double reported, double marginalError, double optimum, string what)
    {
        NumericAssert.Close(Dot(c, plan), reported, rtol: 1e-9, atol: 1e-12, what: what + " ⟨C, P⟩");

        // A feasible coupling costs at least the optimum; the small marginal slack of the solver moves it by at most
        // max|C| × the marginal error.
        var scale = c.Max(Math.Abs);
        Assert.True(reported >= optimum - (scale * marginalError) - (1e-9 * scale), $"{what}: {reported:R} below the optimum {optimum:R} (marginal error {marginalError:R})");
    }

    private static void AssertUnsupported(Action solve, string solver, string cost)
    {
        var error = Assert.Throws<UnsupportedCostException>(solve);
        Assert.Equal(solver, error.Solver);
        Assert.Equal(cost, error.Cost);
        Assert.Contains(solver, error.Message, StringComparison.Ordinal);
        Assert.Contains(cost, error.Message, StringComparison.Ordinal);
    }

    private static PointCloud<double> Shifted(PointCloud<double> cloud, double shift) =>
        new([.. cloud.Data.ToArray().Select(v => v + shift)], cloud.Count, cloud.Dimension);

    private static double Dot(double[] c, double[] plan)
    {
        var total = 0.0;
        for (var k = 0; k < c.Length; k++)
        {
            total += c[k] * plan[k];
        }

        return total;
    }

    /// <summary>min over all permutations σ of (1/n) Σ C[i, σ(i)].</summary>
    private static double BruteForceMean(double[] c, int n)
    {
        var perm = Enumerable.Range(0, n).ToArray();
        var best = double.PositiveInfinity;
        Permute(0);
        return best / n;

        void Permute(int k)
        {
            if (k == n)
            {
                var total = 0.0;
                for (var i = 0; i < n; i++)
                {
                    total += c[(i * n) + perm[i]];
                }

                best = Math.Min(best, total);
                return;
            }

            for (var t = k; t < n; t++)
            {
                (perm[k], perm[t]) = (perm[t], perm[k]);
                Permute(k + 1);
                (perm[k], perm[t]) = (perm[t], perm[k]);
            }
        }
    }
}
