using Monge.Datasets;
using Monge.Geometry.Costs;
using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>Level 1's rank chosen for the Euclidean cost (stop 26, chkeuc): the sample is solved and scored with the squared
/// Euclidean cost by default (<see cref="HierarchicalRefinement.FirstRankSquaredScore"/>), so the Euclidean problem makes
/// the squared problem's choice on the same points; the choice stays deterministic at any thread count.</summary>
public class FirstRankEuclideanTests
{
    // A small problem made to take the choice (threshold 0, small leaves and sample), no polish.
    private static HierarchicalRefinement Small(int seed, ICostFunction<double>? cost) => new()
    {
        Seed = seed,
        Cost = cost,
        LeafSize = 64,
        FirstRankAbove = 0,
        FirstRankSamplePoints = 4096,
        Polish = false,
        RandomPartsSize = 0,
    };

    // Oracle: the squared-cost problem on the same points (its choice scores the same sample with the squared cost).
    [Fact]
    public void Euclidean_ScoresTheSampleWithTheSquaredCost_AsTheSquaredProblemDoes()
    {
        var data = SyntheticData.Generate(SyntheticDataset.Checkerboard, 8192, 1, 2, withTarget: true);
        var squared = Small(2, null).ChooseFirstRank(data.Source, data.Target!);
        var euclidean = Small(2, new Euclidean<double>()).ChooseFirstRank(data.Source, data.Target!);
        var own = (Small(2, new Euclidean<double>()) with { FirstRankSquaredScore = false }).ChooseFirstRank(data.Source, data.Target!);
        Assert.NotNull(squared);
        Assert.Equal(squared!.Rank, euclidean!.Rank);
        Assert.Equal(squared.Scores, euclidean.Scores);
        Assert.NotEqual(squared.Scores, own!.Scores);

        // With its own cost each score is a Euclidean matching's mean cost: on checkerboard (mean squared distance ≈ 21) it
        // lies far below the squared score, at most its square root for the optimal Euclidean matching (Jensen).
        Assert.All(own.Scores.Zip(squared.Scores), p => Assert.True(p.First.SampleCost < p.Second.SampleCost));
    }

    [Fact]
    public void Euclidean_Choice_IsDeterministic_AtOneAndTwoThreads()
    {
        var data = SyntheticData.Generate(SyntheticDataset.Checkerboard, 8192, 1, 2, withTarget: true);
        var one = (Small(3, new Euclidean<double>()) with { MaxDegreeOfParallelism = 1 }).Solve(data.Source, data.Target!);
        var two = (Small(3, new Euclidean<double>()) with { MaxDegreeOfParallelism = 2 }).Solve(data.Source, data.Target!);
        Assert.NotNull(one.FirstRank);
        Assert.Equal(one.FirstRank!.Scores, two.FirstRank!.Scores);
        Assert.Equal(one.RankSchedule, two.RankSchedule);
        Assert.Equal(one.Permutation, two.Permutation);
        Assert.Equal(Enumerable.Range(0, 8192), one.Permutation.Order());
    }

    // Other costs are scored with their own: the cosine problem's scores are not the squared problem's.
    [Fact]
    public void OtherCosts_KeepTheirOwnScore()
    {
        var solver = new HierarchicalRefinement();
        Assert.True(solver.FirstRankSquaredScore);
        var data = SyntheticData.Generate(SyntheticDataset.Checkerboard, 8192, 1, 2, withTarget: true);
        var squared = Small(2, null).ChooseFirstRank(data.Source, data.Target!);
        var p3 = Small(2, new PNormPower<double>(3)).ChooseFirstRank(data.Source, data.Target!);
        Assert.NotEqual(squared!.Scores, p3!.Scores);
    }
}
