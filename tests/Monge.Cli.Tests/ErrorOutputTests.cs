using System.Globalization;
using System.Text.Json.Nodes;
using Monge.IO;
using Monge.Testing;

namespace Monge.Cli.Tests;

/// <summary>
/// Issue #12, "the user's job": errors in command-line terms without .NET internals, JSON errors under --json, a
/// non-numeric column is exit 2, --drop-nonfinite accepts empty CSV cells and reports what it dropped, result tables.
/// </summary>
public sealed class ErrorOutputTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private (string X, string Y) WriteClouds(int n = 20)
    {
        var rng = Seeds.Create(808);
        var x = new double[n * 2];
        var y = new double[n * 2];
        for (var k = 0; k < x.Length; k++)
        {
            x[k] = rng.NextDouble();
            y[k] = 0.5 + rng.NextDouble();
        }

        NpyFormat.Write(_cli.File("x.npy"), new NumericArray(x, n, 2));
        NpyFormat.Write(_cli.File("y.npy"), new NumericArray(y, n, 2));
        return (_cli.File("x.npy"), _cli.File("y.npy"));
    }

    private static string ErrorLine(string stderr) =>
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.StartsWith("monge: error:", StringComparison.Ordinal));

    [Theory]
    [InlineData("--epsilon", "-1", "--epsilon", "Epsilon")]
    [InlineData("--momentum", "5", "--momentum", "Momentum")]
    [InlineData("--tau-a", "2", "--tau-a", "tauA")]
    [InlineData("--max-iterations", "-3", "--max-iterations", "MaxIterations")]
    [InlineData("--threshold", "-1", "--threshold", "Threshold")]
    [InlineData("--epsilon-scaling", "0.5", "--epsilon-scaling", "EpsilonScaling")]
    public void Solve_InvalidOptionValue_MessageNamesTheFlagNotTheProperty(string flag, string value, string expected, string property)
    {
        var (x, y) = WriteClouds();
        var (code, _, stderr) = _cli.Run("solve", "--source", x, "--target", y, flag, value);
        Assert.Equal(ExitCodes.BadInput, code);
        var line = ErrorLine(stderr);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain(property, line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
        Assert.DoesNotContain("`", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frlc", "--rank", "0", "--rank")]
    [InlineData("lowrank-sinkhorn", "--lowrank-max-iterations", "0", "--lowrank-max-iterations")]
    public void Solve_InvalidLowRankOption_MessageNamesTheFlag(string method, string flag, string value, string expected)
    {
        var (x, y) = WriteClouds();
        var (code, _, stderr) = _cli.Run("solve", "--source", x, "--target", y, "--method", method, flag, value);
        Assert.Equal(ExitCodes.BadInput, code);
        var line = ErrorLine(stderr);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_NegativeWeight_NamesTheWeightsFileAndRow()
    {
        var (x, y) = WriteClouds();
        var w = Enumerable.Repeat(0.05, 20).ToArray();
        w[7] = -0.05;
        NpyFormat.Write(_cli.File("w.npy"), new NumericArray(w, 20));
        var (code, _, stderr) = _cli.Run("solve", "--source", x, "--target", y, "--source-weights", _cli.File("w.npy"));
        Assert.Equal(ExitCodes.BadInput, code);
        var line = ErrorLine(stderr);
        Assert.Contains("w.npy", line, StringComparison.Ordinal);
        Assert.Contains("row 7", line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_Errors_AreAJsonObjectOnStdoutWithTheExitCode()
    {
        var (x, y) = WriteClouds();
        var missing = _cli.Run("solve", "--source", _cli.File("nope.npy"), "--target", y, "--json");
        Assert.Equal(ExitCodes.IoFailure, missing.Code);
        var error = JsonNode.Parse(missing.Out)!;
        Assert.Equal(ExitCodes.IoFailure, error["exit_code"]!.GetValue<int>());
        Assert.Contains("nope.npy", error["error"]!.GetValue<string>(), StringComparison.Ordinal);

        var usage = _cli.Run("solve", "--source", x, "--target", y, "--epsilon", "-1", "--json");
        Assert.Equal(ExitCodes.BadInput, JsonNode.Parse(usage.Out)!["exit_code"]!.GetValue<int>());

        var parse = _cli.Run("solve", "--source", x, "--target", y, "--no-such-option", "--json");
        Assert.Equal(ExitCodes.BadInput, parse.Code);
        Assert.Contains("--no-such-option", JsonNode.Parse(parse.Out)!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("#x,name")]
    [InlineData("")]
    public void Solve_NonNumericCsvColumn_ExitsTwoNamingTheColumnAndTheNumericOnes(string key)
    {
        File.WriteAllText(_cli.File("t.csv"), "x,name,y\n1,a,2\n3,b,4\n5,c,6\n");
        var (x, _) = WriteClouds(3);
        var (code, _, stderr) = _cli.Run("solve", "--source", _cli.File("t.csv") + key, "--target", x);
        Assert.Equal(ExitCodes.BadInput, code);
        var line = ErrorLine(stderr);
        Assert.Contains("'name'", line, StringComparison.Ordinal);
        Assert.Contains("numeric columns: x, y", line, StringComparison.Ordinal);
    }

    private static string CsvWithGaps(int n, int seed, HashSet<int> gaps, out double[] finite, out List<int> keptRows)
    {
        // Pandas writes NaN as an empty cell: rows in `gaps` have one empty field.
        var rng = Seeds.Create(seed);
        var lines = new List<string> { "x,y" };
        var kept = new List<double>();
        keptRows = [];
        for (var i = 0; i < n; i++)
        {
            var a = rng.NextDouble();
            var b = rng.NextDouble();
            if (gaps.Contains(i))
            {
                lines.Add(i % 2 == 0 ? string.Create(CultureInfo.InvariantCulture, $",{b:R}") : string.Create(CultureInfo.InvariantCulture, $"{a:R},"));
            }
            else
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{a:R},{b:R}"));
                kept.Add(a);
                kept.Add(b);
                keptRows.Add(i);
            }
        }

        finite = [.. kept];
        return string.Join('\n', lines) + "\n";
    }

    [Fact]
    public void Solve_EmptyCsvCellsWithoutDropNonFinite_ExitsTwoPointingToTheFlag()
    {
        File.WriteAllText(_cli.File("s.csv"), CsvWithGaps(12, 1, [3, 8], out _, out _));
        var (y, _) = WriteClouds(10);
        var (code, _, stderr) = _cli.Run("solve", "--source", _cli.File("s.csv"), "--target", y);
        Assert.Equal(ExitCodes.BadInput, code);
        var line = ErrorLine(stderr);
        Assert.Contains("row 3", line, StringComparison.Ordinal);
        Assert.Contains("--drop-nonfinite", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_DropNonFiniteWithEmptyCells_ReportsCountWritesKeptRowsAndSolvesTheKeptPoints()
    {
        File.WriteAllText(_cli.File("s.csv"), CsvWithGaps(15, 2, [0, 3, 8], out var finite, out var keptRows));
        File.WriteAllText(_cli.File("t.csv"), CsvWithGaps(12, 3, [11], out var targetFinite, out var targetKept));
        var (code, stdout, stderr) = _cli.Run(
            "solve", "--source", _cli.File("s.csv"), "--target", _cli.File("t.csv"), "--drop-nonfinite", "--kept-rows-out", _cli.File("kept.csv"),
            "--epsilon", "0.1", "--threshold", "1e-9", "--json");
        Assert.True(code == 0, stderr);
        Assert.Contains("dropped 3 of 15 source rows", stderr, StringComparison.Ordinal);
        Assert.Contains("dropped 1 of 12 target rows", stderr, StringComparison.Ordinal);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(3, json["dropped_source_rows"]!.GetValue<int>());
        Assert.Equal(1, json["dropped_target_rows"]!.GetValue<int>());

        // The kept-row map: side 0 then side 1, the input rows that had no gap (built independently above).
        var map = CsvFormat.Read(_cli.File("kept.csv"));
        Assert.Equal(["side", "row"], map.Header);
        var table = map.Values.ToDoubleArray();
        var expected = keptRows.Select(r => (0.0, (double)r)).Concat(targetKept.Select(r => (1.0, (double)r))).ToList();
        Assert.Equal(expected, Enumerable.Range(0, table.Length / 2).Select(k => (table[2 * k], table[(2 * k) + 1])).ToList());

        // Oracle: the same solve on files holding only the kept rows.
        NpyFormat.Write(_cli.File("xk.npy"), new NumericArray(finite, finite.Length / 2, 2));
        NpyFormat.Write(_cli.File("yk.npy"), new NumericArray(targetFinite, targetFinite.Length / 2, 2));
        var clean = _cli.Run("solve", "--source", _cli.File("xk.npy"), "--target", _cli.File("yk.npy"), "--epsilon", "0.1", "--threshold", "1e-9", "--json");
        Assert.True(clean.Code == 0, clean.Err);
        NumericAssert.Close(JsonNode.Parse(clean.Out)!["cost"]!.GetValue<double>(), json["cost"]!.GetValue<double>(), rtol: 1e-12);
    }

    [Fact]
    public void Solve_KeptRowsOutWithoutDropNonFinite_ExitsTwo()
    {
        var (x, y) = WriteClouds();
        var (code, _, stderr) = _cli.Run("solve", "--source", x, "--target", y, "--kept-rows-out", _cli.File("k.csv"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--drop-nonfinite", ErrorLine(stderr), StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("k.csv")));
    }

    [Fact]
    public void Solve_HumanReadable_PrintsASmallTableOnStderr()
    {
        var (x, y) = WriteClouds();
        var (code, stdout, stderr) = _cli.Run("solve", "--source", x, "--target", y, "--epsilon", "0.1");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stdout);
        var lines = stderr.Split('\n');
        Assert.Contains(lines, l => l.Contains("monge solve", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("transported_mass", StringComparison.Ordinal) && (l.Contains('│') || l.Contains('|')));
        Assert.Contains(lines, l => l.Contains(" status ", StringComparison.Ordinal) && l.Contains("Converged", StringComparison.Ordinal));
        Assert.DoesNotContain("\u001b[", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_H5adWithoutKey_ListsArraysAsATableOnStdout()
    {
        var (code, stdout, stderr) = _cli.Run("info", CliRunner.Fixture("io_cells_csr.h5ad"));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(string.Empty, stderr);
        Assert.Contains(stdout.Split('\n'), l => l.Contains("obsm/spatial", StringComparison.Ordinal) && l.Contains("(11, 2)", StringComparison.Ordinal));
        Assert.Contains(stdout.Split('\n'), l => l.Contains("csr_matrix", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_CorruptedH5ad_ExitsThreeWithOneLineNamingTheFile()
    {
        // Issue #12 item 7 at the command line: a damaged size field gave OutOfMemoryException without the file name.
        var bytes = File.ReadAllBytes(CliRunner.Fixture("io_cells_csr.h5ad"));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(2488), 1L << 40);
        File.WriteAllBytes(_cli.File("bad.h5ad"), bytes);
        var (code, _, stderr) = _cli.Run("info", _cli.File("bad.h5ad"));
        Assert.Equal(ExitCodes.IoFailure, code);
        var line = ErrorLine(stderr);
        Assert.Contains("bad.h5ad", line, StringComparison.Ordinal);
        Assert.DoesNotContain("OutOfMemory", line, StringComparison.Ordinal);
    }
}
