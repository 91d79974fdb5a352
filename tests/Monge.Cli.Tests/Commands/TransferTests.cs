using System.Security.Cryptography;
using System.Text.Json;
using Monge.IO;
using Monge.Testing;

namespace Monge.Cli.Tests.Commands;

/// <summary>
/// <c>--transfer</c>, <c>--transfer-out</c> and <c>--h5ad-out</c> on <c>monge match</c> and <c>monge solve</c>. Oracles: the
/// permutation planted in the AnnData fixture pair (tools/fixtures/io.py: target row j is source row source_row[j],
/// shifted), brute force over the dense plan that the same solve writes with --plan-out, and the input files themselves.
/// </summary>
public sealed class TransferTests
{
    private static readonly string Source = CliRunner.Fixture("io_labels_source.h5ad");
    private static readonly string Target = CliRunner.Fixture("io_labels_target.h5ad");

    private static string?[] SourceTypes => AnnDataFormat.ReadText(Source, "obs/cell_type");

    private static int[] PlantedSourceRow => AnnDataFormat.Read(Target, "obs/source_row").ToDoubleArray().Select(v => (int)v).ToArray();

    [Theory]
    [InlineData("labels.csv")]
    [InlineData("labels.parquet")]
    public void Match_H5adLabels_TransfersThePlantedLabelsExactly(string name)
    {
        using var cli = new CliRunner();
        var output = cli.File(name);
        var (code, stdout, stderr) = cli.Run(
            "match", "--source", Source + "#obsm/spatial", "--target", Target + "#obsm/spatial", "--out", cli.File("perm.npy"),
            "--transfer", Source + "#obs/cell_type", "--transfer-out", output, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);

        var (ids, labels, confidence) = ReadTable(output);
        Assert.Equal(AnnDataFormat.ReadObsNames(Target), ids);
        var planted = PlantedSourceRow;
        for (var j = 0; j < planted.Length; j++)
        {
            var expected = SourceTypes[planted[j]];
            Assert.Equal(expected, labels[j]);
            Assert.True(expected is null ? double.IsNaN(confidence[j]) : confidence[j] == 1.0, $"target {j}: confidence {confidence[j]}");
        }

        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(4, doc.RootElement.GetProperty("transfer_labels").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("transfer_unlabelled").GetInt32()); // the source with a missing type
    }

    [Fact]
    public void Match_H5adOut_CopiesTheTargetAndAddsTheResults()
    {
        using var cli = new CliRunner();
        var before = SHA256.HashData(File.ReadAllBytes(Target));
        var copy = cli.File("out.h5ad");
        var (code, _, stderr) = cli.Run(
            "match", "--source", Source + "#obsm/spatial", "--target", Target + "#obsm/spatial", "--out", cli.File("perm.npy"),
            "--transfer", Source + "#obs/cell_type", "--h5ad-out", copy);
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(Target)));

        var planted = PlantedSourceRow;
        Assert.Equal(planted.Select(i => SourceTypes[i]).ToArray(), AnnDataFormat.ReadText(copy, "obs/monge_label"));
        Assert.Equal(planted.Select(i => (double)i).ToArray(), AnnDataFormat.Read(copy, "obs/monge_match").ToDoubleArray());

        // Each target's barycentre of the matched source points is that source point.
        var sourcePoints = AnnDataFormat.Read(Source, "obsm/spatial").ToDoubleArray();
        var mapped = AnnDataFormat.Read(copy, "obsm/monge_mapped").ToDoubleArray();
        var expectedMap = planted.SelectMany(i => new[] { sourcePoints[2 * i], sourcePoints[(2 * i) + 1] }).ToArray();
        NumericAssert.Close(expectedMap, mapped, rtol: 1e-12);

        // The original fields are still there, unchanged.
        NumericAssert.Close(AnnDataFormat.Read(Target, "obsm/spatial").ToDoubleArray(), AnnDataFormat.Read(copy, "obsm/spatial").ToDoubleArray(), 0, 0);
        NumericAssert.Close(AnnDataFormat.Read(Target, "X").ToDoubleArray(), AnnDataFormat.Read(copy, "X").ToDoubleArray(), 0, 0);
        Assert.Equal(AnnDataFormat.ReadText(Target, "obs/batch"), AnnDataFormat.ReadText(copy, "obs/batch"));
    }

    [Theory]
    [InlineData("sinkhorn")]
    [InlineData("emd")]
    [InlineData("frlc")]
    [InlineData("lowrank-sinkhorn")]
    public void Solve_EveryMethod_LabelsMatchBruteForceOnItsDensePlan(string method)
    {
        using var cli = new CliRunner();
        var random = Seeds.Create(11);
        const int n = 30;
        const int m = 23;
        var x = Enumerable.Range(0, n * 2).Select(_ => random.NextDouble()).ToArray();
        var y = Enumerable.Range(0, m * 2).Select(_ => random.NextDouble()).ToArray();
        var codes = Enumerable.Range(0, n).Select(_ => (long)random.Next(4)).ToArray();
        NpyFormat.Write(cli.File("x.npy"), new NumericArray(x, n, 2));
        NpyFormat.Write(cli.File("y.npy"), new NumericArray(y, m, 2));
        NpyFormat.Write(cli.File("labels.npy"), new NumericArray(codes, n));
        var plan = cli.File("plan.csv");
        var (code, _, stderr) = cli.Run(
            "solve", "--method", method, "--source", cli.File("x.npy"), "--target", cli.File("y.npy"),
            "--transfer", cli.File("labels.npy"), "--transfer-out", cli.File("labels.csv"), "--plan-out", plan);
        Assert.True(code == ExitCodes.Ok, stderr);

        var dense = ToDense(CsvFormat.Read(plan).Values, n, m, sparse: method == "emd");
        var (ids, labels, confidence) = ReadTable(cli.File("labels.csv"));
        Assert.Equal(Enumerable.Range(0, m).Select(j => j.ToString(System.Globalization.CultureInfo.InvariantCulture)), ids);
        for (var j = 0; j < m; j++)
        {
            var mass = new double[4];
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                mass[codes[i]] += dense[(i * m) + j];
                total += dense[(i * m) + j];
            }

            // The documented tie rule: the first label whose mass is within a relative 1e-12 of the largest (a low-rank plan
            // can give a target the same mass from every label, equal up to rounding).
            var best = Array.FindIndex(mass, v => v >= mass.Max() * (1 - Monge.Tools.LabelTransfer.TieTolerance));
            Assert.Equal(best.ToString(System.Globalization.CultureInfo.InvariantCulture), labels[j]);
            NumericAssert.Close(mass[best] / total, confidence[j], rtol: 1e-9, what: $"confidence of target {j}");
        }
    }

    [Fact]
    public void Solve_LabelsOfTheWrongLength_ExitsTwoNamingTheOption()
    {
        using var cli = new CliRunner();
        NpyFormat.Write(cli.File("x.npy"), new NumericArray(new double[10], 5, 2));
        NpyFormat.Write(cli.File("labels.npy"), new NumericArray(new long[4], 4));
        var (code, _, stderr) = cli.Run(
            "solve", "--source", cli.File("x.npy"), "--target", cli.File("x.npy"), "--transfer", cli.File("labels.npy"), "--transfer-out", cli.File("out.csv"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--transfer", stderr, StringComparison.Ordinal);
        Assert.Contains("4 labels", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("out.csv")));
    }

    [Theory]
    [InlineData("--transfer-out", "out.csv")] // without --transfer
    [InlineData("--transfer", "labels")] // without an output
    [InlineData("--h5ad-out", "copy.h5ad")] // the target is not an .h5ad
    public void Solve_IncompleteOrImpossibleRequest_ExitsTwo(string option, string value)
    {
        using var cli = new CliRunner();
        NpyFormat.Write(cli.File("x.npy"), new NumericArray(new double[10], 5, 2));
        var argument = value == "labels" ? Source + "#obs/cell_type" : cli.File(value);
        var (code, _, stderr) = cli.Run("solve", "--source", cli.File("x.npy"), "--target", cli.File("x.npy"), option, argument);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_H5adOutOntoTheTarget_IsRefused()
    {
        using var cli = new CliRunner();
        var before = SHA256.HashData(File.ReadAllBytes(Target));
        var (code, _, stderr) = cli.Run(
            "match", "--source", Source + "#obsm/spatial", "--target", Target + "#obsm/spatial", "--out", cli.File("perm.npy"), "--h5ad-out", Target, "--overwrite");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--h5ad-out", stderr, StringComparison.Ordinal);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(Target)));
    }

    private static (string?[] Ids, string?[] Labels, double[] Confidence) ReadTable(string path) =>
        path.EndsWith(".parquet", StringComparison.Ordinal)
            ? (ParquetFormat.ReadText(path, "id"), ParquetFormat.ReadText(path, "label"), ParquetFormat.Read(path, ["confidence"]).Values.ToDoubleArray())
            : (CsvFormat.ReadText(path, "id"), CsvFormat.ReadText(path, "label"), CsvFormat.Read(path, ["confidence"]).Values.ToDoubleArray());

    private static double[] ToDense(NumericArray plan, int n, int m, bool sparse)
    {
        var values = plan.ToDoubleArray();
        if (!sparse)
        {
            return values;
        }

        var dense = new double[n * m];
        for (var k = 0; k < plan.Rows; k++)
        {
            dense[((int)values[3 * k] * m) + (int)values[(3 * k) + 1]] += values[(3 * k) + 2];
        }

        return dense;
    }
}
