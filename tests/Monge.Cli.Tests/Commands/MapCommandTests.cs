using System.Text.Json;
using Monge.Gaussian;
using Monge.Geometry;
using Monge.IO;
using Monge.Solvers.Entropic;
using Monge.Testing;
using Monge.Tools.Maps;

namespace Monge.Cli.Tests.Commands;

/// <summary>
/// <c>monge map fit</c> / <c>monge map apply</c> end to end: the saved map equals the library's fit with the same
/// options (an exact oracle), option misuse exits 2, corrupt or unknown-version map files exit 3.
/// </summary>
public class MapCommandTests
{
    private static (string X, string Y, string Z, PointCloud<double> Xc, PointCloud<double> Yc, PointCloud<double> Zc) Data(CliRunner cli)
    {
        var x = GaussianMeasure.Standard(3).Sample(60, Seeds.Default);
        var y = new GaussianMeasure([1, 0, -1], [1, 0, 0, 0, 2, 0, 0, 0, 0.5]).Sample(50, Seeds.Default + 1);
        var z = GaussianMeasure.Standard(3).Sample(20, Seeds.Default + 2);
        string Save(string name, PointCloud<double> c)
        {
            var path = cli.File(name);
            NpyFormat.Write(path, new NumericArray(c.Data.ToArray(), c.Count, c.Dimension));
            return path;
        }

        return (Save("x.npy", x), Save("y.npy", y), Save("z.npy", z), x, y, z);
    }

    [Theory]
    [InlineData("entropic", "elastic-l1:0.2")]
    [InlineData("progot", "sqeuclidean")]
    public void FitThenApply_WritesTheLibraryMapImages(string method, string cost)
    {
        using var cli = new CliRunner();
        var (x, y, z, xc, yc, zc) = Data(cli);
        var map = cli.File("map.npz");
        var output = cli.File("tz.npy");
        var (code, stdout, err) = cli.Run("map", "fit", "--source", x, "--target", y, "--method", method, "--cost", cost, "--epsilon", "0.4", "--out", map, "--json");
        Assert.True(code == 0, err);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.Equal(method, doc.RootElement.GetProperty("method").GetString());
            Assert.Equal(cost, doc.RootElement.GetProperty("ground_cost").GetString());
        }

        (code, _, err) = cli.Run("map", "apply", "--map", map, "--points", z, "--out", output);
        Assert.True(code == 0, err);
        var costFn = Monge.Geometry.Costs.CostFunction.Parse<double>(cost);
        ITransportMap expected = method == "entropic"
            ? EntropicMap.Fit(xc, yc, costFn, new Sinkhorn { Epsilon = 0.4 })
            : new ProgOT { Epsilons = Enumerable.Repeat(0.4, 8).ToArray() }.Fit(xc, yc, costFn).Map;
        NumericAssert.Close(expected.Apply(zc).Data, NpyFormat.Read(output).ToDoubleArray(), 1e-12, 1e-12);
    }

    [Fact]
    public void Fit_UnequalMasses_ExitTwoNamingTheFlag_AndNormalizeWeightsFitsTheNormalizedMap()
    {
        // Weights of totals 60·0.5 = 30 and 50·2 = 100: a balanced fit needs equal masses. The refusal used to speak in
        // library terms ("a sums to …", no flag) and map fit had no way to normalize; --normalize-weights now gives the
        // map fitted on weights written already normalized (the oracle: both maps applied to the same points).
        using var cli = new CliRunner();
        var (x, y, z, _, _, _) = Data(cli);
        string Weights(string name, int n, double w)
        {
            var path = cli.File(name);
            NpyFormat.Write(path, new NumericArray(Enumerable.Repeat(w, n).ToArray(), n));
            return path;
        }

        var (wx, wy) = (Weights("wx.npy", 60, 0.5), Weights("wy.npy", 50, 2));
        var (nx, ny) = (Weights("nx.npy", 60, 1.0 / 60), Weights("ny.npy", 50, 1.0 / 50));
        var refused = cli.Run("map", "fit", "--source", x, "--target", y, "--source-weights", wx, "--target-weights", wy, "--out", cli.File("m0.npz"));
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Single(refused.Err.Trim().Split('\n'));
        Assert.Contains("--normalize-weights", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--source-weights", refused.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("m0.npz")));

        foreach (var method in new[] { "entropic", "progot" })
        {
            var fit = cli.Run("map", "fit", "--method", method, "--source", x, "--target", y, "--source-weights", wx, "--target-weights", wy, "--normalize-weights", "--epsilon", "0.4", "--out", cli.File($"m1{method}.npz"));
            Assert.True(fit.Code == 0, fit.Err);
            fit = cli.Run("map", "fit", "--method", method, "--source", x, "--target", y, "--source-weights", nx, "--target-weights", ny, "--epsilon", "0.4", "--out", cli.File($"m2{method}.npz"));
            Assert.True(fit.Code == 0, fit.Err);
            foreach (var k in new[] { 1, 2 })
            {
                var applied = cli.Run("map", "apply", "--map", cli.File($"m{k}{method}.npz"), "--points", z, "--out", cli.File($"t{k}{method}.npy"));
                Assert.True(applied.Code == 0, applied.Err);
            }

            NumericAssert.Close(NpyFormat.Read(cli.File($"t2{method}.npy")).ToDoubleArray(), NpyFormat.Read(cli.File($"t1{method}.npy")).ToDoubleArray(), 1e-9, 1e-12);
        }
    }

    [Theory]
    [InlineData("--method", "entropic", "--steps", "3")]
    [InlineData("--method", "entropic", "--schedule", "accelerating")]
    [InlineData("--method", "lap", "--epsilon", "1")]
    [InlineData("--cost", "euclidean", "--epsilon", "1")]
    [InlineData("--method", "progot", "--schedule", "fast")]
    [InlineData("--method", "entropic", "--start-epsilon-scale", "2")]
    [InlineData("--method", "entropic", "--end-epsilon-scales", "0.1,1")]
    [InlineData("--method", "entropic", "--cold-start", "true")]
    public void Fit_BadOptions_ExitTwo(string flag, string value, string flag2, string value2) =>
        AssertRefused(flag, value, flag2, value2);

    [Theory]
    [InlineData("--epsilon", "0.5", "--start-epsilon-scale", "2")]
    [InlineData("--epsilon", "0.5", "--end-epsilon-scales", "0.1,1")]
    [InlineData("--end-epsilon-scales", "0.1,-1", "--steps", "3")]
    [InlineData("--end-epsilon-scales", "0.1,,1", "--steps", "3")]
    [InlineData("--start-epsilon-scale", "0", "--steps", "3")]
    [InlineData("--steps", "0", "--schedule", "decelerating")]
    public void FitProgOT_ScheduleOptionsThatDoNotApply_ExitTwo(string flag, string value, string flag2, string value2) =>
        AssertRefused("--method", "progot", flag, value, flag2, value2);

    /// <summary>map fit with these options exits 2 with a one-line error and writes nothing.</summary>
    private static void AssertRefused(params string[] options)
    {
        using var cli = new CliRunner();
        var (x, y, _, _, _, _) = Data(cli);
        var (code, _, err) = cli.Run(["map", "fit", "--source", x, "--target", y, .. options, "--out", cli.File("m.npz")]);
        Assert.True(code == 2, $"exit {code}: {err}");
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(cli.File("m.npz")));
    }

    [Fact]
    public void FitProgOT_ScheduleOptions_AreTheLibrarysOptions()
    {
        using var cli = new CliRunner();
        var (x, y, z, xc, yc, zc) = Data(cli);
        var map = cli.File("map.npz");
        var output = cli.File("tz.npy");
        var (code, _, err) = cli.Run("map", "fit", "--source", x, "--target", y, "--method", "progot", "--steps", "3", "--schedule", "decelerating", "--start-epsilon-scale", "2", "--end-epsilon-scales", "0.3,1", "--cold-start", "--out", map);
        Assert.True(code == 0, err);
        Assert.Equal(0, cli.Run("map", "apply", "--map", map, "--points", z, "--out", output).Code);
        var expected = new ProgOT { Steps = 3, Schedule = ProgOTSchedule.Decelerating, StartEpsilonScale = 2, EndEpsilonScales = [0.3, 1], WarmStart = false }.Fit(xc, yc).Map;
        NumericAssert.Close(expected.Apply(zc).Data, NpyFormat.Read(output).ToDoubleArray(), 1e-12, 1e-12);
    }

    [Fact]
    public void FitEntropic_Debiased_RecoversATranslationExactly_WhereThePlainMapShrinks()
    {
        // Closed form: the debiased entropic map of a measure to its translated copy is that translation at every ε
        // (Pooladian, Cuturi and Niles-Weed 2022); the plain map shrinks towards the target's mean by O(ε).
        using var cli = new CliRunner();
        var x = GaussianMeasure.Standard(3).Sample(40, Seeds.Default);
        double[] shift = [2, -1, 0.5];
        var y = new PointCloud<double>(x.Data.ToArray().Select((v, i) => v + shift[i % 3]).ToArray(), x.Count, 3);
        var z = GaussianMeasure.Standard(3).Sample(10, Seeds.Default + 2);
        string Save(string name, PointCloud<double> c)
        {
            var path = cli.File(name);
            NpyFormat.Write(path, new NumericArray(c.Data.ToArray(), c.Count, c.Dimension));
            return path;
        }

        var (xs, ys, zs) = (Save("x.npy", x), Save("y.npy", y), Save("z.npy", z));
        double MaxError(bool debiased)
        {
            var map = cli.File(debiased ? "d.npz" : "p.npz");
            var output = cli.File(debiased ? "d.npy" : "p.npy");
            string[] fit = ["map", "fit", "--source", xs, "--target", ys, "--method", "entropic", "--epsilon", "1", "--threshold", "1e-10", "--json", "--out", map];
            var (code, stdout, err) = cli.Run(debiased ? fit.Append("--debiased").ToArray() : fit);
            Assert.True(code == 0, err);
            using (var doc = JsonDocument.Parse(stdout))
            {
                Assert.Equal(debiased, doc.RootElement.GetProperty("debiased").GetBoolean());
            }

            Assert.Equal(0, cli.Run("map", "apply", "--map", map, "--points", zs, "--out", output).Code);
            var tz = NpyFormat.Read(output).ToDoubleArray();
            var zd = z.Data.ToArray();
            return tz.Select((v, i) => Math.Abs(v - (zd[i] + shift[i % 3]))).Max();
        }

        var debiasedError = MaxError(debiased: true);
        Assert.True(debiasedError < 1e-6, $"debiased map off the translation by {debiasedError}");
        Assert.True(MaxError(debiased: false) > 1e-2, "the plain map at ε = 1 should visibly shrink");
    }

    [Fact]
    public void FitProgOT_Debiased_IsTheLibrarysDebiasedMapAndSaysSo()
    {
        using var cli = new CliRunner();
        var (x, y, z, xc, yc, zc) = Data(cli);
        var map = cli.File("map.npz");
        var output = cli.File("tz.npy");
        var (code, stdout, err) = cli.Run("map", "fit", "--source", x, "--target", y, "--method", "progot", "--steps", "2", "--epsilon", "0.5", "--debiased", "--json", "--out", map);
        Assert.True(code == 0, err);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.True(doc.RootElement.GetProperty("debiased").GetBoolean());
        }

        Assert.Equal(0, cli.Run("map", "apply", "--map", map, "--points", z, "--out", output).Code);
        var expected = new ProgOT { Steps = 2, Epsilons = [0.5, 0.5], Debiased = true }.Fit(xc, yc).Map;
        NumericAssert.Close(expected.Apply(zc).Data, NpyFormat.Read(output).ToDoubleArray(), 1e-12, 1e-12);
    }

    [Theory]
    [InlineData("entropic")]
    [InlineData("progot")]
    public void Fit_BudgetStop_WarnsOnStderrAndInTheJson_StrictExitsOne_MapSavedAnyway(string method)
    {
        // map fit followed no exit policy: a budget stop warned in words only, --strict did not exist, the JSON had no
        // status. Now the policy of the other solving verbs, with the worst stage deciding.
        using var cli = new CliRunner();
        var (x, y, _, _, _, _) = Data(cli);
        string[] fit = ["map", "fit", "--source", x, "--target", y, "--method", method, "--epsilon", "0.05", "--threshold", "1e-12", "--max-iterations", "2"];
        var words = cli.Run([.. fit, "--out", cli.File("a.npz")]);
        Assert.True(words.Code == ExitCodes.Ok, words.Err);
        Assert.Contains("did not converge", words.Err, StringComparison.Ordinal);
        Assert.Contains("--max-iterations", words.Err, StringComparison.Ordinal);
        var json = cli.Run([.. fit, "--out", cli.File("b.npz"), "--json"]);
        Assert.True(json.Code == ExitCodes.Ok, json.Err);
        using (var doc = JsonDocument.Parse(json.Out))
        {
            Assert.Equal("MaxIterations", doc.RootElement.GetProperty("status").GetString());
            Assert.False(doc.RootElement.GetProperty("converged").GetBoolean());
            Assert.Contains("did not converge", doc.RootElement.GetProperty("warning").GetString(), StringComparison.Ordinal);
            Assert.All(doc.RootElement.GetProperty("statuses").EnumerateArray(), s => Assert.Equal("MaxIterations", s.GetString()));
        }

        var strict = cli.Run([.. fit, "--out", cli.File("c.npz"), "--strict"]);
        Assert.Equal(ExitCodes.NotConverged, strict.Code);
        Assert.True(File.Exists(cli.File("c.npz")));
        var converged = cli.Run("map", "fit", "--source", x, "--target", y, "--method", method, "--epsilon", "0.4", "--out", cli.File("d.npz"), "--strict", "--json");
        Assert.True(converged.Code == ExitCodes.Ok, converged.Err);
        using var ok = JsonDocument.Parse(converged.Out);
        Assert.Equal("Converged", ok.RootElement.GetProperty("status").GetString());
        Assert.False(ok.RootElement.TryGetProperty("warning", out _));
    }

    [Fact]
    public void Gap_WeightsOfAnotherTotal_ExitTwo_AndNormalizeWeightsIsTheGapOfTheNormalizedWeights()
    {
        // MongeGap rescales the weights to mass one: weights summing to 7 gave the gap of the normalized weights in
        // silence. Now refused; with --normalize-weights the gap equals the one of weights written already normalized.
        using var cli = new CliRunner();
        var (x, y, z, _, _, _) = Data(cli);
        var map = cli.File("map.npz");
        Assert.Equal(0, cli.Run("map", "fit", "--source", x, "--target", y, "--epsilon", "0.4", "--out", map).Code);
        var raw = Enumerable.Range(0, 20).Select(i => 0.1 + (0.6 * i / 19.0)).ToArray();
        var total = raw.Sum();
        NpyFormat.Write(cli.File("w.npy"), new NumericArray(raw, 20));
        NpyFormat.Write(cli.File("wn.npy"), new NumericArray(raw.Select(v => v / total).ToArray(), 20));
        var refused = cli.Run("map", "gap", "--map", map, "--points", z, "--weights", cli.File("w.npy"), "--json");
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Contains("--normalize-weights", refused.Err, StringComparison.Ordinal);
        var normalized = cli.Run("map", "gap", "--map", map, "--points", z, "--weights", cli.File("w.npy"), "--normalize-weights", "--epsilon", "0.3", "--json");
        var given = cli.Run("map", "gap", "--map", map, "--points", z, "--weights", cli.File("wn.npy"), "--epsilon", "0.3", "--json");
        Assert.True(normalized.Code == 0, normalized.Err);
        Assert.True(given.Code == 0, given.Err);
        using var a = JsonDocument.Parse(normalized.Out);
        using var b = JsonDocument.Parse(given.Out);
        NumericAssert.Close(b.RootElement.GetProperty("monge_gap").GetDouble(), a.RootElement.GetProperty("monge_gap").GetDouble(), 1e-9, 1e-12);
    }

    [Fact]
    public void Gap_Debiased_EqualsTheLibrarySinkhornDivergenceGap()
    {
        using var cli = new CliRunner();
        var (x, y, z, xc, yc, zc) = Data(cli);
        var map = cli.File("map.npz");
        Assert.Equal(0, cli.Run("map", "fit", "--source", x, "--target", y, "--epsilon", "0.4", "--out", map).Code);
        var (code, stdout, err) = cli.Run("map", "gap", "--map", map, "--points", z, "--epsilon", "0.3", "--threshold", "1e-6", "--debiased", "--json");
        Assert.True(code == 0, err);
        var fitted = EntropicMap.Fit(xc, yc, null, new Sinkhorn { Epsilon = 0.4 });
        var expected = MongeGap.ComputeDebiased(fitted, zc, null, new Sinkhorn { Epsilon = 0.3, Threshold = 1e-6 });
        var plain = MongeGap.Compute(fitted, zc, null, new Sinkhorn { Epsilon = 0.3, Threshold = 1e-6 });
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("debiased").GetBoolean());
        NumericAssert.Close(expected.Value, root.GetProperty("monge_gap").GetDouble(), rtol: 1e-12, atol: 1e-14);
        NumericAssert.Close(expected.TransportCost, root.GetProperty("transport_cost").GetDouble(), rtol: 1e-12);
        Assert.True(root.GetProperty("converged").GetBoolean());

        // The divergence is the entropic cost minus the two self terms: the debiased gap exceeds the plain one.
        Assert.True(expected.Value > plain.Value, $"debiased {expected.Value}, plain {plain.Value}");
        var text = cli.Run("map", "gap", "--map", map, "--points", z, "--epsilon", "0.3", "--debiased");
        Assert.True(text.Code == 0, text.Err);
        Assert.Contains("Sinkhorn divergence", text.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("entropic")]
    [InlineData("progot")]
    public void Gap_EqualsTheLibraryMongeGapOfTheSavedMap(string method)
    {
        using var cli = new CliRunner();
        var (x, y, z, xc, yc, zc) = Data(cli);
        var map = cli.File("map.npz");
        Assert.Equal(0, cli.Run("map", "fit", "--source", x, "--target", y, "--method", method, "--epsilon", "0.4", "--out", map).Code);
        var (code, stdout, err) = cli.Run("map", "gap", "--map", map, "--points", z, "--epsilon", "0.3", "--threshold", "1e-6", "--json");
        Assert.True(code == 0, err);
        ITransportMap fitted = method == "entropic"
            ? EntropicMap.Fit(xc, yc, null, new Sinkhorn { Epsilon = 0.4 })
            : new ProgOT { Epsilons = Enumerable.Repeat(0.4, 8).ToArray() }.Fit(xc, yc).Map;
        var expected = MongeGap.Compute(fitted, zc, null, new Sinkhorn { Epsilon = 0.3, Threshold = 1e-6 });
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        NumericAssert.Close(expected.Value, root.GetProperty("monge_gap").GetDouble(), rtol: 1e-12, atol: 1e-14);
        NumericAssert.Close(expected.DisplacementCost, root.GetProperty("displacement_cost").GetDouble(), rtol: 1e-12);
        NumericAssert.Close(expected.TransportCost, root.GetProperty("transport_cost").GetDouble(), rtol: 1e-12);
        Assert.Equal(0.3, root.GetProperty("epsilon").GetDouble(), 12);
        Assert.True(root.GetProperty("converged").GetBoolean());
        Assert.Equal(zc.Count, root.GetProperty("points").GetInt32());

        // The gap of a map is non-negative up to the entropic bias ε log n (Uscidda and Cuturi 2023).
        Assert.True(expected.Value > -0.3 * Math.Log(zc.Count), $"gap {expected.Value}");
        (code, stdout, err) = cli.Run("map", "gap", "--map", map, "--points", z, "--epsilon", "0.3", "--max-iterations", "1", "--threshold", "1e-12", "--strict");
        Assert.True(code == 1, $"exit {code}: {err}");
        Assert.Contains("did not converge", err, StringComparison.Ordinal);
        Assert.Contains("Monge gap", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--epsilon", "-1")]
    [InlineData("--threshold", "0")]
    [InlineData("--max-iterations", "0")]
    [InlineData("--points", "y2")]
    public void Gap_BadOptions_ExitTwo(string flag, string value)
    {
        using var cli = new CliRunner();
        var (x, y, z, _, _, _) = Data(cli);
        var map = cli.File("map.npz");
        Assert.Equal(0, cli.Run("map", "fit", "--source", x, "--target", y, "--out", map).Code);
        var twoColumns = WriteTwoColumns(cli);
        var args = new List<string> { "map", "gap", "--map", map };
        if (flag != "--points")
        {
            args.AddRange(["--points", z]);
        }

        args.AddRange([flag, value == "y2" ? twoColumns : value]);
        var (code, _, err) = cli.Run([.. args]);
        Assert.True(code == 2, $"exit {code}: {err}");
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void Apply_CorruptOrUnknownVersionMap_ExitsThree()
    {
        using var cli = new CliRunner();
        var (x, y, z, _, _, _) = Data(cli);
        var map = cli.File("map.npz");
        Assert.Equal(0, cli.Run("map", "fit", "--source", x, "--target", y, "--out", map).Code);
        var arrays = NpzFormat.Read(map).ToDictionary(kv => kv.Key, kv => kv.Value);
        arrays["format"] = new NumericArray(new[] { 0x4D4F4E47, TransportMapFile.FormatVersion + 1 }, 2);
        var future = cli.File("future.npz");
        NpzFormat.Write(future, arrays);
        var (code, _, err) = cli.Run("map", "apply", "--map", future, "--points", z, "--out", cli.File("a.npy"));
        Assert.Equal(3, code);
        Assert.Contains($"version {TransportMapFile.FormatVersion + 1}", err, StringComparison.Ordinal);

        // Version 2 (debiased maps) without its debiasing keys is corrupt, not silently a plain map.
        arrays["format"] = new NumericArray(new[] { 0x4D4F4E47, 2 }, 2);
        var partial = cli.File("partial.npz");
        NpzFormat.Write(partial, arrays);
        (code, _, err) = cli.Run("map", "apply", "--map", partial, "--points", z, "--out", cli.File("a2.npy"));
        Assert.Equal(3, code);
        Assert.Contains("debias_points", err, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes(map);
        var cut = cli.File("cut.npz");
        File.WriteAllBytes(cut, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        Assert.Equal(3, cli.Run("map", "apply", "--map", cut, "--points", z, "--out", cli.File("b.npy")).Code);

        // Points of another dimension are a usage error.
        Assert.Equal(2, cli.Run("map", "apply", "--map", map, "--points", cli.File("x.npy") is var p && File.Exists(p) ? WriteTwoColumns(cli) : p, "--out", cli.File("c.npy")).Code);
    }

    private static string WriteTwoColumns(CliRunner cli)
    {
        var path = cli.File("two.npy");
        NpyFormat.Write(path, new NumericArray(new double[] { 1, 2, 3, 4 }, 2, 2));
        return path;
    }
}
