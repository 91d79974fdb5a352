using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Problems;
using Monge.Solvers.Entropic;
using Monge.Testing;

namespace Monge.Cli.Tests.Commands;

public sealed class SolveCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monge-solve-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteCloud(string name, int n, int d, int seed, double offset = 0)
    {
        var rng = Seeds.Create(seed);
        var data = new double[n * d];
        for (var k = 0; k < data.Length; k++)
        {
            data[k] = offset + rng.NextDouble();
        }

        var path = Path.Combine(_dir, name);
        NpyFormat.Write(path, new NumericArray(data, n, d));
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = MongeApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("euclidean")]
    [InlineData("pnorm:1.5")]
    [InlineData("cosine")]
    public void Solve_SinkhornWithCost_SolvesWithThatCostAndReportsIt(string cost)
    {
        // Before the one-cost seam, --cost was silently ignored by --method sinkhorn (it solved squared Euclidean).
        var x = WriteCloud("x.npy", 30, 2, 1);
        var y = WriteCloud("y.npy", 25, 2, 2, 0.5);
        var (code, stdout, stderr) = Run("solve", "--source", x, "--target", y, "--method", "sinkhorn", "--cost", cost, "--epsilon", "0.05", "--threshold", "1e-6", "--json");
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(cost, json["ground_cost"]!.GetValue<string>());
        var geometry = new PointCloudGeometry<double>(NpyFormat.Read(x).ToPointCloud(), NpyFormat.Read(y).ToPointCloud(), CostFunction.Parse<double>(cost));
        var expected = new Sinkhorn { Epsilon = 0.05, Threshold = 1e-6 }.Solve(new LinearProblem<double>(geometry));
        NumericAssert.Close(expected.Cost, json["cost"]!.GetValue<double>(), rtol: 1e-12);
        var squared = new Sinkhorn { Epsilon = 0.05, Threshold = 1e-6 }.Solve(LinearProblem<double>.FromPointClouds(NpyFormat.Read(x).ToPointCloud(), NpyFormat.Read(y).ToPointCloud()));
        Assert.True(Math.Abs(squared.Cost - json["cost"]!.GetValue<double>()) > 1e-6, "the squared Euclidean cost was reported");
    }

    [Theory]
    [InlineData("solve", "--method", "sinkhorn")]
    [InlineData("solve", "--method", "emd")]
    [InlineData("solve", "--method", "frlc")]
    [InlineData("divergence")]
    public void Run_UnknownCost_Exit2NamingTheFlag(params string[] verb)
    {
        var x = WriteCloud("x.npy", 10, 2, 1);
        var (code, _, stderr) = Run([.. verb, "--source", x, "--target", x, "--cost", "manhattan"]);
        Assert.Equal(2, code);
        Assert.Contains("--cost", stderr, StringComparison.Ordinal);
        Assert.Contains("sqeuclidean, euclidean, pnorm:P, cosine, dot", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("emd", "dot")]
    [InlineData("frlc", "euclidean")]
    [InlineData("frlc", "dot")]
    [InlineData("lowrank-sinkhorn", "pnorm:1.5")]
    public void Solve_EveryMethodWithEveryCost_ReportsTheCost(string method, string cost)
    {
        var x = WriteCloud("x.npy", 20, 2, 1);
        var y = WriteCloud("y.npy", 20, 2, 2, 0.5);
        // --rank belongs to the low-rank methods; emd rejects it.
        string[] rank = method == "emd" ? [] : ["--rank", "3"];
        var (code, stdout, stderr) = Run(["solve", "--source", x, "--target", y, "--method", method, "--cost", cost, .. rank, "--json"]);
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(cost, json["ground_cost"]!.GetValue<string>());
        Assert.True(double.IsFinite(json["cost"]!.GetValue<double>()));
    }

    [Fact]
    public void Solve_Sinkhorn_JsonMatchesLibrary()
    {
        var x = WriteCloud("x.npy", 30, 2, 1);
        var y = WriteCloud("y.npy", 25, 2, 2, 0.5);
        var potentials = Path.Combine(_dir, "pot.npz");
        var plan = Path.Combine(_dir, "plan.npy");
        var map = Path.Combine(_dir, "map.csv");
        var (code, stdout, stderr) = Run("solve", "--source", x, "--target", y, "--method", "sinkhorn", "--epsilon", "0.05", "--threshold", "1e-6", "--json",
            "--potentials-out", potentials, "--plan-out", plan, "--map-out", map);
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        foreach (var key in new[] { "method", "n", "m", "cost", "regularized_cost", "converged", "iterations", "marginal_error", "seconds" })
        {
            Assert.True(json.ContainsKey(key), key);
        }

        var expected = new Sinkhorn { Epsilon = 0.05, Threshold = 1e-6 }.Solve(LinearProblem<double>.FromPointClouds(NpyFormat.Read(x).ToPointCloud(), NpyFormat.Read(y).ToPointCloud()));
        NumericAssert.Close(expected.Cost, json["cost"]!.GetValue<double>(), rtol: 1e-12);
        Assert.True(json["converged"]!.GetValue<bool>());
        NumericAssert.Close(expected.F, NpzFormat.Read(potentials, "f").ToDoubleArray(), rtol: 1e-12);
        NumericAssert.Close(expected.ToDense(), NpyFormat.Read(plan).ToDoubleArray(), rtol: 1e-12);
        Assert.Equal(30, CsvFormat.Read(map).Values.Rows);

        // The JSON names each file written, as for emd and the low-rank methods (docs/cli.md).
        Assert.Equal(potentials, (string)json["potentials_out"]!);
        Assert.Equal(plan, (string)json["plan_out"]!);
        Assert.Equal(map, (string)json["map_out"]!);
    }

    [Fact]
    public void Solve_SinkhornInitializers_MatchLibrary()
    {
        var x1 = WriteCloud("x1.npy", 40, 1, 11);
        var y1 = WriteCloud("y1.npy", 30, 1, 12, 0.5);
        var x2 = WriteCloud("x2.npy", 40, 2, 13);
        var y2 = WriteCloud("y2.npy", 30, 2, 14, 0.5);
        foreach (var (name, init, x, y) in new[]
        {
            ("gaussian", SinkhornInitializer.Gaussian, x2, y2),
            ("sorting", SinkhornInitializer.Sorting, x1, y1),
            ("subsample", SinkhornInitializer.Subsample, x2, y2),
        })
        {
            var (code, stdout, stderr) = Run("solve", "--source", x, "--target", y, "--method", "sinkhorn", "--epsilon", "0.01", "--threshold", "1e-6",
                "--initializer", name, "--subsample-size", "10", "--seed", "5", "--json");
            Assert.True(code == 0, stderr);
            var json = JsonNode.Parse(stdout)!.AsObject();
            var expected = new Sinkhorn { Epsilon = 0.01, Threshold = 1e-6, Initializer = init, SubsampleSize = 10, Seed = 5 }
                .Solve(LinearProblem<double>.FromPointClouds(NpyFormat.Read(x).ToPointCloud(), NpyFormat.Read(y).ToPointCloud()));
            Assert.Equal(expected.Convergence.Iterations, json["iterations"]!.GetValue<int>());
            NumericAssert.Close(expected.Cost, json["cost"]!.GetValue<double>(), rtol: 1e-12, what: name);
        }

        // The subsample ε and the schedule start after an initializer reach the library options.
        var (c2, out2, err2) = Run("solve", "--source", x2, "--target", y2, "--method", "sinkhorn", "--epsilon", "0.01", "--threshold", "1e-6",
            "--initializer", "subsample", "--subsample-size", "10", "--subsample-epsilon", "3", "--epsilon-scaling", "100", "--scaling-start", "5", "--json");
        Assert.True(c2 == 0, err2);
        var tuned = new Sinkhorn
        {
            Epsilon = 0.01,
            Threshold = 1e-6,
            Initializer = SinkhornInitializer.Subsample,
            SubsampleSize = 10,
            SubsampleEpsilonMultiplier = 3,
            EpsilonScaling = new EpsilonScaling(100, 0.9),
            InitializedScalingStart = 5,
        }.Solve(LinearProblem<double>.FromPointClouds(NpyFormat.Read(x2).ToPointCloud(), NpyFormat.Read(y2).ToPointCloud()));
        Assert.Equal(tuned.Convergence.Iterations, JsonNode.Parse(out2)!["iterations"]!.GetValue<int>());
        NumericAssert.Close(tuned.Cost, JsonNode.Parse(out2)!["cost"]!.GetValue<double>(), rtol: 1e-12, what: "tuned subsample");

        // Sorting needs 1-D data; an unknown initializer is a usage error.
        var (badCode, _, badErr) = Run("solve", "--source", x2, "--target", y2, "--method", "sinkhorn", "--initializer", "sorting");
        Assert.Equal(ExitCodes.BadInput, badCode);
        Assert.Contains("sorting initializer", badErr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, Run("solve", "--source", x2, "--target", y2, "--method", "sinkhorn", "--initializer", "nope").Code);
    }

    [Fact]
    public void Solve_StrictNotConverged_ExitsOne()
    {
        var x = WriteCloud("x.npy", 20, 2, 3);
        var y = WriteCloud("y.npy", 20, 2, 4);
        var (code, _, _) = Run("solve", "--source", x, "--target", y, "--epsilon", "0.001", "--max-iterations", "2", "--strict");
        Assert.Equal(ExitCodes.NotConverged, code);
        var (code2, _, _) = Run("solve", "--source", x, "--target", y, "--epsilon", "0.001", "--max-iterations", "2");
        Assert.Equal(ExitCodes.Ok, code2);
    }

    [Fact]
    public void Solve_BadInput_ExitsTwo()
    {
        var x = WriteCloud("x.npy", 5, 2, 5);
        var y3 = WriteCloud("y3.npy", 5, 3, 6);
        var y = WriteCloud("y.npy", 5, 2, 7);
        Assert.Equal(ExitCodes.BadInput, Run("solve", "--source", x, "--target", y3).Code);
        Assert.Equal(ExitCodes.BadInput, Run("solve", "--source", x, "--target", y, "--epsilon", "-1").Code);
        Assert.Equal(ExitCodes.BadInput, Run("solve", "--source", x, "--target", y, "--method", "nope").Code);
        Assert.Equal(ExitCodes.BadInput, Run("solve", "--source", x, "--target", y, "--tau-a", "2").Code);
        Assert.Equal(ExitCodes.IoFailure, Run("solve", "--source", Path.Combine(_dir, "missing.npy"), "--target", y).Code);
    }

    [Fact]
    public void Divergence_PrintsValue()
    {
        var x = WriteCloud("x.npy", 15, 2, 8);
        var y = WriteCloud("y.npy", 12, 2, 9, 0.4);
        var (code, stdout, stderr) = Run("divergence", "--source", x, "--target", y, "--epsilon", "0.1", "--threshold", "1e-8", "--json");
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        var expected = Monge.Tools.SinkhornDivergence.Compute(NpyFormat.Read(x).ToPointCloud(), NpyFormat.Read(y).ToPointCloud(), new Sinkhorn { Epsilon = 0.1, Threshold = 1e-8 });
        NumericAssert.Close(expected.Value, json["divergence"]!.GetValue<double>(), rtol: 1e-12);
        Assert.Equal(expected.CrossConvergence!.Iterations, json["iterations"]!["cross"]!.GetValue<int>());
        Assert.Equal(expected.SourceConvergence!.Iterations, json["iterations"]!["source_self"]!.GetValue<int>());
        Assert.True(expected.Value > 0);
    }
}
