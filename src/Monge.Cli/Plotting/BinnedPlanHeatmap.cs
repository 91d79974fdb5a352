using System.Globalization;
using ScottPlot;

namespace Monge.Cli.Plotting;

/// <summary>
/// A transport plan of any size as a heat map, from its nonzero entries (a sparse top-k plan, a network-simplex plan, or a
/// dense one): rows and columns are grouped into at most <see cref="MaxBins"/> bins per side, each cell shows the mass of its
/// bin, on a log10 scale by default (empty cells left white). Rows can be ordered by the column of their largest entry, so a
/// plan close to a map shows as a band instead of noise.
/// </summary>
public static class BinnedPlanHeatmap
{
    /// <summary>The most bins per side.</summary>
    public const int MaxBins = 400;

    /// <summary>The plan in coordinate form.</summary>
    /// <param name="Rows">Row index of each entry.</param>
    /// <param name="Columns">Column index of each entry.</param>
    /// <param name="Values">Mass of each entry (entries ≤ 0 are ignored).</param>
    /// <param name="SourceCount">n.</param>
    /// <param name="TargetCount">m.</param>
    public sealed record Entries(int[] Rows, int[] Columns, double[] Values, int SourceCount, int TargetCount);

    /// <summary>The nonzero entries of a dense row-major plan.</summary>
    /// <param name="plan">The plan, n × m.</param>
    /// <param name="rows">n.</param>
    /// <param name="columns">m.</param>
    public static Entries FromDense(double[] plan, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (r, c, v) = (new List<int>(), new List<int>(), new List<double>());
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                var value = plan[((long)i * columns) + j];
                if (value > 0)
                {
                    r.Add(i);
                    c.Add(j);
                    v.Add(value);
                }
            }
        }

        return new Entries(r.ToArray(), c.ToArray(), v.ToArray(), rows, columns);
    }

    /// <summary>The position of each row once rows are ordered by the column of their largest entry (ties and empty rows by
    /// row index; empty rows last).</summary>
    /// <param name="entries">The plan.</param>
    /// <returns>rank[i] = the drawn position of row i.</returns>
    public static int[] OrderRowsByArgmax(Entries entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var n = entries.SourceCount;
        var best = new double[n];
        var argmax = new int[n];
        Array.Fill(argmax, int.MaxValue);
        for (var e = 0; e < entries.Values.Length; e++)
        {
            var i = entries.Rows[e];
            var v = entries.Values[e];
            if (v > best[i] || (v == best[i] && v > 0 && entries.Columns[e] < argmax[i]))
            {
                best[i] = v;
                argmax[i] = entries.Columns[e];
            }
        }

        var order = Enumerable.Range(0, n).OrderBy(i => argmax[i]).ThenBy(i => i).ToArray();
        var rank = new int[n];
        for (var p = 0; p < n; p++)
        {
            rank[order[p]] = p;
        }

        return rank;
    }

    /// <summary>Builds the plot.</summary>
    /// <param name="entries">The plan.</param>
    /// <param name="settings">Size and title.</param>
    /// <param name="logScale">Color by log10 of the mass (empty cells white) instead of the mass.</param>
    /// <param name="orderRows">Order rows by the column of their largest entry (<see cref="OrderRowsByArgmax"/>).</param>
    /// <param name="what">Names the plan in the title (for example "top-5 plan").</param>
    public static Plot Create(Entries entries, PlotSettings settings, bool logScale, bool orderRows, string what = "Transport plan")
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var (n, m) = (entries.SourceCount, entries.TargetCount);
        var rowBins = Math.Min(n, MaxBins);
        var columnBins = Math.Min(m, MaxBins);
        var rank = orderRows ? OrderRowsByArgmax(entries) : null;
        var cells = new double[rowBins, columnBins];
        var mass = 0.0;
        var nonzero = 0;
        for (var e = 0; e < entries.Values.Length; e++)
        {
            var v = entries.Values[e];
            if (!(v > 0))
            {
                continue;
            }

            var i = rank is null ? entries.Rows[e] : rank[entries.Rows[e]];
            cells[(int)((long)i * rowBins / n), (int)((long)entries.Columns[e] * columnBins / m)] += v;
            mass += v;
            nonzero++;
        }

        for (var a = 0; a < rowBins; a++)
        {
            for (var b = 0; b < columnBins; b++)
            {
                // Empty cells are NaN: drawn white, and kept out of the color range.
                cells[a, b] = cells[a, b] > 0 ? (logScale ? Math.Log10(cells[a, b]) : cells[a, b]) : double.NaN;
            }
        }

        var binned = rowBins < n || columnBins < m;
        var title = settings.Title ?? string.Create(
            CultureInfo.InvariantCulture,
            $"{what} {n} × {m}: mass {mass:G4}, {nonzero} entries{(binned ? $", {rowBins} × {columnBins} bins" : string.Empty)}");
        var plot = PlotTheme.Create(title);
        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Smooth = false;
        heatmap.NaNCellColor = Colors.White;
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = (logScale ? "log10 " : string.Empty) + (binned ? "mass per bin" : "P[i, j]");
        plot.XLabel(binned ? $"target j (bins of {(double)m / columnBins:G3})" : "target j");
        plot.YLabel((orderRows ? "source i, ordered by argmax_j P[i, j]" : "source i") + (binned ? $" (bins of {(double)n / rowBins:G3})" : string.Empty));
        plot.Axes.Margins(0, 0);

        // ScottPlot draws array row a at y = rowBins - 1 - a (row 0 on top, as a matrix is read); label the ticks with a.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            LabelFormatter = y => (rowBins - 1 - Math.Round(y)).ToString(CultureInfo.InvariantCulture),
        };
        return plot;
    }

    /// <summary>Builds the plot and writes it as a PNG.</summary>
    /// <param name="path">The PNG file.</param>
    /// <param name="entries">The plan.</param>
    /// <param name="settings">Size and title.</param>
    /// <param name="logScale">Log10 color scale.</param>
    /// <param name="orderRows">Order rows by argmax column.</param>
    /// <param name="what">Names the plan in the title.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    public static void Write(string path, Entries entries, PlotSettings settings, bool logScale, bool orderRows, string what, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(settings);
        PngWriter.Write(Create(entries, settings, logScale, orderRows, what), path, settings.Width, settings.Height, overwrite);
    }
}
