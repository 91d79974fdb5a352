using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Monge.Cli.Infrastructure;

/// <summary>
/// Turns exceptions into the one-line messages a user reads: no .NET internals (the <c>(Parameter 'x')</c> suffix of
/// <see cref="ArgumentException"/>, generic type names such as <c>ReadOnlyMemory`1</c>), and library option names
/// (<c>Epsilon</c>, <c>MaxIterations</c>, <c>tauA</c>) replaced by the command-line flags that set them. Under
/// <c>--json</c> the error is also written to stdout as <c>{"error": ..., "exit_code": ...}</c>.
/// </summary>
public static partial class CliErrors
{
    // Library names (property or parameter names in InputValidationException.ParamName and in messages) → CLI flags.
    private static readonly Dictionary<string, string> s_flags = new(StringComparer.Ordinal)
    {
        ["Epsilon"] = "--epsilon",
        ["EpsilonScaling"] = "--epsilon-scaling/--epsilon-decay",
        ["Threshold"] = "--threshold",
        ["Momentum"] = "--momentum",
        ["SubsampleSize"] = "--subsample-size",
        ["SubsampleEpsilonMultiplier"] = "--subsample-epsilon",
        ["InitializedScalingStart"] = "--scaling-start",
        ["Rank"] = "--rank",
        ["LatentRank"] = "--rank",
        ["tauA"] = "--tau-a",
        ["tauB"] = "--tau-b",
        ["rhoA"] = "--rho-a",
        ["rhoB"] = "--rho-b",
        ["InnerRelaxation"] = "--rho-in",
        ["Seed"] = "--seed",
        ["LeafSize"] = "--leaf-size",
        ["RankSchedule"] = "--rank-schedule",
        ["sourceWeights"] = "--source-weights",
        ["targetWeights"] = "--target-weights",
    };

    /// <summary>The message for <paramref name="ex"/> in command-line terms.</summary>
    /// <param name="ex">The exception.</param>
    /// <param name="args">The command line (to tell <c>--max-iterations</c> from <c>--lowrank-max-iterations</c>).</param>
    public static string Message(Exception ex, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(args);
        var message = ex.Message;
        string? parameter = null;
        if (ex is ArgumentException argument && argument.ParamName is { } name)
        {
            parameter = name;
            var suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        message = GenericArity().Replace(message, "$1");
        var flags = new Dictionary<string, string>(s_flags, StringComparer.Ordinal)
        {
            ["MaxIterations"] = args.Contains("--lowrank-max-iterations", StringComparer.Ordinal) ? "--lowrank-max-iterations" : "--max-iterations",
        };
        flags["MinIterations"] = flags["MaxIterations"];
        var replaced = false;
        foreach (var (libraryName, flag) in flags)
        {
            var pattern = new Regex($@"(?<![\w-]){Regex.Escape(libraryName)}(?!\w)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            if (pattern.IsMatch(message))
            {
                message = pattern.Replace(message, flag);
                replaced |= libraryName == parameter;
            }
        }

        if (parameter is not null && !replaced && flags.TryGetValue(parameter, out var parameterFlag) && !message.Contains(parameterFlag, StringComparison.Ordinal))
        {
            message = $"{parameterFlag}: {message}";
        }

        return message;
    }

    /// <summary>The JSON error object written to stdout under <c>--json</c>.</summary>
    /// <param name="message">The one-line message.</param>
    /// <param name="exitCode">The exit code.</param>
    public static JsonObject Json(string message, int exitCode) => new()
    {
        ["error"] = message,
        ["exit_code"] = exitCode,
    };

    [GeneratedRegex(@"\b(\w+)`\d+")]
    private static partial Regex GenericArity();
}
