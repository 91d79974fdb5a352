using System.CommandLine;
using Monge.Geometry;

namespace Monge.Cli.Commands.Match;

/// <summary>One value of <c>monge match --method</c>, with the options it owns.</summary>
/// <param name="Name">The value of <c>--method</c>.</param>
/// <param name="Description">One line for the help text.</param>
/// <param name="Solve">Solves the matching (source, target, settings, cancellation).</param>
public sealed record MatchMethod(string Name, string Description, Func<PointCloud<double>, PointCloud<double>, MatchSettings, CancellationToken, MatchOutcome> Solve)
{
    /// <summary>Creates the options this method uses (new instances on every call), each described for this method.</summary>
    public Func<IEnumerable<Option>> CreateOptions { get; init; } = () => [];

    /// <summary>Reads and validates this method's options into the settings (before any file is loaded).</summary>
    public Func<ParseResult, MatchSettings, MatchSettings> ReadOptions { get; init; } = (_, settings) => settings;
}
