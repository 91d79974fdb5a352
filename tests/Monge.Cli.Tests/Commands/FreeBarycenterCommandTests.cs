using System.Text.Json.Nodes;
using Monge.Gaussian;
using Monge.Geometry;
using Monge.IO;
using Monge.Testing;
using Monge.Tools.Barycenters;

namespace Monge.Cli.Tests.Commands;

/// <summary><c>monge barycenter --method free | gaussian | quantile</c>: same answers as the library, outputs, usage errors.</summary>
public sealed class FreeBarycenterCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Free_PointClouds_SameAsLibraryWithInputWeightsAndPlot()
    {
        var rng = new Random(11);
        var clouds = new[] { Cloud(rng, 14, 2, 0), Cloud(rng, 9, 2, 3), Cloud(rng, 20, 2, -2) };
        var files = clouds.Select((c, k) => Save($"x{k}.npy", c)).ToArray();
        var weights = new double[9];
        for (var i = 0; i < 9; i++)
        {
            weights[i] = 1 + i;
        }

        NpyFormat.Write(_cli.File("w1.npy"), new NumericArray(weights, 9), overwrite: true);
        var ones = Enumerable.Repeat(1.0, 14).ToArray();
        NpyFormat.Write(_cli.File("w0.npy"), new NumericArray(ones, 14), overwrite: true);
        NpyFormat.Write(_cli.File("w2.npy"), new NumericArray(Enumerable.Repeat(2.0, 20).ToArray(), 20), overwrite: true);
        var run = _cli.Run(["barycenter", "--method", "free", "--inputs", .. files, "--weights", "1,2,1", "--size", "8", "--seed", "3",
            "--input-weights", _cli.File("w0.npy"), _cli.File("w1.npy"), _cli.File("w2.npy"), "--normalize-weights", "--out", _cli.File("bary.npy"), "--plot", _cli.File("bary.png"), "--json"]);
        Assert.True(run.Code == ExitCodes.Ok, run.Err);
        var json = JsonNode.Parse(run.Out)!;
        Assert.Equal("free", (string)json["method"]!);
        Assert.True((bool)json["converged"]!);
        var weighted = new[] { clouds[0].WithWeights(ones), clouds[1].WithWeights(weights), clouds[2] };
        var expected = new FreeSupportBarycenter { Seed = 3, MaxIterations = 10_000, Threshold = 1e-6 }.Solve(weighted, 8, [0.25, 0.5, 0.25]);
        Assert.Equal(expected.Objective, (double)json["objective"]!, 12);
        var points = NpyFormat.Read(_cli.File("bary.npy"));
        Assert.Equal([8, 2], points.Shape);
        NumericAssert.Close(expected.Points, points.ToDoubleArray(), rtol: 1e-12, atol: 1e-12);
        Assert.True(new FileInfo(_cli.File("bary.png")).Length > 1000);
    }

    [Theory]
    [InlineData("free")]
    [InlineData("quantile")]
    public void InputWeightsOfAnotherTotal_ExitTwoNamingTheFlags_AndNormalizeWeightsEqualsWeightsGivenAtMassOne(string method)
    {
        // The weights of the stop-19 cells sum to thousands: they were rescaled to mass one in silence. Now used as
        // given: a total other than one is refused, and --normalize-weights gives the answer of weights written at mass one.
        var rng = new Random(15);
        var d = method == "quantile" ? 1 : 2;
        var files = new[] { Save("a.npy", Cloud(rng, 12, d, 0)), Save("b.npy", Cloud(rng, 9, d, 2)) };
        var raw = Enumerable.Range(0, 9).Select(i => 1.0 + (0.5 * i)).ToArray();
        NpyFormat.Write(_cli.File("wa.npy"), new NumericArray(Enumerable.Repeat(1.0 / 12, 12).ToArray(), 12), overwrite: true);
        NpyFormat.Write(_cli.File("wb.npy"), new NumericArray(raw, 9), overwrite: true);
        NpyFormat.Write(_cli.File("wn.npy"), new NumericArray(raw.Select(v => v / raw.Sum()).ToArray(), 9), overwrite: true);
        string[] common = ["barycenter", "--method", method, "--inputs", .. files, "--size", "4", "--json"];
        var refused = _cli.Run([.. common, "--input-weights", _cli.File("wa.npy"), _cli.File("wb.npy"), "--out", _cli.File("r.npy")]);
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        var line = Assert.Single(refused.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("--input-weights", line, StringComparison.Ordinal);
        Assert.Contains("--normalize-weights", line, StringComparison.Ordinal);
        Assert.Contains("input 2", line, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("r.npy")));
        var normalized = _cli.Run([.. common, "--input-weights", _cli.File("wa.npy"), _cli.File("wb.npy"), "--normalize-weights", "--out", _cli.File("n.npy")]);
        var given = _cli.Run([.. common, "--input-weights", _cli.File("wa.npy"), _cli.File("wn.npy"), "--out", _cli.File("g.npy")]);
        Assert.True(normalized.Code == ExitCodes.Ok, normalized.Err);
        Assert.True(given.Code == ExitCodes.Ok, given.Err);
        Assert.Equal((double)JsonNode.Parse(given.Out)!["objective"]!, (double)JsonNode.Parse(normalized.Out)!["objective"]!, 12);
        NumericAssert.Close(NpyFormat.Read(_cli.File("g.npy")).ToDoubleArray(), NpyFormat.Read(_cli.File("n.npy")).ToDoubleArray(), rtol: 1e-12, atol: 1e-12);
    }

    [Theory]
    [InlineData("gaussian", 1)]
    [InlineData("gaussian", 2)]
    [InlineData("gaussian", 5)]
    [InlineData("quantile", 1)]
    public void Plot_GaussianAndQuantile_DrawTheInputsAndTheBarycenter(string method, int d)
    {
        // audit16 refused --plot for these two methods (the refusal came after the solve at first); they now draw the
        // quantile functions (1-D) and the densities (1-D) or the 1σ/2σ ellipses of the first two coordinates.
        var rng = new Random(16);
        var files = new[] { Save("a.npy", Cloud(rng, 12, d, 0)), Save("b.npy", Cloud(rng, 9, d, 2)) };
        var run = _cli.Run(["barycenter", "--method", method, "--inputs", .. files, "--out", _cli.File("o.npy"), "--plot", _cli.File("o.png"), "--json"]);
        Assert.True(run.Code == ExitCodes.Ok, run.Err);
        Assert.True(File.Exists(_cli.File("o.npy")));
        PngAssert.IsPlot(_cli.File("o.png"), 900, 700);
        Assert.True(PngAssert.CountNear(_cli.File("o.png"), SkiaSharp.SKColor.Parse("#08306b")) > 300, "the barycenter's dark blue curve is missing");
        Assert.True(PngAssert.CountNear(_cli.File("o.png"), SkiaSharp.SKColor.Parse("#1f77b4")) > 50, "input 1's curve is missing");
        Assert.True(PngAssert.CountNear(_cli.File("o.png"), SkiaSharp.SKColor.Parse("#ff7f0e")) > 50, "input 2's curve is missing");
        Assert.Equal(_cli.File("o.png"), (string?)JsonNode.Parse(run.Out)!["plot"]);
    }

    [Fact]
    public void Free_Entropic_ReportsExactObjectiveNoBetterThanExactMuchWorse()
    {
        var rng = new Random(12);
        var files = new[] { Save("a.npy", Cloud(rng, 30, 2, 0)), Save("b.npy", Cloud(rng, 25, 2, 2)) };
        var exact = JsonNode.Parse(_cli.Run(["barycenter", "--method", "free", "--inputs", .. files, "--size", "10", "--out", _cli.File("e.npy"), "--json"]).Out)!;
        var run = _cli.Run(["barycenter", "--method", "free", "--inputs", .. files, "--size", "10", "--inner", "entropic", "--epsilon", "0.005", "--relative-epsilon", "--out", _cli.File("s.npy"), "--json"]);
        Assert.True(run.Code == ExitCodes.Ok, run.Err);
        var json = JsonNode.Parse(run.Out)!;
        Assert.Equal("entropic", (string)json["inner"]!);
        Assert.InRange((double)json["objective"]!, 0.9 * (double)exact["objective"]!, 1.2 * (double)exact["objective"]!);
    }

    [Fact]
    public void Free_UsageErrors_ExitTwo()
    {
        var rng = new Random(13);
        var a = Save("a.npy", Cloud(rng, 6, 2, 0));
        var c = Save("c.npy", Cloud(rng, 6, 3, 0));
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--method", "free", "--inputs", a, "--out", _cli.File("o.npy")).Code);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--method", "free", "--inputs", a, c, "--size", "3", "--out", _cli.File("o.npy")).Code);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--method", "free", "--inputs", a, "--size", "3", "--epsilon", "0.1", "--out", _cli.File("o.npy")).Code);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--method", "free", "--inputs", a, a, "--size", "3", "--input-weights", a, "--out", _cli.File("o.npy")).Code);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--method", "fixed", "--inputs", a, "--size", "3", "--out", _cli.File("o.npy")).Code);
        Assert.False(File.Exists(_cli.File("o.npy")));
    }

    [Fact]
    public void Gaussian_SamplesAndParameterFiles_SameAsLibrary()
    {
        var rng = new Random(14);
        var samples = Cloud(rng, 200, 2, 1);
        var file = Save("s.npy", samples);
        NpzFormat.Write(_cli.File("g.npz"), new Dictionary<string, NumericArray>
        {
            ["mean"] = new(new[] { 1.0, -1.0 }, 2),
            ["cov"] = new(new[] { 2.0, 0.3, 0.3, 0.5 }, 2, 2),
        });
        var run = _cli.Run("barycenter", "--method", "gaussian", "--inputs", file, _cli.File("g.npz"), "--weights", "0.3,0.7", "--threshold", "1e-12", "--out", _cli.File("bary.npy"), "--json");
        Assert.True(run.Code == ExitCodes.Ok, run.Err);
        var json = JsonNode.Parse(run.Out)!;
        Assert.True((bool)json["converged"]!);

        // The fit is the weighted maximum-likelihood Gaussian (1/n covariance).
        var mean = samples.Mean();
        var cov = new double[4];
        for (var i = 0; i < samples.Count; i++)
        {
            for (var r = 0; r < 2; r++)
            {
                for (var c = 0; c < 2; c++)
                {
                    cov[(r * 2) + c] += (samples.Row(i)[r] - mean[r]) * (samples.Row(i)[c] - mean[c]) / samples.Count;
                }
            }
        }

        var expected = new GaussianBarycenter { Threshold = 1e-12 }.Solve([new GaussianMeasure(mean, cov), new GaussianMeasure([1.0, -1.0], [2.0, 0.3, 0.3, 0.5])], [0.3, 0.7]);
        var output = NpyFormat.Read(_cli.File("bary.npy"));
        Assert.Equal([3, 2], output.Shape);
        NumericAssert.Close([.. expected.Barycenter.Mean.ToArray(), .. expected.Barycenter.Covariance.ToArray()], output.ToDoubleArray(), rtol: 1e-9, atol: 1e-12);
        Assert.Equal(expected.Objective, (double)json["objective"]!, 9);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--method", "gaussian", "--inputs", file, "--size", "3", "--out", _cli.File("o.npy")).Code);
    }

    [Fact]
    public void Quantile_OneDimensionalInputs_ExactBarycenterAndFixedSize()
    {
        var rng = new Random(15);
        var clouds = new[] { Cloud(rng, 11, 1, 0), Cloud(rng, 7, 1, 4) };
        var files = clouds.Select((c, k) => Save($"u{k}.npy", c)).ToArray();
        var run = _cli.Run(["barycenter", "--method", "quantile", "--inputs", .. files, "--out", _cli.File("q.npy"), "--json"]);
        Assert.True(run.Code == ExitCodes.Ok, run.Err);
        var expected = OneDimensionalBarycenter.Solve(clouds);
        var table = NpyFormat.Read(_cli.File("q.npy"));
        Assert.Equal([expected.Size, 2], table.Shape);
        Assert.Equal(expected.Objective, (double)JsonNode.Parse(run.Out)!["objective"]!, 12);
        var run2 = _cli.Run(["barycenter", "--method", "quantile", "--inputs", .. files, "--size", "4", "--out", _cli.File("k.npy"), "--json"]);
        Assert.True(run2.Code == ExitCodes.Ok, run2.Err);
        NumericAssert.Close(OneDimensionalBarycenter.SolveFixedSize(clouds, 4).Points, NpyFormat.Read(_cli.File("k.npy")).ToDoubleArray(), rtol: 1e-12);
        var two = Save("two.npy", Cloud(rng, 5, 2, 0));
        Assert.Equal(ExitCodes.BadInput, _cli.Run("barycenter", "--method", "quantile", "--inputs", two, "--out", _cli.File("o.npy")).Code);
    }

    private string Save(string name, PointCloud<double> cloud)
    {
        NpyFormat.Write(_cli.File(name), NumericArray.FromPointCloud(cloud), overwrite: true);
        return _cli.File(name);
    }

    private static PointCloud<double> Cloud(Random rng, int n, int d, double shift)
    {
        var data = new double[n * d];
        for (var e = 0; e < data.Length; e++)
        {
            data[e] = shift + rng.NextDouble() + (0.5 * (e % d));
        }

        return new PointCloud<double>(data, n, d);
    }
}
