using System.Diagnostics;

/// <summary>Wall and process CPU seconds (user + system, all threads) of one call: the one timing of the bench runs.</summary>
internal static class Timing
{
    public static (T Result, double Seconds, double Cpu) Measure<T>(Func<T> work)
    {
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var result = work();
        var seconds = watch.Elapsed.TotalSeconds;
        process.Refresh();
        return (result, seconds, (process.TotalProcessorTime - cpu0).TotalSeconds);
    }
}
