using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Solvers;

namespace Monge.Cli.Reporting;

/// <summary>
/// The one exit policy of the solving verbs (<c>solve</c>, <c>match</c>, <c>divergence</c>), read from the solvers'
/// <see cref="Convergence"/> reports: a result that stopped at <see cref="SolverStatus.MaxIterations"/> or
/// <see cref="SolverStatus.Diverged"/> is never silent: a one-line warning on stderr in human-readable mode, and
/// <c>"status"</c> plus <c>"warning"</c> in the JSON summary. <see cref="SolverStatus.Diverged"/> exits with 1 always;
/// <see cref="SolverStatus.MaxIterations"/> exits with 1 only under <c>--strict</c> (0 otherwise);
/// <see cref="SolverStatus.Infeasible"/> exits with 2.
/// </summary>
public static class ConvergencePolicy
{
    /// <summary>The <c>--strict</c> option name.</summary>
    public const string StrictName = "--strict";

    /// <summary>Creates the <c>--strict</c> option.</summary>
    public static Option<bool> Strict() => new(StrictName)
    {
        Description = "Exit with code 1 when the solver stopped at its iteration budget without converging (a diverged run exits with 1 always).",
    };

    /// <summary>The worst of several statuses (Diverged &gt; Infeasible &gt; MaxIterations &gt; Cancelled &gt; Converged), for verbs that run several solves.</summary>
    /// <param name="statuses">The statuses.</param>
    public static SolverStatus Worst(IEnumerable<SolverStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var worst = SolverStatus.Converged;
        foreach (var status in statuses)
        {
            if (Rank(status) > Rank(worst))
            {
                worst = status;
            }
        }

        return worst;
    }

    /// <summary>The status a solve summary states: its <c>"status"</c> field, else its <c>"converged"</c> flag.</summary>
    /// <param name="summary">A method's JSON summary.</param>
    /// <param name="convergence">The method's report, used when the summary has no status.</param>
    public static SolverStatus StatusOf(JsonObject summary, Convergence? convergence)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary["status"] is JsonValue text && text.TryGetValue<string>(out var name) && Enum.TryParse<SolverStatus>(name, ignoreCase: false, out var parsed))
        {
            return parsed;
        }

        if (convergence is not null)
        {
            return convergence.Status;
        }

        return summary["converged"] is JsonValue flag && flag.TryGetValue<bool>(out var converged) && !converged ? SolverStatus.MaxIterations : SolverStatus.Converged;
    }

    /// <summary>
    /// The warning for a status, or <see langword="null"/> when there is nothing to warn about.
    /// </summary>
    /// <param name="what">What ran, for example "sinkhorn" or "the cross problem".</param>
    /// <param name="status">How it ended.</param>
    /// <param name="convergence">Its report (iterations, final error, threshold), or null.</param>
    /// <param name="strict">Whether <c>--strict</c> is set.</param>
    /// <param name="budgetFlag">The flag that sets the iteration budget (for example "--max-iterations"), or null.</param>
    public static string? Warning(string what, SolverStatus status, Convergence? convergence, bool strict, string? budgetFlag = null)
    {
        var detail = convergence is null
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $" after {convergence.Iterations} iterations (error {convergence.FinalError:G3}, threshold {convergence.Threshold:G3})");
        return status switch
        {
            SolverStatus.MaxIterations => $"{what} did not converge: it stopped at its iteration budget{detail}; the result is the last iterate, not a solution to the requested tolerance. "
                + (strict ? "Exit code 1 (--strict)." : $"Raise {budgetFlag ?? "the iteration budget"} or the threshold; --strict makes this exit with code 1."),
            SolverStatus.Diverged => $"{what} diverged{detail}: its iterates stopped being finite or blew up; the result is not a solution. Exit code 1.",
            SolverStatus.Infeasible => $"{what} found no feasible solution{detail}.",
            _ => null,
        };
    }

    /// <summary>
    /// Applies the policy: adds <c>"status"</c> (when missing) and <c>"warning"</c> to <paramref name="summary"/>, writes the
    /// warning to stderr in human-readable mode, and returns the exit code.
    /// </summary>
    /// <param name="context">Writers.</param>
    /// <param name="summary">The JSON summary (written afterwards by the caller).</param>
    /// <param name="what">What ran, for the warning.</param>
    /// <param name="status">How it ended (the worst status for verbs with several solves).</param>
    /// <param name="convergence">The report behind <paramref name="status"/>, or null.</param>
    /// <param name="json">Whether <c>--json</c> is set (then the warning is only in the summary).</param>
    /// <param name="strict">Whether <c>--strict</c> is set.</param>
    /// <param name="budgetFlag">The flag that sets the iteration budget, named in the warning, or null.</param>
    /// <returns>0, 1 (diverged; or did not converge under --strict), 2 (infeasible) or 130 (cancelled).</returns>
    public static int Apply(CliContext context, JsonObject summary, string what, SolverStatus status, Convergence? convergence, bool json, bool strict, string? budgetFlag = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(summary);
        summary["status"] ??= status.ToString();
        var warning = Warning(what, status, convergence, strict, budgetFlag);
        if (warning is not null)
        {
            summary["warning"] = warning;
            if (!json)
            {
                context.Error.WriteLine($"monge: warning: {warning}");
            }
        }

        return ExitCode(status, strict);
    }

    /// <summary>The exit code of a status under the policy.</summary>
    /// <param name="status">How the solve ended.</param>
    /// <param name="strict">Whether <c>--strict</c> is set.</param>
    public static int ExitCode(SolverStatus status, bool strict) => status switch
    {
        SolverStatus.Diverged => ExitCodes.NotConverged,
        SolverStatus.MaxIterations => strict ? ExitCodes.NotConverged : ExitCodes.Ok,
        SolverStatus.Infeasible => ExitCodes.BadInput,
        SolverStatus.Cancelled => ExitCodes.Cancelled,
        _ => ExitCodes.Ok,
    };

    private static int Rank(SolverStatus status) => status switch
    {
        SolverStatus.Diverged => 4,
        SolverStatus.Infeasible => 3,
        SolverStatus.MaxIterations => 2,
        SolverStatus.Cancelled => 1,
        _ => 0,
    };
}
