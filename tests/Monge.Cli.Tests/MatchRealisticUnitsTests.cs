using System.Text.Json;
using Monge.Geometry;
using Monge.IO;
using Monge.Testing;

namespace Monge.Cli.Tests;

/// <summary>
/// audit30 (stop 23): <c>monge match --method hiref</c> tried as a single-cell user would — micrometre tissue coordinates
/// against the same slices in millimetres, the polish steps that ran reported in the JSON.
/// </summary>
public sealed class MatchRealisticUnitsTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    // Units never change an answer: the same slices in µm and in mm give the same permutation, the cost in the units
    // (× 10⁻⁶ squared, × 10⁻³ Euclidean) and, with --certify, the same certified gap. UnitsData.Micrometres has no
    // collinear points, so the optimum has no exact ties that rounding could break either way.
    [Theory]
    [InlineData("sqeuclidean", 1e-6)]
    [InlineData("euclidean", 1e-3)]
    public void Match_Hiref_MicrometresVersusMillimetres_SamePermutationCostInTheUnitsAndSameGap(string cost, double costFactor)
    {
        const int n = 1024;
        var (x, y) = UnitsData.Micrometres(n, 23);
        Write("x_um.npy", x);
        Write("y_um.npy", y);
        Write("x_mm.npy", UnitsData.Scaled(x, 1e-3));
        Write("y_mm.npy", UnitsData.Scaled(y, 1e-3));
        (int[] Perm, double Cost, double Gap) Match(string units)
        {
            var (code, stdout, stderr) = _cli.Run(
                "match", "--method", "hiref", "--source", _cli.File($"x_{units}.npy"), "--target", _cli.File($"y_{units}.npy"),
                "--cost", cost, "--leaf-size", "64", "--certify", "--out", _cli.File($"p_{units}.npy"), "--json");
            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            var perm = NpyFormat.Read(_cli.File($"p_{units}.npy")).ToDoubleArray().Select(v => (int)v).ToArray();

            // How the certificate's Sinkhorn ended is reported (a stage stopped at its budget gives a valid, looser bound).
            Assert.Contains(json.RootElement.GetProperty("certificate_sinkhorn_status").GetString(), new[] { "Converged", "MaxIterations" });
            Assert.True(json.RootElement.GetProperty("certificate_sinkhorn_iterations").GetInt32() >= 1);
            return (perm, json.RootElement.GetProperty("cost").GetDouble(), json.RootElement.GetProperty("gap").GetDouble());
        }

        var um = Match("um");
        var mm = Match("mm");
        Assert.Equal(Enumerable.Range(0, n), um.Perm.Order());
        Assert.Equal(um.Perm, mm.Perm);
        Assert.Equal(um.Cost * costFactor, mm.Cost, um.Cost * costFactor * 1e-9);
        Assert.True(um.Gap >= 0 && double.IsFinite(um.Gap), $"gap {um.Gap}");
        Assert.Equal(um.Gap, mm.Gap, 1e-6);
    }

    // A dimension mismatch names both inputs as the user wrote them (an .h5ad with several obsm keys is the usual cause).
    [Fact]
    public void Match_DimensionMismatch_NamesBothInputs()
    {
        Write("a.npy", new PointCloud<double>(new double[20 * 3], 20, 3));
        Write("b.npy", new PointCloud<double>(new double[20 * 2], 20, 2));
        var (code, _, stderr) = _cli.Run("match", "--source", _cli.File("a.npy"), "--target", _cli.File("b.npy"), "--out", _cli.File("p.npy"));
        Assert.Equal(ExitCodes.BadInput, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("a.npy", line, StringComparison.Ordinal);
        Assert.Contains("b.npy", line, StringComparison.Ordinal);
        Assert.Contains("--source", line, StringComparison.Ordinal);
        Assert.Contains("--target", line, StringComparison.Ordinal);
    }

    // Steps run: the JSON lists every polish step in order with its rounds, the cost after it and its seconds; the costs
    // never rise, the first starts at or below cost_before_polish and the last is the reported cost.
    [Fact]
    public void Match_Hiref_JsonListsThePolishStepsThatRan()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "checkerboard", "--n", "600", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var (code, stdout, stderr) = _cli.Run("match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "hiref", "--leaf-size", "64", "--out", _cli.File("p.npy"), "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var steps = json.RootElement.GetProperty("polish_steps").EnumerateArray().ToList();
        Assert.Equal(["leaf pairs", "slabs"], steps.Select(s => s.GetProperty("step").GetString()));
        var before = json.RootElement.GetProperty("cost_before_polish").GetDouble();
        var previous = before;
        foreach (var step in steps)
        {
            Assert.True(step.GetProperty("rounds").GetInt32() >= 0);
            Assert.True(step.GetProperty("seconds").GetDouble() >= 0);
            var after = step.GetProperty("cost").GetDouble();
            Assert.True(after <= previous * (1 + 1e-12), $"{step.GetProperty("step").GetString()} raised the cost {previous} → {after}");
            previous = after;
        }

        Assert.Equal(json.RootElement.GetProperty("cost").GetDouble(), previous, previous * 1e-12);

        // fast runs no slab rounds: the list says so.
        var fast = _cli.Run("match", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "hiref", "--leaf-size", "64", "--quality", "fast", "--out", _cli.File("f.npy"), "--json");
        Assert.True(fast.Code == 0, fast.Err);
        using var fastJson = JsonDocument.Parse(fast.Out);
        Assert.DoesNotContain("slabs", fastJson.RootElement.GetProperty("polish_steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
    }

    private void Write(string name, PointCloud<double> cloud) => NpyFormat.Write(_cli.File(name), NumericArray.FromPointCloud(cloud));
}
