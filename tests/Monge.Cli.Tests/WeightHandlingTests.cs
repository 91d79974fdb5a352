using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Monge.Testing;

namespace Monge.Cli.Tests;

/// <summary>
/// Issue #12 item 2: weights are used as given by every method; a balanced problem with unequal masses exits with 2
/// naming both masses and --normalize-weights; --normalize-weights has one meaning for every method.
/// </summary>
public sealed class WeightHandlingTests : IDisposable
{
    private const double SourceMass = 633.6;
    private const double TargetMass = 706.4;
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Writes a CSV with columns x, y, mass (mass scaled to <paramref name="mass"/>) and returns the points, weights.</summary>
    private (double[] Points, double[] Weights) WriteCsv(string name, int n, int seed, double mass, double offset)
    {
        var (points, weights) = WeightedClouds.Uniform2D(n, seed, mass, offset);
        var text = new StringBuilder("x,y,mass\n");
        for (var i = 0; i < n; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{points[2 * i]:R},{points[(2 * i) + 1]:R},{weights[i]:R}\n");
        }

        File.WriteAllText(_cli.File(name), text.ToString());
        return (points, weights);
    }

    private string[] Inputs() =>
    [
        "solve", "--source", _cli.File("src.csv") + "#x,y", "--source-weights", _cli.File("src.csv") + "#mass",
        "--target", _cli.File("tgt.csv") + "#x,y", "--target-weights", _cli.File("tgt.csv") + "#mass",
    ];

    /// <summary>
    /// Brute-force dense log-domain unbalanced Sinkhorn with the KL(P ‖ a⊗b) convention (OTT-JAX): f = τ_a·(−ε LSE_j(log b_j +
    /// (g_j − C_ij)/ε)), g likewise, P_ij = a_i b_j exp((f_i + g_j − C_ij)/ε); iterated to a fixed point.
    /// </summary>
    private static (double Mass, double Cost) BruteForceUnbalanced(double[] x, double[] a, double[] y, double[] b, double epsilon, double tau)
    {
        int n = a.Length, m = b.Length;
        var c = new double[n, m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var dx = x[2 * i] - y[2 * j];
                var dy = x[(2 * i) + 1] - y[(2 * j) + 1];
                c[i, j] = (dx * dx) + (dy * dy);
            }
        }

        var f = new double[n];
        var g = new double[m];
        for (var iteration = 0; iteration < 100_000; iteration++)
        {
            var change = 0.0;
            for (var i = 0; i < n; i++)
            {
                var terms = Enumerable.Range(0, m).Select(j => Math.Log(b[j]) + ((g[j] - c[i, j]) / epsilon)).ToArray();
                var updated = tau * -epsilon * LogSumExp(terms);
                change = Math.Max(change, Math.Abs(updated - f[i]));
                f[i] = updated;
            }

            for (var j = 0; j < m; j++)
            {
                var terms = Enumerable.Range(0, n).Select(i => Math.Log(a[i]) + ((f[i] - c[i, j]) / epsilon)).ToArray();
                var updated = tau * -epsilon * LogSumExp(terms);
                change = Math.Max(change, Math.Abs(updated - g[j]));
                g[j] = updated;
            }

            if (change < 1e-13)
            {
                break;
            }
        }

        double mass = 0, cost = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var p = a[i] * b[j] * Math.Exp((f[i] + g[j] - c[i, j]) / epsilon);
                mass += p;
                cost += p * c[i, j];
            }
        }

        return (mass, cost);
    }

    private static double LogSumExp(double[] values)
    {
        var max = values.Max();
        return max + Math.Log(values.Sum(v => Math.Exp(v - max)));
    }

    [Fact]
    public void Solve_UnbalancedWithCsvMasses_UsesTheRealMasses()
    {
        // The reported case: mass columns summing to 633.6 and 706.4, τ = 0.9. Rescaling to mass one gave mass 0.76.
        var (x, a) = WriteCsv("src.csv", 40, 11, SourceMass, 0);
        var (y, b) = WriteCsv("tgt.csv", 50, 12, TargetMass, 0.5);
        const double epsilon = 0.5;
        var (code, stdout, stderr) = _cli.Run(
            [.. Inputs(), "--tau-a", "0.9", "--tau-b", "0.9", "--epsilon", "0.5", "--threshold", "1e-10", "--max-iterations", "100000", "--json"]);
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        var (mass, cost) = BruteForceUnbalanced(x, a, y, b, epsilon, 0.9);
        Assert.True(mass > 100, $"oracle mass {mass}");
        NumericAssert.Close(mass, json["transported_mass"]!.GetValue<double>(), rtol: 1e-6, what: "transported mass");
        NumericAssert.Close(cost, json["cost"]!.GetValue<double>(), rtol: 1e-6, what: "cost");
        NumericAssert.Close(SourceMass, json["source_mass"]!.GetValue<double>(), rtol: 1e-9);
        NumericAssert.Close(TargetMass, json["target_mass"]!.GetValue<double>(), rtol: 1e-9);
        Assert.False(json["normalized_weights"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("sinkhorn", true)]
    [InlineData("emd", false)]
    [InlineData("frlc", true)]
    [InlineData("lowrank-sinkhorn", false)]
    public void Solve_BalancedWithUnequalMasses_ExitsTwoNamingBothMassesAndTheFlag(string method, bool relaxes)
    {
        WriteCsv("src.csv", 20, 21, SourceMass, 0);
        WriteCsv("tgt.csv", 25, 22, TargetMass, 0.5);
        var args = new List<string>(Inputs()) { "--method", method };
        if (method is "frlc" or "lowrank-sinkhorn")
        {
            args.AddRange(["--rank", "3"]);
        }

        var (code, stdout, stderr) = _cli.Run([.. args]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("633.6", line, StringComparison.Ordinal);
        Assert.Contains("706.4", line, StringComparison.Ordinal);
        Assert.Contains("--source-weights", line, StringComparison.Ordinal);
        Assert.Contains("--normalize-weights", line, StringComparison.Ordinal);
        Assert.Equal(relaxes, line.Contains("--tau-a", StringComparison.Ordinal));
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sinkhorn")]
    [InlineData("emd")]
    [InlineData("frlc")]
    [InlineData("lowrank-sinkhorn")]
    public void Solve_NormalizeWeights_EqualsSolvingPreNormalizedWeights(string method)
    {
        // Oracle: the same problem with the weights divided by their sums in the file (the flag's one meaning).
        var (x, a) = WriteCsv("src.csv", 20, 31, SourceMass, 0);
        var (y, b) = WriteCsv("tgt.csv", 25, 32, TargetMass, 0.5);
        WriteNormalized("src1.csv", x, a);
        WriteNormalized("tgt1.csv", y, b);
        string[] extra = method switch
        {
            "sinkhorn" => ["--epsilon", "0.1", "--threshold", "1e-9"],
            "frlc" or "lowrank-sinkhorn" => ["--rank", "3", "--seed", "4"],
            _ => [],
        };
        var (code, stdout, stderr) = _cli.Run([.. Inputs(), "--method", method, "--normalize-weights", "--json", .. extra]);
        Assert.True(code == 0, stderr + stdout);
        var (code1, stdout1, stderr1) = _cli.Run(
        [
            "solve", "--json", "--source", _cli.File("src1.csv") + "#x,y", "--source-weights", _cli.File("src1.csv") + "#mass",
            "--target", _cli.File("tgt1.csv") + "#x,y", "--target-weights", _cli.File("tgt1.csv") + "#mass", "--method", method, .. extra,
        ]);
        Assert.True(code1 == 0, stderr1);
        var normalized = JsonNode.Parse(stdout)!.AsObject();
        var byHand = JsonNode.Parse(stdout1)!.AsObject();
        NumericAssert.Close(byHand["cost"]!.GetValue<double>(), normalized["cost"]!.GetValue<double>(), rtol: 1e-9);
        NumericAssert.Close(1, normalized["source_mass"]!.GetValue<double>(), rtol: 1e-12);
        Assert.True(normalized["normalized_weights"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("frlc")]
    [InlineData("lowrank-sinkhorn")]
    public void Solve_LowRankWithEqualMassesOtherThanOne_ExitsTwoInsteadOfRescaling(string method)
    {
        // The low-rank solvers work at mass one; equal masses of 633.6 would be silently rescaled.
        WriteCsv("src.csv", 20, 41, SourceMass, 0);
        WriteCsv("tgt.csv", 25, 42, SourceMass, 0.5);
        var (code, _, stderr) = _cli.Run([.. Inputs(), "--method", method, "--rank", "3"]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--normalize-weights", stderr, StringComparison.Ordinal);
        Assert.Contains("633.6", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_EmdWithEqualMassesOtherThanOne_ReportsTheCostWithTheGivenMasses()
    {
        // Exact OT is linear in the masses: with both masses 633.6 the cost is 633.6 times the normalized one.
        WriteCsv("src.csv", 15, 51, SourceMass, 0);
        WriteCsv("tgt.csv", 18, 52, SourceMass, 0.5);
        var (code, stdout, stderr) = _cli.Run([.. Inputs(), "--method", "emd", "--json"]);
        Assert.True(code == 0, stderr);
        var (code1, stdout1, stderr1) = _cli.Run([.. Inputs(), "--method", "emd", "--json", "--normalize-weights"]);
        Assert.True(code1 == 0, stderr1);
        NumericAssert.Close(
            SourceMass * JsonNode.Parse(stdout1)!["cost"]!.GetValue<double>(),
            JsonNode.Parse(stdout)!["cost"]!.GetValue<double>(),
            rtol: 1e-9);
    }

    private void WriteNormalized(string name, double[] points, double[] weights)
    {
        // w · (1 / Σw), summed in order: bit for bit what rescaling to mass one gives, so iterative methods take the same steps.
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        var inverse = 1.0 / total;
        var text = new StringBuilder("x,y,mass\n");
        for (var i = 0; i < weights.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{points[2 * i]:R},{points[(2 * i) + 1]:R},{weights[i] * inverse:R}\n");
        }

        File.WriteAllText(_cli.File(name), text.ToString());
    }
}
