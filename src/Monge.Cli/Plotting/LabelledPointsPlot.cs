using System.Globalization;
using ScottPlot;

namespace Monge.Cli.Plotting;

/// <summary>
/// Points colored by a label (cell types, predicted labels): one color per label for the <see cref="MaxLegend"/> most
/// frequent labels (ties by name), every other label grey as "other", unlabelled points light grey. Dimensions above 2 are
/// drawn on the first two principal components.
/// </summary>
public static class LabelledPointsPlot
{
    /// <summary>The most labels with their own color and legend entry.</summary>
    public const int MaxLegend = 20;

    private static readonly string[] Palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    ];

    /// <summary>What was drawn.</summary>
    /// <param name="Labels">Distinct labels.</param>
    /// <param name="InLegend">Labels with their own color.</param>
    public sealed record Drawn(int Labels, int InLegend);

    /// <summary>Builds the plot.</summary>
    /// <param name="points">Row-major n × <paramref name="dimension"/>.</param>
    /// <param name="dimension">d.</param>
    /// <param name="labels">One label per point (null = unlabelled).</param>
    /// <param name="settings">Size and title.</param>
    /// <returns>The plot and what it shows.</returns>
    /// <exception cref="ArgumentException">The number of labels is not n.</exception>
    public static (Plot Plot, Drawn Drawn) Create(double[] points, int dimension, IReadOnlyList<string?> labels, PlotSettings settings)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var n = points.Length / dimension;
        if (labels.Count != n)
        {
            throw new ArgumentException($"{labels.Count} labels for {n} points.", nameof(labels));
        }

        var projection = Projection.Fit(dimension, points);
        var (px, py) = projection.Apply(points);
        if (dimension == 1)
        {
            Array.Fill(py, 0.0);
        }

        var counts = labels.Where(l => l is not null).GroupBy(l => l!, StringComparer.Ordinal)
            .Select(g => (Label: g.Key, Count: g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Label, StringComparer.Ordinal).ToList();
        var shown = counts.Take(MaxLegend).ToList();
        var title = settings.Title ?? string.Create(CultureInfo.InvariantCulture, $"{n} points, {counts.Count} labels");
        var plot = PlotTheme.Create(title);
        var size = n > 5000 ? 2 : n > 500 ? 4 : 6;

        void Add(Func<string?, bool> select, Color color, string legend)
        {
            var index = Enumerable.Range(0, n).Where(i => select(labels[i])).ToArray();
            if (index.Length > 0)
            {
                var markers = plot.Add.Markers(index.Select(i => px[i]).ToArray(), index.Select(i => py[i]).ToArray(), MarkerShape.FilledCircle, size, color);
                markers.LegendText = legend;
            }
        }

        var other = counts.Skip(MaxLegend).Select(c => c.Label).ToHashSet(StringComparer.Ordinal);
        Add(l => l is null, Colors.LightGray.WithAlpha(0.6), "unlabelled");
        Add(l => l is not null && other.Contains(l), Colors.Gray.WithAlpha(0.6), $"other ({other.Count} labels)");
        for (var c = 0; c < shown.Count; c++)
        {
            var label = shown[c].Label;
            Add(l => l == label, Color.FromHex(Palette[c]), string.Create(CultureInfo.InvariantCulture, $"{label} ({shown[c].Count})"));
        }

        plot.XLabel(projection.XLabel);
        plot.YLabel(dimension == 1 ? string.Empty : projection.YLabel);
        if (dimension == 2)
        {
            plot.Axes.SquareUnits();
        }

        plot.ShowLegend(Alignment.UpperRight);
        return (plot, new Drawn(counts.Count, shown.Count));
    }

    /// <summary>Builds the plot and writes it as a PNG.</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="points">Row-major n × d.</param>
    /// <param name="dimension">d.</param>
    /// <param name="labels">One label per point.</param>
    /// <param name="settings">Size and title.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <returns>What was drawn.</returns>
    public static Drawn Write(string path, double[] points, int dimension, IReadOnlyList<string?> labels, PlotSettings settings, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (plot, drawn) = Create(points, dimension, labels, settings);
        PngWriter.Write(plot, path, settings.Width, settings.Height, overwrite);
        return drawn;
    }
}
