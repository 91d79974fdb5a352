using System.Security.Cryptography;
using Monge.Testing;
using PureHDF;

namespace Monge.IO.Tests;

/// <summary>The copy with additions: every original group, dataset and attribute is equal when read back with PureHDF
/// (oracle: the input file as anndata wrote it), the additions read back as written, and the input is untouched.</summary>
public sealed class AnnDataCopyTests
{
    private static string FixturePath(string name) => Path.Combine(Fixtures.Directory, name);

    [Theory]
    [InlineData("io_labels_source.h5ad")]
    [InlineData("io_labels_target.h5ad")]
    [InlineData("io_cells_csc.h5ad")]
    [InlineData("io_cells_dense.h5ad")]
    public void Write_CopyWithAdditions_KeepsEveryOriginalEntry(string name)
    {
        using var folder = new TempFolder();
        var input = FixturePath(name);
        var before = SHA256.HashData(File.ReadAllBytes(input));
        var output = folder.File("copy.h5ad");
        var rows = AnnDataFormat.ReadObsNames(input).Length;
        var labels = Enumerable.Range(0, rows).Select(i => i % 5 == 4 ? null : $"type {i % 3}").ToArray();
        var confidence = Enumerable.Range(0, rows).Select(i => i / (double)rows).ToArray();
        var mapped = Enumerable.Range(0, rows * 2).Select(k => k * 0.5).ToArray();
        var match = Enumerable.Range(0, rows).Select(i => (long)(rows - 1 - i)).ToArray();
        AnnDataCopy.Write(input, output, new AnnDataAdditions().ObsCategorical("monge_label", labels).ObsNumbers("monge_confidence", confidence).ObsIntegers("monge_match", match).Obsm("monge_mapped", mapped, 2));

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(input)));
        var original = Flatten(input);
        var copy = Flatten(output);
        foreach (var (key, value) in original)
        {
            if (key == "obs@column-order")
            {
                continue; // extended below
            }

            Assert.True(copy.ContainsKey(key), $"{key} missing from the copy");
            Assert.Equal(value, copy[key]);
        }

        Assert.Equal(labels, AnnDataFormat.ReadText(output, "obs/monge_label"));
        NumericAssert.Close(confidence, AnnDataFormat.Read(output, "obs/monge_confidence").ToDoubleArray(), 0, 0);
        NumericAssert.Close(match.Select(v => (double)v).ToArray(), AnnDataFormat.Read(output, "obs/monge_match").ToDoubleArray(), 0, 0);
        var map = AnnDataFormat.Read(output, "obsm/monge_mapped");
        Assert.Equal([rows, 2], map.Shape);
        NumericAssert.Close(mapped, map.ToDoubleArray(), 0, 0);
        Assert.EndsWith("monge_label|monge_confidence|monge_match", copy["obs@column-order"], StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OntoItsInput_IsRefused()
    {
        var input = FixturePath("io_labels_source.h5ad");
        Assert.Throws<ArgumentException>(() => AnnDataCopy.Write(input, input, new AnnDataAdditions(), overwrite: true));
    }

    [Fact]
    public void Write_WrongNumberOfRows_IsRefusedAndWritesNothing()
    {
        using var folder = new TempFolder();
        var output = folder.File("copy.h5ad");
        Assert.Throws<ArgumentException>(() => AnnDataCopy.Write(FixturePath("io_labels_source.h5ad"), output, new AnnDataAdditions().ObsNumbers("x", [1.0, 2.0])));
        Assert.False(File.Exists(output));
    }

    /// <summary>Every dataset's values and every attribute as text, keyed by path (attributes as path@name).</summary>
    private static Dictionary<string, string> Flatten(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var file = H5File.OpenRead(path);
        Walk(file, string.Empty, result);
        return result;
    }

    private static void Walk(IH5Group group, string prefix, Dictionary<string, string> result)
    {
        AddAttributes(group, prefix, result);
        foreach (var child in group.Children())
        {
            var key = prefix.Length == 0 ? child.Name : $"{prefix}/{child.Name}";
            if (child is IH5Group sub)
            {
                Walk(sub, key, result);
            }
            else if (child is IH5Dataset dataset)
            {
                result[key] = $"{dataset.Type.Class}:{dataset.Type.Size}:({string.Join(",", dataset.Space.Dimensions)}):{Text(dataset.Type, () => dataset.Read<string[]>(), () => dataset.Read<double[]>(), () => dataset.Read<float[]>(), () => dataset.Read<long[]>(), () => dataset.Read<int[]>(), () => dataset.Read<sbyte[]>())}";
                AddAttributes(dataset, key, result);
            }
        }
    }

    private static void AddAttributes(IH5Object obj, string key, Dictionary<string, string> result)
    {
        foreach (var attribute in obj.Attributes())
        {
            result[$"{key}@{attribute.Name}"] = $"{attribute.Type.Class}:{Text(attribute.Type, () => attribute.Read<string[]>(), () => attribute.Read<double[]>(), () => attribute.Read<float[]>(), () => attribute.Read<long[]>(), () => attribute.Read<int[]>(), () => attribute.Read<sbyte[]>())}";
        }
    }

    // The values as text, read with a CLR type of the stored width (PureHDF refuses a different size).
    private static string Text(IH5DataType type, Func<string[]> strings, Func<double[]> doubles, Func<float[]> floats, Func<long[]> longs, Func<int[]> ints, Func<sbyte[]> bytes) => (type.Class, type.Size) switch
    {
        (H5DataTypeClass.String or H5DataTypeClass.VariableLength, _) => string.Join("|", strings()),
        (H5DataTypeClass.FloatingPoint, 8) => string.Join("|", doubles().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        (H5DataTypeClass.FloatingPoint, 4) => string.Join("|", floats().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        (H5DataTypeClass.FixedPoint, 8) => string.Join("|", longs()),
        (H5DataTypeClass.FixedPoint, 4) => string.Join("|", ints()),
        (_, 1) => string.Join("|", bytes()),
        _ => throw new InvalidOperationException($"the fixtures hold no {type.Class} of {type.Size} bytes"),
    };
}
