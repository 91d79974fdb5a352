namespace Monge.Solvers.Hierarchical;

/// <summary>Diagnostics of one polish step of <see cref="HierarchicalRefinement"/>, in the order they ran.</summary>
/// <param name="Step">"leaf pairs", "neighbourhood" or "slabs".</param>
/// <param name="Rounds">Rounds (or passes) the step ran; fewer than its option when a round stopped gaining.</param>
/// <param name="Cost">The matching cost (1/n) Σ c after the step.</param>
/// <param name="Seconds">Wall-clock seconds of the step.</param>
public sealed record HiRefPolishReport(string Step, int Rounds, double Cost, double Seconds);
