using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Cli.Reporting;
using Monge.IO;
using Spectre.Console;

namespace Monge.Cli.Commands;

/// <summary><c>monge info FILE</c>: shape, dtype, finite check and per-column statistics of an array file (tables on stdout).</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("file") { Description = $"An array file: FILE or FILE#KEY ({DataFiles.InputTypes}); a .h5ad without a key lists its arrays." };
        var json = CommonOptions.Json();
        var command = new Command("info", "Show shape, dtype, finite check and column statistics of an array file.") { file, json };
        command.SetAction(result => Run(context, result.GetValue(file)!, result.GetValue(json)));
        return command;
    }

    private static int Run(CliContext context, string spec, bool json)
    {
        if (DataFiles.IsHdf5(spec) && DataFiles.SplitSpec(spec).Key is null)
        {
            return ListHdf5(context, DataFiles.SplitSpec(spec).Path, json);
        }

        var arrays = DataFiles.LoadAll(spec);
        var items = new JsonArray();
        foreach (var (name, array) in arrays)
        {
            var stats = ArrayStatistics.Compute(array);
            if (json)
            {
                items.Add(stats.ToJson(name, array));
            }
            else
            {
                stats.WriteTable(context.Out, name, array);
            }
        }

        if (json)
        {
            var (path, _) = DataFiles.SplitSpec(spec);
            JsonOutput.Write(context.Out, new JsonObject { ["file"] = path, ["arrays"] = items });
        }

        return ExitCodes.Ok;
    }

    private static int ListHdf5(CliContext context, string path, bool json)
    {
        var entries = AnnDataFormat.Entries(path);
        if (json)
        {
            var items = new JsonArray();
            foreach (var e in entries)
            {
                items.Add(new JsonObject
                {
                    ["key"] = e.Key,
                    ["shape"] = new JsonArray(e.Shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                    ["dtype"] = e.DType,
                    ["encoding"] = e.Encoding,
                });
            }

            JsonOutput.Write(context.Out, new JsonObject { ["file"] = path, ["entries"] = items });
        }
        else
        {
            context.Out.WriteLine($"{path}: {entries.Count} numeric arrays (read one with {path}#KEY)");
            var table = new Table { Border = TableBorder.Rounded };
            table.AddColumns("key", "shape", "dtype", "encoding");
            foreach (var e in entries)
            {
                table.AddRow(Markup.Escape(e.Key), Markup.Escape(e.ShapeString()), Markup.Escape(e.DType), Markup.Escape(e.Encoding));
            }

            TextTables.Write(context.Out, table);
        }

        return ExitCodes.Ok;
    }

    private sealed record ArrayStatistics(long NonFinite, long FirstNonFinite, double[] Min, double[] Max, double[] Mean, double[] Std)
    {
        public static ArrayStatistics Compute(NumericArray array)
        {
            var values = array.ToDoubleArray();
            var columns = Math.Max(1, array.Columns);
            var rows = array.Length == 0 ? 0 : array.Length / columns;
            var min = Enumerable.Repeat(double.PositiveInfinity, columns).ToArray();
            var max = Enumerable.Repeat(double.NegativeInfinity, columns).ToArray();
            var mean = new double[columns];
            var m2 = new double[columns];
            var count = new long[columns];
            long nonFinite = 0;
            long first = -1;
            for (long k = 0; k < values.LongLength; k++)
            {
                var v = values[k];
                var j = (int)(k % columns);
                if (!double.IsFinite(v))
                {
                    nonFinite++;
                    if (first < 0)
                    {
                        first = k / columns;
                    }

                    continue;
                }

                // Welford's update per column.
                count[j]++;
                var delta = v - mean[j];
                mean[j] += delta / count[j];
                m2[j] += delta * (v - mean[j]);
                min[j] = Math.Min(min[j], v);
                max[j] = Math.Max(max[j], v);
            }

            var std = new double[columns];
            for (var j = 0; j < columns; j++)
            {
                std[j] = count[j] > 0 ? Math.Sqrt(m2[j] / count[j]) : double.NaN;
                if (count[j] == 0)
                {
                    mean[j] = min[j] = max[j] = double.NaN;
                }
            }

            _ = rows;
            return new ArrayStatistics(nonFinite, first, min, max, mean, std);
        }

        public JsonObject ToJson(string name, NumericArray array)
        {
            var columns = new JsonArray();
            for (var j = 0; j < Min.Length; j++)
            {
                columns.Add(new JsonObject
                {
                    ["min"] = JsonOutput.Number(Min[j]),
                    ["max"] = JsonOutput.Number(Max[j]),
                    ["mean"] = JsonOutput.Number(Mean[j]),
                    ["std"] = JsonOutput.Number(Std[j]),
                });
            }

            return new JsonObject
            {
                ["name"] = name,
                ["shape"] = new JsonArray(array.Shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["dtype"] = DTypeName(array.DType),
                ["finite"] = NonFinite == 0,
                ["non_finite_count"] = NonFinite,
                ["first_non_finite_row"] = FirstNonFinite >= 0 ? JsonValue.Create(FirstNonFinite) : null,
                ["columns"] = columns,
            };
        }

        public void WriteTable(TextWriter writer, string name, NumericArray array)
        {
            writer.WriteLine($"{name}: shape {array.ShapeString()}, dtype {DTypeName(array.DType)}");
            writer.WriteLine(NonFinite == 0
                ? "finite: yes"
                : $"finite: no ({NonFinite} non-finite values, first in row {FirstNonFinite})");
            const int maxShown = 16;
            var table = new Table { Border = TableBorder.Rounded };
            table.AddColumns("column", "min", "max", "mean", "std");
            foreach (var column in table.Columns)
            {
                column.RightAligned();
            }

            for (var j = 0; j < Math.Min(Min.Length, maxShown); j++)
            {
                table.AddRow(
                    j.ToString(CultureInfo.InvariantCulture),
                    Min[j].ToString("G6", CultureInfo.InvariantCulture),
                    Max[j].ToString("G6", CultureInfo.InvariantCulture),
                    Mean[j].ToString("G6", CultureInfo.InvariantCulture),
                    Std[j].ToString("G6", CultureInfo.InvariantCulture));
            }

            TextTables.Write(writer, table);

            if (Min.Length > maxShown)
            {
                writer.WriteLine($"... {Min.Length - maxShown} more columns (use --json for all)");
            }
        }

        private static string DTypeName(NumericDType dtype) => dtype switch
        {
            NumericDType.Float32 => "float32",
            NumericDType.Float64 => "float64",
            NumericDType.Int32 => "int32",
            _ => "int64",
        };
    }
}
