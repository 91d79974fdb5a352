using System.Text.Json;
using Monge.Cli.Commands;
using Monge.Cli.Commands.Solve;
using Monge.Cli.Infrastructure;
using Monge.Geometry.Costs;
using Monge.Solvers;
using Monge.Solvers.Exact;
using Monge.Testing;

namespace Monge.Cli.Tests;

public sealed class SolveReportTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Solve_Report_WritesMarkdownWithInputsAndResults()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "60", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var report = _cli.File("run.md");
        var (code, stdout, stderr) = _cli.Run("solve", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "emd", "--report", report, "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var text = File.ReadAllText(report);
        Assert.Contains("monge solve", text, StringComparison.Ordinal);
        Assert.Contains("x.npy", text, StringComparison.Ordinal);
        Assert.Contains(json.RootElement.GetProperty("cost").GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture)[..6], text, StringComparison.Ordinal);

        // An existing report is not replaced without --overwrite, and nothing is solved.
        var again = _cli.Run("solve", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "emd", "--report", report);
        Assert.Equal(ExitCodes.IoFailure, again.Code);
    }

    [Fact]
    public void Solve_NonFiniteRows_ReportedOrDropped()
    {
        File.WriteAllText(_cli.File("x.csv"), "x,y\n0,0\n1,nan\n2,2\n");
        File.WriteAllText(_cli.File("y.csv"), "x,y\n0,1\n2,1\n");
        var refused = _cli.Run("solve", "--source", _cli.File("x.csv"), "--target", _cli.File("y.csv"), "--method", "emd");
        Assert.Equal(ExitCodes.BadInput, refused.Code);
        Assert.Contains("--drop-nonfinite", refused.Err, StringComparison.Ordinal);

        var (code, stdout, stderr) = _cli.Run("solve", "--source", _cli.File("x.csv"), "--target", _cli.File("y.csv"), "--method", "emd", "--drop-nonfinite", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(2, json.RootElement.GetProperty("n").GetInt32());
    }
}

public sealed class SolvePlotAndProgressTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("sinkhorn", true)]
    [InlineData("emd", false)]
    [InlineData("frlc", true)]
    [InlineData("lowrank-sinkhorn", true)]
    public void Solve_PlotAndTrace_WritePngsAndLinkThemFromTheReport(string method, bool hasTrace)
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "80", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var plot = _cli.File("map.png");
        var trace = _cli.File("trace.png");
        var report = _cli.File("run.md");
        List<string> args = ["solve", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", method, "--plot", plot, "--report", report, "--json"];
        if (method is "frlc" or "lowrank-sinkhorn")
        {
            args.AddRange(["--rank", "4", "--lowrank-max-iterations", "30"]);
        }

        if (hasTrace)
        {
            args.AddRange(["--plot-trace", trace]);
        }

        var (code, stdout, stderr) = _cli.Run([.. args]);
        Assert.True(code is 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(plot, json.RootElement.GetProperty("plot").GetString());
        PngAssert.IsPlot(plot, 900, 700);
        var text = File.ReadAllText(report);
        Assert.Contains("map.png", text, StringComparison.Ordinal);
        if (hasTrace)
        {
            PngAssert.IsPlot(trace, 900, 700);
            Assert.Contains("trace.png", text, StringComparison.Ordinal);
            Assert.Contains("## Convergence", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Solve_TraceForMethodWithoutTrace_IsRefusedBeforeAnyWork()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "20", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var (code, _, stderr) = _cli.Run("solve", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "emd", "--plot-trace", _cli.File("t.png"), "--report", _cli.File("r.md"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--plot-trace", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("t.png")));
        Assert.False(File.Exists(_cli.File("r.md")));
    }

    [Fact]
    public void Solve_ExistingPlot_IsNotReplacedWithoutOverwrite()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "20", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var plot = _cli.File("map.png");
        File.WriteAllText(plot, "keep me");
        var (code, _, _) = _cli.Run("solve", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "emd", "--plot", plot);
        Assert.Equal(ExitCodes.IoFailure, code);
        Assert.Equal("keep me", File.ReadAllText(plot));
    }

    [Fact]
    public void EmdSourceMap_OfABijection_IsTheMatchedTargetPoint()
    {
        var x = Generators.UniformCloud(Seeds.Create(), 25, 2);
        var y = Generators.UniformCloud(Seeds.Create(1), 25, 2);
        var details = new SolveDetails();
        EmdSolve.Run(x, y, new SquaredEuclidean<double>(), null, normalize: false, overwrite: false, details: details);
        var map = details.SourceMap!();
        var lap = new LinearAssignment().Solve(x, y, new SquaredEuclidean<double>());
        for (var i = 0; i < x.Count; i++)
        {
            var j = lap.RowToColumn[i];
            NumericAssert.Close(y.Data[2 * j], map[2 * i], rtol: 1e-12, atol: 1e-12);
            NumericAssert.Close(y.Data[(2 * j) + 1], map[(2 * i) + 1], rtol: 1e-12, atol: 1e-12);
        }
    }

    [Fact]
    public void BarycentricMap_MatchesADensePlan()
    {
        const int n = 3, m = 4, d = 2;
        double[] plan = [0.1, 0, 0.05, 0, 0, 0.2, 0, 0.1, 0, 0, 0, 0];
        double[] y = [0, 0, 1, 0, 0, 1, 1, 1];
        var map = SolveDetails.BarycentricMap(n, y, m, d, (v, dst) =>
        {
            for (var i = 0; i < n; i++)
            {
                dst[i] = 0;
                for (var j = 0; j < m; j++)
                {
                    dst[i] += plan[(i * m) + j] * v[j];
                }
            }
        });
        NumericAssert.Close(0.0, map[0], atol: 1e-15);
        NumericAssert.Close(1.0 / 3, map[1], rtol: 1e-14);
        NumericAssert.Close(1.0, map[2], rtol: 1e-14);
        NumericAssert.Close(1.0 / 3, map[3], rtol: 1e-14);
        Assert.True(double.IsNaN(map[4]) && double.IsNaN(map[5]), "a row without mass has no barycenter");
    }

    [Theory]
    [InlineData("sinkhorn")]
    [InlineData("frlc")]
    [InlineData("lowrank-sinkhorn")]
    public void IterativeMethods_ReportProgressToTheSink(string method)
    {
        var x = Generators.UniformCloud(Seeds.Create(), 40, 2);
        var y = Generators.UniformCloud(Seeds.Create(1), 40, 2);
        var context = new CliContext(TextWriter.Null, TextWriter.Null, CancellationToken.None);
        var parse = SolveCommand.Create(context).Parse(["--source", "x.npy", "--target", "y.npy", "--method", method, "--rank", "3", "--lowrank-max-iterations", "20"]);
        var sink = new List<SolverProgress>();
        var details = new SolveDetails();
        var chosen = SolveMethods.All.First(m => m.Name == method);
        chosen.Run(new SolveInput(x, y, parse, context, false) { Progress = new Sink(sink), Details = details });
        Assert.NotEmpty(sink);
        Assert.True(sink[^1].Completed >= 1);
        Assert.NotNull(details.Convergence);
        Assert.NotNull(details.SourceMap);
    }

    private sealed class Sink(List<SolverProgress> list) : IProgress<SolverProgress>
    {
        public void Report(SolverProgress value)
        {
            lock (list)
            {
                list.Add(value);
            }
        }
    }
}

public sealed class SolvePlanPlotTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("sinkhorn")]
    [InlineData("emd")]
    [InlineData("frlc")]
    public void Solve_PlotPlan_DrawsTheDensePlanForSmallProblems(string method)
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "30", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var plan = _cli.File("plan.png");
        // --rank belongs to the low-rank methods; sinkhorn and emd reject it.
        string[] rank = method == "frlc" ? ["--rank", "3"] : [];
        var (code, stdout, stderr) = _cli.Run(["solve", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", method, .. rank, "--plot-plan", plan, "--json"]);
        Assert.True(code is 0, stderr);
        Assert.Contains("plot_plan", stdout, StringComparison.Ordinal);
        PngAssert.IsPlot(plan, 900, 700);
    }

    [Fact]
    public void Solve_PlotPlan_TooLargeOrWrongExtension_IsRefusedBeforeSolving()
    {
        Assert.Equal(0, _cli.Run("generate", "--dataset", "moons", "--n", "1001", "--out", _cli.File("x.npy"), "--target-out", _cli.File("y.npy")).Code);
        var large = _cli.Run("solve", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "emd", "--plot-plan", _cli.File("p.png"));
        Assert.Equal(ExitCodes.BadInput, large.Code);
        Assert.Contains("at most 1000", large.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.File("p.png")));
        var wrong = _cli.Run("solve", "--source", _cli.File("x.npy"), "--target", _cli.File("y.npy"), "--method", "emd", "--plot-plan", _cli.File("p.jpg"));
        Assert.Equal(ExitCodes.BadInput, wrong.Code);
    }
}
