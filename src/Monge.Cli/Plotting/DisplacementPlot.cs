using System.Globalization;
using ScottPlot;

namespace Monge.Cli.Plotting;

/// <summary>
/// The displacement field of a transport map: an arrow from each (sampled) source point x to its image T(x), colored by
/// length (light = short, dark = long). T(x) is the matched target for a permutation, or the barycentric projection of a
/// coupling. Dimensions above 2 are drawn on the first two principal components of the source and image points. The
/// target points, when given, are drawn behind the arrows, and a color bar gives the arrow lengths.
/// </summary>
public static class DisplacementPlot
{
    /// <summary>Builds the plot.</summary>
    /// <param name="source">Source points x, row-major n × <paramref name="dimension"/>.</param>
    /// <param name="mapped">Images T(x), row-major n × <paramref name="dimension"/>.</param>
    /// <param name="dimension">The dimension d.</param>
    /// <param name="settings">Size, title, number of arrows and seed.</param>
    /// <param name="target">Target points y, row-major m × <paramref name="dimension"/>, drawn as markers; or null.</param>
    /// <exception cref="ArgumentException">The two arrays differ in length.</exception>
    public static Plot Create(double[] source, double[] mapped, int dimension, PlotSettings settings, double[]? target = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(mapped);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (source.Length != mapped.Length)
        {
            throw new ArgumentException($"Source has {source.Length / dimension} points but the mapped points {mapped.Length / dimension}.", nameof(mapped));
        }

        var n = source.Length / dimension;
        var projection = Projection.Fit(dimension, source, mapped);
        var (tx, ty) = target is null ? ([], []) : projection.Apply(target);
        if (dimension == 1 && target is not null)
        {
            Array.Fill(ty, 1.0);
        }

        var (sx, sy) = projection.Apply(source);
        var (mx, my) = projection.Apply(mapped);
        if (dimension == 1)
        {
            Array.Fill(my, 1.0);
        }

        var shown = Sampling.Indices(n, settings.MaxLines, settings.Seed);
        var lengths = new double[n];
        var meanLength = 0.0;
        for (var i = 0; i < n; i++)
        {
            var s = 0.0;
            for (var j = 0; j < dimension; j++)
            {
                var diff = mapped[(i * dimension) + j] - source[(i * dimension) + j];
                s += diff * diff;
            }

            lengths[i] = Math.Sqrt(s);
            meanLength += lengths[i] / n;
        }

        var maxLength = shown.Length == 0 ? 0 : shown.Max(i => lengths[i]);
        var title = settings.Title ?? string.Create(
            CultureInfo.InvariantCulture,
            $"Displacement: {shown.Length} of {n} arrows, mean length {meanLength:G3}");
        var plot = PlotTheme.Create(title);
        var faint = plot.Add.Markers(sx, sy, MarkerShape.FilledCircle, n > 2000 ? 2 : 4, PlotTheme.Source.WithAlpha(0.35));
        faint.LegendText = $"source ({n})";
        if (target is not null)
        {
            var targets = plot.Add.Markers(tx, ty, MarkerShape.FilledCircle, tx.Length > 2000 ? 2 : 4, PlotTheme.Target.WithAlpha(0.45));
            targets.LegendText = $"target ({tx.Length})";
        }

        var colormap = new LengthColormap();
        foreach (var i in shown)
        {
            var fraction = maxLength > 0 ? lengths[i] / maxLength : 0;
            var color = colormap.GetColor(fraction);
            var arrow = plot.Add.Arrow(new Coordinates(sx[i], sy[i]), new Coordinates(mx[i], my[i]));
            arrow.ArrowLineColor = color;
            arrow.ArrowFillColor = color;
            arrow.ArrowLineWidth = 0;
            arrow.ArrowWidth = 1.5f;
            arrow.ArrowheadWidth = 7;
            arrow.ArrowheadLength = 9;
        }

        plot.XLabel(projection.XLabel);
        plot.YLabel(dimension == 1 ? "source (0) → image (1)" : projection.YLabel);
        if (dimension == 2)
        {
            plot.Axes.SquareUnits();
        }

        plot.ShowLegend(Alignment.UpperRight);
        var bar = plot.Add.ColorBar(new LengthAxis(colormap, maxLength));
        bar.Label = "arrow length |T(x) − x|";
        return plot;
    }

    /// <summary>The arrows' colors: Viridis from 0.9 (short, light) down to 0.1 (long, dark).</summary>
    private sealed class LengthColormap : IColormap
    {
        private readonly ScottPlot.Colormaps.Viridis _viridis = new();

        public string Name => "Viridis (reversed, trimmed)";

        public Color GetColor(double normalizedIntensity) => _viridis.GetColor(0.9 - (0.8 * Math.Clamp(normalizedIntensity, 0, 1)));
    }

    /// <summary>The color axis of the arrows, for the color bar: lengths from 0 to the longest drawn arrow.</summary>
    private sealed class LengthAxis(IColormap colormap, double maxLength) : IHasColorAxis
    {
        public IColormap Colormap => colormap;

        public ScottPlot.Range GetRange() => new(0, maxLength > 0 ? maxLength : 1);
    }

    /// <summary>Builds the plot and writes it as a PNG.</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="source">Source points.</param>
    /// <param name="mapped">Images T(x).</param>
    /// <param name="dimension">The dimension d.</param>
    /// <param name="settings">Size, title, number of arrows and seed.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="target">Target points to draw, or null.</param>
    public static void Write(string path, double[] source, double[] mapped, int dimension, PlotSettings settings, bool overwrite, double[]? target = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        PngWriter.Write(Create(source, mapped, dimension, settings, target), path, settings.Width, settings.Height, overwrite);
    }
}
