using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;
using Monge.Solvers.Entropic;

namespace Monge.Tools.Maps;

/// <summary>
/// The Monge gap of a map T on samples of μ (Uscidda and Cuturi 2023, "The Monge Gap: A Regularizer to Learn All
/// Transport Maps"; OTT-JAX <c>monge_gap_from_samples</c>): M(T) = Σ_i a_i c(x_i, T(x_i)) − W_{c,ε}(μ, T♯μ), the
/// displacement cost of T minus the entropic OT cost between μ and its push-forward (the regularized primal value
/// ⟨C, P⟩ + ε·KL(P ‖ a⊗a), OTT's <c>ent_reg_cost</c>). M(T) ≥ 0 without entropy, and 0 exactly when T is a Monge map
/// for c from μ; with uniform weights and n points, M_exact − ε log n ≤ M_ε ≤ M_exact.
/// </summary>
/// <remarks>Time: one n × n Sinkhorn solve, O(n²·d) per iteration; memory O(n·d) (online geometry).</remarks>
public static class MongeGap
{
    /// <summary>Computes M(T) from the source samples and their images.</summary>
    /// <param name="source">x_i and weights a (uniform when absent).</param>
    /// <param name="mapped">T(x_i), same count and dimension, in the same order (its weights are ignored: T♯μ carries a).</param>
    /// <param name="cost">The cost c (null: squared Euclidean); any cost.</param>
    /// <param name="options">Sinkhorn options (default: OTT-JAX's, ε = 0.05·std(C)); the KL convention is required.</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <returns>The gap, its two terms, ε and the solve's report.</returns>
    /// <exception cref="InputValidationException">Counts or dimensions differ, or the plain-entropy convention.</exception>
    public static MongeGapResult Compute(PointCloud<double> source, PointCloud<double> mapped, ICostFunction<double>? cost = null, Sinkhorn? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(mapped);
        if (mapped.Count != source.Count || mapped.Dimension != source.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The mapped points ({mapped.Count} × {mapped.Dimension}) must match the source ({source.Count} × {source.Dimension}).", nameof(mapped));
        }

        cost ??= default(SquaredEuclidean<double>);
        options ??= new Sinkhorn();
        if (options.Convention != EntropyConvention.KullbackLeibler)
        {
            throw new InputValidationException(InputProblem.InvalidParameter, "The Monge gap uses the KL(P ‖ a⊗b) convention (OTT-JAX's ent_reg_cost).", nameof(options));
        }

        var a = source.NormalizedWeights();
        var pushed = mapped.WithWeights(a);
        var displacement = Displacement(source, mapped, a, cost);

        var result = options.Solve(LinearProblem<double>.FromPointClouds(source.WithWeights(a), pushed, cost), null, cancellationToken);
        var s = result.CostScaleFactor;
        var transport = result.RegularizedCost / s;
        return new MongeGapResult(displacement - transport, displacement, transport, result.Epsilon / s, result.Convergence);
    }

    /// <summary>
    /// The debiased Monge gap M_S(T) = Σ_i a_i c(x_i, T(x_i)) − S_ε(μ, T♯μ), with the Sinkhorn divergence
    /// S_ε = W_{c,ε}(μ, T♯μ) − ½ W_{c,ε}(μ, μ) − ½ W_{c,ε}(T♯μ, T♯μ) (<see cref="SinkhornDivergence"/>) in place of the
    /// entropic cost: the entropic bias cancels, so M_S(T) → the exact gap as ε → 0 from either side, and a translation
    /// under the squared Euclidean cost (a Monge map) has M_S = 0 at every ε (S_ε(μ, μ + t) = ‖t‖²), where the plain
    /// <see cref="Compute(PointCloud{double}, PointCloud{double}, ICostFunction{double}?, Sinkhorn?, CancellationToken)"/>
    /// is off by about −W_{c,ε}(μ, μ) (negative, of order ε·log n).
    /// </summary>
    /// <remarks>Time: one n × n Sinkhorn solve and two symmetric self solves (a few soft-mins each), run concurrently;
    /// memory O(n·d) (online geometries). ε is resolved once on the cross problem and shared by the three.</remarks>
    /// <param name="source">x_i and weights a (uniform when absent).</param>
    /// <param name="mapped">T(x_i), same count and dimension, in the same order (its weights are ignored: T♯μ carries a).</param>
    /// <param name="cost">The cost c (null: squared Euclidean); any cost.</param>
    /// <param name="options">Sinkhorn options of the three solves (default: ε = 0.05·std(C) on the cross problem).</param>
    /// <param name="cancellationToken">Cancels the solves.</param>
    /// <returns>The gap with <see cref="MongeGapResult.TransportCost"/> = S_ε and <see cref="MongeGapResult.Debiased"/> set;
    /// <see cref="MongeGapResult.Convergence"/> is the first of the three solves (cross, μ, T♯μ) that did not converge,
    /// else the cross solve's.</returns>
    /// <exception cref="InputValidationException">Counts or dimensions differ, or invalid options.</exception>
    public static MongeGapResult ComputeDebiased(PointCloud<double> source, PointCloud<double> mapped, ICostFunction<double>? cost = null, Sinkhorn? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(mapped);
        if (mapped.Count != source.Count || mapped.Dimension != source.Dimension)
        {
            throw new InputValidationException(InputProblem.DimensionMismatch, $"The mapped points ({mapped.Count} × {mapped.Dimension}) must match the source ({source.Count} × {source.Dimension}).", nameof(mapped));
        }

        cost ??= default(SquaredEuclidean<double>);
        var a = source.NormalizedWeights();
        var displacement = Displacement(source, mapped, a, cost);
        var divergence = SinkhornDivergence.Compute(source.WithWeights(a), mapped.WithWeights(a), options, cost, DivergenceTerm.Regularized, cancellationToken);
        var convergence = new[] { divergence.CrossConvergence, divergence.SourceConvergence, divergence.TargetConvergence }
            .FirstOrDefault(c => c is { Converged: false }) ?? divergence.CrossConvergence!;
        return new MongeGapResult(displacement - divergence.Value, displacement, divergence.Value, divergence.Epsilon, convergence) { Debiased = true };
    }

    /// <summary>
    /// <see cref="ComputeDebiased(PointCloud{double}, PointCloud{double}, ICostFunction{double}?, Sinkhorn?, CancellationToken)"/>
    /// for a fitted map: <paramref name="map"/> is applied to <paramref name="source"/> first.
    /// </summary>
    /// <param name="map">The map T.</param>
    /// <param name="source">x_i and weights.</param>
    /// <param name="cost">The cost (null: the map's cost).</param>
    /// <param name="options">Sinkhorn options.</param>
    /// <param name="cancellationToken">Cancels the solves.</param>
    /// <returns>The debiased gap.</returns>
    public static MongeGapResult ComputeDebiased(ITransportMap map, PointCloud<double> source, ICostFunction<double>? cost = null, Sinkhorn? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        return ComputeDebiased(source, map.Apply(source), cost ?? map.Cost, options, cancellationToken);
    }

    /// <summary>Σ_i a_i c(x_i, T(x_i)).</summary>
    private static double Displacement(PointCloud<double> source, PointCloud<double> mapped, double[] a, ICostFunction<double> cost)
    {
        var displacement = 0.0;
        for (var i = 0; i < source.Count; i++)
        {
            displacement += a[i] * cost.Evaluate(source.Row(i), mapped.Row(i));
        }

        return displacement;
    }

    /// <summary>Computes M(T) for a fitted map: <paramref name="map"/> is applied to <paramref name="source"/> first.</summary>
    /// <param name="map">The map T.</param>
    /// <param name="source">x_i and weights.</param>
    /// <param name="cost">The cost (null: the map's cost).</param>
    /// <param name="options">Sinkhorn options.</param>
    /// <param name="cancellationToken">Cancels the solve.</param>
    /// <returns>The gap.</returns>
    public static MongeGapResult Compute(ITransportMap map, PointCloud<double> source, ICostFunction<double>? cost = null, Sinkhorn? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Compute(source, map.Apply(source), cost ?? map.Cost, options, cancellationToken);
    }
}
