using Monge.Datasets;
using Monge.Numerics;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Hierarchical;

/// <summary>The large-problem paths of HiRef: every level in single precision (SinglePrecisionMinPoints), the stall stop of
/// the single-precision co-clustering, its vectorised gradient, and the scratch pool kept across levels.</summary>
public class HiRefScaleTests
{
    private static DatasetSample Sample(SyntheticDataset dataset, int n, int d = 2) => SyntheticData.Generate(dataset, n, 2, d, withTarget: true);

    // A problem at or above SinglePrecisionMinPoints runs every block in float: the same bits as SinglePrecisionMinBlock = 1;
    // one point below it the solve is the double-precision one.
    [Fact]
    public void Solve_SinglePrecisionMinPoints_SwitchesEveryLevelAtTheThreshold()
    {
        const int n = 3001;
        var sample = Sample(SyntheticDataset.EightGaussiansMoons, n);
        var solver = new HierarchicalRefinement { Seed = 2, LeafSize = 64, SlabRounds = 0, Polish = false };
        var allFloat = (solver with { SinglePrecisionMinBlock = 1 }).Solve(sample.Source, sample.Target!);
        var atThreshold = (solver with { SinglePrecisionMinPoints = n }).Solve(sample.Source, sample.Target!);
        var below = (solver with { SinglePrecisionMinPoints = n + 1 }).Solve(sample.Source, sample.Target!);
        var doublePath = solver.Solve(sample.Source, sample.Target!);

        Assert.Equal(allFloat.Permutation, atThreshold.Permutation);
        Assert.Equal(allFloat.Cost, atThreshold.Cost);
        Assert.Equal(doublePath.Permutation, below.Permutation);
        Assert.Equal(doublePath.Cost, below.Cost);
        Assert.True(atThreshold.PeakScratchBytes < doublePath.PeakScratchBytes, $"float {atThreshold.PeakScratchBytes} B, double {doublePath.PeakScratchBytes} B");
        Assert.InRange(atThreshold.Cost / doublePath.Cost, 0.995, 1.005);
        Assert.Throws<InputValidationException>(() => (solver with { SinglePrecisionMinPoints = 0 }).Solve(sample.Source, sample.Target!));
        Assert.Throws<InputValidationException>(() => (solver with { SinglePrecisionStallTolerance = -1 }).Solve(sample.Source, sample.Target!));
    }

    // Stop 22: problems above LargeSlabMaxPoints stop the float co-clustering with SinglePrecisionLargeStallTolerance;
    // smaller ones keep SinglePrecisionStallTolerance. Oracle: the same solve with the tolerance given directly.
    [Fact]
    public void SplitOptionsFor_LargeStallToleranceOnlyAboveLargeSlabMaxPoints()
    {
        var defaults = new HierarchicalRefinement();
        Assert.Equal(1e-4, defaults.SplitOptionsFor(262144).SinglePrecisionStallTolerance);
        Assert.Equal(1e-3, defaults.SplitOptionsFor(262145).SinglePrecisionStallTolerance);
        Assert.Equal(1e-4, HierarchicalRefinement.ForQuality(HiRefQuality.Best).SplitOptionsFor(1 << 20).SinglePrecisionStallTolerance);

        const int n = 6000;
        var sample = Sample(SyntheticDataset.EightGaussiansMoons, n);
        var solver = new HierarchicalRefinement { Seed = 3, LeafSize = 64, SinglePrecisionMinPoints = 1, SlabRounds = 0, Polish = false };
        var large = (solver with { LargeSlabMaxPoints = n - 1, SinglePrecisionLargeStallTolerance = 1e-2 }).Solve(sample.Source, sample.Target!);
        var direct = (solver with { LargeSlabMaxPoints = n - 1, SinglePrecisionStallTolerance = 1e-2, SinglePrecisionLargeStallTolerance = 1e-2 }).Solve(sample.Source, sample.Target!);
        var small = (solver with { LargeSlabMaxPoints = n, SinglePrecisionLargeStallTolerance = 1e-2 }).Solve(sample.Source, sample.Target!);
        var reference = solver.Solve(sample.Source, sample.Target!);
        Assert.Equal(direct.Permutation, large.Permutation);
        Assert.Equal(reference.Permutation, small.Permutation);
        Assert.NotEqual(reference.Permutation, large.Permutation); // 1e-2 really stopped some block earlier
        Assert.Throws<InputValidationException>(() => (solver with { SinglePrecisionLargeStallTolerance = double.NaN }).Solve(sample.Source, sample.Target!));
    }

    // The float path with its stall stop does not depend on the thread count nor on the executor.
    [Fact]
    public void Solve_SinglePrecisionEveryLevel_IndependentOfThreadsAndExecutor()
    {
        var sample = Sample(SyntheticDataset.HalfMoonSCurve, 5000);
        var solver = new HierarchicalRefinement { Seed = 1, LeafSize = 32, MaxRank = 8, SinglePrecisionMinPoints = 1, SlabRounds = 0 };
        var reference = solver.Solve(sample.Source, sample.Target!);
        foreach (var variant in new[] { solver with { MaxDegreeOfParallelism = 1 }, solver with { MaxDegreeOfParallelism = 2 }, solver with { Executor = new OwnPoolExecutor() } })
        {
            var result = variant.Solve(sample.Source, sample.Target!);
            Assert.Equal(reference.Permutation, result.Permutation);
            Assert.Equal(BitConverter.DoubleToInt64Bits(reference.Cost), BitConverter.DoubleToInt64Bits(result.Cost));
        }
    }

    // The stall stop: with tolerance 0 every iteration runs; with a loose one the block stops early, and the cost of
    // the whole solve stays within 0.1% of the full iterations (independent oracle: the full run).
    [Fact]
    public void CompactCoClustering_StallStop_FewerStepsSameQuality()
    {
        var sample = Sample(SyntheticDataset.EightGaussiansMoons, 8192);
        var x = sample.Source.Data.ToArray();
        var y = sample.Target!.Data.ToArray();
        var ix = Enumerable.Range(0, 8192).ToArray();
        var settings = new CoClusteringSettings(4.0, 30, 20, 1e-4, 1.0);
        int Steps(double tolerance)
        {
            var ws = new CoClusteringWorkspace();
            var rng = new Random(5);
            var k = BlockFactors.Gather(ws, x, y, 2, ix, ix, null, 32, rng);
            CompactCoClustering.Seed(ws, x, y, 2, ix, ix, 8, 4.0, 2, rng, null);
            return CompactCoClustering.Run(ws, 8192, k, 8, settings, tolerance, 5, seeded: true, null, CancellationToken.None);
        }

        Assert.Equal(30, Steps(0.0));
        Assert.InRange(Steps(1e-4), 2, 30);
        Assert.InRange(Steps(1e-2), 2, 29);

        var solver = new HierarchicalRefinement { Seed = 4, SinglePrecisionMinPoints = 1, SlabRounds = 0, Polish = false };
        var stopped = solver.Solve(sample.Source, sample.Target!);
        var full = (solver with { SinglePrecisionStallTolerance = 0 }).Solve(sample.Source, sample.Target!);
        Assert.InRange(stopped.Cost / full.Cost, 0.999, 1.001);
    }

    // A warm start of the column scalings is only a start: projected to convergence from 1 and from arbitrary positive
    // scalings, the same logits give the same plan (the KL projection onto both marginals is unique), with rows summing
    // to 1 and columns to m/r (independent oracle: the marginals and the cold projection).
    [Theory]
    [InlineData(3000, 8, 1.0)]
    [InlineData(2500, 13, 6.0)]
    public void Project_WarmStart_SameProjectionAsColdStart(int m, int r, double contrast)
    {
        var rng = Seeds.Create(m + r);
        var logits = Enumerable.Range(0, m * r).Select(_ => (float)(contrast * ((rng.NextDouble() * 2) - 1))).ToArray();
        var warm = Enumerable.Range(0, r).Select(_ => (float)(0.2 + (4.8 * rng.NextDouble()))).ToArray();
        float[] Plan(float[]? start)
        {
            var ws = new CoClusteringWorkspace();
            ws.EnsureCompactClusters(m, r, 1);
            var log = (float[])logits.Clone();
            CompactCoClustering.Project(ws, log, ws.ValQ32, m, r, 5000, 1e-6, null, null, 0, 0.0, null, 0, null, warm: start);
            return ws.ValQ32.AsSpan(0, m * r).ToArray();
        }

        var cold = Plan(null);
        var warmStart = (float[])warm.Clone();
        var warmed = Plan(warmStart);
        Assert.NotEqual(warm, warmStart); // the projection kept its own final scalings for the next one
        var columns = new double[r];
        for (var i = 0; i < m; i++)
        {
            var row = 0.0;
            for (var z = 0; z < r; z++)
            {
                var p = warmed[(i * r) + z];
                Assert.True(Math.Abs(p - cold[(i * r) + z]) <= 2e-4 * Math.Max(1.0, cold[(i * r) + z]), $"({i}, {z}): {p} vs {cold[(i * r) + z]}");
                row += p;
                columns[z] += p;
            }

            Assert.InRange(row, 1 - 1e-3, 1 + 1e-3);
        }

        foreach (var column in columns)
        {
            Assert.InRange(column / ((double)m / r), 1 - 1e-3, 1 + 1e-3);
        }
    }

    // The warm-started column scalings (the default) against the cold start on the whole float solve: no worse (they converge
    // the projections the cold start cuts at MaxProjectionIterations), and the same permutation for any thread count.
    [Fact]
    public void Solve_WarmColumnScalings_NoWorseThanColdStart()
    {
        var sample = Sample(SyntheticDataset.EightGaussiansMoons, 8192);
        var solver = new HierarchicalRefinement { Seed = 4, SinglePrecisionMinPoints = 1, SlabRounds = 0, Polish = false };
        var warm = solver.Solve(sample.Source, sample.Target!);
        var cold = (solver with { WarmColumnScalings = false }).Solve(sample.Source, sample.Target!);
        var oneThread = (solver with { MaxDegreeOfParallelism = 1 }).Solve(sample.Source, sample.Target!);
        Assert.NotEqual(cold.Permutation, warm.Permutation);
        Assert.True(warm.Cost <= cold.Cost * 1.001, $"warm {warm.Cost}, cold {cold.Cost}");
        Assert.Equal(warm.Permutation, oneThread.Permutation);
    }

    // The vectorised row gradient against the plain double loop, for widths below, at and above the SIMD width.
    [Theory]
    [InlineData(2, 4)]
    [InlineData(3, 18)]
    [InlineData(8, 4)]
    [InlineData(13, 34)]
    [InlineData(16, 4)]
    [InlineData(17, 66)]
    public void Gradient_MatchesScalarLoop(int r, int k)
    {
        var rng = Seeds.Create((r * 100) + k);
        var f = Enumerable.Range(0, k).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
        var m = Enumerable.Range(0, k * r).Select(_ => (rng.NextDouble() * 20) - 10).ToArray();
        var g = new double[r];
        CompactCoClustering.Gradient(f, m, r, g);
        for (var z = 0; z < r; z++)
        {
            var expected = 0.0;
            var scale = 0.0;
            for (var kk = 0; kk < k; kk++)
            {
                expected += f[kk] * m[(kk * r) + z];
                scale += Math.Abs(f[kk] * m[(kk * r) + z]);
            }

            Assert.True(Math.Abs(g[z] - expected) <= 1e-14 * scale, $"z = {z}: {g[z]} vs {expected}");
        }
    }

    // The local executor takes its workers' scratches from the solve's pool and puts them back: the next level's worker gets
    // the previous level's buffers (the same instance) instead of allocating beside them.
    [Fact]
    public void LocalExecutor_ScratchPoolAcrossLevels_ReusesBuffers()
    {
        var sample = Sample(SyntheticDataset.HalfMoonSCurve, 2000);
        var options = new HierarchicalRefinement { LeafSize = 32, MaxDegreeOfParallelism = 1 };
        var splitter = new HiRefBlockSplitter(options);
        var idxX = Enumerable.Range(0, 2000).ToArray();
        var idxY = Enumerable.Range(0, 2000).ToArray();
        var pool = new HiRefScratchPool();
        var first = new HiRefLevel(0, 4, [new HiRefBlock(0, 0, 0, 0, 2000)]);
        var one = Run(first);
        Assert.Equal(1, pool.Count);
        var scratch = pool.Take();
        pool.Return(scratch);
        var bytes = scratch.Bytes;
        Assert.Equal(bytes, one.ScratchBytes);
        Assert.Equal(2000, scratch.LargestBlock);

        var second = new HiRefLevel(1, 4, [.. one.Children[0].Select((b, i) => b with { Index = i })]);
        var two = Run(second);
        Assert.Equal(1, pool.Count);
        Assert.Same(scratch, pool.Take());
        pool.Return(scratch);
        Assert.Equal(bytes, scratch.Bytes); // smaller blocks fit in the level-1 buffers: nothing grew
        Assert.Equal(bytes, two.ScratchBytes);
        Assert.All(two.Children, c => Assert.Equal(4, c.Count));

        HiRefLevelResult Run(HiRefLevel level)
        {
            var input = new HiRefLevelInput(splitter, sample.Source.Memory, sample.Target!.Memory, 2, idxX, idxY, 1, level, null) { ScratchPool = pool };
            return LocalParallelExecutor.Instance.RunLevelAsync(level, input, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    // Before a level the solve drops the scratches sized for blocks more than twice the level's largest (at 10⁷ points
    // level 1's ~2.7 GB would otherwise be held through every later level) and keeps the others.
    [Fact]
    public void ScratchPool_TrimFor_DropsOnlyScratchesOfMuchLargerBlocks()
    {
        var sample = Sample(SyntheticDataset.HalfMoonSCurve, 2000);
        var splitter = new HiRefBlockSplitter(new HierarchicalRefinement { MaxDegreeOfParallelism = 1 });
        var pool = new HiRefScratchPool();
        var big = Split(2000);
        var small = Split(600);
        pool.Return(big);
        pool.Return(small);

        Assert.Equal(0, pool.TrimFor(1000)); // 2000 ≤ 2·1000: both kept
        Assert.Equal(2, pool.Count);
        Assert.Equal(big.Bytes, pool.TrimFor(999)); // the 2000-point scratch goes, the 600-point one stays
        Assert.Equal(1, pool.Count);
        Assert.Same(small, pool.Take());
        pool.Return(small);
        Assert.Equal(small.Bytes, pool.Clear());
        Assert.Equal(0, pool.Count);
        Assert.Equal(0, pool.Bytes);

        HiRefScratch Split(int m)
        {
            var scratch = new HiRefScratch();
            var ix = Enumerable.Range(0, m).ToArray();
            var iy = Enumerable.Range(0, m).ToArray();
            splitter.Split(new HiRefBlock(0, 0, 0, 0, m), 4, sample.Source.Memory.Span, sample.Target!.Memory.Span, 2, ix, iy, scratch);
            Assert.Equal(m, scratch.LargestBlock);
            Assert.True(scratch.Bytes > 0);
            return scratch;
        }
    }

    // The split's sort pairs and k-means++'s distances may come from a worker's scratch (larger than the block, holding an
    // earlier block's values): the same labels and centres as with fresh arrays.
    [Fact]
    public void SplitScratches_LargerAndDirty_SameAsFreshArrays()
    {
        const int n = 5003, r = 7;
        var rng = new Random(11);
        var scores = new float[n * r];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = (float)rng.NextDouble();
        }

        var caps = new int[r];
        CapacitySplit.ChildSizes(n, r, caps);
        var expected = new int[n];
        CapacitySplit.MarginGreedy(scores, n, r, caps, expected, new double[n], new int[n]);
        var pairs = new (double Key, int Index)[n + 100];
        Array.Fill(pairs, (-1.0, 3));
        foreach (var threads in new[] { 1, 2 })
        {
            var labels = new int[n];
            CapacitySplit.MarginGreedy(scores, n, r, caps, labels, new double[n], new int[n], new ParallelOptions { MaxDegreeOfParallelism = threads }, pairs);
            Assert.Equal(expected, labels);
        }

        var sample = Sample(SyntheticDataset.HalfMoonSCurve, 3000);
        var x = sample.Source.Data.ToArray();
        var rows = Enumerable.Range(0, 3000).Where(i => i % 3 != 0).ToArray();
        var fresh = new double[r * 2];
        var reused = new double[r * 2];
        var distances = Enumerable.Repeat(-5.0, 4000).ToArray();
        KMeans.Seed(x, rows.Length, 2, r, new Random(4), fresh, rows);
        KMeans.Seed(x, rows.Length, 2, r, new Random(4), reused, rows, distances);
        Assert.Equal(fresh, reused);
    }

    // An executor without the solve's pool (as a third-party executor would be built): same results.
    private sealed class OwnPoolExecutor : IHiRefExecutor
    {
        public ValueTask<HiRefLevelResult> RunLevelAsync(HiRefLevel level, HiRefLevelInput input, CancellationToken cancellationToken)
        {
            var children = new IReadOnlyList<HiRefBlock>[level.Blocks.Count];
            var scratch = new HiRefScratch();
            for (var s = level.Blocks.Count - 1; s >= 0; s--)
            {
                var block = level.Blocks[s];
                children[s] = input.Splitter.Split(block, level.Rank, input.X.Span, input.Y.Span, input.Dimension, input.IndicesX.Span[block.XRange], input.IndicesY.Span[block.YRange], scratch, null, cancellationToken);
                input.ReportBlockDone();
            }

            return ValueTask.FromResult(new HiRefLevelResult(children, scratch.Bytes));
        }
    }
    // The leaf cost gathers the group's targets into one buffer (HiRefMatching.FillCost): every entry is the pair cost of
    // the two points the positions name (oracle: BlockFactors.PairCost, the scalar formula), in 2-D (its own loop) and
    // in 3-D, for the gathered costs and for one that keeps the per-pair path.
    [Theory]
    [InlineData(2, "sqeuclidean")]
    [InlineData(3, "sqeuclidean")]
    [InlineData(2, "euclidean")]
    [InlineData(3, "pnorm:3")]
    public void LeafFillCost_EveryEntryIsThePairCost(int d, string costName)
    {
        var cost = Monge.Geometry.Costs.CostFunction.Parse<double>(costName);
        var passed = costName == "sqeuclidean" ? null : cost;
        var sample = SyntheticData.Generate(d == 2 ? SyntheticDataset.EightGaussiansMoons : SyntheticDataset.GaussianMixture, 200, 3, d, withTarget: true);
        var x = sample.Source.Data.ToArray();
        var y = sample.Target!.Data.ToArray();
        var rng = new Random(5);
        var idxX = Enumerable.Range(0, 200).OrderBy(_ => rng.Next()).ToArray();
        var idxY = Enumerable.Range(0, 200).OrderBy(_ => rng.Next()).ToArray();
        int[] positions = [.. Enumerable.Range(40, 23), .. Enumerable.Range(150, 17)];
        var m = positions.Length;
        var c = new double[m * m];
        HiRefMatching.FillCost(x, y, d, idxX, idxY, positions, passed, new CoClusteringWorkspace(), c);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var expected = BlockFactors.PairCost(x.AsSpan(idxX[positions[i]] * d, d), y.AsSpan(idxY[positions[j]] * d, d), passed);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(c[(i * m) + j]));
            }
        }
    }

    // The levels' block costs are summed per block in parallel, then in block order: the same bits with one thread or two.
    [Fact]
    public void Solve_LevelBlockCosts_IndependentOfThreads()
    {
        var sample = Sample(SyntheticDataset.HalfMoonSCurve, 3000);
        var solver = new HierarchicalRefinement { Seed = 3, LeafSize = 32, SlabRounds = 0 };
        var one = (solver with { MaxDegreeOfParallelism = 1 }).Solve(sample.Source, sample.Target!);
        var two = (solver with { MaxDegreeOfParallelism = 2 }).Solve(sample.Source, sample.Target!);
        Assert.Equal(one.Levels.Select(l => BitConverter.DoubleToInt64Bits(l.BlockCost)), two.Levels.Select(l => BitConverter.DoubleToInt64Bits(l.BlockCost)));
        Assert.True(one.Levels.Count >= 2);
    }

    // The leaves, leaf pairs and slabs through the mixed-precision route of the assignment solver (float32 phases, exact
    // float64 repair) from 2 points up, against the double-only route everywhere (oracle: the exact double optimum of
    // every group; unique on continuous data): the same permutation and the same cost bits, at one thread and two.
    [Theory]
    [InlineData(SyntheticDataset.EightGaussiansMoons, "sqeuclidean")]
    [InlineData(SyntheticDataset.HalfMoonSCurve, "euclidean")]
    public void Solve_ExactMixedPrecision_SameMatchingAsDouble(SyntheticDataset dataset, string costName)
    {
        var sample = Sample(dataset, 2048);
        var cost = costName == "sqeuclidean" ? null : Monge.Geometry.Costs.CostFunction.Parse<double>(costName);
        var solver = new HierarchicalRefinement { Seed = 5, LeafSize = 128, Cost = cost };
        var exact = (solver with { ExactMixedPrecisionMinSize = int.MaxValue }).Solve(sample.Source, sample.Target!);
        foreach (var threads in new[] { 1, 2 })
        {
            var mixed = (solver with { ExactMixedPrecisionMinSize = 2, MaxDegreeOfParallelism = threads }).Solve(sample.Source, sample.Target!);
            Assert.Equal(exact.Permutation, mixed.Permutation);
            Assert.Equal(BitConverter.DoubleToInt64Bits(exact.Cost), BitConverter.DoubleToInt64Bits(mixed.Cost));
        }

        Assert.Throws<InputValidationException>(() => (solver with { ExactMixedPrecisionMinSize = 1 }).Solve(sample.Source, sample.Target!));
    }

    // The groups' multiscale warm start from 128, 64 or 32 points (ExactWarmStartMinSize; default 96), float route on and
    // off, against the default solve (oracle: the exact double optimum of every group; unique on continuous data): the
    // same permutation and cost bits, at one thread and two.
    [Theory]
    [InlineData(SyntheticDataset.EightGaussiansMoons, "sqeuclidean")]
    [InlineData(SyntheticDataset.HalfMoonSCurve, "euclidean")]
    public void Solve_ExactWarmStartMinSize_SameMatchingAsDefault(SyntheticDataset dataset, string costName)
    {
        var sample = Sample(dataset, 2048);
        var cost = costName == "sqeuclidean" ? null : Monge.Geometry.Costs.CostFunction.Parse<double>(costName);
        var solver = new HierarchicalRefinement { Seed = 5, LeafSize = 128, Cost = cost };
        var plain = solver.Solve(sample.Source, sample.Target!);
        foreach (var (threads, mixed, warm) in new[] { (1, 2, 128), (2, 2, 64), (1, int.MaxValue, 32) })
        {
            var other = (solver with { ExactMixedPrecisionMinSize = mixed, ExactWarmStartMinSize = warm, MaxDegreeOfParallelism = threads }).Solve(sample.Source, sample.Target!);
            Assert.Equal(plain.Permutation, other.Permutation);
            Assert.Equal(BitConverter.DoubleToInt64Bits(plain.Cost), BitConverter.DoubleToInt64Bits(other.Cost));
        }

        Assert.Throws<InputValidationException>(() => (solver with { ExactWarmStartMinSize = 1 }).Solve(sample.Source, sample.Target!));
    }

    // The leaves straight to the warm start and 0–2 row reduction passes after it (ExactWarmStartFirst,
    // ExactWarmStartReductionPasses; defaults true and 0 since stop 31) against the solver's previous leaf route (the column
    // reduction and a first pass before the warm start, two passes after it): the same permutation and cost bits (the
    // exact double optimum of every leaf; unique on continuous data), at one thread and two, float route on and off.
    [Theory]
    [InlineData(SyntheticDataset.EightGaussiansMoons, "sqeuclidean")]
    [InlineData(SyntheticDataset.HalfMoonSCurve, "euclidean")]
    public void Solve_ExactWarmStartFirst_SameMatchingAsPreviousRoute(SyntheticDataset dataset, string costName)
    {
        var sample = Sample(dataset, 2048);
        var cost = costName == "sqeuclidean" ? null : Monge.Geometry.Costs.CostFunction.Parse<double>(costName);
        var solver = new HierarchicalRefinement { Seed = 5, LeafSize = 128, Cost = cost };
        var previous = (solver with { ExactWarmStartFirst = false, ExactWarmStartReductionPasses = 2 }).Solve(sample.Source, sample.Target!);
        foreach (var (threads, first, passes, mixed) in new[] { (1, true, 0, 2), (2, true, 0, 2), (2, true, 1, int.MaxValue), (1, false, 0, 2), (2, true, 2, 2) })
        {
            var other = (solver with { ExactWarmStartFirst = first, ExactWarmStartReductionPasses = passes, ExactMixedPrecisionMinSize = mixed, MaxDegreeOfParallelism = threads }).Solve(sample.Source, sample.Target!);
            Assert.Equal(previous.Permutation, other.Permutation);
            Assert.Equal(BitConverter.DoubleToInt64Bits(previous.Cost), BitConverter.DoubleToInt64Bits(other.Cost));
        }

        Assert.Throws<InputValidationException>(() => (solver with { ExactWarmStartReductionPasses = 3 }).Solve(sample.Source, sample.Target!));
        Assert.Throws<InputValidationException>(() => (solver with { ExactWarmStartReductionPasses = -1 }).Solve(sample.Source, sample.Target!));
    }
}
