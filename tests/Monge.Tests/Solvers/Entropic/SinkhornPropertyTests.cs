using CsCheck;
using Monge.Geometry;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;

namespace Monge.Tests.Solvers.Entropic;

/// <summary>CsCheck properties of Sinkhorn on random small weighted problems (n, m ≤ 12, d ≤ 3).</summary>
public class SinkhornPropertyTests
{
    private const double Threshold = 1e-9;

    private static Gen<(PointCloud<double> X, PointCloud<double> Y)> WeightedPairs =>
        from pair in Generators.PointCloudPairs(minCount: 1, maxCount: 12, maxDim: 3)
        from a in Generators.Weights(pair.X.Count)
        from b in Generators.Weights(pair.Y.Count)
        select (pair.X.WithWeights(Normalize(a)), pair.Y.WithWeights(Normalize(b)));

    /// <summary>
    /// ε = 0.1·max(C) (floored so that coincident clouds still get a positive ε; much smaller ε relative to the cost range
    /// can make plain Sinkhorn need more than 10⁵ iterations on random clouds), tight threshold.
    /// </summary>
    private static Sinkhorn Options(CostGeometry<double> geometry) =>
        new() { Epsilon = Math.Max(0.1 * geometry.ComputeStatistics().Max, 1e-3), Threshold = Threshold, MaxIterations = 50_000, Momentum = 1 };

    [Fact]
    public void Converged_MarginalErrorsWithinThreshold()
    {
        WeightedPairs.Sample(
            pair =>
            {
                var problem = LinearProblem<double>.FromPointClouds(pair.X, pair.Y);
                foreach (var norm in new[] { MarginalNorm.L1, MarginalNorm.L2 })
                {
                    var output = (Options(problem.Geometry) with { Norm = norm }).Solve(problem);
                    Assert.True(output.Converged, output.Convergence.ToString());
                    Assert.True(output.Convergence.FinalError <= Threshold);

                    // The exact L1 errors of the returned plan: the target side within the threshold (L1 ≤ √m·L2), the
                    // source side exact up to rounding (f was updated last).
                    var bound = norm == MarginalNorm.L1 ? Threshold : Threshold * Math.Sqrt(pair.Y.Count);
                    Assert.True(output.TargetMarginalError <= bound + 1e-13, $"{norm}: target error {output.TargetMarginalError}");
                    Assert.True(output.SourceMarginalError <= 1e-12, $"{norm}: source error {output.SourceMarginalError}");
                    Assert.All(output.F, v => Assert.True(double.IsFinite(v)));

                    // The default (adaptive over-relaxation) relaxes the f update too: both sides together within the threshold.
                    var auto = (Options(problem.Geometry) with { Norm = norm, Momentum = null }).Solve(problem);
                    Assert.True(auto.Converged, auto.Convergence.ToString());
                    var both = norm == MarginalNorm.L1 ? Threshold : Threshold * Math.Sqrt(Math.Max(pair.X.Count, pair.Y.Count));
                    Assert.True(auto.TargetMarginalError + auto.SourceMarginalError <= both + 1e-13, $"{norm}: errors {auto.TargetMarginalError}, {auto.SourceMarginalError}");
                }
            },
            iter: 40);
    }

    [Fact]
    public void PermutingPoints_PermutesThePlan()
    {
        var cases = from pair in WeightedPairs
                    from seed in Gen.Int
                    select (pair.X, pair.Y, seed);
        cases.Sample(
            c =>
            {
                var (x, y, seed) = c;
                var rng = new Random(seed);
                var pi = Enumerable.Range(0, x.Count).OrderBy(_ => rng.Next()).ToArray();
                var pj = Enumerable.Range(0, y.Count).OrderBy(_ => rng.Next()).ToArray();
                var problem = LinearProblem<double>.FromPointClouds(x, y);
                var opts = Options(problem.Geometry);
                var plan = opts.Solve(problem).ToDense();
                var permuted = opts.Solve(LinearProblem<double>.FromPointClouds(x.Subset(pi), y.Subset(pj)));
                var pplan = permuted.ToDense();
                int n = x.Count, m = y.Count;
                for (var i = 0; i < n; i++)
                {
                    for (var j = 0; j < m; j++)
                    {
                        NumericAssert.Close(plan[(pi[i] * m) + pj[j]], pplan[(i * m) + j], rtol: 1e-6, atol: 1e-10, what: $"P[{i},{j}]");
                    }
                }
            },
            iter: 30);
    }

    [Fact]
    public void ShiftingTheCost_KeepsThePlanAndShiftsTheCost()
    {
        var cases = from pair in WeightedPairs
                    from shift in Gen.Double[-5, 5]
                    select (pair.X, pair.Y, shift);
        cases.Sample(
            c =>
            {
                var (x, y, shift) = c;
                var problem = LinearProblem<double>.FromPointClouds(x, y);
                var opts = Options(problem.Geometry);
                var output = opts.Solve(problem);
                var shifted = problem.Geometry.ToDense().Select(v => v + shift).ToArray();
                var shiftedProblem = new LinearProblem<double>(new DenseGeometry<double>(shifted, x.Count, y.Count), problem.A.ToArray(), problem.B.ToArray());
                var shiftedOut = opts.Solve(shiftedProblem);
                Assert.True(shiftedOut.Converged, shiftedOut.Convergence.ToString());
                NumericAssert.Close(output.ToDense(), shiftedOut.ToDense(), rtol: 1e-6, atol: 1e-10, what: "plan");
                NumericAssert.Close(output.Cost + shift, shiftedOut.Cost, rtol: 1e-8, atol: 1e-8, what: "cost");
            },
            iter: 30);
    }

    private static double[] Normalize(double[] w)
    {
        var total = w.Sum();
        return w.Select(v => v / total).ToArray();
    }
}
