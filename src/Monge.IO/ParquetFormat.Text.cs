using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Monge.IO;

/// <content>Text columns: reading one column of labels, writing mixed text and numeric tables.</content>
public static partial class ParquetFormat
{
    /// <summary>
    /// Reads one column as text (labels, ids): string columns as they are, integer columns (and float columns holding only
    /// whole numbers) as their decimal text; null and NaN are missing values (null).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="column">The column name.</param>
    /// <returns>One value per row.</returns>
    /// <exception cref="DataSelectionException">The column does not exist (the message lists the columns), or holds
    /// fractional numbers or another type that is not a label.</exception>
    /// <exception cref="DataFormatException">The file is not a readable Parquet file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string?[] ReadText(string path, string column) => ReadTextAsync(path, column).GetAwaiter().GetResult();

    /// <summary>Writes named text and numeric columns as one Parquet row group, atomically (text nullable, numbers float64).</summary>
    /// <param name="path">The destination.</param>
    /// <param name="columns">The columns, all of one length.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <exception cref="ArgumentException">No columns, or columns of different lengths.</exception>
    public static void WriteTable(string path, IReadOnlyList<TableColumn> columns, bool overwrite = true)
    {
        TableColumn.CheckRows(columns);
        var fields = columns.Select(c => c.TextValues is null ? new DataField(c.Name, typeof(double), isNullable: false) : new DataField(c.Name, typeof(string), isNullable: true)).ToArray();
        var schema = new ParquetSchema(fields);
        AtomicFile.Write(path, stream => WriteTableAsync(stream, schema, fields, columns).GetAwaiter().GetResult(), overwrite);
    }

    private static async Task WriteTableAsync(Stream stream, ParquetSchema schema, DataField[] fields, IReadOnlyList<TableColumn> columns)
    {
        await using var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false);
        using var group = writer.CreateRowGroup();
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].TextValues is { } text)
            {
                await group.WriteAsync(fields[c], text.ToArray()).ConfigureAwait(false);
            }
            else
            {
                await group.WriteAsync<double>(fields[c], columns[c].NumberValues!.ToArray()).ConfigureAwait(false);
            }
        }
    }

    private static async Task<string?[]> ReadTextAsync(string path, string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        await using var stream = OpenStream(path);
        await using var reader = await CreateReaderAsync(stream, path).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        var field = fields.FirstOrDefault(f => string.Equals(f.Name, column, StringComparison.Ordinal))
            ?? throw new DataSelectionException($"{path}: no column '{column}'; columns: {string.Join(", ", fields.Select(f => f.Name))}.", fields.Select(f => f.Name).ToList());
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (type == typeof(ReadOnlyMemory<char>))
        {
            type = typeof(string); // Parquet.Net 6 reports UTF-8 columns so
        }

        if (field.IsArray || (type != typeof(string) && !IsNumeric(type)))
        {
            throw new DataSelectionException($"{path}: column '{column}' holds {(field.IsArray ? "lists" : type.Name)}, not labels (expected strings or integers).");
        }

        var result = new List<string?>();
        try
        {
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var count = checked((int)group.RowCount);
                if (type == typeof(string))
                {
                    var values = new string?[count];
                    await group.ReadAsync(field, values.AsMemory()).ConfigureAwait(false);
                    result.AddRange(values.Select(v => string.IsNullOrEmpty(v) ? null : v));
                    continue;
                }

                foreach (var value in await ReadColumnAsync(group, field, count).ConfigureAwait(false))
                {
                    if (double.IsNaN(value))
                    {
                        result.Add(null);
                    }
                    else if (value != Math.Round(value) || Math.Abs(value) > 1e15)
                    {
                        throw new DataSelectionException($"{path}: column '{column}' holds {value.ToString("R", CultureInfo.InvariantCulture)}, not a label (expected strings or whole numbers).");
                    }
                    else
                    {
                        result.Add(value.ToString("R", CultureInfo.InvariantCulture));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not (DataSelectionException or DataFormatException or OutOfMemoryException))
        {
            throw new DataFormatException(path, $"column '{column}'", $"cannot read the Parquet data ({ex.GetType().Name}: {ex.Message.TrimEnd('.')})", ex);
        }

        return result.ToArray();
    }
}
