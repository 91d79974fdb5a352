using System.Text.Json;
using Monge.IO;
using Monge.Testing;

namespace Monge.Cli.Tests.Commands;

/// <summary><c>--plan-out FILE.npz --top-k K</c> against brute force over the dense plan of the same (deterministic) solve,
/// and <c>monge plot plan</c> on the result.</summary>
public sealed class TopKPlanTests
{
    private static (string X, string Y) WriteClouds(CliRunner cli, int n, int m)
    {
        var random = Seeds.Create(21);
        NpyFormat.Write(cli.File("x.npy"), new NumericArray(Enumerable.Range(0, n * 2).Select(_ => random.NextDouble()).ToArray(), n, 2));
        NpyFormat.Write(cli.File("y.npy"), new NumericArray(Enumerable.Range(0, m * 2).Select(_ => random.NextDouble()).ToArray(), m, 2));
        return (cli.File("x.npy"), cli.File("y.npy"));
    }

    [Theory]
    [InlineData("sinkhorn", 3)]
    [InlineData("frlc", 2)]
    [InlineData("emd", 1)]
    [InlineData("sinkhorn --float32", 4)]
    public void Solve_TopK_HoldsTheKLargestEntriesOfEachRow(string method, int k)
    {
        var extra = method.Split(' ')[1..];
        method = method.Split(' ')[0];
        using var cli = new CliRunner();
        const int n = 40;
        const int m = 31;
        var (x, y) = WriteClouds(cli, n, m);
        var dense = cli.File("dense.npy");
        var top = cli.File("top.npz");
        var (code, _, stderr) = cli.Run(["solve", "--method", method, "--source", x, "--target", y, "--plan-out", method == "emd" ? cli.File("dense.csv") : dense, .. extra]);
        Assert.True(code == ExitCodes.Ok, stderr);
        var (code2, stdout, stderr2) = cli.Run(["solve", "--method", method, "--source", x, "--target", y, "--plan-out", top, "--top-k", k.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", .. extra]);
        Assert.True(code2 == ExitCodes.Ok, stderr2);

        var plan = method == "emd" ? FromTriplets(CsvFormat.Read(cli.File("dense.csv")).Values, n, m) : NpyFormat.Read(dense).ToDoubleArray();
        var archive = NpzFormat.Read(top);
        Assert.Equal([n, m], archive["shape"].ToDoubleArray().Select(v => (int)v));
        var rows = archive["rows"].ToDoubleArray();
        var cols = archive["cols"].ToDoubleArray();
        var values = archive["values"].ToDoubleArray();
        var expectedMass = 0.0;
        for (var i = 0; i < n; i++)
        {
            var expected = Enumerable.Range(0, m).Select(j => plan[(i * m) + j]).Where(v => v > 0).OrderByDescending(v => v).Take(k).ToArray();
            var actual = Enumerable.Range(0, values.Length).Where(e => rows[e] == i).Select(e => values[e]).ToArray();
            NumericAssert.Close(expected, actual, rtol: 1e-9, what: $"row {i}");
            foreach (var e in Enumerable.Range(0, values.Length).Where(e => rows[e] == i))
            {
                NumericAssert.Close(plan[(i * m) + (int)cols[e]], values[e], rtol: 1e-9, what: $"entry ({i}, {cols[e]})");
            }

            expectedMass += expected.Sum();
        }

        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(values.Length, doc.RootElement.GetProperty("plan_entries").GetInt32());
        NumericAssert.Close(expectedMass, doc.RootElement.GetProperty("plan_mass_kept").GetDouble(), rtol: 1e-9);

        var png = cli.File("top.png");
        var (code3, _, stderr3) = cli.Run("plot", "plan", "--plan", top, "-o", png, "--order-rows", "--width", "640", "--height", "480");
        Assert.True(code3 == ExitCodes.Ok, stderr3);
        PngAssert.IsPlot(png, 640, 480);
    }

    [Theory]
    [InlineData("top.npz", "0")]
    [InlineData("top.npy", "3")] // not an .npz
    [InlineData("top.npz", "40")] // more than the 31 target points
    [InlineData(null, "3")] // no --plan-out
    public void Solve_BadTopK_ExitsTwo(string? planOut, string k)
    {
        using var cli = new CliRunner();
        var (x, y) = WriteClouds(cli, 40, 31);
        string[] args = ["solve", "--source", x, "--target", y, "--top-k", k];
        var (code, _, stderr) = cli.Run(planOut is null ? args : [.. args, "--plan-out", cli.File(planOut)]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--top-k", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.File("top.npz")));
    }

    [Fact]
    public void PlotPlan_DenseWithLogAndOrderedRows_WritesPng()
    {
        using var cli = new CliRunner();
        var values = Enumerable.Range(0, 12 * 9).Select(k => k % 4 == 0 ? 0.0 : (k + 1) / 1000.0).ToArray();
        NpyFormat.Write(cli.File("plan.npy"), new NumericArray(values, 12, 9));
        var png = cli.File("plan.png");
        var (code, stdout, stderr) = cli.Run("plot", "plan", "--plan", cli.File("plan.npy"), "-o", png, "--log", "--order-rows", "--width", "500", "--height", "400", "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        PngAssert.IsPlot(png, 500, 400);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("log10", doc.RootElement.GetProperty("scale").GetString());
    }

    [Fact]
    public void OrderRowsByArgmax_APermutationPlan_DrawsTheIdentity()
    {
        // Row i's mass sits in column σ(i): ordering rows by argmax puts row σ⁻¹(p) at position p, so σ(row at p) = p.
        int[] sigma = [3, 0, 4, 1, 2];
        var entries = new Plotting.BinnedPlanHeatmap.Entries([0, 1, 2, 3, 4], sigma, [1, 1, 1, 1, 1.0], 5, 5);
        var rank = Plotting.BinnedPlanHeatmap.OrderRowsByArgmax(entries);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(sigma[i], rank[i]);
        }
    }

    private static double[] FromTriplets(NumericArray triplets, int n, int m)
    {
        var t = triplets.ToDoubleArray();
        var dense = new double[n * m];
        for (var e = 0; e < triplets.Rows; e++)
        {
            dense[((int)t[3 * e] * m) + (int)t[(3 * e) + 1]] += t[(3 * e) + 2];
        }

        return dense;
    }
}
