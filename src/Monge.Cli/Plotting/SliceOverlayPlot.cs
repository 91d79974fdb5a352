using System.Globalization;
using ScottPlot;

namespace Monge.Cli.Plotting;

/// <summary>
/// Two spatial slices overlaid in the target's frame (<c>monge align --plot</c>): the target cells in orange, the source
/// cells after alignment in blue, both semi-transparent, square axes in the coordinates' units. Large slices are drawn
/// from a seeded subsample (at most <see cref="MaxPoints"/> per side) so the PNG stays readable.
/// </summary>
public static class SliceOverlayPlot
{
    /// <summary>The most points drawn per slice.</summary>
    public const int MaxPoints = 20_000;

    /// <summary>Builds the plot.</summary>
    /// <param name="aligned">Aligned source coordinates, n × 2 row-major.</param>
    /// <param name="target">Target coordinates, m × 2 row-major.</param>
    /// <param name="settings">Size and title.</param>
    public static Plot Create(double[] aligned, double[] target, PlotSettings settings)
    {
        ArgumentNullException.ThrowIfNull(aligned);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var n = aligned.Length / 2;
        var m = target.Length / 2;
        var plot = PlotTheme.Create(settings.Title ?? string.Create(CultureInfo.InvariantCulture, $"{n} source cells aligned onto {m} target cells"));
        var size = Math.Max(n, m) > 5000 ? 2 : 4;
        Add(plot, target, PlotTheme.Target.WithAlpha(0.45), size, string.Create(CultureInfo.InvariantCulture, $"target ({m})"));
        Add(plot, aligned, PlotTheme.Source.WithAlpha(0.45), size, string.Create(CultureInfo.InvariantCulture, $"source aligned ({n})"));
        plot.Axes.SquareUnits();
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Builds the plot and writes it as a PNG.</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="aligned">Aligned source coordinates, n × 2.</param>
    /// <param name="target">Target coordinates, m × 2.</param>
    /// <param name="settings">Size and title.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    public static void Write(string path, double[] aligned, double[] target, PlotSettings settings, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(settings);
        PngWriter.Write(Create(aligned, target, settings), path, settings.Width, settings.Height, overwrite);
    }

    private static void Add(Plot plot, double[] points, Color color, int size, string legend)
    {
        var count = points.Length / 2;
        var index = Enumerable.Range(0, count).ToArray();
        if (count > MaxPoints)
        {
            new Random(count).Shuffle(index);
            index = index[..MaxPoints];
        }

        var markers = plot.Add.Markers(index.Select(i => points[2 * i]).ToArray(), index.Select(i => points[(2 * i) + 1]).ToArray(), MarkerShape.FilledCircle, size, color);
        markers.LegendText = legend;
    }
}
