using System.CommandLine;
using Monge.Problems;

namespace Monge.Cli.Commands.Gw;

/// <summary>
/// One <c>--method</c> of <c>monge gw</c>. To add a method, implement this in its own file and add one line to
/// <see cref="GwMethods.All"/>. The method declares every option it uses in <see cref="CreateOptions"/> (the command
/// rejects an option the chosen method does not declare, <see cref="Infrastructure.MethodOptions"/>); the command owns
/// the inputs (clouds or cost matrices, weights, features, α, loss) and the outputs (--plan-out, --match-out, --json).
/// </summary>
public interface IGwMethod
{
    /// <summary>The value of <c>--method</c> (for example "cg").</summary>
    string Name { get; }

    /// <summary>One line for the help text.</summary>
    string Description { get; }

    /// <summary>Creates the options this method uses (new instances on every call), each described for this method alone.</summary>
    /// <returns>The options, in help order.</returns>
    IEnumerable<Option> CreateOptions();

    /// <summary>The marginal relaxation this method's options ask for (read before the problem is built); null for balanced.</summary>
    /// <param name="parse">The parse result.</param>
    /// <returns>The relaxation, or null.</returns>
    Relaxation? GetRelaxation(ParseResult parse) => null;

    /// <summary>Solves the problem and returns the summary and the plan products the command writes.</summary>
    /// <param name="input">The problem, the parse result, progress and cancellation.</param>
    /// <returns>The outcome; its summary has at least cost, gw_cost, linear_cost, converged, status, iterations.</returns>
    GwOutcome Run(GwInput input);
}
