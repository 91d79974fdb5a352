using Monge.Geometry;
using Monge.Numerics;

namespace Monge.Solvers.Hierarchical;

/// <summary>The matching computed by <see cref="HierarchicalRefinement"/> and its diagnostics.</summary>
/// <remarks>As an <see cref="ITransportPlan{T}"/> the result is the plan P = (1/n)·Π of the permutation σ
/// (P_{i,σ(i)} = 1/n, zero elsewhere): uniform marginals 1/n and ⟨C, P⟩ = (1/n) Σᵢ c(xᵢ, y_σ(i)) = <see cref="Cost"/>.
/// Products are a gather (P·v) or a scatter (Pᵀ·u) times 1/n, O(n·k).</remarks>
public sealed class HierarchicalRefinementResult : ITransportPlan<double>
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
        Convergence = new Convergence(SolverStatus.Converged, levels.Count, double.NaN, 0.0, [], elapsed);
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

    /// <summary>The polish steps that ran, in order, each with its rounds, the cost after it and its seconds.</summary>
    public IReadOnlyList<HiRefPolishReport> PolishSteps { get; internal init; } = [];

    /// <summary>The choice of level 1's rank, when it ran (null otherwise): the rank chosen and the candidates' sample costs.</summary>
    internal HiRefFirstRankReport? FirstRank { get; init; }

    /// <summary>Leaf-pair polish rounds run (0 when off; fewer than the option when a round stopped gaining).</summary>
    public int PolishRounds { get; }

    /// <summary>The largest scratch memory held at once (workspaces of all workers plus the index arrays), in bytes.
    /// The input points and the returned permutation are not counted.</summary>
    public long PeakScratchBytes { get; }

    /// <summary>Wall-clock time of the whole solve.</summary>
    public TimeSpan Elapsed { get; }

    /// <inheritdoc />
    public int SourceCount => Permutation.Length;

    /// <inheritdoc />
    public int TargetCount => Permutation.Length;

    /// <summary>The row marginal P1: 1/n everywhere.</summary>
    public double[] SourceMarginal => Uniform();

    /// <summary>The column marginal Pᵀ1: 1/n everywhere (σ is a permutation).</summary>
    public double[] TargetMarginal => Uniform();

    /// <summary>The run as a convergence report: <see cref="SolverStatus.Converged"/> (HiRef has no stopping test; a
    /// cancelled run throws), the refinement levels run as iterations (<see cref="Levels"/>), no error trace, and
    /// <see cref="Elapsed"/>.</summary>
    public Convergence Convergence { get; }

    /// <inheritdoc />
    /// <remarks>O(n): a gather (<see cref="Axis.Rows"/>) or scatter (<see cref="Axis.Columns"/>) times 1/n.</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> vector, Axis axis) => ApplyPlan(vector, 1, axis);

    /// <inheritdoc />
    /// <remarks>O(n·k).</remarks>
    public double[] ApplyPlan(ReadOnlySpan<double> block, int columns, Axis axis)
    {
        var n = Permutation.Length;
        if (columns < 1 || block.Length != (long)n * columns)
        {
            throw new ArgumentException($"Expected {n} × {columns} values for axis {axis} (got {block.Length}).", nameof(block));
        }

        var result = new double[n * columns];
        var w = 1.0 / n;
        for (var i = 0; i < n; i++)
        {
            // Rows: (P·V)_i = V_σ(i) / n; Columns: (Pᵀ·U)_σ(i) = U_i / n.
            var (from, to) = axis == Axis.Rows ? (Permutation[i], i) : (i, Permutation[i]);
            var src = block.Slice(from * columns, columns);
            var dst = result.AsSpan(to * columns, columns);
            for (var q = 0; q < columns; q++)
            {
                dst[q] = w * src[q];
            }
        }

        return result;
    }

    /// <inheritdoc />
    public double[] ToDense(long maxEntries = PlanSize.DefaultMaxEntries)
    {
        var n = Permutation.Length;
        var entries = PlanSize.EnsureDense<double>(n, n, maxEntries, "plan");
        var dense = new double[entries];
        var w = 1.0 / n;
        for (var i = 0; i < n; i++)
        {
            dense[((long)i * n) + Permutation[i]] = w;
        }

        return dense;
    }

    private double[] Uniform()
    {
        var result = new double[Permutation.Length];
        Array.Fill(result, 1.0 / Permutation.Length);
        return result;
    }
}
