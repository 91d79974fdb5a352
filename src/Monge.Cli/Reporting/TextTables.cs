using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Monge.Cli.Reporting;

/// <summary>
/// Small Spectre.Console tables for human-readable output (solve summaries, <c>monge info</c>), written to a
/// <see cref="TextWriter"/>: plain ASCII-safe text without colour codes unless the writer is an interactive terminal.
/// </summary>
public static class TextTables
{
    /// <summary>Writes <paramref name="table"/> to <paramref name="writer"/>.</summary>
    /// <param name="writer">Where to write (the context's stdout or stderr).</param>
    /// <param name="table">The table.</param>
    public static void Write(TextWriter writer, Table table)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(table);
        var terminal = (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 120;
        }

        console.Write(table);
    }

    /// <summary>A two-column table (name, value) of a JSON summary's scalar fields, in order.</summary>
    /// <param name="title">The table title, for example "monge solve".</param>
    /// <param name="summary">The summary.</param>
    public static Table Summary(string title, JsonObject summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var table = new Table { Title = new TableTitle(Markup.Escape(title)), Border = TableBorder.Rounded };
        table.AddColumn("result");
        table.AddColumn(new TableColumn("value"));
        foreach (var (key, value) in summary)
        {
            if (value is JsonValue scalar && key != "warning")
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(Format(scalar)));
            }
        }

        return table;
    }

    /// <summary>A scalar as a user reads it: numbers with up to 10 significant digits, strings without quotes.</summary>
    public static string Format(JsonValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.TryGetValue<double>(out var number))
        {
            return number.ToString("G10", CultureInfo.InvariantCulture);
        }

        if (value.TryGetValue<string>(out var text))
        {
            return text;
        }

        return value.ToJsonString();
    }
}
