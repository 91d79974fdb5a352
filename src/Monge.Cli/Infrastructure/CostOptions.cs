using System.CommandLine;
using Monge.Geometry.Costs;

namespace Monge.Cli.Infrastructure;

/// <summary>
/// The one <c>--cost</c> option of every verb: the names come from <see cref="CostFunction.Names"/> and the value is
/// parsed once by <see cref="CostFunction.Parse{T}"/> (<see cref="Parse"/>).
/// </summary>
public static class CostOptions
{
    /// <summary>The option name.</summary>
    public const string Name = "--cost";

    /// <summary>The default cost name.</summary>
    public const string Default = "sqeuclidean";

    /// <summary>Creates the <c>--cost</c> option.</summary>
    /// <param name="note">An optional sentence appended to the description (what the verb's methods do with the cost).</param>
    public static Option<string> Create(string? note = null) => new(Name)
    {
        Description = $"Ground cost: {CostFunction.NameList} (default {Default}; pnorm:P is Σ|x_k − y_k|^P with P ≥ 1)." + (note is null ? string.Empty : " " + note),
        DefaultValueFactory = _ => Default,
    };

    /// <summary>Parses a <c>--cost</c> value.</summary>
    /// <param name="name">The value (null: the default).</param>
    /// <returns>The cost.</returns>
    /// <exception cref="UsageException">An unknown name or a bad pnorm exponent; the message names the flag.</exception>
    public static ICostFunction<double> Parse(string? name)
    {
        try
        {
            return CostFunction.Parse<double>(name ?? Default);
        }
        catch (InputValidationException ex)
        {
            var message = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new UsageException($"{Name}: {message}");
        }
    }

    /// <summary>The single-precision counterpart of a parsed cost (names round-trip through <see cref="CostFunction.Parse{T}"/>).</summary>
    /// <param name="cost">A built-in cost.</param>
    public static ICostFunction<float> ToSingle(ICostFunction<double> cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        return CostFunction.Parse<float>(cost.Name);
    }
}
