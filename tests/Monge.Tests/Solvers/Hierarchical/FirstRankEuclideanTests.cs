using Monge.Datasets;
using Monge.Geometry.Costs;
using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>Level 1's rank chosen for the Euclidean cost (stop 26, chkeuc): the sample is solved and scored with the squared
/// Euclidean cost by default (<see cref="HierarchicalRefinement.FirstRankSquaredScore"/>), so the Euclidean problem makes
/// the squared problem's choice on the same points; the choice stays deterministic at any thread count.</summary>
public class FirstRankEuclideanTests
{
    // Oracle: the squared-cost problem on the same points (its choice scores the same sample with the squared cost).
    [Fact]
    public void Euclidean_ScoresTheSampleWithTheSquaredCost_AsTheSquaredProblemDoes()
    {
        var data = SyntheticData.Generate(SyntheticDataset.Checkerboard, 8192, 1, 2, withTarget: true);
        var squared = FirstRankTests.Small(2, null).ChooseFirstRank(data.Source, data.Target!);
        var euclidean = FirstRankTests.Small(2, new Euclidean<double>()).ChooseFirstRank(data.Source, data.Target!);
        var own = (FirstRankTests.Small(2, new Euclidean<double>()) with { FirstRankSquaredScore = false }).ChooseFirstRank(data.Source, data.Target!);
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
        var one = (FirstRankTests.Small(3, new Euclidean<double>()) with { MaxDegreeOfParallelism = 1 }).Solve(data.Source, data.Target!);
        var two = (FirstRankTests.Small(3, new Euclidean<double>()) with { MaxDegreeOfParallelism = 2 }).Solve(data.Source, data.Target!);
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
        var squared = FirstRankTests.Small(2, null).ChooseFirstRank(data.Source, data.Target!);
        var p3 = FirstRankTests.Small(2, new PNormPower<double>(3)).ChooseFirstRank(data.Source, data.Target!);
        Assert.NotEqual(squared!.Scores, p3!.Scores);
    }
}
