using System.Text.Json;
using Monge.IO;

namespace Monge.Cli.Tests;

public sealed class MatchHirefAndDemoTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Match_Hiref_WritesAPermutation_WithLevelsAndPeakBytes()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "checkerboard", "--n", "600", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var (code, stdout, stderr) = _cli.Run("match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "hiref", "--leaf-size", "64", "--rank-schedule", "4,4", "--seed", "3", "--out", _cli.File("p.npy"), "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("hiref", json.RootElement.GetProperty("method").GetString());
        Assert.True(json.RootElement.GetProperty("peak_bytes").GetInt64() > 0);
        Assert.True(json.RootElement.GetProperty("levels").GetArrayLength() >= 1);
        var perm = NpyFormat.Read(_cli.File("p.npy")).ToDoubleArray().Select(v => (int)v).ToArray();
        Assert.Equal(Enumerable.Range(0, 600), perm.Order());

        // The exact method on the same input is a lower bound, and HiRef is within 2% of it here.
        var exact = _cli.Run("match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "exact", "--out", _cli.File("e.npy"), "--json");
        using var exactJson = JsonDocument.Parse(exact.Out);
        var optimum = exactJson.RootElement.GetProperty("cost").GetDouble();
        var cost = json.RootElement.GetProperty("cost").GetDouble();
        Assert.InRange(cost, optimum * (1 - 1e-12), optimum * 1.02);
    }

    [Fact]
    public void Match_Certify_PrintsALowerBoundBelowTheOptimumAndTheGap()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "checkerboard", "--n", "400", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var (code, stdout, stderr) = _cli.Run("match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "hiref", "--leaf-size", "64", "--cost", "euclidean", "--certify", "--out", _cli.File("p.npy"), "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var cost = json.RootElement.GetProperty("cost").GetDouble();
        var bound = json.RootElement.GetProperty("lower_bound").GetDouble();
        var gap = json.RootElement.GetProperty("gap").GetDouble();
        Assert.Equal("dual_bound", json.RootElement.GetProperty("certificate").GetString());
        var exact = _cli.Run("match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "exact", "--cost", "euclidean", "--out", _cli.File("e.npy"), "--json");
        using var exactJson = JsonDocument.Parse(exact.Out);
        var optimum = exactJson.RootElement.GetProperty("cost").GetDouble();

        // Valid (below the optimum), tight here (within 0.5%), and the gap bounds HiRef's true ratio.
        Assert.InRange(bound, optimum * 0.995, optimum * (1 + 1e-12));
        Assert.Equal((cost - bound) / bound, gap, 12);
        Assert.True(gap >= (cost / optimum) - 1 - 1e-12, $"gap {gap} below the true excess {(cost / optimum) - 1}");
    }

    // --slab-rounds reaches the solver (default 8): the slab polish can only lower the cost of the same co-clustering.
    [Fact]
    public void Match_SlabRounds_NeverRaisesTheCost()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "eight-gaussians-moons", "--n", "700", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        double Cost(params string[] extra)
        {
            var (code, stdout, stderr) = _cli.Run(["match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "hiref", "--leaf-size", "32", "--out", _cli.File("p.npy"), "--overwrite", "--json", .. extra]);
            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            return json.RootElement.GetProperty("cost").GetDouble();
        }

        var without = Cost("--slab-rounds", "0");
        var with = Cost();
        Assert.True(with < without, $"slab rounds {with} vs none {without}");
    }

    // --quality picks the budget (reported in the JSON); the budgets extend one another's polish, so their costs are
    // ordered; an explicit --slab-rounds overrides the budget; an unknown budget is a usage error.
    [Fact]
    public void Match_Quality_OrdersCostsAndIsReported()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "eight-gaussians-moons", "--n", "1500", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        (double Cost, string? Quality) Run(params string[] extra)
        {
            var (code, stdout, stderr) = _cli.Run(["match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "hiref", "--leaf-size", "32", "--out", _cli.File("p.npy"), "--overwrite", "--json", .. extra]);
            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            return (json.RootElement.GetProperty("cost").GetDouble(), json.RootElement.GetProperty("quality").GetString());
        }

        var fast = Run("--quality", "fast");
        var balanced = Run();
        var best = Run("--quality", "best");
        Assert.Equal(("fast", "balanced", "best"), (fast.Quality, balanced.Quality, best.Quality));
        Assert.True(best.Cost <= balanced.Cost && balanced.Cost < fast.Cost, $"best {best.Cost}, balanced {balanced.Cost}, fast {fast.Cost}");
        Assert.Equal(balanced.Cost, Run("--quality", "fast", "--slab-rounds", "8").Cost);

        var (code, _, stderr) = _cli.Run("match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "hiref", "--quality", "perfect", "--out", _cli.File("q.npy"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("perfect", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("q.npy")));
    }

    [Fact]
    public void Match_Auto_SmallProblem_IsExact()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "50", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var (code, stdout, _) = _cli.Run("match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--out", _cli.File("p.npy"), "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("exact", json.RootElement.GetProperty("method").GetString());
        Assert.True(json.RootElement.GetProperty("optimal").GetBoolean());
    }

    [Theory]
    [InlineData("--rank-schedule", "4,x")]
    [InlineData("--rank-schedule", "1")]
    [InlineData("--leaf-size", "0")]
    [InlineData("--slab-rounds", "-1")]
    public void Match_BadHirefOptions_ExitTwo(string option, string value)
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "40", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var (code, _, stderr) = _cli.Run("match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "hiref", option, value, "--out", _cli.File("p.npy"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("p.npy")));
    }

    [Fact]
    public void Demo_SmallN_PrintsSummaryAndWritesPng()
    {
        var png = _cli.File("demo.png");
        var (code, stdout, stderr) = _cli.Run("demo", "--n", "2048", "--method", "hiref", "--plot", png, "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("half-moon-s-curve", json.RootElement.GetProperty("dataset").GetString());
        Assert.Equal(2048, json.RootElement.GetProperty("n").GetInt32());
        Assert.True(json.RootElement.GetProperty("cost").GetDouble() > 0);
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);

        // The plot is never overwritten without --overwrite.
        var again = _cli.Run("demo", "--n", "64", "--plot", png);
        Assert.Equal(ExitCodes.IoFailure, again.Code);
        Assert.Equal(bytes, File.ReadAllBytes(png));
    }
}
