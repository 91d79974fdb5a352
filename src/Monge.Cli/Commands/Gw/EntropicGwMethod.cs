using System.CommandLine;
using Monge.Cli.Infrastructure;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Commands.Gw;

/// <summary><c>monge gw --method entropic</c>: entropic GW/FGW (projected mirror descent or proximal point, each outer
/// step a log-domain Sinkhorn on the linearized cost), balanced, unbalanced or semi-relaxed.</summary>
public sealed class EntropicGwMethod : IGwMethod
{
    private const string EpsilonName = "--epsilon";
    private const string RelativeName = "--relative-epsilon";
    private const double DefaultRelativeEpsilon = 0.01;
    private const string SolverName = "--entropic-solver";
    private const string ScalingName = "--epsilon-scaling";
    private const string DecayName = "--epsilon-decay";
    private const string TauAName = "--tau-a";
    private const string TauBName = "--tau-b";
    private const string InitName = "--init";
    private const string MaxInnerName = "--max-inner-iterations";

    /// <inheritdoc/>
    public string Name => "entropic";

    /// <inheritdoc/>
    public string Description => "entropic GW/FGW in POT's convention (ε_POT = 2·ε_OTT): projected mirror descent or proximal point, each step a log-domain Sinkhorn; --epsilon, --tau-a/--tau-b for unbalanced or semi-relaxed";

    /// <inheritdoc/>
    public IEnumerable<Option> CreateOptions() =>
    [
        new Option<double?>(EpsilonName) { Description = "entropic regularization ε in POT's convention (absolute, in the units of the loss, unless --relative-epsilon); default 0.01 × the mean of the first linearized cost, so the answer does not depend on the units of the inputs" },
        new Option<bool>(RelativeName) { Description = "multiply --epsilon by the mean of the first linearized cost ∇F(a⊗b) (unit-free)" },
        new Option<string>(SolverName) { Description = "outer iteration: mirror (projected mirror descent, POT's PGD; default) or proximal (KL proximal point, POT's PPA; balanced only)", DefaultValueFactory = _ => "mirror" },
        new Option<double>(ScalingName) { Description = "ε schedule: start at this multiple of ε and decay by --epsilon-decay per outer step (1 = off, default)", DefaultValueFactory = _ => 1 },
        new Option<double>(DecayName) { Description = "decay factor of the ε schedule per outer step, default 0.5", DefaultValueFactory = _ => 0.5 },
        new Option<int>(CgGwMethod.MaxIterationsName) { Description = "outer iterations, default 1000", DefaultValueFactory = _ => 1000 },
        new Option<double>(CgGwMethod.ToleranceName) { Description = "stop when the fixed-point residual ‖P_k+1 − P_k‖₁ falls below this, default 1e-9", DefaultValueFactory = _ => 1e-9 },
        new Option<string>(InitName) { Description = "start plan: product (a⊗b, POT's; default) or cg (the conditional-gradient GW solution: on symmetric or large-unit data the entropic iteration from a⊗b can take very long at the default ε)", DefaultValueFactory = _ => "product" },
        new Option<int?>(MaxInnerName) { Description = "cap on the Sinkhorn iterations of one outer step (default 20000); capped steps are counted in inner_failures, and a run whose last step was capped is reported as not converged" },
        new Option<double?>(TauAName) { Description = "source relaxation τ_a = ρ/(ρ+ε) in (0, 1]; 1 = exact (default)" },
        new Option<double?>(TauBName) { Description = "target relaxation τ_b in (0, 1]; 1 = exact (default); one side exact gives the semi-relaxed problem" },
    ];

    /// <inheritdoc/>
    public Relaxation? GetRelaxation(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var (tauA, tauB) = (parse.GetValue<double?>(TauAName), parse.GetValue<double?>(TauBName));
        return tauA is null && tauB is null ? null : Relaxation.FromTau(tauA ?? 1, tauB ?? 1);
    }

    /// <inheritdoc/>
    public GwOutcome Run(GwInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var given = input.Parse.GetValue<double?>(EpsilonName);
        var relative = given is null || input.Get<bool>(RelativeName);
        if (given is null && input.Get<bool>(RelativeName))
        {
            throw new UsageException($"{RelativeName} needs {EpsilonName}.");
        }

        var epsilon = given ?? DefaultRelativeEpsilon;
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new UsageException($"{EpsilonName} must be a positive number (got {epsilon}).");
        }

        var method = input.Get<string>(SolverName) switch
        {
            "mirror" => EntropicGromovMethod.MirrorDescent,
            "proximal" => EntropicGromovMethod.ProximalPoint,
            var other => throw new UsageException($"{SolverName} {other}: expected mirror or proximal."),
        };
        var iterations = input.Get<int>(CgGwMethod.MaxIterationsName);
        var tolerance = input.Get<double>(CgGwMethod.ToleranceName);
        if (iterations < 1)
        {
            throw new UsageException($"{CgGwMethod.MaxIterationsName} must be at least 1 (got {iterations}).");
        }

        if (!(tolerance >= 0) || !double.IsFinite(tolerance))
        {
            throw new UsageException($"{CgGwMethod.ToleranceName} must be a non-negative number (got {tolerance}).");
        }

        var init = input.Get<string>(InitName);
        if (init is not ("product" or "cg"))
        {
            throw new UsageException($"{InitName} {init}: expected product or cg.");
        }

        var maxInner = input.Parse.GetValue<int?>(MaxInnerName);
        if (maxInner is < 1)
        {
            throw new UsageException($"{MaxInnerName} must be at least 1 (got {maxInner}).");
        }

        double[]? start = null;
        if (init == "cg")
        {
            if (!input.Problem.Relaxation.IsBalanced)
            {
                throw new UsageException($"{InitName} cg needs a balanced problem.");
            }

            start = new GromovWasserstein().Solve(input.Problem, null, null, input.Context.Cancellation).ToDense();
        }

        var solver = new EntropicGromovWasserstein
        {
            MaxInnerIterations = maxInner,
            Epsilon = epsilon,
            EpsilonRelativeTo = relative ? EpsilonReference.MeanCost : EpsilonReference.Absolute,
            Method = method,
            EpsilonSchedule = new EpsilonScaling(input.Get<double>(ScalingName), input.Get<double>(DecayName)),
            MaxIterations = iterations,
            Threshold = tolerance,
        };
        var result = solver.Solve(input.Problem, start, input.Progress, input.Context.Cancellation);
        if (result.Convergence.Status == SolverStatus.Cancelled)
        {
            throw new OperationCanceledException(input.Context.Cancellation);
        }

        var summary = new System.Text.Json.Nodes.JsonObject
        {
            ["cost"] = JsonOutput.Number(result.Cost),
            ["gw_cost"] = JsonOutput.Number(result.GwCost),
            ["linear_cost"] = JsonOutput.Number(result.LinearCost),
            ["regularized_cost"] = JsonOutput.Number(result.RegularizedCost),
            ["epsilon"] = JsonOutput.Number(result.Epsilon),
            ["relative_epsilon"] = relative ? JsonOutput.Number(epsilon) : null,
            ["entropic_solver"] = input.Get<string>(SolverName),
            ["relaxation"] = result.Relaxation.IsBalanced ? "balanced" : result.Relaxation.ToString(),
            ["transported_mass"] = JsonOutput.Number(result.TransportedMass),
            ["converged"] = result.Convergence.Converged,
            ["status"] = result.Convergence.Status.ToString(),
            ["iterations"] = result.Convergence.Iterations,
            ["inner_iterations"] = result.InnerIterations,
            ["inner_failures"] = result.InnerFailures,
            ["max_inner_iterations"] = maxInner,
            ["init"] = init,
            ["fixed_point_residual"] = JsonOutput.Number(result.FixedPointResidual),
        };
        var cancellation = input.Context.Cancellation;
        return new GwOutcome(summary, result.Convergence)
        {
            DensePlan = () => result.ToDense(),
            SparsePlan = () => throw new UsageException("--plan-out: the entropic plan has more than 10^7 entries; write --match-out (the largest entry of each row) instead."),
            Matching = () => PlanTopK.Compute(result, 1, cancellation).Indices,
        };
    }
}
