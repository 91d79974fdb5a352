using System.Text.Json.Nodes;
using Monge.IO;
using Monge.Testing;

namespace Monge.Cli.Tests.Commands;

/// <summary>
/// <c>monge barycenter</c>: the fixed-support methods against POT 0.8.2 fixtures (tools/fixtures/barycenter.py) through the
/// command line, the ε and ρ mapping for POT's normalized costs, outputs, and usage errors.
/// </summary>
public sealed class BarycenterCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Plot_PointSupport_DrawsTheBarycenterMassesAndLeavesTheOutputUnchanged(int dimension)
    {
        // Stop 21 (lead): a --support of points of dimension >= 2 is drawn in the plane (PCA above 2-D), masses as marker
        // areas; audit16 had found it refused (after --out was written, then before). The output is the same as without
        // --plot, and the barycenter's filled markers (PlotTheme.Trace, #08306b) are in the picture.
        var rng = new Random(3);
        var n = 40;
        var points = new double[n * dimension];
        for (var k = 0; k < points.Length; k++)
        {
            points[k] = (rng.NextDouble() * 100) + (k % dimension == 0 ? 0 : 50 * (k / dimension % 2));
        }

        NpyFormat.Write(_cli.File("x.npy"), new NumericArray(points, n, dimension));
        var a = Enumerable.Range(0, n).Select(k => k < n / 2 ? 2.0 / n : 0.0).ToArray();
        var b = Enumerable.Range(0, n).Select(k => k >= n / 2 ? 2.0 / n : 0.0).ToArray();
        NpyFormat.Write(_cli.File("a.npy"), new NumericArray(a, n));
        NpyFormat.Write(_cli.File("b.npy"), new NumericArray(b, n));
        var common = new[] { "barycenter", "--inputs", _cli.File("a.npy"), _cli.File("b.npy"), "--support", _cli.File("x.npy"), "--epsilon", "0.05", "--relative-epsilon" };
        var plain = _cli.Run([.. common, "--out", _cli.File("p.npy")]);
        Assert.True(plain.Code == ExitCodes.Ok, plain.Err);
        var drawn = _cli.Run([.. common, "--out", _cli.File("o.npy"), "--plot", _cli.File("o.png")]);
        Assert.True(drawn.Code == ExitCodes.Ok, drawn.Err);
        Assert.Equal(NpyFormat.Read(_cli.File("p.npy")).ToDoubleArray(), NpyFormat.Read(_cli.File("o.npy")).ToDoubleArray());
        PngAssert.IsPlot(_cli.File("o.png"), 900, 700);
        Assert.True(PngAssert.CountNear(_cli.File("o.png"), new SkiaSharp.SKColor(0x08, 0x30, 0x6b)) > 200, "barycenter markers missing");
    }

    [Fact]
    public void Plot_ThreeAxisGrid_ExitTwoBeforeWritingTheOutput()
    {
        // A grid of three axes has no picture: refused before --out is written (audit16's order).
        var h = Enumerable.Repeat(1.0 / 8, 8).ToArray();
        NpyFormat.Write(_cli.File("a.npy"), new NumericArray(h, 8));
        NpyFormat.Write(_cli.File("b.npy"), new NumericArray(h, 8));
        var run = _cli.Run("barycenter", "--inputs", _cli.File("a.npy"), _cli.File("b.npy"), "--grid", "2x2x2", "--epsilon", "0.5", "--out", _cli.File("o.npy"), "--plot", _cli.File("o.png"));
        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains("--plot", run.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("o.npy")));
        Assert.False(File.Exists(_cli.File("o.png")));
    }

    [Fact]
    public void Barycenter_GridFixture_MatchesPotConvolutionalBarycenter()
    {
        var fx = Fixtures.Load("barycenter_conv2d_shapes_weighted");
        var inputs = SplitInputs(fx, "shapes.npz");
        var code = _cli.Run(
            ["barycenter", "--inputs", .. inputs, "--grid", "18x24", "--weights", "6,3,1", "--epsilon", "0.01", "--threshold", "1e-12",
             "--out", _cli.File("bary.npy"), "--plot", _cli.File("bary.png"), "--json"]);
        Assert.True(code.Code == ExitCodes.Ok, code.Err);
        var json = JsonNode.Parse(code.Out)!;
        Assert.Equal("fixed", (string)json["method"]!);
        Assert.Equal(0.6, (double)json["weights"]![0]!, 12);
        Assert.True((bool)json["converged"]!);
        Assert.Equal("Converged", (string)json["status"]!);
        foreach (var key in new[] { "objective", "iterations", "final_error", "epsilon", "seconds", "mass" })
        {
            Assert.NotNull(json[key]);
        }

        var bary = NpyFormat.Read(_cli.File("bary.npy"));
        Assert.Equal([18, 24], bary.Shape);
        NumericAssert.Close(fx.Doubles("bary"), bary.ToDoubleArray(), rtol: 1e-7, atol: 1e-15);
        PngAssert.IsPlot(_cli.File("bary.png"), 900, 700);
    }

    [Fact]
    public void Barycenter_SupportFixture_EpsilonScalesWithPotsNormalization()
    {
        // POT divides M by its max s; the same problem on the raw cost has ε = s·reg (and ρ = s·reg_m).
        var fx = Fixtures.Load("barycenter_ibp_1d_reg1e-2");
        var inputs = SplitInputs(fx, "hists.npz");
        NpyFormat.Write(_cli.File("x.npy"), fx.Array("x"), overwrite: true);
        var epsilon = fx.Scalar("reg") * fx.Scalar("m_scale");
        var code = _cli.Run(
            ["barycenter", "--inputs", .. inputs, "--support", _cli.File("x.npy"), "--weights", "0.2,0.3,0.5", "--epsilon", epsilon.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
             "--threshold", "1e-12", "--out", _cli.File("bary.npy"), "--json"]);
        Assert.True(code.Code == ExitCodes.Ok, code.Err);
        NumericAssert.Close(fx.Doubles("bary"), NpyFormat.Read(_cli.File("bary.npy")).ToDoubleArray(), rtol: 1e-7, atol: 1e-10);
    }

    [Fact]
    public void Barycenter_UnbalancedFixture_RhoScalesWithPotsNormalization()
    {
        var fx = Fixtures.Load("barycenter_unbalanced_1d_reg_m_0.1");
        var inputs = SplitInputs(fx, "hists.npz");
        NpyFormat.Write(_cli.File("x.npy"), fx.Array("x"), overwrite: true);
        var s = fx.Scalar("m_scale");
        string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var code = _cli.Run(
            ["barycenter", "--method", "unbalanced", "--inputs", .. inputs, "--support", _cli.File("x.npy"), "--weights", "0.2,0.3,0.5",
             "--epsilon", F(fx.Scalar("reg") * s), "--rho", F(fx.Scalar("reg_m") * s), "--threshold", "1e-13", "--out", _cli.File("bary.npy"), "--json"]);
        Assert.True(code.Code == ExitCodes.Ok, code.Err);
        NumericAssert.Close(fx.Doubles("bary"), NpyFormat.Read(_cli.File("bary.npy")).ToDoubleArray(), rtol: 1e-7, atol: 1e-10);
    }

    [Fact]
    public void Barycenter_BudgetTooSmall_WarnsAndStrictExitsWithOne()
    {
        var inputs = Gaussians();
        string[] args = ["barycenter", "--inputs", .. inputs, "--grid", "30", "--epsilon", "0.001", "--max-iterations", "2", "--threshold", "0", "--out", _cli.File("b.npy")];
        var loose = _cli.Run(args);
        Assert.Equal(ExitCodes.Ok, loose.Code);
        Assert.Contains("did not converge", loose.Err, StringComparison.Ordinal);
        var strict = _cli.Run([.. args, "--strict", "--overwrite", "--json"]);
        Assert.Equal(ExitCodes.NotConverged, strict.Code);
        var json = JsonNode.Parse(strict.Out)!;
        Assert.Equal("MaxIterations", (string)json["status"]!);
        Assert.NotNull(json["warning"]);
    }

    [Fact]
    public void Barycenter_DebiasedOnGrid_OneInputFarLessBlurredThanFixed()
    {
        var inputs = Gaussians();
        var a = NpyFormat.Read(inputs[0]).ToDoubleArray();
        var fixedRun = _cli.Run("barycenter", "--inputs", inputs[0], "--grid", "30", "--epsilon", "0.01", "--out", _cli.File("f.npy"));
        var debiasedRun = _cli.Run("barycenter", "--method", "debiased", "--inputs", inputs[0], "--grid", "30", "--epsilon", "0.01", "--max-iterations", "300", "--threshold", "0", "--out", _cli.File("d.npy"));
        Assert.True(fixedRun.Code == ExitCodes.Ok, fixedRun.Err);
        Assert.True(debiasedRun.Code == ExitCodes.Ok, debiasedRun.Err);
        var blur = a.Zip(NpyFormat.Read(_cli.File("f.npy")).ToDoubleArray(), (x, y) => Math.Abs(x - y)).Sum();
        var bias = a.Zip(NpyFormat.Read(_cli.File("d.npy")).ToDoubleArray(), (x, y) => Math.Abs(x - y)).Sum();
        Assert.True(bias < 0.1 * blur, $"debiased L1 {bias:E2}, fixed L1 {blur:E2}");
    }

    [Fact]
    public void Barycenter_UnequalMasses_RefusedUnlessNormalizedOrUnbalanced()
    {
        var inputs = Gaussians(masses: [1, 2]);
        var refused = _cli.Run("barycenter", "--inputs", inputs[0], inputs[1], "--grid", "30", "--out", _cli.File("b.npy"));
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Contains("mass", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--normalize-weights", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--method unbalanced", refused.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("b.npy")));
        Assert.Equal(ExitCodes.Ok, _cli.Run("barycenter", "--inputs", inputs[0], inputs[1], "--grid", "30", "--normalize-weights", "--out", _cli.File("b.npy")).Code);
        Assert.Equal(ExitCodes.Ok, _cli.Run("barycenter", "--method", "unbalanced", "--tau", "0.9", "--inputs", inputs[0], inputs[1], "--grid", "30", "--out", _cli.File("c.npy")).Code);
    }

    [Theory]
    [InlineData("--weights", "0.5", "2 inputs")]
    [InlineData("--weights", "0.5,-0.5", "positive")]
    [InlineData("--weights", "0.5,abc", "not a number")]
    [InlineData("--weights", "1,0", "positive")]
    [InlineData("--rho", "1", "does not use --rho")]
    [InlineData("--cost", "euclidean", "squared Euclidean")]
    [InlineData("--relative-epsilon", "true", "needs --epsilon")]
    [InlineData("--epsilon", "-1", "positive")]
    [InlineData("--max-iterations", "0", "at least 1")]
    [InlineData("--plot", "x.svg", ".png")]
    public void Barycenter_BadOption_ExitsWithTwo(string option, string value, string message)
    {
        var inputs = Gaussians();
        var code = _cli.Run("barycenter", "--inputs", inputs[0], inputs[1], "--grid", "30", option, value, "--out", _cli.File("b.npy"));
        Assert.Equal(ExitCodes.BadInput, code.Code);
        Assert.Contains(message, code.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("b.npy")));
    }

    [Fact]
    public void Barycenter_GridScaling_LogAndKernelAgreeWithPotFixtureAndReportTheDomain()
    {
        var fx = Fixtures.Load("barycenter_conv2d_shapes_weighted");
        var inputs = SplitInputs(fx, "shapes.npz");
        var domains = new Dictionary<string, string>();
        foreach (var scaling in new[] { "log", "kernel", "auto" })
        {
            var code = _cli.Run(
                ["barycenter", "--inputs", .. inputs, "--grid", "18x24", "--weights", "6,3,1", "--epsilon", "0.01", "--threshold", "1e-12",
                 "--grid-scaling", scaling, "--out", _cli.File($"{scaling}.npy"), "--json"]);
            Assert.True(code.Code == ExitCodes.Ok, code.Err);
            var json = JsonNode.Parse(code.Out)!;
            Assert.Equal(scaling, (string)json["grid_scaling"]!);
            domains[scaling] = (string)json["domain"]!;
            NumericAssert.Close(fx.Doubles("bary"), NpyFormat.Read(_cli.File($"{scaling}.npy")).ToDoubleArray(), rtol: 1e-7, atol: 1e-15);
        }

        // ε = 0.01 on the unit square: kernel range 2/0.01 = 200 nats, inside the doubles, so auto takes the kernel domain.
        Assert.Equal("log", domains["log"]);
        Assert.Equal("kernel", domains["kernel"]);
        Assert.Equal("kernel", domains["auto"]);
    }

    [Fact]
    public void Barycenter_GridScaling_RefusedWithSupportOrOtherMethodsOrBadValue()
    {
        var inputs = Gaussians();
        NpyFormat.Write(_cli.File("x.npy"), new NumericArray(Enumerable.Range(0, 30).Select(i => i / 29.0).ToArray(), 30, 1), overwrite: true);
        var support = _cli.Run("barycenter", "--inputs", inputs[0], inputs[1], "--support", _cli.File("x.npy"), "--grid-scaling", "kernel", "--out", _cli.File("b.npy"));
        Assert.Equal(ExitCodes.BadInput, support.Code);
        Assert.Contains("--grid-scaling applies to --grid only", support.Err, StringComparison.Ordinal);
        var bad = _cli.Run("barycenter", "--inputs", inputs[0], inputs[1], "--grid", "30", "--grid-scaling", "fast", "--out", _cli.File("b.npy"));
        Assert.Equal(ExitCodes.BadInput, bad.Code);
        Assert.Contains("'fast' not recognized", bad.Err, StringComparison.Ordinal);
        Assert.Contains("kernel", bad.Err, StringComparison.Ordinal);
        var free = _cli.Run("barycenter", "--method", "free", "--size", "3", "--inputs", _cli.File("x.npy"), "--grid-scaling", "log", "--out", _cli.File("b.npy"));
        Assert.Equal(ExitCodes.BadInput, free.Code);
        Assert.Contains("--grid-scaling", free.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("b.npy")));
        var supportAuto = _cli.Run("barycenter", "--inputs", inputs[0], inputs[1], "--support", _cli.File("x.npy"), "--out", _cli.File("c.npy"), "--json");
        Assert.True(supportAuto.Code == ExitCodes.Ok, supportAuto.Err);
        var json = JsonNode.Parse(supportAuto.Out)!;
        Assert.Null(json["grid_scaling"]);

        // Two inputs on 30 points: the library's Auto takes the stabilized dense kernel (stop 20; it was the log domain).
        Assert.Equal("kernel", (string)json["domain"]!);
    }

    [Fact]
    public void Barycenter_SupportAndGridRules_ExitWithTwo()
    {
        var inputs = Gaussians();
        NpyFormat.Write(_cli.File("x.npy"), new NumericArray(Enumerable.Range(0, 30).Select(i => (double)i).ToArray(), 30), overwrite: true);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--inputs", inputs[0], "--out", _cli.File("b.npy")).Code);
        var badGrid = _cli.Run("barycenter", "--inputs", inputs[0], "--grid", "0x30", "--out", _cli.File("b.npy"));
        Assert.Equal(ExitCodes.BadInput, badGrid.Code);
        Assert.Contains("positive integers", badGrid.Err, StringComparison.Ordinal);
        var badShape = _cli.Run("barycenter", "--inputs", inputs[0], "--grid", "31", "--out", _cli.File("b.npy"));
        Assert.Equal(ExitCodes.BadInput, badShape.Code);
        Assert.Contains("shape", badShape.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--inputs", inputs[0], "--grid", "30", "--support", _cli.File("x.npy"), "--out", _cli.File("b.npy")).Code);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--method", "unbalanced", "--inputs", inputs[0], "--grid", "30", "--out", _cli.File("b.npy")).Code);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--method", "unbalanced", "--tau", "1", "--inputs", inputs[0], "--grid", "30", "--out", _cli.File("b.npy")).Code);
        Assert.Equal(ExitCodes.Ok, _cli.Run("barycenter", "--inputs", inputs[0], inputs[1], "--support", _cli.File("x.npy"), "--cost", "euclidean", "--out", _cli.File("b.npy")).Code);
        var exists = _cli.Run("barycenter", "--inputs", inputs[0], "--grid", "30", "--out", _cli.File("b.npy"));
        Assert.Equal(ExitCodes.IoFailure, exists.Code);
        Assert.Equal(ExitCodes.IoFailure, _cli.Run("barycenter", "--inputs", _cli.File("missing.npy"), "--grid", "30", "--out", _cli.File("c.npy")).Code);
    }

    private string[] SplitInputs(Fixture fx, string file)
    {
        var a = fx.Array("A");
        var values = a.ToDoubleArray();
        var k = a.Shape[0];
        var n = values.Length / k;
        var shape = a.Shape.Skip(1).ToArray();
        var arrays = Enumerable.Range(0, k).ToDictionary(s => $"a{s}", s => new NumericArray(values.AsSpan(s * n, n).ToArray(), shape));
        NpzFormat.Write(_cli.File(file), arrays, overwrite: true);
        return Enumerable.Range(0, k).Select(s => $"{_cli.File(file)}#a{s}").ToArray();
    }

    private string[] Gaussians(double[]? masses = null)
    {
        masses ??= [1, 1];
        var files = new string[masses.Length];
        for (var s = 0; s < masses.Length; s++)
        {
            var mean = 0.25 + (0.5 * s);
            var h = Enumerable.Range(0, 30).Select(i => Math.Exp(-Math.Pow((i / 29.0) - mean, 2) / 0.01) + 1e-9).ToArray();
            var total = h.Sum() / masses[s];
            files[s] = _cli.File($"g{s}.npy");
            NpyFormat.Write(files[s], new NumericArray(h.Select(v => v / total).ToArray(), 30), overwrite: true);
        }

        return files;
    }
}
