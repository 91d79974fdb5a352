using Monge.Solvers.Hierarchical;

namespace Monge.Tests.Solvers.Hierarchical;

public class RankScheduleTests
{
    // Every row of the reference table (hiref_frlc.md §3.2, from the authors' notebooks).
    public static TheoryData<int, int, int, int, int[]> ReferenceTable() => new()
    {
        { 8192, 6, 1024, 1024, [16, 512] },
        { 1024, 6, 50, 50, [32, 32] },
        { 10000, 6, 200, 500, [80, 125] },
        { 100000, 6, 1000, 1000, [125, 800] },
        { 200000, 6, 1024, 1024, [200, 1000] },
        { 640500, 6, 2048, 64, [7, 50, 1830] },
        { 84172, 4, 4096, 11, [2, 11, 3826] },
        { 1048576, 6, 2048, 64, [16, 64, 1024] },
        { 524288, 6, 2048, 64, [8, 64, 1024] },
        { 131072, 6, 1024, 16, [16, 16, 512] },
        { 65536, 6, 1024, 64, [2, 64, 512] },
        { 32768, 6, 1024, 64, [64, 512] },
        { 16384, 6, 1024, 16, [2, 16, 512] },
        { 4096, 6, 1024, 16, [8, 512] },
        { 1024, 6, 1024, 16, [2, 512] },
    };

    [Theory]
    [MemberData(nameof(ReferenceTable))]
    public void Reference_NotebookSettings_ReproducesTable(int n, int depth, int maxQ, int maxRank, int[] expected)
    {
        var schedule = RankSchedule.Reference(n, depth, maxQ, maxRank);
        Assert.Equal(expected, schedule);
        Assert.Equal(n, schedule.Aggregate(1L, (p, r) => p * r));
    }

    [Fact]
    public void Reference_PrimeN_ThrowsWithPointerToForSize()
    {
        // 10007 is prime and above max_Q = 1024, so Q = 1 and n/Q = 10007 has no factor ≤ 16 (1009 < 1024 would be its own base block).
        Assert.Equal([1009], RankSchedule.Reference(1009));
        var ex = Assert.Throws<InputValidationException>(() => RankSchedule.Reference(10007));
        Assert.Equal(InputProblem.InvalidParameter, ex.Problem);
        Assert.Contains("ForSize", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reference_PowerOfTwo_BaseBlockIsStrictlyBelowMaxQ()
    {
        var schedule = RankSchedule.Reference(1 << 14, 6, 1 << 10, 16);
        Assert.Equal(512, schedule[^1]);
    }

    [Theory]
    [InlineData(1009, 64, 16, 8)]
    [InlineData(10007, 128, 16, 8)]
    [InlineData(1048576, 256, 16, 8)]
    [InlineData(1000003, 100, 7, 10)]
    [InlineData(262144, 256, 64, 4)]
    [InlineData(5, 1, 2, 8)]
    public void ForSize_AnyN_ReachesLeafSizeWithinBounds(int n, int leafSize, int maxRank, int maxDepth)
    {
        var schedule = RankSchedule.ForSize(n, leafSize, maxRank, maxDepth);
        Assert.InRange(schedule.Length, 1, maxDepth);
        Assert.All(schedule, r => Assert.InRange(r, 2, maxRank));
        Assert.Equal(schedule.Order().ToArray(), schedule);
        Assert.True(RankSchedule.LargestLeaf(n, schedule) <= leafSize);

        // Minimality of the objective: no single rank can be lowered without breaking the leaf bound.
        for (var t = 0; t < schedule.Length; t++)
        {
            if (schedule[t] > 2)
            {
                var smaller = (int[])schedule.Clone();
                smaller[t]--;
                Assert.True(RankSchedule.LargestLeaf(n, smaller) > leafSize, $"rank {t} of [{string.Join(",", schedule)}] could be lowered");
            }
        }
    }

    // Fewest levels, then the smallest rank sum, then the fewest co-clusters: checked against brute force over every
    // non-decreasing rank tuple of the minimal depth.
    [Theory]
    [InlineData(16384, 256, 16, 8, new[] { 8, 8 })]
    [InlineData(10007, 256, 16, 8, new[] { 5, 8 })]
    [InlineData(262144, 256, 16, 8, new[] { 8, 10, 13 })]
    [InlineData(1048576, 256, 16, 8, new[] { 16, 16, 16 })]
    [InlineData(65536, 256, 16, 8, new[] { 16, 16 })]
    [InlineData(4096, 256, 16, 8, new[] { 16 })]
    [InlineData(3001, 64, 16, 8, new[] { 6, 8 })]
    public void ForSize_FewestLevelsThenBalancedRanks(int n, int leafSize, int maxRank, int maxDepth, int[] expected)
    {
        var schedule = RankSchedule.ForSize(n, leafSize, maxRank, maxDepth);
        Assert.Equal(expected, schedule);
        var needed = (n + leafSize - 1) / leafSize;
        var depth = 1;
        for (long reach = maxRank; reach < needed; reach *= maxRank)
        {
            depth++;
        }

        Assert.Equal(depth, schedule.Length);
        var bestSum = int.MaxValue;
        void Enumerate(int level, int lowest, long product, int sum)
        {
            if (level == depth)
            {
                if (product >= needed)
                {
                    bestSum = Math.Min(bestSum, sum);
                }

                return;
            }

            for (var r = lowest; r <= maxRank; r++)
            {
                Enumerate(level + 1, r, product * r, sum + r);
            }
        }

        Enumerate(0, 2, 1, 0);
        Assert.Equal(bestSum, schedule.Sum());
    }

    [Fact]
    public void ForSize_SmallN_IsEmpty()
    {
        Assert.Empty(RankSchedule.ForSize(256, 256));
        Assert.Empty(RankSchedule.ForSize(1, 1));
    }

    [Fact]
    public void ForSize_DepthTooSmall_Throws()
    {
        var ex = Assert.Throws<InputValidationException>(() => RankSchedule.ForSize(1 << 20, 16, 4, 3));
        Assert.Equal(InputProblem.InvalidParameter, ex.Problem);
    }

    [Fact]
    public void LargestLeaf_NestedCeilings_EqualCeilingOfProduct()
    {
        for (var n = 1; n < 3000; n += 37)
        {
            Assert.Equal((n + 29) / 30, RankSchedule.LargestLeaf(n, [2, 3, 5]));
        }
    }
}
