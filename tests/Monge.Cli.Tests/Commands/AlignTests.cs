using System.Text.Json;
using Monge.Datasets;
using Monge.IO;
using Monge.Testing;

namespace Monge.Cli.Tests.Commands;

/// <summary>
/// <c>monge align</c> end to end from .h5ad files written in the test (<see cref="SpatialSliceFiles"/>): the second slice
/// is rotated, mirrored, shifted, deformed and has a band of cells missing; oracles are the ground-truth positions of the
/// source cells in the target's frame (obsm/spatial_target_frame) and the target's true cell types.
/// </summary>
public class AlignTests
{
    private static (string Source, string Target) Slices(CliRunner cli, int n = 300)
    {
        var source = cli.File("s1.h5ad");
        var target = cli.File("s2.h5ad");
        SpatialSliceFiles.Write(SpatialSlices.Generate(n, n + 40, 11), source, target);
        return (source, target);
    }

    [Fact]
    public void Align_MirroredRotatedSlices_AlignsTransfersLabelsAndWritesEveryOutput()
    {
        using var cli = new CliRunner();
        var (source, target) = Slices(cli);
        var aligned = cli.File("aligned.npy");
        var labels = cli.File("labels.csv");
        var plot = cli.File("overlay.png");
        var copy = cli.File("out.h5ad");
        var (code, stdout, stderr) = cli.Run(
            "align", "--source", source, "--target", target, "--alpha", "0.5", "--method", "frlc", "--rank", "12", "--seed", "1",
            "--transfer", source + "#obs/cell_type", "--transfer-out", labels, "--aligned-out", aligned, "--align-mode", "affine",
            "--h5ad-out", copy, "--plot", plot, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("reflection").GetBoolean());
        Assert.InRange(root.GetProperty("rotation_degrees").GetDouble(), 25, 45);
        Assert.True(root.GetProperty("converged").GetBoolean());
        Assert.True(root.GetProperty("gw_cost").GetDouble() > 0);

        var moved = NpyFormat.Read(aligned).ToDoubleArray();
        var truth = AnnDataFormat.Read(source, "obsm/spatial_target_frame").ToDoubleArray();
        Assert.Equal(truth.Length, moved.Length);
        var errors = Enumerable.Range(0, truth.Length / 2).Select(i => Math.Sqrt(Math.Pow(moved[2 * i] - truth[2 * i], 2) + Math.Pow(moved[(2 * i) + 1] - truth[(2 * i) + 1], 2))).Order().ToArray();
        Assert.True(errors[errors.Length / 2] < 250, $"median alignment error {errors[errors.Length / 2]:F1} µm");

        var predicted = CsvFormat.ReadText(labels, "label");
        var actual = AnnDataFormat.ReadText(target, "obs/cell_type");
        var accuracy = predicted.Zip(actual, (p, a) => p == a ? 1.0 : 0.0).Average();
        Assert.True(accuracy > 0.75, $"label-transfer accuracy {accuracy:F3}");
        Assert.Equal(AnnDataFormat.ReadObsNames(target), CsvFormat.ReadText(labels, "id"));
        Assert.Equal(predicted, AnnDataFormat.ReadText(copy, "obs/monge_label"));
        PngAssert.IsPlot(plot, 900, 700);
    }

    [Theory]
    [InlineData("entropic")]
    [InlineData("fgw")]
    public void Align_MethodNotInThisBuild_ExitsTwoNamingTheAvailableOnes(string method)
    {
        using var cli = new CliRunner();
        var (source, target) = Slices(cli, 50);
        var (code, _, stderr) = cli.Run("align", "--source", source, "--target", target, "--method", method);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("available: frlc, lowrank", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--features", "none", "--alpha", "0.3")]
    [InlineData("--alpha", "1.5")]
    [InlineData("--align-mode", "shear")]
    [InlineData("--spatial", "obsm/missing")]
    public void Align_BadOptions_ExitTwo(params string[] extra)
    {
        using var cli = new CliRunner();
        var (source, target) = Slices(cli, 50);
        var (code, _, stderr) = cli.Run(["align", "--source", source, "--target", target, .. extra]);
        Assert.True(code == ExitCodes.BadInput, $"exit {code}: {stderr}");
        Assert.StartsWith("monge: error:", stderr.TrimStart(), StringComparison.Ordinal);
    }
}
