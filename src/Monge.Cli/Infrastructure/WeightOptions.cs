using System.CommandLine;
using System.Globalization;
using Monge.Geometry;

namespace Monge.Cli.Infrastructure;

/// <summary>
/// How every verb that reads weights treats them, with one meaning for every method: weights are used <b>as given</b>
/// (never rescaled), so unbalanced problems see the real masses and costs are in the user's mass units. A balanced
/// problem whose two masses differ is a usage error (exit 2) naming both masses, unless <c>--normalize-weights</c>
/// rescales each side to total mass one first (<see cref="Apply"/>).
/// </summary>
public static class WeightOptions
{
    /// <summary>The option name.</summary>
    public const string NormalizeName = "--normalize-weights";

    /// <summary>Relative tolerance for "equal masses" (the library's <see cref="Problems.LinearProblem{T}"/> check).</summary>
    public const double MassTolerance = 1e-6;

    /// <summary>Creates the <c>--normalize-weights</c> option.</summary>
    public static Option<bool> Normalize() => new(NormalizeName)
    {
        Description = "Rescale the source and the target weights to total mass one each before solving (default: weights are used as given; "
            + "a balanced problem with unequal masses is then an error).",
    };

    /// <summary>The cloud with its weights rescaled to mass one when <paramref name="normalize"/> is set; otherwise unchanged.</summary>
    /// <param name="cloud">The loaded cloud.</param>
    /// <param name="normalize">The value of <c>--normalize-weights</c>.</param>
    public static PointCloud<double> Apply(PointCloud<double> cloud, bool normalize)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        return normalize ? cloud.WithWeights(cloud.NormalizedWeights()) : cloud;
    }

    /// <summary>Total mass of a cloud's weights (1 for uniform weights).</summary>
    public static double Mass(PointCloud<double> cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        if (!cloud.HasWeights)
        {
            return 1;
        }

        var total = 0.0;
        foreach (var w in cloud.Weights)
        {
            total += w;
        }

        return total;
    }

    /// <summary>Whether two masses are equal within <see cref="MassTolerance"/> (relative).</summary>
    public static bool SameMass(double a, double b) => Math.Abs(a - b) <= MassTolerance * Math.Max(Math.Abs(a), Math.Abs(b));

    /// <summary>
    /// The one-line error for a balanced problem with unequal masses, in CLI terms: both masses, where they come from
    /// and the flags that resolve it.
    /// </summary>
    /// <param name="source">Source cloud (as solved).</param>
    /// <param name="target">Target cloud (as solved).</param>
    /// <param name="relaxFlags">How to relax a marginal with the chosen method (for example "--tau-a/--tau-b"), or null when it cannot.</param>
    public static UsageException MassMismatch(PointCloud<double> source, PointCloud<double> target, string? relaxFlags)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        return new UsageException(
            $"the source mass is {Describe(source, "--source-weights")} but the target mass is {Describe(target, "--target-weights")}; a balanced problem needs equal masses: "
            + $"pass {NormalizeName} to rescale both to one{(relaxFlags is null ? string.Empty : $", or relax a marginal with {relaxFlags}")}.");
    }

    /// <summary>The mass of one side in words: "633.6 (sum of --source-weights)" or "1 (uniform weights)".</summary>
    public static string Describe(PointCloud<double> cloud, string flag)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        return cloud.HasWeights
            ? string.Create(CultureInfo.InvariantCulture, $"{Mass(cloud):G7} (sum of {flag})")
            : "1 (uniform weights)";
    }
}
