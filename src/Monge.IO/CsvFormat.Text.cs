using System.Globalization;
using System.Text;

namespace Monge.IO;

/// <content>Text columns: reading one column of labels, writing mixed text and numeric tables.</content>
public static partial class CsvFormat
{
    /// <summary>Reads one column of a CSV file with a header row as text (labels, ids); an empty field is a missing value (null).</summary>
    /// <param name="path">The file.</param>
    /// <param name="column">The column name, as in the header.</param>
    /// <returns>One value per data row.</returns>
    /// <exception cref="DataSelectionException">The column does not exist (the message lists the columns).</exception>
    /// <exception cref="DataFormatException">Empty file, no data rows, or a ragged row (with its line).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string?[] ReadText(string path, string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var lineNumber = 0;
        var line = ReadFirstNonBlankLine(reader, ref lineNumber)
            ?? throw new DataFormatException(path, "line 1", "file is empty (expected a header row and rows of values)");
        var separator = DetectSeparator(line);
        var header = SplitLine(line, separator).Select(f => f.Trim()).ToList();
        var index = header.IndexOf(column);
        if (index < 0)
        {
            throw new DataSelectionException($"{path}: no column '{column}'; columns: {string.Join(", ", header)}.", header);
        }

        var values = new List<string?>();
        _ = ReadRows(reader, path, separator, header.Count, "the header", lineNumber, 0, (fields, at) =>
        {
            var value = fields[index].Trim();
            values.Add(value.Length == 0 ? null : value);
        });
        return values.ToArray();
    }

    /// <summary>
    /// Writes named text and numeric columns as CSV with a header row, atomically. Text fields holding a comma, a quote or a
    /// line break are quoted (pandas reads them back); missing text is an empty field, NaN is written as <c>nan</c>.
    /// </summary>
    /// <param name="path">The destination.</param>
    /// <param name="columns">The columns, all of one length.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <exception cref="ArgumentException">No columns, or columns of different lengths.</exception>
    public static void WriteTable(string path, IReadOnlyList<TableColumn> columns, bool overwrite = true)
    {
        var rows = TableColumn.CheckRows(columns);
        AtomicFile.Write(
            path,
            s =>
            {
                using var writer = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                writer.NewLine = "\n";
                writer.WriteLine(string.Join(',', columns.Select(c => Quote(c.Name))));
                var sb = new StringBuilder();
                for (var i = 0; i < rows; i++)
                {
                    sb.Clear();
                    for (var c = 0; c < columns.Count; c++)
                    {
                        if (c > 0)
                        {
                            sb.Append(',');
                        }

                        if (columns[c].TextValues is { } text)
                        {
                            sb.Append(text[i] is { } value ? Quote(value) : string.Empty);
                        }
                        else
                        {
                            var number = columns[c].NumberValues![i];
                            sb.Append(double.IsNaN(number) ? "nan" : number.ToString("R", CultureInfo.InvariantCulture));
                        }
                    }

                    writer.WriteLine(sb);
                }
            },
            overwrite);
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
