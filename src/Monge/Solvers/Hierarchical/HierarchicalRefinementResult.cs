namespace Monge.Solvers.Hierarchical;

/// <summary>The matching computed by <see cref="HierarchicalRefinement"/> and its diagnostics.</summary>
public sealed class HierarchicalRefinementResult
{
    internal HierarchicalRefinementResult(
        int[] permutation,
        double cost,
        int[] rankSchedule,
        IReadOnlyList<HiRefLevelReport> levels,
        int largestLeaf,
        double leafSeconds,
        double costBeforePolish,
        double polishSeconds,
        int polishRounds,
        long peakScratchBytes,
        TimeSpan elapsed)
    {
        Permutation = permutation;
        Cost = cost;
        RankSchedule = rankSchedule;
        Levels = levels;
        LargestLeaf = largestLeaf;
        LeafSeconds = leafSeconds;
        CostBeforePolish = costBeforePolish;
        PolishSeconds = polishSeconds;
        PolishRounds = polishRounds;
        PeakScratchBytes = peakScratchBytes;
        Elapsed = elapsed;
    }

    /// <summary>σ: source point i is matched to target point <c>Permutation[i]</c>; every target appears exactly once.</summary>
    public int[] Permutation { get; }

    /// <summary>The primal cost of the matching, (1/n) Σᵢ c(xᵢ, y_σ(i)).</summary>
    public double Cost { get; }

    /// <summary>The rank schedule that was used.</summary>
    public IReadOnlyList<int> RankSchedule { get; }

    /// <summary>Per-level diagnostics (levels that had nothing to split are not listed).</summary>
    public IReadOnlyList<HiRefLevelReport> Levels { get; }

    /// <summary>The largest leaf solved exactly.</summary>
    public int LargestLeaf { get; }

    /// <summary>Seconds spent solving the leaves exactly.</summary>
    public double LeafSeconds { get; }

    /// <summary>The cost before the optional polish (equal to <see cref="Cost"/> when polish is off).</summary>
    public double CostBeforePolish { get; }

    /// <summary>Seconds spent in the optional polish (0 when off).</summary>
    public double PolishSeconds { get; }

    /// <summary>Polish rounds run (0 when off; fewer than the option when a round stopped gaining).</summary>
    public int PolishRounds { get; }

    /// <summary>The largest scratch memory held at once (workspaces of all workers plus the index arrays), in bytes.
    /// The input points and the returned permutation are not counted.</summary>
    public long PeakScratchBytes { get; }

    /// <summary>Wall-clock time of the whole solve.</summary>
    public TimeSpan Elapsed { get; }
}
