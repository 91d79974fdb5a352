using Parquet;
using Parquet.Schema;

namespace Monge.IO;

/// <summary>
/// Reads and writes numeric Parquet tables with Parquet.Net (pure managed). Reading returns the selected columns (all of
/// them when none are named) as an n × k float64 array; numeric columns of any width are accepted, nulls become NaN
/// (which point-cloud loading then reports or drops). Writing stores one column per array column, in the array's type.
/// </summary>
/// <remarks>Memory: the result (n × k doubles) plus one row group of one column at a time.</remarks>
public static partial class ParquetFormat
{
    /// <summary>Lists the columns of a Parquet file with their CLR types.</summary>
    /// <exception cref="DataFormatException">The file is not a readable Parquet file.</exception>
    public static IReadOnlyList<(string Name, Type ClrType)> Columns(string path) => ColumnsAsync(path).GetAwaiter().GetResult();

    /// <summary>Reads numeric columns as an n × k float64 table.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to read, in order; <see langword="null"/> for all of them.</param>
    /// <param name="maxBytes">The largest table (rows × columns × 8 bytes) to build; larger tables are refused before any
    /// row data is read, with a message giving the size needed.</param>
    /// <exception cref="DataSelectionException">A named column does not exist (the message lists the columns), is not
    /// numeric, or the selected columns would take more than <paramref name="maxBytes"/> (the message says how much).</exception>
    /// <exception cref="DataFormatException">The file is not a readable Parquet file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CsvTable Read(string path, IReadOnlyList<string>? columns = null, long maxBytes = long.MaxValue) => ReadAsync(path, columns, maxBytes).GetAwaiter().GetResult();

    private static async Task<IReadOnlyList<(string Name, Type ClrType)>> ColumnsAsync(string path)
    {
        await using var stream = OpenStream(path);
        await using var reader = await CreateReaderAsync(stream, path).ConfigureAwait(false);
        return reader.Schema.GetDataFields().Select(f => (f.Name, f.ClrType)).ToList();
    }

    private static async Task<CsvTable> ReadAsync(string path, IReadOnlyList<string>? columns, long maxBytes)
    {
        await using var stream = OpenStream(path);
        await using var reader = await CreateReaderAsync(stream, path).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        var names = fields.Select(f => f.Name).ToList();
        var selected = new List<DataField>();
        if (columns is null)
        {
            selected.AddRange(fields);
        }
        else
        {
            foreach (var column in columns)
            {
                var field = fields.FirstOrDefault(f => string.Equals(f.Name, column, StringComparison.Ordinal))
                    ?? throw new DataSelectionException($"{path}: no column '{column}'; columns: {string.Join(", ", names)}.", names);
                selected.Add(field);
            }
        }

        var numeric = fields.Where(f => IsNumeric(f.ClrType)).Select(f => f.Name).ToList();
        foreach (var field in selected)
        {
            if (!IsNumeric(field.ClrType) || field.IsArray)
            {
                throw new DataSelectionException(
                    $"{path}: column '{field.Name}' is not numeric ({(field.IsArray ? "a list" : field.ClrType.Name)}); select numeric columns with FILE#col1,col2 (numeric columns: {(numeric.Count == 0 ? "none" : string.Join(", ", numeric))}).",
                    numeric);
            }
        }

        if (selected.Count == 0)
        {
            throw new DataFormatException(path, "schema", "the table has no columns");
        }

        try
        {
            long rows = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                rows += group.RowCount;
            }

            DataSizes.EnsureDensifiable($"{path} ({rows} rows × {selected.Count} columns)", (double)rows * selected.Count, sizeof(double), maxBytes);
            var k = selected.Count;
            var data = new double[rows * k];
            long offset = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var count = checked((int)group.RowCount);
                for (var c = 0; c < k; c++)
                {
                    var values = await ReadColumnAsync(group, selected[c], count).ConfigureAwait(false);
                    for (var i = 0; i < count; i++)
                    {
                        data[((offset + i) * k) + c] = values[i];
                    }
                }

                offset += count;
            }

            return new CsvTable(selected.Select(f => f.Name).ToList(), new NumericArray(data, checked((int)rows), k));
        }
        catch (Exception ex) when (ex is not (DataSelectionException or DataFormatException or OutOfMemoryException))
        {
            throw new DataFormatException(path, "row data", $"cannot read the Parquet data ({ex.GetType().Name}: {ex.Message.TrimEnd('.')})", ex);
        }
    }

    /// <summary>Writes a 1-D or 2-D array as a Parquet table (one column per array column), atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="array">The values; a vector is one column.</param>
    /// <param name="header">Column names; <c>c0, c1, ...</c> when <see langword="null"/>.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    public static void Write(string path, NumericArray array, IReadOnlyList<string>? header = null, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Shape.Count > 2)
        {
            throw new ArgumentException($"Parquet tables hold 1-D or 2-D arrays; got shape {array.ShapeString()}.", nameof(array));
        }

        var rows = array.Rows;
        var k = array.Columns;
        if (header is not null && header.Count != k)
        {
            throw new ArgumentException($"Header has {header.Count} names but the array has {k} columns.", nameof(header));
        }

        var clrType = array.DType switch
        {
            NumericDType.Float32 => typeof(float),
            NumericDType.Int32 => typeof(int),
            NumericDType.Int64 => typeof(long),
            _ => typeof(double),
        };
        var fields = Enumerable.Range(0, k).Select(j => new DataField(header?[j] ?? $"c{j}", clrType, isNullable: false)).ToArray();
        var schema = new ParquetSchema(fields);
        AtomicFile.Write(path, stream => WriteAsync(stream, schema, fields, array).GetAwaiter().GetResult(), overwrite);
    }

    private static async Task WriteAsync(Stream stream, ParquetSchema schema, DataField[] fields, NumericArray array)
    {
        var rows = array.Rows;
        var k = array.Columns;
        await using var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false);
        using var group = writer.CreateRowGroup();
        for (var j = 0; j < k; j++)
        {
            switch (array.Data)
            {
                case double[] d:
                    await group.WriteAsync<double>(fields[j], Column(d, rows, k, j)).ConfigureAwait(false);
                    break;
                case float[] f:
                    await group.WriteAsync<float>(fields[j], Column(f, rows, k, j)).ConfigureAwait(false);
                    break;
                case int[] i:
                    await group.WriteAsync<int>(fields[j], Column(i, rows, k, j)).ConfigureAwait(false);
                    break;
                case long[] l:
                    await group.WriteAsync<long>(fields[j], Column(l, rows, k, j)).ConfigureAwait(false);
                    break;
            }
        }
    }

    private static T[] Column<T>(T[] data, int rows, int k, int j)
    {
        var column = new T[rows];
        for (var i = 0; i < rows; i++)
        {
            column[i] = data[((long)i * k) + j];
        }

        return column;
    }

    private static FileStream OpenStream(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static async Task<ParquetReader> CreateReaderAsync(Stream stream, string path)
    {
        if (stream.Length == 0)
        {
            throw new DataFormatException(path, "byte 0", "file is empty (expected a Parquet file)");
        }

        try
        {
            return await ParquetReader.CreateAsync(stream).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new DataFormatException(path, "footer", $"not a readable Parquet file ({ex.GetType().Name}: {ex.Message.TrimEnd('.')})", ex);
        }
    }

    private static bool IsNumeric(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(long) || t == typeof(short)
            || t == typeof(sbyte) || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong)
            || t == typeof(decimal) || t == typeof(Half);
    }

    private static Task<double[]> ReadColumnAsync(ParquetRowGroupReader group, DataField field, int count)
    {
        var t = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        return t switch
        {
            _ when t == typeof(double) => Read<double>(group, field, count, v => v),
            _ when t == typeof(float) => Read<float>(group, field, count, v => v),
            _ when t == typeof(int) => Read<int>(group, field, count, v => v),
            _ when t == typeof(long) => Read<long>(group, field, count, v => v),
            _ when t == typeof(short) => Read<short>(group, field, count, v => v),
            _ when t == typeof(sbyte) => Read<sbyte>(group, field, count, v => v),
            _ when t == typeof(byte) => Read<byte>(group, field, count, v => v),
            _ when t == typeof(ushort) => Read<ushort>(group, field, count, v => v),
            _ when t == typeof(uint) => Read<uint>(group, field, count, v => v),
            _ when t == typeof(ulong) => Read<ulong>(group, field, count, v => v),
            _ when t == typeof(decimal) => Read<decimal>(group, field, count, v => (double)v),
            _ => Read<Half>(group, field, count, v => (double)v),
        };
    }

    private static async Task<double[]> Read<T>(ParquetRowGroupReader group, DataField field, int count, Func<T, double> convert)
        where T : struct
    {
        var result = new double[count];
        if (field.IsNullable)
        {
            var values = new T?[count];
            await group.ReadAsync<T>(field, values.AsMemory()).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                result[i] = values[i] is { } v ? convert(v) : double.NaN;
            }
        }
        else
        {
            var values = new T[count];
            await group.ReadAsync<T>(field, values.AsMemory()).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                result[i] = convert(values[i]);
            }
        }

        return result;
    }
}
