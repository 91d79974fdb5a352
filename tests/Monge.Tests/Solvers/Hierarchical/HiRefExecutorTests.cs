using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Hierarchical;
using Monge.Testing;

namespace Monge.Tests.Solvers.Hierarchical;

public class HiRefExecutorTests
{
    // Three levels at n = 3001 with LeafSize 32 and MaxRank 4, so the levels have 1, 4 and 16 blocks (sequential with
    // inner chunks and block-parallel, depending on the thread count); the polish steps run after them.
    private static readonly HierarchicalRefinement Options = new() { LeafSize = 32, MaxRank = 4, NeighbourhoodCandidates = 4 };

    private static DatasetSample Sample(int n = 3001) => SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 1, 2, withTarget: true);

    [Fact]
    public void Solve_AnyThreadCountOrExecutor_BitIdentical()
    {
        var sample = Sample();
        var reference = Options.Solve(sample.Source, sample.Target!);
        Assert.True(reference.Levels.Count >= 3);
        var variants = new (string Name, HierarchicalRefinement Solver)[]
        {
            ("dop 1", Options with { MaxDegreeOfParallelism = 1 }),
            ("dop 2", Options with { MaxDegreeOfParallelism = 2 }),
            ("dop -1", Options with { MaxDegreeOfParallelism = -1 }),
            ("reverse", Options with { Executor = new ReverseSequentialExecutor() }),
            ("shipping", Options with { Executor = new ShippingExecutor() }),
        };
        foreach (var (name, solver) in variants)
        {
            var result = solver.Solve(sample.Source, sample.Target!);
            Assert.True(reference.Permutation.AsSpan().SequenceEqual(result.Permutation), $"{name}: permutation differs");
            Assert.True(BitConverter.DoubleToInt64Bits(reference.Cost) == BitConverter.DoubleToInt64Bits(result.Cost), $"{name}: cost differs");
            Assert.Equal(reference.CostBeforePolish, result.CostBeforePolish);
        }
    }

    [Fact]
    public void Solve_CustomExecutor_SeesEveryLevelWithIndexedBlocks()
    {
        var sample = Sample(1000);
        var executor = new ReverseSequentialExecutor();
        var result = (Options with { Executor = executor }).Solve(sample.Source, sample.Target!);

        Assert.Equal(result.Levels.Count, executor.Levels.Count);
        for (var t = 0; t < executor.Levels.Count; t++)
        {
            var level = executor.Levels[t];
            Assert.Equal(t, level.Number);
            Assert.Equal(result.RankSchedule[t], level.Rank);
            Assert.Equal(result.Levels[t].BlocksSplit, level.Blocks.Count);
            Assert.All(level.Blocks, b => Assert.Equal(t, b.Level));
            Assert.All(level.Blocks, b => Assert.True(b.Size > Options.LeafSize));
            Assert.Equal(level.Blocks.Select(b => b.Index).Order(), level.Blocks.Select(b => b.Index));
        }

        Assert.Equal(1000, executor.Levels[0].Blocks.Single().Size);
    }

    [Fact]
    public void Split_SameBlockTwice_SameChildrenAndPermutation()
    {
        var sample = Sample(777);
        var splitter = new HiRefBlockSplitter(Options);
        var block = new HiRefBlock(1, 5, 100, 200, 777);
        int[] Run(out IReadOnlyList<HiRefBlock> children, out int[] iy)
        {
            var ix = Enumerable.Range(0, 777).ToArray();
            iy = Enumerable.Range(0, 777).Reverse().ToArray();
            children = splitter.Split(block, 4, sample.Source.Memory.Span, sample.Target!.Memory.Span, 2, ix, iy, new HiRefScratch());
            return ix;
        }

        var ix1 = Run(out var children1, out var iy1);
        var ix2 = Run(out var children2, out var iy2);

        Assert.Equal(ix1, ix2);
        Assert.Equal(iy1, iy2);
        Assert.Equal(children1, children2);
        Assert.Equal(Enumerable.Range(0, 777), ix1.Order());
        Assert.Equal(4, children1.Count);
        Assert.Equal(777, children1.Sum(c => c.Size));
        Assert.All(children1, c => Assert.InRange(c.Size, 777 / 4, (777 / 4) + 1));
        Assert.All(children1, c => Assert.Equal(2, c.Level));
        Assert.Equal([100, 295, 489, 683], children1.Select(c => c.XStart));
        Assert.Equal([200, 395, 589, 783], children1.Select(c => c.YStart));
    }

    [Fact]
    public void Split_DifferentBlockIndex_DifferentSeed()
    {
        var splitter = new HiRefBlockSplitter(Options);
        Assert.NotEqual(splitter.SeedOf(new HiRefBlock(1, 0, 0, 0, 10)), splitter.SeedOf(new HiRefBlock(1, 1, 0, 0, 10)));
        Assert.NotEqual(splitter.SeedOf(new HiRefBlock(1, 0, 0, 0, 10)), splitter.SeedOf(new HiRefBlock(2, 0, 0, 0, 10)));
        Assert.Equal(splitter.SeedOf(new HiRefBlock(1, 3, 0, 0, 10)), splitter.SeedOf(new HiRefBlock(1, 3, 50, 60, 20)));
    }

    [Fact]
    public void Split_WrongRangeLength_Throws()
    {
        var splitter = new HiRefBlockSplitter(Options);
        var points = new double[20];
        Assert.Throws<ArgumentException>(() =>
            splitter.Split(new HiRefBlock(0, 0, 0, 0, 10), 2, points, points, 2, new int[9], new int[10], new HiRefScratch()));
    }

    [Fact]
    public void Solve_Problem_SameAsPointClouds()
    {
        var sample = Sample(1500);
        foreach (var function in new ICostFunction<double>[] { new SquaredEuclidean<double>(), new Euclidean<double>() })
        {
            var solver = Options with { Cost = function };
            var problem = LinearProblem<double>.FromPointClouds(sample.Source, sample.Target!, function);
            var fromProblem = solver.Solve(problem);
            var fromClouds = solver.Solve(sample.Source, sample.Target!);
            Assert.Equal(fromClouds.Permutation, fromProblem.Permutation);
            Assert.Equal(fromClouds.Cost, fromProblem.Cost);
        }
    }

    [Fact]
    public void Solve_ProblemNotSupported_ThrowsInputValidation()
    {
        var rng = Seeds.Create(11);
        var x = Generators.UniformCloud(rng, 10, 2);
        var y = Generators.UniformCloud(rng, 10, 2);
        var solver = new HierarchicalRefinement();

        var unequal = LinearProblem<double>.FromPointClouds(x, Generators.UniformCloud(rng, 12, 2));
        Assert.Equal(InputProblem.DimensionMismatch, Assert.Throws<InputValidationException>(() => solver.Solve(unequal)).Problem);

        var weighted = new LinearProblem<double>(new PointCloudGeometry<double>(x, y), Generators.RandomWeights(rng, 10), null);
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => solver.Solve(weighted)).Problem);

        var dense = new LinearProblem<double>(new DenseGeometry<double>(new double[100], 10, 10));
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => solver.Solve(dense)).Problem);

        // An explicit Cost must agree with the problem's; left unset, the problem's cost is used.
        var otherCost = LinearProblem<double>.FromPointClouds(x, y, new Euclidean<double>());
        var explicitSquared = solver with { Cost = new SquaredEuclidean<double>() };
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => explicitSquared.Solve(otherCost)).Problem);
        Assert.Equal((solver with { Cost = new Euclidean<double>() }).Solve(x, y).Permutation, solver.Solve(otherCost).Permutation);

        var relaxed = LinearProblem<double>.FromPointClouds(x, y, relaxation: Relaxation.FromTau(0.5, 1));
        Assert.Equal(InputProblem.InvalidParameter, Assert.Throws<InputValidationException>(() => solver.Solve(relaxed)).Problem);
    }

    [Fact]
    public void Solve_ProblemWithUniformWeightsOnWeightedClouds_UsesProblemWeights()
    {
        var rng = Seeds.Create(12);
        var x = Generators.UniformCloud(rng, 40, 2);
        var y = Generators.UniformCloud(rng, 40, 2).WithWeights(Generators.RandomWeights(rng, 40));
        var problem = new LinearProblem<double>(new PointCloudGeometry<double>(x, y));
        var result = new HierarchicalRefinement { LeafSize = 8, MaxRank = 2 }.Solve(problem);

        Assert.Equal(Enumerable.Range(0, 40), result.Permutation.Order());
    }

    // Runs the blocks one after another, last first, on the calling thread with one scratch.
    private sealed class ReverseSequentialExecutor : IHiRefExecutor
    {
        public List<HiRefLevel> Levels { get; } = [];

        public ValueTask<HiRefLevelResult> RunLevelAsync(HiRefLevel level, HiRefLevelInput input, CancellationToken cancellationToken)
        {
            Levels.Add(level);
            var scratch = new HiRefScratch();
            var children = new IReadOnlyList<HiRefBlock>[level.Blocks.Count];
            for (var s = level.Blocks.Count - 1; s >= 0; s--)
            {
                var block = level.Blocks[s];
                children[s] = input.Splitter.Split(block, level.Rank, input.X.Span, input.Y.Span, input.Dimension, input.IndicesX.Span[block.XRange], input.IndicesY.Span[block.YRange], scratch, null, cancellationToken);
                input.ReportBlockDone();
            }

            return ValueTask.FromResult(new HiRefLevelResult(children, scratch.Bytes));
        }
    }

    // What a distributed executor does: copy each block's points into two sub-clouds, split them with identity index
    // ranges (as a remote worker would), and map the permuted local indices back through the block's ranges.
    private sealed class ShippingExecutor : IHiRefExecutor
    {
        public async ValueTask<HiRefLevelResult> RunLevelAsync(HiRefLevel level, HiRefLevelInput input, CancellationToken cancellationToken)
        {
            var d = input.Dimension;
            var children = new IReadOnlyList<HiRefBlock>[level.Blocks.Count];
            for (var s = 0; s < level.Blocks.Count; s++)
            {
                var block = level.Blocks[s];
                var m = block.Size;
                var ix = input.IndicesX.Span[block.XRange].ToArray();
                var iy = input.IndicesY.Span[block.YRange].ToArray();
                var xs = new double[m * d];
                var ys = new double[m * d];
                for (var i = 0; i < m; i++)
                {
                    input.X.Span.Slice(ix[i] * d, d).CopyTo(xs.AsSpan(i * d, d));
                    input.Y.Span.Slice(iy[i] * d, d).CopyTo(ys.AsSpan(i * d, d));
                }

                var (kids, localX, localY) = await Task.Run(() =>
                {
                    var lx = Enumerable.Range(0, m).ToArray();
                    var ly = Enumerable.Range(0, m).ToArray();
                    var c = input.Splitter.Split(block, level.Rank, xs, ys, d, lx, ly, new HiRefScratch(), null, cancellationToken);
                    return (c, lx, ly);
                }, cancellationToken);
                var targetX = input.IndicesX.Span[block.XRange];
                var targetY = input.IndicesY.Span[block.YRange];
                for (var i = 0; i < m; i++)
                {
                    targetX[i] = ix[localX[i]];
                    targetY[i] = iy[localY[i]];
                }

                children[s] = kids;
                input.ReportBlockDone();
            }

            return new HiRefLevelResult(children, 0);
        }
    }
}
