using System.Text.Json.Nodes;
using Monge.Geometry;
using Monge.IO;
using Monge.Problems;
using Monge.Solvers.Exact;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Tests.Commands;

/// <summary><c>monge gw</c>: planted isometries, cost matrices vs point clouds, fused inputs, outputs and usage errors.</summary>
public sealed class GwCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Gw_PlantedIsometry_RecoversPermutationAndWritesOutputs()
    {
        // Oracle: y_j = R x_perm[j] + t, so GW = 0 and source perm[j] matches target j.
        const int n = 24;
        var (x, y, perm) = Isometry(n, 7);
        var code = _cli.Run("gw", "--source", x, "--target", y, "--json", "--match-out", _cli.File("match.npy"), "--plan-out", _cli.File("plan.npy"));
        Assert.Equal(ExitCodes.Ok, code.Code);
        var json = JsonNode.Parse(code.Out)!;
        Assert.Equal("cg", (string)json["method"]!);
        Assert.True((bool)json["converged"]!);
        Assert.InRange((double)json["cost"]!, 0, 1e-12);
        Assert.InRange((double)json["fw_gap"]!, -1e-12, 1e-9);
        Assert.Equal(0.0, (double)json["linear_cost"]!);
        foreach (var key in new[] { "gw_cost", "iterations", "seconds" })
        {
            Assert.NotNull(json[key]);
        }

        var match = NpyFormat.Read(_cli.File("match.npy")).ToDoubleArray();
        for (var j = 0; j < n; j++)
        {
            Assert.Equal(j, (int)match[perm[j]]);
        }

        var plan = NpyFormat.Read(_cli.File("plan.npy"));
        Assert.Equal([n, n], plan.Shape);
        Assert.Equal(1.0 / n, plan.ToDoubleArray()[(perm[0] * n) + 0], 12);
    }

    [Fact]
    public void Gw_CostMatrices_SameValueAsPointClouds()
    {
        var (x, y, _) = Isometry(15, 3, noise: 0.3);
        var cx = NpyFormat.Read(x).ToPointCloud();
        var cy = NpyFormat.Read(y).ToPointCloud();
        NpyFormat.Write(_cli.File("c1.npy"), new NumericArray(new PointCloudGeometry<double>(cx, cx).ToDense(), 15, 15), overwrite: true);
        NpyFormat.Write(_cli.File("c2.npy"), new NumericArray(new PointCloudGeometry<double>(cy, cy).ToDense(), 15, 15), overwrite: true);
        var clouds = JsonNode.Parse(_cli.Run("gw", "--source", x, "--target", y, "--json").Out)!;
        var matrices = _cli.Run("gw", "--source-cost", _cli.File("c1.npy"), "--target-cost", _cli.File("c2.npy"), "--json");
        Assert.Equal(ExitCodes.Ok, matrices.Code);
        Assert.Equal((double)clouds["cost"]!, (double)JsonNode.Parse(matrices.Out)!["cost"]!, 10);
    }

    [Fact]
    public void Gw_FusedAlphaZero_EqualsExactOtOnFeatures()
    {
        // Oracle: α = 0 is exact OT on M = |f − g|² (network simplex on the features).
        var (x, y, _) = Isometry(12, 5, noise: 0.2);
        var rng = new Random(9);
        var f = Cloud(rng, 12, 3);
        var g = Cloud(rng, 12, 3);
        NpyFormat.Write(_cli.File("f.npy"), NumericArray.FromPointCloud(f), overwrite: true);
        NpyFormat.Write(_cli.File("g.npy"), NumericArray.FromPointCloud(g), overwrite: true);
        var run = _cli.Run("gw", "--source", x, "--target", y, "--source-features", _cli.File("f.npy"), "--target-features", _cli.File("g.npy"), "--alpha", "0", "--json");
        Assert.Equal(ExitCodes.Ok, run.Code);
        var emd = new NetworkSimplex().Solve(f, g);
        Assert.Equal(emd.Cost, (double)JsonNode.Parse(run.Out)!["cost"]!, 10);
        Assert.True((bool)JsonNode.Parse(run.Out)!["fused"]!);
    }

    [Fact]
    public void Gw_LinearCostMatrix_MatchesLibrary()
    {
        var (x, y, _) = Isometry(10, 11, noise: 0.5);
        var rng = new Random(4);
        var mCost = Enumerable.Range(0, 100).Select(_ => rng.NextDouble()).ToArray();
        NpyFormat.Write(_cli.File("m.npy"), new NumericArray(mCost, 10, 10), overwrite: true);
        var run = _cli.Run("gw", "--source", x, "--target", y, "--linear-cost", _cli.File("m.npy"), "--alpha", "0.3", "--json");
        Assert.Equal(ExitCodes.Ok, run.Code);
        var cx = NpyFormat.Read(x).ToPointCloud();
        var cy = NpyFormat.Read(y).ToPointCloud();
        var problem = QuadraticProblem<double>.FromPointClouds(cx, cy).WithLinear(new DenseGeometry<double>(mCost, 10, 10), 0.3);
        var expected = new GromovWasserstein().Solve(problem);
        var json = JsonNode.Parse(run.Out)!;
        Assert.Equal(expected.Cost, (double)json["cost"]!, 12);
        Assert.Equal(expected.LinearCost, (double)json["linear_cost"]!, 12);
        Assert.Equal(expected.GwCost, (double)json["gw_cost"]!, 12);
    }

    [Theory]
    [InlineData("--alpha", "0.5")]
    [InlineData("--source-cost", "c.npy")]
    [InlineData("--max-iterations", "-1")]
    public void Gw_BadUsage_ExitsTwo(string flag, string value)
    {
        var (x, y, _) = Isometry(6, 1);
        var run = _cli.Run("gw", "--source", x, "--target", y, flag, value);
        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Single(run.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Gw_MissingSide_ExitsTwoAndMissingFile_ExitsThree()
    {
        var (x, _, _) = Isometry(6, 1);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("gw", "--source", x).Code);
        Assert.Equal(ExitCodes.BadInput, _cli.Run("gw", "--source", x, "--target", x, "--tau-a", "0.5").Code);
        Assert.Equal(ExitCodes.IoFailure, _cli.Run("gw", "--source", x, "--target", _cli.File("missing.npy")).Code);
    }

    [Theory]
    [InlineData("frlc")]
    [InlineData("lowrank")]
    public void Gw_LowRankWithMassOtherThanOne_ExitsTwoInsteadOfRescaling(string method)
    {
        // Weights of total mass 3 on both sides (a balanced problem): cg and entropic use them as given (plan mass 3);
        // the low-rank solvers work at mass one and used to rescale silently (plan mass 1, cost of the normalized problem).
        var (x, y, _) = Isometry(12, 5, noise: 0.2);
        NpyFormat.Write(_cli.File("w3.npy"), new NumericArray(Enumerable.Repeat(0.25, 12).ToArray(), 12), overwrite: true);
        var plan = _cli.File($"plan-{method}.npy");
        var refused = _cli.Run("gw", "--method", method, "--source", x, "--target", y, "--source-weights", _cli.File("w3.npy"), "--target-weights", _cli.File("w3.npy"), "--rank", "2", "--plan-out", plan);
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Single(refused.Err.Trim().Split('\n'));
        Assert.Contains("--normalize-weights", refused.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(plan));

        var cg = _cli.Run("gw", "--source", x, "--target", y, "--source-weights", _cli.File("w3.npy"), "--target-weights", _cli.File("w3.npy"), "--plan-out", _cli.File("plan-cg.npy"));
        Assert.Equal(ExitCodes.Ok, cg.Code);
        Assert.Equal(3.0, NpyFormat.Read(_cli.File("plan-cg.npy")).ToDoubleArray().Sum(), 9);

        var normalized = _cli.Run("gw", "--method", method, "--source", x, "--target", y, "--source-weights", _cli.File("w3.npy"), "--target-weights", _cli.File("w3.npy"), "--normalize-weights", "--rank", "2", "--plan-out", plan);
        Assert.True(normalized.Code == ExitCodes.Ok, normalized.Err);
        Assert.Equal(1.0, NpyFormat.Read(plan).ToDoubleArray().Sum(), 6);
    }

    private (string X, string Y, int[] Perm) Isometry(int n, int seed, double noise = 0)
    {
        var rng = new Random(seed);
        var x = Cloud(rng, n, 2);
        var perm = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var (c, s) = (Math.Cos(0.8), Math.Sin(0.8));
        var y = new double[n * 2];
        for (var j = 0; j < n; j++)
        {
            var p = x.Row(perm[j]);
            y[2 * j] = (c * p[0]) - (s * p[1]) + 2 + (noise * rng.NextDouble());
            y[(2 * j) + 1] = (s * p[0]) + (c * p[1]) - 1 + (noise * rng.NextDouble());
        }

        var xPath = _cli.File($"x{seed}.npy");
        var yPath = _cli.File($"y{seed}.npy");
        NpyFormat.Write(xPath, NumericArray.FromPointCloud(x), overwrite: true);
        NpyFormat.Write(yPath, new NumericArray(y, n, 2), overwrite: true);
        return (xPath, yPath, perm);
    }

    private static PointCloud<double> Cloud(Random rng, int n, int d) =>
        new(Enumerable.Range(0, n * d).Select(_ => (2 * rng.NextDouble()) - 1).ToArray(), n, d);
}
