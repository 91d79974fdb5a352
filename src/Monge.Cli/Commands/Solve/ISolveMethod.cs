using System.CommandLine;
using System.Text.Json.Nodes;

namespace Monge.Cli.Commands.Solve;

/// <summary>
/// One <c>--method</c> of <c>monge solve</c>. To add a method, implement this in its own file and add one line to
/// <see cref="SolveMethods.All"/>. The method declares every option it uses in <see cref="CreateOptions"/>, with its own
/// description; the command adds each name once, composes the help line from every method's statement and rejects an
/// option the chosen method does not declare (<see cref="Infrastructure.MethodOptions"/>).
/// </summary>
public interface ISolveMethod
{
    /// <summary>The value of <c>--method</c> (for example "sinkhorn").</summary>
    string Name { get; }

    /// <summary>One line for the help text.</summary>
    string Description { get; }

    /// <summary>Whether the method has an iterative convergence trace (for <c>--plot-trace</c>).</summary>
    bool HasTrace => true;

    /// <summary>
    /// Creates the options this method uses (new instances on every call), each described for this method alone. Shared
    /// outputs come from <see cref="SolveOutputs"/> with this method's statement of what it writes.
    /// </summary>
    /// <returns>The options, in help order.</returns>
    IEnumerable<Option> CreateOptions();

    /// <summary>Runs the method and returns its JSON summary (at least method, n, m, cost, converged, iterations, seconds).</summary>
    /// <param name="input">Loaded inputs, the parse result for reading options, the progress sink and the details to fill
    /// (<see cref="SolveDetails"/>: convergence and source map, used by --plot, --plot-trace and --report).</param>
    /// <returns>The summary; <see cref="SolveCommand"/> prints it and maps <c>converged</c> to the exit code with --strict.</returns>
    JsonObject Run(SolveInput input);
}
