using System.Diagnostics;

namespace Monge.Solvers.Hierarchical;

/// <summary>
/// Opt-in phase timers of the block split (factors, seeding, the co-clustering's passes, the hard split) and of the exact
/// range solves after it (leaves, leaf pairs and slabs: cost fill and assignment; the slab rounds' projection, sort,
/// permutation and cost), for profiling
/// runs (<c>bench/compare/hiref tune … profile=1</c>). Off by default: one branch per phase when off. Times are summed over
/// threads (seconds of thread time, close to CPU seconds when the threads are not preempted).
/// </summary>
internal static class HiRefProfile
{
    /// <summary>The phases.</summary>
    public enum Phase
    {
        Factors,
        Seeding,
        RowRange,
        StepAndSoftmax,
        Exp,
        Sweeps,
        FinalAndContract,
        Split,
        DoubleCoClustering,
        RangeFill,
        RangeAssign,
        SlabProject,
        SlabSort,
        SlabPermute,
        SlabRecompute,
        Count,
    }

    private static readonly long[] s_ticks = new long[(int)Phase.Count];
    private static long s_steps;
    private static long s_sweeps;
    private static long s_projections;

    /// <summary>Whether the timers (and <see cref="Exact.LinearAssignmentCounters"/>) run.</summary>
    public static bool Enabled
    {
        get => s_enabled;
        set
        {
            s_enabled = value;
            Exact.LinearAssignmentCounters.Enabled = value;
        }
    }

    private static bool s_enabled;

    /// <summary>A timestamp when enabled, else 0.</summary>
    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Adds the time since <paramref name="start"/> to a phase (nothing when disabled).</summary>
    public static void Stop(Phase phase, long start)
    {
        if (Enabled)
        {
            Interlocked.Add(ref s_ticks[(int)phase], Stopwatch.GetTimestamp() - start);
        }
    }

    /// <summary>Counts mirror steps.</summary>
    public static void Steps(int steps)
    {
        if (Enabled)
        {
            Interlocked.Add(ref s_steps, steps);
        }
    }

    /// <summary>Counts one projection and its sweeps.</summary>
    public static void Sweeps(int sweeps)
    {
        if (Enabled)
        {
            Interlocked.Add(ref s_sweeps, sweeps);
            Interlocked.Increment(ref s_projections);
        }
    }

    /// <summary>Clears the timers.</summary>
    public static void Reset()
    {
        Array.Clear(s_ticks);
        s_steps = 0;
        s_sweeps = 0;
        s_projections = 0;
        Exact.LinearAssignmentCounters.Reset();
    }

    /// <summary>"phase=seconds …" and the mirror steps.</summary>
    public static string Summary() =>
        string.Join(" ", Enumerable.Range(0, (int)Phase.Count).Select(p => $"{(Phase)p}={(double)s_ticks[p] / Stopwatch.Frequency:F2}s"))
        + $" mirror_steps={s_steps} projections={s_projections} sweeps={s_sweeps} " + Exact.LinearAssignmentCounters.Summary();
}
