using System.Globalization;
using System.Text;

namespace Monge.IO;

/// <summary>
/// Reads and writes numeric CSV: one row per line, the same number of numeric columns on every row, an optional header
/// row of names. The separator is a comma, or a tab or semicolon when detected on the first line. Values are parsed with
/// the invariant culture; <c>nan</c>, <c>inf</c> and empty cells (missing values, as pandas writes NaN) are read as NaN or
/// infinity (point-cloud validation rejects them later, with the row). Text in a named column is a
/// <see cref="DataSelectionException"/> (choose numeric columns); text in a file without a header is a <see cref="DataFormatException"/>.
/// </summary>
public static partial class CsvFormat
{
    /// <summary>Reads a CSV file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="hasHeader"><see langword="true"/> or <see langword="false"/> to force; <see langword="null"/> to detect
    /// (the first row is a header when any of its fields is not a number).</param>
    /// <exception cref="DataFormatException">Empty file, ragged rows or a non-numeric field in a file without a header (with line and column).</exception>
    /// <exception cref="DataSelectionException">A named column holds text (the message lists the numeric columns).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CsvTable Read(string path, bool? hasHeader = null)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path, hasHeader);
    }

    /// <summary>Reads CSV text from a reader.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <param name="hasHeader">As in <see cref="Read(string, bool?)"/>.</param>
    public static CsvTable Read(TextReader reader, string name, bool? hasHeader = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lineNumber = 0;
        var line = ReadFirstNonBlankLine(reader, ref lineNumber);

        if (line is null)
        {
            throw new DataFormatException(name, "line 1", "file is empty (expected rows of numbers)");
        }

        var separator = DetectSeparator(line);
        var first = SplitLine(line, separator);
        var header = hasHeader ?? first.Any(f => !TryParse(f, out _));
        List<string>? names = null;
        var values = new List<double>();
        int columns;
        if (header)
        {
            names = first.Select(f => f.Trim().Trim('"')).ToList();
            columns = names.Count;
        }
        else
        {
            columns = first.Length;
            AppendRow(first, lineNumber, values, name, null);
        }

        var rows = (header ? 0 : 1) + ReadRows(reader, name, separator, columns, "the first row", lineNumber, header ? 0 : 1, (fields, at) => AppendRow(fields, at, values, name, names));
        return new CsvTable(names, new NumericArray(values.ToArray(), rows, columns));
    }

    /// <summary>
    /// Reads the named columns of a CSV file with a header row; the other columns may hold anything (ids, labels). The
    /// result has the columns in the order asked.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">Column names, as in the header.</param>
    /// <exception cref="DataSelectionException">No header row, or a column that does not exist (the message lists the columns).</exception>
    /// <exception cref="DataSelectionException">A selected column holds text (with the line, and the numeric columns).</exception>
    /// <exception cref="DataFormatException">Ragged rows.</exception>
    public static CsvTable Read(string path, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var lineNumber = 0;
        var line = ReadFirstNonBlankLine(reader, ref lineNumber);

        if (line is null)
        {
            throw new DataFormatException(path, "line 1", "file is empty (expected a header row and rows of numbers)");
        }

        var separator = DetectSeparator(line);
        var first = SplitLine(line, separator);
        if (first.All(f => TryParse(f, out _)))
        {
            throw new DataSelectionException($"{path}: column selection '#{string.Join(',', columns)}' needs a header row, and this file has none.");
        }

        var header = first.Select(f => f.Trim().Trim('"')).ToList();
        var indices = new int[columns.Count];
        for (var k = 0; k < columns.Count; k++)
        {
            indices[k] = header.IndexOf(columns[k]);
            if (indices[k] < 0)
            {
                throw new DataSelectionException($"{path}: no column '{columns[k]}'; columns: {string.Join(", ", header)}.", header);
            }
        }

        var values = new List<double>();
        var rows = ReadRows(reader, path, separator, header.Count, "the header", lineNumber, 0, (fields, at) =>
        {
            for (var k = 0; k < indices.Length; k++)
            {
                if (!TryParse(fields[indices[k]], out var value))
                {
                    throw NonNumericColumn(path, columns[k], fields[indices[k]], at, header.Where((column, j) => TryParse(fields[j], out var unused)).ToList(), selected: true);
                }

                values.Add(value);
            }
        });
        return new CsvTable(columns.ToList(), new NumericArray(values.ToArray(), rows, columns.Count));
    }

    /// <summary>Writes a 1-D or 2-D array as CSV (round-trip precision), atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="array">The values; a vector is written as one column.</param>
    /// <param name="header">Optional column names (one per column).</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    public static void Write(string path, NumericArray array, IReadOnlyList<string>? header = null, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Shape.Count > 2)
        {
            throw new ArgumentException($"CSV holds 1-D or 2-D arrays; got shape {array.ShapeString()}.", nameof(array));
        }

        var rows = array.Rows;
        var columns = array.Columns;
        if (header is not null && header.Count != columns)
        {
            throw new ArgumentException($"Header has {header.Count} names but the array has {columns} columns.", nameof(header));
        }

        AtomicFile.Write(
            path,
            s =>
            {
                using var writer = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                writer.NewLine = "\n";
                if (header is not null)
                {
                    writer.WriteLine(string.Join(',', header));
                }

                var sb = new StringBuilder();
                for (var i = 0; i < rows; i++)
                {
                    sb.Clear();
                    for (var j = 0; j < columns; j++)
                    {
                        if (j > 0)
                        {
                            sb.Append(',');
                        }

                        AppendValue(sb, array.Data, (i * columns) + j);
                    }

                    writer.WriteLine(sb);
                }
            },
            overwrite);
    }

    private static void AppendValue(StringBuilder sb, Array data, int index)
    {
        switch (data)
        {
            case double[] d:
                sb.Append(d[index].ToString("R", CultureInfo.InvariantCulture));
                break;
            case float[] f:
                sb.Append(f[index].ToString("R", CultureInfo.InvariantCulture));
                break;
            case int[] i:
                sb.Append(i[index].ToString(CultureInfo.InvariantCulture));
                break;
            case long[] l:
                sb.Append(l[index].ToString(CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>Skips leading blank lines; returns the first other line (null at end of input), counting lines read.</summary>
    private static string? ReadFirstNonBlankLine(TextReader reader, ref int lineNumber)
    {
        string? line;
        do
        {
            line = reader.ReadLine();
            lineNumber++;
        }
        while (line is not null && string.IsNullOrWhiteSpace(line));

        return line;
    }

    private static char DetectSeparator(string line)
    {
        if (line.Contains(',', StringComparison.Ordinal))
        {
            return ',';
        }

        if (line.Contains('\t', StringComparison.Ordinal))
        {
            return '\t';
        }

        return line.Contains(';', StringComparison.Ordinal) ? ';' : ',';
    }

    /// <summary>Splits one line into fields; a field in double quotes may hold the separator and "" for a quote (as pandas writes).</summary>
    private static string[] SplitLine(string line, char separator)
    {
        if (!line.Contains('"', StringComparison.Ordinal))
        {
            return line.Split(separator);
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var k = 0; k < line.Length; k++)
        {
            var ch = line[k];
            if (quoted)
            {
                if (ch == '"' && k + 1 < line.Length && line[k + 1] == '"')
                {
                    field.Append('"');
                    k++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(ch);
            }
        }

        fields.Add(field.ToString());
        return fields.ToArray();
    }

    /// <summary>
    /// The one data-row loop of the readers: reads the lines after line <paramref name="lineNumber"/>, skips blank ones,
    /// splits each and checks that it has <paramref name="fields"/> fields (a ragged row is a
    /// <see cref="DataFormatException"/> with its line, comparing with <paramref name="reference"/>), then passes the
    /// fields and the line number to <paramref name="row"/>. With no data row at all (none read and
    /// <paramref name="rowsBefore"/> = 0) it throws "no data rows after the header".
    /// </summary>
    /// <returns>The rows read.</returns>
    private static int ReadRows(TextReader reader, string name, char separator, int fields, string reference, int lineNumber, int rowsBefore, Action<string[], int> row)
    {
        var rows = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var split = SplitLine(line, separator);
            if (split.Length != fields)
            {
                throw new DataFormatException(name, $"line {lineNumber}", $"ragged row: {split.Length} fields where {reference} has {fields}");
            }

            row(split, lineNumber);
            rows++;
        }

        if (rows + rowsBefore == 0)
        {
            throw new DataFormatException(name, $"line {lineNumber}", "no data rows after the header");
        }

        return rows;
    }

    private static void AppendRow(string[] fields, int lineNumber, List<double> values, string name, IReadOnlyList<string>? header)
    {
        for (var j = 0; j < fields.Length; j++)
        {
            if (!TryParse(fields[j], out var value))
            {
                if (header is not null)
                {
                    // A named column holding text (ids, labels) is a selection problem, not a damaged file.
                    throw NonNumericColumn(name, header[j], fields[j], lineNumber, header.Where((column, k) => TryParse(fields[k], out var unused)).ToList(), selected: false);
                }

                throw new DataFormatException(name, $"line {lineNumber}, column {j + 1}", $"'{Abbreviate(fields[j])}' is not a number");
            }

            values.Add(value);
        }
    }

    private static DataSelectionException NonNumericColumn(string path, string column, string field, int lineNumber, IReadOnlyList<string> numeric, bool selected) =>
        new(
            $"{path}: line {lineNumber}, column '{column}': '{Abbreviate(field)}' is not a number (column '{column}' must be numeric); "
            + (numeric.Count == 0 ? "no column of that row is numeric." : $"numeric columns: {string.Join(", ", numeric)}{(selected ? string.Empty : $"; select them with {Path.GetFileName(path)}#{string.Join(',', numeric)}")}."),
            numeric);

    private static bool TryParse(string field, out double value)
    {
        var text = field.Trim().Trim('"');
        if (text.Length == 0)
        {
            // An empty cell is a missing value: pandas writes NaN so. Point-cloud validation then reports the row (or
            // --drop-nonfinite drops it).
            value = double.NaN;
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        switch (text.ToUpperInvariant())
        {
            case "NAN":
                value = double.NaN;
                return true;
            case "INF" or "+INF" or "INFINITY":
                value = double.PositiveInfinity;
                return true;
            case "-INF" or "-INFINITY":
                value = double.NegativeInfinity;
                return true;
            default:
                return false;
        }
    }

    private static string Abbreviate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
