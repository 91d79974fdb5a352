using System.Globalization;
using ScottPlot;

namespace Monge.Cli.Plotting;

/// <summary>A per-input soft operator (ranks, top-k mask, normalized values) against the inputs, one line per ε, with the hard answer.</summary>
public static class SoftSortPlot
{
    private static readonly Color[] Palette = [Color.FromHex("#c6dbef"), Color.FromHex("#6baed6"), Color.FromHex("#2171b5"), Color.FromHex("#08306b")];

    /// <summary>Builds the plot.</summary>
    /// <param name="inputs">The n inputs (x axis).</param>
    /// <param name="curves">(ε, the operator's n outputs) per curve, largest ε first.</param>
    /// <param name="hard">The hard answer per input, or null.</param>
    /// <param name="what">What the outputs are, for the y axis (e.g. "soft rank").</param>
    /// <param name="settings">Size and title.</param>
    public static Plot Create(double[] inputs, IReadOnlyList<(double Epsilon, double[] Values)> curves, double[]? hard, string what, PlotSettings settings)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(curves);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var order = Enumerable.Range(0, inputs.Length).OrderBy(i => inputs[i]).ToArray();
        var xs = order.Select(i => inputs[i]).ToArray();
        var plot = PlotTheme.Create(settings.Title ?? $"{what} of {inputs.Length} inputs at {curves.Count} values of ε");
        if (hard is not null)
        {
            var steps = plot.Add.Scatter(xs, order.Select(i => hard[i]).ToArray(), PlotTheme.Threshold);
            steps.ConnectStyle = ConnectStyle.StepHorizontal;
            steps.LineWidth = 1.5f;
            steps.LinePattern = LinePattern.Dashed;
            steps.MarkerSize = 0;
            steps.LegendText = "hard (ε → 0)";
        }

        for (var c = 0; c < curves.Count; c++)
        {
            var (epsilon, values) = curves[c];
            var line = plot.Add.Scatter(xs, order.Select(i => values[i]).ToArray(), Palette[Math.Min(c, Palette.Length - 1) + Math.Max(0, Palette.Length - curves.Count)]);
            line.LineWidth = 2;
            line.MarkerSize = inputs.Length <= 60 ? 4 : 0;
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"ε = {epsilon:G3}");
        }

        plot.XLabel("input value");
        plot.YLabel(what);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Builds the plot and writes it as a PNG (atomically).</summary>
    /// <inheritdoc cref="Create"/>
    /// <param name="path">The PNG file.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
#pragma warning disable CS1573 // the other parameters are documented by the inheritdoc
    public static void Write(string path, double[] inputs, IReadOnlyList<(double Epsilon, double[] Values)> curves, double[]? hard, string what, PlotSettings settings, bool overwrite)
#pragma warning restore CS1573
    {
        ArgumentNullException.ThrowIfNull(settings);
        PngWriter.Write(Create(inputs, curves, hard, what, settings), path, settings.Width, settings.Height, overwrite);
    }
}
