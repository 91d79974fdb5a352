using System.CommandLine;

namespace Monge.Cli.Commands.Barycenter;

/// <summary>
/// One <c>--method</c> of <c>monge barycenter</c>. To add a method, implement this in its own file and add one line to
/// <see cref="BarycenterMethods.All"/>. The method declares every option it uses in <see cref="CreateOptions"/> (the
/// command rejects an option the chosen method does not declare, <see cref="Infrastructure.MethodOptions"/>; two methods
/// may declare the same name only with the same type and default). The command owns <c>--inputs</c> (the specs, not
/// loaded: a method reads them as histograms or as point clouds), <c>--weights</c> (validated and rescaled to sum one),
/// <c>--out</c>, <c>--plot</c>, <c>--json</c>, <c>--overwrite</c> and <c>--strict</c>.
/// </summary>
public interface IBarycenterMethod
{
    /// <summary>The value of <c>--method</c> (for example "fixed").</summary>
    string Name { get; }

    /// <summary>One line for the help text.</summary>
    string Description { get; }

    /// <summary>
    /// Whether the method can draw <c>--plot</c> at all (a method that can may still decline for some inputs, for example a
    /// support of three or more dimensions); <c>--plot</c> with a method that cannot is refused before any work.
    /// </summary>
    bool CanPlot => true;

    /// <summary>Creates the options this method uses (new instances on every call), each described for this method alone.</summary>
    /// <returns>The options, in help order.</returns>
    IEnumerable<Option> CreateOptions();

    /// <summary>Loads the inputs, solves, and returns the summary and the barycenter the command writes.</summary>
    /// <param name="input">The input specs, the weights, the parse result, progress and cancellation.</param>
    /// <returns>
    /// The outcome; its summary has at least <c>objective</c> (Σ_k w_k W(bary, μ_k) as the method defines it, and
    /// <c>objective_kind</c> saying which), <c>converged</c>, <c>status</c>, <c>iterations</c>.
    /// </returns>
    BarycenterOutcome Run(BarycenterInput input);
}
