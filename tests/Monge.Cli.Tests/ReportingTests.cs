using System.CommandLine;
using Monge.Cli.Infrastructure;
using Monge.Cli.Reporting;
using Monge.Solvers;
using Monge.Testing;
using Spectre.Console;

namespace Monge.Cli.Tests;

public sealed class ReportingTests
{
    private static Convergence SampleConvergence() =>
        new(SolverStatus.Converged, 120, 3e-7, 1e-6, Enumerable.Range(0, 12).Select(k => Math.Pow(0.3, k)).ToArray(), TimeSpan.FromMilliseconds(42));

    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void JsonLinesProgress_ThrottlesPerStageAndExtrapolatesEta()
    {
        var clock = new ManualClock();
        using var writer = new StringWriter();
        var sink = new SolverProgressRenderer.JsonLinesProgress(writer, clock);
        sink.Report(new SolverProgress("assignment", 10, 100, double.NaN)); // first: written
        clock.Ticks = TimeSpan.TicksPerSecond / 2;
        sink.Report(new SolverProgress("assignment", 20, 100, double.NaN)); // 0.5 s later: throttled
        clock.Ticks = 2 * TimeSpan.TicksPerSecond;
        sink.Report(new SolverProgress("assignment", 40, 100, double.NaN)); // 2 s: written, ETA = 2·60/40 = 3 s
        sink.Report(new SolverProgress("network simplex", 65536, 0, 0.5)); // another stage: written, no total, no ETA
        clock.Ticks = (2 * TimeSpan.TicksPerSecond) + 1;
        sink.Report(new SolverProgress("assignment", 100, 100, 1.25)); // completing: always written, ETA 0

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Equal("progress", l.GetProperty("event").GetString()));
        Assert.Equal([10L, 40, 65536, 100], lines.Select(l => l.GetProperty("completed").GetInt64()));
        NumericAssert.Close(0.0, lines[0].GetProperty("elapsed_seconds").GetDouble(), atol: 1e-12);
        NumericAssert.Close(0.0, lines[0].GetProperty("eta_seconds").GetDouble(), atol: 1e-12);
        NumericAssert.Close(3.0, lines[1].GetProperty("eta_seconds").GetDouble(), rtol: 1e-9);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, lines[2].GetProperty("total").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, lines[2].GetProperty("eta_seconds").ValueKind);
        NumericAssert.Close(0.5, lines[2].GetProperty("error").GetDouble());
        NumericAssert.Close(0.0, lines[3].GetProperty("eta_seconds").GetDouble(), atol: 1e-12);
        NumericAssert.Close(1.25, lines[3].GetProperty("error").GetDouble());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, lines[0].GetProperty("error").ValueKind);
    }

    [Fact]
    public void Report_ContainsSectionsAndRelativeLinks()
    {
        using var cli = new CliRunner();
        Directory.CreateDirectory(cli.File("plots"));
        var report = new RunReport("monge solve sinkhorn", ["solve", "--source", "a b.npy"]) { Convergence = SampleConvergence() };
        report.AddInput("source", "cells.h5ad#obsm/spatial", 11, 2, "2 non-finite rows dropped")
            .AddOption("epsilon", 0.05)
            .AddResult("cost", 1.25)
            .AddTiming("load", TimeSpan.FromMilliseconds(3))
            .AddTiming("solve", TimeSpan.FromSeconds(1.5))
            .AddOutput("plan", cli.File("plan.npy"))
            .AddPlot("Matched pairs", cli.File("plots/pairs.png"));
        var path = cli.File("report.md");
        report.Write(path, overwrite: false);
        var text = File.ReadAllText(path);
        Assert.StartsWith("# monge solve sinkhorn", text, StringComparison.Ordinal);
        Assert.Contains("monge solve --source 'a b.npy'", text, StringComparison.Ordinal);
        Assert.Contains("| source | `cells.h5ad#obsm/spatial` | 11 × 2 | 2 non-finite rows dropped |", text, StringComparison.Ordinal);
        Assert.Contains("| epsilon | 0.05 |", text, StringComparison.Ordinal);
        Assert.Contains("| status | **Converged** |", text, StringComparison.Ordinal);
        Assert.Contains("| iterations | 120 |", text, StringComparison.Ordinal);
        Assert.Contains("| cost | 1.25 |", text, StringComparison.Ordinal);
        Assert.Contains("| **total** | 1.50 s |", text, StringComparison.Ordinal);
        Assert.Contains("![Matched pairs](plots/pairs.png)", text, StringComparison.Ordinal);
        Assert.Contains("[plan.npy](plan.npy)", text, StringComparison.Ordinal);
        Assert.Throws<IOException>(() => report.Write(path, overwrite: false));
    }

    [Fact]
    public void Artifacts_CheckedBeforeWork()
    {
        using var cli = new CliRunner();
        var existing = cli.File("r.md");
        File.WriteAllText(existing, "old");
        Assert.Throws<IOException>(() => new RunArtifacts(null, null, existing, Overwrite: false).Check());
        new RunArtifacts(null, null, existing, Overwrite: true).Check();
        Assert.Throws<UsageException>(() => new RunArtifacts(cli.File("p.jpg"), null, null, false).Check());
        Assert.Throws<UsageException>(() => new RunArtifacts(null, null, cli.File("r.txt"), false).Check());
        Assert.Throws<UsageException>(() => new RunArtifacts(cli.File("p.png"), cli.File("p.png"), null, false).Check());
        Assert.Throws<DirectoryNotFoundException>(() => new RunArtifacts(cli.File("missing/p.png"), null, null, false).Check());
        Assert.Equal("old", File.ReadAllText(existing));
    }

    [Fact]
    public void Artifacts_WritePlotsAndReportThroughOptions()
    {
        using var cli = new CliRunner();
        var options = new ArtifactOptions();
        var command = new Command("fake");
        options.AddTo(command);
        var (plot, trace, reportPath) = (cli.File("pairs.png"), cli.File("trace.png"), cli.File("run.md"));
        var parsed = command.Parse(["--plot", plot, "--plot-trace", trace, "--report", reportPath]);
        Assert.Empty(parsed.Errors);
        var artifacts = options.Get(parsed, overwrite: false);

        var cloud = new Monge.Geometry.PointCloud<double>([0, 0, 1, 0, 0, 1, 1, 1], 4, 2);
        var loaded = new LoadedPoints("a.npy", null, cloud, [0, 1, 2, 3], 0);
        var report = new RunReport("fake run") { Convergence = SampleConvergence() };
        report.AddTiming("plot", artifacts.WritePairsPlot(loaded, loaded, [3, 2, 1, 0], report));
        artifacts.WriteTracePlot(report.Convergence!, 10, "marginal error", report);
        artifacts.WriteReport(report);
        PngAssert.IsPlot(plot, 900, 700);
        PngAssert.IsPlot(trace, 900, 700);
        var text = File.ReadAllText(reportPath);
        Assert.Contains("(pairs.png)", text, StringComparison.Ordinal);
        Assert.Contains("(trace.png)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Artifacts_NoneRequested_WritesNothing()
    {
        var report = new RunReport("x");
        var cloud = new Monge.Geometry.PointCloud<double>([0, 1], 2, 1);
        var loaded = new LoadedPoints("a.npy", null, cloud, [0, 1], 0);
        Assert.Equal(TimeSpan.Zero, RunArtifacts.None.WritePairsPlot(loaded, loaded, [0, 1], report));
        RunArtifacts.None.WriteReport(report);
        Assert.DoesNotContain("## Plots", report.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void ProgressRenderer_SilentForCapturedWritersAndJson()
    {
        var context = new CliContext(new StringWriter(), new StringWriter(), CancellationToken.None);
        Assert.False(SolverProgressRenderer.ShouldRender(context, json: false));
        var seen = 0;
        var result = SolverProgressRenderer.Run(context, json: false, progress =>
        {
            progress.Report(new SolverProgress("sinkhorn", 1, 10, 0.5));
            seen++;
            return 7;
        });
        Assert.Equal(7, result);
        Assert.Equal(1, seen);
        Assert.Empty(context.Error.ToString()!);
    }

    [Fact]
    public void ProgressRenderer_OneTaskPerStage_TracksCompletedAndError()
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        var result = SolverProgressRenderer.Run(console, progress =>
        {
            var bars = Assert.IsType<SolverProgressRenderer.StageBars>(progress);
            progress.Report(new SolverProgress("level 1", 1, 4, double.NaN));
            progress.Report(new SolverProgress("level 1", 4, 4, double.NaN));
            progress.Report(new SolverProgress("sinkhorn", 30, 0, 1e-3));
            Assert.Equal(2, bars.Tasks.Count);
            Assert.Equal(4, bars.Tasks["level 1"].Value);
            Assert.True(bars.Tasks["sinkhorn"].IsIndeterminate);
            Assert.Contains("err 1e-3", bars.Tasks["sinkhorn"].Description, StringComparison.Ordinal);
            return "done";
        });
        Assert.Equal("done", result);
    }
}
