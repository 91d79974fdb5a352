using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Problems;

namespace Monge.Cli.Commands.Gw;

/// <summary>One method of <c>monge gw</c>: owns its options and solves the parsed problem.</summary>
public interface IGwMethod
{
    /// <summary>The <c>--method</c> value.</summary>
    string Name { get; }

    /// <summary>One line for the help text.</summary>
    string Description { get; }

    /// <summary>The options only this method reads.</summary>
    IReadOnlyList<Option> Options { get; }

    /// <summary>Solves the problem and returns the summary (the command adds shared fields and applies the convergence policy).</summary>
    /// <param name="parse">The parse result (for the method's options).</param>
    /// <param name="problem">The quadratic problem built from the inputs.</param>
    /// <param name="progress">Progress sink.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The summary and the solver's convergence report.</returns>
    (JsonObject Summary, Monge.Solvers.Convergence Convergence, Monge.Solvers.ITransportPlan<double> Plan) Run(ParseResult parse, QuadraticProblem<double> problem, IProgress<Monge.Solvers.SolverProgress> progress, CancellationToken cancellationToken);
}
