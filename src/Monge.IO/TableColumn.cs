namespace Monge.IO;

/// <summary>
/// One named column of a table written by <see cref="CsvFormat.WriteTable"/> or <see cref="ParquetFormat.WriteTable"/>:
/// either text (null = missing) or float64 numbers (NaN = missing).
/// </summary>
public sealed class TableColumn
{
    private TableColumn(string name, IReadOnlyList<string?>? text, IReadOnlyList<double>? numbers)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        TextValues = text;
        NumberValues = numbers;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }

    /// <summary>The text values, or null for a numeric column.</summary>
    public IReadOnlyList<string?>? TextValues { get; }

    /// <summary>The numbers, or null for a text column.</summary>
    public IReadOnlyList<double>? NumberValues { get; }

    /// <summary>Number of rows.</summary>
    public int Count => TextValues?.Count ?? NumberValues!.Count;

    /// <summary>A text column (null entries are missing values).</summary>
    /// <param name="name">The column name.</param>
    /// <param name="values">The values.</param>
    public static TableColumn Text(string name, IReadOnlyList<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new TableColumn(name, values, null);
    }

    /// <summary>A float64 column (NaN entries are missing values).</summary>
    /// <param name="name">The column name.</param>
    /// <param name="values">The values.</param>
    public static TableColumn Number(string name, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new TableColumn(name, null, values);
    }

    /// <summary>Checks that the columns are non-empty and of one length; returns that length.</summary>
    /// <exception cref="ArgumentException">No columns, or columns of different lengths.</exception>
    internal static int CheckRows(IReadOnlyList<TableColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(columns));
        }

        var rows = columns[0].Count;
        foreach (var column in columns)
        {
            if (column.Count != rows)
            {
                throw new ArgumentException($"Column '{column.Name}' has {column.Count} rows where '{columns[0].Name}' has {rows}.", nameof(columns));
            }
        }

        return rows;
    }
}
