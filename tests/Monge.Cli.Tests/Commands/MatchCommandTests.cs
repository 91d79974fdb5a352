using System.Text.Json;
using Monge.Cli.Commands;
using Monge.Cli.Infrastructure;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Cli.Tests.Commands;

public sealed class MatchCommandTests
{
    private static double[] RandomPoints(Random random, int n, int d) =>
        Enumerable.Range(0, n * d).Select(_ => random.NextDouble()).ToArray();

    private static void WritePoints(string path, double[] data, int n, int d) => NpyFormat.Write(path, new NumericArray(data, n, d));

    private static double Cost(double[] x, double[] y, int d, int i, int j, bool squared)
    {
        var s = 0.0;
        for (var k = 0; k < d; k++)
        {
            var diff = x[(i * d) + k] - y[(j * d) + k];
            s += diff * diff;
        }

        return squared ? s : Math.Sqrt(s);
    }

    private static double BruteForce(double[] x, double[] y, int n, int d, bool squared)
    {
        var best = double.PositiveInfinity;
        var perm = Enumerable.Range(0, n).ToArray();
        void Recurse(int k, double acc)
        {
            if (acc >= best)
            {
                return;
            }

            if (k == n)
            {
                best = acc;
                return;
            }

            for (var t = k; t < n; t++)
            {
                (perm[k], perm[t]) = (perm[t], perm[k]);
                Recurse(k + 1, acc + Cost(x, y, d, k, perm[k], squared));
                (perm[k], perm[t]) = (perm[t], perm[k]);
            }
        }

        Recurse(0, 0);
        return best;
    }

    [Theory]
    [InlineData("sqeuclidean", "perm.npy")]
    [InlineData("euclidean", "perm.csv")]
    public void Match_SmallRandom_WritesOptimalPermutationAndJson(string cost, string outName)
    {
        using var cli = new CliRunner();
        var random = Seeds.Create(900);
        const int n = 7;
        const int d = 2;
        var x = RandomPoints(random, n, d);
        var y = RandomPoints(random, n, d);
        WritePoints(cli.File("x.npy"), x, n, d);
        WritePoints(cli.File("y.npy"), y, n, d);
        var (code, stdout, stderr) = cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("y.npy"), "--method", "exact", "--cost", cost, "--out", cli.File(outName), "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("exact", root.GetProperty("method").GetString());
        Assert.Equal(n, root.GetProperty("n").GetInt32());
        Assert.Equal(n, root.GetProperty("m").GetInt32());
        Assert.True(root.GetProperty("optimal").GetBoolean());
        Assert.True(root.GetProperty("seconds").GetDouble() >= 0);

        var perm = DataFiles.Load(cli.File(outName)).ToDoubleArray().Select(v => (int)v).ToArray();
        Assert.Equal(Enumerable.Range(0, n), perm.Order());
        var squared = cost == "sqeuclidean";
        var total = Enumerable.Range(0, n).Sum(i => Cost(x, y, d, i, perm[i], squared));
        var best = BruteForce(x, y, n, d, squared);
        NumericAssert.Close(best, total, rtol: 1e-12, what: "permutation cost vs brute force");
        NumericAssert.Close(best, root.GetProperty("total_cost").GetDouble(), rtol: 1e-12, what: "total_cost");
        NumericAssert.Close(best / n, root.GetProperty("cost").GetDouble(), rtol: 1e-12, what: "cost");
    }

    [Theory]
    [InlineData("exact", "pnorm:1.5")]
    [InlineData("exact", "cosine")]
    [InlineData("hiref", "dot")]
    [InlineData("auto", "cosine")]
    public void Match_AnyCost_ReportsItAndMatchesTheLibrary(string method, string cost)
    {
        using var cli = new CliRunner();
        var random = Seeds.Create(901);
        const int n = 40;
        var x = RandomPoints(random, n, 3);
        var y = RandomPoints(random, n, 3);
        WritePoints(cli.File("x.npy"), x, n, 3);
        WritePoints(cli.File("y.npy"), y, n, 3);
        // --leaf-size belongs to hiref and auto; exact rejects it.
        string[] leaf = method == "exact" ? [] : ["--leaf-size", "16"];
        var (code, stdout, stderr) = cli.Run(["match", "--source", cli.File("x.npy"), "--target", cli.File("y.npy"), "--method", method, "--cost", cost, .. leaf, "--out", cli.File("p.npy"), "--json"]);
        Assert.True(code == ExitCodes.Ok, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(cost, doc.RootElement.GetProperty("ground_cost").GetString());
        var optimum = new LinearAssignment().Solve(new PointCloud<double>(x, n, 3), new PointCloud<double>(y, n, 3), CostFunction.Parse<double>(cost)).Cost;
        var reported = doc.RootElement.GetProperty("cost").GetDouble();
        if (method == "hiref")
        {
            Assert.True(reported >= optimum - (1e-12 * Math.Abs(optimum)), $"hiref {reported:R} below the optimum {optimum:R}");
        }
        else
        {
            NumericAssert.Close(optimum, reported, rtol: 1e-12, what: "mean cost vs LinearAssignment");
        }
    }

    [Fact]
    public void Match_PlantedPermutation_IsRecoveredWithPlotAndReport()
    {
        using var cli = new CliRunner();
        var random = Seeds.Create(901);
        const int n = 40;
        const int d = 3;
        var x = RandomPoints(random, n, d);
        var planted = Enumerable.Range(0, n).ToArray();
        random.Shuffle(planted.AsSpan());
        var y = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < d; k++)
            {
                y[(planted[i] * d) + k] = x[(i * d) + k] + 1e-4;
            }
        }

        WritePoints(cli.File("x.npy"), x, n, d);
        WritePoints(cli.File("y.npy"), y, n, d);
        var (code, _, stderr) = cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("y.npy"), "--out", cli.File("perm.npy"), "--plot", cli.File("pairs.png"), "--report", cli.File("report.md"));
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Contains("matched 40 points", stderr, StringComparison.Ordinal);
        var perm = DataFiles.Load(cli.File("perm.npy")).ToDoubleArray().Select(v => (int)v).ToArray();
        Assert.Equal(planted, perm);
        Assert.True(new FileInfo(cli.File("pairs.png")).Length > 0);
        var report = File.ReadAllText(cli.File("report.md"));
        Assert.Contains("# monge match", report, StringComparison.Ordinal);
        Assert.Contains("pairs.png", report, StringComparison.Ordinal);
    }

    /// <summary>Brute force over every injective map from the smaller side into the larger one.</summary>
    private static double BruteForceInjective(double[] x, double[] y, int n, int m, int d, bool squared)
    {
        var best = double.PositiveInfinity;
        var small = Math.Min(n, m);
        var large = Math.Max(n, m);
        var used = new bool[large];
        void Recurse(int k, double acc)
        {
            if (acc >= best)
            {
                return;
            }

            if (k == small)
            {
                best = acc;
                return;
            }

            for (var t = 0; t < large; t++)
            {
                if (!used[t])
                {
                    used[t] = true;
                    Recurse(k + 1, acc + (n <= m ? Cost(x, y, d, k, t, squared) : Cost(x, y, d, t, k, squared)));
                    used[t] = false;
                }
            }
        }

        Recurse(0, 0);
        return best;
    }

    [Theory]
    [InlineData(5, 8, "exact", "sqeuclidean")]
    [InlineData(8, 5, "exact", "sqeuclidean")]
    [InlineData(6, 7, "exact", "euclidean")]
    [InlineData(7, 4, "auto", "euclidean")]
    public void Match_UnequalSizes_SmallerSideMatchedOptimally(int n, int m, string method, string cost)
    {
        using var cli = new CliRunner();
        var random = Seeds.Create(902 + n + (10 * m));
        const int d = 2;
        var x = RandomPoints(random, n, d);
        var y = RandomPoints(random, m, d);
        WritePoints(cli.File("x.npy"), x, n, d);
        WritePoints(cli.File("y.npy"), y, m, d);
        var (code, stdout, stderr) = cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("y.npy"), "--method", method, "--cost", cost, "--out", cli.File("match.npy"), "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        var small = Math.Min(n, m);
        Assert.Equal("exact", root.GetProperty("method").GetString());
        Assert.Equal(small, root.GetProperty("matched").GetInt32());
        Assert.Equal(n - small, root.GetProperty("unmatched_sources").GetInt32());
        Assert.Equal(m - small, root.GetProperty("unmatched_targets").GetInt32());
        Assert.True(root.GetProperty("optimal").GetBoolean());

        // One entry per source; matched targets distinct and in range; −1 exactly for the n − m unmatched sources.
        var match = DataFiles.Load(cli.File("match.npy")).ToDoubleArray().Select(v => (int)v).ToArray();
        Assert.Equal(n, match.Length);
        Assert.Equal(n - small, match.Count(j => j == -1));
        var targets = match.Where(j => j >= 0).ToArray();
        Assert.Equal(small, targets.Distinct().Count());
        Assert.All(targets, j => Assert.InRange(j, 0, m - 1));

        var squared = cost == "sqeuclidean";
        var total = Enumerable.Range(0, n).Where(i => match[i] >= 0).Sum(i => Cost(x, y, d, i, match[i], squared));
        var best = BruteForceInjective(x, y, n, m, d, squared);
        NumericAssert.Close(best, total, rtol: 1e-12, what: "matching cost vs brute force");
        NumericAssert.Close(best, root.GetProperty("total_cost").GetDouble(), rtol: 1e-12, what: "total_cost");
        NumericAssert.Close(best / small, root.GetProperty("cost").GetDouble(), rtol: 1e-12, what: "cost per matched pair");
    }

    [Fact]
    public void Match_UnequalSizes_HirefAndCertifyExit2()
    {
        using var cli = new CliRunner();
        var random = Seeds.Create(904);
        WritePoints(cli.File("x.npy"), RandomPoints(random, 5, 2), 5, 2);
        WritePoints(cli.File("y.npy"), RandomPoints(random, 6, 2), 6, 2);
        var (code, stdout, stderr) = cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("y.npy"), "--method", "hiref", "--out", cli.File("perm.npy"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Empty(stdout);
        Assert.Contains("--method exact", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("perm.npy")));

        (code, stdout, stderr) = cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("y.npy"), "--certify", "--out", cli.File("perm.npy"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--certify", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("perm.npy")));
    }

    [Theory]
    [InlineData("exact", "sqeuclidean")]
    [InlineData("exact", "euclidean")]
    [InlineData("auto", "sqeuclidean")]
    public void Match_ExactCertify_UsesTheAssignmentDuals_TightIn30D(string method, string cost)
    {
        // 30-D, where the Sinkhorn-based DualBound is loose: an exact matching is certified by its own potentials.
        // Small pair: the oracle is enumeration; 600 points: the float phases and their double repair (n ≥ 512).
        using var cli = new CliRunner();
        var random = Seeds.Create(2073);
        const int d = 30;
        foreach (var n in new[] { 7, 600 })
        {
            var x = RandomPoints(random, n, d);
            var y = RandomPoints(random, n, d);
            WritePoints(cli.File("x.npy"), x, n, d);
            WritePoints(cli.File("y.npy"), y, n, d);
            var (code, stdout, stderr) = cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("y.npy"), "--method", method, "--cost", cost, "--certify", "--out", cli.File("p.npy"), "--overwrite", "--json");
            Assert.True(code == ExitCodes.Ok, stderr);
            using var json = JsonDocument.Parse(stdout);
            var root = json.RootElement;
            Assert.Equal("exact", root.GetProperty("method").GetString());
            Assert.Equal("assignment_duals", root.GetProperty("certificate").GetString());
            var mean = root.GetProperty("cost").GetDouble();
            var bound = root.GetProperty("lower_bound").GetDouble();
            Assert.True(bound <= mean * (1 + 1e-12), $"n = {n}: bound {bound:R} above the cost {mean:R}");
            Assert.InRange(root.GetProperty("gap").GetDouble(), 0, 1e-9);
            NumericAssert.Close(mean, bound, rtol: 1e-9, what: $"n = {n} bound");
            if (n == 7)
            {
                NumericAssert.Close(BruteForce(x, y, n, d, cost == "sqeuclidean") / n, bound, rtol: 1e-9, what: "bound vs enumeration");
            }
        }
    }

    [Fact]
    public void Match_BadInputs_ExitCodes()
    {
        using var cli = new CliRunner();
        var random = Seeds.Create(903);
        WritePoints(cli.File("x.npy"), RandomPoints(random, 4, 2), 4, 2);
        WritePoints(cli.File("y3.npy"), RandomPoints(random, 4, 3), 4, 3);
        var bad = RandomPoints(random, 4, 2);
        bad[3] = double.NaN;
        WritePoints(cli.File("nan.npy"), bad, 4, 2);
        File.WriteAllText(cli.File("exists.npy"), "x");

        Assert.Equal(ExitCodes.BadInput, cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("y3.npy"), "--out", cli.File("p.npy")).Code);
        Assert.Equal(ExitCodes.BadInput, cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("nan.npy"), "--out", cli.File("p.npy")).Code);
        Assert.Equal(ExitCodes.BadInput, cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("x.npy"), "--out", cli.File("p.npy"), "--method", "nope").Code);
        Assert.Equal(ExitCodes.BadInput, cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("x.npy"), "--out", cli.File("p.npy"), "--cost", "manhattan").Code);
        Assert.Equal(ExitCodes.BadInput, cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("x.npy"), "--out", cli.File("p.txt")).Code);
        Assert.Equal(ExitCodes.IoFailure, cli.Run("match", "--source", cli.File("missing.npy"), "--target", cli.File("x.npy"), "--out", cli.File("p.npy")).Code);
        Assert.Equal(ExitCodes.IoFailure, cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("x.npy"), "--out", cli.File("exists.npy")).Code);
        Assert.False(File.Exists(cli.File("p.npy")));

        // --drop-nonfinite drops the NaN row: 4 sources, 3 kept targets, one source left unmatched (−1); --overwrite replaces.
        Assert.Equal(ExitCodes.Ok, cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("nan.npy"), "--out", cli.File("p.npy"), "--drop-nonfinite").Code);
        Assert.Equal(1, DataFiles.Load(cli.File("p.npy")).ToDoubleArray().Count(v => v == -1));
        Assert.Equal(ExitCodes.Ok, cli.Run("match", "--source", cli.File("x.npy"), "--target", cli.File("x.npy"), "--out", cli.File("exists.npy"), "--overwrite").Code);
        Assert.Equal([0L, 1, 2, 3], DataFiles.Load(cli.File("exists.npy")).ToDoubleArray().Select(v => (long)v));
    }

    [Fact]
    public void EmdSolve_Weighted_WritesSparsePlanWithMarginalsAndOptimalCost()
    {
        using var cli = new CliRunner();
        var random = Seeds.Create(904);
        const int n = 9;
        const int m = 6;
        const int d = 2;
        var a = Generators.RandomWeights(random, n);
        var b = Generators.RandomWeights(random, m);
        var x = new PointCloud<double>(RandomPoints(random, n, d), n, d, a);
        var y = new PointCloud<double>(RandomPoints(random, m, d), m, d, b);
        var summary = EmdSolve.Run(x, y, new SquaredEuclidean<double>(), cli.File("plan.csv"), normalize: false, overwrite: false);
        Assert.Equal("emd", summary["method"]!.GetValue<string>());
        Assert.Equal(n, summary["n"]!.GetValue<int>());
        Assert.Equal(m, summary["m"]!.GetValue<int>());
        Assert.True(summary["optimal"]!.GetValue<bool>());
        Assert.True(summary["seconds"]!.GetValue<double>() >= 0);

        var rows = DataFiles.Load(cli.File("plan.csv")).ToDoubleArray();
        Assert.True(rows.Length / 3 <= n + m - 1);
        var rowSums = new double[n];
        var colSums = new double[m];
        var total = 0.0;
        for (var k = 0; k < rows.Length; k += 3)
        {
            int i = (int)rows[k], j = (int)rows[k + 1];
            rowSums[i] += rows[k + 2];
            colSums[j] += rows[k + 2];
            total += rows[k + 2] * Cost(x.Data.ToArray(), y.Data.ToArray(), d, i, j, squared: true);
        }

        NumericAssert.Close(a, rowSums, rtol: 1e-9, atol: 1e-12, what: "row marginals");
        NumericAssert.Close(b, colSums, rtol: 1e-9, atol: 1e-12, what: "column marginals");
        NumericAssert.Close(total, summary["cost"]!.GetValue<double>(), rtol: 1e-9, what: "cost of written plan");

        // Uniform equal sizes: the EMD cost equals the mean cost of the optimal matching.
        var u = new PointCloud<double>(RandomPoints(random, 8, d), 8, d);
        var v = new PointCloud<double>(RandomPoints(random, 8, d), 8, d);
        var lap = new LinearAssignment().Solve(u, v);
        NumericAssert.Close(lap.TotalCost / 8, EmdSolve.Run(u, v, new SquaredEuclidean<double>(), null, false, false)["cost"]!.GetValue<double>(), rtol: 1e-9);
    }

    [Fact]
    public void EmdSolve_BadInput_TypedErrors()
    {
        using var cli = new CliRunner();
        var x = new PointCloud<double>([0, 0, 1, 1], 2, 2, [1, 1]);
        var y = new PointCloud<double>([0, 1, 1, 0], 2, 2, [1, 2]);
        var mismatch = Assert.Throws<InputValidationException>(() => EmdSolve.Run(x, y, new Euclidean<double>(), null, false, false));
        Assert.Equal(InputProblem.MassMismatch, mismatch.Problem);
        Assert.True(EmdSolve.Run(x, y, new Euclidean<double>(), null, normalize: true, overwrite: false)["optimal"]!.GetValue<bool>());
        Assert.Throws<UsageException>(() => EmdSolve.Run(x, new PointCloud<double>([0, 1, 2], 1, 3), new Euclidean<double>(), null, false, false));
        Assert.Throws<UsageException>(() => EmdSolve.Run(x, y, new Euclidean<double>(), null, true, false, maxDenseBytes: 16));
        File.WriteAllText(cli.File("plan.npy"), "x");
        Assert.Throws<IOException>(() => EmdSolve.Run(x, y, new Euclidean<double>(), cli.File("plan.npy"), true, false));
    }

    [Fact]
    public void Match_Help_ListsMethodsAndOptions()
    {
        using var cli = new CliRunner();
        var (code, stdout, _) = cli.Run("match", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (var text in new[] { "--source", "--target", "--method", "exact", "--out", "--cost", "--json", "--overwrite", "--plot", "--report" })
        {
            Assert.Contains(text, stdout, StringComparison.Ordinal);
        }
    }
}
