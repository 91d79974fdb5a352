using System.CommandLine;
using Monge.Cli.Infrastructure;
using Monge.Solvers;

namespace Monge.Cli.Commands.Barycenter;

/// <summary>What a <c>monge barycenter</c> method gets from the command.</summary>
/// <param name="Inputs">The <c>--inputs</c> specs (FILE or FILE#KEY), in order, not loaded.</param>
/// <param name="Weights">The weights w_k, one per input, positive, rescaled to sum one (uniform when <c>--weights</c> is absent).</param>
/// <param name="Parse">The parse result (read the method's options with <see cref="Get{T}"/>).</param>
/// <param name="Context">Writers and cancellation.</param>
/// <param name="Progress">The progress sink of the solver.</param>
public sealed record BarycenterInput(IReadOnlyList<string> Inputs, IReadOnlyList<double> Weights, ParseResult Parse, CliContext Context, IProgress<SolverProgress>? Progress)
{
    /// <summary>The value of an option by name.</summary>
    /// <typeparam name="T">The option's value type.</typeparam>
    /// <param name="name">For example "--epsilon".</param>
    public T Get<T>(string name) => Parse.GetValue<T>(name)!;

    /// <summary>The <c>--input-weights</c> specs (FILE or FILE#KEY): none, or one per input.</summary>
    /// <returns>The specs in the order of <see cref="Inputs"/>, or an empty list.</returns>
    /// <exception cref="UsageException">A count other than zero or the number of inputs.</exception>
    public IReadOnlyList<string> InputWeightSpecs()
    {
        var specs = Parse.GetValue<string[]>(FreeBarycenterMethod.InputWeightsName) ?? [];
        if (specs.Length != 0 && specs.Length != Inputs.Count)
        {
            throw new UsageException($"{FreeBarycenterMethod.InputWeightsName}: {specs.Length} weight files for {Inputs.Count} inputs (give one per input, or none).");
        }

        return specs;
    }
}
