using Monge.Datasets;
using Monge.Geometry.Costs;
using Monge.Solvers.Exact;
using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>The sampled start of large blocks (<see cref="SampledStart"/>, stop 23): the logits carried from a sample's
/// co-clustering to the block are the sample's own logits up to row and column constants (independent oracle: the
/// sample's run itself, with factors centred at another mean), and a solve that uses it is a valid, thread-independent
/// matching within 1% of the exact optimum.</summary>
public class SampledStartTests
{
    // The carry-over: the block's logits seeded from the sample's centres and moved by its summed steps equal the
    // sample's own final logits, on the sample's rows, up to row and column constants (independent oracle: the sample's
    // run; its factors are centred at the sample's mean, the block's at the block's).
    [Fact]
    public void CarriedLogits_AreTheSampleLogitsUpToRowAndColumnConstants()
    {
        const int n = 6000;
        const int s = n / 2;
        const int r = 8;
        var data = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 3, 2, withTarget: true);
        var x = data.Source.Memory.ToArray();
        var y = data.Target!.Memory.ToArray();
        var ix = Enumerable.Range(0, n).ToArray();
        var sx = Enumerable.Range(0, s).Select(i => 2 * i).ToArray(); // every other row (another mean than the block's)
        var options = new HierarchicalRefinement();
        var settings = new CoClusteringSettings(options.Gamma, options.MaxIterations, options.MaxProjectionIterations, options.ProjectionTolerance, 1.0);

        var sample = new CoClusteringWorkspace();
        var rng = new Random(11);
        var k = BlockFactors.Gather(sample, x, y, 2, sx, sx, null, 32, rng);
        var centres = new double[r * 2];
        var scale = CompactCoClustering.Seed(sample, x, y, 2, sx, sx, r, options.Gamma, options.SeedingSteps, rng, null, centres);
        var stepsQ = new double[k * r];
        var stepsR = new double[k * r];
        var steps = CompactCoClustering.Run(sample, s, k, r, settings, 0.0, 3, seeded: true, null, CancellationToken.None, stepsQ, stepsR);
        Assert.Equal(options.MaxIterations, steps);

        float[][] Carried(double[] q, double[] rr)
        {
            var block = new CoClusteringWorkspace();
            Assert.Equal(k, BlockFactors.Gather(block, x, y, 2, ix, ix, null, 32, new Random(1)));
            CompactCoClustering.SeedFromCentres(block, x, y, 2, ix, ix, r, centres, scale, new ParallelOptions { MaxDegreeOfParallelism = 2 });
            // No mirror step on the block: its logits after the first projections are the carried ones (plus row and column constants).
            CompactCoClustering.Run(block, n, k, r, settings with { Iterations = 0 }, 0.0, 3, seeded: true, null, CancellationToken.None, initialStepQ: q, initialStepR: rr);
            return [block.LogQ32[..(n * r)], block.LogR32[..(n * r)]];
        }

        var carried = Carried(stepsQ, stepsR);
        var seedOnly = Carried(new double[k * r], new double[k * r]);
        foreach (var (side, logits) in new[] { (0, sample.LogQ32), (1, sample.LogR32) })
        {
            var largest = logits.AsSpan(0, s * r).ToArray().Max(Math.Abs);
            var residual = Residual(logits, carried[side], s, r);
            Assert.True(residual < 1e-4 * largest, $"side {side}: residual {residual} of {largest}");
            // The check discriminates: the seeding alone (no carried steps) is far from the sample's final logits.
            Assert.True(Residual(logits, seedOnly[side], s, r) > 1e-2 * largest);
        }
    }

    // Stop 25 (e1mspd): the Euclidean cost's factors are a Nyström skeleton on landmarks drawn per block, so the sample
    // copies the block's factor rows (SampledStart.Sample with the block's workspace). With copied rows the carry-over is
    // exact as for the squared cost (oracle: the sample's own run); with the sample's own factors (other landmarks) it is not.
    [Fact]
    public void CarriedLogits_Euclidean_CopiedFactorRows_AreTheSampleLogitsUpToConstants()
    {
        const int n = 6000;
        const int s = n / 2;
        const int r = 8;
        var data = SyntheticData.Generate(SyntheticDataset.MafMoonsRings, n, 3, 2, withTarget: true);
        var x = data.Source.Memory.ToArray();
        var y = data.Target!.Memory.ToArray();
        var ix = Enumerable.Range(0, n).ToArray();
        var sx = Enumerable.Range(0, s).Select(i => 2 * i).ToArray();
        var cost = new Euclidean<double>();
        var options = new HierarchicalRefinement { Cost = cost };
        var settings = new CoClusteringSettings(options.Gamma, options.MaxIterations, options.MaxProjectionIterations, options.ProjectionTolerance, 1.0);
        var block = new CoClusteringWorkspace();
        var k = BlockFactors.Gather(block, x, y, 2, ix, ix, cost, 32, new Random(5));
        Assert.Equal(32, k);

        (double[] Q, double[] R, float[] LogQ, float[] LogR, double[] Centres, float Scale) SampleRun(bool copy)
        {
            var sample = new CoClusteringWorkspace();
            var rng = new Random(11);
            if (copy)
            {
                sample.EnsureFactors(s, k);
                for (var i = 0; i < s; i++)
                {
                    block.FactorX.AsSpan(sx[i] * k, k).CopyTo(sample.FactorX.AsSpan(i * k, k));
                    block.FactorY.AsSpan(sx[i] * k, k).CopyTo(sample.FactorY.AsSpan(i * k, k));
                }
            }
            else
            {
                Assert.Equal(k, BlockFactors.Gather(sample, x, y, 2, sx, sx, cost, 32, new Random(7)));
            }

            var centres = new double[r * 2];
            var scale = CompactCoClustering.Seed(sample, x, y, 2, sx, sx, r, options.Gamma, options.SeedingSteps, rng, null, centres);
            var q = new double[k * r];
            var rr = new double[k * r];
            Assert.Equal(options.MaxIterations, CompactCoClustering.Run(sample, s, k, r, settings, 0.0, 3, seeded: true, null, CancellationToken.None, q, rr));
            return (q, rr, sample.LogQ32[..(s * r)], sample.LogR32[..(s * r)], centres, scale);
        }

        float[][] Carried(double[] q, double[] rr, double[] centres, float scale)
        {
            var whole = new CoClusteringWorkspace();
            whole.EnsureFactors(n, k);
            block.FactorX.AsSpan(0, n * k).CopyTo(whole.FactorX);
            block.FactorY.AsSpan(0, n * k).CopyTo(whole.FactorY);
            CompactCoClustering.SeedFromCentres(whole, x, y, 2, ix, ix, r, centres, scale, new ParallelOptions { MaxDegreeOfParallelism = 2 });
            CompactCoClustering.Run(whole, n, k, r, settings with { Iterations = 0 }, 0.0, 3, seeded: true, null, CancellationToken.None, initialStepQ: q, initialStepR: rr);
            return [whole.LogQ32[..(n * r)], whole.LogR32[..(n * r)]];
        }

        var copied = SampleRun(copy: true);
        var own = SampleRun(copy: false);
        var carried = Carried(copied.Q, copied.R, copied.Centres, copied.Scale);
        var carriedOwn = Carried(own.Q, own.R, own.Centres, own.Scale);
        foreach (var side in new[] { 0, 1 })
        {
            var logits = side == 0 ? copied.LogQ : copied.LogR;
            var largest = logits.Max(Math.Abs);
            var residual = Residual(logits, carried[side], s, r);
            Assert.True(residual < 1e-4 * largest, $"side {side}: residual {residual} of {largest}");
            // The sample's own landmarks: the carried steps act on other factor rows, so the carry-over is not exact.
            var ownLogits = side == 0 ? own.LogQ : own.LogR;
            Assert.True(Residual(ownLogits, carriedOwn[side], s, r) > 1e-2 * ownLogits.Max(Math.Abs));
        }
    }

    // The largest |diff(i, z) − diff(i, ·) − diff(·, z) + diff(·, ·)| over the sample rows i (block rows 2i), diff the
    // sample's logits minus the carried ones: zero when they differ by row and column constants only.
    private static double Residual(float[] sampleLogits, float[] carried, int s, int r)
    {
        var diff = new double[s, r];
        var rowMean = new double[s];
        var colMean = new double[r];
        var mean = 0.0;
        for (var i = 0; i < s; i++)
        {
            for (var z = 0; z < r; z++)
            {
                diff[i, z] = sampleLogits[(i * r) + z] - (double)carried[(2 * i * r) + z];
                rowMean[i] += diff[i, z] / r;
                colMean[z] += diff[i, z] / s;
                mean += diff[i, z] / (s * r);
            }
        }

        var worst = 0.0;
        for (var i = 0; i < s; i++)
        {
            for (var z = 0; z < r; z++)
            {
                worst = Math.Max(worst, Math.Abs(diff[i, z] - rowMean[i] - colMean[z] + mean));
            }
        }

        return worst;
    }

    [Fact]
    public void Solve_WithSampledStart_ValidThreadIndependentAndNearOptimal()
    {
        const int n = 4096;
        var data = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 1, 2, withTarget: true);
        var solver = new HierarchicalRefinement { Seed = 2, SinglePrecisionMinPoints = 1, SampledStartPoints = 512, SampledStartMinBlock = 2048 };
        Assert.True(solver.SplitOptionsFor(n).UsesSampledStart(n));
        var result = solver.Solve(data.Source, data.Target!);
        Assert.Equal(Enumerable.Range(0, n), result.Permutation.Order());
        foreach (var threads in new[] { 1, 2 })
        {
            var again = (solver with { MaxDegreeOfParallelism = threads }).Solve(data.Source, data.Target!);
            Assert.Equal(result.Permutation, again.Permutation);
        }

        // It is a different start (not the default's result) and still near the optimum.
        var plain = (solver with { SampledStartPoints = 0 }).Solve(data.Source, data.Target!);
        Assert.NotEqual(plain.Permutation, result.Permutation);
        var optimum = new LinearAssignment().Solve(data.Source, data.Target!, new SquaredEuclidean<double>()).TotalCost / n;
        Assert.InRange(result.Cost / optimum, 1.0 - 1e-9, 1.01);
    }

    // Stop 25 (e1mspd): the Euclidean cost with the sampled start (opt-in; the block's factor rows): a valid, thread-independent
    // matching, another start than without it, within 1% of the exact optimum (Jonker–Volgenant on the whole problem).
    [Fact]
    public void Solve_Euclidean_WithSampledStart_ValidThreadIndependentAndNearOptimal()
    {
        const int n = 4096;
        var data = SyntheticData.Generate(SyntheticDataset.MafMoonsRings, n, 1, 2, withTarget: true);
        var cost = new Euclidean<double>();
        var solver = new HierarchicalRefinement { Seed = 2, Cost = cost, SinglePrecisionMinPoints = 1, SampledStartPoints = 512, SampledStartMinBlock = 2048, SampledStartEuclidean = true, LargeBlockSquaredFactors = false };
        Assert.True(solver.SplitOptionsFor(n).UsesSampledStart(n));
        var result = solver.Solve(data.Source, data.Target!);
        Assert.Equal(Enumerable.Range(0, n), result.Permutation.Order());
        foreach (var threads in new[] { 1, 2 })
        {
            var again = (solver with { MaxDegreeOfParallelism = threads }).Solve(data.Source, data.Target!);
            Assert.Equal(result.Permutation, again.Permutation);
        }

        var plain = (solver with { SampledStartPoints = 0 }).Solve(data.Source, data.Target!);
        Assert.NotEqual(plain.Permutation, result.Permutation);
        var optimum = new LinearAssignment().Solve(data.Source, data.Target!, cost).TotalCost / n;
        Assert.InRange(result.Cost / optimum, 1.0 - 1e-9, 1.01);
    }

    [Fact]
    public void UsesSampledStart_OnlyForLargeFloatSquaredEuclideanSeededBlocks()
    {
        var on = new HierarchicalRefinement { SampledStartPoints = 1024, SampledStartMinBlock = 8192, SinglePrecisionMinBlock = 1 };
        // On by default from SampledStartMinBlock = 524 288 points (the float blocks of problems that large), off below.
        Assert.True(new HierarchicalRefinement().UsesSampledStart(524288));
        Assert.False(new HierarchicalRefinement().UsesSampledStart(524287));
        Assert.False(new HierarchicalRefinement { SampledStartPoints = 0 }.UsesSampledStart(1 << 24));
        Assert.True(on.UsesSampledStart(8192));
        Assert.False(on.UsesSampledStart(8191)); // below SampledStartMinBlock
        Assert.False((on with { SampledStartPoints = 4096 }).UsesSampledStart(8192)); // the block under 4 samples
        Assert.False((on with { SinglePrecisionMinBlock = 16384 }).UsesSampledStart(8192)); // a double-precision block
        Assert.False((on with { Cost = new Euclidean<double>() }).UsesSampledStart(8192)); // stop 25: opt-in for the Euclidean cost
        Assert.True((on with { Cost = new Euclidean<double>(), SampledStartEuclidean = true }).UsesSampledStart(8192));
        Assert.False((on with { Cost = new Cosine<double>(), SampledStartEuclidean = true }).UsesSampledStart(8192));
        Assert.False(ShardedBlockSplit.Supports(on with { Cost = new Euclidean<double>() }, 8192)); // the sharded split: squared only
        Assert.False((on with { SeedingSteps = -1 }).UsesSampledStart(8192));
        // The sharded split runs the sampled start itself (same ranges as the whole block: ShardedCoClusteringTests).
        Assert.True(ShardedBlockSplit.Supports(on, 8192));
    }

    // Stop 29 (euclvl1): the large-block options apply from SampledStartMinBlock points only, and only when set; the squared
    // factors replace the Euclidean cost of the co-clustering (and so take the squared cost's sampled start), never another cost.
    [Fact]
    public void ForBlock_LargeBlockOptions_OnlyFromSampledStartMinBlock()
    {
        // On by default for the Euclidean cost from 524 288 points (level 1 at 1M), never below.
        Assert.IsType<SquaredEuclidean<double>>(new HierarchicalRefinement { Cost = new Euclidean<double>() }.ForBlock(524288).Cost);
        Assert.IsType<Euclidean<double>>(new HierarchicalRefinement { Cost = new Euclidean<double>() }.ForBlock(524287).Cost);
        var euclidean = new HierarchicalRefinement { Cost = new Euclidean<double>(), SampledStartPoints = 1024, SampledStartMinBlock = 8192, SinglePrecisionMinBlock = 1, LargeBlockSquaredFactors = false };
        Assert.Same(euclidean, euclidean.ForBlock(1 << 20)); // nothing set: the same options
        var squared = euclidean with { LargeBlockSquaredFactors = true };
        Assert.Same(squared, squared.ForBlock(8191));
        var big = squared.ForBlock(8192);
        Assert.IsType<SquaredEuclidean<double>>(big.Cost);
        Assert.True(big.UsesSampledStart(8192));
        Assert.False(squared.UsesSampledStart(8192)); // the Euclidean block itself: opt-in (SampledStartEuclidean)
        Assert.IsType<Cosine<double>>((squared with { Cost = new Cosine<double>() }).ForBlock(8192).Cost);
        var capped = euclidean with { LargeBlockLandmarks = 16, LargeBlockMaxIterations = 15, LargeBlockStallTolerance = 3e-3 };
        Assert.Same(capped, capped.ForBlock(8191));
        var large = capped.ForBlock(8192);
        Assert.Equal((16, 15, 3e-3), (large.Landmarks, large.MaxIterations, large.SinglePrecisionStallTolerance));
        Assert.IsType<Euclidean<double>>(large.Cost);
        // Stop 30 (levels): SquaredFactorsMinBlock, off by default, puts any Euclidean block from that size on the squared
        // factors alone (below SampledStartMinBlock: no sampled start, the block's own mirror steps); never other costs.
        Assert.Equal(int.MaxValue, new HierarchicalRefinement().SquaredFactorsMinBlock);
        var level2 = euclidean with { SquaredFactorsMinBlock = 1024 };
        Assert.Same(level2, level2.ForBlock(1023));
        var small = level2.ForBlock(1024);
        Assert.IsType<SquaredEuclidean<double>>(small.Cost);
        Assert.Equal(level2 with { Cost = new SquaredEuclidean<double>() }, small);
        Assert.False(small.UsesSampledStart(1024));
        Assert.IsType<SquaredEuclidean<double>>(level2.ForBlock(8192).Cost);
        Assert.True(level2.ForBlock(8192).UsesSampledStart(8192));
        Assert.IsType<Cosine<double>>((level2 with { Cost = new Cosine<double>() }).ForBlock(1024).Cost);
        var data = SyntheticData.Generate(SyntheticDataset.MafMoonsRings, 64, 1, 2, withTarget: true);
        Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LargeBlockLandmarks = -1 }.Solve(data.Source, data.Target!));
        Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LargeBlockMaxIterations = -1 }.Solve(data.Source, data.Target!));
        Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LargeBlockStallTolerance = double.NaN }.Solve(data.Source, data.Target!));
        Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LargeBlockCostSteps = -1 }.Solve(data.Source, data.Target!));
        Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { LargeBlockSquaredFactors = false, LargeBlockCostSteps = 6 }.Solve(data.Source, data.Target!));
        Assert.Throws<InputValidationException>(() => new HierarchicalRefinement { SquaredFactorsMinBlock = 0 }.Solve(data.Source, data.Target!));
    }

    // Stop 29 (euclvl1): with the thresholds lowered, a Euclidean solve whose level-1 block co-clusters with the squared
    // factors (and the sampled start), or with fewer landmarks, a mirror-step cap and a looser stall stop, is a valid,
    // thread-independent matching, another one than the default's, within 1% of the exact optimum (Jonker–Volgenant).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Solve_Euclidean_LargeBlockOptions_ValidThreadIndependentAndNearOptimal(bool squaredFactors)
    {
        const int n = 4096;
        var data = SyntheticData.Generate(SyntheticDataset.MafMoonsRings, n, 1, 2, withTarget: true);
        var cost = new Euclidean<double>();
        var plain = new HierarchicalRefinement { Seed = 2, Cost = cost, SinglePrecisionMinPoints = 1, SampledStartPoints = 512, SampledStartMinBlock = 2048, LargeBlockSquaredFactors = false };
        var solver = squaredFactors
            ? plain with { LargeBlockSquaredFactors = true }
            : plain with { LargeBlockLandmarks = 16, LargeBlockMaxIterations = 15, LargeBlockStallTolerance = 3e-3 };
        Assert.NotSame(solver.SplitOptionsFor(n), solver.SplitOptionsFor(n).ForBlock(n));
        Assert.Equal(squaredFactors, solver.SplitOptionsFor(n).ForBlock(n).UsesSampledStart(n));
        AssertValidThreadIndependentOtherAndNearOptimal(solver, plain, data, cost);
    }

    // Stop 30 (levels): with SquaredFactorsMinBlock at 256, every Euclidean block of at least 256 points (below the sampled
    // start's threshold) co-clusters with the squared factors: a valid, thread-independent matching, another one than the
    // default's, within 1% of the exact optimum of the Euclidean cost (Jonker–Volgenant).
    [Fact]
    public void Solve_Euclidean_SquaredFactorsMinBlock_ValidThreadIndependentAndNearOptimal()
    {
        const int n = 4096;
        var data = SyntheticData.Generate(SyntheticDataset.MafMoonsRings, n, 1, 2, withTarget: true);
        var cost = new Euclidean<double>();
        var plain = new HierarchicalRefinement { Seed = 2, Cost = cost, SinglePrecisionMinPoints = 1 };
        var solver = plain with { SquaredFactorsMinBlock = 256 };
        Assert.IsType<SquaredEuclidean<double>>(solver.SplitOptionsFor(n).ForBlock(n).Cost);
        AssertValidThreadIndependentOtherAndNearOptimal(solver, plain, data, cost);
    }

    // A valid permutation, the same at 1 and 2 threads, another one than plain's, within 1% of the exact optimum of the
    // cost (Jonker–Volgenant).
    private static void AssertValidThreadIndependentOtherAndNearOptimal(HierarchicalRefinement solver, HierarchicalRefinement plain, DatasetSample data, ICostFunction<double> cost)
    {
        var n = data.Source.Count;
        var result = solver.Solve(data.Source, data.Target!);
        Assert.Equal(Enumerable.Range(0, n), result.Permutation.Order());
        foreach (var threads in new[] { 1, 2 })
        {
            var again = (solver with { MaxDegreeOfParallelism = threads }).Solve(data.Source, data.Target!);
            Assert.Equal(result.Permutation, again.Permutation);
        }

        Assert.NotEqual(plain.Solve(data.Source, data.Target!).Permutation, result.Permutation);
        var optimum = new LinearAssignment().Solve(data.Source, data.Target!, cost).TotalCost / n;
        Assert.InRange(result.Cost / optimum, 1.0 - 1e-9, 1.01);
    }
}
