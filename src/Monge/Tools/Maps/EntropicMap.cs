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
/// </remarks>
public sealed class EntropicMap : ITransportMap
{
    private readonly double[] _g;
    private readonly double[] _logB;
    private readonly ITranslationInvariantCost _h;

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
        var b = target.NormalizedWeights();
        _logB = Array.ConvertAll(b, v => v > 0 ? Math.Log(v) : double.NegativeInfinity);
    }

    /// <summary>The target points and weights.</summary>
    public PointCloud<double> Target { get; }

    /// <summary>The target potential g (cost units).</summary>
    public ReadOnlySpan<double> TargetPotential => _g;

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
        FitFrom(source, target, cost, options, null, cancellationToken).Map;

    /// <summary>Fits the map from a warm start and also returns the solve's potentials (f, g), to warm-start the next fit.</summary>
    internal static (EntropicMap Map, SinkhornPotentials<double> Potentials) FitFrom(PointCloud<double> source, PointCloud<double> target, ICostFunction<double>? cost, Sinkhorn? options, SinkhornPotentials<double>? initial, CancellationToken cancellationToken)
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
        return (new EntropicMap(target, g, result.Epsilon / s, cost) { Convergence = result.Convergence }, result.Potentials);
    }

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
            () => new Workspace(Target.Count, d),
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
        Apply(point, destination, new Workspace(Target.Count, Dimension));
    }

    private void Apply(ReadOnlySpan<double> x, Span<double> destination, Workspace ws)
    {
        var d = Dimension;
        var m = Target.Count;
        var y = Target.Data;
        var logits = ws.Logits;
        var max = double.NegativeInfinity;
        for (var j = 0; j < m; j++)
        {
            var z = ws.Z;
            var yj = y.Slice(j * d, d);
            for (var k = 0; k < d; k++)
            {
                z[k] = x[k] - yj[k];
            }

            var l = _logB[j] + ((_g[j] - _h.H(z)) / Epsilon);
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

        // ∇f(x) = Σ_j p_j ∇h(x − y_j), then T(x) = x − ∇h*(∇f(x)).
        var grad = ws.Gradient;
        Array.Clear(grad);
        for (var j = 0; j < m; j++)
        {
            var p = logits[j] / sum;
            if (p == 0)
            {
                continue;
            }

            var yj = y.Slice(j * d, d);
            for (var k = 0; k < d; k++)
            {
                ws.Z[k] = x[k] - yj[k];
            }

            _h.GradientH(ws.Z, ws.Hz);
            for (var k = 0; k < d; k++)
            {
                grad[k] += p * ws.Hz[k];
            }
        }

        _h.GradientHConjugate(grad, ws.Hz);
        for (var k = 0; k < d; k++)
        {
            destination[k] = x[k] - ws.Hz[k];
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
