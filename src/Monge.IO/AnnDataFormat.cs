using System.Globalization;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace Monge.IO;

/// <summary>
/// Reads numeric arrays from AnnData <c>.h5ad</c> files (and any HDF5 file) with PureHDF, without native HDF5. A key is a
/// path inside the file: <c>obsm/spatial</c>, <c>obsm/X_pca</c>, <c>X</c>, <c>layers/counts</c>, <c>obs/weight</c>.
/// Dense datasets are read in row blocks; sparse matrices (groups with <c>encoding-type</c> <c>csr_matrix</c> or
/// <c>csc_matrix</c> and <c>data</c>, <c>indices</c>, <c>indptr</c>, as anndata writes them) are densified in chunks of
/// about a million stored values, so the file is never held in memory twice.
/// </summary>
/// <remarks>
/// Memory: the dense result (rows × columns × element size; float32 data stays float32) plus one chunk. The size is
/// checked against a limit before anything is allocated, and the error says how much memory the array would take.
/// </remarks>
public static partial class AnnDataFormat
{
    private const int ChunkValues = 1 << 20;

    /// <summary>Lists the numeric arrays of the file: dense datasets and sparse matrices, sorted by key.</summary>
    /// <exception cref="DataFormatException">The file is not a readable HDF5 file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IReadOnlyList<HdfEntry> Entries(string path)
    {
        using var file = Open(path);
        try
        {
            var result = new List<HdfEntry>();
            Collect(file, string.Empty, result, depth: 0);
            return result.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (IsLibraryFailure(ex))
        {
            throw Corrupted(path, ex);
        }
    }

    /// <summary>Reads one array as a dense, row-major <see cref="NumericArray"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="key">The path inside the file, for example <c>obsm/spatial</c>.</param>
    /// <param name="maxBytes">The largest dense result allowed, in bytes.</param>
    /// <exception cref="DataSelectionException">The key does not exist (the message lists the arrays that do), is not numeric,
    /// or is too large to densify under <paramref name="maxBytes"/>.</exception>
    /// <exception cref="DataFormatException">The file is not a readable HDF5 file or the sparse encoding is inconsistent.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NumericArray Read(string path, string key, long maxBytes = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var file = Open(path);
        var name = $"{path}#{key}";
        var fileLength = new FileInfo(path).Length;
        try
        {
            var target = Resolve(file, path, key);
            return target switch
            {
                IH5Dataset dataset => ReadDense(dataset, name, maxBytes, fileLength),
                IH5Group group when SparseEncoding(group) is { } encoding => ReadSparse(group, encoding, name, maxBytes, fileLength),
                IH5Group group => throw new DataSelectionException(
                    $"{name}: is a group ({EncodingOf(group) ?? "no encoding-type"}), not a numeric array; arrays under it: {Join(ListUnder(group, key))}.",
                    ListUnder(group, key)),
                _ => throw new DataSelectionException($"{name}: is not a dataset."),
            };
        }
        catch (Exception ex) when (IsLibraryFailure(ex))
        {
            throw Corrupted(path, ex);
        }
    }

    private static NativeFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found.", path);
        }

        try
        {
            return H5File.OpenRead(path);
        }
        catch (Exception ex) when (IsLibraryFailure(ex))
        {
            throw Corrupted(path, ex);
        }
    }

    private static bool IsLibraryFailure(Exception ex) =>
        ex is not (DataSelectionException or DataFormatException or OutOfMemoryException or OperationCanceledException or FileNotFoundException or UnauthorizedAccessException)
        || IsCorruptSize(ex);

    // An OutOfMemoryException raised inside PureHDF while it decodes the file's own structures (a global heap, a string
    // attribute, a B-tree node) comes from a corrupted size field: "Array dimensions exceeded supported range". Our own
    // allocations are checked against the file and the memory limit first, so only PureHDF's are treated this way.
    private static bool IsCorruptSize(Exception ex) =>
        ex is OutOfMemoryException && ex.TargetSite?.DeclaringType?.Namespace?.StartsWith("PureHDF", StringComparison.Ordinal) == true;

    private static DataFormatException Corrupted(string path, Exception ex)
    {
        var length = new FileInfo(path).Length;
        if (ex is InvalidDataException)
        {
            // Our own header checks: the message says which size is impossible.
            return new DataFormatException(path, "HDF5 header", $"{ex.Message.TrimEnd('.')}; the file ({length} bytes) is corrupted", ex);
        }

        var what = IsCorruptSize(ex) ? "a size field in the file's internal structures is impossible" : $"{ex.GetType().Name}: {ex.Message.TrimEnd('.')}";
        return new DataFormatException(
            path,
            "HDF5 structure",
            $"not a readable HDF5/.h5ad file ({length} bytes; {what}); it may be truncated or corrupted",
            ex);
    }

    /// <summary>
    /// Checks the sizes a dataset's header claims before anything is allocated: contiguous and compact storage hold every
    /// value uncompressed, so they cannot need more bytes than the whole file. (Chunked storage may be compressed; its size
    /// is bounded by the memory limit instead.)
    /// </summary>
    /// <exception cref="InvalidDataException">The claimed storage exceeds the file.</exception>
    private static void CheckStorage(IH5Dataset dataset, string name, long fileLength)
    {
        var elements = 1.0;
        foreach (var d in dataset.Space.Dimensions)
        {
            elements *= d;
        }

        var bytes = elements * dataset.Type.Size;
        var layout = dataset.Layout.Class;
        if (layout is H5DataLayoutClass.Contiguous or H5DataLayoutClass.Compact && bytes > fileLength)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"{name}: the header gives shape ({string.Join(", ", dataset.Space.Dimensions)}) of {dataset.Type.Size}-byte values, {DataSizes.Format(bytes)} of {layout.ToString().ToLowerInvariant()} storage, more than the whole file"));
        }
    }

    /// <summary>Checks that an attribute holds at most <paramref name="maxElements"/> values before it is read.</summary>
    /// <exception cref="InvalidDataException">More values than an attribute of this kind can have.</exception>
    private static void CheckAttributeSize(IH5Attribute attribute, ulong maxElements)
    {
        ulong elements = 1;
        foreach (var d in attribute.Space.Dimensions)
        {
            elements = d == 0 ? 0 : elements > maxElements / d ? maxElements + 1 : elements * d;
        }

        if (elements > maxElements)
        {
            throw new InvalidDataException($"attribute '{attribute.Name}' claims shape ({string.Join(", ", attribute.Space.Dimensions)}), more than the {maxElements} values it can hold");
        }
    }

    private static IH5Object Resolve(IH5Group root, string path, string key)
    {
        var parts = key.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new DataSelectionException($"{path}: empty key; arrays: {Join(ListUnder(root, string.Empty))}.", ListUnder(root, string.Empty));
        }

        IH5Group group = root;
        for (var k = 0; k < parts.Length; k++)
        {
            if (!group.LinkExists(parts[k]))
            {
                var all = new List<HdfEntry>();
                Collect(root, string.Empty, all, 0);
                var keys = all.Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
                throw new DataSelectionException($"{path}: no array '{key}'; arrays in the file: {Join(keys)}.", keys);
            }

            var child = group.Get(parts[k]);
            if (k == parts.Length - 1)
            {
                return child;
            }

            if (child is not IH5Group next)
            {
                throw new DataSelectionException($"{path}: '{string.Join('/', parts[..(k + 1)])}' is a dataset, so '{key}' does not exist.");
            }

            group = next;
        }

        throw new InvalidOperationException("unreachable");
    }

    private static void Collect(IH5Group group, string prefix, List<HdfEntry> result, int depth)
    {
        if (depth > 8 || result.Count > 500)
        {
            return;
        }

        foreach (var child in group.Children())
        {
            var key = prefix.Length == 0 ? child.Name : $"{prefix}/{child.Name}";
            switch (child)
            {
                case IH5Dataset dataset when ElementType(dataset.Type) is { } dtype:
                    result.Add(new HdfEntry(key, dataset.Space.Dimensions.Select(d => (long)d).ToArray(), dtype.Name, "array"));
                    break;
                case IH5Group sub when SparseEncoding(sub) is { } encoding:
                    if (TrySparseInfo(sub, out var shape, out var dataType))
                    {
                        result.Add(new HdfEntry(key, shape, dataType, encoding));
                    }

                    break;
                case IH5Group sub:
                    Collect(sub, key, result, depth + 1);
                    break;
            }
        }
    }

    private static List<string> ListUnder(IH5Group group, string prefix)
    {
        var entries = new List<HdfEntry>();
        Collect(group, prefix.Trim('/'), entries, 0);
        return entries.Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
    }

    private static string Join(IReadOnlyCollection<string> keys) =>
        keys.Count == 0 ? "(none)" : keys.Count <= 40 ? string.Join(", ", keys) : string.Join(", ", keys.Take(40)) + $", ... ({keys.Count - 40} more)";

    private static string? EncodingOf(IH5Object obj) =>
        obj.AttributeExists("encoding-type") ? ReadStringAttribute(obj.Attribute("encoding-type")) : null;

    private static string? SparseEncoding(IH5Group group)
    {
        var encoding = EncodingOf(group);
        if (encoding is "csr_matrix" or "csc_matrix")
        {
            return encoding;
        }

        // anndata before 0.7 wrote h5sparse_format = "csr" / "csc".
        if (group.AttributeExists("h5sparse_format"))
        {
            return ReadStringAttribute(group.Attribute("h5sparse_format")) switch
            {
                "csr" => "csr_matrix",
                "csc" => "csc_matrix",
                _ => null,
            };
        }

        return null;
    }

    private static string? ReadStringAttribute(IH5Attribute attribute)
    {
        // Fixed-length strings have class String; h5py writes variable-length strings (class VariableLength).
        if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
        {
            return null;
        }

        CheckAttributeSize(attribute, 1 << 16);
        return attribute.Space.Rank == 0 ? attribute.Read<string>() : attribute.Read<string[]>().FirstOrDefault();
    }

    private static bool TrySparseInfo(IH5Group group, out long[] shape, out string dtype)
    {
        shape = [];
        dtype = "?";
        var shapeName = group.AttributeExists("shape") ? "shape" : group.AttributeExists("h5sparse_shape") ? "h5sparse_shape" : null;
        if (shapeName is null || !group.LinkExists("data"))
        {
            return false;
        }

        shape = ReadIntegerAttribute(group.Attribute(shapeName));
        if (group.Get("data") is IH5Dataset data && ElementType(data.Type) is { } type)
        {
            dtype = type.Name;
        }

        return shape.Length == 2;
    }

    private static long[] ReadIntegerAttribute(IH5Attribute attribute)
    {
        if (attribute.Type.Class != H5DataTypeClass.FixedPoint)
        {
            throw new InvalidDataException($"attribute '{attribute.Name}' should hold integers");
        }

        // A shape attribute holds one value per dimension.
        CheckAttributeSize(attribute, 32);
        var signed = attribute.Type.FixedPoint.IsSigned;
        return attribute.Type.Size switch
        {
            8 when signed => attribute.Read<long[]>(),
            8 => attribute.Read<ulong[]>().Select(v => checked((long)v)).ToArray(),
            4 when signed => attribute.Read<int[]>().Select(v => (long)v).ToArray(),
            4 => attribute.Read<uint[]>().Select(v => (long)v).ToArray(),
            _ => throw new InvalidDataException($"attribute '{attribute.Name}' has an unsupported integer size {attribute.Type.Size}"),
        };
    }

    private sealed record StoredType(string Name, Type ClrType, NumericDType Output);

    private static StoredType? ElementType(IH5DataType type)
    {
        switch (type.Class)
        {
            case H5DataTypeClass.FloatingPoint:
                return type.Size switch
                {
                    4 => new StoredType("float32", typeof(float), NumericDType.Float32),
                    8 => new StoredType("float64", typeof(double), NumericDType.Float64),
                    _ => null,
                };
            case H5DataTypeClass.FixedPoint:
                var signed = type.FixedPoint.IsSigned;
                return (type.Size, signed) switch
                {
                    (1, true) => new StoredType("int8", typeof(sbyte), NumericDType.Float64),
                    (1, false) => new StoredType("uint8", typeof(byte), NumericDType.Float64),
                    (2, true) => new StoredType("int16", typeof(short), NumericDType.Float64),
                    (2, false) => new StoredType("uint16", typeof(ushort), NumericDType.Float64),
                    (4, true) => new StoredType("int32", typeof(int), NumericDType.Int32),
                    (4, false) => new StoredType("uint32", typeof(uint), NumericDType.Int64),
                    (8, true) => new StoredType("int64", typeof(long), NumericDType.Int64),
                    (8, false) => new StoredType("uint64", typeof(ulong), NumericDType.Float64),
                    _ => null,
                };
            default:
                return null;
        }
    }

    private static string Describe(IH5DataType type) => type.Class switch
    {
        H5DataTypeClass.String => "strings",
        H5DataTypeClass.VariableLength => "variable-length strings or lists",
        H5DataTypeClass.Enumerated => "an enumeration (booleans are stored so)",
        H5DataTypeClass.Compound => "a compound record type",
        _ => $"HDF5 type class {type.Class} of {type.Size} bytes",
    };

    private static int SizeOf(NumericDType dtype) => dtype is NumericDType.Float32 or NumericDType.Int32 ? 4 : 8;

    private static Array Allocate(NumericDType dtype, long length) => dtype switch
    {
        NumericDType.Float32 => new float[length],
        NumericDType.Float64 => new double[length],
        NumericDType.Int32 => new int[length],
        _ => new long[length],
    };

    private static NumericArray ReadDense(IH5Dataset dataset, string name, long maxBytes, long fileLength)
    {
        var type = ElementType(dataset.Type)
            ?? throw new DataSelectionException($"{name}: holds {Describe(dataset.Type)}, not numbers; choose a numeric array.");
        var dims = dataset.Space.Dimensions;
        if (dims.Length > 2)
        {
            throw new DataSelectionException($"{name}: has rank {dims.Length} (shape ({string.Join(", ", dims)})); expected a vector or a matrix.");
        }

        double elements = 1;
        foreach (var d in dims)
        {
            elements *= d;
        }

        var shapeText = dims.Length == 1 ? $"({dims[0]},)" : $"({string.Join(", ", dims)})";
        CheckStorage(dataset, name, fileLength);
        DataSizes.EnsureDensifiable($"{name} ({type.Name} array, shape {shapeText})", elements, SizeOf(type.Output), maxBytes);
        var shape = dims.Select(d => checked((int)d)).ToArray();
        var result = Allocate(type.Output, (long)elements);
        if (elements == 0)
        {
            return new NumericArray(result, shape);
        }

        if (dims.Length == 0)
        {
            CopyConverted(ReadAll(dataset, type, null), result, 0);
            return new NumericArray(result, shape);
        }

        var rows = dims[0];
        var columns = dims.Length == 2 ? dims[1] : 1UL;
        var blockRows = Math.Max(1UL, (ulong)ChunkValues / Math.Max(1UL, columns));
        for (ulong r0 = 0; r0 < rows; r0 += blockRows)
        {
            var count = Math.Min(blockRows, rows - r0);
            Selection selection = dims.Length == 1
                ? new HyperslabSelection(r0, count)
                : new HyperslabSelection(2, [r0, 0], [count, columns]);
            CopyConverted(ReadAll(dataset, type, selection), result, (long)(r0 * columns));
        }

        return new NumericArray(result, shape);
    }

    private static Array ReadAll(IH5Dataset dataset, StoredType type, Selection? selection)
    {
        return type.ClrType switch
        {
            var t when t == typeof(double) => dataset.Read<double[]>(selection),
            var t when t == typeof(float) => dataset.Read<float[]>(selection),
            var t when t == typeof(int) => dataset.Read<int[]>(selection),
            var t when t == typeof(long) => dataset.Read<long[]>(selection),
            var t when t == typeof(uint) => dataset.Read<uint[]>(selection),
            var t when t == typeof(ulong) => dataset.Read<ulong[]>(selection),
            var t when t == typeof(short) => dataset.Read<short[]>(selection),
            var t when t == typeof(ushort) => dataset.Read<ushort[]>(selection),
            var t when t == typeof(sbyte) => dataset.Read<sbyte[]>(selection),
            _ => dataset.Read<byte[]>(selection),
        };
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> at <paramref name="offset"/>, converting.</summary>
    private static void CopyConverted(Array source, Array destination, long offset)
    {
        if (source.GetType() == destination.GetType())
        {
            Array.Copy(source, 0, destination, offset, source.Length);
            return;
        }

        for (var k = 0; k < source.Length; k++)
        {
            Store(destination, offset + k, ValueAt(source, k));
        }
    }

    private static double ValueAt(Array source, long index) => source switch
    {
        double[] d => d[index],
        float[] f => f[index],
        int[] i => i[index],
        long[] l => l[index],
        uint[] u => u[index],
        ulong[] u => u[index],
        short[] s => s[index],
        ushort[] s => s[index],
        sbyte[] s => s[index],
        byte[] b => b[index],
        _ => throw new InvalidOperationException($"Unsupported element type {source.GetType()}."),
    };

    private static void Store(Array destination, long index, double value)
    {
        switch (destination)
        {
            case double[] d:
                d[index] = value;
                break;
            case float[] f:
                f[index] = (float)value;
                break;
            case int[] i:
                i[index] = (int)value;
                break;
            case long[] l:
                l[index] = (long)value;
                break;
        }
    }

    private static long[] ReadIndices(IH5Dataset dataset, string name, ulong start, ulong count)
    {
        if (dataset.Type.Class != H5DataTypeClass.FixedPoint)
        {
            throw new DataFormatException(name, "sparse indices", $"expected integers, found {Describe(dataset.Type)}");
        }

        Selection selection = new HyperslabSelection(start, count);
        var signed = dataset.Type.FixedPoint.IsSigned;
        return (dataset.Type.Size, signed) switch
        {
            (8, true) => dataset.Read<long[]>(selection),
            (8, false) => Array.ConvertAll(dataset.Read<ulong[]>(selection), v => checked((long)v)),
            (4, true) => Array.ConvertAll(dataset.Read<int[]>(selection), v => (long)v),
            (4, false) => Array.ConvertAll(dataset.Read<uint[]>(selection), v => (long)v),
            _ => throw new DataFormatException(name, "sparse indices", $"unsupported integer size {dataset.Type.Size}"),
        };
    }

    private static NumericArray ReadSparse(IH5Group group, string encoding, string name, long maxBytes, long fileLength)
    {
        if (!TrySparseInfo(group, out var shape, out _)
            || group.Get("data") is not IH5Dataset data
            || !group.LinkExists("indices") || group.Get("indices") is not IH5Dataset indices
            || !group.LinkExists("indptr") || group.Get("indptr") is not IH5Dataset indptr)
        {
            throw new DataFormatException(name, "sparse group", $"a {encoding} needs a 2-element 'shape' attribute and datasets data, indices and indptr");
        }

        var type = ElementType(data.Type)
            ?? throw new DataSelectionException($"{name}: sparse data holds {Describe(data.Type)}, not numbers.");
        var rows = shape[0];
        var columns = shape[1];
        var csr = encoding == "csr_matrix";
        var major = csr ? rows : columns;
        var nnz = (long)data.Space.Dimensions.FirstOrDefault();
        var pointerCount = (long)indptr.Space.Dimensions.FirstOrDefault();
        var indexCount = (long)indices.Space.Dimensions.FirstOrDefault();

        // Sizes from the headers, checked before anything is read or allocated.
        if (rows < 0 || columns < 0 || pointerCount != major + 1 || indexCount != nnz || nnz < 0)
        {
            throw new DataFormatException(
                name,
                "sparse header",
                string.Create(CultureInfo.InvariantCulture, $"inconsistent {encoding}: shape ({rows}, {columns}) needs {major + 1} indptr entries, the file has {pointerCount}, with {nnz} stored values and {indexCount} indices; the file is corrupted"));
        }

        CheckStorage(data, name + "/data", fileLength);
        CheckStorage(indices, name + "/indices", fileLength);
        CheckStorage(indptr, name + "/indptr", fileLength);
        var output = type.Output is NumericDType.Float32 ? NumericDType.Float32 : NumericDType.Float64;
        DataSizes.EnsureDensifiable(
            string.Create(CultureInfo.InvariantCulture, $"{name} ({encoding}, {rows} × {columns}, {data.Space.Dimensions.FirstOrDefault()} stored values)"),
            (double)rows * columns,
            SizeOf(output),
            maxBytes);

        var minor = csr ? columns : rows;
        var pointers = ReadIndices(indptr, name, 0, indptr.Space.Dimensions.FirstOrDefault());
        if (pointers.Length != major + 1 || pointers[0] != 0 || pointers[^1] != nnz || (long)indices.Space.Dimensions.FirstOrDefault() != nnz)
        {
            throw new DataFormatException(
                name,
                "sparse indptr",
                $"inconsistent {encoding}: indptr has {pointers.Length} entries (expected {major + 1}) ending at {(pointers.Length > 0 ? pointers[^1] : 0)}, with {nnz} stored values and {indices.Space.Dimensions.FirstOrDefault()} indices");
        }

        var result = Allocate(output, rows * columns);
        long first = 0;
        while (first < major)
        {
            // One chunk: as many major lines (rows for CSR, columns for CSC) as fit in about ChunkValues stored values.
            var last = first + 1;
            while (last < major && pointers[last + 1] - pointers[first] <= ChunkValues)
            {
                last++;
            }

            var start = pointers[first];
            var count = pointers[last] - start;
            if (count < 0)
            {
                throw new DataFormatException(name, "sparse indptr", $"indptr decreases at entry {last}");
            }

            if (count > 0)
            {
                var values = ReadAll(data, type, new HyperslabSelection((ulong)start, (ulong)count));
                var index = ReadIndices(indices, name, (ulong)start, (ulong)count);
                for (var line = first; line < last; line++)
                {
                    for (var k = pointers[line] - start; k < pointers[line + 1] - start; k++)
                    {
                        var j = index[k];
                        if (j < 0 || j >= minor)
                        {
                            throw new DataFormatException(name, $"stored value {start + k}", $"index {j} is outside 0..{minor - 1}");
                        }

                        var position = csr ? (line * columns) + j : (j * columns) + line;
                        Store(result, position, Add(result, position, ValueAt(values, k)));
                    }
                }
            }

            first = last;
        }

        return new NumericArray(result, checked((int)rows), checked((int)columns));
    }

    // Duplicate entries of one position are summed, as SciPy does when densifying.
    private static double Add(Array destination, long index, double value) => destination switch
    {
        double[] d => d[index] + value,
        float[] f => f[index] + value,
        _ => value,
    };
}
