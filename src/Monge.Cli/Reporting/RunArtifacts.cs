using System.Diagnostics;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Solvers;

namespace Monge.Cli.Reporting;

/// <summary>
/// The plot and report files a solving verb was asked to write, and the calls that write them. Every method does nothing
/// when its file was not requested, so a verb can call them unconditionally.
/// </summary>
/// <param name="PlotPath"><c>--plot</c>: the result picture, or <see langword="null"/>.</param>
/// <param name="TracePlotPath"><c>--plot-trace</c>: the convergence picture, or <see langword="null"/>.</param>
/// <param name="ReportPath"><c>--report</c>: the Markdown report, or <see langword="null"/>.</param>
/// <param name="Overwrite">Whether existing files may be replaced.</param>
public sealed record RunArtifacts(string? PlotPath, string? TracePlotPath, string? ReportPath, bool Overwrite)
{
    /// <summary>Nothing requested.</summary>
    public static RunArtifacts None { get; } = new(null, null, null, false);

    /// <summary><c>--plot-plan</c>: the dense plan's heat map (small problems), or <see langword="null"/>.</summary>
    public string? PlanPlotPath { get; init; }

    /// <summary>Settings used for the plots (size, number of lines, seed).</summary>
    public PlotSettings PlotSettings { get; init; } = PlotSettings.Default;

    /// <summary>Checks extensions, collisions and existing files; call before any work.</summary>
    /// <exception cref="UsageException">Wrong extension or two options naming one file.</exception>
    /// <exception cref="IOException">A file exists without overwrite, or its folder is missing.</exception>
    public void Check()
    {
        CheckOne(PlotPath, ".png", "--plot");
        CheckOne(TracePlotPath, ".png", "--plot-trace");
        CheckOne(ReportPath, ".md", "--report");
        CheckOne(PlanPlotPath, ".png", "--plot-plan");
        var paths = new[] { PlotPath, TracePlotPath, ReportPath, PlanPlotPath }.Where(p => p is not null).Select(p => Path.GetFullPath(p!)).ToList();
        if (paths.Distinct(StringComparer.Ordinal).Count() != paths.Count)
        {
            throw new UsageException("--plot, --plot-trace, --plot-plan and --report must name different files.");
        }
    }

    /// <summary>Writes the matched-pairs plot to <see cref="PlotPath"/> (if requested) and adds it to the report.</summary>
    /// <param name="source">Source points as loaded.</param>
    /// <param name="target">Target points as loaded.</param>
    /// <param name="targetOf">For each source point (in loaded order), its target point (loaded order), or −1.</param>
    /// <param name="report">The report to link the plot from, if any.</param>
    /// <returns>The time spent, for the report's timings.</returns>
    public TimeSpan WritePairsPlot(LoadedPoints source, LoadedPoints target, IReadOnlyList<int> targetOf, RunReport? report = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (PlotPath is null)
        {
            return TimeSpan.Zero;
        }

        var watch = Stopwatch.StartNew();
        MatchedPairsPlot.Write(PlotPath, source.Cloud.Data.ToArray(), target.Cloud.Data.ToArray(), source.Dimension, MatchedPairsPlot.PairsFromAssignment(targetOf), PlotSettings, Overwrite);
        report?.AddPlot("Matched pairs (seeded sample of lines)", PlotPath);
        return watch.Elapsed;
    }

    /// <summary>Writes the displacement-field plot (x → T(x)) to <see cref="PlotPath"/> (if requested).</summary>
    /// <param name="source">Source points as loaded.</param>
    /// <param name="mapped">T(x) for each source point, row-major n × d (for example the barycentric projection).</param>
    /// <param name="report">The report to link the plot from, if any.</param>
    /// <param name="target">Target points to draw behind the arrows, if any.</param>
    /// <returns>The time spent.</returns>
    public TimeSpan WriteDisplacementPlot(LoadedPoints source, double[] mapped, RunReport? report = null, LoadedPoints? target = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (PlotPath is null)
        {
            return TimeSpan.Zero;
        }

        var watch = Stopwatch.StartNew();
        DisplacementPlot.Write(PlotPath, source.Cloud.Data.ToArray(), mapped, source.Dimension, PlotSettings, Overwrite, target?.Cloud.Data.ToArray());
        report?.AddPlot("Displacement field x → T(x)", PlotPath);
        return watch.Elapsed;
    }

    /// <summary>Writes a dense plan heat map to <see cref="PlanPlotPath"/> (if requested; small plans only, see
    /// <see cref="PlanHeatmapPlot.MaxSide"/>).</summary>
    /// <returns>The time spent.</returns>
    public TimeSpan WritePlanPlot(double[] plan, int rows, int columns, RunReport? report = null)
    {
        if (PlanPlotPath is null)
        {
            return TimeSpan.Zero;
        }

        var watch = Stopwatch.StartNew();
        PlanHeatmapPlot.Write(PlanPlotPath, plan, rows, columns, PlotSettings, Overwrite);
        report?.AddPlot("Transport plan", PlanPlotPath);
        return watch.Elapsed;
    }

    /// <summary>Writes the convergence-trace plot to <see cref="TracePlotPath"/> (if requested).</summary>
    /// <param name="convergence">The solver's report.</param>
    /// <param name="iterationsPerCheck">Iterations between two entries of the error trace.</param>
    /// <param name="errorLabel">What the error measures (for example "marginal error").</param>
    /// <param name="report">The report to link the plot from, if any.</param>
    /// <returns>The time spent.</returns>
    public TimeSpan WriteTracePlot(Convergence convergence, int iterationsPerCheck = 1, string errorLabel = "error", RunReport? report = null)
    {
        ArgumentNullException.ThrowIfNull(convergence);
        if (TracePlotPath is null)
        {
            return TimeSpan.Zero;
        }

        var watch = Stopwatch.StartNew();
        ConvergencePlot.Write(TracePlotPath, convergence.ErrorTrace, convergence.Threshold, PlotSettings, Overwrite, iterationsPerCheck, errorLabel);
        report?.AddPlot("Convergence trace", TracePlotPath);
        return watch.Elapsed;
    }

    /// <summary>Writes <paramref name="report"/> to <see cref="ReportPath"/> (if requested). Call last, after the plots.</summary>
    public void WriteReport(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (ReportPath is not null)
        {
            report.Write(ReportPath, Overwrite);
        }
    }

    private void CheckOne(string? path, string extension, string option)
    {
        if (path is null)
        {
            return;
        }

        if (!path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"{option} {path}: expected a {extension} file.");
        }

        DataFiles.CheckNewFile(path, Overwrite);
    }
}
