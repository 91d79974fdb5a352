using System.Text.Json;
using Monge.IO;

namespace Monge.Cli.Tests;

/// <summary>The label-colored points plot and the displacement plot with target points: PNGs of the asked size, with the
/// colors of what they must show.</summary>
public sealed class LabelPlotTests
{
    private static readonly string Cells = CliRunner.Fixture("io_labels_source.h5ad");

    [Fact]
    public void Points_H5adLabels_DrawsEachLabelInItsColor()
    {
        using var cli = new CliRunner();
        var png = cli.File("points.png");
        var (code, stdout, stderr) = cli.Run("plot", "points", "--points", Cells + "#obsm/spatial", "--labels", Cells + "#obs/cell_type", "-o", png, "--width", "640", "--height", "480", "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        PngAssert.IsPlot(png, 640, 480);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(4, doc.RootElement.GetProperty("labels").GetInt32()); // T cell, B cell, glia, neuron (fixture)
        Assert.Equal(1, doc.RootElement.GetProperty("unlabelled").GetInt32());

        // The four most frequent labels get the first four palette colors (markers plus legend swatches).
        foreach (var color in new[] { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728" })
        {
            Assert.True(PngAssert.CountNear(png, SkiaSharp.SKColor.Parse(color)) > 20, $"{color} missing");
        }
    }

    [Fact]
    public void Points_WrongNumberOfLabels_ExitsTwo()
    {
        using var cli = new CliRunner();
        NpyFormat.Write(cli.File("labels.npy"), new NumericArray(new long[5], 5));
        var (code, _, stderr) = cli.Run("plot", "points", "--points", Cells + "#obsm/spatial", "--labels", cli.File("labels.npy"), "-o", cli.File("p.png"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--labels", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("p.png")));
    }

    [Fact]
    public void Displacement_MappedWithTarget_DrawsTargetPointsAndColorBar()
    {
        using var cli = new CliRunner();
        var random = new Random(Monge.Testing.Seeds.Default);
        const int n = 300;
        var x = Enumerable.Range(0, n * 2).Select(_ => random.NextDouble()).ToArray();
        var mapped = x.Select((v, k) => v + (k % 2 == 0 ? 2.0 : 0.5)).ToArray();
        var y = mapped.Select(v => v + ((random.NextDouble() - 0.5) * 0.1)).ToArray();
        NpyFormat.Write(cli.File("x.npy"), new NumericArray(x, n, 2));
        NpyFormat.Write(cli.File("t.npy"), new NumericArray(mapped, n, 2));
        NpyFormat.Write(cli.File("y.npy"), new NumericArray(y, n, 2));
        var png = cli.File("d.png");
        var (code, stdout, stderr) = cli.Run("plot", "displacement", "-s", cli.File("x.npy"), "--mapped", cli.File("t.npy"), "-t", cli.File("y.npy"), "-o", png, "--width", "640", "--height", "480", "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        PngAssert.IsPlot(png, 640, 480);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(n, doc.RootElement.GetProperty("targets").GetInt32());
        // Target markers: orange #ff7f0e at alpha 0.45 over white = (255, 197, 146).
        Assert.True(PngAssert.CountNear(png, new SkiaSharp.SKColor(255, 197, 146)) > 100, "target markers (orange) missing");

        // The color bar spans Viridis from 0.1 (dark purple) to 0.9 (yellow-green) along the right edge.
        Assert.True(PngAssert.CountNear(png, new SkiaSharp.SKColor(0x48, 0x1a, 0x6c)) > 50, "dark end of the color bar missing");
    }
}
