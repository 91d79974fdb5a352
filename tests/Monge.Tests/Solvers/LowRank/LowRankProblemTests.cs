using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Numerics;
using Monge.Problems;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Tests.Solvers.LowRank;

/// <summary>The public entry of the low-rank solvers: a <see cref="LinearProblem{T}"/>, costs read only through the geometry.</summary>
public class LowRankProblemTests
{
    [Fact]
    public void FrlcSolve_EveryGeometryKind_GivesTheDenseIterates()
    {
        const int n = 80;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 7);
        var c = LowRankTestData.DenseCost(x, y, 2);
        var solver = new Frlc { Rank = 8, Seed = 9, MaxIterations = 30 };
        var dense = solver.Solve(new LinearProblem<double>(new DenseGeometry<double>(c, n, n)));
        var pointCloud = solver.Solve(new LinearProblem<double>(PointCloudGeometry.SquaredEuclidean(x, y)));
        var factored = solver.Solve(new LinearProblem<double>(LowRankGeometry<double>.SquaredEuclidean(x, y)));
        var clouds = solver.Solve(x, y);
        foreach (var other in new[] { pointCloud, factored, clouds })
        {
            NumericAssert.Close(dense.Q, other.Q, rtol: 1e-7, atol: 1e-12, what: "Q");
            NumericAssert.Close(dense.R, other.R, rtol: 1e-7, atol: 1e-12, what: "R");
            NumericAssert.Close(dense.Cost, other.Cost, rtol: 1e-9, what: "cost");
        }

        NumericAssert.Close(dense.Cost, dense.Coupling.PrimalCost(new DenseGeometry<double>(c, n, n)), rtol: 1e-12, what: "PrimalCost(geometry)");
    }

    [Fact]
    public void FrlcSolve_OnlineEuclideanGeometry_MatchesTheDenseEuclideanCost()
    {
        const int n = 50;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 4);
        var c = LowRankTestData.DenseCost(x, y, 1);
        var solver = new Frlc { Rank = 5, Seed = 2, MaxIterations = 30 };
        var dense = solver.Solve(new LinearProblem<double>(new DenseGeometry<double>(c, n, n)));
        var online = solver.Solve(LinearProblem<double>.FromPointClouds(x, y, default(Euclidean<double>)));
        NumericAssert.Close(dense.Q, online.Q, rtol: 1e-7, atol: 1e-12, what: "Q");
        NumericAssert.Close(dense.Cost, online.Cost, rtol: 1e-9, what: "cost");
    }

    [Fact]
    public void FrlcSolve_RelaxationAsTau_RelaxesTheSoftSideOnly()
    {
        const int n = 60;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 5);
        var solver = new Frlc { Rank = 6, Seed = 3 };
        var balanced = solver.Solve(x, y);
        var relaxed = solver.Solve(LinearProblem<double>.FromPointClouds(x, y, relaxation: Relaxation.FromTau(0.5, 1)));
        Assert.True(relaxed.TargetMarginalError < 0.1 * relaxed.SourceMarginalError, $"hard target {relaxed.TargetMarginalError} vs soft source {relaxed.SourceMarginalError}");
        Assert.True(relaxed.SourceMarginalError > 10 * balanced.SourceMarginalError, "the source side is not relaxed");
    }

    [Fact]
    public void FrlcSolve_WarmStartFromAResult_StartsAtItsObjective()
    {
        const int n = 60;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 6);
        var problem = LinearProblem<double>.FromPointClouds(x, y);
        var first = new Frlc { Rank = 6, Seed = 1 }.Solve(problem);
        var warm = new Frlc { Rank = 6, Seed = 2, MaxIterations = 5, MinIterations = 0 }.Solve(problem, new FrlcInitialState(first.Q.ToArray(), first.R.ToArray(), first.T.ToArray()));
        NumericAssert.Close(first.Cost, warm.ObjectiveTrace[0], rtol: 1e-6, what: "objective at the warm start");
    }

    [Fact]
    public void LowRankSinkhornSolve_ProblemAndWarmStart_Work()
    {
        const int n = 60;
        var (x, y) = LowRankTestData.EightGaussiansMoons(n, 3);
        var c = LowRankTestData.DenseCost(x, y, 2);
        var solver = new LowRankSinkhorn { Rank = 5, Seed = 1, MaxIterations = 50 };
        var dense = solver.Solve(new LinearProblem<double>(new DenseGeometry<double>(c, n, n)));
        var clouds = solver.Solve(x, y);
        NumericAssert.Close(dense.Q, clouds.Q, rtol: 1e-7, atol: 1e-12);
        NumericAssert.Close(dense.Cost, clouds.Cost, rtol: 1e-9);
        var warm = (solver with { MaxIterations = 10 }).Solve(LinearProblem<double>.FromPointClouds(x, y), new LowRankSinkhornInitialState(dense.Q.ToArray(), dense.R.ToArray(), dense.G.ToArray()));
        Assert.True(warm.Cost <= dense.Cost * 1.05, $"warm {warm.Cost} vs {dense.Cost}");
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => solver.Solve(LinearProblem<double>.FromPointClouds(x, y), new LowRankSinkhornInitialState(dense.Q.ToArray(), dense.R.ToArray(), new double[4]))).Problem);
    }

    [Fact]
    public void LowRankSinkhornSolve_RelaxedProblem_Throws()
    {
        var (x, y) = LowRankTestData.EightGaussiansMoons(20, 3);
        var problem = LinearProblem<double>.FromPointClouds(x, y, relaxation: Relaxation.FromRho(1, 1));
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => new LowRankSinkhorn { Rank = 3 }.Solve(problem)).Problem);
    }

    [Fact]
    public void StepSize_RowRange_IgnoresRowConstantsAndSupNormDoesNot()
    {
        double[] gq = [10, 11, 12, -5, -5, -4];
        double[] gr = [1, 3, 0, 0, 0, 0.5];
        NumericAssert.Close(2.0 / 12, EntropicProjection.StepSize(2, EntropicProjection.StepNormalization.SupNorm, gq, 3, gr, 2), rtol: 1e-15);
        NumericAssert.Close(2.0 / 2, EntropicProjection.StepSize(2, EntropicProjection.StepNormalization.RowRange, gq, 3, gr, 2), rtol: 1e-15);
        Assert.Equal(2.0, EntropicProjection.StepSize(2, EntropicProjection.StepNormalization.RowRange, new double[4], 2, new double[4], 2));
    }

    [Fact]
    public void Projection_FixedReductionChunks_ReachTheSamePlanAsTheDefault()
    {
        const int rows = 3000;
        const int cols = 16;
        var rng = new Random(5);
        var logKernel = Enumerable.Range(0, rows * cols).Select(_ => -rng.NextDouble()).ToArray();
        var a = Marginals.Uniform<double>(rows);
        var g = Marginals.Uniform<double>(cols);
        double[] RunWith(int chunkRows)
        {
            var plan = new double[rows * cols];
            var settings = new EntropicProjection.Settings(1, 1, 500, 1e-12, ReductionChunkRows: chunkRows);
            EntropicProjection.Run((double[])logKernel.Clone(), plan, rows, cols, a, g, 0.1, settings, new double[rows], new double[cols]);
            return plan;
        }

        var byDefault = RunWith(0);
        var fixedChunks = RunWith(1024);
        NumericAssert.Close(byDefault, fixedChunks, rtol: 1e-9, atol: 1e-15);
        NumericAssert.Close(fixedChunks, RunWith(1024), rtol: 1e-12, atol: 1e-18, what: "fixed chunks, run again");
    }

    [Fact]
    public void KMeansSeed_RowSubset_EqualsSeedingTheCopiedRows()
    {
        const int d = 3;
        var rng = new Random(1);
        var x = Enumerable.Range(0, 40 * d).Select(_ => rng.NextDouble()).ToArray();
        int[] rows = [3, 7, 11, 19, 23, 31, 37, 2, 5, 8];
        var copy = rows.SelectMany(i => x.Skip(i * d).Take(d)).ToArray();
        var bySubset = new double[4 * d];
        var byCopy = new double[4 * d];
        KMeans.Seed(x, rows.Length, d, 4, new Random(7), bySubset, rows);
        KMeans.Seed(copy, rows.Length, d, 4, new Random(7), byCopy);
        NumericAssert.Close(byCopy, bySubset, rtol: 1e-12);
        var centroids = KMeans.Centroids(x, 40, d, 4, new Random(7));
        Assert.Equal(4 * d, centroids.Length);
        Assert.All(centroids, v => Assert.InRange(v, 0, 1));
    }
}
