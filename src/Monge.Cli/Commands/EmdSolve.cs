using System.Diagnostics;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Solvers;
using Monge.Solvers.Exact;

namespace Monge.Cli.Commands;

/// <summary>
/// <c>monge solve --method emd</c>: exact optimal transport between two weighted point sets (any sizes) by
/// <see cref="NetworkSimplex"/>. The <c>solve</c> verb owns loading and printing; <see cref="Solve.EmdSolveMethod"/>
/// declares the options and calls <see cref="Run"/> with the loaded clouds. Builds the dense n × m cost (8·n·m bytes).
/// </summary>
public static class EmdSolve
{
    /// <summary>The value of <c>--method</c>.</summary>
    public const string Name = "emd";

    /// <summary>One line for the help text.</summary>
    public const string Description = "exact OT by network simplex with weights (sparse plan, at most n + m − 1 nonzeros; dense n × m cost in memory)";

    /// <summary>Name of the option that rescales both weight vectors to total mass one.</summary>
    public const string NormalizeOption = WeightOptions.NormalizeName;

    /// <summary>Solves exact OT and writes the plan when asked; returns the JSON summary.</summary>
    /// <param name="source">Source points with optional weights (uniform 1/n when none).</param>
    /// <param name="target">Target points with optional weights, same dimension.</param>
    /// <param name="cost">The ground cost.</param>
    /// <param name="planOut">Where to write the (i, j, mass) rows, or null.</param>
    /// <param name="normalize">Rescale both weight vectors to mass one.</param>
    /// <param name="overwrite">Whether <paramref name="planOut"/> may be replaced.</param>
    /// <param name="maxDenseBytes">Largest dense cost to build (default 4 GiB).</param>
    /// <param name="cancellation">Cancels the pivots.</param>
    /// <param name="details">Filled with the barycentric source map of the sparse plan (for --plot), or null.</param>
    /// <param name="potentialsOut">Where to write the duals f, g (.npz with keys f, g), or null.</param>
    /// <param name="mapOut">Where to write the barycentric map of the source points (n × d), or null.</param>
    /// <param name="progress">Receives the network simplex progress (every 65 536 pivots), or null.</param>
    /// <returns>method, n, m, cost, optimal, converged, status, iterations, nonzeros, seconds (and plan_out, potentials_out, map_out).</returns>
    /// <exception cref="UsageException">Dimensions differ or the dense cost would exceed <paramref name="maxDenseBytes"/>.</exception>
    /// <exception cref="InputValidationException">Invalid weights, or unequal masses without <paramref name="normalize"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static JsonObject Run(
        PointCloud<double> source,
        PointCloud<double> target,
        ICostFunction<double> cost,
        string? planOut,
        bool normalize,
        bool overwrite,
        long maxDenseBytes = 4L << 30,
        Solve.SolveDetails? details = null,
        string? potentialsOut = null,
        string? mapOut = null,
        IProgress<SolverProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Dimension != target.Dimension)
        {
            throw new UsageException($"--source has dimension {source.Dimension} but --target has dimension {target.Dimension}.");
        }

        var bytes = 8.0 * source.Count * target.Count;
        if (bytes > maxDenseBytes)
        {
            throw new UsageException($"emd needs the dense {source.Count} × {target.Count} cost ({bytes / (1 << 30):F1} GiB), above the {maxDenseBytes / (double)(1 << 30):F1} GiB limit; use --method sinkhorn for large problems.");
        }

        if (potentialsOut is not null && !potentialsOut.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException("--potentials-out must be an .npz file (it holds f and g).");
        }

        foreach (var path in new[] { planOut, potentialsOut, mapOut })
        {
            if (path is not null)
            {
                DataFiles.CheckOutput(path, overwrite);
            }
        }

        var watch = Stopwatch.StartNew();
        var result = new NetworkSimplex { NormalizeMasses = normalize }.Solve(source, target, cost, progress, cancellation);
        watch.Stop();
        if (result.Convergence.Status == SolverStatus.Cancelled)
        {
            throw new OperationCanceledException(cancellation);
        }

        double[] SourceMap() => Solve.SolveDetails.BarycentricMap(source.Count, target.Data, target.Count, target.Dimension, (v, dst) =>
        {
            Array.Clear(dst);
            for (var k = 0; k < result.Mass.Length; k++)
            {
                dst[result.Rows[k]] += result.Mass[k] * v[result.Columns[k]];
            }
        });

        if (details is not null)
        {
            details.SourceMap = SourceMap;
            details.Plan = result;
            details.DensePlan = () =>
            {
                var plan = new double[(long)source.Count * target.Count];
                for (var k = 0; k < result.Mass.Length; k++)
                {
                    plan[((long)result.Rows[k] * target.Count) + result.Columns[k]] += result.Mass[k];
                }

                return plan;
            };
        }

        var summary = new JsonObject
        {
            ["method"] = Name,
            ["n"] = source.Count,
            ["m"] = target.Count,
            ["cost"] = JsonOutput.Number(result.Cost),
            ["ground_cost"] = cost.Name,
            ["optimal"] = result.Optimal,
            ["converged"] = result.Optimal,
            ["status"] = result.Convergence.Status.ToString(),
            ["iterations"] = result.Convergence.Iterations,
            ["nonzeros"] = result.Mass.Length,
            ["seconds"] = watch.Elapsed.TotalSeconds,
        };
        if (planOut is not null)
        {
            var rows = new double[result.Mass.Length * 3];
            for (var k = 0; k < result.Mass.Length; k++)
            {
                rows[3 * k] = result.Rows[k];
                rows[(3 * k) + 1] = result.Columns[k];
                rows[(3 * k) + 2] = result.Mass[k];
            }

            DataFiles.Save(planOut, new NumericArray(rows, result.Mass.Length, 3), overwrite, ["i", "j", "mass"]);
            summary["plan_out"] = planOut;
        }

        if (potentialsOut is not null)
        {
            NpzFormat.Write(potentialsOut, new Dictionary<string, NumericArray> { ["f"] = new(result.F, result.F.Length), ["g"] = new(result.G, result.G.Length) }, overwrite);
            summary["potentials_out"] = potentialsOut;
        }

        if (mapOut is not null)
        {
            DataFiles.Save(mapOut, new NumericArray(SourceMap(), source.Count, source.Dimension), overwrite);
            summary["map_out"] = mapOut;
        }

        return summary;
    }
}
