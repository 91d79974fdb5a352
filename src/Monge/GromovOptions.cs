using Monge.Geometry;
using Monge.Geometry.Costs;
using Monge.Problems;

namespace Monge;

/// <summary>
/// The options of <see cref="Ot.SolveGromov"/>: the intra-space cost, the loss, an optional fused feature term and the
/// stopping rule of the conditional gradient. See <c>docs/gromov.md</c>.
/// </summary>
public sealed record GromovOptions
{
    /// <summary>The intra-space cost computed within each cloud; <see langword="null"/> for squared Euclidean.</summary>
    public ICostFunction<double>? Cost { get; init; }

    /// <summary>The loss L comparing the two intra-space costs (default square).</summary>
    public GromovLoss Loss { get; init; } = GromovLoss.Square;

    /// <summary>Source features of a fused problem (n rows, any dimension k); with <see cref="TargetFeatures"/> gives M = |f_i − g_j|².</summary>
    public PointCloud<double>? SourceFeatures { get; init; }

    /// <summary>Target features of a fused problem (m rows, same dimension k as <see cref="SourceFeatures"/>).</summary>
    public PointCloud<double>? TargetFeatures { get; init; }

    /// <summary>POT's fusion weight α ∈ [0, 1] of a fused problem, objective (1 − α)⟨M, P⟩ + α·GW (default 0.5).</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>The solver's iteration limit; <see langword="null"/> for its default (1000).</summary>
    public int? MaxIterations { get; init; }

    /// <summary>The relative (and absolute) tolerance on the change of the objective; <see langword="null"/> for 1e-9 (POT's).</summary>
    public double? Threshold { get; init; }
}
