using System.CommandLine;
using System.Text.Json.Nodes;
using Monge.Cli.Infrastructure;
using Monge.Solvers;
using Monge.Solvers.Quadratic;

namespace Monge.Cli.Commands.Gw;

/// <summary>
/// <c>monge gw --method cg</c>: conditional gradient with exact line search and network-simplex steps
/// (<see cref="GromovWasserstein"/>, POT's <c>gromov_wasserstein</c>/<c>fused_gromov_wasserstein</c>). Balanced;
/// dense n × m plan; reports the Frank-Wolfe gap.
/// </summary>
public sealed class CgGwMethod : IGwMethod
{
    /// <summary>The outer iteration limit option.</summary>
    public const string MaxIterationsName = "--max-iterations";

    /// <summary>The tolerance option.</summary>
    public const string ToleranceName = "--tolerance";

    /// <inheritdoc />
    public string Name => "cg";

    /// <inheritdoc />
    public string Description => "conditional gradient (Frank-Wolfe) with exact line search and network-simplex steps, as POT's gromov_wasserstein (balanced, dense n × m plan, reports the Frank-Wolfe gap)";

    /// <inheritdoc />
    public IEnumerable<Option> CreateOptions() =>
    [
        new Option<int>(MaxIterationsName) { Description = "outer (Frank-Wolfe) iterations, default 1000", DefaultValueFactory = _ => 1000 },
        new Option<double>(ToleranceName) { Description = "stop when the objective changes by less than this, relatively or absolutely (POT's tol_rel = tol_abs), default 1e-9", DefaultValueFactory = _ => 1e-9 },
    ];

    /// <inheritdoc />
    public GwOutcome Run(GwInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var iterations = input.Get<int>(MaxIterationsName);
        var tolerance = input.Get<double>(ToleranceName);
        if (iterations < 0)
        {
            throw new UsageException($"{MaxIterationsName} must be non-negative (got {iterations}).");
        }

        if (!(tolerance >= 0) || !double.IsFinite(tolerance))
        {
            throw new UsageException($"{ToleranceName} must be a non-negative number (got {tolerance}).");
        }

        var solver = new GromovWasserstein { MaxIterations = iterations, RelativeTolerance = tolerance, AbsoluteTolerance = tolerance };
        var result = solver.Solve(input.Problem, null, input.Progress, input.Context.Cancellation);
        if (result.Convergence.Status == SolverStatus.Cancelled)
        {
            throw new OperationCanceledException(input.Context.Cancellation);
        }

        var summary = new JsonObject
        {
            ["cost"] = JsonOutput.Number(result.Cost),
            ["gw_cost"] = JsonOutput.Number(result.GwCost),
            ["linear_cost"] = JsonOutput.Number(result.LinearCost),
            ["converged"] = result.Convergence.Converged,
            ["status"] = result.Convergence.Status.ToString(),
            ["iterations"] = result.Convergence.Iterations,
            ["fw_gap"] = JsonOutput.Number(result.FwGap),
        };
        return new GwOutcome(summary, result.Convergence)
        {
            DensePlan = () => result.Plan.ToArray(),
            SparsePlan = () => result.ToCoordinates(),
            Matching = result.HardAssignment,
        };
    }
}
