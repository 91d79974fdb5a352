using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers;
using Monge.Solvers.Entropic;

namespace Monge.Tools.Maps;

/// <summary>
/// The entropic map of a translation-invariant cost c(x, y) = h(x − y), fitted once and applied to any point
/// (Pooladian and Niles-Weed 2021 for h = ‖·‖²; Cuturi, Klein and Ablin 2023 for elastic costs):
/// T(x) = x − ∇h*(∇f(x)), with f the soft c-transform of the target potential g,
/// ∇f(x) = Σ_j p_j(x) ∇h(x − y_j) and p_j(x) ∝ b_j exp((g_j − h(x − y_j))/ε) (KL convention; OTT-JAX's
/// <c>DualPotentials.transport</c>). For squared Euclidean it is the barycentric map Σ_j p_j(x) y_j.
/// </summary>
/// <remarks>
/// Fitting: one balanced Sinkhorn solve between the samples, O(n·m·d) per iteration, O((n + m)·d) memory (online
/// point-cloud geometry). Applying: O(k·m·d) time for k points (O(k·m·d log d) for the k-overlap cost, which sorts),
/// O(k·d + m) memory; parallel over the points. The map keeps the target points, their weights b, g and ε.
/// <para>Debiased (<see cref="FitDebiased"/>; Pooladian, Cuturi and Niles-Weed 2022, "Debiaser beware"; OTT-JAX's
/// <c>SinkhornDivergenceOutput.to_dual_potentials</c>): f is replaced by f − f_xx, the Sinkhorn-divergence potential,
/// with f_xx the soft c-transform of the symmetric potential of the (source, source) problem over the source points:
/// T(x) = x − ∇h*(∇f(x) − ∇f_xx(x)); for squared Euclidean T(x) = x + Σ_j p_j(x) y_j − Σ_i q_i(x) x_i, which removes the
/// entropic shrinkage towards the target's mean (the debiased map of a measure to itself is the identity). Fitting
/// costs a second Sinkhorn solve (n × n); applying costs O(k·(n + m)·d), and the map also keeps the source points,
/// their weights and the symmetric potential.</para>
/// </remarks>
public sealed class EntropicMap : ITransportMap
{
    private readonly double[] _g;
    private readonly double[] _logB;
    private readonly ITranslationInvariantCost _h;
    private readonly double[]? _selfPotential;
    private readonly double[]? _selfLogA;

    /// <summary>Creates a map from its parts (what <see cref="Fit"/> computes, or what a map file holds).</summary>
    /// <param name="target">The target points y_j and weights b (uniform when absent).</param>
    /// <param name="targetPotential">g, one value per target point.</param>
    /// <param name="epsilon">ε &gt; 0, in the units of <paramref name="cost"/>.</param>
    /// <param name="cost">The cost (null: squared Euclidean); it must be translation-invariant.</param>
    /// <exception cref="InputValidationException">Lengths differ, ε not positive and finite, g not finite.</exception>
    /// <exception cref="UnsupportedCostException">The cost is not squared Euclidean or elastic.</exception>
    public EntropicMap(PointCloud<double> target, double[] targetPotential, double epsilon, ICostFunction<double>? cost = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(targetPotential);
        Cost = cost ?? default(SquaredEuclidean<double>);
        _h = TranslationInvariantCosts.Resolve(Cost, nameof(EntropicMap));
        if (targetPotential.Length != target.Count)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The target potential has {targetPotential.Length} values for {target.Count} target points.", nameof(targetPotential));
        }

        for (var j = 0; j < targetPotential.Length; j++)
        {
            if (!double.IsFinite(targetPotential[j]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"The target potential is not finite at {j}.", nameof(targetPotential), j);
            }
        }

        if (!(epsilon > 0) || !double.IsFinite(epsilon))
        {
            throw new InputValidationException(InputProblem.InvalidParameter, $"ε must be positive and finite (got {epsilon}).", nameof(epsilon));
        }

        Target = target;
        _g = (double[])targetPotential.Clone();
        Epsilon = epsilon;
        _logB = LogWeights(target);
    }

    /// <summary>Creates a debiased map from its parts (what <see cref="FitDebiased"/> computes, or what a map file holds).</summary>
    /// <param name="target">The target points y_j and weights b (uniform when absent).</param>
    /// <param name="targetPotential">g of the (source, target) problem, one value per target point.</param>
    /// <param name="epsilon">ε &gt; 0 of both problems, in the units of <paramref name="cost"/>.</param>
    /// <param name="cost">The cost (null: squared Euclidean); it must be translation-invariant.</param>
    /// <param name="source">The source points x_i and weights a of the (source, source) problem.</param>
    /// <param name="sourcePotential">The symmetric potential of the (source, source) problem, one value per source point.</param>
    /// <exception cref="InputValidationException">Lengths or dimensions differ, ε not positive and finite, a potential not finite.</exception>
    /// <exception cref="UnsupportedCostException">The cost is not squared Euclidean or elastic.</exception>
    public EntropicMap(PointCloud<double> target, double[] targetPotential, double epsilon, ICostFunction<double>? cost, PointCloud<double> source, double[] sourcePotential)
        : this(target, targetPotential, epsilon, cost)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sourcePotential);
        if (source.Dimension != target.Dimension || sourcePotential.Length != source.Count)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The debiasing source has {source.Count} points of dimension {source.Dimension} and {sourcePotential.Length} potential values; the target has dimension {target.Dimension}.", nameof(sourcePotential));
        }

        for (var i = 0; i < sourcePotential.Length; i++)
        {
            if (!double.IsFinite(sourcePotential[i]))
            {
                throw new InputValidationException(InputProblem.NonFinite, $"The source potential is not finite at {i}.", nameof(sourcePotential), i);
            }
        }

        DebiasingSource = source;
        _selfPotential = (double[])sourcePotential.Clone();
        _selfLogA = LogWeights(source);
    }

    /// <summary>The target points and weights.</summary>
    public PointCloud<double> Target { get; }

    /// <summary>The target potential g (cost units).</summary>
    public ReadOnlySpan<double> TargetPotential => _g;

    /// <summary>Whether the map is debiased (see remarks): <see cref="DebiasingSource"/> and <see cref="DebiasingPotential"/> are then set.</summary>
    public bool IsDebiased => DebiasingSource is not null;

    /// <summary>The source points and weights of the (source, source) problem of a debiased map; null otherwise.</summary>
    public PointCloud<double>? DebiasingSource { get; }

    /// <summary>The symmetric potential of the (source, source) problem of a debiased map (cost units); empty otherwise.</summary>
    public ReadOnlySpan<double> DebiasingPotential => _selfPotential;

    /// <summary>ε (cost units).</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public ICostFunction<double> Cost { get; }

    /// <inheritdoc />
    public int Dimension => Target.Dimension;

    /// <summary>The Sinkhorn report of the fit (null for a map built from parts or loaded from a file).</summary>
    public Convergence? Convergence { get; init; }

    /// <summary>Fits the map: one balanced Sinkhorn solve between <paramref name="source"/> and <paramref name="target"/>.</summary>
    /// <param name="source">Source samples (weights used as given, uniform when absent).</param>
    /// <param name="target">Target samples, same dimension and total mass.</param>
    /// <param name="cost">The cost (null: squared Euclidean); squared Euclidean or elastic.</param>
    /// <param name="options">Sinkhorn options (default: OTT-JAX's, ε = 0.05·std(C)); the KL convention is required.</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <returns>The map, with the solve's <see cref="Convergence"/>.</returns>
    /// <exception cref="InputValidationException">Invalid inputs or options, or the plain-entropy convention.</exception>
    /// <exception cref="UnsupportedCostException">The cost is not translation-invariant.</exception>
    public static EntropicMap Fit(PointCloud<double> source, PointCloud<double> target, ICostFunction<double>? cost = null, Sinkhorn? options = null, CancellationToken cancellationToken = default) =>
        FitFrom(source, target, cost, options, null, false, cancellationToken).Map;

    /// <summary>
    /// Fits the debiased map (see remarks): the Sinkhorn solve of <see cref="Fit"/> plus one between the source and
    /// itself at the same ε. Twice the fitting time when n ≈ m.
    /// </summary>
    /// <param name="source">Source samples (weights used as given, uniform when absent).</param>
    /// <param name="target">Target samples, same dimension and total mass.</param>
    /// <param name="cost">The cost (null: squared Euclidean); squared Euclidean or elastic.</param>
    /// <param name="options">Sinkhorn options of both solves (default: OTT-JAX's, ε = 0.05·std(C) of (source, target), used for both); the KL convention is required.</param>
    /// <param name="cancellationToken">Cancels the solves.</param>
    /// <returns>The map; its <see cref="Convergence"/> is the (source, target) solve's, or the (source, source) solve's when only that one failed to converge.</returns>
    /// <exception cref="InputValidationException">Invalid inputs or options, or the plain-entropy convention.</exception>
    /// <exception cref="UnsupportedCostException">The cost is not translation-invariant.</exception>
    public static EntropicMap FitDebiased(PointCloud<double> source, PointCloud<double> target, ICostFunction<double>? cost = null, Sinkhorn? options = null, CancellationToken cancellationToken = default) =>
        FitFrom(source, target, cost, options, null, true, cancellationToken).Map;

    /// <summary>
    /// Fits the map from a warm start and also returns the (source, target) solve's potentials (f, g), to warm-start the
    /// next fit; <paramref name="debiased"/> adds the cold (source, source) solve at the same ε.
    /// </summary>
    internal static (EntropicMap Map, SinkhornPotentials<double> Potentials) FitFrom(PointCloud<double> source, PointCloud<double> target, ICostFunction<double>? cost, Sinkhorn? options, SinkhornPotentials<double>? initial, bool debiased, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        cost ??= default(SquaredEuclidean<double>);
        TranslationInvariantCosts.Resolve(cost, nameof(EntropicMap));
        options ??= new Sinkhorn();
        if (options.Convention != EntropyConvention.KullbackLeibler)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "The entropic map needs the KL(P ‖ a⊗b) convention (its weights p_j(x) carry b_j).", nameof(options));
        }

        var problem = LinearProblem<double>.FromPointClouds(source, target, cost);
        if (!problem.IsBalanced)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "The entropic map is fitted on a balanced problem.", nameof(options));
        }

        var result = options.Solve(problem, initial, null, cancellationToken);
        var s = result.CostScaleFactor;
        var g = Array.ConvertAll(result.G, v => v / s);
        var epsilon = result.Epsilon / s;
        if (!debiased)
        {
            return (new EntropicMap(target, g, epsilon, cost) { Convergence = result.Convergence }, result.Potentials);
        }

        // The (source, source) problem at the same ε (absolute, whatever the options resolved it from).
        var self = (options with { Epsilon = epsilon, EpsilonRelativeTo = EpsilonReference.Absolute }).Solve(LinearProblem<double>.FromPointClouds(source, source, cost), null, null, cancellationToken);
        var selfPotential = Array.ConvertAll(self.G, v => v / self.CostScaleFactor);
        var convergence = result.Convergence.Converged && !self.Convergence.Converged ? self.Convergence : result.Convergence;
        return (new EntropicMap(target, g, epsilon, cost, source, selfPotential) { Convergence = convergence }, result.Potentials);
    }

    private static double[] LogWeights(PointCloud<double> cloud) =>
        Array.ConvertAll(cloud.NormalizedWeights(), v => v > 0 ? Math.Log(v) : double.NegativeInfinity);

    /// <inheritdoc />
    public PointCloud<double> Apply(PointCloud<double> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        CheckDimension(points.Dimension);
        var d = Dimension;
        var output = new double[points.Count * d];
        var data = points.Memory;
        Parallel.For(
            0,
            points.Count,
            () => new Workspace(WorkspaceLength, d),
            (i, _, ws) =>
            {
                Apply(data.Span.Slice(i * d, d), output.AsSpan(i * d, d), ws);
                return ws;
            },
            _ => { });
        return new PointCloud<double>(output, points.Count, d, points.HasWeights ? points.Weights.ToArray() : null);
    }

    /// <summary>Maps one point.</summary>
    /// <param name="point">x, length d.</param>
    /// <param name="destination">Receives T(x), length d.</param>
    /// <exception cref="InputValidationException">Lengths differ from d.</exception>
    public void Apply(ReadOnlySpan<double> point, Span<double> destination)
    {
        CheckDimension(point.Length);
        CheckDimension(destination.Length);
        Apply(point, destination, new Workspace(WorkspaceLength, Dimension));
    }

    private int WorkspaceLength => Math.Max(Target.Count, DebiasingSource?.Count ?? 0);

    private void Apply(ReadOnlySpan<double> x, Span<double> destination, Workspace ws)
    {
        // ∇f(x) = Σ_j p_j ∇h(x − y_j) (minus Σ_i q_i ∇h(x − x_i) when debiased), then T(x) = x − ∇h*(∇f(x)).
        var grad = ws.Gradient;
        Array.Clear(grad);
        AddGradient(x, Target.Data, _logB, _g, 1, ws);
        if (_selfPotential is not null)
        {
            AddGradient(x, DebiasingSource!.Data, _selfLogA!, _selfPotential, -1, ws);
        }

        _h.GradientHConjugate(grad, ws.Hz);
        for (var k = 0; k < Dimension; k++)
        {
            destination[k] = x[k] - ws.Hz[k];
        }
    }

    /// <summary>Adds sign × the gradient of the soft c-transform of <paramref name="potential"/> over <paramref name="points"/> at x to ws.Gradient.</summary>
    private void AddGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> points, double[] logWeights, double[] potential, double sign, Workspace ws)
    {
        var d = Dimension;
        var m = potential.Length;
        var logits = ws.Logits;
        var z = ws.Z;
        var max = double.NegativeInfinity;
        for (var j = 0; j < m; j++)
        {
            var yj = points.Slice(j * d, d);
            for (var k = 0; k < d; k++)
            {
                z[k] = x[k] - yj[k];
            }

            var l = logWeights[j] + ((potential[j] - _h.H(z)) / Epsilon);
            logits[j] = l;
            max = Math.Max(max, l);
        }

        var sum = 0.0;
        for (var j = 0; j < m; j++)
        {
            var p = Math.Exp(logits[j] - max);
            logits[j] = p;
            sum += p;
        }

        var grad = ws.Gradient;
        for (var j = 0; j < m; j++)
        {
            var p = sign * logits[j] / sum;
            if (p == 0)
            {
                continue;
            }

            var yj = points.Slice(j * d, d);
            for (var k = 0; k < d; k++)
            {
                z[k] = x[k] - yj[k];
            }

            _h.GradientH(z, ws.Hz);
            for (var k = 0; k < d; k++)
            {
                grad[k] += p * ws.Hz[k];
            }
        }
    }

    private void CheckDimension(int dimension)
    {
        if (dimension != Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The map is of dimension {Dimension}; got {dimension}.", nameof(dimension));
        }
    }

    private sealed class Workspace(int m, int d)
    {
        public double[] Logits { get; } = new double[m];

        public double[] Z { get; } = new double[d];

        public double[] Hz { get; } = new double[d];

        public double[] Gradient { get; } = new double[d];
    }
}
