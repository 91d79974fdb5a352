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

    [Theory]
    [InlineData("frlc", "affine")]
    [InlineData("fgw", "warp")]
    [InlineData("entropic", "affine")]
    public void Align_MirroredRotatedSlices_AlignsTransfersLabelsAndWritesEveryOutput(string method, string alignMode)
    {
        using var cli = new CliRunner();
        var (source, target) = Slices(cli);
        var aligned = cli.File("aligned.npy");
        var labels = cli.File("labels.csv");
        var plot = cli.File("overlay.png");
        var copy = cli.File("out.h5ad");
        string[] methodOptions = method switch
        {
            "frlc" => ["--rank", "12", "--seed", "1"],
            "entropic" => ["--epsilon", "0.01"],
            _ => [],
        };
        var (code, stdout, stderr) = cli.Run([
            "align", "--source", source, "--target", target, "--alpha", "0.5", "--method", method, .. methodOptions,
            "--transfer", source + "#obs/cell_type", "--transfer-out", labels, "--aligned-out", aligned, "--align-mode", alignMode,
            "--h5ad-out", copy, "--plot", plot, "--json"]);
        Assert.True(code == ExitCodes.Ok, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("reflection").GetBoolean());
        Assert.InRange(root.GetProperty("rotation_degrees").GetDouble(), 25, 45);
        Assert.True(root.GetProperty("converged").GetBoolean());
        Assert.True(root.GetProperty("gw_cost").GetDouble() > 0);
        Assert.Equal(method, root.GetProperty("method").GetString());
        Assert.Equal(alignMode, root.GetProperty("align_mode").GetString());

        var moved = NpyFormat.Read(aligned).ToDoubleArray();
        var truth = AnnDataFormat.Read(source, "obsm/spatial_target_frame").ToDoubleArray();
        Assert.Equal(truth.Length, moved.Length);
        var errors = Enumerable.Range(0, truth.Length / 2).Select(i => Math.Sqrt(Math.Pow(moved[2 * i] - truth[2 * i], 2) + Math.Pow(moved[(2 * i) + 1] - truth[(2 * i) + 1], 2))).Order().ToArray();
        Assert.True(errors[errors.Length / 2] < 250, $"median alignment error {errors[errors.Length / 2]:F1} µm");
        if (method != "frlc")
        {
            // Dense plans: within 5 cell spacings (median nearest-neighbour distance of the target slice, 55 µm; measured
            // 4.1 warp, 3.3 affine; see SliceAlignmentTests) and GW in the user's units (µm⁴, about 3·10¹¹ here).
            var spatial = AnnDataFormat.Read(target, "obsm/spatial").ToDoubleArray();
            var count = spatial.Length / 2;
            var spacing = Enumerable.Range(0, count)
                .Select(i => Enumerable.Range(0, count).Where(j => j != i).Min(j => Math.Sqrt(Math.Pow(spatial[2 * i] - spatial[2 * j], 2) + Math.Pow(spatial[(2 * i) + 1] - spatial[(2 * j) + 1], 2))))
                .Order().ElementAt(count / 2);
            Assert.True(errors[errors.Length / 2] < 5 * spacing, $"median alignment error {errors[errors.Length / 2]:F1} µm, spacing {spacing:F1} µm");
            Assert.InRange(root.GetProperty("gw_cost").GetDouble(), 1e11, 1e12);
        }

        var predicted = CsvFormat.ReadText(labels, "label");
        var actual = AnnDataFormat.ReadText(target, "obs/cell_type");
        var accuracy = predicted.Zip(actual, (p, a) => p == a ? 1.0 : 0.0).Average();
        Assert.True(accuracy > (method == "frlc" ? 0.75 : 0.85), $"label-transfer accuracy {accuracy:F3}");
        Assert.Equal(AnnDataFormat.ReadObsNames(target), CsvFormat.ReadText(labels, "id"));
        Assert.Equal(predicted, AnnDataFormat.ReadText(copy, "obs/monge_label"));
        PngAssert.IsPlot(plot, 900, 700);
    }

    [Theory]
    [InlineData("entropic")]
    [InlineData("fgw")]
    public void Align_DenseMethodAboveThePlanLimit_ExitsTwoNamingFrlc(string method)
    {
        // 5001 × 5001 > 2.5·10⁷ entries: refused before the features are read or anything is solved.
        using var cli = new CliRunner();
        var source = cli.File("big1.h5ad");
        var target = cli.File("big2.h5ad");
        const int n = 5001;
        var names = Enumerable.Range(0, n).Select(i => "cell" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var coordinates = Enumerable.Range(0, 2 * n).Select(k => (double)(k % 977)).ToArray();
        AnnDataWriter.Write(source, names, new AnnDataAdditions().Obsm("spatial", coordinates, 2), overwrite: true);
        AnnDataWriter.Write(target, names, new AnnDataAdditions().Obsm("spatial", coordinates, 2), overwrite: true);
        var (code, _, stderr) = cli.Run("align", "--source", source, "--target", target, "--method", method);
        Assert.True(code == ExitCodes.BadInput, $"exit {code}: {stderr}");
        Assert.Contains("--method frlc", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Align_UnknownMethod_ExitsTwoNamingTheAvailableOnes()
    {
        using var cli = new CliRunner();
        var (source, target) = Slices(cli, 50);
        var (code, _, stderr) = cli.Run("align", "--source", source, "--target", target, "--method", "sinkhorn");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("available: frlc, lowrank, fgw, entropic", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--features", "none", "--alpha", "0.3")]
    [InlineData("--alpha", "1.5")]
    [InlineData("--align-mode", "shear")]
    [InlineData("--spatial", "obsm/missing")]
    [InlineData("--method", "frlc", "--epsilon", "0.1")]
    [InlineData("--method", "fgw", "--epsilon", "0.1")]
    [InlineData("--method", "fgw", "--rank", "5")]
    [InlineData("--method", "entropic", "--seed", "3")]
    [InlineData("--method", "fgw", "--init", "kmeans")]
    [InlineData("--method", "frlc", "--init", "spectral")]
    [InlineData("--method", "frlc", "--refine")]
    [InlineData("--method", "frlc", "--align-mode", "warp", "--refine")]
    [InlineData("--method", "entropic", "--epsilon", "0")]
    public void Align_BadOptions_ExitTwo(params string[] extra)
    {
        using var cli = new CliRunner();
        var (source, target) = Slices(cli, 50);
        var (code, _, stderr) = cli.Run(["align", "--source", source, "--target", target, .. extra]);
        Assert.True(code == ExitCodes.BadInput, $"exit {code}: {stderr}");
        Assert.StartsWith("monge: error:", stderr.TrimStart(), StringComparison.Ordinal);
    }
}
