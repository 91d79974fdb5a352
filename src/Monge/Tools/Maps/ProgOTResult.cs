using Monge.Geometry;
using Monge.Solvers;

namespace Monge.Tools.Maps;

/// <summary>What <see cref="ProgOT.Fit"/> returns.</summary>
/// <param name="Map">The fitted map (stages, α and ε).</param>
/// <param name="StageConvergence">The Sinkhorn report of every stage.</param>
/// <param name="MovedSource">The last stage's push-forward of the source, T_{K−1}(x_{K−1}) (equal to Map.Apply(source)).</param>
public sealed record ProgOTResult(ProgOTMap Map, IReadOnlyList<Convergence> StageConvergence, PointCloud<double> MovedSource)
{
    /// <summary>Whether every stage converged.</summary>
    public bool Converged => StageConvergence.All(c => c.Converged);
}
