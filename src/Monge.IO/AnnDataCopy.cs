using PureHDF;

namespace Monge.IO;

/// <summary>
/// Writes a copy of an AnnData <c>.h5ad</c> file with results added (new <c>obs</c> columns and <c>obsm</c> arrays),
/// never touching the input. PureHDF 2.2 cannot modify a file in place, so the copy is rebuilt: every group, dataset and
/// attribute of the input (with its HDF5 type: integers and floats of each width, fixed and variable-length strings, the
/// boolean enumeration h5py writes) is read and written to a new file, then the additions are placed, and the file is
/// renamed over the destination (<see cref="AtomicFile"/>). Datasets are written contiguous and uncompressed.
/// </summary>
/// <remarks>
/// Memory: the whole content of the input plus the additions, held at once (PureHDF writes a file from an in-memory tree);
/// the total is checked before anything is read, and a file larger than the limit is refused with the size it needs.
/// Unsupported HDF5 types (compound, references, opaque, arrays of lists) are refused with their path, never dropped.
/// </remarks>
public static class AnnDataCopy
{
    internal enum H5Bool : byte
    {
        FALSE = 0,
        TRUE = 1,
    }

    /// <summary>Writes <paramref name="destination"/>: a copy of <paramref name="source"/> plus <paramref name="additions"/>.</summary>
    /// <param name="source">The input <c>.h5ad</c>.</param>
    /// <param name="destination">The output path (must differ from the input).</param>
    /// <param name="additions">Columns and arrays to add or replace.</param>
    /// <param name="overwrite">Whether an existing destination may be replaced.</param>
    /// <param name="maxBytes">The largest total content to copy (default <see cref="DataSizes.DefaultMaxBytes"/>).</param>
    /// <exception cref="ArgumentException">The destination is the input, or an addition has the wrong number of rows.</exception>
    /// <exception cref="DataSelectionException">The input is not an AnnData file (no <c>obs</c>), or is larger than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="DataFormatException">The input is not a readable HDF5 file or holds an HDF5 type the copy cannot write.</exception>
    /// <exception cref="IOException">The destination exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string source, string destination, AnnDataAdditions additions, bool overwrite = false, long maxBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(additions);
        if (string.Equals(Path.GetFullPath(source), Path.GetFullPath(destination), StringComparison.Ordinal))
        {
            throw new ArgumentException($"{destination}: the copy must not replace its input {source}.", nameof(destination));
        }

        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"{source}: file not found.", source);
        }

        if (!overwrite && File.Exists(destination))
        {
            throw new IOException($"{destination}: file exists (pass overwrite to replace it).");
        }

        H5File copy;
        long rows;
        using (var file = OpenInput(source))
        {
            try
            {
                var total = 0.0;
                Measure(file, ref total);
                DataSizes.EnsureDensifiable($"{source} (copying {total:N0} bytes of datasets)", total, 1, maxBytes > 0 ? maxBytes : DataSizes.DefaultMaxBytes);
                if (!file.LinkExists("obs") || file.Get("obs") is not IH5Group obs)
                {
                    throw new DataSelectionException($"{source}: no 'obs' group (not an AnnData file?).");
                }

                rows = ObsCount(obs, source);
                copy = new H5File();
                CopyAttributes(file, copy, source);
                CopyChildren(file, copy, source, string.Empty);
            }
            catch (Exception ex) when (ex is not (DataSelectionException or DataFormatException or OutOfMemoryException or IOException or ArgumentException))
            {
                throw new DataFormatException(source, "HDF5 structure", $"cannot copy the file ({ex.GetType().Name}: {ex.Message.TrimEnd('.')})", ex);
            }
        }

        additions.ApplyTo(copy, rows);
        AtomicFile.Write(destination, stream => copy.Write(stream), overwrite);
    }

    private static PureHDF.VOL.Native.NativeFile OpenInput(string path)
    {
        try
        {
            return H5File.OpenRead(path);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or FileNotFoundException or UnauthorizedAccessException))
        {
            throw new DataFormatException(path, "HDF5 structure", $"not a readable HDF5/.h5ad file ({ex.GetType().Name}: {ex.Message.TrimEnd('.')})", ex);
        }
    }

    private static long ObsCount(IH5Group obs, string path)
    {
        var index = obs.AttributeExists("_index") && obs.Attribute("_index").Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength
            ? ReadAttribute(obs.Attribute("_index"), path) as string ?? "_index"
            : "_index";
        if (!obs.LinkExists(index) || obs.Get(index) is not IH5Dataset names || names.Space.Dimensions.Length != 1)
        {
            throw new DataSelectionException($"{path}: no observation names (obs/{index}).");
        }

        return (long)names.Space.Dimensions[0];
    }

    private static void Measure(IH5Group group, ref double total)
    {
        foreach (var child in group.Children())
        {
            switch (child)
            {
                case IH5Group sub:
                    Measure(sub, ref total);
                    break;
                case IH5Dataset dataset:
                    total += dataset.Space.Dimensions.Aggregate(1.0, (a, d) => a * d) * Math.Max(dataset.Type.Size, 16);
                    break;
            }
        }
    }

    private static void CopyChildren(IH5Group from, H5Group to, string path, string prefix)
    {
        foreach (var child in from.Children())
        {
            var key = prefix.Length == 0 ? child.Name : $"{prefix}/{child.Name}";
            switch (child)
            {
                case IH5Group group:
                    {
                        var sub = new H5Group();
                        CopyAttributes(group, sub, path);
                        CopyChildren(group, sub, path, key);
                        to[child.Name] = sub;
                        break;
                    }

                case IH5Dataset dataset:
                    {
                        var copy = new H5Dataset(ReadData(dataset.Type, dataset.Space, t => ReadDataset(dataset, t), path, key), fileDims: Dims(dataset.Space));
                        CopyAttributes(dataset, copy, path);
                        to[child.Name] = copy;
                        break;
                    }

                default:
                    throw new DataFormatException(path, key, $"cannot copy an HDF5 object of kind {child.GetType().Name}");
            }
        }
    }

    private static ulong[]? Dims(IH5Dataspace space) => space.Type == H5DataspaceType.Scalar ? null : space.Dimensions;

    private static void CopyAttributes(IH5Object from, H5Object to, string path)
    {
        foreach (var attribute in from.Attributes())
        {
            var value = ReadAttribute(attribute, path);
            // Scalars and vectors are stored as they are (a vector keeps its length); higher ranks keep their dimensions.
            to.Attributes[attribute.Name] = attribute.Space.Type == H5DataspaceType.Scalar || attribute.Space.Dimensions.Length == 1
                ? value
                : new H5Attribute(value, attribute.Space.Dimensions);
        }
    }

    private static object ReadAttribute(IH5Attribute attribute, string path) =>
        ReadData(attribute.Type, attribute.Space, t => ReadAttributeAs(attribute, t), path, $"attribute '{attribute.Name}'");

    /// <summary>Reads a dataset or attribute with the CLR type that writes back the same HDF5 type; scalars as one value.</summary>
    private static object ReadData(IH5DataType type, IH5Dataspace space, Func<Type, Array> read, string path, string what)
    {
        var clr = ClrType(type) ?? throw new DataFormatException(path, what, $"HDF5 type class {type.Class} ({type.Size} bytes) cannot be copied");
        var values = read(clr);
        if (space.Type == H5DataspaceType.Scalar)
        {
            return values.GetValue(0)!;
        }

        return values;
    }

    private static Type? ClrType(IH5DataType type) => type.Class switch
    {
        H5DataTypeClass.FloatingPoint => type.Size switch
        {
            4 => typeof(float),
            8 => typeof(double),
            _ => null,
        },
        H5DataTypeClass.FixedPoint => (type.Size, type.FixedPoint.IsSigned) switch
        {
            (1, true) => typeof(sbyte),
            (1, false) => typeof(byte),
            (2, true) => typeof(short),
            (2, false) => typeof(ushort),
            (4, true) => typeof(int),
            (4, false) => typeof(uint),
            (8, true) => typeof(long),
            (8, false) => typeof(ulong),
            _ => null,
        },
        H5DataTypeClass.String or H5DataTypeClass.VariableLength => typeof(string),
        H5DataTypeClass.Enumerated when IsBool(type) => typeof(H5Bool),
        _ => null,
    };

    private static bool IsBool(IH5DataType type)
    {
        if (type.Size != 1)
        {
            return false;
        }

        var members = type.Enumeration.GetMembers<sbyte>();
        return members.Count == 2 && members.TryGetValue("FALSE", out var no) && no == 0 && members.TryGetValue("TRUE", out var yes) && yes == 1;
    }

    private static Array ReadDataset(IH5Dataset dataset, Type clr) => clr switch
    {
        _ when clr == typeof(double) => dataset.Read<double[]>(),
        _ when clr == typeof(float) => dataset.Read<float[]>(),
        _ when clr == typeof(sbyte) => dataset.Read<sbyte[]>(),
        _ when clr == typeof(byte) => dataset.Read<byte[]>(),
        _ when clr == typeof(short) => dataset.Read<short[]>(),
        _ when clr == typeof(ushort) => dataset.Read<ushort[]>(),
        _ when clr == typeof(int) => dataset.Read<int[]>(),
        _ when clr == typeof(uint) => dataset.Read<uint[]>(),
        _ when clr == typeof(long) => dataset.Read<long[]>(),
        _ when clr == typeof(ulong) => dataset.Read<ulong[]>(),
        _ when clr == typeof(H5Bool) => dataset.Read<H5Bool[]>(),
        _ => dataset.Read<string[]>(),
    };

    private static Array ReadAttributeAs(IH5Attribute attribute, Type clr) => clr switch
    {
        _ when clr == typeof(double) => attribute.Read<double[]>(),
        _ when clr == typeof(float) => attribute.Read<float[]>(),
        _ when clr == typeof(sbyte) => attribute.Read<sbyte[]>(),
        _ when clr == typeof(byte) => attribute.Read<byte[]>(),
        _ when clr == typeof(short) => attribute.Read<short[]>(),
        _ when clr == typeof(ushort) => attribute.Read<ushort[]>(),
        _ when clr == typeof(int) => attribute.Read<int[]>(),
        _ when clr == typeof(uint) => attribute.Read<uint[]>(),
        _ when clr == typeof(long) => attribute.Read<long[]>(),
        _ when clr == typeof(ulong) => attribute.Read<ulong[]>(),
        _ when clr == typeof(H5Bool) => attribute.Read<H5Bool[]>(),
        _ => attribute.Read<string[]>(),
    };
}
