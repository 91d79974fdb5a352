using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Cli.Reporting;
using Monge.IO;
using Monge.Solvers;
using Monge.Testing;

namespace Monge.Cli.Tests;

/// <summary>
/// Issue #12 item 6 (CLI side): a non-converged or diverged result is never silent. Human mode warns on stderr, the JSON
/// carries status and warning, Diverged exits 1 always, MaxIterations exits 1 with --strict, for solve, match and divergence.
/// </summary>
public sealed class ConvergencePolicyTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private (string X, string Y) WriteClouds(int n)
    {
        var rng = Seeds.Create(606);
        var x = new double[n * 2];
        var y = new double[n * 2];
        for (var k = 0; k < x.Length; k++)
        {
            x[k] = rng.NextDouble();
            y[k] = 0.3 + rng.NextDouble();
        }

        NpyFormat.Write(_cli.File("x.npy"), new NumericArray(x, n, 2));
        NpyFormat.Write(_cli.File("y.npy"), new NumericArray(y, n, 2));
        return (_cli.File("x.npy"), _cli.File("y.npy"));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void Solve_NotConverged_WarnsOnStderrAndExitsZero()
    {
        var (x, y) = WriteClouds(20);
        var (code, _, stderr) = _cli.Run("solve", "--source", x, "--target", y, "--epsilon", "0.001", "--max-iterations", "2");
        Assert.Equal(ExitCodes.Ok, code);
        var warning = Assert.Single(Lines(stderr), l => l.StartsWith("monge: warning:", StringComparison.Ordinal));
        Assert.Contains("did not converge", warning, StringComparison.Ordinal);
        Assert.Contains("--max-iterations", warning, StringComparison.Ordinal);
        Assert.Contains("--strict", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_NotConvergedWithJson_StatusAndWarningInJsonAndStrictExitsOne()
    {
        var (x, y) = WriteClouds(20);
        var (code, stdout, stderr) = _cli.Run("solve", "--source", x, "--target", y, "--epsilon", "0.001", "--max-iterations", "2", "--json", "--strict");
        Assert.Equal(ExitCodes.NotConverged, code);
        Assert.DoesNotContain("warning", stderr, StringComparison.Ordinal);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal("MaxIterations", json["status"]!.GetValue<string>());
        Assert.False(json["converged"]!.GetValue<bool>());
        Assert.Contains("did not converge", json["warning"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Solve_Converged_NoWarning()
    {
        var (x, y) = WriteClouds(20);
        var (code, stdout, stderr) = _cli.Run("solve", "--source", x, "--target", y, "--epsilon", "0.1", "--strict", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.DoesNotContain("warning", stderr, StringComparison.Ordinal);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal("Converged", json["status"]!.GetValue<string>());
        Assert.Null(json["warning"]);
    }

    [Fact]
    public void Solve_LowRankNotConverged_WarningNamesItsBudgetFlag()
    {
        var (x, y) = WriteClouds(30);
        var (code, _, stderr) = _cli.Run("solve", "--source", x, "--target", y, "--method", "lowrank-sinkhorn", "--rank", "3", "--lowrank-max-iterations", "1");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("--lowrank-max-iterations", Assert.Single(Lines(stderr), l => l.StartsWith("monge: warning:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotConverged, _cli.Run("solve", "--source", x, "--target", y, "--method", "lowrank-sinkhorn", "--rank", "3", "--lowrank-max-iterations", "1", "--strict").Code);
    }

    [Fact]
    public void Divergence_NotConverged_WarnsAndStrictExitsOne()
    {
        var (x, y) = WriteClouds(20);
        var (code, stdout, stderr) = _cli.Run("divergence", "--source", x, "--target", y, "--epsilon", "0.001", "--max-iterations", "2");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Single(Lines(stdout));
        Assert.Contains("did not converge", Assert.Single(Lines(stderr), l => l.StartsWith("monge: warning:", StringComparison.Ordinal)), StringComparison.Ordinal);
        var (strictCode, strictOut, _) = _cli.Run("divergence", "--source", x, "--target", y, "--epsilon", "0.001", "--max-iterations", "2", "--strict", "--json");
        Assert.Equal(ExitCodes.NotConverged, strictCode);
        Assert.Equal("MaxIterations", JsonNode.Parse(strictOut)!["status"]!.GetValue<string>());
    }

    [Fact]
    public void Match_Strict_ConvergedExactMatchExitsZeroWithStatus()
    {
        var (x, y) = WriteClouds(20);
        var (code, stdout, stderr) = _cli.Run("match", "--source", x, "--target", y, "--method", "exact", "--out", _cli.File("p.npy"), "--strict", "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.Equal("Converged", JsonNode.Parse(stdout)!["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(SolverStatus.Converged, false, ExitCodes.Ok)]
    [InlineData(SolverStatus.MaxIterations, false, ExitCodes.Ok)]
    [InlineData(SolverStatus.MaxIterations, true, ExitCodes.NotConverged)]
    [InlineData(SolverStatus.Diverged, false, ExitCodes.NotConverged)]
    [InlineData(SolverStatus.Diverged, true, ExitCodes.NotConverged)]
    [InlineData(SolverStatus.Infeasible, false, ExitCodes.BadInput)]
    public void Apply_EachStatus_ExitCodeAndWarningAsDocumented(SolverStatus status, bool strict, int expected)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, CancellationToken.None);
        var summary = new JsonObject();
        var report = new Convergence(status, 17, 0.25, 1e-3, [0.5, 0.25], TimeSpan.FromSeconds(1));
        Assert.Equal(expected, ConvergencePolicy.Apply(context, summary, "sinkhorn", status, report, json: false, strict, "--max-iterations"));
        Assert.Equal(status.ToString(), summary["status"]!.GetValue<string>());
        var warned = stderr.ToString();
        if (status == SolverStatus.Converged)
        {
            Assert.Equal(string.Empty, warned);
            Assert.Null(summary["warning"]);
        }
        else
        {
            Assert.StartsWith("monge: warning: sinkhorn", warned, StringComparison.Ordinal);
            Assert.Contains("17 iterations", warned, StringComparison.Ordinal);
            Assert.NotNull(summary["warning"]);
        }

        if (status == SolverStatus.Diverged)
        {
            Assert.Contains("diverged", warned, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Worst_SeveralSolves_DivergedDominates()
    {
        Assert.Equal(SolverStatus.Diverged, ConvergencePolicy.Worst([SolverStatus.Converged, SolverStatus.Diverged, SolverStatus.MaxIterations]));
        Assert.Equal(SolverStatus.MaxIterations, ConvergencePolicy.Worst([SolverStatus.Converged, SolverStatus.MaxIterations]));
        Assert.Equal(SolverStatus.Converged, ConvergencePolicy.Worst([SolverStatus.Converged, SolverStatus.Converged]));
    }
}
