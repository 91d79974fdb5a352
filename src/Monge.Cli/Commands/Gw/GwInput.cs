using System.CommandLine;
using Monge.Cli.Infrastructure;
using Monge.Problems;
using Monge.Solvers;

namespace Monge.Cli.Commands.Gw;

/// <summary>What a <c>monge gw</c> method gets: the validated problem, the parse result for its own options, progress and cancellation.</summary>
/// <param name="Problem">The quadratic problem built from the command's inputs.</param>
/// <param name="Parse">The parse result (read the method's options with <see cref="Get{T}"/>).</param>
/// <param name="Context">Writers and cancellation.</param>
/// <param name="Progress">The progress sink of the solver.</param>
public sealed record GwInput(QuadraticProblem<double> Problem, ParseResult Parse, CliContext Context, IProgress<SolverProgress>? Progress)
{
    /// <summary>The value of an option by name.</summary>
    /// <typeparam name="T">The option's value type.</typeparam>
    /// <param name="name">For example "--max-iterations".</param>
    public T Get<T>(string name) => Parse.GetValue<T>(name)!;
}
