using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.IO;

namespace Monge.Cli.Infrastructure;

/// <summary>
/// The input-loading options a verb that reads data adds: <c>--drop-nonfinite</c>, <c>--kept-rows-out</c> and
/// <c>--max-memory</c>. Create one,
/// <see cref="AddTo"/> the command, and read a <see cref="DataLoadOptions"/> with <see cref="Get"/> in the action.
/// </summary>
public sealed class InputOptions
{
    /// <summary>Creates the options.</summary>
    public InputOptions()
    {
        DropNonFinite = new Option<bool>("--drop-nonfinite")
        {
            Description = "Drop input rows with NaN, Inf or an empty CSV cell (in points or weights) instead of failing; the count is reported on stderr and in the JSON.",
        };
        KeptRowsOut = new Option<string?>("--kept-rows-out")
        {
            Description = $"With --drop-nonfinite: write which input rows were kept, as a table with columns side (0 source, 1 target) and row (the row in the input file), one line per kept point in solver order ({DataFiles.OutputTypes}).",
        };
        MaxMemory = new Option<string?>("--max-memory")
        {
            Description = "Largest dense array to build from one input, e.g. 512M, 4G (default: half the available memory).",
        };
    }

    /// <summary>The <c>--drop-nonfinite</c> option.</summary>
    public Option<bool> DropNonFinite { get; }

    /// <summary>The <c>--max-memory</c> option.</summary>
    public Option<string?> MaxMemory { get; }

    /// <summary>The <c>--kept-rows-out</c> option.</summary>
    public Option<string?> KeptRowsOut { get; }

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(DropNonFinite);
        command.Options.Add(MaxMemory);
        command.Options.Add(KeptRowsOut);
    }

    /// <summary>Checks <c>--kept-rows-out</c> before any work: it needs <c>--drop-nonfinite</c>, a known extension and a new file.</summary>
    /// <exception cref="UsageException">Without <c>--drop-nonfinite</c>, or an unknown extension.</exception>
    /// <exception cref="IOException">The file exists without <c>--overwrite</c>.</exception>
    public void CheckOutputs(ParseResult result, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.GetValue(KeptRowsOut) is { } path)
        {
            if (!result.GetValue(DropNonFinite))
            {
                throw new UsageException("--kept-rows-out needs --drop-nonfinite (without it every row is kept).");
            }

            DataFiles.CheckOutput(path, overwrite);
        }
    }

    /// <summary>
    /// Reports rows dropped by <c>--drop-nonfinite</c>: one line on stderr per input that lost rows, <c>dropped_source_rows</c>
    /// and <c>dropped_target_rows</c> in the JSON summary, and the kept-row map in <c>--kept-rows-out</c>.
    /// </summary>
    /// <param name="result">The parse result.</param>
    /// <param name="context">Writers.</param>
    /// <param name="summary">The JSON summary to extend.</param>
    /// <param name="overwrite">Whether the map file may be replaced.</param>
    /// <param name="inputs">The loaded inputs, source first.</param>
    public void Report(ParseResult result, CliContext context, JsonObject summary, bool overwrite, params LoadedPoints[] inputs)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!result.GetValue(DropNonFinite))
        {
            return;
        }

        string[] roles = ["source", "target"];
        for (var k = 0; k < inputs.Length; k++)
        {
            var role = k < roles.Length ? roles[k] : $"input{k}";
            summary[$"dropped_{role}_rows"] = inputs[k].DroppedRows;
            if (inputs[k].DroppedRows > 0)
            {
                context.Error.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"monge: --drop-nonfinite dropped {inputs[k].DroppedRows} of {inputs[k].DroppedRows + inputs[k].Count} {role} rows ({inputs[k].Spec}) with NaN, Inf or an empty cell."));
            }
        }

        if (result.GetValue(KeptRowsOut) is { } path)
        {
            var total = inputs.Sum(i => i.Count);
            var table = new double[total * 2];
            var at = 0;
            for (var k = 0; k < inputs.Length; k++)
            {
                foreach (var row in inputs[k].KeptRows)
                {
                    table[2 * at] = k;
                    table[(2 * at) + 1] = row;
                    at++;
                }
            }

            DataFiles.Save(path, new NumericArray(table, total, 2), overwrite, ["side", "row"]);
            summary["kept_rows_out"] = path;
        }
    }

    /// <summary>Reads the options from a parse result.</summary>
    /// <exception cref="UsageException">An unreadable <c>--max-memory</c> value.</exception>
    public DataLoadOptions Get(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = result.GetValue(MaxMemory);
        return new DataLoadOptions(result.GetValue(DropNonFinite), text is null ? 0 : ParseBytes(text), OffersDrop: true);
    }

    /// <summary>Parses <c>123</c>, <c>512K</c>, <c>64M</c>, <c>1.5G</c>, <c>2GiB</c>, <c>1T</c> (binary units) into bytes.</summary>
    /// <exception cref="UsageException">The value is not a positive size.</exception>
    public static long ParseBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToUpperInvariant();
        foreach (var suffix in new[] { "IB", "B" })
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) && t.Length > suffix.Length)
            {
                t = t[..^suffix.Length];
                break;
            }
        }

        var scale = 1.0;
        if (t.Length > 0 && "KMGT".Contains(t[^1], StringComparison.Ordinal))
        {
            scale = Math.Pow(1024, "KMGT".IndexOf(t[^1], StringComparison.Ordinal) + 1);
            t = t[..^1];
        }

        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || double.IsInfinity(value * scale))
        {
            throw new UsageException($"--max-memory: '{text}' is not a size (examples: 512M, 4G, 1.5GiB).");
        }

        return (long)Math.Min(value * scale, long.MaxValue);
    }
}
