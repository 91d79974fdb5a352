using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;

namespace Monge.Tools.Maps;

/// <summary>
/// ProgOT, progressive entropic optimal transport (Kassraie, Pooladian, Klein, Thornton, Niles-Weed and Cuturi 2024,
/// "Progressive Entropic Optimal Transport Solvers"; OTT-JAX <c>ott.tools.progot</c>) as a map estimator: K stages,
/// each an entropic OT problem between the moved source x_k and the target at ε_k, whose entropic map moves the source
/// a fraction α_k of the way: x_{k+1} = (1 − α_k)·x_k + α_k·T_k(x_k) (the paper's Algorithm 1, moving the current
/// iterate x_k, not the original source). The fitted <see cref="ProgOTMap"/> replays the stages on new points and returns
/// the last stage's push-forward T_{K−1}(z_{K−1}) (the paper's map estimator).
/// </summary>
/// <remarks>
/// <para>ε schedule (the paper's Algorithm 4, OTT's <c>get_epsilon_schedule</c>) when <see cref="Epsilons"/> is null:
/// ε_start = <see cref="StartEpsilonScale"/> × 0.05·std(C) on (source, target); ε_end = s* × 0.05·std(C) on
/// (target, target), where s* among <see cref="EndEpsilonScales"/> minimizes ‖y − T_{y→y}(y)‖ over up to
/// <see cref="EvaluationPoints"/> target points drawn with <see cref="Seed"/>; then ε_k = t_k ε_end + (1 − t_k) ε_start
/// with t_0 = 0 and t_k = 1 − Π_{i &lt; k}(1 − α_i).</para>
/// <para>Debiased stages (<see cref="Debiased"/>): each stage's map is the Sinkhorn-divergence (debiased) entropic map.</para>
/// <para>Time: K Sinkhorn solves of n × m (2K with <see cref="Debiased"/>: plus K of n × n) (plus |<see cref="EndEpsilonScales"/>| solves of m × m to choose ε_end)
/// and K map applications to the moved source, O(n·m·d) each; memory O((n + m)·d + K·m).</para>
/// </remarks>
public sealed record ProgOT
{
    /// <summary>The number of stages K (default 8).</summary>
    public int Steps { get; init; } = 8;

    /// <summary>The α schedule (default <see cref="ProgOTSchedule.ConstantSpeed"/>).</summary>
    public ProgOTSchedule Schedule { get; init; } = ProgOTSchedule.ConstantSpeed;

    /// <summary>Absolute ε_k per stage (length <see cref="Steps"/>); null: the paper's schedule (see remarks).</summary>
    public IReadOnlyList<double>? Epsilons { get; init; }

    /// <summary>Multiplier of the default ε on (source, target) that gives ε_start (default 1).</summary>
    public double StartEpsilonScale { get; init; } = 1;

    /// <summary>Candidate multipliers of the default ε on (target, target) for ε_end (default 0.01, 0.0316, 0.1, 0.316, 1).</summary>
    public IReadOnlyList<double> EndEpsilonScales { get; init; } = [0.01, 0.0316, 0.1, 0.316, 1];

    /// <summary>Target points used to choose ε_end (default 256; all when the target is smaller).</summary>
    public int EvaluationPoints { get; init; } = 256;

    /// <summary>Seed of the draw of the evaluation points.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Start each stage's Sinkhorn from the previous stage's potentials scaled by 1 − α_k, as the paper (and OTT's
    /// <c>warm_start</c>) does (default true). The stages end at the same solutions to their threshold; the warm start only
    /// saves iterations.
    /// </summary>
    public bool WarmStart { get; init; } = true;

    /// <summary>
    /// Debias every stage's entropic map (<see cref="EntropicMap.FitDebiased"/>: the Sinkhorn-divergence potential
    /// f − f_xx, as OTT-JAX's ProgOT with <c>solve_sinkdiv</c>; default false). Each stage then costs a second Sinkhorn
    /// solve, between the moved source and itself at the stage's ε (cold-started; the (source, target) solve keeps the
    /// warm start), and the map keeps every stage's moved source points. The choice of ε_end still uses the plain
    /// entropic map of the target to itself, since the debiased one is the identity at every ε (OTT picks the first
    /// scale there).
    /// </summary>
    public bool Debiased { get; init; }

    /// <summary>Sinkhorn options of every stage; its <see cref="Sinkhorn.Epsilon"/> must be left null (ε comes from the schedule).</summary>
    public Sinkhorn Sinkhorn { get; init; } = new();

    /// <summary>The α schedule of <paramref name="schedule"/> with <paramref name="steps"/> stages.</summary>
    /// <param name="schedule">The schedule.</param>
    /// <param name="steps">K ≥ 1.</param>
    /// <returns>α_0, …, α_{K−1}.</returns>
    public static double[] Alphas(ProgOTSchedule schedule, int steps)
    {
        if (steps < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ProgOT needs at least one step (got {steps}).", nameof(steps));
        }

        var alphas = new double[steps];
        for (var k = 0; k < steps; k++)
        {
            var a = k + 2.0;
            alphas[k] = schedule switch
            {
                ProgOTSchedule.ConstantSpeed => 1.0 / (steps - a + 2),
                ProgOTSchedule.Decelerating => 1 / Math.E,
                ProgOTSchedule.Accelerating => ((2 * a) - 1) / (((steps + 1.0) * (steps + 1)) - ((a - 1) * (a - 1))),
                _ => throw new InputValidationException(InputProblem.InvalidParameter, $"Unknown schedule {schedule}.", nameof(schedule)),
            };
        }

        return alphas;
    }

    /// <summary>Fits the map.</summary>
    /// <param name="source">Source samples.</param>
    /// <param name="target">Target samples, same dimension and total mass.</param>
    /// <param name="cost">Squared Euclidean (null) or an elastic cost.</param>
    /// <param name="cancellationToken">Cancels the solves.</param>
    /// <returns>The map and the stages' reports.</returns>
    /// <exception cref="InputValidationException">Invalid options or inputs.</exception>
    /// <exception cref="UnsupportedCostException">The cost is not translation-invariant.</exception>
    public ProgOTResult Fit(PointCloud<double> source, PointCloud<double> target, ICostFunction<double>? cost = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        cost ??= default(SquaredEuclidean<double>);
        TranslationInvariantCosts.Resolve(cost, nameof(ProgOT));
        Validate();
        var alphas = Alphas(Schedule, Steps);
        var epsilons = Epsilons is null ? EpsilonSchedule(source, target, cost, alphas, cancellationToken) : [.. Epsilons];
        var stages = new EntropicMap[Steps];
        var reports = new Convergence[Steps];
        var x = source;
        PointCloud<double>? pushed = null;
        SinkhornPotentials<double>? start = null;
        for (var k = 0; k < Steps; k++)
        {
            var options = Sinkhorn with { Epsilon = epsilons[k], EpsilonRelativeTo = EpsilonReference.Absolute };
            (stages[k], var potentials) = EntropicMap.FitFrom(x, target, cost, options, start, Debiased, cancellationToken);
            reports[k] = stages[k].Convergence!;
            pushed = stages[k].Apply(x);
            if (k < Steps - 1)
            {
                x = ProgOTMap.Step(x, pushed, alphas[k]);

                // The paper's warm start (OTT's warm_start): the next stage starts from ((1 − α_k) f_k, (1 − α_k) g_k).
                start = WarmStart ? new SinkhornPotentials<double>(Scaled(potentials.F, 1 - alphas[k]), Scaled(potentials.G, 1 - alphas[k])) : null;
            }
        }

        return new ProgOTResult(new ProgOTMap(stages, alphas), reports, pushed!);
    }

    private static double[] Scaled(double[] values, double factor) => Array.ConvertAll(values, v => v * factor);

    private void Validate()
    {
        if (Steps < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ProgOT needs at least one step (got {Steps}).", nameof(Steps));
        }

        if (Sinkhorn.Epsilon is not null)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "ProgOT sets ε per stage: leave Sinkhorn.Epsilon null and give Epsilons (or none for the paper's schedule).", nameof(Sinkhorn));
        }

        if (Epsilons is not null)
        {
            if (Epsilons.Count != Steps)
            {
                throw new InputValidationException(InputProblem.InvalidParameter, $"Epsilons has {Epsilons.Count} values for {Steps} steps.", nameof(Epsilons));
            }

            for (var k = 0; k < Epsilons.Count; k++)
            {
                if (!(Epsilons[k] > 0) || !double.IsFinite(Epsilons[k]))
                {
                    throw new InputValidationException(InputProblem.InvalidParameter, $"ε_{k} = {Epsilons[k]} must be positive and finite.", nameof(Epsilons), k);
                }
            }
        }

        if (!(StartEpsilonScale > 0) || !double.IsFinite(StartEpsilonScale) || EndEpsilonScales.Count == 0 || EndEpsilonScales.Any(s => !(s > 0) || !double.IsFinite(s)) || EvaluationPoints < 1)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "ProgOT's ε scales must be positive and finite, with at least one end scale and one evaluation point.", nameof(EndEpsilonScales));
        }
    }

    private double[] EpsilonSchedule(PointCloud<double> source, PointCloud<double> target, ICostFunction<double> cost, double[] alphas, CancellationToken cancellationToken)
    {
        var byDefault = Sinkhorn with { Epsilon = null };
        var start = StartEpsilonScale * byDefault.ResolveEpsilon(LinearProblem<double>.FromPointClouds(source, target, cost).Geometry);
        var endBase = byDefault.ResolveEpsilon(LinearProblem<double>.FromPointClouds(target, target, cost).Geometry);
        var eval = EvaluationSubset(target);
        var bestError = double.PositiveInfinity;
        var end = endBase * EndEpsilonScales[0];
        foreach (var scale in EndEpsilonScales)
        {
            var eps = scale * endBase;
            var map = EntropicMap.Fit(target, target, cost, Sinkhorn with { Epsilon = eps, EpsilonRelativeTo = EpsilonReference.Absolute }, cancellationToken);
            var mapped = map.Apply(eval).Data;
            var e = eval.Data;
            var err = 0.0;
            for (var i = 0; i < e.Length; i++)
            {
                err += (e[i] - mapped[i]) * (e[i] - mapped[i]);
            }

            if (err < bestError)
            {
                bestError = err;
                end = eps;
            }
        }

        var epsilons = new double[alphas.Length];
        var remaining = 1.0;
        for (var k = 0; k < alphas.Length; k++)
        {
            var t = 1 - remaining;
            epsilons[k] = (t * end) + ((1 - t) * start);
            remaining *= 1 - alphas[k];
        }

        return epsilons;
    }

    private PointCloud<double> EvaluationSubset(PointCloud<double> target)
    {
        if (target.Count <= EvaluationPoints)
        {
            return target.WithWeights(null);
        }

        var rng = new Random(Seed);
        var idx = Enumerable.Range(0, target.Count).ToArray();
        rng.Shuffle(idx);
        return target.Subset(idx.AsSpan(0, EvaluationPoints)).WithWeights(null);
    }
}
