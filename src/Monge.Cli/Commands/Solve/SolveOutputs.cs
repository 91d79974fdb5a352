using System.CommandLine;
using Monge.Cli.Infrastructure;

namespace Monge.Cli.Commands.Solve;

/// <summary>
/// The output options of <c>monge solve</c> that several methods write: the command owns the names and the lead of each
/// help line; each method declares the ones it can produce with its own statement of what it writes
/// (<see cref="PlanOut"/>, <see cref="MapOut"/>, <see cref="PotentialsOut"/>).
/// </summary>
public static class SolveOutputs
{
    /// <summary>The plan file option.</summary>
    public const string PlanOutName = "--plan-out";

    /// <summary>The barycentric map file option.</summary>
    public const string MapOutName = "--map-out";

    /// <summary>The potentials file option.</summary>
    public const string PotentialsOutName = "--potentials-out";

    /// <summary>Largest dense plan written by <c>--plan-out</c> (entries).</summary>
    public const long MaxDensePlanEntries = 10_000_000;

    /// <summary>The lead of each shared output's help line, before the methods' statements.</summary>
    public static IReadOnlyDictionary<string, string> Leads { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PlanOutName] = $"Write the transport plan ({DataFiles.OutputTypes}).",
        [MapOutName] = $"Write the barycentric map T(x_i) = Σ_j P_ij y_j / Σ_j P_ij of the source points, n × d ({DataFiles.OutputTypes}).",
        [PotentialsOutName] = "Write the dual potentials f and g (.npz with keys f, g).",
    };

    /// <summary>A method's <c>--plan-out</c>.</summary>
    /// <param name="statement">What this method writes.</param>
    public static Option<string?> PlanOut(string statement) => new(PlanOutName) { Description = statement };

    /// <summary>A method's <c>--map-out</c>.</summary>
    /// <param name="statement">How this method computes the map.</param>
    public static Option<string?> MapOut(string statement) => new(MapOutName) { Description = statement };

    /// <summary>A method's <c>--potentials-out</c>.</summary>
    /// <param name="statement">What the potentials are for this method.</param>
    public static Option<string?> PotentialsOut(string statement) => new(PotentialsOutName) { Description = statement };

    /// <summary>Refuses a dense plan above <see cref="MaxDensePlanEntries"/> (before solving).</summary>
    /// <param name="n">Source points.</param>
    /// <param name="m">Target points.</param>
    /// <exception cref="UsageException">n·m is above the limit.</exception>
    public static void CheckDensePlan(int n, int m)
    {
        if ((long)n * m > MaxDensePlanEntries)
        {
            throw new UsageException($"--plan-out would write a dense {n} × {m} plan ({(long)n * m:N0} entries; the limit is 10^7). Use --map-out instead.");
        }
    }
}
