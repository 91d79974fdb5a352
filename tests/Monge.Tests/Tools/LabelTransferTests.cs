using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Solvers.Exact;
using Monge.Testing;
using Monge.Tools;

namespace Monge.Tests.Tools;

public sealed class LabelTransferTests
{
    private static PointCloud<double> Cloud(Random random, int n, int d, double shift = 0)
    {
        var data = new double[n * d];
        for (var k = 0; k < data.Length; k++)
        {
            data[k] = random.NextDouble() + shift;
        }

        return new PointCloud<double>(data, n, d);
    }

    /// <summary>Brute force on the dense plan: mass[j, c] = Σ_i P_ij [code_i = c]; the winner is the first maximum.</summary>
    private static (int[] Codes, double[] Confidence) BruteForce(double[] plan, int n, int m, int[] codes, int labels)
    {
        var winners = new int[m];
        var confidence = new double[m];
        for (var j = 0; j < m; j++)
        {
            var mass = new double[labels];
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                var p = plan[(i * m) + j];
                total += p;
                if (codes[i] >= 0)
                {
                    mass[codes[i]] += p;
                }
            }

            var best = -1;
            for (var c = 0; c < labels; c++)
            {
                if (mass[c] > 0 && (best < 0 || mass[c] > mass[best]))
                {
                    best = c;
                }
            }

            winners[j] = best;
            confidence[j] = best >= 0 ? mass[best] / total : double.NaN;
        }

        return (winners, confidence);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(150)] // more labels than one block of LabelTransfer.BlockLabels
    public void Predict_SinkhornPlan_MatchesBruteForceOnDensePlan(int labels)
    {
        var random = Seeds.Create(labels);
        const int n = 300;
        const int m = 41;
        var x = Cloud(random, n, 2);
        var y = Cloud(random, m, 2);
        var result = new Sinkhorn { Epsilon = 0.05, Threshold = 1e-9 }.Solve(LinearProblem<double>.FromPointClouds(x, y));
        var codes = Enumerable.Range(0, n).Select(_ => random.Next(-1, labels)).ToArray(); // −1: some sources unlabelled
        var categories = Enumerable.Range(0, labels).Select(c => $"type{c}").ToArray();

        var prediction = LabelTransfer.Predict(result, codes, categories);
        var (expected, confidence) = BruteForce(result.ToDense(), n, m, codes, labels);

        Assert.Equal(m, prediction.Count);
        for (var j = 0; j < m; j++)
        {
            Assert.Equal(expected[j], prediction.Codes[j]);
        }

        NumericAssert.Close(confidence, prediction.Confidence, rtol: 1e-9);
        NumericAssert.Close(result.TargetMarginal, prediction.IncomingMass, rtol: 1e-12);
    }

    [Fact]
    public void Predict_Matching_TransfersLabelsExactly()
    {
        var random = Seeds.Create(1);
        const int n = 60;
        var x = Cloud(random, n, 3);

        // The target is the source shuffled: the optimal matching is the shuffle, so target j carries its source's label.
        var order = Enumerable.Range(0, n).OrderBy(_ => random.Next()).ToArray();
        var y = new double[n * 3];
        for (var i = 0; i < n; i++)
        {
            x.Row(i).CopyTo(y.AsSpan(order[i] * 3, 3));
        }

        var labels = Enumerable.Range(0, n).Select(i => (string?)$"cell-{i % 7}").ToArray();
        var plan = new LinearAssignment().Solve(x, new PointCloud<double>(y, n, 3));
        var prediction = LabelTransfer.Predict(plan, labels);

        for (var i = 0; i < n; i++)
        {
            Assert.Equal(labels[i], prediction.Label(order[i]));
            Assert.Equal(1.0, prediction.Confidence[order[i]]);
        }

        Assert.Equal(0, prediction.Unlabelled);
    }

    [Fact]
    public void Predict_ExactTie_FirstCategoryWinsWhateverTheSourceOrder()
    {
        // One target between two sources: every plan sends a_i = 1/2 from each source, an exact tie.
        var y = new PointCloud<double>([0.0], 1, 1);
        foreach (var data in new[] { new[] { -1.0, 1.0 }, [1.0, -1.0] })
        {
            var x = new PointCloud<double>(data, 2, 1);
            var plan = new NetworkSimplex().Solve(LinearProblem<double>.FromPointClouds(x, y));
            var labels = data[0] < 0 ? new[] { "b", "a" } : ["a", "b"];

            var byName = LabelTransfer.Predict(plan, labels);
            Assert.Equal("a", byName.Label(0)); // ordinal order: "a" before "b"
            Assert.Equal(0.5, byName.Confidence[0], 12);

            // With explicit categories, their order breaks the tie.
            var codes = labels.Select(l => l == "b" ? 0 : 1).ToArray();
            Assert.Equal("b", LabelTransfer.Predict(plan, codes, ["b", "a"]).Label(0));
        }
    }

    [Fact]
    public void Predict_TargetWithoutMass_HasNoLabel()
    {
        // A rectangular assignment (3 sources, 5 targets) leaves two targets without mass: no label, NaN confidence.
        var x = new PointCloud<double>([0.0, 10.0, 20.0], 3, 1);
        var y = new PointCloud<double>([0.1, 5.0, 10.1, 15.0, 20.1], 5, 1);
        var plan = new LinearAssignment().Solve(x, y);
        var prediction = LabelTransfer.Predict(plan, ["p", "q", "r"]);

        Assert.Equal(new[] { "p", null, "q", null, "r" }, prediction.Labels().AsEnumerable());
        Assert.True(double.IsNaN(prediction.Confidence[1]));
        Assert.Equal(2, prediction.Unlabelled);
    }

    [Fact]
    public void Predict_WrongNumberOfLabels_ThrowsDimensionMismatch()
    {
        var x = new PointCloud<double>([0.0, 1.0, 2.0], 3, 1);
        var plan = new LinearAssignment().Solve(x, x);
        var error = Assert.Throws<InputValidationException>(() => LabelTransfer.Predict(plan, ["a", "b"]));
        Assert.Equal(InputProblem.DimensionMismatch, error.Problem);
        Assert.Throws<InputValidationException>(() => LabelTransfer.Predict(plan, [0, 1, 2], ["a", "b"]));
    }
}
