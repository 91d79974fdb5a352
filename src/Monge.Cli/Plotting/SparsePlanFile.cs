using System.Globalization;
using Monge.Cli.Infrastructure;
using Monge.IO;

namespace Monge.Cli.Plotting;

/// <summary>Reads a sparse plan written by <c>monge solve --plan-out FILE.npz --top-k K</c> (keys rows, cols, values, shape,
/// top_k) for <c>monge plot plan</c>.</summary>
/// <param name="Entries">The entries.</param>
/// <param name="What">Names the plan in the title.</param>
public sealed record SparsePlanFile(BinnedPlanHeatmap.Entries Entries, string What)
{
    /// <summary>Loads <paramref name="spec"/> when it is such an .npz archive; null for any other input.</summary>
    /// <exception cref="InputValidationException">The keys are there but inconsistent (lengths, indices outside the shape, non-finite values).</exception>
    public static SparsePlanFile? TryLoad(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (path, key) = DataFiles.SplitSpec(spec);
        if (key is not null || !path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) || !File.Exists(path))
        {
            return null;
        }

        var arrays = NpzFormat.Read(path);
        if (!(arrays.ContainsKey("rows") && arrays.ContainsKey("cols") && arrays.ContainsKey("values") && arrays.ContainsKey("shape")))
        {
            return null;
        }

        var rows = arrays["rows"].ToDoubleArray();
        var cols = arrays["cols"].ToDoubleArray();
        var values = arrays["values"].ToDoubleArray();
        var shape = arrays["shape"].ToDoubleArray();
        if (shape.Length != 2 || shape.Any(s => s < 1 || s > int.MaxValue || s != Math.Round(s)) || rows.Length != values.Length || cols.Length != values.Length)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"plan {path}: rows, cols and values must have one length and shape two positive integers (got {rows.Length}, {cols.Length}, {values.Length} and shape of {shape.Length}).");
        }

        var (n, m) = ((int)shape[0], (int)shape[1]);
        var r = new int[values.Length];
        var c = new int[values.Length];
        for (var e = 0; e < values.Length; e++)
        {
            if (rows[e] < 0 || rows[e] >= n || cols[e] < 0 || cols[e] >= m || rows[e] != Math.Round(rows[e]) || cols[e] != Math.Round(cols[e]))
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"plan {path}: entry {e} at ({rows[e]}, {cols[e]}) is outside the {n} × {m} shape.", null, e);
            }

            if (!double.IsFinite(values[e]) || values[e] < 0)
            {
                throw new InputValidationException(InputProblem.NonFinite, $"plan {path}: entry {e} has mass {values[e]}.", null, e);
            }

            (r[e], c[e]) = ((int)rows[e], (int)cols[e]);
        }

        var what = arrays.TryGetValue("top_k", out var k) && k.ToDoubleArray() is [var top]
            ? string.Create(CultureInfo.InvariantCulture, $"Top-{top} plan")
            : "Sparse plan";
        return new SparsePlanFile(new BinnedPlanHeatmap.Entries(r, c, values, n, m), what);
    }
}
