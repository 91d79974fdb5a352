using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Monge.Distributed;

/// <summary>
/// A diagnostic memory timeline of a silo process, off unless the environment variable <c>MONGE_MEMORY_TRACE</c> is set
/// (to the sampling period in seconds, e.g. <c>1</c>): every period one line on stderr with the process's resident set
/// and its peak, the GC heap (allocated now, size and committed after the last collection) and what runs in the process
/// (the coordinator's stage, shard loads and phases, worker splits and subtrees); <see cref="Mark"/> adds a line with
/// the live heap (a forced full collection) at a phase boundary. Lines start with <c>memtrace</c>. Costs nothing when off.
/// </summary>
internal static class MemoryTrace
{
    private static readonly ConcurrentDictionary<long, string> Active = new();
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private static readonly Lock StartGate = new();
    private static long _next;
    private static Timer? _timer;

    /// <summary>The sampling period from <c>MONGE_MEMORY_TRACE</c>, or null when tracing is off.</summary>
    public static TimeSpan? Period { get; } = ParsePeriod(Environment.GetEnvironmentVariable("MONGE_MEMORY_TRACE"));

    /// <summary>Whether tracing is on.</summary>
    public static bool Enabled => Period is not null;

    /// <summary>Starts the sampler (once per process) when tracing is on.</summary>
    public static void Start()
    {
        if (Period is not { } period)
        {
            return;
        }

        lock (StartGate)
        {
            _timer ??= new Timer(_ => Write("sample", live: false), null, TimeSpan.Zero, period);
        }
    }

    /// <summary>Names an activity of this process until the returned handle is disposed (nothing when tracing is off).</summary>
    /// <param name="what">What runs.</param>
    public static Activity Enter(string what)
    {
        if (!Enabled)
        {
            return default;
        }

        var id = Interlocked.Increment(ref _next);
        Active[id] = what;
        return new Activity(id);
    }

    /// <summary>A line with the live heap after a forced full collection, at a phase boundary (tracing on only).</summary>
    /// <param name="what">The boundary.</param>
    public static void Mark(string what)
    {
        if (Enabled)
        {
            Write(what, live: true);
        }
    }

    private static TimeSpan? ParsePeriod(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;

    private static void Write(string what, bool live)
    {
        var liveMb = live ? GC.GetTotalMemory(forceFullCollection: true) >> 20 : -1;
        var info = GC.GetGCMemoryInfo();
        using var process = Process.GetCurrentProcess();
        var activities = string.Join("; ", Active.OrderBy(a => a.Key).Select(a => a.Value));
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"memtrace t={Clock.Elapsed.TotalSeconds:F1} {what} rss={process.WorkingSet64 >> 20} peak={process.PeakWorkingSet64 >> 20} allocated={GC.GetTotalMemory(false) >> 20} heap={info.HeapSizeBytes >> 20} committed={info.TotalCommittedBytes >> 20} frag={info.FragmentedBytes >> 20}{(live ? $" live={liveMb}" : "")} MB [{activities}]");
        Console.Error.WriteLine(line);
    }

    /// <summary>A named activity; disposing it ends the name (or renames it with <see cref="Rename"/>).</summary>
    internal readonly struct Activity(long id) : IDisposable
    {
        /// <summary>Gives the activity a new name.</summary>
        /// <param name="what">What runs now.</param>
        public void Rename(string what)
        {
            if (id != 0)
            {
                Active[id] = what;
            }
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            if (id != 0)
            {
                Active.TryRemove(id, out _);
            }
        }
    }
}
