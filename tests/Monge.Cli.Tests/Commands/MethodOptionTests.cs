using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Monge.Cli.Commands;
using Monge.Cli.Commands.Solve;
using Monge.Datasets;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Problems;
using Monge.Solvers.Exact;
using Monge.Solvers.LowRank;
using Monge.Testing;

namespace Monge.Cli.Tests.Commands;

/// <summary>Each method owns its options: foreign options are rejected, every output is produced, help is per method.</summary>
public sealed class MethodOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monge-method-options-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Every (solve method, option declared by another method but not by it) pair.</summary>
    public static TheoryData<string, string> ForeignSolveOptions()
    {
        var data = new TheoryData<string, string>();
        var declared = SolveMethods.All.ToDictionary(m => m.Name, m => m.CreateOptions().Select(o => o.Name).ToHashSet(StringComparer.Ordinal));
        var every = SolveMethods.All.SelectMany(m => m.CreateOptions().Select(o => o.Name)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var method in SolveMethods.All)
        {
            foreach (var option in every.Where(o => !declared[method.Name].Contains(o)))
            {
                data.Add(method.Name, option);
            }
        }

        return data;
    }

    /// <summary>Every (match method, option declared by another method but not by it) pair.</summary>
    public static TheoryData<string, string> ForeignMatchOptions()
    {
        var data = new TheoryData<string, string>();
        var declared = MatchCommand.Methods.ToDictionary(m => m.Name, m => m.CreateOptions().Select(o => o.Name).ToHashSet(StringComparer.Ordinal));
        var every = MatchCommand.Methods.SelectMany(m => m.CreateOptions().Select(o => o.Name)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var method in MatchCommand.Methods)
        {
            foreach (var option in every.Where(o => !declared[method.Name].Contains(o)))
            {
                data.Add(method.Name, option);
            }
        }

        return data;
    }

    [Fact]
    public void ForeignSolveOptions_CoverTheRealDataIssue_AllListedPairs()
    {
        var pairs = ForeignSolveOptions().Select(row => ((string)row[0], (string)row[1])).ToHashSet();
        (string, string)[] required =
        [
            ("frlc", "--potentials-out"), ("lowrank-sinkhorn", "--potentials-out"),
            ("emd", "--tau-a"), ("emd", "--epsilon"), ("emd", "--momentum"), ("emd", "--rank"),
            ("lowrank-sinkhorn", "--rho-a"), ("lowrank-sinkhorn", "--rho-in"), ("sinkhorn", "--rank"),
        ];
        Assert.All(required, pair => Assert.Contains(pair, pairs));
        Assert.DoesNotContain(("emd", "--plan-out"), pairs);
        Assert.DoesNotContain(("emd", "--map-out"), pairs);
        Assert.DoesNotContain(("emd", "--potentials-out"), pairs);
        Assert.DoesNotContain(("frlc", "--plan-out"), pairs);
        Assert.DoesNotContain(("frlc", "--map-out"), pairs);
        Assert.DoesNotContain(("lowrank-sinkhorn", "--map-out"), pairs);
    }

    [Theory]
    [MemberData(nameof(ForeignSolveOptions))]
    public void Solve_OptionTheMethodDoesNotUse_ExitsTwoNamingOptionMethodAndUsers(string method, string option)
    {
        var (x, y) = WriteData(12);
        var args = new List<string> { "solve", "--source", x, "--target", y, "--method", method, "--json" };
        args.AddRange(Given(option));
        var (code, stdout, stderr) = Run([.. args]);
        Assert.Equal(ExitCodes.BadInput, code);
        var error = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        Assert.Equal(ExitCodes.BadInput, error["exit_code"]!.GetValue<int>());
        Assert.Contains(option, error["error"]!.GetValue<string>(), StringComparison.Ordinal);
        var users = SolveMethods.All.Where(m => m.CreateOptions().Any(o => o.Name == option)).Select(m => m.Name).ToList();
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(option, line, StringComparison.Ordinal);
        Assert.Contains($"--method {method}", line, StringComparison.Ordinal);
        Assert.Contains($"used by {string.Join(", ", users)}", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir, "out*"));
    }

    [Theory]
    [MemberData(nameof(ForeignMatchOptions))]
    public void Match_OptionTheMethodDoesNotUse_ExitsTwoNamingOptionAndMethod(string method, string option)
    {
        var (x, y) = WriteData(12);
        var (code, _, stderr) = Run(["match", "--source", x, "--target", y, "--method", method, "--out", Path.Combine(_dir, "out.npy"), .. Given(option)]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
        Assert.Contains($"--method {method}", stderr, StringComparison.Ordinal);
        Assert.Matches("hiref|cluster", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "out.npy")));
    }

    // audit30 (stop 23): the hidden --source-weights/--target-weights of match. Masses as given: a matching moves mass 1
    // per point, so weights are refused by name before any file is read (they were an unrecognised argument with two
    // error lines before), with the verb that takes them.
    [Theory]
    [InlineData("--source-weights")]
    [InlineData("--target-weights")]
    public void Match_Weights_RefusedByNameBeforeReading(string option)
    {
        var (code, _, stderr) = Run(
            "match", "--method", "hiref", "--source", Path.Combine(_dir, "missing_x.npy"), "--target", Path.Combine(_dir, "missing_y.npy"),
            option, Path.Combine(_dir, "w.npy"), "--out", Path.Combine(_dir, "p.npy"));
        Assert.Equal(ExitCodes.BadInput, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(option, line, StringComparison.Ordinal);
        Assert.Contains("monge solve --method emd", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "p.npy")));
    }

    [Fact]
    public void ForeignMatchOptions_ExactRejectsEveryHirefOption()
    {
        var pairs = ForeignMatchOptions().Select(row => ((string)row[0], (string)row[1])).ToList();
        string[] clusterOnly = ["--cluster", "--job-id", "--store", "--subtree-size", "--trunk-shards"];
        Assert.Equal(
            new[] { "--cluster", "--job-id", "--leaf-size", "--quality", "--rank-schedule", "--seed", "--slab-rounds", "--store", "--subtree-size", "--trunk-shards" },
            pairs.Where(p => p.Item1 == "exact").Select(p => p.Item2).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(pairs, p => p.Item1 is "auto" or "hiref" && !clusterOnly.Contains(p.Item2));
        Assert.Equal(["--slab-rounds"], pairs.Where(p => p.Item1 == "cluster").Select(p => p.Item2));
    }

    [Fact]
    public void Barycenter_NormalizeWeights_OwnedByHistogramAndPointCloudMethods_RefusedByGaussian()
    {
        // audit16: --normalize-weights now also belongs to free and quantile (their --input-weights are used as given);
        // the Gaussian fit has no masses to rescale, so it refuses the flag by name.
        var (x, _) = WriteData(12);
        var outPath = Path.Combine(_dir, "out.npy");
        var (code, _, stderr) = Run("barycenter", "--method", "gaussian", "--inputs", x, x, "--normalize-weights", "--out", outPath);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--normalize-weights", stderr, StringComparison.Ordinal);
        Assert.Contains("--method gaussian", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(outPath));
        (code, _, stderr) = Run("barycenter", "--method", "free", "--inputs", x, x, "--size", "3", "--normalize-weights", "--out", outPath);
        Assert.True(code == ExitCodes.Ok, stderr);
    }

    [Fact]
    public void MapFit_Strict_IsAnOptionOfEveryMethod()
    {
        var (x, y) = WriteData(12);
        foreach (var method in new[] { "entropic", "progot" })
        {
            var outPath = Path.Combine(_dir, $"map-{method}.npz");
            var (code, _, stderr) = Run("map", "fit", "--source", x, "--target", y, "--method", method, "--epsilon", "1", "--strict", "--out", outPath);
            Assert.True(code == ExitCodes.Ok, stderr);
            Assert.True(File.Exists(outPath));
        }
    }

    [Fact]
    public void Solve_DefaultedOptionNotOnTheCommandLine_IsNotRejected()
    {
        // --seed, --rank, --threshold have defaults; they count as given only when they appear in the tokens.
        var (x, y) = WriteData(12);
        var (code, _, stderr) = Run("solve", "--source", x, "--target", y, "--method", "emd", "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
    }

    [Fact]
    public void SolveHelp_ListsEachOptionOnce_WithPerMethodText()
    {
        var (code, stdout, _) = Run("solve", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        var names = Regex.Matches(stdout, @"^\s+(--[a-z0-9-]+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        foreach (var option in SolveMethods.All.SelectMany(m => m.CreateOptions()).Select(o => o.Name).Distinct(StringComparer.Ordinal))
        {
            Assert.Contains(option, names);
        }

        var planLine = HelpLine(stdout, "--plan-out");
        Assert.Matches(@"emd: sparse \(i, j, mass\) triplets", planLine);
        Assert.Matches(@"sinkhorn: dense n × m", planLine);
        Assert.Matches(@"frlc/lowrank-sinkhorn: dense from the factors", planLine);
        Assert.DoesNotContain("emd: dense", planLine, StringComparison.Ordinal);
        Assert.Contains("emd: the network simplex duals", HelpLine(stdout, "--potentials-out"), StringComparison.Ordinal);
        Assert.DoesNotContain("frlc", HelpLine(stdout, "--potentials-out"), StringComparison.Ordinal);
        Assert.Contains("sinkhorn/frlc:", HelpLine(stdout, "--tau-a"), StringComparison.Ordinal);
    }

    [Fact]
    public void MatchHelp_HirefOptionsNameTheirMethods()
    {
        var (code, stdout, _) = Run("match", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (var option in new[] { "--leaf-size", "--rank-schedule", "--slab-rounds", "--seed" })
        {
            var line = HelpLine(stdout, option);
            Assert.Contains("auto/hiref", line, StringComparison.Ordinal);
            Assert.DoesNotContain("exact:", line, StringComparison.Ordinal);
            Assert.DoesNotContain("exact/", line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("frlc")]
    [InlineData("lowrank-sinkhorn")]
    public void Solve_LowRankPlanAndMapOut_MatchTheLibraryFactors(string method)
    {
        var (x, y) = WriteData(20);
        var plan = Path.Combine(_dir, "plan.npy");
        var map = Path.Combine(_dir, "map.csv");
        var (code, stdout, stderr) = Run("solve", "--source", x, "--target", y, "--method", method, "--rank", "3", "--lowrank-max-iterations", "30", "--plan-out", plan, "--map-out", map, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(plan, (string)json["plan_out"]!);
        Assert.Equal(map, (string)json["map_out"]!);

        var source = NpyFormat.Read(x).ToPointCloud();
        var target = NpyFormat.Read(y).ToPointCloud();
        var problem = LinearProblem<double>.FromPointClouds(source, target, new SquaredEuclidean<double>(), Relaxation.Balanced);
        var coupling = method == "frlc"
            ? new Frlc { Rank = 3, InnerRelaxation = Relaxation.FromRho(50, 50), Seed = 0, MaxIterations = 30, MinIterations = 25 }.Solve(problem).Coupling
            : new LowRankSinkhorn { Rank = 3, Seed = 0, MaxIterations = 30 }.Solve(problem).Coupling;
        var written = NpyFormat.Read(plan);
        Assert.Equal(new[] { source.Count, target.Count }, written.Shape);
        var dense = coupling.ToDense();
        NumericAssert.Close(dense, written.ToDoubleArray(), rtol: 1e-9, atol: 1e-15, what: "plan");

        var mapValues = CsvFormat.Read(map).Values;
        Assert.Equal(source.Count, mapValues.Rows);
        NumericAssert.Close(DenseBarycentricMap(dense, target), mapValues.ToDoubleArray(), rtol: 1e-9, atol: 1e-12, what: "map = P·Y / P·1");
    }

    [Fact]
    public void Solve_LowRankPlanOutTooLarge_ExitsTwoBeforeSolving()
    {
        var (x, y) = WriteData(4000);
        var (code, _, stderr) = Run("solve", "--source", x, "--target", y, "--method", "frlc", "--rank", "2", "--plan-out", Path.Combine(_dir, "out.npy"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("10^7", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "out.npy")));
    }

    [Fact]
    public void Solve_EmdPotentialsAndMapOut_MatchTheNetworkSimplex()
    {
        var (x, y) = WriteData(15);
        var potentials = Path.Combine(_dir, "pot.npz");
        var map = Path.Combine(_dir, "map.npy");
        var plan = Path.Combine(_dir, "plan.csv");
        var (code, stdout, stderr) = Run("solve", "--source", x, "--target", y, "--method", "emd", "--potentials-out", potentials, "--map-out", map, "--plan-out", plan, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(potentials, (string)json["potentials_out"]!);

        var source = NpyFormat.Read(x).ToPointCloud();
        var target = NpyFormat.Read(y).ToPointCloud();
        var expected = new NetworkSimplex().Solve(source, target, new SquaredEuclidean<double>(), null, CancellationToken.None);
        var f = NpzFormat.Read(potentials, "f");
        var g = NpzFormat.Read(potentials, "g");
        Assert.Equal(new[] { source.Count }, f.Shape);
        Assert.Equal(new[] { target.Count }, g.Shape);
        NumericAssert.Close(expected.F, f.ToDoubleArray(), rtol: 1e-12, atol: 1e-15, what: "f");
        NumericAssert.Close(expected.G, g.ToDoubleArray(), rtol: 1e-12, atol: 1e-15, what: "g");

        var dense = new double[source.Count * target.Count];
        for (var k = 0; k < expected.Mass.Length; k++)
        {
            dense[(expected.Rows[k] * target.Count) + expected.Columns[k]] += expected.Mass[k];
        }

        var written = NpyFormat.Read(map);
        Assert.Equal(new[] { source.Count, source.Dimension }, written.Shape);
        NumericAssert.Close(DenseBarycentricMap(dense, target), written.ToDoubleArray(), rtol: 1e-12, atol: 1e-14, what: "map of the sparse plan");
        Assert.Equal(expected.Mass.Length, CsvFormat.Read(plan).Values.Rows);
    }

    [Fact]
    public void Solve_EmdPotentialsOutNotNpz_ExitsTwo()
    {
        var (x, y) = WriteData(10);
        var (code, _, stderr) = Run("solve", "--source", x, "--target", y, "--method", "emd", "--potentials-out", Path.Combine(_dir, "out.npy"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(".npz", stderr, StringComparison.Ordinal);
    }

    private static double[] DenseBarycentricMap(double[] plan, PointCloud<double> target)
    {
        var m = target.Count;
        var n = plan.Length / m;
        var d = target.Dimension;
        var data = target.Data;
        var map = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            var mass = 0.0;
            for (var j = 0; j < m; j++)
            {
                mass += plan[(i * m) + j];
                for (var k = 0; k < d; k++)
                {
                    map[(i * d) + k] += plan[(i * m) + j] * data[(j * d) + k];
                }
            }

            for (var k = 0; k < d; k++)
            {
                map[(i * d) + k] /= mass;
            }
        }

        return map;
    }

    private static string HelpLine(string help, string option) =>
        help.Split('\n').Single(l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = MongeApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private (string X, string Y) WriteData(int n)
    {
        var sample = SyntheticData.Generate(SyntheticDataset.EightGaussiansMoons, n, 3);
        var x = Path.Combine(_dir, "x.npy");
        var y = Path.Combine(_dir, "y.npy");
        NpyFormat.Write(x, NumericArray.FromPointCloud(sample.Source), overwrite: true);
        NpyFormat.Write(y, NumericArray.FromPointCloud(sample.Target!), overwrite: true);
        return (x, y);
    }

    private string[] Given(string option)
    {
        var template = SolveMethods.All.SelectMany(m => m.CreateOptions())
            .Concat(MatchCommand.Methods.SelectMany(m => m.CreateOptions()))
            .First(o => o.Name == option);
        if (template.ValueType == typeof(bool))
        {
            return [option];
        }

        var value = option switch
        {
            "--potentials-out" => Path.Combine(_dir, "out.npz"),
            "--plan-out" or "--map-out" or "--clusters-out" => Path.Combine(_dir, "out.npy"),
            "--norm" => "l2",
            "--quality" => "best",
            "--initializer" => "zero",
            "--cost-storage" => "online",
            "--rank-schedule" => "4,4",
            "--rank" or "--max-iterations" or "--lowrank-max-iterations" or "--subsample-size" or "--seed" or "--leaf-size" or "--slab-rounds" or "--subtree-size" or "--trunk-shards" => "3",
            "--tau-a" or "--tau-b" or "--epsilon-decay" => "0.5",
            _ => "1.5",
        };
        return [option, value];
    }
}
