using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Geometry;
using Monge.IO;
using Monge.Problems;
using Monge.Solvers.Entropic;

namespace Monge.Cli.Commands.Solve;

/// <summary><c>monge solve --method sinkhorn</c>: log-domain Sinkhorn on an online point-cloud geometry with the <c>--cost</c> of the command.</summary>
public sealed class SinkhornSolveMethod : ISolveMethod
{
    /// <inheritdoc />
    public string Name => "sinkhorn";

    /// <inheritdoc />
    public string Description => "entropic OT (log-domain Sinkhorn; balanced, unbalanced with --tau-a/--tau-b or --rho-a/--rho-b)";

    /// <inheritdoc />
    public IEnumerable<Option> CreateOptions() =>
    [
        new Option<double?>("--epsilon") { Description = "Entropic regularization ε (default 0.05·std(C), as OTT-JAX)." },
        new Option<bool>("--relative-epsilon") { Description = "Multiply --epsilon by the mean cost." },
        .. RelaxationOptions.Create(),
        new Option<double>("--threshold") { Description = "Stop when the L1 marginal error is below this.", DefaultValueFactory = _ => 1e-3 },
        new Option<int>("--max-iterations") { Description = "Iteration budget.", DefaultValueFactory = _ => 2000 },
        new Option<string>("--norm") { Description = "Marginal error norm: l1 (OTT) or l2 (POT).", DefaultValueFactory = _ => "l1" }.AcceptOnlyFromAmongFluent("l1", "l2"),
        new Option<double>("--epsilon-scaling") { Description = "ε-scaling: start at this multiple of ε and decay by --epsilon-decay per iteration (1 = off).", DefaultValueFactory = _ => 1 },
        new Option<double>("--epsilon-decay") { Description = "Per-iteration decay of the ε-scaling schedule.", DefaultValueFactory = _ => 0.9 },
        new Option<double?>("--momentum") { Description = "Over-relaxation ω in (0, 2); 1 = plain Sinkhorn (default: adaptive, from the observed convergence rate)." },
        new Option<bool>("--no-safeguard") { Description = "Do not roll back accelerated steps that make the marginal error or the mass blow up (such a run then stops as Diverged)." },
        new Option<string>("--initializer") { Description = "Starting potentials: zero, gaussian (squared Euclidean; closed-form Gaussian fit), sorting (1-D data only) or subsample.", DefaultValueFactory = _ => "zero" }.AcceptOnlyFromAmongFluent("zero", "gaussian", "sorting", "subsample"),
        new Option<int>("--subsample-size") { Description = "Points per side for --initializer subsample.", DefaultValueFactory = _ => 1000 },
        new Option<double>("--subsample-epsilon") { Description = "--initializer subsample: solve the subsample at this multiple of ε (≥ 1).", DefaultValueFactory = _ => 1 },
        new Option<double?>("--scaling-start") { Description = "With --epsilon-scaling and an initializer: start the schedule at this multiple of ε (default: automatic, max(1, 0.2·std(f₀)/ε), at most --epsilon-scaling)." },
        new Option<int>("--seed") { Description = "Seed of the subsample initializer.", DefaultValueFactory = _ => 0 },
        new Option<string>("--cost-storage") { Description = "How the iterations hold the costs: auto (dense matrix when it fits --cost-memory and is faster, else recomputed online), dense, or online.", DefaultValueFactory = _ => "auto" }.AcceptOnlyFromAmongFluent("auto", "dense", "online"),
        new Option<string?>("--cost-memory") { Description = "Memory budget for a stored cost matrix (2·n·m values), e.g. 512M, 4G (default: a quarter of the available memory, at most 2G)." },
        new Option<bool>("--float32") { Description = "Solve in single precision (faster, less accurate)." },
        SolveOutputs.PotentialsOut("the Sinkhorn potentials, length n and m"),
        SolveOutputs.PlanOut("dense n × m (at most 10^7 entries)"),
        SolveOutputs.MapOut("from the potentials, online (O(n·m·d) time, no n × m memory)"),
    ];

    /// <inheritdoc />
    public JsonObject Run(SolveInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var options = new Sinkhorn
        {
            Epsilon = input.Get<double?>("--epsilon"),
            EpsilonRelativeTo = input.Get<bool>("--relative-epsilon") ? EpsilonReference.MeanCost : EpsilonReference.Absolute,
            Threshold = input.Get<double>("--threshold"),
            MaxIterations = input.Get<int>("--max-iterations"),
            Norm = input.Get<string>("--norm") == "l2" ? MarginalNorm.L2 : MarginalNorm.L1,
            EpsilonScaling = new EpsilonScaling(input.Get<double>("--epsilon-scaling"), input.Get<double>("--epsilon-decay")),
            Momentum = input.Get<double?>("--momentum"),
            Safeguard = !input.Get<bool>("--no-safeguard"),
            Initializer = input.Get<string>("--initializer") switch
            {
                "gaussian" => SinkhornInitializer.Gaussian,
                "sorting" => SinkhornInitializer.Sorting,
                "subsample" => SinkhornInitializer.Subsample,
                _ => SinkhornInitializer.Zero,
            },
            SubsampleSize = input.Get<int>("--subsample-size"),
            SubsampleEpsilonMultiplier = input.Get<double>("--subsample-epsilon"),
            InitializedScalingStart = input.Get<double?>("--scaling-start"),
            Seed = input.Get<int>("--seed"),
            CostStorage = input.Get<string>("--cost-storage") switch
            {
                "dense" => CostStorage.Dense,
                "online" => CostStorage.Online,
                _ => CostStorage.Auto,
            },
            MaxCostMemory = input.Get<string?>("--cost-memory") is { } budget ? ParseBudget(budget) : null,
        };
        if (options.EpsilonRelativeTo != EpsilonReference.Absolute && options.Epsilon is null)
        {
            throw new UsageException("--relative-epsilon needs --epsilon.");
        }

        var potentialsOut = input.Get<string?>("--potentials-out");
        var planOut = input.PlanOut;
        var mapOut = input.Get<string?>("--map-out");
        if (potentialsOut is not null && !potentialsOut.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException("--potentials-out must be an .npz file (it holds f and g).");
        }

        foreach (var path in new[] { potentialsOut, planOut, mapOut })
        {
            if (path is not null)
            {
                DataFiles.CheckOutput(path, input.Overwrite);
            }
        }

        var n = input.Source.Count;
        var m = input.Target.Count;
        if (planOut is not null && (long)n * m > 10_000_000)
        {
            throw new UsageException($"--plan-out would write a dense {n} × {m} plan ({(long)n * m:N0} entries; the limit is 10^7). Use --map-out or --potentials-out instead.");
        }

        if (options.CostStorage == CostStorage.Dense)
        {
            var bytes = 2L * n * m * (input.Get<bool>("--float32") ? sizeof(float) : sizeof(double));
            var limit = options.MaxCostMemory ?? Sinkhorn.DefaultMaxCostMemory;
            if (bytes > limit)
            {
                throw new UsageException($"--cost-storage dense: the {n} × {m} cost matrix and its transposed copy need {bytes:N0} bytes, above the --cost-memory budget of {limit:N0} bytes.");
            }
        }

        var relaxation = RelaxationOptions.Read(input, Name, acceptsTau: true, acceptsRho: true);
        var stopwatch = Stopwatch.StartNew();
        JsonObject json;
        if (input.Get<bool>("--float32"))
        {
            var problem = LinearProblem<float>.FromPointClouds(input.Source.Convert<float>(), input.Target.Convert<float>(), CostOptions.ToSingle(input.Cost), relaxation);
            var output = options.Solve(problem, input.Progress, input.Context.Cancellation);
            json = Summarize(output, stopwatch, "float32");
            Describe(input.Details, output.Convergence, options, output.BarycentricProjection);
            input.Details.Plan = new Transfer.SinglePrecisionPlan(output);
            Write(input, output.F.Select(v => (double)v).ToArray(), output.G.Select(v => (double)v).ToArray(), potentialsOut, planOut is null ? null : () => output.ToDense().Select(v => (double)v).ToArray(), planOut, mapOut is null ? null : output.BarycentricProjection, mapOut);
        }
        else
        {
            var problem = LinearProblem<double>.FromPointClouds(input.Source, input.Target, input.Cost, relaxation);
            var output = options.Solve(problem, input.Progress, input.Context.Cancellation);
            json = Summarize(output, stopwatch, "float64");
            Describe(input.Details, output.Convergence, options, output.BarycentricProjection);
            input.Details.DensePlan = () => output.ToDense();
            input.Details.Plan = output;
            Write(input, output.F, output.G, potentialsOut, planOut is null ? null : () => output.ToDense(), planOut, mapOut is null ? null : output.BarycentricProjection, mapOut);
        }

        json["ground_cost"] = input.Cost.Name;
        // The JSON names each file written, as emd and the low-rank methods do (docs/cli.md).
        foreach (var (key, path) in new[] { ("potentials_out", potentialsOut), ("plan_out", planOut), ("map_out", mapOut) })
        {
            if (path is not null)
            {
                json[key] = path;
            }
        }

        return json;
    }

    private static long ParseBudget(string text)
    {
        try
        {
            return InputOptions.ParseBytes(text);
        }
        catch (UsageException)
        {
            throw new UsageException($"--cost-memory: '{text}' is not a size (examples: 512M, 4G, 1.5GiB).");
        }
    }

    private static void Describe(SolveDetails details, Monge.Solvers.Convergence convergence, Sinkhorn options, Func<double[]> map)
    {
        details.Convergence = convergence;
        details.IterationsPerCheck = options.InnerIterations;
        details.ErrorLabel = options.Norm == MarginalNorm.L2 ? "marginal error (L2)" : "marginal error (L1)";
        details.SourceMap = map;
    }

    private static JsonObject Summarize<T>(SinkhornResult<T> output, Stopwatch stopwatch, string precision)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var cost = output.Cost;
        var reg = output.RegularizedCost;
        return new JsonObject
        {
            ["method"] = "sinkhorn",
            ["n"] = output.Problem.Geometry.Rows,
            ["m"] = output.Problem.Geometry.Cols,
            ["precision"] = precision,
            ["epsilon"] = JsonOutput.Number(output.Epsilon),
            ["tau_a"] = output.Problem.Relaxation.TauA(output.Epsilon),
            ["tau_b"] = output.Problem.Relaxation.TauB(output.Epsilon),
            ["cost"] = JsonOutput.Number(cost),
            ["regularized_cost"] = JsonOutput.Number(reg),
            ["transported_mass"] = JsonOutput.Number(output.TransportedMass),
            ["status"] = output.Convergence.Status.ToString(),
            ["converged"] = output.Converged,
            ["iterations"] = output.Convergence.Iterations,
            ["momentum"] = output.Momentum,
            ["safeguard_rollbacks"] = output.SafeguardRollbacks,
            ["geometry"] = new JsonObject
            {
                ["kind"] = output.CostStorage.ToString().ToLowerInvariant(),
                ["bytes"] = output.CostMemoryBytes,
                ["kernel_bytes"] = output.KernelMemoryBytes,
            },
            ["marginal_error"] = JsonOutput.Number(output.Convergence.FinalError),
            ["seconds"] = stopwatch.Elapsed.TotalSeconds,
        };
    }

    private static void Write(SolveInput input, double[] f, double[] g, string? potentialsOut, Func<double[]>? plan, string? planOut, Func<double[]>? map, string? mapOut)
    {
        if (potentialsOut is not null)
        {
            NpzFormat.Write(potentialsOut, new Dictionary<string, NumericArray> { ["f"] = new(f, f.Length), ["g"] = new(g, g.Length) }, input.Overwrite);
        }

        if (planOut is not null && plan is not null)
        {
            DataFiles.Save(planOut, new NumericArray(plan(), input.Source.Count, input.Target.Count), input.Overwrite);
        }

        if (mapOut is not null && map is not null)
        {
            DataFiles.Save(mapOut, new NumericArray(map(), input.Source.Count, input.Source.Dimension), input.Overwrite);
        }
    }
}
