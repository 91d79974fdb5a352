using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.IO;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.LowRank;

namespace Monge.Cli.Commands;

/// <summary>Options of <c>monge solve --method frlc|lowrank-sinkhorn</c> (parsed by the solve command).</summary>
/// <param name="Method">"frlc" or "lowrank-sinkhorn".</param>
/// <param name="Rank">Rank r.</param>
/// <param name="Cost">The ground cost (null: squared Euclidean). Squared Euclidean and dot use exact factors (linear memory); other costs are evaluated online in tiles.</param>
/// <param name="Relaxation">The outer marginal relaxation (FRLC only; null = balanced), the library's one convention.</param>
/// <param name="RhoIn">KL weight ρ of the inner marginals (FRLC only; null = the solver's default; +∞ keeps them fixed).</param>
/// <param name="Seed">Seed.</param>
/// <param name="MaxIterations">Maximum outer iterations, or null for the solver's default.</param>
/// <param name="ClustersOut">Optional file for the co-cluster labels (two columns: side 0/1, label).</param>
/// <param name="Overwrite">Replace existing output files.</param>
public sealed record LowRankSolveOptions(
    string Method,
    int Rank,
    ICostFunction<double>? Cost = null,
    Relaxation? Relaxation = null,
    double? RhoIn = null,
    int Seed = 0,
    int? MaxIterations = null,
    string? ClustersOut = null,
    bool Overwrite = false)
{
    /// <summary>Where to write the dense plan built from the factors (at most 10^7 entries), or null.</summary>
    public string? PlanOut { get; init; }

    /// <summary>Where to write the barycentric map of the source points (n × d), or null.</summary>
    public string? MapOut { get; init; }

    /// <summary>How the cost is rescaled before solving (<c>--scale-cost</c>; default the mean cost). Costs are reported in the input's units.</summary>
    public CostScale ScaleCost { get; init; } = CostScale.Mean;
}

/// <summary>
/// The low-rank part of <c>monge solve</c>: on the loaded point clouds, runs FRLC or low-rank Sinkhorn on any cost
/// (squared Euclidean and dot factored in linear memory, other costs online), returns the JSON summary and optionally writes the
/// co-cluster labels. Kept separate from the solve command so that the command only parses and dispatches.
/// </summary>
public static class LowRankSolve
{
    /// <summary>The method names this class handles.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["frlc", "lowrank-sinkhorn"];

    /// <summary>
    /// Solves on loaded point clouds (weights attached to the clouds are used), writes <c>ClustersOut</c> if set and
    /// returns the JSON summary (method, n, m, rank, cost, status, converged, iterations, seconds, marginal errors).
    /// </summary>
    /// <exception cref="UsageException">Unknown method, cost or relaxation.</exception>
    /// <exception cref="InputValidationException">Invalid data or options.</exception>
    /// <param name="options">The parsed options.</param>
    /// <param name="x">Source points.</param>
    /// <param name="y">Target points.</param>
    /// <param name="context">Writers and cancellation.</param>
    /// <param name="progress">Progress sink (one report per outer iteration), or null.</param>
    /// <param name="details">Filled with the convergence report and the barycentric source map, or null.</param>
    public static JsonObject Summarize(LowRankSolveOptions options, PointCloud<double> x, PointCloud<double> y, CliContext context, IProgress<SolverProgress>? progress = null, Solve.SolveDetails? details = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(context);
        var relaxation = options.Relaxation ?? Relaxation.Balanced;
        if (options.Method == "lowrank-sinkhorn" && !relaxation.IsBalanced)
        {
            throw new UsageException($"--method lowrank-sinkhorn solves balanced problems only (got {relaxation}).");
        }

        foreach (var path in new[] { options.ClustersOut, options.PlanOut, options.MapOut })
        {
            if (path is not null)
            {
                DataFiles.CheckOutput(path, options.Overwrite);
            }
        }

        if (options.PlanOut is not null)
        {
            Solve.SolveOutputs.CheckDensePlan(x.Count, y.Count);
        }

        // The solvers read the cost through the geometry: exact factors for squared Euclidean and dot (linear memory),
        // online tiles for every other cost.
        var costFunction = options.Cost ?? new SquaredEuclidean<double>();
        var problem = LinearProblem<double>.FromPointClouds(x, y, costFunction, relaxation);
        if (!WeightOptions.SameMass(problem.MassA, 1) || !WeightOptions.SameMass(problem.MassB, 1))
        {
            // The low-rank solvers work at mass one (docs/lowrank.md): refuse rather than silently rescale.
            throw new UsageException(
                $"--method {options.Method} solves at total mass one, but the source mass is {WeightOptions.Describe(x, "--source-weights")} and the target mass is "
                + $"{WeightOptions.Describe(y, "--target-weights")}; pass {WeightOptions.NormalizeName} to rescale both to one, or use --method sinkhorn (which uses the masses as given).");
        }

        LowRankResult result;
        switch (options.Method)
        {
            case "frlc":
                {
                    var solver = new Frlc { Rank = options.Rank, Seed = options.Seed, ScaleCost = options.ScaleCost };
                    if (options.RhoIn is double rhoIn)
                    {
                        solver = solver with { InnerRelaxation = Relaxation.FromRho(rhoIn, rhoIn) };
                    }

                    if (options.MaxIterations is int maxIt)
                    {
                        solver = solver with { MaxIterations = maxIt, MinIterations = Math.Min(solver.MinIterations, maxIt) };
                    }

                    result = solver.Solve(problem, null, progress, context.Cancellation);
                    break;
                }

            case "lowrank-sinkhorn":
                {
                    var solver = new LowRankSinkhorn { Rank = options.Rank, Seed = options.Seed, ScaleCost = options.ScaleCost };
                    if (options.MaxIterations is int maxIt)
                    {
                        solver = solver with { MaxIterations = maxIt };
                    }

                    result = solver.Solve(problem, null, progress, context.Cancellation);
                    break;
                }

            default:
                throw new UsageException($"Unknown low-rank method '{options.Method}' (expected {string.Join(" or ", Methods)}).");
        }

        var (coupling, convergence, value, errA, errB) = (result.Coupling, result.Convergence, result.Cost, result.SourceMarginalError, result.TargetMarginalError);
        double[] SourceMap() => Solve.SolveDetails.BarycentricMap(x.Count, y.Data, y.Count, y.Dimension, (v, dst) => coupling.ApplyPlan(v, dst));
        if (details is not null)
        {
            details.Convergence = convergence;
            details.ErrorLabel = options.Method == "frlc" ? "FRLC step size Δ" : "LR-Sinkhorn criterion (Jensen–Shannon change)";
            details.SourceMap = SourceMap;
            details.DensePlan = () => coupling.ToDense();
            details.Plan = result;
        }

        if (options.PlanOut is not null)
        {
            DataFiles.Save(options.PlanOut, new NumericArray(coupling.ToDense(Solve.SolveOutputs.MaxDensePlanEntries), coupling.Rows, coupling.Cols), options.Overwrite);
        }

        if (options.MapOut is not null)
        {
            DataFiles.Save(options.MapOut, new NumericArray(SourceMap(), x.Count, x.Dimension), options.Overwrite);
        }

        if (options.ClustersOut is not null)
        {
            var source = coupling.SourceClusters();
            var target = coupling.TargetClusters();
            var table = new double[(source.Length + target.Length) * 2];
            for (var i = 0; i < source.Length; i++)
            {
                table[2 * i] = 0;
                table[(2 * i) + 1] = source[i];
            }

            for (var j = 0; j < target.Length; j++)
            {
                table[2 * (source.Length + j)] = 1;
                table[(2 * (source.Length + j)) + 1] = target[j];
            }

            DataFiles.Save(options.ClustersOut, new NumericArray(table, source.Length + target.Length, 2), options.Overwrite, ["side", "cluster"]);
        }

        return new JsonObject
        {
            ["method"] = options.Method,
            ["n"] = coupling.Rows,
            ["m"] = coupling.Cols,
            ["rank"] = options.Rank,
            ["cost_function"] = costFunction.Name,
            ["ground_cost"] = costFunction.Name,
            ["relaxation"] = relaxation.ToString(),
            ["cost"] = JsonOutput.Number(value),
            ["cost_scale"] = JsonOutput.Number(result.CostScale),
            ["scale_cost"] = options.ScaleCost.ToString(),
            ["status"] = convergence.Status.ToString(),
            ["converged"] = convergence.Converged,
            ["iterations"] = convergence.Iterations,
            ["marginal_error"] = JsonOutput.Number(result.MarginalError),
            ["stopping_criterion"] = JsonOutput.Number(convergence.FinalError),
            ["source_marginal_error_l1"] = JsonOutput.Number(errA),
            ["target_marginal_error_l1"] = JsonOutput.Number(errB),
            ["seconds"] = convergence.Elapsed.TotalSeconds,
            ["clusters_out"] = options.ClustersOut,
            ["plan_out"] = options.PlanOut,
            ["map_out"] = options.MapOut,
        };
    }
}
