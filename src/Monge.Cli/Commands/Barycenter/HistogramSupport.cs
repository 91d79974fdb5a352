using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Cli.Plotting;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.IO;
using ScottPlot;

namespace Monge.Cli.Commands.Barycenter;

/// <summary>
/// The shared support of the fixed-support methods: points (<c>--support</c>) with a cost, or a grid (<c>--grid</c>).
/// Loads the inputs as histograms on it, builds the geometry, shapes the output and draws it.
/// </summary>
internal sealed class HistogramSupport
{
    private readonly int[]? _grid;
    private readonly PointCloud<double>? _points;
    private readonly string _cost;

    private HistogramSupport(CostGeometry<double> geometry, int[]? grid, PointCloud<double>? points, string cost, string? spec)
    {
        Geometry = geometry;
        _grid = grid;
        _points = points;
        _cost = cost;
        Spec = spec;
    }

    /// <summary>The N × N cost on the support.</summary>
    public CostGeometry<double> Geometry { get; }

    /// <summary>The --support spec, or null on a grid.</summary>
    public string? Spec { get; }

    /// <summary>N.</summary>
    public int Count => Geometry.Rows;

    /// <summary>Whether the support is a <c>--grid</c>.</summary>
    public bool IsGrid => _grid is not null;

    /// <summary>Whether <see cref="Plot"/> can draw it (a 1-D or 2-D grid, or support points of any dimension).</summary>
    public bool CanPlot => _grid is { Length: 1 or 2 } || _points is not null;

    /// <summary>Reads <c>--support</c> or <c>--grid</c> (exactly one).</summary>
    /// <exception cref="UsageException">Neither or both, a malformed grid, or a cost other than sqeuclidean on a grid.</exception>
    public static HistogramSupport Load(string? support, string? grid, string cost)
    {
        if ((support is null) == (grid is null))
        {
            throw new UsageException($"give exactly one of {HistogramBarycenterMethod.SupportName} (points N × d) and {HistogramBarycenterMethod.GridName} (for example 64x64): every input is a histogram on it.");
        }

        if (grid is not null)
        {
            if (!CostFunction.IsSquaredEuclidean(CostOptions.Parse(cost)))
            {
                throw new UsageException($"{HistogramBarycenterMethod.GridName} is squared Euclidean (separable); --cost {cost} needs {HistogramBarycenterMethod.SupportName} with the grid's points.");
            }

            var shape = ParseGrid(grid);
            var axes = shape.Select(n => Enumerable.Range(0, n).Select(k => n == 1 ? 0.0 : k / (double)(n - 1)).ToArray()).ToArray();
            return new HistogramSupport(new GridGeometry<double>(axes), shape, null, "sqeuclidean", null);
        }

        var points = DataFiles.LoadPoints(support!, null, DataLoadOptions.Default, "support").Cloud;
        var costFunction = CostOptions.Parse(cost);
        CostGeometry<double> geometry = PointCloudGeometry.Create(points, points, costFunction);
        if ((long)points.Count * points.Count <= MaxDense)
        {
            geometry = new DenseGeometry<double>(geometry.ToDense(MaxDense), points.Count, points.Count);
        }

        return new HistogramSupport(geometry, null, points, costFunction.Name, support);
    }

    /// <summary>Parses <c>HxW</c>, <c>N</c> or <c>AxBxC</c>.</summary>
    /// <exception cref="UsageException">Not positive integers separated by x.</exception>
    public static int[] ParseGrid(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('x', 'X', '×');
        var shape = new int[parts.Length];
        long size = 1;
        for (var d = 0; d < parts.Length; d++)
        {
            if (!int.TryParse(parts[d], NumberStyles.None, CultureInfo.InvariantCulture, out shape[d]) || shape[d] < 1)
            {
                throw new UsageException($"{HistogramBarycenterMethod.GridName} {text}: expected positive integers separated by x, for example 64x64.");
            }

            size *= shape[d];
            if (size > int.MaxValue)
            {
                throw new UsageException($"{HistogramBarycenterMethod.GridName} {text}: more than 2^31 − 1 points.");
            }
        }

        return shape;
    }

    /// <summary>Loads one input as a histogram of N entries (a vector, an N × 1 or 1 × N array, or an array of the grid's shape).</summary>
    /// <exception cref="InputValidationException">Wrong shape, negative or non-finite entries, zero mass.</exception>
    public double[] LoadHistogram(string spec, bool normalize)
    {
        var array = DataFiles.Load(spec);
        var shape = array.Shape;
        var ok = array.Length == Count
            && (shape.Count == 1
                || (shape.Count == 2 && (shape[0] == 1 || shape[1] == 1))
                || (_grid is not null && shape.SequenceEqual(_grid)));
        if (!ok)
        {
            var expected = _grid is null ? $"({Count},)" : $"({string.Join(", ", _grid)}) or ({Count},)";
            throw new InputValidationException(InputProblem.DimensionMismatch, $"input {spec}: shape {array.ShapeString()}, expected a histogram of shape {expected} on the support.");
        }

        var values = (double[])array.ToDoubleArray().Clone();
        var mass = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"input {spec}: entry {i} is {values[i]}.");
            }

            if (values[i] < 0)
            {
                throw new InputValidationException(InputProblem.NegativeWeight, $"input {spec}: entry {i} is negative ({values[i]}).");
            }

            mass += values[i];
        }

        if (!(mass > 0))
        {
            throw new InputValidationException(InputProblem.ZeroMass, $"input {spec}: the histogram sums to 0.");
        }

        if (normalize)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] /= mass;
            }
        }

        return values;
    }

    /// <summary>
    /// The mean of the cost over all pairs of support points; on a separable support (a grid) in closed form, Σ_d of the
    /// mean of each axis cost (every pair of axis coordinates occurs equally often).
    /// </summary>
    public double MeanCost()
    {
        if (Geometry is ISeparableGeometry<double> separable)
        {
            var mean = 0.0;
            for (var d = 0; d < separable.Shape.Count; d++)
            {
                mean += separable.AxisCosts(d).Average();
            }

            return mean;
        }

        return Geometry.ComputeStatistics().Mean;
    }

    /// <summary>The barycenter shaped for <c>--out</c>: the grid's shape, or (N,).</summary>
    public NumericArray ToArray(double[] barycenter) => new(barycenter, _grid ?? [barycenter.Length]);

    /// <summary>The support for the JSON summary.</summary>
    public JsonObject Describe() => _grid is not null
        ? new JsonObject { ["grid"] = new JsonArray(_grid.Select(n => (JsonNode?)n).ToArray()), ["axes"] = "linspace(0, 1, n)", ["cost"] = _cost }
        : new JsonObject { ["points"] = Spec, ["n"] = Count, ["dimension"] = _points!.Dimension, ["cost"] = _cost };

    /// <summary>
    /// Draws the inputs and the barycenter: curves on a line, an image on a 2-D grid, and on support points of
    /// dimension ≥ 2 the points in the plane (as they are in 2-D, on their first two principal components above) with
    /// every histogram's masses as marker areas.
    /// </summary>
    public Plot Plot(IReadOnlyList<double[]> inputs, double[] barycenter, string title)
    {
        var plot = PlotTheme.Create(title);
        if (_points is { Dimension: >= 2 })
        {
            return PlotPoints(plot, inputs, barycenter);
        }

        if (_grid is { Length: 2 })
        {
            // One row of panels: the inputs (at most four) and the barycenter, each scaled to its own maximum.
            var (h, w) = (_grid[0], _grid[1]);
            var panels = inputs.Take(MaxPanels).Append(barycenter).ToArray();
            var gap = Math.Max(1, w / 8);
            var cells = new double[h, (panels.Length * (w + gap)) - gap];
            for (var p = 0; p < panels.Length; p++)
            {
                var max = panels[p].Max();
                for (var i = 0; i < h; i++)
                {
                    for (var j = 0; j < w; j++)
                    {
                        cells[i, (p * (w + gap)) + j] = max > 0 ? panels[p][(i * w) + j] / max : 0;
                    }
                }
            }

            var heatmap = plot.Add.Heatmap(cells);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.Smooth = false;
            plot.Axes.Margins(0, 0);
            plot.Axes.SquareUnits();
            plot.XLabel(inputs.Count > MaxPanels ? $"the first {MaxPanels} inputs and the barycenter (each scaled to its maximum)" : "inputs and barycenter (each scaled to its maximum)");
            return plot;
        }

        var xs = _grid is not null
            ? Enumerable.Range(0, Count).Select(k => Count == 1 ? 0.0 : k / (double)(Count - 1)).ToArray()
            : Enumerable.Range(0, Count).Select(k => _points!.Row(k)[0]).ToArray();
        var order = Enumerable.Range(0, Count).OrderBy(k => xs[k]).ToArray();
        var sortedX = order.Select(k => xs[k]).ToArray();
        for (var s = 0; s < inputs.Count; s++)
        {
            var line = plot.Add.ScatterLine(sortedX, order.Select(k => inputs[s][k]).ToArray());
            line.LineWidth = 1;
            line.LegendText = $"input {s + 1}";
        }

        var bary = plot.Add.ScatterLine(sortedX, order.Select(k => barycenter[k]).ToArray(), PlotTheme.Trace);
        bary.LineWidth = 3;
        bary.LegendText = "barycenter";
        plot.ShowLegend();
        plot.XLabel("support");
        plot.YLabel("mass");
        return plot;
    }

    /// <summary>
    /// Support points of dimension ≥ 2: the support as small grey dots, each input (at most four) as open circles and the
    /// barycenter as filled circles, a marker's area proportional to its mass over the largest mass of all histograms
    /// drawn (so sizes compare across them); masses below 1% of that largest are left out.
    /// </summary>
    private Plot PlotPoints(Plot plot, IReadOnlyList<double[]> inputs, double[] barycenter)
    {
        var points = _points!.Memory.ToArray();
        var projection = Projection.Fit(_points.Dimension, points);
        var (x, y) = projection.Apply(points);
        plot.Add.Markers(x, y, MarkerShape.FilledCircle, 2, Colors.Gray.WithAlpha(0.5));
        var shown = inputs.Take(MaxPanels).ToArray();
        var largest = shown.Append(barycenter).SelectMany(h => h).DefaultIfEmpty(0).Max();
        if (!(largest > 0))
        {
            largest = 1;
        }

        for (var s = 0; s < shown.Length; s++)
        {
            AddMassMarkers(plot, x, y, shown[s], largest, MarkerShape.OpenCircle, plot.Add.Palette.GetColor(s + 1).WithAlpha(0.8), $"input {s + 1}");
        }

        AddMassMarkers(plot, x, y, barycenter, largest, MarkerShape.FilledCircle, PlotTheme.Trace.WithAlpha(0.9), "barycenter");
        plot.ShowLegend();
        plot.XLabel(inputs.Count > MaxPanels ? $"{projection.XLabel} (the first {MaxPanels} inputs and the barycenter; area ∝ mass)" : $"{projection.XLabel} (area ∝ mass)");
        plot.YLabel(projection.YLabel);
        return plot;
    }

    /// <summary>One marker group per size class (area ∝ mass): ScottPlot draws one size per group.</summary>
    private static void AddMassMarkers(Plot plot, double[] x, double[] y, double[] mass, double largest, MarkerShape shape, Color color, string label)
    {
        const int Classes = 6;
        const double MaxSize = 18;
        var labelled = false;
        for (var c = 1; c <= Classes; c++)
        {
            // class c holds the masses in ((c − 1)/Classes, c/Classes] of the largest, drawn at the class's upper area
            var (lo, hi) = ((c - 1) / (double)Classes, c / (double)Classes);
            var index = Enumerable.Range(0, mass.Length).Where(k => mass[k] >= 0.01 * largest && mass[k] / largest > lo && mass[k] / largest <= hi).ToArray();
            if (index.Length == 0)
            {
                continue;
            }

            var markers = plot.Add.Markers(index.Select(k => x[k]).ToArray(), index.Select(k => y[k]).ToArray(), shape, (float)(MaxSize * Math.Sqrt(hi)), color);
            if (!labelled)
            {
                markers.LegendText = label;
                labelled = true;
            }
        }
    }

    private const long MaxDense = HistogramBarycenterMethod.MaxDenseEntries;

    private const int MaxPanels = 4;
}
