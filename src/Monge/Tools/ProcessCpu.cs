using System.Diagnostics;

namespace Monge.Tools;

/// <summary>The process's CPU time (user + system, all threads), for the per-phase diagnostics that report CPU-seconds
/// (<see cref="DualBoundResult.AscentCpuSeconds"/>, <c>FrlcGromovProfile</c>): one read of the process times.</summary>
internal static class ProcessCpu
{
    /// <summary>The CPU time the process has used so far.</summary>
    public static TimeSpan Now()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
