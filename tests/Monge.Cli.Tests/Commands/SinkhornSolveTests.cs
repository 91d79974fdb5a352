using System.Globalization;
using System.Text.Json.Nodes;
using Monge.IO;
using Monge.Testing;

namespace Monge.Cli.Tests.Commands;

/// <summary><c>monge solve --method sinkhorn</c>: the acceleration, safeguard and cost-storage options and their JSON.</summary>
public sealed class SinkhornSolveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monge-sinkhorn-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Solve_CostStorageDenseAndOnline_SameCostAndGeometryReported()
    {
        var x = Write("x.npy", Pca(60, 0, 1), 60, 30);
        var y = Write("y.npy", Pca(50, 3, 2), 50, 30);
        var common = new[] { "solve", "--method", "sinkhorn", "--source", x, "--target", y, "--epsilon", "0.01", "--relative-epsilon", "--threshold", "1e-9", "--max-iterations", "100000", "--json" };
        var dense = Json([.. common, "--cost-storage", "dense"]);
        var online = Json([.. common, "--cost-storage", "online", "--momentum", "1"]);
        var auto = Json(common);
        Assert.Equal("dense", dense["geometry"]!["kind"]!.GetValue<string>());
        Assert.Equal(2L * 60 * 50 * sizeof(double), dense["geometry"]!["bytes"]!.GetValue<long>());
        Assert.Equal("online", online["geometry"]!["kind"]!.GetValue<string>());
        Assert.Equal("dense", auto["geometry"]!["kind"]!.GetValue<string>()); // d = 30, tiny matrix: stored
        Assert.Equal(1.0, online["momentum"]!.GetValue<double>());
        Assert.True(auto["momentum"]!.GetValue<double>() > 1, "the default over-relaxation is adaptive");
        foreach (var run in new[] { dense, online, auto })
        {
            Assert.Equal("Converged", run["status"]!.GetValue<string>());
        }

        // Plain online Sinkhorn is the oracle for the accelerated, stored runs.
        NumericAssert.Close(online["cost"]!.GetValue<double>(), dense["cost"]!.GetValue<double>(), rtol: 1e-7);
        NumericAssert.Close(online["cost"]!.GetValue<double>(), auto["cost"]!.GetValue<double>(), rtol: 1e-7);
    }

    [Fact]
    public void Solve_DenseAboveCostMemory_Exit2NamingTheFlags()
    {
        var x = Write("x.npy", Pca(40, 0, 3), 40, 30);
        var (code, _, stderr) = Run("solve", "--method", "sinkhorn", "--source", x, "--target", x, "--cost-storage", "dense", "--cost-memory", "1K");
        Assert.Equal(2, code);
        Assert.Contains("--cost-storage dense", stderr, StringComparison.Ordinal);
        Assert.Contains("--cost-memory", stderr, StringComparison.Ordinal);
        var (bad, _, badErr) = Run("solve", "--method", "sinkhorn", "--source", x, "--target", x, "--cost-memory", "lots");
        Assert.Equal(2, bad);
        Assert.Contains("--cost-memory", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_Momentum18FromZeroOnPcaPair_SafeguardConvergesNoSafeguardReportsDiverged()
    {
        // The library test's pair (SinkhornAccelerationTests): ω = 1.8 from f = 0 blows up at the default ε.
        var x = Write("x.npy", Pca(500, 0, 4), 500, 30);
        var y = Write("y.npy", Pca(450, 3, 5), 450, 30);
        var common = new[] { "solve", "--method", "sinkhorn", "--source", x, "--target", y, "--momentum", "1.8", "--threshold", "1e-6", "--json" };
        var safe = Json(common);
        Assert.Equal("Converged", safe["status"]!.GetValue<string>());
        NumericAssert.Close(1.0, safe["transported_mass"]!.GetValue<double>(), rtol: 1e-5);

        var (_, stdout, _) = Run([.. common, "--no-safeguard"]);
        var diverged = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal("Diverged", diverged["status"]!.GetValue<string>());
        Assert.False(diverged["converged"]!.GetValue<bool>());
        Assert.Equal(0, diverged["safeguard_rollbacks"]!.GetValue<int>());
        Assert.True(safe["safeguard_rollbacks"]!.GetValue<int>() >= 1);
    }

    private static double[] Pca(int n, double shift, int seed)
    {
        const int d = 30;
        var centers = new double[4 * d];
        var c0 = new Random(5);
        for (var k = 0; k < centers.Length; k++)
        {
            centers[k] = Gaussian(c0) * 1.5 * 25 / Math.Sqrt((k % d) + 1);
        }

        var rng = Seeds.Create(seed);
        var data = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            var c = rng.Next(4);
            for (var k = 0; k < d; k++)
            {
                data[(i * d) + k] = (Gaussian(rng) * 25 / Math.Sqrt(k + 1)) + centers[(c * d) + k] + shift;
            }
        }

        return data;
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = MongeApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static JsonObject Json(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.True(code == 0, stderr);
        return JsonNode.Parse(stdout)!.AsObject();
    }

    private string Write(string name, double[] data, int n, int d)
    {
        var path = Path.Combine(_dir, name);
        NpyFormat.Write(path, new NumericArray(data, n, d));
        return path;
    }
}
