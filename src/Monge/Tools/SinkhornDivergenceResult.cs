namespace Monge.Tools;

/// <summary>The Sinkhorn divergence and its three terms.</summary>
/// <param name="Value">S_ε(α, β) = cross − ½(source + target).</param>
/// <param name="CrossTerm">OT_ε(α, β).</param>
/// <param name="SourceTerm">OT_ε(α, α).</param>
/// <param name="TargetTerm">OT_ε(β, β).</param>
/// <param name="Epsilon">The shared absolute ε.</param>
/// <param name="Converged">Whether all three solves converged.</param>
public sealed record SinkhornDivergenceResult(double Value, double CrossTerm, double SourceTerm, double TargetTerm, double Epsilon, bool Converged)
{
    /// <summary>Convergence of the cross problem OT_ε(α, β) (null when the result was built by hand).</summary>
    public Solvers.Convergence? CrossConvergence { get; init; }

    /// <summary>Convergence of the symmetric problem OT_ε(α, α).</summary>
    public Solvers.Convergence? SourceConvergence { get; init; }

    /// <summary>Convergence of the symmetric problem OT_ε(β, β).</summary>
    public Solvers.Convergence? TargetConvergence { get; init; }
}
