using System.Text.Json;
using Monge.Cli.Infrastructure;
using Monge.IO;

namespace Monge.Cli.Tests;

public sealed class InputErrorTests
{
    [Fact]
    public void Info_H5adWithoutKey_ListsArrays()
    {
        using var cli = new CliRunner();
        var (code, stdout, _) = cli.Run("info", CliRunner.Fixture("io_cells_csr.h5ad"), "--json");
        Assert.Equal(ExitCodes.Ok, code);
        using var doc = JsonDocument.Parse(stdout);
        var keys = doc.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("key").GetString()).ToList();
        Assert.Equal(["X", "obs/weight", "obsm/X_pca", "obsm/spatial"], keys);
    }

    [Theory]
    [InlineData("io_cells_csr.h5ad#obsm/spatial", 11, 2)]
    [InlineData("io_cells_csc.h5ad#X", 11, 7)]
    [InlineData("io_cells_dense.h5ad#obsm/X_pca", 11, 3)]
    public void Info_H5adKey_ReportsShape(string spec, int rows, int columns)
    {
        using var cli = new CliRunner();
        var (code, stdout, stderr) = cli.Run("info", CliRunner.Fixture(spec), "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var shape = doc.RootElement.GetProperty("arrays")[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal([rows, columns], shape);
    }

    [Fact]
    public void Info_MissingH5adKey_Exit2AndListsKeys()
    {
        using var cli = new CliRunner();
        var (code, stdout, stderr) = cli.Run("info", CliRunner.Fixture("io_cells_csr.h5ad") + "#obsm/umap");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Empty(stdout);
        Assert.Contains("no array 'obsm/umap'", stderr, StringComparison.Ordinal);
        Assert.Contains("obsm/spatial", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_CorruptedH5ad_Exit3WithoutStackTrace_VerboseShowsOne()
    {
        using var cli = new CliRunner();
        var bytes = File.ReadAllBytes(CliRunner.Fixture("io_cells_csr.h5ad"));
        var path = cli.File("broken.h5ad");
        File.WriteAllBytes(path, bytes[..1000]);
        var (code, _, stderr) = cli.Run("info", path + "#X");
        Assert.Equal(ExitCodes.IoFailure, code);
        Assert.StartsWith("monge: error: ", stderr, StringComparison.Ordinal);
        Assert.Contains("broken.h5ad", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);

        var verbose = cli.Run("info", path + "#X", "--verbose");
        Assert.Equal(ExitCodes.IoFailure, verbose.Code);
        Assert.Contains("   at ", verbose.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_TruncatedNpy_Exit3WithCleanMessage()
    {
        using var cli = new CliRunner();
        var path = cli.File("points.npy");
        NpyFormat.Write(path, new NumericArray(Enumerable.Range(0, 64).Select(i => (double)i).ToArray(), 32, 2));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var (code, _, stderr) = cli.Run("info", path);
        Assert.Equal(ExitCodes.IoFailure, code);
        Assert.Contains("points.npy", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_ParquetColumns_ReadsSelection()
    {
        using var cli = new CliRunner();
        var path = cli.File("t.parquet");
        ParquetFormat.Write(path, new NumericArray(new double[] { 1, 2, 3, 4, 5, 6 }, 3, 2), ["x", "y"]);
        var (code, stdout, stderr) = cli.Run("info", path + "#y", "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var column = doc.RootElement.GetProperty("arrays")[0].GetProperty("columns")[0];
        Assert.Equal(4.0, column.GetProperty("mean").GetDouble());
        var missing = cli.Run("info", path + "#z");
        Assert.Equal(ExitCodes.BadInput, missing.Code);
        Assert.Contains("columns: x, y", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPoints_NonFiniteRows_ReportsCountAndFirstIndex()
    {
        var spec = CliRunner.Fixture("io_cells_dense.h5ad") + "#obsm/bad";
        var ex = Assert.Throws<InputValidationException>(() => DataFiles.LoadPoints(spec, null, DataLoadOptions.Default, "source"));
        Assert.Equal(InputProblem.NonFinite, ex.Problem);
        Assert.Equal(2, ex.Index);
        Assert.Contains("2 rows of 11", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pass --drop-nonfinite", ex.Message, StringComparison.Ordinal);
        var offered = Assert.Throws<InputValidationException>(() => DataFiles.LoadPoints(spec, null, new DataLoadOptions(OffersDrop: true), "source"));
        Assert.Contains("pass --drop-nonfinite", offered.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("barycenter", "--method", "free", "--size", "2")]
    [InlineData("map", "fit", "--target", "SAME", "--method", "entropic")]
    public void NonFiniteRows_VerbWithoutDropNonFinite_DoesNotSuggestTheFlag(params string[] verb)
    {
        // audit16: barycenter and map named --drop-nonfinite in their NaN error, then rejected the flag.
        using var cli = new CliRunner();
        var path = cli.File("nan.npy");
        NpyFormat.Write(path, new NumericArray(new[] { 0, 0, 1, double.NaN, 2, 2, 3, 1 }, 4, 2));
        var args = verb.Select(a => a == "SAME" ? path : a).ToList();
        args.AddRange(verb[0] == "map" ? ["--source", path, "--out", cli.File("m.npz")] : ["--inputs", path, path, "--out", cli.File("o.npy")]);
        var (code, _, err) = cli.Run([.. args]);
        Assert.Equal(ExitCodes.BadInput, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("NaN or Inf", line, StringComparison.Ordinal);
        Assert.DoesNotContain("pass --drop-nonfinite", line, StringComparison.Ordinal);
        (code, _, _) = cli.Run([.. args, "--drop-nonfinite"]);
        Assert.Equal(ExitCodes.BadInput, code);
    }

    [Fact]
    public void LoadPoints_DropNonFinite_DropsRowsFromPointsAndWeights()
    {
        var fixture = Monge.Testing.Fixtures.Load("io_cells_expected");
        var spec = CliRunner.Fixture("io_cells_dense.h5ad") + "#obsm/bad";
        var weights = CliRunner.Fixture("io_cells_dense.h5ad") + "#obs/weight";
        var loaded = DataFiles.LoadPoints(spec, weights, new DataLoadOptions(DropNonFinite: true), "source");
        Assert.Equal(2, loaded.DroppedRows);
        Assert.Equal(9, loaded.Count);
        Assert.Equal([0, 1, 3, 4, 5, 7, 8, 9, 10], loaded.KeptRows);
        var bad = fixture.Doubles("bad");
        var w = fixture.Doubles("weight");
        for (var k = 0; k < loaded.Count; k++)
        {
            Assert.Equal(bad[loaded.KeptRows[k] * 2], loaded.Cloud.Data[k * 2]);
            Assert.Equal(w[loaded.KeptRows[k]], loaded.Cloud.Weights[k]);
        }
    }

    [Fact]
    public void LoadPoints_WrongRankAndWeightLength_AreRejected()
    {
        using var cli = new CliRunner();
        var cube = cli.File("cube.npy");
        NpyFormat.Write(cube, new NumericArray(new double[8], 2, 2, 2));
        var rank = Assert.Throws<InputValidationException>(() => DataFiles.LoadPoints(cube, null, DataLoadOptions.Default));
        Assert.Contains("shape (2, 2, 2)", rank.Message, StringComparison.Ordinal);

        var spatial = CliRunner.Fixture("io_cells_csr.h5ad") + "#obsm/spatial";
        var w = cli.File("w.npy");
        NpyFormat.Write(w, new NumericArray(new double[] { 1, 2, 3 }, 3));
        var length = Assert.Throws<InputValidationException>(() => DataFiles.LoadPoints(spatial, w, DataLoadOptions.Default));
        Assert.Equal(InputProblem.DimensionMismatch, length.Problem);
        Assert.Contains("3 values for 11 points", length.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TooLargeToDensify_IsUsageErrorSayingHowMuch()
    {
        var spec = CliRunner.Fixture("io_cells_csr.h5ad") + "#X";
        var ex = Assert.Throws<UsageException>(() => DataFiles.Load(spec, new DataLoadOptions(MaxBytes: 64)));
        Assert.Contains("would take 308 B", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--max-memory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ParquetAboveMaxMemory_IsUsageErrorSayingHowMuch()
    {
        using var cli = new CliRunner();
        var path = cli.File("t.parquet");
        ParquetFormat.Write(path, new NumericArray(Enumerable.Range(0, 30).Select(i => (double)i).ToArray(), 10, 3), ["a", "b", "c"]);
        var ex = Assert.Throws<UsageException>(() => DataFiles.Load(path + "#a,b", new DataLoadOptions(MaxBytes: 100)));
        Assert.Contains("would take 160 B", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--max-memory", ex.Message, StringComparison.Ordinal);
        Assert.Equal(20, DataFiles.Load(path + "#a,b", new DataLoadOptions(MaxBytes: 160)).ToDoubleArray().Length);
    }

    [Fact]
    public void Load_H5adWithoutKey_ListsArrays()
    {
        var ex = Assert.Throws<UsageException>(() => DataFiles.Load(CliRunner.Fixture("io_cells_csr.h5ad")));
        Assert.Contains("obsm/spatial (11, 2)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("512", 512L)]
    [InlineData("4K", 4096L)]
    [InlineData("1.5G", 1610612736L)]
    [InlineData("2GiB", 2147483648L)]
    [InlineData("64mb", 67108864L)]
    public void ParseBytes_ReadsUnits(string text, long expected) => Assert.Equal(expected, InputOptions.ParseBytes(text));

    [Theory]
    [InlineData("")]
    [InlineData("-1G")]
    [InlineData("lots")]
    public void ParseBytes_RejectsNonsense(string text) => Assert.Throws<UsageException>(() => InputOptions.ParseBytes(text));

    [Theory]
    [InlineData("out.npy")]
    [InlineData("out.csv")]
    [InlineData("out.parquet")]
    [InlineData("out.npz")]
    public void Save_ByExtension_RoundTripsAndRefusesOverwrite(string name)
    {
        using var cli = new CliRunner();
        var path = cli.File(name);
        var array = new NumericArray(new double[] { 1.5, -2, 3, 4e-9 }, 2, 2);
        DataFiles.Save(path, array, overwrite: false);
        Assert.Equal(array.ToDoubleArray(), DataFiles.Load(path).ToDoubleArray());
        var before = File.ReadAllBytes(path);
        Assert.Throws<IOException>(() => DataFiles.Save(path, new NumericArray(new double[] { 9 }, 1), overwrite: false));
        Assert.Equal(before, File.ReadAllBytes(path));
        DataFiles.Save(path, new NumericArray(new double[] { 9 }, 1, 1), overwrite: true);
        Assert.Equal([9.0], DataFiles.Load(path).ToDoubleArray());
        Assert.Empty(Directory.GetFiles(cli.Folder, "*.tmp"));
    }
}
