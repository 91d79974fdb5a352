using System.CommandLine;
using System.Globalization;
using Monge.Cli.Infrastructure;
using Monge.Geometry;
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
    /// <summary>
    /// Loads every input as a point cloud with its <c>--input-weights</c> (one meaning for every verb: weights are used as
    /// given). A barycenter of measures needs each input at total mass one: a weight vector of another total is refused
    /// (exit 2, naming its total and the flags) unless <c>--normalize-weights</c> rescales each input to mass one.
    /// </summary>
    /// <returns>The inputs, in the order of <see cref="Inputs"/>.</returns>
    /// <exception cref="UsageException">A wrong count of weight files, or a total other than one without <c>--normalize-weights</c>.</exception>
    public IReadOnlyList<PointCloud<double>> LoadClouds()
    {
        var weightSpecs = InputWeightSpecs();
        var normalize = Parse.GetValue<bool>(WeightOptions.NormalizeName);
        var clouds = new List<PointCloud<double>>(Inputs.Count);
        for (var k = 0; k < Inputs.Count; k++)
        {
            var cloud = DataFiles.LoadPoints(Inputs[k], weightSpecs.Count == 0 ? null : weightSpecs[k], DataLoadOptions.Default, $"input {k + 1}").Cloud;
            var mass = WeightOptions.Mass(cloud);
            if (!normalize && !WeightOptions.SameMass(mass, 1))
            {
                throw new UsageException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{FreeBarycenterMethod.InputWeightsName}: the weights of input {k + 1} ({weightSpecs[k]}) sum to {mass:G7}; a barycenter of measures needs each input at mass one: pass {WeightOptions.NormalizeName} to rescale each input to one."));
            }

            clouds.Add(WeightOptions.Apply(cloud, normalize));
        }

        return clouds;
    }
}
