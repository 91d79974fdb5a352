using System.Text.Json.Nodes;
using Monge.IO;
using Monge.Testing;
using Monge.Tools.Sorting;

namespace Monge.Cli.Tests.Commands;

public sealed class SoftSortCommandTests : IDisposable
{
    private static readonly double[] Values = [0.3, -1.2, 2.5, 0.9, 0.1, 1.7, -0.4];
    private readonly CliRunner _cli = new();

    public SoftSortCommandTests()
    {
        NpyFormat.Write(_cli.File("v.npy"), new NumericArray(Values, Values.Length), overwrite: false);
        NpyFormat.Write(_cli.File("t.npy"), new NumericArray(new[] { -1.0, 0.0, 1.0 }, 3), overwrite: false);
    }

    public void Dispose() => _cli.Dispose();

    private double[] Read(string name) => NpyFormat.Read(_cli.File(name)).ToDoubleArray();

    [Theory]
    [InlineData("sort")]
    [InlineData("rank")]
    [InlineData("topk", "--k", "2")]
    [InlineData("quantile", "--quantiles", "0.25", "0.75")]
    [InlineData("normalize", "--targets", "TARGETS")]
    public void Softsort_EachOp_WritesTheLibraryValuesAndJson(string op, params string[] extra)
    {
        var args = new List<string> { "softsort", "--input", _cli.File("v.npy"), "--op", op, "--epsilon", "0.05", "--out", _cli.File("r.npy"), "--json" };
        args.AddRange(extra.Select(a => a == "TARGETS" ? _cli.File("t.npy") : a));
        var (code, stdout, stderr) = _cli.Run([.. args]);
        Assert.True(code == 0, stderr);
        var options = new SoftSortOptions { Epsilon = 0.05 };
        var expected = op switch
        {
            "sort" => SoftSort.Sort(Values, options: options),
            "rank" => SoftSort.Rank(Values, options: options),
            "topk" => SoftSort.TopKMask(Values, 2, options),
            "quantile" => SoftSort.Quantiles(Values, [0.25, 0.75], options: options),
            _ => SoftSort.QuantileNormalize(Values, [-1.0, 0.0, 1.0], options: options),
        };
        NumericAssert.Close(expected.Values, Read("r.npy"), rtol: 1e-12);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(op, (string?)json["op"]);
        Assert.Equal(Values.Length, (int)json["n"]!);
        Assert.Equal(expected.TargetCount, (int)json["targets"]!);
        Assert.True((bool)json["converged"]!);
    }

    [Theory]
    [InlineData("--k", "topk", "--k", "7")]
    [InlineData("--quantiles", "quantile", "--quantiles", "1.5")]
    [InlineData("--quantile-width", "quantile", "--quantiles", "0.5", "--quantile-width", "-1")]
    [InlineData("--targets", "normalize", "--targets", "UNSORTED")]
    [InlineData("--num-targets", "rank", "--num-targets", "1")]
    [InlineData("--input", "rank", "--input", "NAN")]
    public void Softsort_BadValue_ExitTwoNamingTheFlag(string flag, string op, params string[] extra)
    {
        // audit16: these came out in the library's words ("k must be in [1, n − 1]", "Value 3 is NaN.") without the flag.
        NpyFormat.Write(_cli.File("u.npy"), new NumericArray(new[] { 1.0, 0.0, 2.0 }, 3), overwrite: true);
        NpyFormat.Write(_cli.File("n.npy"), new NumericArray(new[] { 1.0, double.NaN, 2.0 }, 3), overwrite: true);
        var args = new List<string> { "softsort", "--op", op, "--out", _cli.File("r.npy") };
        if (!extra.Contains("--input"))
        {
            args.AddRange(["--input", _cli.File("v.npy")]);
        }

        args.AddRange(extra.Select(a => a switch { "UNSORTED" => _cli.File("u.npy"), "NAN" => _cli.File("n.npy"), _ => a }));
        var (code, _, stderr) = _cli.Run([.. args]);
        Assert.Equal(ExitCodes.BadInput, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"monge: error: {flag}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("r.npy")));
    }

    [Fact]
    public void Softsort_Weights_UsedAsGiven_EqualToDuplicatingAValue()
    {
        // Independent oracle: a value of weight 2/8 among six of weight 1/8 is the same measure as that value listed
        // twice with uniform weights, so the soft sort onto 8 targets must agree with the unweighted sort of the
        // duplicated vector (the weighted squashing mean and deviation agree too).
        var weights = new[] { 2.0, 1, 1, 1, 1, 1, 1 }.Select(v => v / 8).ToArray();
        NpyFormat.Write(_cli.File("w.npy"), new NumericArray(weights, weights.Length), overwrite: true);
        var (code, _, stderr) = _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "sort", "--num-targets", "8", "--weights", _cli.File("w.npy"), "--epsilon", "0.05", "--threshold", "1e-10", "--out", _cli.File("r.npy"));
        Assert.True(code == 0, stderr);
        var options = new SoftSortOptions { Epsilon = 0.05, Solver = SoftSortOptions.DefaultSolver with { Threshold = 1e-10 } };
        NumericAssert.Close(SoftSort.Sort(Values, 8, weights, options).Values, Read("r.npy"), rtol: 1e-12);
        double[] duplicated = [Values[0], .. Values];
        NumericAssert.Close(SoftSort.Sort(duplicated, options: options).Values, Read("r.npy"), rtol: 1e-7, atol: 1e-9);

        // Weights of another total are refused (not rescaled in silence); --normalize-weights rescales them.
        NpyFormat.Write(_cli.File("w8.npy"), new NumericArray(new[] { 2.0, 1, 1, 1, 1, 1, 1 }, 7), overwrite: true);
        var refused = _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "rank", "--weights", _cli.File("w8.npy"), "--out", _cli.File("q.npy"));
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Contains("--normalize-weights", refused.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("q.npy")));
        var rescaled = _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "rank", "--weights", _cli.File("w8.npy"), "--normalize-weights", "--epsilon", "0.05", "--out", _cli.File("q.npy"));
        Assert.True(rescaled.Code == 0, rescaled.Err);
        NumericAssert.Close(SoftSort.Rank(Values, null, weights, new SoftSortOptions { Epsilon = 0.05 }).Values, Read("q.npy"), rtol: 1e-12);

        // Bad weights and ops without weights: exit 2 naming the flag.
        NpyFormat.Write(_cli.File("wneg.npy"), new NumericArray(new[] { 2.0, -1, 1, 1, 1, 1, 3 }.Select(v => v / 8).ToArray(), 7), overwrite: true);
        Assert.Contains("--weights", _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "sort", "--weights", _cli.File("wneg.npy"), "--out", _cli.File("z.npy")).Err, StringComparison.Ordinal);
        Assert.Contains("--weights", _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "sort", "--weights", _cli.File("t.npy"), "--out", _cli.File("z.npy")).Err, StringComparison.Ordinal);
        var topk = _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "topk", "--k", "2", "--weights", _cli.File("w.npy"), "--out", _cli.File("z.npy"));
        Assert.Equal(ExitCodes.BadInput, topk.Code);
        Assert.Contains("--weights applies to --op", topk.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("z.npy")));
    }

    [Fact]
    public void Softsort_OptionOfAnotherOp_IsRejected()
    {
        var (code, _, stderr) = _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "sort", "--k", "2", "--out", _cli.File("r.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--k applies to --op topk", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("r.npy")));
    }

    [Fact]
    public void Softsort_Plot_DrawsRanksAndIsRejectedForSort()
    {
        var (code, _, stderr) = _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "rank", "--out", _cli.File("r.npy"), "--plot", _cli.File("r.png"));
        Assert.True(code == 0, stderr);
        PngAssert.IsPlot(_cli.File("r.png"), 900, 700);
        var sort = _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "sort", "--out", _cli.File("s.npy"), "--plot", _cli.File("s.png"));
        Assert.Equal(2, sort.Code);
        Assert.False(File.Exists(_cli.File("s.png")));
    }

    [Theory]
    [InlineData("topk")]
    [InlineData("quantile")]
    [InlineData("normalize")]
    public void Softsort_MissingOperand_ExitsWithUsageError(string op)
    {
        var (code, _, stderr) = _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", op, "--out", _cli.File("r.npy"));
        Assert.Equal(2, code);
        Assert.Contains("needs --", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Softsort_BadValues_ExitWithBadInputAndExistingOutputIsKept()
    {
        Assert.Equal(2, _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "topk", "--k", "7", "--out", _cli.File("r.npy")).Code);
        Assert.Equal(2, _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "shuffle", "--out", _cli.File("r.npy")).Code);
        File.WriteAllText(_cli.File("old.npy"), "keep");
        Assert.Equal(3, _cli.Run("softsort", "--input", _cli.File("v.npy"), "--op", "sort", "--out", _cli.File("old.npy")).Code);
        Assert.Equal("keep", File.ReadAllText(_cli.File("old.npy")));
    }

    [Fact]
    public void Softsort_NotConverged_WarnsAndStrictExitsWithOne()
    {
        var args = new[] { "softsort", "--input", _cli.File("v.npy"), "--op", "rank", "--epsilon", "1e-4", "--max-iterations", "2", "--threshold", "1e-12", "--out", _cli.File("r.npy") };
        var (code, _, stderr) = _cli.Run(args);
        Assert.Equal(0, code);
        Assert.Contains("did not converge", stderr, StringComparison.Ordinal);
        var strict = _cli.Run([.. args, "--strict", "--overwrite"]);
        Assert.Equal(1, strict.Code);
    }
}
