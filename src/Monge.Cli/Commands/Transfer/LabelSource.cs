using System.Globalization;
using Monge.Cli.Infrastructure;
using Monge.IO;

namespace Monge.Cli.Commands.Transfer;

/// <summary>
/// Reads the labels of <c>--transfer</c>: one per row of the source file, from <c>FILE.h5ad#obs/COLUMN</c> (categorical,
/// string or integer), <c>FILE.csv#COLUMN</c> / <c>FILE.tsv#COLUMN</c> (any text), <c>FILE.parquet#COLUMN</c> (strings or
/// integers), or an integer vector in <c>.npy</c> / <c>.npz#KEY</c>. Missing values (a categorical code −1, an empty CSV
/// field, a null, a NaN) are sources without a label.
/// </summary>
public static class LabelSource
{
    /// <summary>Reads the labels.</summary>
    /// <param name="spec">FILE#KEY as given to <c>--transfer</c>.</param>
    /// <returns>One label per row (null where missing).</returns>
    /// <exception cref="UsageException">Unknown file type, a missing or wrong key, or values that are not labels.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed.</exception>
    public static string?[] Read(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (path, key) = DataFiles.SplitSpec(spec);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--transfer {path}: file not found.", path);
        }

        var extension = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            return extension switch
            {
                ".h5ad" or ".h5" or ".hdf5" => AnnDataFormat.ReadText(path, Need(key, path, "obs/cell_type")),
                ".csv" or ".tsv" or ".txt" => CsvFormat.ReadText(path, Need(key, path, "cell_type")),
                ".parquet" => ParquetFormat.ReadText(path, Need(key, path, "cell_type")),
                ".npy" or ".npz" => Integers(spec, DataFiles.LoadVector(spec, DataLoadOptions.Default, "--transfer")),
                _ => throw new UsageException($"--transfer {path}: unknown file type '{extension}' (expected .h5ad#obs/COLUMN, .csv#COLUMN, .parquet#COLUMN or an integer .npy vector)."),
            };
        }
        catch (DataSelectionException ex)
        {
            throw new UsageException($"--transfer: {ex.Message}", ex);
        }
    }

    private static string Need(string? key, string path, string example) =>
        string.IsNullOrWhiteSpace(key)
            ? throw new UsageException($"--transfer {path}: name the label column with FILE#KEY, for example {path}#{example}.")
            : key;

    private static string?[] Integers(string spec, double[] values)
    {
        var labels = new string?[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            if (double.IsNaN(value))
            {
                continue;
            }

            if (value != Math.Round(value) || double.IsInfinity(value))
            {
                throw new UsageException($"--transfer {spec}: entry {i} is {value.ToString("R", CultureInfo.InvariantCulture)}; an .npy label vector holds integers.");
            }

            labels[i] = value.ToString("R", CultureInfo.InvariantCulture);
        }

        return labels;
    }
}
