using System.CommandLine;
using System.Text.Json.Nodes;

namespace Monge.Cli.Commands.Solve;

/// <summary>
/// One <c>--method</c> of <c>monge solve</c>. To add a method, implement this in its own file and add one line to
/// <see cref="SolveMethods.All"/>. Method-specific options are added by <see cref="AddOptions"/> (prefix them or keep
/// names shared where the meaning is shared, for example <c>--epsilon</c>).
/// </summary>
public interface ISolveMethod
{
    /// <summary>The value of <c>--method</c> (for example "sinkhorn").</summary>
    string Name { get; }

    /// <summary>One line for the help text.</summary>
    string Description { get; }

    /// <summary>Whether the method has an iterative convergence trace (for <c>--plot-trace</c>).</summary>
    bool HasTrace => true;

    /// <summary>Adds this method's options to the command (called once; options already present are skipped by name).</summary>
    /// <param name="command">The <c>solve</c> command.</param>
    void AddOptions(Command command);

    /// <summary>Runs the method and returns its JSON summary (at least method, n, m, cost, converged, iterations, seconds).</summary>
    /// <param name="input">Loaded inputs, the parse result for reading options, the progress sink and the details to fill
    /// (<see cref="SolveDetails"/>: convergence and source map, used by --plot, --plot-trace and --report).</param>
    /// <returns>The summary; <see cref="SolveCommand"/> prints it and maps <c>converged</c> to the exit code with --strict.</returns>
    JsonObject Run(SolveInput input);
}
