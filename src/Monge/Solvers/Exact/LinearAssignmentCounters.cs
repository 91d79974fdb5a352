namespace Monge.Solvers.Exact;

/// <summary>
/// Opt-in counters of the <see cref="LinearAssignment"/> phases, for profiling runs (Hierarchical Refinement's
/// <c>profile=1</c>): how many rows each phase leaves free and how many columns the shortest augmenting paths scan.
/// Off by default (one branch per solve when off); summed over threads with one interlocked add per counter and solve.
/// </summary>
internal static class LinearAssignmentCounters
{
    /// <summary>The counters.</summary>
    public enum Counter
    {
        /// <summary>Top-level square solves (the float phase of a mixed-precision solve counts here).</summary>
        Solves,

        /// <summary>Their rows (Σ n).</summary>
        Rows,

        /// <summary>Rows left free by the column reduction.</summary>
        FreeAfterColumnReduction,

        /// <summary>Rows left free by the first augmenting row reduction pass.</summary>
        FreeAfterRowReduction,

        /// <summary>Solves that restarted from the multiscale warm start.</summary>
        WarmStarts,

        /// <summary>Solves that ran the auction phase.</summary>
        Auctions,

        /// <summary>Rows left free for the shortest augmenting paths.</summary>
        Paths,

        /// <summary>Columns scanned by those paths (each scan is one row sweep).</summary>
        Scans,

        /// <summary>The warm start's sub-problem solves (all depths).</summary>
        ChildSolves,

        /// <summary>Their rows.</summary>
        ChildRows,

        /// <summary>Their augmenting paths.</summary>
        ChildPaths,

        /// <summary>Their scans.</summary>
        ChildScans,

        /// <summary>Rows re-inserted by the double repair of the mixed-precision route.</summary>
        RepairPaths,

        /// <summary>Columns scanned by the repair paths.</summary>
        RepairScans,

        /// <summary>Row sweeps of the augmenting row reduction passes kept (all depths; one sweep per step).</summary>
        ReductionSweeps,

        /// <summary>Row sweeps thrown away by a restart from the multiscale warm start: the column reduction's (n) and the
        /// first row reduction pass's (all depths).</summary>
        DiscardedSweeps,

        /// <summary>Solves started from the current pairing (<see cref="LinearAssignment.SolveFromIdentity"/>; printed as
        /// <c>warm_solves</c>).</summary>
        WarmSolves,

        /// <summary>Those certified optimal with no augmenting path (<c>warm_certified</c>).</summary>
        WarmCertified,

        /// <summary>The rows they re-inserted by augmenting paths (<c>warm_paths</c>).</summary>
        WarmPaths,

        /// <summary>The columns their augmenting paths scanned (<c>warm_scans</c>).</summary>
        WarmScans,

        Count,
    }

    private static readonly long[] s_counts = new long[(int)Counter.Count];

    /// <summary>Whether the counters run.</summary>
    public static bool Enabled { get; set; }

    /// <summary>Adds to a counter (nothing when disabled).</summary>
    public static void Add(Counter counter, long value)
    {
        if (Enabled && value != 0)
        {
            Interlocked.Add(ref s_counts[(int)counter], value);
        }
    }

    /// <summary>A counter's value.</summary>
    public static long Get(Counter counter) => Interlocked.Read(ref s_counts[(int)counter]);

    /// <summary>Clears the counters.</summary>
    public static void Reset() => Array.Clear(s_counts);

    /// <summary>Counts one solve started from the current pairing and the rows it re-inserted by augmenting paths (0: the
    /// pairing was certified optimal).</summary>
    public static void AddWarmSolve(int paths)
    {
        if (Enabled)
        {
            Add(Counter.WarmSolves, 1);
            Add(Counter.WarmPaths, paths);
            Add(Counter.WarmCertified, paths == 0 ? 1 : 0);
        }
    }

    /// <summary>"name=value …" for the non-zero counters, with the scans per path; the starts from the current pairing
    /// first, as "warm_solves=… warm_certified=… warm_paths=…" (all three, when any such solve ran).</summary>
    public static string Summary()
    {
        var parts = new List<string>();
        if (s_counts[(int)Counter.WarmSolves] > 0)
        {
            parts.Add($"warm_solves={s_counts[(int)Counter.WarmSolves]} warm_certified={s_counts[(int)Counter.WarmCertified]} warm_paths={s_counts[(int)Counter.WarmPaths]} warm_scans={s_counts[(int)Counter.WarmScans]}");
        }

        parts.AddRange(Enumerable.Range(0, (int)Counter.WarmSolves).Where(c => s_counts[c] != 0).Select(c => $"{(Counter)c}={s_counts[c]}"));
        var paths = s_counts[(int)Counter.Paths];
        if (paths > 0)
        {
            parts.Add($"scans/path={(double)s_counts[(int)Counter.Scans] / paths:F1}");
        }

        return string.Join(" ", parts);
    }
}
