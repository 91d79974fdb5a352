using System.Text.Json;
using Monge.IO;

namespace Monge.Cli.Tests;

public sealed class GenerateAndInfoTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string P(string name) => _cli.File(name);

    [Fact]
    public void Help_ListsVerbs_AndExitsZero()
    {
        var result = _cli.Run("--help");
        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.Contains("monge [command] [options]", result.Out, StringComparison.Ordinal);
        Assert.Contains("generate", result.Out, StringComparison.Ordinal);
        Assert.Contains("info", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_PrintsVersion()
    {
        var result = _cli.Run("--version");
        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Out.Trim());
    }

    [Fact]
    public void Generate_Pair_WritesBothFiles_AndJson()
    {
        var result = _cli.Run("generate", "--dataset", "half-moon-s-curve", "--n", "300", "--seed", "4", "--out", P("x.npy"), "--target-out", P("y.csv"), "--json");
        Assert.Equal(ExitCodes.Ok, result.Code);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("half-moon-s-curve", json.RootElement.GetProperty("dataset").GetString());
        Assert.Equal(300, json.RootElement.GetProperty("n").GetInt32());
        var x = NpyFormat.Read(P("x.npy"));
        Assert.Equal([300, 2], x.Shape);
        var y = CsvFormat.Read(P("y.csv"));
        Assert.Equal([300, 2], y.Values.Shape);

        // Same seed → same files.
        _cli.Run("generate", "--dataset", "half-moon-s-curve", "--n", "300", "--seed", "4", "--out", P("x2.npy"), "--target-out", P("y2.npy"));
        Assert.Equal(x.ToDoubleArray(), NpyFormat.Read(P("x2.npy")).ToDoubleArray());
    }

    [Theory]
    [InlineData("moons")]
    [InlineData("s-curve")]
    [InlineData("checkerboard")]
    [InlineData("maf-moons-rings")]
    [InlineData("eight-gaussians-moons")]
    [InlineData("gaussian-mixture")]
    public void Generate_EveryDataset_Works(string dataset)
    {
        var result = _cli.Run("generate", "--dataset", dataset, "--n", "50", "--out", P("a.npy"), "--target-out", P("b.npy"));
        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.Equal([50, 2], NpyFormat.Read(P("b.npy")).Shape);
    }

    [Fact]
    public void Generate_GaussianMixtureHighDimension()
    {
        var result = _cli.Run("generate", "--dataset", "gaussian-mixture", "--n", "20", "-d", "16", "--out", P("g.npz"));
        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.Equal([20, 16], NpzFormat.Read(P("g.npz"), "arr_0").Shape);
    }

    [Fact]
    public void Generate_PairWithoutTargetOut_IsUsageError()
    {
        var result = _cli.Run("generate", "--dataset", "checkerboard", "--out", P("a.npy"));
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("--target-out", result.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(P("a.npy")));
    }

    [Theory]
    [InlineData("--dataset", "nope")]
    [InlineData("--n", "abc")]
    [InlineData("--bogus", "1")]
    public void Generate_BadArguments_ExitTwo(string option, string value)
    {
        var args = new List<string> { "generate", "--out", P("a.npy") };
        if (option != "--dataset")
        {
            args.AddRange(["--dataset", "moons"]);
        }

        args.AddRange([option, value]);
        var result = _cli.Run([.. args]);
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.StartsWith("monge: error:", result.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(P("a.npy")));
    }

    [Fact]
    public void Generate_ZeroPoints_ExitTwo()
    {
        var result = _cli.Run("generate", "--dataset", "moons", "--n", "0", "--out", P("a.npy"));
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("--n", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_ExistingOutput_RefusedWithoutOverwrite()
    {
        File.WriteAllText(P("a.npy"), "keep me");
        var result = _cli.Run("generate", "--dataset", "moons", "--out", P("a.npy"));
        Assert.Equal(ExitCodes.IoFailure, result.Code);
        Assert.Contains("--overwrite", result.Err, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(P("a.npy")));

        Assert.Equal(ExitCodes.Ok, _cli.Run("generate", "--dataset", "moons", "--out", P("a.npy"), "--overwrite").Code);
        Assert.Equal([1000, 2], NpyFormat.Read(P("a.npy")).Shape);
    }

    [Fact]
    public void Info_Json_ReportsShapeDtypeAndStats()
    {
        NpyFormat.Write(P("v.npy"), new NumericArray(new[] { 1.0, 10, 3, 30, 5, 50 }, 3, 2));
        var result = _cli.Run("info", P("v.npy"), "--json");
        Assert.Equal(ExitCodes.Ok, result.Code);
        using var json = JsonDocument.Parse(result.Out);
        var array = json.RootElement.GetProperty("arrays")[0];
        Assert.Equal("float64", array.GetProperty("dtype").GetString());
        Assert.Equal(3, array.GetProperty("shape")[0].GetInt32());
        Assert.True(array.GetProperty("finite").GetBoolean());
        var column1 = array.GetProperty("columns")[1];
        Assert.Equal(10, column1.GetProperty("min").GetDouble());
        Assert.Equal(50, column1.GetProperty("max").GetDouble());
        Assert.Equal(30, column1.GetProperty("mean").GetDouble(), 12);
        Assert.Equal(Math.Sqrt(800.0 / 3), column1.GetProperty("std").GetDouble(), 12);
    }

    [Fact]
    public void Info_NonFinite_ReportsCountAndFirstRow()
    {
        File.WriteAllText(P("n.csv"), "x,y\n1,2\n3,nan\n5,inf\n");
        var result = _cli.Run("info", P("n.csv"), "--json");
        Assert.Equal(ExitCodes.Ok, result.Code);
        using var json = JsonDocument.Parse(result.Out);
        var array = json.RootElement.GetProperty("arrays")[0];
        Assert.False(array.GetProperty("finite").GetBoolean());
        Assert.Equal(2, array.GetProperty("non_finite_count").GetInt32());
        Assert.Equal(1, array.GetProperty("first_non_finite_row").GetInt32());
    }

    [Fact]
    public void Info_HumanOutput_IsATableOnStdout()
    {
        // Issue #12: `monge info` prints its tables on stdout (it is the requested data), nothing on stderr.
        NpyFormat.Write(P("v.npy"), new NumericArray(new[] { 1f, 2f }, 2));
        var result = _cli.Run("info", P("v.npy"));
        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.Empty(result.Err);
        Assert.Contains("shape (2,), dtype float32", result.Out, StringComparison.Ordinal);
        // Column 0 of [1, 2]: min 1, max 2, mean 1.5, population std 0.5.
        Assert.Single(result.Out.Split('\n'), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\W\s*0\s*\W\s*1\s*\W\s*2\s*\W\s*1\.5\s*\W\s*0\.5\s*\W\s*$"));
    }

    [Fact]
    public void Info_NpzWithoutKey_DescribesEveryArray()
    {
        NpzFormat.Write(P("m.npz"), new Dictionary<string, NumericArray>
        {
            ["a"] = new(new[] { 1.0 }, 1),
            ["b"] = new(new[] { 1, 2 }, 2),
        });
        var result = _cli.Run("info", P("m.npz"), "--json");
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(2, json.RootElement.GetProperty("arrays").GetArrayLength());
        var one = _cli.Run("info", P("m.npz") + "#b", "--json");
        using var oneJson = JsonDocument.Parse(one.Out);
        Assert.Equal("int32", oneJson.RootElement.GetProperty("arrays")[0].GetProperty("dtype").GetString());
    }

    [Fact]
    public void Info_MissingFile_ExitThree()
    {
        var result = _cli.Run("info", P("missing.npy"));
        Assert.Equal(ExitCodes.IoFailure, result.Code);
        Assert.Contains("not found", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_TruncatedNpy_ExitThreeWithPosition()
    {
        NpyFormat.Write(P("t.npy"), new NumericArray(new[] { 1.0, 2, 3, 4 }, 4));
        var bytes = File.ReadAllBytes(P("t.npy"));
        File.WriteAllBytes(P("t.npy"), bytes[..^5]);
        var result = _cli.Run("info", P("t.npy"));
        Assert.Equal(ExitCodes.IoFailure, result.Code);
        Assert.Contains("truncated data", result.Err, StringComparison.Ordinal);
        Assert.Contains("byte ", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_UnknownNpzKey_ListsKeys()
    {
        NpzFormat.Write(P("k.npz"), new Dictionary<string, NumericArray> { ["points"] = new(new[] { 1.0 }, 1) });
        var result = _cli.Run("info", P("k.npz") + "#nope");
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("keys: points", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_CsvColumnSelection_PicksColumns()
    {
        File.WriteAllText(P("t.csv"), "a,b,c\n1,2,3\n4,5,6\n");
        var result = _cli.Run("info", P("t.csv") + "#c,a", "--json");
        using var json = JsonDocument.Parse(result.Out);
        var columns = json.RootElement.GetProperty("arrays")[0].GetProperty("columns");
        Assert.Equal(3, columns[0].GetProperty("min").GetDouble());
        Assert.Equal(1, columns[1].GetProperty("min").GetDouble());
    }

    [Fact]
    public void Verbose_ShowsStackTrace()
    {
        var result = _cli.Run("info", P("missing.npy"), "--verbose");
        Assert.Equal(ExitCodes.IoFailure, result.Code);
        Assert.Contains("FileNotFoundException", result.Err, StringComparison.Ordinal);
    }
}
