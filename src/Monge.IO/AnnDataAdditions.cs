using PureHDF;

namespace Monge.IO;

/// <summary>
/// Results to add to a copy of an AnnData file (<see cref="AnnDataCopy.Write"/>): <c>obs</c> columns (categorical labels,
/// numbers, integers) and <c>obsm</c> matrices, each with one row per observation, encoded as anndata 0.8 writes them
/// (<c>encoding-type</c>/<c>encoding-version</c> attributes; a new obs column is appended to <c>column-order</c>). An
/// existing entry of the same name is replaced.
/// </summary>
public sealed class AnnDataAdditions
{
    private readonly List<(string Name, object Value, long Rows)> _obs = [];
    private readonly List<(string Name, double[] Values, int Columns)> _obsm = [];

    /// <summary>Whether nothing is to be added.</summary>
    public bool IsEmpty => _obs.Count == 0 && _obsm.Count == 0;

    /// <summary>Adds a categorical obs column (categories in ordinal order; a null value is missing, code −1).</summary>
    /// <param name="name">The column name.</param>
    /// <param name="values">One value per observation.</param>
    /// <returns>This instance.</returns>
    public AnnDataAdditions ObsCategorical(string name, IReadOnlyList<string?> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);
        var categories = values.Where(v => v is not null).Select(v => v!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = categories.Select((c, k) => (c, k)).ToDictionary(p => p.c, p => p.k, StringComparer.Ordinal);
        var codes = values.Select(v => v is null ? -1 : index[v]).ToArray();
        Array codeArray = categories.Length < sbyte.MaxValue ? Array.ConvertAll(codes, c => (sbyte)c)
            : categories.Length < short.MaxValue ? Array.ConvertAll(codes, c => (short)c)
            : codes;
        var group = new H5Group
        {
            ["categories"] = Encoded(new H5Dataset(categories, fileDims: [(ulong)categories.Length]), "string-array"),
            ["codes"] = Encoded(new H5Dataset(codeArray, fileDims: [(ulong)codes.Length]), "array"),
        };
        group.Attributes["encoding-type"] = "categorical";
        group.Attributes["encoding-version"] = "0.2.0";
        group.Attributes["ordered"] = AnnDataCopy.H5Bool.FALSE;
        _obs.Add((name, group, values.Count));
        return this;
    }

    /// <summary>Adds a float64 obs column (NaN for missing values).</summary>
    /// <param name="name">The column name.</param>
    /// <param name="values">One value per observation.</param>
    /// <returns>This instance.</returns>
    public AnnDataAdditions ObsNumbers(string name, double[] values) => ObsArray(name, values);

    /// <summary>Adds an int64 obs column.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="values">One value per observation.</param>
    /// <returns>This instance.</returns>
    public AnnDataAdditions ObsIntegers(string name, long[] values) => ObsArray(name, values);

    /// <summary>Adds a numeric obs column (the element type is the file's).</summary>
    private AnnDataAdditions ObsArray(string name, Array values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);
        _obs.Add((name, Encoded(new H5Dataset(values, fileDims: [(ulong)values.Length]), "array"), values.Length));
        return this;
    }

    /// <summary>Adds a float64 obsm matrix (row-major, one row per observation).</summary>
    /// <param name="name">The key under obsm.</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="columns">Columns (at least 1; the length must be a multiple).</param>
    /// <returns>This instance.</returns>
    public AnnDataAdditions Obsm(string name, double[] values, int columns)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (values.Length % columns != 0)
        {
            throw new ArgumentException($"{values.Length} values are not rows of {columns} columns.", nameof(values));
        }

        _obsm.Add((name, values, columns));
        return this;
    }

    internal void ApplyTo(H5Group root, long rows)
    {
        foreach (var (name, _, count) in _obs)
        {
            if (count != rows)
            {
                throw new ArgumentException($"obs/{name} has {count} values for {rows} observations.");
            }
        }

        foreach (var (name, values, columns) in _obsm)
        {
            if (values.Length / columns != rows)
            {
                throw new ArgumentException($"obsm/{name} has {values.Length / columns} rows for {rows} observations.");
            }
        }

        var obs = (H5Group)root["obs"];
        foreach (var (name, value, _) in _obs)
        {
            obs[name] = value;
        }

        if (_obs.Count > 0)
        {
            var order = ColumnOrder(obs);
            order.AddRange(_obs.Select(o => o.Name).Where(n => !order.Contains(n, StringComparer.Ordinal)));
            obs.Attributes["column-order"] = order.ToArray();
        }

        if (_obsm.Count == 0)
        {
            return;
        }

        if (!root.TryGetValue("obsm", out var existing) || existing is not H5Group obsm)
        {
            obsm = new H5Group();
            obsm.Attributes["encoding-type"] = "dict";
            obsm.Attributes["encoding-version"] = "0.1.0";
            root["obsm"] = obsm;
        }

        foreach (var (name, values, columns) in _obsm)
        {
            obsm[name] = Encoded(new H5Dataset(values, fileDims: [(ulong)(values.Length / columns), (ulong)columns]), "array");
        }
    }

    private static List<string> ColumnOrder(H5Group obs)
    {
        if (!obs.Attributes.TryGetValue("column-order", out var value))
        {
            return [];
        }

        return value switch
        {
            string[] names => [.. names],
            string name => [name],
            _ => [], // anndata writes an empty float64 array when there are no columns
        };
    }

    private static H5Dataset Encoded(H5Dataset dataset, string encoding)
    {
        dataset.Attributes["encoding-type"] = encoding;
        dataset.Attributes["encoding-version"] = "0.2.0";
        return dataset;
    }
}
