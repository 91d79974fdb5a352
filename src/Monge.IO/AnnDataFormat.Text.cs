using System.Globalization;
using PureHDF;

namespace Monge.IO;

/// <content>Text columns of AnnData files: observation names and label columns (categorical, string or integer).</content>
public static partial class AnnDataFormat
{
    /// <summary>
    /// Reads a column of labels, one per row: a categorical column as anndata writes it (a group with
    /// <c>encoding-type</c> <c>categorical</c>, <c>codes</c> and <c>categories</c>; code −1 is a missing value), the
    /// anndata 0.7 layout (integer codes with the categories in <c>obs/__categories/NAME</c>), a string array, or an integer
    /// array (labels are the decimal text).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="key">The path inside the file, for example <c>obs/cell_type</c>.</param>
    /// <returns>One label per row; null for a missing value.</returns>
    /// <exception cref="DataSelectionException">The key does not exist or holds something that is not labels.</exception>
    /// <exception cref="DataFormatException">The file is not a readable HDF5 file or the categorical encoding is inconsistent.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string?[] ReadText(string path, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var file = Open(path);
        var name = $"{path}#{key}";
        try
        {
            switch (Resolve(file, path, key))
            {
                case IH5Group group when EncodingOf(group) == "categorical":
                    {
                        if (!group.LinkExists("codes") || group.Get("codes") is not IH5Dataset codes
                            || !group.LinkExists("categories") || group.Get("categories") is not IH5Dataset categories)
                        {
                            throw new DataFormatException(name, "categorical", "a categorical needs datasets 'codes' and 'categories'");
                        }

                        return Decode(name, ReadIntegers(codes, name), ReadStrings(categories, name + "/categories"));
                    }

                case IH5Dataset dataset when Legacy(file, key) is { } categories:
                    return Decode(name, ReadIntegers(dataset, name), ReadStrings(categories, name));
                case IH5Dataset dataset:
                    return ReadStrings(dataset, name);
                case IH5Group group:
                    throw new DataSelectionException($"{name}: is a group ({EncodingOf(group) ?? "no encoding-type"}), not a column of labels (expected a categorical, string or integer column).");
                default:
                    throw new DataSelectionException($"{name}: is not a dataset.");
            }
        }
        catch (Exception ex) when (IsLibraryFailure(ex))
        {
            throw Corrupted(path, ex);
        }
    }

    /// <summary>The observation names (<c>obs</c>'s index: the dataset named by its <c>_index</c> attribute, <c>_index</c> by default).</summary>
    /// <param name="path">The file.</param>
    /// <returns>One name per observation.</returns>
    /// <exception cref="DataSelectionException">The file has no <c>obs</c> group or index.</exception>
    /// <exception cref="DataFormatException">The file is not a readable HDF5 file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string[] ReadObsNames(string path)
    {
        using var file = Open(path);
        try
        {
            if (!file.LinkExists("obs") || file.Get("obs") is not IH5Group obs)
            {
                throw new DataSelectionException($"{path}: no 'obs' group (not an AnnData file?).");
            }

            var index = obs.AttributeExists("_index") ? ReadStringAttribute(obs.Attribute("_index")) ?? "_index" : "_index";
            if (!obs.LinkExists(index) || obs.Get(index) is not IH5Dataset names)
            {
                throw new DataSelectionException($"{path}: no observation names (obs/{index}).");
            }

            return ReadStrings(names, $"{path}#obs/{index}").Select(s => s ?? string.Empty).ToArray();
        }
        catch (Exception ex) when (IsLibraryFailure(ex))
        {
            throw Corrupted(path, ex);
        }
    }

    private static IH5Dataset? Legacy(IH5Group file, string key)
    {
        var parts = key.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            return null;
        }

        var legacy = $"{parts[0]}/__categories/{parts[1]}";
        return file.LinkExists($"{parts[0]}/__categories") && file.LinkExists(legacy) ? file.Get(legacy) as IH5Dataset : null;
    }

    private static string?[] Decode(string name, long[] codes, string?[] categories)
    {
        var labels = new string?[codes.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            var code = codes[i];
            if (code < -1 || code >= categories.Length)
            {
                throw new DataFormatException(name, $"row {i}", $"categorical code {code} is outside -1..{categories.Length - 1}");
            }

            labels[i] = code < 0 ? null : categories[code];
        }

        return labels;
    }

    private static long[] ReadIntegers(IH5Dataset dataset, string name)
    {
        var type = ElementType(dataset.Type);
        if (type is null || dataset.Type.Class != H5DataTypeClass.FixedPoint)
        {
            throw new DataFormatException(name, "codes", $"expected integer codes, found {Describe(dataset.Type)}");
        }

        var dims = dataset.Space.Dimensions;
        DataSizes.EnsureDensifiable(name, dims.Length == 0 ? 1 : dims.Aggregate(1.0, (a, d) => a * d), 8, DataSizes.DefaultMaxBytes);
        var values = ReadAll(dataset, type, null);
        var result = new long[values.Length];
        for (var k = 0; k < result.Length; k++)
        {
            result[k] = (long)ValueAt(values, k);
        }

        return result;
    }

    private static string?[] ReadStrings(IH5Dataset dataset, string name)
    {
        var dims = dataset.Space.Dimensions;
        if (dims.Length != 1)
        {
            throw new DataSelectionException($"{name}: has shape ({string.Join(", ", dims)}); expected one value per row.");
        }

        if (dataset.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength)
        {
            // A string holds at least its pointer: 16 bytes per row is a floor, checked before reading.
            DataSizes.EnsureDensifiable(name, dims[0], 16, DataSizes.DefaultMaxBytes);
            return dataset.Read<string[]>().Select(s => string.IsNullOrEmpty(s) ? null : s).ToArray();
        }

        var type = ElementType(dataset.Type)
            ?? throw new DataSelectionException($"{name}: holds {Describe(dataset.Type)}, not labels (expected strings, a categorical or integers).");
        DataSizes.EnsureDensifiable(name, dims[0], 8, DataSizes.DefaultMaxBytes);
        var values = ReadAll(dataset, type, null);
        var result = new string?[values.Length];
        for (var k = 0; k < result.Length; k++)
        {
            var value = ValueAt(values, k);
            if (double.IsNaN(value))
            {
                continue;
            }

            if (value != Math.Round(value))
            {
                throw new DataSelectionException($"{name}: holds {value.ToString("R", CultureInfo.InvariantCulture)} at row {k}, not a label (expected strings, a categorical or whole numbers).");
            }

            result[k] = value.ToString("R", CultureInfo.InvariantCulture);
        }

        return result;
    }
}
