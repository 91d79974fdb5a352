using PureHDF;

namespace Monge.IO;

/// <summary>
/// Writes a new AnnData (<c>.h5ad</c>) file from scratch, encoded as anndata 0.8 writes it: <c>obs</c> with its index
/// (<c>obs/_index</c>) and the columns of an <see cref="AnnDataAdditions"/>, <c>obsm</c> matrices, an optional dense
/// <c>X</c> (float64, n × g) with a <c>var</c> index, and empty <c>uns</c>. Used to hand synthetic data to tools that read
/// <c>.h5ad</c> (the slice-alignment example and its tests); readable by anndata and by <see cref="AnnDataFormat"/>.
/// </summary>
public static class AnnDataWriter
{
    /// <summary>Writes the file atomically.</summary>
    /// <param name="path">Destination (.h5ad).</param>
    /// <param name="obsNames">One name per observation.</param>
    /// <param name="additions">obs columns and obsm matrices (one row per observation).</param>
    /// <param name="x">Optional dense X, row-major n × <paramref name="variables"/>.</param>
    /// <param name="variables">Number of columns of X (0 without X).</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <exception cref="ArgumentException">Shapes disagree with the number of observations.</exception>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string path, IReadOnlyList<string> obsNames, AnnDataAdditions additions, double[]? x = null, int variables = 0, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(obsNames);
        ArgumentNullException.ThrowIfNull(additions);
        var rows = obsNames.Count;
        if (x is not null && (variables < 1 || x.Length != (long)rows * variables))
        {
            throw new ArgumentException($"X has {x.Length} values, not {rows} × {variables}.", nameof(x));
        }

        if (!overwrite && File.Exists(path))
        {
            throw new IOException($"{path}: file exists (pass overwrite to replace it).");
        }

        var root = new H5File();
        root.Attributes["encoding-type"] = "anndata";
        root.Attributes["encoding-version"] = "0.1.0";
        root["obs"] = Frame(obsNames.ToArray());
        var varNames = Enumerable.Range(0, x is null ? 0 : variables).Select(k => $"feature_{k}").ToArray();
        root["var"] = Frame(varNames);
        var uns = new H5Group();
        uns.Attributes["encoding-type"] = "dict";
        uns.Attributes["encoding-version"] = "0.1.0";
        root["uns"] = uns;
        if (x is not null)
        {
            var dataset = new H5Dataset(x, fileDims: [(ulong)rows, (ulong)variables]);
            dataset.Attributes["encoding-type"] = "array";
            dataset.Attributes["encoding-version"] = "0.2.0";
            root["X"] = dataset;
        }

        additions.ApplyTo(root, rows);
        AtomicFile.Write(path, stream => root.Write(stream), overwrite);
    }

    private static H5Group Frame(string[] names)
    {
        var index = new H5Dataset(names, fileDims: [(ulong)names.Length]);
        index.Attributes["encoding-type"] = "string-array";
        index.Attributes["encoding-version"] = "0.2.0";
        var group = new H5Group { ["_index"] = index };
        group.Attributes["_index"] = "_index";
        group.Attributes["column-order"] = Array.Empty<string>();
        group.Attributes["encoding-type"] = "dataframe";
        group.Attributes["encoding-version"] = "0.2.0";
        return group;
    }
}
