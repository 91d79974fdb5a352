using System.Text.Json.Nodes;
using Monge.Cli.Commands;
using Monge.Cli.Infrastructure;
using Monge.Datasets;
using Monge.IO;
using Monge.Problems;
using Monge.Testing;

namespace Monge.Cli.Tests.Commands;

public sealed class LowRankSolveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monge-lowrank-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (string X, string Y) WriteData(int n)
    {
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 3);
        var x = Path.Combine(_dir, "x.npy");
        var y = Path.Combine(_dir, "y.npy");
        NpyFormat.Write(x, NumericArray.FromPointCloud(sample.Source), overwrite: true);
        NpyFormat.Write(y, NumericArray.FromPointCloud(sample.Target!), overwrite: true);
        return (x, y);
    }

    [Theory]
    [InlineData("frlc", "balanced")]
    [InlineData("frlc", "semi-right")]
    [InlineData("lowrank-sinkhorn", "balanced")]
    public void Solve_WritesJsonSummaryAndClusterLabels(string method, string relaxation)
    {
        string[] relaxationArgs = relaxation == "semi-right" ? ["--rho-b", "50"] : [];
        var (x, y) = WriteData(40);
        var clusters = Path.Combine(_dir, "clusters.csv");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = MongeApp.Run(["solve", "--source", x, "--target", y, "--method", method, "--rank", "4", .. relaxationArgs, "--clusters-out", clusters, "--json", "--lowrank-max-iterations", "30"], stdout, stderr);
        Assert.True(code == ExitCodes.Ok, stderr.ToString());
        var json = JsonNode.Parse(stdout.ToString())!;
        Assert.Equal(method, (string)json["method"]!);
        Assert.True((double)json["cost"]! > 0);
        Assert.Equal(40, (int)json["n"]!);
        var labels = CsvFormat.Read(clusters).Values;
        Assert.Equal(80, labels.Rows);
        Assert.All(labels.ToDoubleArray().Where((_, k) => k % 2 == 1), v => Assert.InRange(v, 0, 3));
    }

    [Theory]
    [InlineData("frlc")]
    [InlineData("lowrank-sinkhorn")]
    public void Solve_ScaleCost_ReportedAndCostsInInputUnits(string method)
    {
        // Oracle: the mean of the squared Euclidean cost computed here by brute force; the same data in units ×1000
        // gives cost and cost_scale ×10⁶ (the solver sees the same C / mean).
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, 30, 3);
        var (xs, ys) = (sample.Source, sample.Target!);
        var mean = 0.0;
        for (var i = 0; i < xs.Count; i++)
        {
            for (var j = 0; j < ys.Count; j++)
            {
                mean += Math.Pow(xs.Row(i)[0] - ys.Row(j)[0], 2) + Math.Pow(xs.Row(i)[1] - ys.Row(j)[1], 2);
            }
        }

        mean /= xs.Count * ys.Count;
        JsonNode Run(double units, params string[] extra)
        {
            var x = Path.Combine(_dir, "xs.npy");
            var y = Path.Combine(_dir, "ys.npy");
            NpyFormat.Write(x, new NumericArray(xs.Data.ToArray().Select(v => v * units).ToArray(), xs.Count, 2), overwrite: true);
            NpyFormat.Write(y, new NumericArray(ys.Data.ToArray().Select(v => v * units).ToArray(), ys.Count, 2), overwrite: true);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = MongeApp.Run(["solve", "--source", x, "--target", y, "--method", method, "--rank", "3", "--json", .. extra], stdout, stderr);
            Assert.True(code == ExitCodes.Ok, stderr.ToString());
            return JsonNode.Parse(stdout.ToString())!;
        }

        var json = Run(1);
        Assert.Equal("mean", (string)json["scale_cost"]!);
        Assert.InRange((double)json["cost_scale"]!, mean * (1 - 1e-9), mean * (1 + 1e-9));
        Assert.True((double)json["marginal_error"]! < 1e-2);
        var big = Run(1000);
        var ratio = (double)big["cost"]! / (double)json["cost"]!;
        Assert.InRange(ratio, 1e6 * (1 - 1e-6), 1e6 * (1 + 1e-6));
        Assert.Equal(1.0, (double)Run(1, "--scale-cost", "none")["cost_scale"]!);
        Assert.Equal(2.5, (double)Run(1, "--scale-cost", "2.5")["cost_scale"]!);
    }

    [Theory]
    [InlineData("frlc", "median")]
    [InlineData("lowrank-sinkhorn", "-1")]
    [InlineData("frlc", "0")]
    public void Solve_BadScaleCost_ExitsTwoNamingTheFlag(string method, string value)
    {
        var (x, y) = WriteData(20);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = MongeApp.Run(["solve", "--source", x, "--target", y, "--method", method, "--rank", "3", "--scale-cost", value], stdout, stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--scale-cost", stderr.ToString());
    }

    [Fact]
    public void Summarize_BadOptions_Throw()
    {
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, 20, 3);
        var (x, y) = (sample.Source, sample.Target!);
        var context = new CliContext(TextWriter.Null, TextWriter.Null, CancellationToken.None);
        Assert.Contains("balanced", Assert.Throws<UsageException>(() => LowRankSolve.Summarize(new LowRankSolveOptions("lowrank-sinkhorn", 3, Relaxation: Relaxation.FromRho(50, 50)), x, y, context)).Message);
        // Every built-in cost is supported now (cosine runs online); an unknown name is refused once, by the --cost parser.
        Assert.Contains("manhattan", Assert.Throws<UsageException>(() => CostOptions.Parse("manhattan")).Message);
        Assert.Throws<InputValidationException>(() => LowRankSolve.Summarize(new LowRankSolveOptions("frlc", 0), x, y, context));
        Assert.Throws<InputValidationException>(() => LowRankSolve.Summarize(new LowRankSolveOptions("frlc", 21), x, y, context));
    }

    [Theory]
    [InlineData("frlc")]
    [InlineData("lowrank-sinkhorn")]
    public void SolveCommand_LowRankMethods_EndToEnd(string method)
    {
        var (x, y) = WriteData(30);
        var clusters = Path.Combine(_dir, $"labels-{method}.npy");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = MongeApp.Run(["solve", "--source", x, "--target", y, "--method", method, "--rank", "3", "--clusters-out", clusters, "--json", "--lowrank-max-iterations", "40"], stdout, stderr);
        Assert.True(code == ExitCodes.Ok, stderr.ToString());
        var json = JsonNode.Parse(stdout.ToString())!;
        Assert.Equal(method, (string)json["method"]!);
        Assert.Equal(3, (int)json["rank"]!);
        Assert.Equal(new[] { 60, 2 }, NpyFormat.Read(clusters).Shape);
        Assert.Equal(ExitCodes.BadInput, MongeApp.Run(["solve", "--source", x, "--target", y, "--method", method, "--rank", "0"], TextWriter.Null, TextWriter.Null));
        Assert.Equal(ExitCodes.BadInput, MongeApp.Run(["solve", "--source", x, "--target", y, "--method", "frlc", "--rho-a", "sideways"], TextWriter.Null, TextWriter.Null));
    }

    [Theory]
    [InlineData("lowrank-sinkhorn", "--rho-a", "1")]
    [InlineData("lowrank-sinkhorn", "--tau-b", "0.5")]
    [InlineData("lowrank-sinkhorn", "--rho-in", "10")]
    [InlineData("emd", "--tau-a", "0.5")]
    [InlineData("emd", "--rho-b", "1")]
    public void SolveCommand_RelaxationFlagTheMethodCannotUse_ExitsTwo(string method, string flag, string value)
    {
        var (x, y) = WriteData(20);
        using var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, MongeApp.Run(["solve", "--source", x, "--target", y, "--method", method, "--rank", "3", flag, value], TextWriter.Null, stderr));
        Assert.Contains(flag, stderr.ToString());
    }

    [Fact]
    public void SolveCommand_TauAndRhoTogether_ExitsTwo()
    {
        var (x, y) = WriteData(20);
        Assert.Equal(ExitCodes.BadInput, MongeApp.Run(["solve", "--source", x, "--target", y, "--method", "frlc", "--rank", "3", "--tau-a", "0.5", "--rho-b", "1"], TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void SolveCommand_FrlcRelaxedByRho_ReportsTheRelaxation()
    {
        var (x, y) = WriteData(30);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = MongeApp.Run(["solve", "--source", x, "--target", y, "--method", "frlc", "--rank", "3", "--rho-a", "50", "--json", "--lowrank-max-iterations", "30"], stdout, stderr);
        Assert.True(code == ExitCodes.Ok, stderr.ToString());
        Assert.Contains("rho_a = 50", (string)JsonNode.Parse(stdout.ToString())!["relaxation"]!);
    }
    private (int Code, JsonNode? Json, string Stderr) RunFrlc(double[] x, double[] y, int n, params string[] extra)
    {
        var xs = Path.Combine(_dir, "units-x.npy");
        var ys = Path.Combine(_dir, "units-y.npy");
        NpyFormat.Write(xs, new NumericArray(x, n, 2), overwrite: true);
        NpyFormat.Write(ys, new NumericArray(y, n, 2), overwrite: true);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = MongeApp.Run(["solve", "--source", xs, "--target", ys, "--method", "frlc", "--rank", "6", .. extra], stdout, stderr);
        var text = stdout.ToString();
        return (code, extra.Contains("--json") ? JsonNode.Parse(text) : null, stderr.ToString());
    }

    [Theory]
    [InlineData("sqeuclidean", 2)]
    [InlineData("euclidean", 1)]
    public void SolveCommand_FrlcMicrometresVersusMillimetres_SameIterationsAndCostInTheUnits(string cost, int power)
    {
        // The same tissue slices (150 points) in µm and in mm: same status and iterations, the cost ×1e-3^power
        // (frlc branch: the answer may not depend on the units, exact factors and online tiles alike).
        const int n = 150;
        var (x, y) = UnitsData.Micrometres(n, 1);
        var um = RunFrlc(x.Data.ToArray(), y.Data.ToArray(), n, "--cost", cost, "--json");
        var mm = RunFrlc(x.Data.ToArray().Select(v => v / 1000).ToArray(), y.Data.ToArray().Select(v => v / 1000).ToArray(), n, "--cost", cost, "--json");
        Assert.True(um.Code == ExitCodes.Ok, um.Stderr);
        Assert.True(mm.Code == ExitCodes.Ok, mm.Stderr);
        Assert.Equal("Converged", (string)um.Json!["status"]!);
        Assert.Equal((string)um.Json["status"]!, (string)mm.Json!["status"]!);
        Assert.Equal((int)um.Json["iterations"]!, (int)mm.Json["iterations"]!);
        var expected = (double)um.Json["cost"]! * Math.Pow(1e-3, power);
        Assert.InRange((double)mm.Json["cost"]!, expected * (1 - 1e-9), expected * (1 + 1e-9));
        Assert.InRange((double)mm.Json["marginal_error"]!, (double)um.Json["marginal_error"]! - 1e-9, (double)um.Json["marginal_error"]! + 1e-9);
    }

    [Fact]
    public void SolveCommand_FrlcOverflowingCost_DivergedExitsOneWithWarning()
    {
        // Coordinates near 1e160: every squared distance overflows. With the default mean scaling the cost is refused
        // (exit 2, one line naming --scale-cost); without scaling the run is Diverged: exit 1 (whatever --strict), one
        // warning line on stderr (the warning is in the JSON under --json), "converged": false in the JSON.
        const int n = 30;
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 3);
        var x = sample.Source.Data.ToArray().Select(v => v * 1e160).ToArray();
        var y = sample.Target!.Data.ToArray().Select(v => v * 1e160).ToArray();
        var refused = RunFrlc(x, y, n);
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Contains("scale", refused.Stderr, StringComparison.Ordinal);
        var (code, json, _) = RunFrlc(x, y, n, "--scale-cost", "none", "--json");
        Assert.Equal(ExitCodes.NotConverged, code);
        Assert.Equal("Diverged", (string)json!["status"]!);
        Assert.False((bool)json["converged"]!);
        Assert.Contains("diverged", (string)json["warning"]!, StringComparison.Ordinal);
        var (humanCode, _, stderr) = RunFrlc(x, y, n, "--scale-cost", "none");
        Assert.Equal(ExitCodes.NotConverged, humanCode);
        var warning = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("monge: warning:", StringComparison.Ordinal));
        Assert.Contains("diverged", warning, StringComparison.Ordinal);
    }
}
