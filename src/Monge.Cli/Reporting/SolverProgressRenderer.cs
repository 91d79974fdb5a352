using Monge.Cli.Infrastructure;
using Monge.Solvers;
using Spectre.Console;

namespace Monge.Cli.Reporting;

/// <summary>
/// Shows <see cref="IProgress{T}"/> reports of <see cref="SolverProgress"/> as Spectre.Console progress bars on stderr,
/// one bar per stage (for example "level 2" of Hierarchical Refinement, or "sinkhorn" iterations), with the latest error.
/// Silent under <c>--json</c>, when stderr is not a terminal, and when the command writes to a captured writer (tests).
/// </summary>
/// <example>
/// <code>
/// var output = SolverProgressRenderer.Run(context, json, progress => solver.Solve(problem, progress, context.Cancellation));
/// </code>
/// </example>
public static class SolverProgressRenderer
{
    /// <summary>Whether bars would be drawn: not <c>--json</c>, stderr is the real console, and it is a terminal.</summary>
    public static bool ShouldRender(CliContext context, bool json)
    {
        ArgumentNullException.ThrowIfNull(context);
        return !json && ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
    }

    /// <summary>Runs <paramref name="work"/> with a progress sink: bars on stderr when <see cref="ShouldRender"/>, else a sink that drops reports.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    public static T Run<T>(CliContext context, bool json, Func<IProgress<SolverProgress>, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!ShouldRender(context, json))
        {
            // stderr is a file or a pipe (a batch job, a log): one JSON line per report, throttled, with an ETA.
            return ReferenceEquals(context.Error, Console.Error) && Console.IsErrorRedirected
                ? work(new JsonLinesProgress(Console.Error, TimeProvider.System))
                : work(NullProgress.Instance);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return Run(console, work);
    }

    /// <summary>Runs <paramref name="work"/> with progress bars drawn on <paramref name="console"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    public static T Run<T>(IAnsiConsole console, Func<IProgress<SolverProgress>, T> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var sink = new StageBars(ctx);
                try
                {
                    return work(sink);
                }
                finally
                {
                    sink.Complete();
                }
            });
    }

    /// <summary>A progress sink that ignores every report.</summary>
    public sealed class NullProgress : IProgress<SolverProgress>
    {
        /// <summary>The one instance.</summary>
        public static NullProgress Instance { get; } = new();

        /// <summary>Ignores the report.</summary>
        public void Report(SolverProgress value)
        {
        }
    }

    /// <summary>Maps stages to Spectre tasks. Reports may come from several threads.</summary>
    internal sealed class StageBars(ProgressContext context) : IProgress<SolverProgress>
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);

        public IReadOnlyDictionary<string, ProgressTask> Tasks => _tasks;

        public void Report(SolverProgress value)
        {
            lock (_lock)
            {
                if (!_tasks.TryGetValue(value.Stage, out var task))
                {
                    task = context.AddTask(Markup.Escape(value.Stage), autoStart: true, maxValue: Math.Max(1, value.Total));
                    _tasks[value.Stage] = task;
                }

                task.IsIndeterminate = value.Total <= 0;
                if (value.Total > 0)
                {
                    task.MaxValue = value.Total;
                }

                task.Value = Math.Min(value.Completed, value.Total > 0 ? value.Total : value.Completed);
                task.Description = Markup.Escape(double.IsNaN(value.Error)
                    ? value.Stage
                    : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value.Stage}  err {value.Error:0.##e+0}"));
            }
        }

        public void Complete()
        {
            lock (_lock)
            {
                foreach (var task in _tasks.Values)
                {
                    task.StopTask();
                }
            }
        }
    }

    /// <summary>
    /// Progress as JSON lines on a writer (stderr when it is not a terminal), for logs and batch jobs: at most one line
    /// per stage every <see cref="Interval"/> plus the first and the completing report, each
    /// <c>{"event":"progress","stage":…,"completed":…,"total":…,"error":…,"elapsed_seconds":…,"eta_seconds":…}</c>.
    /// <c>total</c> is null when the solver cannot know it (network simplex pivots), <c>error</c> when it has none;
    /// <c>eta_seconds</c> extrapolates the rate so far, (total − completed) · elapsed / completed (null without a total).
    /// </summary>
    /// <param name="writer">Where the lines go.</param>
    /// <param name="time">The clock (tests pass a fake one).</param>
    public sealed class JsonLinesProgress(TextWriter writer, TimeProvider time) : IProgress<SolverProgress>
    {
        /// <summary>The shortest time between two lines of one stage.</summary>
        public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

        private readonly Lock _lock = new();
        private readonly long _start = time.GetTimestamp();
        private readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);

        /// <inheritdoc />
        public void Report(SolverProgress value)
        {
            var now = time.GetTimestamp();
            var done = value.Total > 0 && value.Completed >= value.Total;
            lock (_lock)
            {
                if (!done && _last.TryGetValue(value.Stage, out var last) && time.GetElapsedTime(last, now) < Interval)
                {
                    return;
                }

                _last[value.Stage] = now;
                var elapsed = time.GetElapsedTime(_start, now).TotalSeconds;
                double? eta = value.Total > 0 && value.Completed > 0 ? elapsed * (value.Total - value.Completed) / value.Completed : null;
                var line = new System.Text.Json.Nodes.JsonObject
                {
                    ["event"] = "progress",
                    ["stage"] = value.Stage,
                    ["completed"] = value.Completed,
                    ["total"] = value.Total > 0 ? value.Total : null,
                    ["error"] = double.IsFinite(value.Error) ? value.Error : null,
                    ["elapsed_seconds"] = Math.Round(elapsed, 3),
                    ["eta_seconds"] = eta is { } e ? Math.Round(Math.Max(0, e), 3) : null,
                };
                writer.WriteLine(line.ToJsonString());
                writer.Flush();
            }
        }
    }
}
