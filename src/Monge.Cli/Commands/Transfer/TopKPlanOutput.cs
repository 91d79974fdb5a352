using System.CommandLine;
using Monge.Cli.Infrastructure;
using Monge.IO;
using Monge.Solvers;

namespace Monge.Cli.Commands.Transfer;

/// <summary>
/// <c>--top-k K</c> on <c>monge solve</c>: <c>--plan-out FILE.npz</c> then holds only the K largest entries of every row of
/// the plan (<see cref="PlanTopK"/>; never n × m in memory, whatever the method), as a coordinate list with the keys
/// <c>rows</c>, <c>cols</c> (int64), <c>values</c> (float64), <c>shape</c> (int64 [n, m]) and <c>top_k</c> (int64 [K]);
/// entries with no mass are left out, so a row may have fewer than K. SciPy reads it as
/// <c>coo_matrix((values, (rows, cols)), shape=shape)</c>; <c>monge plot plan --plan FILE.npz</c> draws it.
/// </summary>
public static class TopKPlanOutput
{
    /// <summary>The option name.</summary>
    public const string OptionName = "--top-k";

    /// <summary>Creates the option.</summary>
    public static Option<int?> Create() => new(OptionName)
    {
        Description = "With --plan-out FILE.npz: write only the K largest entries of each plan row (keys rows, cols, values, shape, top_k; no n × m memory), for large problems and every method.",
    };

    /// <summary>Checks <c>--top-k</c> against <c>--plan-out</c> before loading.</summary>
    /// <param name="k">The <c>--top-k</c> value, or null.</param>
    /// <param name="planOut">The <c>--plan-out</c> value, or null.</param>
    /// <param name="overwrite">Whether the plan file may be replaced.</param>
    /// <exception cref="UsageException">K below 1, no <c>--plan-out</c>, or a plan file that is not .npz.</exception>
    /// <exception cref="IOException">The plan file exists without <c>--overwrite</c>, or its folder is missing.</exception>
    public static void Check(int? k, string? planOut, bool overwrite)
    {
        if (k is null)
        {
            return;
        }

        if (k < 1)
        {
            throw new UsageException($"--top-k must be at least 1 (got {k}).");
        }

        if (planOut is null)
        {
            throw new UsageException("--top-k needs --plan-out FILE.npz to write the entries to.");
        }

        if (!planOut.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--plan-out {planOut}: with --top-k the plan is written as .npz (keys rows, cols, values, shape, top_k).");
        }

        DataFiles.CheckOutput(planOut, overwrite);
    }

    /// <summary>Computes the top-k rows of the plan and writes them.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="k">K (at most m, checked here).</param>
    /// <param name="path">The .npz file.</param>
    /// <param name="overwrite">Whether it may be replaced.</param>
    /// <param name="cancellationToken">Cancels between blocks.</param>
    /// <returns>The number of entries written and the mass they carry (the rest of the plan's mass is left out).</returns>
    /// <exception cref="UsageException">K above the number of target points.</exception>
    public static (int Entries, double Mass) Write(ITransportPlan<double> plan, int k, string path, bool overwrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (k > plan.TargetCount)
        {
            throw new UsageException($"--top-k {k} is more than the {plan.TargetCount} target points.");
        }

        var (indices, values) = PlanTopK.Compute(plan, k, cancellationToken);
        var rows = new List<long>();
        var cols = new List<long>();
        var kept = new List<double>();
        for (var e = 0; e < values.Length; e++)
        {
            if (values[e] > 0)
            {
                rows.Add(e / k);
                cols.Add(indices[e]);
                kept.Add(values[e]);
            }
        }

        NpzFormat.Write(
            path,
            new Dictionary<string, NumericArray>
            {
                ["rows"] = new(rows.ToArray(), rows.Count),
                ["cols"] = new(cols.ToArray(), cols.Count),
                ["values"] = new(kept.ToArray(), kept.Count),
                ["shape"] = new(new long[] { plan.SourceCount, plan.TargetCount }, 2),
                ["top_k"] = new(new long[] { k }, 1),
            },
            overwrite);
        return (kept.Count, kept.Sum());
    }
}
