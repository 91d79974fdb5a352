using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Geometry;
using Monge.Solvers;
using Monge.Solvers.Hierarchical;

namespace Monge.Cli.Commands.Match;

/// <summary>
/// The <c>hiref</c> and <c>auto</c> methods of <c>monge match</c> and the options they own (<c>--leaf-size</c>,
/// <c>--rank-schedule</c>, <c>--slab-rounds</c>, <c>--seed</c>; <c>auto</c> uses them when it runs HiRef).
/// </summary>
public static class HirefMatch
{
    /// <summary>The option for the leaf size.</summary>
    public const string LeafSizeOption = "--leaf-size";

    /// <summary>The option for the rank schedule.</summary>
    public const string RankScheduleOption = "--rank-schedule";

    /// <summary>The option for the polish's slab rounds.</summary>
    public const string SlabRoundsOption = "--slab-rounds";

    /// <summary>The option for the seed.</summary>
    public const string SeedOption = "--seed";

    /// <summary>The option for the time/quality budget.</summary>
    public const string QualityOption = "--quality";

    /// <summary>The <c>hiref</c> method.</summary>
    public static MatchMethod HirefMethod { get; } = new("hiref", "Hierarchical Refinement: low-rank co-clustering down to exact leaves, linear memory", Solve)
    {
        CreateOptions = CreateOptions,
        ReadOptions = ReadOptions,
    };

    /// <summary>The <c>auto</c> method.</summary>
    public static MatchMethod AutoMethod { get; } = new("auto", $"exact for n ≤ {AutoExactMaxPoints} or unequal sizes, hiref above", Auto)
    {
        CreateOptions = CreateOptions,
        ReadOptions = ReadOptions,
    };

    /// <summary>Below this many points <c>auto</c> solves exactly: the library's policy, <see cref="Ot.AutoExactMaxPoints"/>.</summary>
    public const int AutoExactMaxPoints = Ot.AutoExactMaxPoints;

    /// <summary>Creates the HiRef options (new instances; <c>auto</c> uses them when it runs HiRef).</summary>
    /// <returns>--quality, --leaf-size, --rank-schedule, --slab-rounds, --seed.</returns>
    public static IEnumerable<Option> CreateOptions()
    {
        var quality = new Option<string>(QualityOption)
        {
            Description = "Time/quality budget: fast (co-clustering, exact leaves, leaf-pair rounds up to 65 536 points; no slab rounds, random parts, "
                + "neighbourhood or global step), balanced (default: + slab rounds; 2-D squared Euclidean, 65 536 < n <= 262 144: random parts, "
                + "then the neighbourhood re-solve around each partner; d >= 3, 32 768 < n <= 262 144: 2 global sparse passes), "
                + "best (balanced with more slab rounds and 4 global passes; several times slower). The JSON's polish_steps lists what ran. "
                + "The explicit options below override it.",
            DefaultValueFactory = _ => "balanced",
        };
        quality.AcceptOnlyFromAmong("fast", "balanced", "best");
        return [quality, .. CoreOptions()];
    }

    private static IEnumerable<Option> CoreOptions() =>
    [
        new Option<int?>(LeafSizeOption) { Description = "Largest block solved exactly at the leaves (default 256)." },
        new Option<string?>(RankScheduleOption) { Description = "Ranks per level, e.g. 16,16,8 (default: chosen from n)." },
        new Option<int?>(SlabRoundsOption) { Description = "Slab rounds of the polish (default from --quality: 8 for balanced, with slabs of 1024 pairs up to 32 768 points, of 512 up to 262 144 and of 32 above; 0 = off, about 2–4× faster but up to 1% further from the optimum, up to 2% at a million points)." },
        new Option<int>(SeedOption) { Description = "Seed of every random choice.", DefaultValueFactory = _ => 0 },
    ];

    /// <summary>Reads and validates the HiRef options.</summary>
    /// <param name="parse">The parse result.</param>
    /// <param name="settings">The settings to complete.</param>
    /// <returns>The settings with quality, leaf size, rank schedule, slab rounds and seed.</returns>
    /// <exception cref="UsageException">A leaf size below 1, negative slab rounds or a bad rank schedule.</exception>
    public static MatchSettings ReadOptions(ParseResult parse, MatchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(settings);
        var ranks = MatchCommand.ParseSchedule(parse.GetValue<string?>(RankScheduleOption));
        var leaf = parse.GetValue<int?>(LeafSizeOption);
        if (leaf is < 1)
        {
            throw new UsageException($"--leaf-size must be at least 1 (got {leaf}).");
        }

        var slabs = parse.GetValue<int?>(SlabRoundsOption);
        if (slabs < 0)
        {
            throw new UsageException($"--slab-rounds must be non-negative (got {slabs}).");
        }

        var quality = Enum.Parse<HiRefQuality>(parse.GetValue<string>(QualityOption) ?? "balanced", ignoreCase: true);
        return settings with { LeafSize = leaf, RankSchedule = ranks, SlabRounds = slabs, Seed = parse.GetValue<int>(SeedOption), Quality = quality };
    }

    /// <summary>Hierarchical Refinement (Halmos et al., ICML 2025): linear memory, exact leaves.</summary>
    public static MatchOutcome Solve(PointCloud<double> x, PointCloud<double> y, MatchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(settings);
        if (x.Count != y.Count)
        {
            throw new UsageException(
                $"--method hiref matches equal-size point sets, but --source has {x.Count} points and --target {y.Count}; "
                + "use --method exact (or auto, which picks exact for unequal sizes).");
        }

        var solver = HierarchicalRefinement.ForQuality(settings.Quality) with { Cost = settings.Cost, Seed = settings.Seed };
        if (settings.RankSchedule is not null)
        {
            solver = solver with { RankSchedule = settings.RankSchedule };
        }

        if (settings.LeafSize is { } leaf)
        {
            solver = solver with { LeafSize = leaf };
        }

        if (settings.SlabRounds is { } rounds)
        {
            solver = solver with { SlabRounds = rounds, LargeSlabRounds = rounds, HugeSlabRounds = rounds };
        }

        var result = solver.Solve(x, y, settings.Progress, cancellationToken);
        var levels = new JsonArray();
        foreach (var level in result.Levels)
        {
            levels.Add(new JsonObject
            {
                ["rank"] = level.Rank,
                ["blocks"] = level.BlocksSplit,
                ["largest_block"] = level.LargestBlock,
                ["seconds"] = level.Seconds,
                ["cost"] = double.IsFinite(level.BlockCost) ? level.BlockCost : null,
            });
        }

        var extra = new JsonObject
        {
            ["quality"] = settings.Quality.ToString().ToLowerInvariant(),
            ["levels"] = levels,
            ["rank_schedule"] = new JsonArray(result.RankSchedule.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
            ["peak_bytes"] = result.PeakScratchBytes,
            ["leaf_seconds"] = result.LeafSeconds,
            ["polish_seconds"] = result.PolishSeconds,
            ["cost_before_polish"] = result.CostBeforePolish,
            ["polish_steps"] = PolishSteps(result),
        };
        var convergence = new Convergence(SolverStatus.Converged, result.Levels.Count, double.NaN, double.NaN, [], result.Elapsed);
        return new MatchOutcome(result.Permutation, result.Cost * x.Count, Optimal: false, convergence, "hiref", extra) { Plan = result };
    }

    /// <summary>
    /// The polish steps that ran, in order (<see cref="HierarchicalRefinementResult.PolishSteps"/>): <c>step</c> (its name,
    /// <c>leaf pairs</c>, <c>slabs</c>, <c>global</c>, <c>groups</c>, <c>parts</c>), <c>rounds</c> run (0 when the step was
    /// skipped, e.g. the grouped global step above its dimension cap), the mean <c>cost</c> after it and its
    /// <c>seconds</c>. A user sees which budget actually ran on their data, not only the one asked for.
    /// </summary>
    /// <param name="result">The HiRef result.</param>
    /// <returns>One object per step.</returns>
    public static JsonArray PolishSteps(HierarchicalRefinementResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var steps = new JsonArray();
        foreach (var step in result.PolishSteps)
        {
            steps.Add(new JsonObject
            {
                ["step"] = step.Step,
                ["rounds"] = step.Rounds,
                ["cost"] = double.IsFinite(step.Cost) ? step.Cost : null,
                ["seconds"] = step.Seconds,
            });
        }

        return steps;
    }

    /// <summary>Exact assignment for n ≤ <see cref="AutoExactMaxPoints"/> or unequal sizes (HiRef needs n = m), Hierarchical Refinement above.</summary>
    public static MatchOutcome Auto(PointCloud<double> x, PointCloud<double> y, MatchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return x.Count <= AutoExactMaxPoints || x.Count != y.Count
            ? ExactMatch.Solve(x, y, settings, cancellationToken)
            : Solve(x, y, settings, cancellationToken);
    }
}
